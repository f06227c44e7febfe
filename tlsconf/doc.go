// Package tlsconf turns a Kafka listener's or client's ssl.* settings into a
// Go *tls.Config, reading them as Kafka 3.9's DefaultSslEngineFactory,
// SslFactory and DefaultKafkaPrincipalBuilder do, so that a broker started
// from an existing server.properties accepts and presents the same
// certificates, and names its TLS peers with the same principals, as Kafka
// would.
//
// ServerConfig builds a listener's configuration, ClientConfig a client's
// (inter-broker links, commands), Principal names the peer of an accepted
// connection as Kafka's principal ("User:CN=...", mapped by
// ssl.principal.mapping.rules, KIP-371) and CheckKeys lists the Kafka ssl.*
// keys this package does not implement but that are set to something other
// than Kafka's default, so the caller can refuse to start rather than
// silently run with weaker or different TLS (fail closed).
//
// Stores. ssl.keystore.type and ssl.truststore.type take JKS (Kafka's
// default), PKCS12 and PEM. As in Java 9 and later (keystore.type.compat),
// JKS and PKCS12 are both read whatever of the two is declared, since a JVM's
// JKS and PKCS12 key stores each load the other format; PEM must be spelled
// exactly so, as Kafka compares it case-sensitively. PEM stores come from a
// file at the location or inline (ssl.keystore.certificate.chain and
// ssl.keystore.key, ssl.truststore.certificates; KIP-651), parsed with the
// same lenient patterns as Kafka's PemParser so that values folded onto one
// line in a properties file still read. A PEM key must be PKCS#8, encrypted
// with PBES2 (PBKDF2, AES-CBC; OpenSSL 3's default) when ssl.key.password is
// set. A JKS key entry is unlocked with ssl.key.password, defaulting to
// ssl.keystore.password as Kafka's FileBasedStore does; a PKCS12 key is
// protected by the store password. A truststore without a password is still
// read, without the integrity check, as Kafka documents. Every combination
// DefaultSslEngineFactory.createKeystore and createTruststore reject is
// rejected here too.
//
// Verification. A client without a truststore trusts the system's roots, as
// a JVM trusts its default cacerts. A listener that requests or requires
// client certificates must have a truststore: Kafka would fall back to the
// JVM's public roots there too, which would let any publicly issued
// certificate authenticate as its subject, so this package refuses instead.
// ssl.endpoint.identification.algorithm is "https" (Kafka's default: verify
// the server's name against its certificate's subject alternative names) or
// empty (verify the chain only); other values are errors.
//
// Protocols and cipher suites. ssl.enabled.protocols maps TLSv1.2 and
// TLSv1.3 onto Go's version range; TLSv1.1, TLSv1, SSLv3 and SSLv2Hello are
// accepted and ignored, as current JVMs disable them
// (jdk.tls.disabledAlgorithms), and a list left with nothing usable is an
// error. ssl.protocol names the JVM's SSLContext: on a server it selects
// nothing, on a client "TLSv1.2" keeps TLS 1.3 out unless ssl.cipher.suites
// lists TLS 1.3 suites, as Kafka documents; obsolete contexts are refused.
// ssl.cipher.suites takes Java's (IANA) names as Go spells them. Java
// negotiates a protocol version only with a suite enabled for it, so a list
// without TLS 1.3 suites turns TLS 1.3 off and one with only TLS 1.3 suites
// turns TLS 1.2 off. Go cannot narrow the TLS 1.3 suites, so a list naming
// some but not all of them is refused rather than silently widened.
//
// Principals. Principal renders the peer certificate's subject as
// X500Principal.getName() does on the JVMs Kafka 3.9 supports (RFC 2253:
// last RDN first; only the keywords CN, C, L, ST, O, OU, STREET, DC and UID,
// other attributes as dotted OIDs with the hex of their DER value; Java's
// escaping; every string type decoded as UTF-8, as JDK 17 and older do) and
// applies the mapping rules as SslPrincipalMapper does, including Java's
// String.replaceAll behaviour for replacements ($n and ${name} references,
// backslash escapes, the empty match Java finds where a match ended) and
// Kafka's treating references to missing groups as literals. Rule patterns
// are compiled by Go's regexp package (RE2): the constructs RE2 lacks (back
// references, look-around, possessive quantifiers) make the rules an error,
// not a different mapping.
package tlsconf
