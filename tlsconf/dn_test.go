package tlsconf

import (
	"encoding/asn1"
	"encoding/hex"
	"strings"
	"testing"
)

var (
	oidCN     = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidC      = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidL      = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidST     = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidStreet = asn1.ObjectIdentifier{2, 5, 4, 9}
	oidO      = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU     = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidSerial = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidDC     = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
	oidUID    = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	oidEmail  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidOther  = asn1.ObjectIdentifier{1, 2, 3, 4}
)

func av(oid asn1.ObjectIdentifier, tag int, value string) attributeTypeAndValue {
	return attributeTypeAndValue{Type: oid, Value: asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: []byte(value)}}
}

func utf8av(oid asn1.ObjectIdentifier, value string) attributeTypeAndValue {
	return av(oid, asn1.TagUTF8String, value)
}

func bmp(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return string(b)
}

// nameCases are DER names, first RDN first, and their RFC 2253 form as
// Java's X500Principal.getName() prints it (TestSubjectNamesAsJavaPrintsThem
// checks these against a JVM).
var nameCases = []struct {
	name string
	rdns []relativeNameSET
	want string
}{
	{"openssl's -subj /O=example/OU=eng/CN=alice",
		[]relativeNameSET{{utf8av(oidO, "example")}, {utf8av(oidOU, "eng")}, {utf8av(oidCN, "alice")}},
		"CN=alice,OU=eng,O=example"},
	{"every RFC 2253 keyword",
		[]relativeNameSET{{av(oidC, asn1.TagPrintableString, "US")}, {utf8av(oidST, "CA")}, {utf8av(oidL, "Palo Alto")},
			{utf8av(oidStreet, "1 Main St")}, {av(oidDC, asn1.TagIA5String, "com")}, {av(oidDC, asn1.TagIA5String, "example")},
			{utf8av(oidUID, "u1")}, {utf8av(oidO, "Ex")}, {utf8av(oidOU, "eng")}, {utf8av(oidCN, "alice")}},
		"CN=alice,OU=eng,O=Ex,UID=u1,DC=example,DC=com,STREET=1 Main St,L=Palo Alto,ST=CA,C=US"},
	{"other attributes by OID with their DER in hex",
		[]relativeNameSET{{av(oidEmail, asn1.TagIA5String, "a@example.com")}, {av(oidSerial, asn1.TagPrintableString, "42")},
			{utf8av(oidOther, "x")}, {utf8av(oidCN, "alice")}},
		"CN=alice,1.2.3.4=#0c0178,2.5.4.5=#13023432,1.2.840.113549.1.9.1=#160d61406578616d706c652e636f6d"},
	{"Java's escapes",
		[]relativeNameSET{{utf8av(oidO, `a,b=c+d<e>f#g;h"i\j`)}, {utf8av(oidOU, " lead and trail  ")}, {utf8av(oidCN, "#x\x00y\r")}},
		`CN=\#x\00y\` + "\r" + `,OU=\ lead and trail\ \ ,O=a\,b\=c\+d\<e\>f\#g\;h\"i\\j`},
	{"multi-valued RDNs, in DER's order",
		[]relativeNameSET{{utf8av(oidO, "example")}, {utf8av(oidOU, "b"), utf8av(oidOU, "a")}, {utf8av(oidUID, "y"), utf8av(oidCN, "x")}},
		"CN=x+UID=y,OU=a+OU=b,O=example"},
	{"string types Java prints as text",
		[]relativeNameSET{{av(oidC, asn1.TagPrintableString, "SE")}, {av(oidL, asn1.TagGeneralString, "gen")},
			{av(oidOU, asn1.TagIA5String, "ia5")}, {utf8av(oidCN, "Åsa 漢字")}},
		"CN=Åsa 漢字,OU=ia5,L=gen,C=SE"},
	{"BMPString and T61String decoded as UTF-8, as JDK 17 does",
		[]relativeNameSET{{av(oidO, asn1.TagBMPString, bmp("Zoë"))}, {av(oidOU, asn1.TagT61String, "caf\xe9")}},
		"OU=caf\uFFFD,O=\\00Z\\00o\\00\uFFFD"},
	{"string types Java prints as hex",
		[]relativeNameSET{{av(oidO, asn1.TagNumericString, "123")}, {av(oidOU, 26, "vis")}, {av(oidCN, 28, "\x00\x00\x00a")}},
		"CN=#1c0400000061,OU=#1a03766973,O=#1203313233"},
	{"the empty name", nil, ""},
}

func nameDER(t *testing.T, rdns []relativeNameSET) []byte {
	t.Helper()
	if rdns == nil {
		rdns = []relativeNameSET{}
	}
	der, err := asn1.Marshal(rdns)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestSubjectNames(t *testing.T) {
	for _, c := range nameCases {
		got, err := rfc2253Name(nameDER(t, c.rdns))
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v\nwant %q", c.name, got, err, c.want)
		}
	}
	if _, err := rfc2253Name([]byte{0x30, 0x03, 0x31}); err == nil {
		t.Error("a truncated name gave no error")
	}
}

// TestSubjectNamesAsJavaPrintsThem runs nameCases through a JVM's
// X500Principal.getName() (testdata/X500Names.java, run by the java
// launcher from source) and compares with the expected strings.
func TestSubjectNamesAsJavaPrintsThem(t *testing.T) {
	args := []string{"testdata/X500Names.java"}
	for _, c := range nameCases {
		args = append(args, hex.EncodeToString(nameDER(t, c.rdns)))
	}
	lines := strings.Split(strings.TrimSuffix(run(t, ".", "java", args...), "\n"), "\n")
	if len(lines) != len(nameCases) {
		t.Fatalf("java printed %d names for %d: %q", len(lines), len(nameCases), lines)
	}
	for i, c := range nameCases {
		java, err := hex.DecodeString(strings.TrimSpace(lines[i]))
		if err != nil {
			t.Fatalf("java's line %q: %v", lines[i], err)
		}
		if string(java) != c.want {
			t.Errorf("%s: Java prints %q, the test expects %q", c.name, java, c.want)
		}
	}
}
