package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// zkJSON reads a znode of the test's session as generic JSON, keeping numbers as
// json.Number so that a string "1" and a number 1 stay distinguishable.
func zkJSON(t *testing.T, conn *zkmode.Conn, path string) (map[string]any, *zk.Stat) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	data, stat, err := conn.Get(ctx, path)
	if err != nil {
		t.Fatalf("get %s: %v", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%s is not a JSON object: %v: %s", path, err, data)
	}
	return m, stat
}

// zkExists tells whether path exists in the test's session.
func zkExists(t *testing.T, conn *zkmode.Conn, path string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ok, _, err := conn.Exists(ctx, path)
	if err != nil {
		t.Fatalf("exists %s: %v", path, err)
	}
	return ok
}

// wantKeys fails unless m has exactly the keys given.
func wantKeys(t *testing.T, path string, m map[string]any, keys ...string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(keys)
	if !slices.Equal(got, keys) {
		t.Errorf("%s has fields %v, want %v", path, got, keys)
	}
}

// wantNumber fails unless m[key] is a JSON number equal to want.
func wantNumber(t *testing.T, path string, m map[string]any, key string, want int64) {
	t.Helper()
	n, ok := m[key].(json.Number)
	if !ok {
		t.Errorf("%s: %q is %T (%v), want the number %d", path, key, m[key], m[key], want)
		return
	}
	if v, err := n.Int64(); err != nil || v != want {
		t.Errorf("%s: %q = %s, want %d", path, key, n, want)
	}
}

// numbers turns a JSON array of numbers into int32s, failing on anything else.
func numbers(t *testing.T, path string, v any) []int32 {
	t.Helper()
	arr, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: %v is not an array", path, v)
	}
	out := make([]int32, 0, len(arr))
	for _, e := range arr {
		n, ok := e.(json.Number)
		if !ok {
			t.Fatalf("%s: %v holds %T, want numbers", path, arr, e)
		}
		i, _ := n.Int64()
		out = append(out, int32(i))
	}
	return out
}

