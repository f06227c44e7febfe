package znode

import "testing"

func TestMetadataVersionForIBP(t *testing.T) {
	for _, tc := range []struct {
		ibp  string
		want int16
	}{
		{"3.9-IV0", 21}, {"3.9", 21}, {"3.7", 19}, {"3.7-IV2", 17}, {"3.4-IV0", 8},
		{"3.3", 7}, {"3.0-IV1", 1}, {"3.0-IV0", 1}, {"2.8-IV1", 1}, {"0.10.2", 1},
	} {
		got, err := MetadataVersionForIBP(tc.ibp)
		if err != nil || got != tc.want {
			t.Errorf("MetadataVersionForIBP(%q) = %d, %v; want %d", tc.ibp, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "3", "x.y", "3.9-IV7"} {
		if _, err := MetadataVersionForIBP(bad); err == nil {
			t.Errorf("MetadataVersionForIBP(%q) accepted", bad)
		}
	}
}
