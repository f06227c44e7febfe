package znode

import (
	"reflect"
	"strings"
	"testing"
)

func TestClusterID(t *testing.T) {
	const ref = `{"version":"1","id":"fMCL8kv1SWm87L_Md-I2hg"}`
	if got := string(EncodeClusterID("fMCL8kv1SWm87L_Md-I2hg")); got != ref {
		t.Errorf("EncodeClusterID = %s, want %s", got, ref)
	}
	if got, err := DecodeClusterID([]byte(`{"id":"fMCL8kv1SWm87L_Md-I2hg","version":"1"}`)); err != nil || got != "fMCL8kv1SWm87L_Md-I2hg" {
		t.Errorf("DecodeClusterID = %q, %v", got, err)
	}
	for _, c := range []struct{ data, want string }{
		{`{"version":1,"id":"x"}`, `field "version"`},
		{`{"version":"2","id":"x"}`, `unsupported version "2"`},
		{`{"version":"1"}`, `field "id" is missing`},
		{`{"version":"1","id":""}`, "empty"},
		{`{"version":"1","id":7}`, `field "id"`},
	} {
		_, err := DecodeClusterID([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeClusterID(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
}

func TestFeature(t *testing.T) {
	for _, c := range []struct {
		f   FeatureZNode
		ref string
	}{
		{FeatureZNode{Version: 2, Status: FeatureStatusEnabled, Features: map[string]int16{"metadata.version": 21, "group.version": 1}},
			`{"version":2,"status":1,"features":{"group.version":{"max_version_level":1},"metadata.version":{"max_version_level":21}}}`},
		{FeatureZNode{Version: 2, Status: FeatureStatusEnabled}, `{"version":2,"status":1,"features":{}}`},
		{FeatureZNode{Version: 1, Status: FeatureStatusDisabled, Features: map[string]int16{"f": 3}},
			`{"version":1,"status":0,"features":{"f":{"max_version_level":3,"min_version_level":3}}}`},
	} {
		got, err := EncodeFeature(c.f)
		if err != nil || string(got) != c.ref {
			t.Errorf("EncodeFeature(%+v) = %s, %v; want %s", c.f, got, err, c.ref)
		}
		back, err := DecodeFeature([]byte(c.ref))
		if err != nil || !reflect.DeepEqual(back, c.f) {
			t.Errorf("DecodeFeature(%s) = %+v, %v; want %+v", c.ref, back, err, c.f)
		}
	}
	// v1 with a real minimum below the maximum reads as the maximum.
	if got, err := DecodeFeature([]byte(`{"version":1,"status":1,"features":{"f":{"min_version_level":1,"max_version_level":3}}}`)); err != nil || got.Features["f"] != 3 {
		t.Errorf("DecodeFeature v1 = %+v, %v", got, err)
	}
	if _, err := EncodeFeature(FeatureZNode{Version: 3}); err == nil {
		t.Error("EncodeFeature v3 succeeded")
	}
	for _, c := range []struct{ data, want string }{
		{`{"version":3,"status":1,"features":{}}`, "unsupported version 3"},
		{`{"version":2,"features":{}}`, `field "status" is missing`},
		{`{"version":2,"status":2,"features":{}}`, "unknown status 2"},
		{`{"version":2,"status":1}`, `field "features" is missing`},
		{`{"version":2,"status":1,"features":{"f":{}}}`, `"max_version_level" is missing`},
		{`{"version":2,"status":1,"features":{"f":{"max_version_level":0}}}`, "below 1"},
		{`{"version":1,"status":1,"features":{"f":{"max_version_level":2}}}`, `"min_version_level" is missing`},
		{`{"version":1,"status":1,"features":{"f":{"max_version_level":2,"min_version_level":3}}}`, "not within"},
		{`{"version":2,"status":1,"features":{"f":{"max_version_level":32768}}}`, "16-bit"},
	} {
		_, err := DecodeFeature([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeFeature(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
}
