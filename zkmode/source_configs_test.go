package zkmode

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// configChanges returns the data of every /config/changes notification, in sequence order.
func configChanges(t *testing.T, c *Conn) []string {
	t.Helper()
	kids, err := c.Children(context.Background(), znode.ConfigChangesPath)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(kids)
	out := make([]string, len(kids))
	for i, k := range kids {
		if !strings.HasPrefix(k, znode.ConfigChangePrefix) || len(k) != len(znode.ConfigChangePrefix)+10 {
			t.Fatalf("notification %s is not %s followed by a 10-digit sequence number", k, znode.ConfigChangePrefix)
		}
		stat := mustExist(t, c, znode.ConfigChangesPath+"/"+k, true)
		if stat.EphemeralOwner != 0 {
			t.Fatalf("notification %s is ephemeral", k)
		}
		out[i] = mustGet(t, c, znode.ConfigChangesPath+"/"+k)
	}
	return out
}

// checkConfigZNode compares a config entity znode with Kafka's {"version":1,"config":{...}}.
func checkConfigZNode(t *testing.T, c *Conn, path string, want map[string]any) {
	t.Helper()
	got := jsonFields(t, mustGet(t, c, path))
	if len(got) != 2 || got["version"] != float64(1) {
		t.Fatalf("%s = %v, want version 1 and config only", path, got)
	}
	cfg, ok := got["config"].(map[string]any)
	if !ok || !maps.Equal(cfg, want) {
		t.Fatalf("%s config = %v, want %v", path, got["config"], want)
	}
}

// checkConfigChange compares a notification with Kafka's v2 {"version":2,"entity_path":...}.
func checkConfigChange(t *testing.T, data, entityPath string) {
	t.Helper()
	got := jsonFields(t, data)
	if len(got) != 2 || got["version"] != float64(2) || got["entity_path"] != entityPath {
		t.Fatalf("notification %s, want version 2 and entity_path %s", data, entityPath)
	}
}

