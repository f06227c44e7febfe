package tlsconf

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
)

// pemParser finds the entries of one kind in PEM text with the pattern of
// Kafka's DefaultSslEngineFactory.PemParser rather than encoding/pem: Kafka
// accepts text around and between entries, header lines, and entries whose
// lines a properties file folded into one ("-----BEGIN CERTIFICATE----- MIIC...
// -----END CERTIFICATE-----"), which encoding/pem does not.
type pemParser struct {
	name    string
	pattern *regexp.Regexp
}

var (
	pemCertificates = newPEMParser("CERTIFICATE")
	// pemPrivateKeys also matches "ENCRYPTED PRIVATE KEY", and "RSA PRIVATE
	// KEY" and the like, which then fail as not PKCS#8, as in Kafka.
	pemPrivateKeys = newPEMParser("PRIVATE KEY")
)

func newPEMParser(name string) pemParser {
	// Java's \s and "." (no line terminator) spelled out, as RE2's differ.
	const space = `[ \t\n\x0B\f\r]`
	const dot = `[^\n\r\x{85}\x{2028}\x{2029}]`
	beginOrEnd := func(word string) string {
		return `-+` + word + space + `*` + dot + `*` + strings.ReplaceAll(name, " ", space+`+`) + `[^-]*-+` + space + `+`
	}
	encodingParams := space + `*[^\r\n]*:[^\r\n]*[\r\n]+`
	base64Text := `([a-zA-Z0-9/+= \t\n\x0B\f\r]*)`
	return pemParser{
		name:    name,
		pattern: regexp.MustCompile(beginOrEnd("BEGIN") + `(?:` + encodingParams + `)*` + base64Text + beginOrEnd("END")),
	}
}

// entries returns the DER bytes of every entry of the parser's kind in text.
func (p pemParser) entries(text string) ([][]byte, error) {
	var out [][]byte
	// As Kafka does, allow the last newline to be missing.
	for _, m := range p.pattern.FindAllStringSubmatch(text+"\n", -1) {
		b64 := strings.Map(func(r rune) rune {
			if strings.ContainsRune(" \t\n\x0B\f\r", r) {
				return -1
			}
			return r
		}, m[1])
		// Java's Base64 decoder takes padding but does not require it.
		der, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "="))
		if err != nil {
			return nil, fmt.Errorf("%s entry %d: %w", p.name, len(out)+1, err)
		}
		out = append(out, der)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %s entries in PEM", p.name)
	}
	return out, nil
}
