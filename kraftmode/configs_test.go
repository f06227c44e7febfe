package kraftmode

import (
	"errors"
	"maps"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

func TestAlteredConfigs(t *testing.T) {
	current := map[string]string{"cleanup.policy": "compact", "retention.ms": "10"}
	for _, tc := range []struct {
		name        string
		changes     []metadata.ConfigChange
		incremental bool
		want        map[string]string
		err         *kerr.Error
	}{
		{"set", []metadata.ConfigChange{{Name: "retention.ms", Op: metadata.ConfigOpSet, Value: strp("20")}}, true,
			map[string]string{"cleanup.policy": "compact", "retention.ms": "20"}, nil},
		{"delete", []metadata.ConfigChange{{Name: "retention.ms", Op: metadata.ConfigOpDelete}}, true,
			map[string]string{"cleanup.policy": "compact"}, nil},
		{"append", []metadata.ConfigChange{{Name: "cleanup.policy", Op: metadata.ConfigOpAppend, Value: strp("delete,compact")}}, true,
			map[string]string{"cleanup.policy": "compact,delete", "retention.ms": "10"}, nil},
		{"subtract", []metadata.ConfigChange{{Name: "cleanup.policy", Op: metadata.ConfigOpSubtract, Value: strp("compact")}}, true,
			map[string]string{"cleanup.policy": "", "retention.ms": "10"}, nil},
		{"replace", []metadata.ConfigChange{{Name: "segment.ms", Value: strp("1")}}, false,
			map[string]string{"segment.ms": "1"}, nil},
		{"duplicate", []metadata.ConfigChange{{Name: "a", Value: strp("1")}, {Name: "a", Value: strp("2")}}, true, nil, kerr.InvalidRequest},
		{"set null", []metadata.ConfigChange{{Name: "a", Op: metadata.ConfigOpSet}}, true, nil, kerr.InvalidRequest},
	} {
		got, err := alteredConfigs(current, tc.changes, tc.incremental)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.err.Message)
			}
			continue
		}
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("%s: got %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if current["retention.ms"] != "10" || len(current) != 2 {
		t.Errorf("alteredConfigs changed its input: %v", current)
	}
}