// TestSourceAlterConfigs: config changes are written as Kafka's AdminZkClient writes
// them (the whole set in /config/<type>/<name>, announced by a sequential v2
// notification), read fresh from ZooKeeper, shown by the image when AlterConfigs
// returns, and refused with Kafka's codes; validateOnly and changes that change nothing
// write nothing.
func TestSourceAlterConfigs(t *testing.T) {
	srv := zktest.Start(t)
	conn := dial(t, srv.Addr()+"/kafka")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := StartSource(ctx, conn, SourceOptions{
		BrokerID: 1, ProposedClusterID: "fMCL8kv1SWm87L_Md-I2hg", MetadataVersion: 21,
		ValidateTopicConfig: func(name, _ string) error {
			if name == "bogus.key" {
				return errors.New("Unknown topic config name: bogus.key")
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	writer := dial(t, srv.Addr()+"/kafka")
	for _, name := range []string{"orders", "gone"} {
		createTopicZNodes(t, writer, name, metadata.RandomUuid(), map[int32][]int32{0: {1}}, nil)
	}
	waitImage(t, s, "two topics", func(img *metadata.Image) bool { return len(img.Topics) == 2 })
	str := func(s string) *string { return &s }
	orders := metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: "orders"}
	ordersPath := znode.ConfigEntityPath(znode.ConfigTypeTopic, "orders")

	// A topic without a config znode has an empty set: the znode is created.
	if err := s.AlterConfigs(ctx, orders, []metadata.ConfigChange{{Name: "retention.ms", Op: metadata.ConfigOpSet, Value: str("1000")}}, true, false); err != nil {
		t.Fatal(err)
	}
	checkConfigZNode(t, writer, ordersPath, map[string]any{"retention.ms": "1000"})
	changes := configChanges(t, writer)
	if len(changes) != 1 {
		t.Fatalf("%d notifications, want 1", len(changes))
	}
	checkConfigChange(t, changes[0], "topics/orders")
	if got := s.Image().Configs[orders]; got["retention.ms"] != "1000" {
		t.Fatalf("image configs of orders when AlterConfigs returned: %v", got)
	}

	// The znode is read fresh, not from the image: a key another writer just set stays.
	if _, err := writer.Set(ctx, ordersPath, znode.EncodeConfig(map[string]string{"retention.ms": "1000", "segment.ms": "60000"}), -1); err != nil {
		t.Fatal(err)
	}
	if err := s.AlterConfigs(ctx, orders, []metadata.ConfigChange{
		{Name: "cleanup.policy", Op: metadata.ConfigOpAppend, Value: str("compact,delete")},
		{Name: "retention.ms", Op: metadata.ConfigOpDelete},
	}, true, false); err != nil {
		t.Fatal(err)
	}
	checkConfigZNode(t, writer, ordersPath, map[string]any{"cleanup.policy": "compact,delete", "segment.ms": "60000"})
	if changes = configChanges(t, writer); len(changes) != 2 {
		t.Fatalf("%d notifications, want 2", len(changes))
	}
	checkConfigChange(t, changes[1], "topics/orders")

	// The legacy AlterConfigs replaces the whole set.
	if err := s.AlterConfigs(ctx, orders, []metadata.ConfigChange{{Name: "max.message.bytes", Value: str("2048")}}, false, false); err != nil {
		t.Fatal(err)
	}
	checkConfigZNode(t, writer, ordersPath, map[string]any{"max.message.bytes": "2048"})
	if got := s.Image().Configs[orders]; len(got) != 1 || got["max.message.bytes"] != "2048" {
		t.Fatalf("image configs of orders after a replacing alter: %v", got)
	}
	_, before, err := writer.Get(ctx, ordersPath)
	if err != nil {
		t.Fatal(err)
	}

	// Nothing is written for validateOnly, for a change that changes nothing, or for a
	// refused change.
	quiet := []struct {
		name        string
		changes     []metadata.ConfigChange
		incremental bool
		validate    bool
		code        *kerr.Error
	}{
		{"validateOnly", []metadata.ConfigChange{{Name: "retention.ms", Op: metadata.ConfigOpSet, Value: str("5")}}, true, true, nil},
		{"same value", []metadata.ConfigChange{{Name: "max.message.bytes", Op: metadata.ConfigOpSet, Value: str("2048")}}, true, false, nil},
		{"unknown key", []metadata.ConfigChange{{Name: "bogus.key", Op: metadata.ConfigOpSet, Value: str("1")}}, true, false, kerr.InvalidConfig},
		{"unknown key, validateOnly", []metadata.ConfigChange{{Name: "bogus.key", Value: str("1")}}, false, true, kerr.InvalidConfig},
		{"duplicate key", []metadata.ConfigChange{{Name: "a", Op: metadata.ConfigOpSet, Value: str("1")}, {Name: "a", Op: metadata.ConfigOpDelete}}, true, false, kerr.InvalidRequest},
	}
	for _, tc := range quiet {
		err := s.AlterConfigs(ctx, orders, tc.changes, tc.incremental, tc.validate)
		if (tc.code == nil && err != nil) || (tc.code != nil && !errors.Is(err, tc.code)) {
			t.Fatalf("%s: err %v, want %v", tc.name, err, tc.code)
		}
		if _, stat, err := writer.Get(ctx, ordersPath); err != nil || stat.Version != before.Version {
			t.Fatalf("%s: %s written (version %d, was %d; %v)", tc.name, ordersPath, stat.Version, before.Version, err)
		}
		if n := len(configChanges(t, writer)); n != 3 {
			t.Fatalf("%s: %d notifications, want 3", tc.name, n)
		}
	}
	unknown := metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: "nope"}
	if err := s.AlterConfigs(ctx, unknown, []metadata.ConfigChange{{Name: "retention.ms", Op: metadata.ConfigOpSet, Value: str("1")}}, true, false); !errors.Is(err, kerr.UnknownTopicOrPartition) {
		t.Fatalf("unknown topic: %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
	}

	// The cluster default is ZooKeeper's <default> entity, a broker entity its id; another
	// broker's id is refused, as Kafka's ZooKeeper mode refuses it.
	brokerCases := []struct {
		res        metadata.ConfigResource
		path, note string
	}{
		{metadata.ConfigResource{Type: metadata.ConfigResourceBroker, Name: ""}, "/config/brokers/<default>", "brokers/<default>"},
		{metadata.ConfigResource{Type: metadata.ConfigResourceBroker, Name: "01"}, "/config/brokers/1", "brokers/1"},
	}
	for i, bc := range brokerCases {
		if err := s.AlterConfigs(ctx, bc.res, []metadata.ConfigChange{{Name: "log.retention.ms", Op: metadata.ConfigOpSet, Value: str("60000")}}, true, false); err != nil {
			t.Fatalf("%s: %v", bc.path, err)
		}
		checkConfigZNode(t, writer, bc.path, map[string]any{"log.retention.ms": "60000"})
		changes = configChanges(t, writer)
		if len(changes) != 4+i {
			t.Fatalf("%d notifications, want %d", len(changes), 4+i)
		}
		checkConfigChange(t, changes[3+i], bc.note)
	}
	if got := s.Image().Configs[metadata.ConfigResource{Type: metadata.ConfigResourceBroker, Name: ""}]; got["log.retention.ms"] != "60000" {
		t.Fatalf("image cluster default: %v", got)
	}
	other := metadata.ConfigResource{Type: metadata.ConfigResourceBroker, Name: "2"}
	if err := s.AlterConfigs(ctx, other, []metadata.ConfigChange{{Name: "log.retention.ms", Op: metadata.ConfigOpSet, Value: str("1")}}, true, false); !errors.Is(err, kerr.InvalidRequest) {
		t.Fatalf("another broker's entity: %v, want INVALID_REQUEST", err)
	}
	mustExist(t, writer, znode.ConfigEntityPath(znode.ConfigTypeBroker, "2"), false)

	// A topic whose znode is gone while the image still holds it gets no config znode:
	// the existence check is part of the write.
	thaw := freezeSourceImage(t, s, writer)
	if err := deleteRecursive(ctx, writer, znode.TopicPath("gone")); err != nil {
		t.Fatal(err)
	}
	gone := metadata.ConfigResource{Type: metadata.ConfigResourceTopic, Name: "gone"}
	if err := s.AlterConfigs(ctx, gone, []metadata.ConfigChange{{Name: "retention.ms", Op: metadata.ConfigOpSet, Value: str("1")}}, true, false); !errors.Is(err, kerr.UnknownTopicOrPartition) {
		t.Fatalf("deleted topic: %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
	}
	mustExist(t, writer, znode.ConfigEntityPath(znode.ConfigTypeTopic, "gone"), false)
	if n := len(configChanges(t, writer)); n != 5 {
		t.Fatalf("%d notifications after a refused write, want 5", n)
	}
	thaw()
}
