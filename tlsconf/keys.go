package tlsconf

// Kafka's ssl.* key names (SslConfigs, BrokerSecurityConfigs).
const (
	keyProtocol               = "ssl.protocol"
	keyProvider               = "ssl.provider"
	keyCipherSuites           = "ssl.cipher.suites"
	keyEnabledProtocols       = "ssl.enabled.protocols"
	keyKeystoreType           = "ssl.keystore.type"
	keyKeystoreLocation       = "ssl.keystore.location"
	keyKeystorePassword       = "ssl.keystore.password"
	keyKeyPassword            = "ssl.key.password"
	keyKeystoreKey            = "ssl.keystore.key"
	keyKeystoreChain          = "ssl.keystore.certificate.chain"
	keyTruststoreType         = "ssl.truststore.type"
	keyTruststoreLocation     = "ssl.truststore.location"
	keyTruststorePassword     = "ssl.truststore.password"
	keyTruststoreCertificates = "ssl.truststore.certificates"
	keyKeymanagerAlgorithm    = "ssl.keymanager.algorithm"
	keyTrustmanagerAlgorithm  = "ssl.trustmanager.algorithm"
	keyEndpointIdentification = "ssl.endpoint.identification.algorithm"
	keySecureRandom           = "ssl.secure.random.implementation"
	keyEngineFactoryClass     = "ssl.engine.factory.class"
	keyClientAuth             = "ssl.client.auth"
	keyPrincipalMappingRules  = "ssl.principal.mapping.rules"
)

// Kafka's defaults for the keys whose default is not "unset".
const (
	defaultProtocol         = "TLSv1.3"
	defaultEnabledProtocols = "TLSv1.2,TLSv1.3"
	defaultStoreType        = "JKS"
	defaultEndpointIdent    = "https"
	defaultClientAuth       = "none"
	defaultMappingRules     = "DEFAULT"
)

// pemType is the store type Kafka's DefaultSslEngineFactory handles itself;
// it compares it case-sensitively (PEM_TYPE.equals(type)).
const pemType = "PEM"
