package saslserver

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// The grammar of RFC 5802 section 7 as Kafka's ScramMessages matches it, with
// Java's character-class intersections spelled out: ',' is 0x2C, '=' 0x3D.
const (
	reAlpha     = `[A-Za-z]+`
	reValue     = `[\x01-\x2B\x2D-\x7F]+`                      // VALUE: 0x01-0x7F but ','
	rePrintable = `[\x21-\x2B\x2D-\x7E]+`                      // PRINTABLE: 0x21-0x7E but ','
	reSaslName  = `(?:[\x01-\x2B\x2D-\x3C\x3E-\x7F]|=2C|=3D)+` // SASLNAME: ',' and '=' escaped
	reBase64    = `(?:[a-zA-Z0-9/+]{4})*(?:[a-zA-Z0-9/+]{3}=|[a-zA-Z0-9/+]{2}==)?`
	reExtension = `,` + reAlpha + `=` + reValue
)

var (
	// clientFirstPattern is ClientFirstMessage.PATTERN without the reserved
	// "m=" attribute, which RFC 5802 section 5.1 says must fail
	// authentication: gs2 flag "n" (no channel binding), an optional
	// authorization id, then the bare message: user name, nonce, extensions.
	clientFirstPattern = regexp.MustCompile(`^(n,(?:a=(` + reSaslName + `))?,)(n=(` + reSaslName + `),r=(` + rePrintable + `)((?:` + reExtension + `)*))$`)
	// clientFinalPattern is ClientFinalMessage.PATTERN: channel binding,
	// nonce, extensions (ignored, as Kafka does), proof.
	clientFinalPattern = regexp.MustCompile(`^c=(` + reBase64 + `),r=(` + rePrintable + `)(?:` + reExtension + `)*,p=(` + reBase64 + `)$`)
	// extensionPattern splits the extensions of a matched message.
	extensionPattern = regexp.MustCompile(`,(` + reAlpha + `)=(` + reValue + `)`)
	// saslNameDecoder is ScramFormatter.username: "=2C" is ',' and "=3D" is
	// '='; the patterns have already refused any other '='.
	saslNameDecoder = strings.NewReplacer("=2C", ",", "=3D", "=")
)

// clientFirst is a parsed client-first-message.
type clientFirst struct {
	gs2Header string // "n,," or "n,a=<authzid>,", as sent
	bare      string // client-first-message-bare, as sent
	authzid   string // decoded; empty if none
	user      string // decoded
	nonce     string
	tokenAuth bool // the "tokenauth" extension (KIP-48) is true
}

// parseClientFirst parses a client-first-message as Kafka's
// ClientFirstMessage does and decodes the names as ScramFormatter.username.
func parseClientFirst(msg []byte) (clientFirst, error) {
	m := clientFirstPattern.FindSubmatch(msg)
	if m == nil {
		if len(msg) > 0 && (msg[0] == 'p' || msg[0] == 'y') {
			return clientFirst{}, fmt.Errorf("SCRAM client first message asks for channel binding (gs2 flag %q), which Kafka's ScramSaslServer does not support", msg[0])
		}
		return clientFirst{}, fmt.Errorf("Invalid SCRAM client first message format: %q", msg)
	}
	c := clientFirst{
		gs2Header: string(m[1]),
		authzid:   saslNameDecoder.Replace(string(m[2])),
		bare:      string(m[3]),
		user:      saslNameDecoder.Replace(string(m[4])),
		nonce:     string(m[5]),
	}
	// ScramExtensions.tokenAuthenticated: Boolean.parseBoolean of the last
	// "tokenauth" value (Utils.parseMap keeps the last of duplicate keys).
	for _, ext := range extensionPattern.FindAllSubmatch(m[6], -1) {
		if string(ext[1]) == "tokenauth" {
			c.tokenAuth = strings.EqualFold(string(ext[2]), "true")
		}
	}
	return c, nil
}

// clientFinal is a parsed client-final-message.
type clientFinal struct {
	channelBinding []byte
	nonce          string
	withoutProof   string // client-final-message-without-proof, as sent
	proof          []byte
}

// parseClientFinal parses a client-final-message as Kafka's
// ClientFinalMessage does.
func parseClientFinal(msg []byte) (clientFinal, error) {
	m := clientFinalPattern.FindSubmatchIndex(msg)
	if m == nil {
		return clientFinal{}, errors.New("Invalid SCRAM client final message format")
	}
	group := func(i int) []byte { return msg[m[2*i]:m[2*i+1]] }
	// The pattern admits only well-formed, padded base64.
	channelBinding, err := base64.StdEncoding.DecodeString(string(group(1)))
	if err != nil {
		return clientFinal{}, fmt.Errorf("SCRAM client final message channel binding: %w", err)
	}
	proof, err := base64.StdEncoding.DecodeString(string(group(3)))
	if err != nil {
		return clientFinal{}, fmt.Errorf("SCRAM client final message proof: %w", err)
	}
	proofStart := m[2*3]
	return clientFinal{
		channelBinding: channelBinding,
		nonce:          string(group(2)),
		withoutProof:   string(msg[:proofStart-len(",p=")]),
		proof:          proof,
	}, nil
}
