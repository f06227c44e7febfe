package znode

import (
	"fmt"
	"net/url"
)

// SanitizeEntityName is Kafka's Sanitizer.sanitize, which ZooKeeper mode applies to
// user principals and client ids before using them as config znode names (a principal
// such as "CN=alice,O=example" holds characters a znode name or JMX name cannot):
// java.net.URLEncoder's form, except that space is %20 and '*' is %2A.
func SanitizeEntityName(name string) string {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			out = append(out, c)
			continue
		}
		out = append(out, '%', hex[c>>4], hex[c&0xf])
	}
	return string(out)
}

// DesanitizeEntityName is Sanitizer.desanitize (java.net.URLDecoder): %XX escapes are
// decoded and '+' is a space. KRaft's records hold the plain names.
func DesanitizeEntityName(name string) (string, error) {
	s, err := url.QueryUnescape(name)
	if err != nil {
		return "", fmt.Errorf("desanitize entity name %q: %w", name, err)
	}
	return s, nil
}
