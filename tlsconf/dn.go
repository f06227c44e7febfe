package tlsconf

import (
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"strings"
)

// attributeTypeAndValue keeps the value's DER: Java prints values of some
// string types as text and all others as the hex of their DER.
type attributeTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// relativeNameSET is an RDN; encoding/asn1 reads a slice type named ...SET
// as a SET OF, keeping the encoded order, as Java's RDN does.
type relativeNameSET []attributeTypeAndValue

// rfc2253Keywords are the attribute keywords Java's AVAKeyword marks as
// RFC 2253 compliant; X500Principal.getName() prints other attributes
// (emailAddress, serialNumber, ...) by OID.
var rfc2253Keywords = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.9":                    "STREET",
	"0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.1":  "UID",
}

// rfc2253Name renders a DER Name (a certificate's RawSubject) as Java's
// X500Principal.getName() does, which is the distinguished name Kafka maps
// to a principal: RDNs last first, joined by ",", the AVAs of a multi-valued
// RDN in encoded order joined by "+". Go's pkix.Name.String differs in
// keywords, escaping and multi-valued RDNs.
func rfc2253Name(der []byte) (string, error) {
	var rdns []relativeNameSET
	rest, err := asn1.Unmarshal(der, &rdns)
	if err != nil {
		return "", err
	}
	if len(rest) > 0 {
		return "", errors.New("trailing data after the name")
	}
	var b strings.Builder
	for i := len(rdns) - 1; i >= 0; i-- {
		if i < len(rdns)-1 {
			b.WriteByte(',')
		}
		for j, ava := range rdns[i] {
			if j > 0 {
				b.WriteByte('+')
			}
			writeAVA(&b, ava)
		}
	}
	return b.String(), nil
}

// writeAVA writes one attribute as Java's AVA.toRFC2253String does.
func writeAVA(b *strings.Builder, ava attributeTypeAndValue) {
	keyword, known := rfc2253Keywords[ava.Type.String()]
	if !known {
		keyword = ava.Type.String()
	}
	b.WriteString(keyword)
	b.WriteByte('=')
	text, isText := directoryString(ava.Value)
	if !known || !isText {
		b.WriteByte('#')
		b.WriteString(hex.EncodeToString(ava.Value.FullBytes))
		return
	}
	b.WriteString(escapeRFC2253(text))
}

// directoryString returns the text of the string types Java's AVA prints as
// text (isDerString). The JDKs Kafka 3.9 supports (8, 11, 17) decode every
// one of them as UTF-8, BMPString and T61String too; later JDKs decode those
// by their own charsets, which prints differently values outside ASCII
// (BMPString even inside). Invalid UTF-8 becomes U+FFFD when written.
func directoryString(v asn1.RawValue) (string, bool) {
	if v.Class != asn1.ClassUniversal || v.IsCompound {
		return "", false
	}
	switch v.Tag {
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagT61String, asn1.TagIA5String, asn1.TagGeneralString, asn1.TagBMPString:
		return string(v.Bytes), true
	}
	return "", false
}

// escapeRFC2253 escapes a value as Java does: a backslash before each of
// ,=+<>#;"\ (Java adds "=" and "#" anywhere to RFC 2253's list), \00 for NUL,
// and a backslash before each leading or trailing space or carriage return.
// Other characters, non-ASCII ones too, are written as they are.
func escapeRFC2253(text string) string {
	var out []rune
	for _, c := range text {
		switch {
		case strings.ContainsRune(",=+<>#;\"\\", c):
			out = append(out, '\\', c)
		case c == 0:
			out = append(out, '\\', '0', '0')
		default:
			out = append(out, c)
		}
	}
	blank := func(c rune) bool { return c == ' ' || c == '\r' }
	lead := 0
	for lead < len(out) && blank(out[lead]) {
		lead++
	}
	trail := len(out) - 1
	for trail >= 0 && blank(out[trail]) {
		trail--
	}
	var b strings.Builder
	for i, c := range out {
		if i < lead || i > trail {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
