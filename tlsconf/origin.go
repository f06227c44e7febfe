package tlsconf

import (
	"bytes"
	"path/filepath"
	"strings"
)

// origin is where a store's text came from: a key's inline value (file
// empty), or the file at a location key. Errors about the text name both.
type origin struct {
	key, file string
}

// originErrorf returns an error about the text that came from o.
func (s Settings) originErrorf(o origin, format string, args ...any) error {
	if o.file != "" {
		format = "%s: " + format
		args = append([]any{o.file}, args...)
	}
	return s.errorf(o.key, format, args...)
}

// describe names o in a message about another key: the file, or the key.
func (s Settings) describe(o origin) string {
	if o.file != "" {
		return o.file
	}
	return s.name(o.key)
}

// storeFormat tells what a store file holds by its first bytes, so that the
// declared JKS or PKCS12 type does not matter (Java's keystore.type.compat)
// and a file of another kind gets an error saying what it is.
func storeFormat(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xfe, 0xed, 0xfe, 0xed}):
		return "JKS"
	case bytes.HasPrefix(data, []byte{0xce, 0xce, 0xce, 0xce}):
		return "JCEKS"
	case len(data) > 0 && data[0] == 0x30:
		return "PKCS12"
	case bytes.Contains(data, []byte("-----BEGIN ")):
		return pemType
	}
	return ""
}

// isFileStoreType reports whether typ names a type a JVM reads from a binary
// store file; JCA type names are case-insensitive.
func isFileStoreType(typ string) bool {
	return strings.EqualFold(typ, "JKS") || strings.EqualFold(typ, "PKCS12")
}

// notAStore explains why a file of the given storeFormat is not read as a
// JKS or PKCS12 store; typeKey is the key that declares the store's type.
func (s Settings) notAStore(format, path, typeKey string) string {
	switch format {
	case pemType:
		return "the file holds PEM text; set " + s.name(typeKey) + "=PEM to read it"
	case "JCEKS":
		return "the file is a JCEKS keystore, which kbridge does not read; " + convertHint(path)
	}
	return "the file is neither a JKS nor a PKCS12 store"
}

// convertHint tells how to turn a Java store kbridge cannot read into PKCS12.
func convertHint(path string) string {
	dest := strings.TrimSuffix(path, filepath.Ext(path)) + ".p12"
	return "convert it with: keytool -importkeystore -srckeystore " + path + " -destkeystore " + dest + " -deststoretype PKCS12"
}