// TestZKTopicsInKafkaLayout is issue 5's first acceptance: three ZooKeeper-mode
// brokers and a real ZooKeeper; a topic created with `kbridge topics create` is in
// ZooKeeper in Kafka's exact JSON, zkCli.sh shows the layout, kcat and franz-go produce
// and consume, and config changes and deletion go through Kafka's znodes.
func TestZKTopicsInKafkaLayout(t *testing.T) {
	c := StartZKCluster(t, 3)
	conn := c.ZooKeeper()
	bootstrap := strings.Join(c.BrokerAddrs(), ",")
	Run(t, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "orders",
		"--partitions", "3", "--replication-factor", "3", "--config", "retention.ms=3600000")

	// /brokers/topics/orders: v3 with string partition keys and a topic_id.
	topicPath := znode.TopicPath("orders")
	topic, stat := zkJSON(t, conn, topicPath)
	if stat.EphemeralOwner != 0 {
		t.Errorf("%s is ephemeral", topicPath)
	}
	wantKeys(t, topicPath, topic, "version", "partitions", "adding_replicas", "removing_replicas", "topic_id")
	wantNumber(t, topicPath, topic, "version", 3)
	id, _ := topic["topic_id"].(string)
	if raw, err := base64.RawURLEncoding.DecodeString(id); err != nil || len(raw) != 16 {
		t.Errorf("%s: topic_id %q is not a base64 UUID", topicPath, topic["topic_id"])
	}
	for _, k := range []string{"adding_replicas", "removing_replicas"} {
		if m, ok := topic[k].(map[string]any); !ok || len(m) != 0 {
			t.Errorf("%s: %s = %v, want {}", topicPath, k, topic[k])
		}
	}
	parts, _ := topic["partitions"].(map[string]any)
	if len(parts) != 3 {
		t.Fatalf("%s: partitions = %v, want 3", topicPath, topic["partitions"])
	}
	for p := range 3 {
		replicas := numbers(t, topicPath, parts[strconv.Itoa(p)])
		if len(replicas) != 3 || !reflect.DeepEqual(slices.Sorted(slices.Values(replicas)), []int32{1, 2, 3}) {
			t.Errorf("%s: partition %d replicas %v, want each of 1, 2, 3", topicPath, p, replicas)
		}
	}

	// The controller writes each partition's state: version 1, first replica leading,
	// every replica in the ISR, epoch 0, the controller's epoch.
	epochData, _, err := conn.Get(context.Background(), znode.ControllerEpochPath)
	if err != nil {
		t.Fatal(err)
	}
	controllerEpoch, err := strconv.Atoi(string(epochData))
	if err != nil {
		t.Fatalf("%s holds %q, want a plain decimal", znode.ControllerEpochPath, epochData)
	}
	for p := range int32(3) {
		statePath := znode.TopicPartitionStatePath("orders", p)
		WaitFor(t, 10*time.Second, statePath, func() bool { return zkExists(t, conn, statePath) })
		state, _ := zkJSON(t, conn, statePath)
		wantKeys(t, statePath, state, "version", "leader", "leader_epoch", "controller_epoch", "isr")
		wantNumber(t, statePath, state, "version", 1)
		wantNumber(t, statePath, state, "leader_epoch", 0)
		wantNumber(t, statePath, state, "controller_epoch", int64(controllerEpoch))
		replicas := numbers(t, topicPath, parts[strconv.Itoa(int(p))])
		wantNumber(t, statePath, state, "leader", int64(replicas[0]))
		if isr := numbers(t, statePath, state["isr"]); !slices.Equal(isr, replicas) {
			t.Errorf("%s: isr %v, want the replicas %v", statePath, isr, replicas)
		}
	}

	// /config/topics/orders: version 1, values as strings.
	configPath := znode.ConfigEntityPath(znode.ConfigTypeTopic, "orders")
	cfg, _ := zkJSON(t, conn, configPath)
	wantKeys(t, configPath, cfg, "version", "config")
	wantNumber(t, configPath, cfg, "version", 1)
	if !reflect.DeepEqual(cfg["config"], map[string]any{"retention.ms": "3600000"}) {
		t.Errorf("%s: config = %v, want retention.ms as the string \"3600000\"", configPath, cfg["config"])
	}

	// /brokers/ids/<id>: ephemeral, v5, timestamp a string; /controller v2; /cluster/id
	// with its string version.
	for i, n := range c.Brokers {
		path := znode.BrokerPath(int32(i + 1))
		reg, stat := zkJSON(t, conn, path)
		if stat.EphemeralOwner == 0 {
			t.Errorf("%s is persistent, want ephemeral", path)
		}
		wantKeys(t, path, reg, "version", "host", "port", "jmx_port", "timestamp", "endpoints", "listener_security_protocol_map", "features")
		wantNumber(t, path, reg, "version", 5)
		wantNumber(t, path, reg, "jmx_port", -1)
		if _, ok := reg["timestamp"].(string); !ok {
			t.Errorf("%s: timestamp %v is not a string", path, reg["timestamp"])
		}
		if !reflect.DeepEqual(reg["endpoints"], []any{"PLAINTEXT://" + n.BrokerAddr}) {
			t.Errorf("%s: endpoints %v, want [PLAINTEXT://%s]", path, reg["endpoints"], n.BrokerAddr)
		}
	}
	ctrl, stat := zkJSON(t, conn, znode.ControllerPath)
	if stat.EphemeralOwner == 0 {
		t.Errorf("%s is persistent, want ephemeral", znode.ControllerPath)
	}
	wantKeys(t, znode.ControllerPath, ctrl, "version", "brokerid", "timestamp", "kraftControllerEpoch")
	wantNumber(t, znode.ControllerPath, ctrl, "version", 2)
	wantNumber(t, znode.ControllerPath, ctrl, "kraftControllerEpoch", -1)
	cluster, _ := zkJSON(t, conn, znode.ClusterIDPath)
	if cluster["version"] != "1" {
		t.Errorf("%s: version %v, want the string \"1\"", znode.ClusterIDPath, cluster["version"])
	}

	// ZooKeeper's own client shows the layout under the chroot.
	tree := c.ZkCli("ls", "-R", zkChroot)
	for _, want := range []string{
		zkChroot + "/brokers/ids/1", zkChroot + "/brokers/ids/3", zkChroot + "/brokers/topics/orders/partitions/2/state",
		zkChroot + "/config/topics/orders", zkChroot + "/controller_epoch", zkChroot + "/cluster/id",
		zkChroot + "/admin/delete_topics", zkChroot + "/latest_producer_id_block", zkChroot + "/isr_change_notification",
	} {
		if !strings.Contains(tree, want+"\n") {
			t.Errorf("zkCli.sh ls -R %s does not show %s:\n%s", zkChroot, want, tree)
		}
	}

	// kcat produces; franz-go reads those and produces more; kcat reads everything.
	kcat := requireTool(t, "kcat")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var in bytes.Buffer
	for i := range 50 {
		fmt.Fprintf(&in, "k%d:kcat-%d\n", i, i)
	}
	produce := exec.CommandContext(ctx, kcat, "-b", bootstrap, "-t", "orders", "-P", "-K:", "-X", "acks=all")
	produce.Stdin = &in
	if out, err := produce.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P: %v\n%s", err, out)
	}
	cl := c.Client(kgo.ConsumeTopics("orders"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.ProducerLinger(0))
	for i := range 50 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "orders", Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprintf("franz-%d", i))}).FirstErr(); err != nil {
			t.Fatalf("franz-go produce: %v", err)
		}
	}
	got := readValues(cl, 100)
	if len(got) != 100 {
		t.Fatalf("franz-go read %d records, want 100", len(got))
	}
	out, err := exec.CommandContext(ctx, kcat, "-b", bootstrap, "-t", "orders", "-C", "-o", "beginning", "-e", "-q", "-f", "%s\n").CombinedOutput()
	if err != nil {
		t.Fatalf("kcat -C: %v\n%s", err, out)
	}
	if lines := strings.Count(string(out), "\n"); lines != 100 {
		t.Fatalf("kcat read %d records, want 100:\n%s", lines, out)
	}

	// A config change rewrites the config znode and leaves a v2 change notification.
	Run(t, "topics", "alter", "--bootstrap-server", bootstrap, "--topic", "orders", "--config", "cleanup.policy=compact")
	cfg, _ = zkJSON(t, conn, configPath)
	if !reflect.DeepEqual(cfg["config"], map[string]any{"retention.ms": "3600000", "cleanup.policy": "compact"}) {
		t.Errorf("%s after alter: config = %v", configPath, cfg["config"])
	}
	changes, err := conn.Children(context.Background(), znode.ConfigChangesPath)
	if err != nil || len(changes) == 0 {
		t.Fatalf("%s: %v %v, want a config_change_ znode", znode.ConfigChangesPath, changes, err)
	}
	slices.Sort(changes)
	last := changes[len(changes)-1]
	if !strings.HasPrefix(last, znode.ConfigChangePrefix) || len(last) != len(znode.ConfigChangePrefix)+10 {
		t.Errorf("change notification %q is not config_change_ with a 10-digit counter", last)
	}
	note, _ := zkJSON(t, conn, znode.ConfigChangesPath+"/"+last)
	wantKeys(t, last, note, "version", "entity_path")
	wantNumber(t, last, note, "version", 2)
	if note["entity_path"] != "topics/orders" {
		t.Errorf("%s: entity_path %v, want topics/orders", last, note["entity_path"])
	}

	// Deletion is queued under /admin/delete_topics and carried out by the controller.
	Run(t, "topics", "delete", "--bootstrap-server", bootstrap, "--topic", "orders")
	for _, path := range []string{topicPath, configPath, znode.DeleteTopicsPath + "/orders"} {
		WaitFor(t, 15*time.Second, path+" deleted", func() bool { return !zkExists(t, conn, path) })
	}
	if _, _, err := conn.Get(context.Background(), znode.TopicPartitionStatePath("orders", 0)); !errors.Is(err, zk.ErrNoNode) {
		t.Errorf("partition state of a deleted topic: %v, want no node", err)
	}
}
