package config

import (
	"fmt"
	"strconv"
	"strings"
)

// version is a Kafka release with its internal version (3.7-IV2); a bare
// release (3.7) means its latest internal version.
type version struct{ major, minor, iv int }

const latestIV = 1 << 30

func parseVersion(s string) (version, error) {
	var v version
	release, iv, hasIV := strings.Cut(s, "-IV")
	parts := strings.Split(release, ".")
	if !versionPattern.MatchString(s) || len(parts) < 2 {
		return v, fmt.Errorf("%q is not a Kafka version such as 3.9 or 3.7-IV2", s)
	}
	// The pattern guarantees digits, so the conversions cannot fail.
	v.major, _ = strconv.Atoi(parts[0])
	v.minor, _ = strconv.Atoi(parts[1])
	v.iv = latestIV
	if hasIV {
		v.iv, _ = strconv.Atoi(iv)
	}
	return v, nil
}

func (v version) less(w version) bool {
	if v.major != w.major {
		return v.major < w.major
	}
	if v.minor != w.minor {
		return v.minor < w.minor
	}
	return v.iv < w.iv
}
