package znode

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kbridge/kbridge/metadata"
)

// ibpLevels are the metadata.version feature levels of Kafka's MetadataVersion enum,
// by release and internal version; index 0 of each list is IV0.
var ibpLevels = map[string][]int16{
	"3.0": {-1, 1},
	"3.1": {2},
	"3.2": {3},
	"3.3": {4, 5, 6, 7},
	"3.4": {8},
	"3.5": {9, 10, 11},
	"3.6": {12, 13, 14},
	"3.7": {15, 16, 17, 18, 19},
	"3.8": {20},
	"3.9": {21},
}

// MetadataVersionForIBP is the metadata.version a ZooKeeper-mode broker's image
// carries: ZooKeeper stores none, a ZooKeeper cluster's version is its
// inter.broker.protocol.version. "3.7" is the release's last internal version, as in
// Kafka. A release before 3.0-IV1, which has no feature level, gets 3.0-IV1's, the
// oldest the image's records describe; a release newer than this build knows gets
// the latest.
func MetadataVersionForIBP(ibp string) (int16, error) {
	release, iv, hasIV := strings.Cut(strings.TrimSpace(ibp), "-IV")
	parts := strings.Split(release, ".")
	if len(parts) < 2 {
		return 0, fmt.Errorf("inter.broker.protocol.version %q is not a Kafka version such as 3.9 or 3.7-IV2", ibp)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("inter.broker.protocol.version %q is not a Kafka version such as 3.9 or 3.7-IV2", ibp)
	}
	if major < 3 {
		return 1, nil
	}
	levels, ok := ibpLevels[fmt.Sprintf("%d.%d", major, minor)]
	if !ok {
		return metadata.MetadataVersionLatest, nil
	}
	level := levels[len(levels)-1]
	if hasIV {
		n, err := strconv.Atoi(iv)
		if err != nil || n < 0 || n >= len(levels) {
			return 0, fmt.Errorf("inter.broker.protocol.version %q: release %d.%d has no IV%s", ibp, major, minor, iv)
		}
		level = levels[n]
	}
	return max(level, 1), nil
}
