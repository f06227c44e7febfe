// Package saslserver is the server side of the SASL mechanisms kbridge serves
// on SASL_PLAINTEXT and SASL_SSL listeners: PLAIN (RFC 4616), SCRAM-SHA-256
// and SCRAM-SHA-512 (RFC 5802, RFC 7677) and OAUTHBEARER (RFC 7628), as Kafka
// 3.9's PlainSaslServer, ScramSaslServer and OAuthBearerSaslServer run them
// behind SaslHandshake and SaslAuthenticate (KIP-43, KIP-152, KIP-255). The
// mechanisms know nothing of the wire: Session.Step takes each client message
// and returns the reply, so an exchange can be tested without a connection.
// ConnAuth is the one connection-level state machine on top of them, Kafka's
// SaslServerAuthenticator: it answers SaslHandshake and SaslAuthenticate
// (kmsg requests and responses, franz-go's types) and gates the other
// requests, for the broker's listeners, the controller listener's Kafka
// connections and the Raft streams on it alike. CheckPassword judges a user
// name and password given outright (HTTP Basic on the migration admin
// endpoint) with the same users and credentials.
//
// Errors. A failed Step returns an *AuthError whose text is exactly what
// Kafka's SaslServerAuthenticator puts in the SaslAuthenticateResponse's
// error_message: the mechanism's own message where Kafka shows it
// (SaslAuthenticationException: every PLAIN failure, a SCRAM authorization id
// that is not the user), otherwise Kafka's generic "Authentication failed
// during authentication due to invalid credentials with SASL mechanism ...",
// so that a client cannot learn whether a user exists. The precise reason,
// for the broker's log only, is the error's Unwrap.
//
// PLAIN checks the password against the user_<name> options of a
// PlainLoginModule JAAS config (PlainServerCallbackHandler), read by
// ParsePlainJAAS as Kafka's JaasConfig reads sasl.jaas.config values;
// ParseJAASOption reads one option of any login module, such as the broker's
// own username and password; ParseJAASLogin gives the login module and all its
// options, which kbridge's client commands read their credentials from.
//
// SCRAM looks the user's credential up when the client's first message
// arrives, so users added while the broker runs can authenticate at once, as
// Kafka's CredentialCache allows. A credential is what Kafka stores
// (UserScramCredentialRecord in KRaft mode, the /config/users znode in
// ZooKeeper mode): salt, StoredKey, ServerKey and iteration count, never the
// password; NewScramCredential derives one from a password. Deliberate
// differences from Kafka, each refusing something Kafka would accept: the
// client-final message's channel binding must be base64 of the gs2 header the
// client sent, or of "n,," (Kafka's own client, librdkafka and franz-go send
// "biws" even with an authorization id), where Kafka does not look at it; the
// reserved "m=" attribute fails, as RFC 5802 requires; delegation tokens
// (the "tokenauth" extension, KIP-48) are refused with a message saying so.
// As in Kafka, the client-final nonce need only end with the server's nonce
// (librdkafka 2.0 sends its own nonce in front of it).
// The AuthMessage a proof signs is made of the messages exactly as sent (RFC
// 5802), where Kafka re-serializes them; the two agree for every client that
// follows the RFC. An authorization id is compared with the user name once
// both are unescaped ("=2C", "=3D"), where Kafka compares it still escaped
// and so refuses a user with ',' or '=' in its name who names itself.
//
// OAUTHBEARER validates tokens as a Kafka broker does without a custom
// server callback handler (OAuthBearerUnsecuredValidatorCallbackHandler): the
// token is an unsecured JWS ("alg":"none", no signature) that anyone can
// make, checked only by its claims (the principal claim, exp, iat, the
// required scope) with the options of the listener's OAuthBearerLoginModule
// JAAS config (ParseOAuthBearerJAAS). It is for development and tests, as
// Kafka says of it; validating signed tokens (KIP-768) is not implemented. A
// refused token is answered with Kafka's error challenge
// ({"status":"invalid_token"}), the client's kvsep then fails the exchange with
// that JSON as the message; a malformed message fails at once with the generic
// text. The principal is the claim's value; an authorization id, compared as
// sent (escapes and all, as Kafka does), must equal it. The token's exp is the
// credential's end (ExpiringSession), which bounds a KIP-368 session's
// lifetime. Where kbridge differs from Kafka 3.9 it refuses tokens Kafka would
// take (a principal or scope that is not a JSON string, JSON after the
// object) or answers where Kafka closes the connection without an answer on
// an exception of its own (no alg, a scheme other than Bearer), with one
// exception: header and claims are base64url as RFC 7515 says and clients
// send them, where Kafka 3.9 decodes standard base64 (KAFKA-17089). Options
// are checked at start, where Kafka fails each authentication on a bad one,
// and an unsecuredValidator* option that does not exist is refused.
package saslserver
