package tlsconf

import (
	"crypto/tls"
	"slices"
	"strings"
)

// versionRange is what ssl.enabled.protocols, ssl.protocol and
// ssl.cipher.suites leave of TLS: the versions Go may negotiate and the
// cipher suites for the versions below 1.3 (nil: Go's defaults).
type versionRange struct {
	min, max uint16
	suites   []uint16
}

// negotiable works out the versions and suites a server (client false) or a
// client may negotiate, following how Java's SSLEngine combines its enabled
// protocols with its enabled cipher suites.
func negotiable(s Settings, client bool) (versionRange, error) {
	r, err := enabledProtocols(s)
	if err != nil {
		return versionRange{}, err
	}
	contextMax, err := sslContextMax(s, client)
	if err != nil {
		return versionRange{}, err
	}
	suites, err := cipherSuites(s)
	if err != nil {
		return versionRange{}, err
	}
	if !suites.listed {
		// The engine keeps its SSLContext's default suites, and a client
		// context for TLSv1.2 has no TLS 1.3 suites among them.
		r.max = min(r.max, contextMax)
		if r.min > r.max {
			return versionRange{}, s.errorf(keyProtocol, "a client's %q SSLContext offers TLSv1.2 at most, but %s enables only TLSv1.3",
				s.valueOr(keyProtocol, defaultProtocol), s.name(keyEnabledProtocols))
		}
		return r, nil
	}
	// Java negotiates a version only with one of its suites enabled.
	if !suites.tls13 {
		r.max = min(r.max, tls.VersionTLS12)
	}
	if len(suites.below13) == 0 {
		r.min = max(r.min, tls.VersionTLS13)
	}
	if r.min > r.max {
		return versionRange{}, s.errorf(keyCipherSuites, "lists no suite for the protocols %s enables (%s)",
			s.name(keyEnabledProtocols), strings.Join(s.list(keyEnabledProtocols, defaultEnabledProtocols), ","))
	}
	if r.min < tls.VersionTLS13 {
		r.suites = suites.below13
	}
	return r, nil
}

// disabledProtocols are the Java protocol names current JVMs disable through
// jdk.tls.disabledAlgorithms: listing them enables nothing, as in Kafka on
// such a JVM.
var disabledProtocols = []string{"TLSv1.1", "TLSv1", "SSLv3", "SSLv2Hello"}

// enabledProtocols reads ssl.enabled.protocols; Java's names are
// case-sensitive.
func enabledProtocols(s Settings) (versionRange, error) {
	var r versionRange
	for _, p := range s.list(keyEnabledProtocols, defaultEnabledProtocols) {
		var v uint16
		switch {
		case p == "TLSv1.3":
			v = tls.VersionTLS13
		case p == "TLSv1.2":
			v = tls.VersionTLS12
		case slices.Contains(disabledProtocols, p):
			continue
		default:
			return versionRange{}, s.errorf(keyEnabledProtocols, "unknown protocol %q (Kafka's are TLSv1.2 and TLSv1.3)", p)
		}
		if r.min == 0 || v < r.min {
			r.min = v
		}
		r.max = max(r.max, v)
	}
	if r.min == 0 {
		// An empty list leaves the JVM's defaults, TLSv1.2 and TLSv1.3.
		if s.valueOr(keyEnabledProtocols, defaultEnabledProtocols) == "" {
			return versionRange{min: tls.VersionTLS12, max: tls.VersionTLS13}, nil
		}
		return versionRange{}, s.errorf(keyEnabledProtocols, "enables no protocol a current JVM allows (TLSv1.2, TLSv1.3)")
	}
	return r, nil
}

// sslContextMax reads ssl.protocol, the name of the JVM SSLContext Kafka
// creates (case-insensitive, as JCA algorithm names are), and returns the
// highest version a client of that context offers by default. A server's
// context accepts every version, so on a server the key is only checked.
func sslContextMax(s Settings, client bool) (uint16, error) {
	p := s.valueOr(keyProtocol, defaultProtocol)
	switch strings.ToUpper(p) {
	case "TLSV1.3", "TLS", "SSL":
		return tls.VersionTLS13, nil
	case "TLSV1.2":
		if client {
			return tls.VersionTLS12, nil
		}
		return tls.VersionTLS13, nil
	case "TLSV1.1", "TLSV1", "SSLV3":
		if client {
			return 0, s.errorf(keyProtocol, "%q is an obsolete SSLContext whose clients offer protocols current JVMs disable; use TLSv1.3 or TLSv1.2", p)
		}
		return tls.VersionTLS13, nil
	default:
		return 0, s.errorf(keyProtocol, "unknown SSLContext protocol %q (use TLSv1.3 or TLSv1.2)", p)
	}
}

// suiteList is ssl.cipher.suites split by the versions the suites serve.
type suiteList struct {
	listed  bool     // the key lists suites at all; else Java's defaults apply
	below13 []uint16 // suites for TLS 1.2 and below
	tls13   bool     // all of Go's TLS 1.3 suites are listed
}

// cipherSuites reads ssl.cipher.suites. Java names suites by their IANA names,
// as Go does, so a name Go does not know is a suite Go does not implement.
// Suites current JVMs disable are skipped, as a JVM never negotiates them.
func cipherSuites(s Settings) (suiteList, error) {
	names := s.list(keyCipherSuites, "")
	if len(names) == 0 {
		return suiteList{}, nil
	}
	known := map[string]*tls.CipherSuite{}
	var all13 []string
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		known[cs.Name] = cs
		if only13(cs) {
			all13 = append(all13, cs.Name)
		}
	}
	l := suiteList{listed: true}
	var listed13 []string
	for _, n := range names {
		cs, ok := known[n]
		switch {
		case !ok:
			return suiteList{}, s.errorf(keyCipherSuites, "unknown cipher suite %q (not one Go's crypto/tls implements)", n)
		case disabledByJVMs(n):
			continue
		case only13(cs):
			if !slices.Contains(listed13, n) {
				listed13 = append(listed13, n)
			}
		default:
			l.below13 = append(l.below13, cs.ID)
		}
	}
	if len(listed13) > 0 && len(listed13) < len(all13) {
		return suiteList{}, s.errorf(keyCipherSuites, "lists %s but Go always enables every TLS 1.3 suite; list all of %s or none (none disables TLS 1.3, as in Java)",
			strings.Join(listed13, ","), strings.Join(all13, ","))
	}
	l.tls13 = len(listed13) > 0
	return l, nil
}

func only13(cs *tls.CipherSuite) bool {
	return len(cs.SupportedVersions) == 1 && cs.SupportedVersions[0] == tls.VersionTLS13
}

// disabledByJVMs reports the suites Go implements that current JVMs disable
// through jdk.tls.disabledAlgorithms (RC4, 3DES_EDE_CBC).
func disabledByJVMs(name string) bool {
	return strings.Contains(name, "_RC4_") || strings.Contains(name, "_3DES_EDE_CBC_")
}
