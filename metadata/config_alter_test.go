package metadata

import (
	"errors"
	"maps"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

func TestAlteredConfigs(t *testing.T) {
	current := map[string]string{"cleanup.policy": "compact", "retention.ms": "10"}
	for _, tc := range []struct {
		name        string
		changes     []ConfigChange
		incremental bool
		want        map[string]string
		err         *kerr.Error
	}{
		{"set", []ConfigChange{{Name: "retention.ms", Op: ConfigOpSet, Value: strp("20")}}, true,
			map[string]string{"cleanup.policy": "compact", "retention.ms": "20"}, nil},
		{"delete", []ConfigChange{{Name: "retention.ms", Op: ConfigOpDelete}}, true,
			map[string]string{"cleanup.policy": "compact"}, nil},
		{"append", []ConfigChange{{Name: "cleanup.policy", Op: ConfigOpAppend, Value: strp("delete,compact")}}, true,
			map[string]string{"cleanup.policy": "compact,delete", "retention.ms": "10"}, nil},
		{"subtract", []ConfigChange{{Name: "cleanup.policy", Op: ConfigOpSubtract, Value: strp("compact")}}, true,
			map[string]string{"cleanup.policy": "", "retention.ms": "10"}, nil},
		{"replace", []ConfigChange{{Name: "segment.ms", Value: strp("1")}}, false,
			map[string]string{"segment.ms": "1"}, nil},
		{"duplicate", []ConfigChange{{Name: "a", Value: strp("1")}, {Name: "a", Value: strp("2")}}, true, nil, kerr.InvalidRequest},
		{"set null", []ConfigChange{{Name: "a", Op: ConfigOpSet}}, true, nil, kerr.InvalidRequest},
	} {
		got, err := AlteredConfigs(current, tc.changes, tc.incremental)
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
		t.Errorf("AlteredConfigs changed its input: %v", current)
	}
}
