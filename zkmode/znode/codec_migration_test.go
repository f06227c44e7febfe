package znode

import (
	"strings"
	"testing"
)

func TestMigration(t *testing.T) {
	const ref = `{"version":0,"kraft_controller_id":3000,"kraft_controller_epoch":5,"kraft_metadata_offset":1234,"kraft_metadata_epoch":5}`
	m := MigrationZNode{KRaftControllerID: 3000, KRaftControllerEpoch: 5, KRaftMetadataOffset: 1234, KRaftMetadataEpoch: 5}
	if got := string(EncodeMigration(m)); got != ref {
		t.Errorf("EncodeMigration = %s, want %s", got, ref)
	}
	if got, err := DecodeMigration([]byte(ref)); err != nil || got != m {
		t.Errorf("DecodeMigration = %+v, %v", got, err)
	}
	const empty = `{"version":0,"kraft_controller_id":-1,"kraft_controller_epoch":-1,"kraft_metadata_offset":-1,"kraft_metadata_epoch":-1}`
	if got := string(EncodeMigration(EmptyMigration)); got != empty {
		t.Errorf("EncodeMigration(EmptyMigration) = %s", got)
	}
	if EmptyMigration.InitialMigrationComplete() || !m.InitialMigrationComplete() {
		t.Error("InitialMigrationComplete is wrong")
	}
	big := MigrationZNode{KRaftMetadataOffset: 1 << 40}
	if got, err := DecodeMigration(EncodeMigration(big)); err != nil || got != big {
		t.Errorf("a 64-bit offset round-trips as %+v, %v", got, err)
	}
	for _, c := range []struct{ data, want string }{
		{`{"version":1,"kraft_controller_id":1,"kraft_controller_epoch":1,"kraft_metadata_offset":1,"kraft_metadata_epoch":1}`, "unsupported version 1"},
		{`{"version":0,"kraft_controller_epoch":1,"kraft_metadata_offset":1,"kraft_metadata_epoch":1}`, `"kraft_controller_id" is missing`},
		{`{"version":0,"kraft_controller_id":1,"kraft_controller_epoch":1,"kraft_metadata_offset":"1","kraft_metadata_epoch":1}`, `"kraft_metadata_offset"`},
		{`{"version":0,"kraft_controller_id":1,"kraft_controller_epoch":4294967296,"kraft_metadata_offset":1,"kraft_metadata_epoch":1}`, "32 bits"},
	} {
		_, err := DecodeMigration([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeMigration(%s) error = %v, want it to mention %q", c.data, err, c.want)
		}
	}
}
