package zkmode

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
)

func TestCreateOrGetClusterID(t *testing.T) {
	srv := zktest.Start(t)
	ctx := context.Background()

	t.Run("CreateThenAdopt", func(t *testing.T) {
		first := dial(t, srv.Addr()+"/adopt")
		second := dial(t, srv.Addr()+"/adopt")

		id, err := CreateOrGetClusterID(ctx, first, "MkU3OEVBNTcwNTJENDM2Qg")
		if err != nil || id != "MkU3OEVBNTcwNTJENDM2Qg" {
			t.Fatalf("first CreateOrGetClusterID = %q, %v; want the proposed id", id, err)
		}
		written := mustGet(t, first, "/cluster/id")
		var fields map[string]any
		if err := json.Unmarshal([]byte(written), &fields); err != nil {
			t.Fatalf("/cluster/id %q: %v", written, err)
		}
		// The version is the JSON string "1", not a number.
		if want := map[string]any{"version": "1", "id": "MkU3OEVBNTcwNTJENDM2Qg"}; len(fields) != 2 || fields["version"] != want["version"] || fields["id"] != want["id"] {
			t.Fatalf("/cluster/id = %s, want the fields %v", written, want)
		}
		if stat := mustExist(t, first, "/cluster/id", true); stat.EphemeralOwner != 0 {
			t.Fatal("/cluster/id is ephemeral")
		}

		id, err = CreateOrGetClusterID(ctx, second, "QzVCRTQ5NjVFMUI1NDk3Mg")
		if err != nil || id != "MkU3OEVBNTcwNTJENDM2Qg" {
			t.Fatalf("second CreateOrGetClusterID = %q, %v; want the first id", id, err)
		}
		if got := mustGet(t, second, "/cluster/id"); got != written {
			t.Fatalf("/cluster/id changed to %s", got)
		}
	})

	t.Run("UnreadableExistingID", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/corrupt")
		if _, err := c.CreateRecursive(ctx, "/cluster/id", []byte(`{"version":1,"id":"x"}`), zk.FlagPersistent); err != nil {
			t.Fatal(err)
		}
		_, err := CreateOrGetClusterID(ctx, c, "MkU3OEVBNTcwNTJENDM2Qg")
		if err == nil || !strings.Contains(err.Error(), "/cluster/id") {
			t.Fatalf("CreateOrGetClusterID over a numeric version: %v, want an error naming /cluster/id", err)
		}
	})

	t.Run("EmptyProposal", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/empty")
		if _, err := CreateOrGetClusterID(ctx, c, ""); err == nil {
			t.Fatal("an empty proposed id was accepted")
		}
		mustExist(t, c, "/cluster/id", false)
	})
}
