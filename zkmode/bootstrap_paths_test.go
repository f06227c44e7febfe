package zkmode

import (
	"context"
	"slices"
	"testing"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
)

// kafkaPersistentZkPaths is ZkData.PersistentZkPaths of Kafka 3.9 as Kafka spells it,
// written out rather than taken from PersistentPaths so that a wrong path there fails.
var kafkaPersistentZkPaths = []string{
	"/consumers", "/brokers/ids", "/brokers/topics", "/config/changes", "/admin/delete_topics",
	"/brokers/seqid", "/isr_change_notification", "/latest_producer_id_block", "/log_dir_event_notification",
	"/config/topics", "/config/clients", "/config/users", "/config/brokers", "/config/ips",
}

func TestCreateTopLevelPaths(t *testing.T) {
	srv := zktest.Start(t)
	ctx := context.Background()
	c := dial(t, srv.Addr()+"/kafka")
	root := dial(t, srv.Addr())

	// A znode that exists, with data, as on a tree a Kafka cluster wrote, is left alone.
	if _, err := c.CreateRecursive(ctx, "/brokers/seqid", []byte("kept"), zk.FlagPersistent); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := CreateTopLevelPaths(ctx, c); err != nil {
			t.Fatalf("CreateTopLevelPaths: %v", err)
		}
	}

	for _, p := range kafkaPersistentZkPaths {
		stat := mustExist(t, root, "/kafka"+p, true)
		if stat.EphemeralOwner != 0 {
			t.Errorf("%s is ephemeral", p)
		}
		if p != "/brokers/seqid" && stat.DataLength != 0 {
			t.Errorf("%s has %d bytes of data, want none", p, stat.DataLength)
		}
	}
	if got := mustGet(t, c, "/brokers/seqid"); got != "kept" {
		t.Errorf("/brokers/seqid holds %q after CreateTopLevelPaths, want its old data", got)
	}

	top, err := c.Children(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(top)
	want := []string{"admin", "brokers", "config", "consumers", "isr_change_notification", "latest_producer_id_block", "log_dir_event_notification"}
	if !slices.Equal(top, want) {
		t.Errorf("top-level znodes %q, want %q", top, want)
	}
	configs, err := c.Children(ctx, "/config")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(configs)
	// ConfigType.ALL without client-metrics, which ZooKeeper mode does not support.
	if want := []string{"brokers", "changes", "clients", "ips", "topics", "users"}; !slices.Equal(configs, want) {
		t.Errorf("children of /config %q, want %q", configs, want)
	}
}
