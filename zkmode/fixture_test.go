package zkmode

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// memTree is an in-memory ZooKeeper tree for loading tests: a map of path to data
// and stat. It implements TreeReader the way Conn does: errors name the path and wrap
// zk.ErrNoNode, and Children returns names in no particular order (map order), so
// a loader that depends on the server's order fails. It is safe for concurrent reads
// once built.
type memTree struct {
	nodes map[string]*memNode
	zxid  int64
	// vanished paths are listed by Children but gone by the time they are read.
	vanished map[string]bool
	// failing paths make Get and Children fail with errInjected.
	failing map[string]bool
}

type memNode struct {
	data []byte
	stat zk.Stat
}

var errInjected = errors.New("injected failure")

func newMemTree() *memTree {
	return &memTree{nodes: map[string]*memNode{"/": {}}, vanished: map[string]bool{}, failing: map[string]bool{}}
}

// create adds a znode with data, creating missing parents with no data as Kafka's
// createRecursive does. Each create takes the next zxid, so czxids grow as in ZooKeeper.
func (t *memTree) create(path, data string) *memNode {
	if _, ok := t.nodes[path]; ok {
		panic("memTree: " + path + " already exists")
	}
	if parent := parentPath(path); t.nodes[parent] == nil {
		t.create(parent, "")
	}
	t.zxid++
	n := &memNode{data: []byte(data)}
	n.stat = zk.Stat{
		Czxid: t.zxid, Mzxid: t.zxid, Pzxid: t.zxid,
		Ctime: 1700000000000 + t.zxid, Mtime: 1700000000000 + t.zxid,
		DataLength: int32(len(data)),
	}
	t.nodes[path] = n
	return n
}

// withVersion sets the znode's data version (zkVersion), as that many SetData calls
// would have; checkKafka3Tree expects these versions as partition and controller epochs.
func (n *memNode) withVersion(v int32) *memNode {
	n.stat.Version = v
	return n
}

// ephemeral makes the znode ephemeral, owned by session (its stat's EphemeralOwner, as
// ZooKeeper reports it), the way Kafka registers brokers and the controller: a replay
// into a real ZooKeeper creates it from one session per owner and keeps that open.
func (n *memNode) ephemeral(session int64) *memNode {
	n.stat.EphemeralOwner = session
	return n
}

// brokerSession stands for the ZooKeeper session of broker id, the owner of its
// ephemeral znodes. A server hands out real ids; the fixture needs only distinct
// non-zero ones, zero being a persistent znode's EphemeralOwner.
func brokerSession(id int32) int64 { return 0x100000000000000 | int64(id) }

// fixtureZNode is one znode of a memTree as a replay writes it.
type fixtureZNode struct {
	path string
	// data is nil where the fixture has none: Kafka creates every znode it holds no
	// data in (createRecursive's parents, the persistent paths, partition and
	// delete_topics znodes) with null data, never with zero bytes.
	data []byte
	// version is the zkVersion: that many SetData calls after the create.
	version int32
	// owner is the session owning an ephemeral znode, 0 for a persistent one.
	owner int64
}

// znodes lists the tree's znodes, the root left out, in creation (czxid) order, so
// that every parent comes before its children and a replay can create them in turn.
func (t *memTree) znodes() []fixtureZNode {
	out := make([]fixtureZNode, 0, len(t.nodes))
	for p, n := range t.nodes {
		if p == "/" {
			continue
		}
		z := fixtureZNode{path: p, version: n.stat.Version, owner: n.stat.EphemeralOwner}
		if len(n.data) > 0 {
			z.data = slices.Clone(n.data)
		}
		out = append(out, z)
	}
	slices.SortFunc(out, func(a, b fixtureZNode) int {
		return cmp.Compare(t.nodes[a.path].stat.Czxid, t.nodes[b.path].stat.Czxid)
	})
	return out
}

// children lists the names of path's children, sorted.
func (t *memTree) children(path string) []string {
	names, _ := t.Children(context.Background(), path)
	slices.Sort(names)
	return names
}

// remove deletes a znode and everything below it.
func (t *memTree) remove(path string) {
	for p := range t.nodes {
		if p == path || strings.HasPrefix(p, path+"/") {
			delete(t.nodes, p)
		}
	}
}

func parentPath(path string) string {
	i := strings.LastIndex(path, "/")
	if i <= 0 {
		return "/"
	}
	return path[:i]
}

func (t *memTree) Get(ctx context.Context, path string) ([]byte, *zk.Stat, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if t.failing[path] {
		return nil, nil, fmt.Errorf("get %s: %w", path, errInjected)
	}
	n, ok := t.nodes[path]
	if !ok || t.vanished[path] {
		return nil, nil, fmt.Errorf("get %s: %w", path, zk.ErrNoNode)
	}
	stat := n.stat
	return slices.Clone(n.data), &stat, nil
}

func (t *memTree) Children(ctx context.Context, path string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t.failing[path] {
		return nil, fmt.Errorf("list children of %s: %w", path, errInjected)
	}
	if _, ok := t.nodes[path]; !ok {
		return nil, fmt.Errorf("list children of %s: %w", path, zk.ErrNoNode)
	}
	prefix := strings.TrimSuffix(path, "/") + "/"
	var out []string
	for p := range t.nodes {
		if p != "/" && strings.HasPrefix(p, prefix) && !strings.Contains(p[len(prefix):], "/") {
			out = append(out, p[len(prefix):])
		}
	}
	return out, nil
}

var _ TreeReader = (*memTree)(nil)

// The fixture's ids.
const (
	fixtureClusterID   = "fMCL8kv1SWm87L_Md-I2hg"
	ordersID           = "Hn2t4NfbTdqCDsmpnGu2Rw"
	userProfilesID     = "q3Kbb0QvQzCJGbvx1fkv2A"
	paymentsID         = "3wYzTa4oS0G0hF4C8lGm_g"
	doomedID           = "bN7tvCgJQfaR3kbSI1-vaQ"
	aliceScramSHA256   = "salt=YWxpY2Utc2FsdC0yNTYuLg==,stored_key=YWxpY2Utc3RvcmVkLWtleS1zaGEyNTYtMzItYnl0ZXM=,server_key=YWxpY2Utc2VydmVyLWtleS1zaGEyNTYtMzItYnl0ZXM=,iterations=8192"
	aliceScramSHA512   = "salt=YWxpY2Utc2FsdC01MTIuLg==,stored_key=YWxpY2Utc3RvcmVkLWtleS1zaGE1MTItNjQtYnl0ZXNhbGljZS1zdG9yZWQta2V5LXNoYTUxMi02NC1ieXRlcw==,server_key=YWxpY2Utc2VydmVyLWtleS1zaGE1MTItNjQtYnl0ZXNhbGljZS1zZXJ2ZXIta2V5LXNoYTUxMi02NC1ieXRlcw==,iterations=4096"
	fixtureControllerE = 5
)

// The fixture's delegation tokens, the test tokens of znode's codec tests: alice's,
// requested by admin for her, renewable by bob and by a principal whose name needs
// sanitizing; bob's, written before Kafka 3.3. Tests of another package cannot share
// them, so they are repeated here as tree data.
const (
	aliceTokenID = "sLXPbuzqTvO1n4v0DgrwJA"
	bobTokenID   = "0cZ2vG0hQ3WmEYd1hpGsTg"

	// aliceTokenV3 is alice's token znode as znode.EncodeDelegationToken writes it.
	aliceTokenV3 = `{"version":3,"owner":"User%3Aalice","tokenRequester":"User%3Aadmin",` +
		`"renewers":["User%3Abob","User%3ACN%3Dcarol%2CO%3Dexample"],` +
		`"issueTimestamp":1700000000000,"maxTimestamp":1700604800000,"expiryTimestamp":1700086400000,` +
		`"tokenId":"` + aliceTokenID + `"}`
	// aliceTokenHashOrder is the same znode with its fields in a hash order, as
	// Kafka's Jackson writes them.
	aliceTokenHashOrder = `{"issueTimestamp":1700000000000,"renewers":["User%3Abob","User%3ACN%3Dcarol%2CO%3Dexample"],` +
		`"tokenRequester":"User%3Aadmin","tokenId":"` + aliceTokenID + `","owner":"User%3Aalice",` +
		`"expiryTimestamp":1700086400000,"maxTimestamp":1700604800000,"version":3}`
	// bobTokenV1 is a version 1 token znode (Kafka 1.1 to 3.2): no tokenRequester, no
	// renewers.
	bobTokenV1 = `{"version":1,"owner":"User%3Abob","renewers":[],"issueTimestamp":1600000000000,` +
		`"maxTimestamp":1600604800000,"expiryTimestamp":1600086400000,"tokenId":"` + bobTokenID + `"}`
)

// aliceToken is the record aliceTokenV3 holds.
func aliceToken() *metadata.DelegationTokenRecord {
	return &metadata.DelegationTokenRecord{
		Owner: "User:alice", Requester: "User:admin", Renewers: []string{"User:bob", "User:CN=carol,O=example"},
		IssueTimestamp: 1700000000000, MaxTimestamp: 1700604800000, ExpirationTimestamp: 1700086400000, TokenID: aliceTokenID,
	}
}

// bobToken is the record bobTokenV1 holds: its owner requested it.
func bobToken() *metadata.DelegationTokenRecord {
	return &metadata.DelegationTokenRecord{
		Owner: "User:bob", Requester: "User:bob",
		IssueTimestamp: 1600000000000, MaxTimestamp: 1600604800000, ExpirationTimestamp: 1600086400000, TokenID: bobTokenID,
	}
}

// kafka3Tree lays out the ZooKeeper tree of a Kafka 3.x cluster (IBP 3.x) in Kafka's
// own JSON. Some znodes are written in the reference's field order, some in the hash
// order Kafka's Jackson really produces, since readers must not care:
//
//   - brokers 1-3 with v5 znodes (PLAINTEXT+SSL with rack; SASL listeners only, so
//     host null and port -1; an IPv6 replication listener and no rack), broker 4 with
//     a v4 znode (IBP before 2.7: no features);
//   - orders (v3, no config znode; one partition RECOVERING), user-profiles (compacted,
//     with a config znode, its partition leaderless), payments (a reassignment in
//     progress, and a partition whose state znode the controller has not written
//     yet), legacy-events (a v2 znode without topic_id), doomed (pending deletion);
//   - broker 1 and <default> broker configs; user, client, user/client and IP quotas,
//     among them <default> entities and a sanitized principal; alice's SCRAM-SHA-256
//     and SCRAM-SHA-512 credentials;
//   - literal ACLs (one on every topic) and prefixed ACLs, and their change events;
//   - a producer-id block, /feature, /controller v2, /controller_epoch, and the
//     persistent paths a broker creates at start-up.
//
// Each broker's registration is ephemeral, owned by its own session, and /controller
// by the session of broker 1, the controller; every other znode is persistent.
func kafka3Tree() *memTree {
	t := newMemTree()
	for _, p := range znode.PersistentPaths() {
		t.create(p, "")
	}
	t.create(znode.ClusterIDPath, `{"version":"1","id":"`+fixtureClusterID+`"}`)
	t.create(znode.ControllerEpochPath, "5").withVersion(fixtureControllerE)
	t.create(znode.ControllerPath, `{"version":2,"brokerid":1,"timestamp":"1700000000123","kraftControllerEpoch":-1}`).ephemeral(brokerSession(1))
	t.create(znode.FeaturePath, `{"features":{},"version":2,"status":1}`)

	t.create(znode.BrokerPath(1), `{"version":5,"host":"broker1.example.com","port":9092,"jmx_port":-1,"timestamp":"1700000000000",`+
		`"endpoints":["PLAINTEXT://broker1.example.com:9092","SSL://broker1.example.com:9093"],`+
		`"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","SSL":"SSL"},"rack":"rack-a",`+
		`"features":{"metadata.version":{"min_version":1,"max_version":21}}}`)
	t.create(znode.BrokerPath(2), `{"features":{"metadata.version":{"min_version":1,"max_version":21}},`+
		`"listener_security_protocol_map":{"INTERNAL":"SASL_PLAINTEXT","EXTERNAL":"SASL_SSL"},`+
		`"endpoints":["INTERNAL://10.0.0.2:19092","EXTERNAL://broker2.example.com:9094"],"rack":"rack-b",`+
		`"jmx_port":9999,"port":-1,"host":null,"version":5,"timestamp":"1700000000456"}`)
	t.create(znode.BrokerPath(3), `{"version":5,"host":"broker3.example.com","port":9092,"jmx_port":-1,"timestamp":"1700000000789",`+
		`"endpoints":["PLAINTEXT://broker3.example.com:9092","REPLICATION://[fd00::3]:9091"],`+
		`"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","REPLICATION":"SSL"},"features":{}}`)
	t.create(znode.BrokerPath(4), `{"version":4,"host":"broker4.example.com","port":9092,"jmx_port":-1,"timestamp":"1600000000000",`+
		`"endpoints":["PLAINTEXT://broker4.example.com:9092"],"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"rack":"rack-a"}`)
	for id := int32(1); id <= 4; id++ {
		t.nodes[znode.BrokerPath(id)].ephemeral(brokerSession(id))
	}

	t.create(znode.TopicPath("orders"), `{"version":3,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]},"adding_replicas":{},"removing_replicas":{},"topic_id":"`+ordersID+`"}`)
	t.create(znode.TopicPartitionStatePath("orders", 0), `{"version":1,"leader":1,"leader_epoch":4,"controller_epoch":5,"isr":[1,2,3]}`).withVersion(7)
	t.create(znode.TopicPartitionStatePath("orders", 1), `{"version":1,"leader":2,"leader_epoch":9,"controller_epoch":5,"isr":[2],"leader_recovery_state":1}`).withVersion(12)
	t.create(znode.TopicPartitionStatePath("orders", 2), `{"controller_epoch":4,"leader":3,"version":1,"leader_epoch":2,"isr":[3,1]}`).withVersion(3)

	t.create(znode.TopicPath("user-profiles"), `{"partitions":{"0":[2,1]},"topic_id":"`+userProfilesID+`","adding_replicas":{},"removing_replicas":{},"version":3}`)
	t.create(znode.TopicPartitionStatePath("user-profiles", 0), `{"version":1,"leader":-1,"leader_epoch":6,"controller_epoch":5,"isr":[2]}`).withVersion(9)
	t.create(znode.ConfigEntityPath(znode.ConfigTypeTopic, "user-profiles"), `{"version":1,"config":{"cleanup.policy":"compact","min.compaction.lag.ms":"60000"}}`)

	t.create(znode.TopicPath("payments"), `{"version":3,"partitions":{"0":[3,4,1],"1":[4,1,2]},"adding_replicas":{"0":[1]},"removing_replicas":{"0":[4]},"topic_id":"`+paymentsID+`"}`)
	t.create(znode.TopicPartitionStatePath("payments", 0), `{"version":1,"leader":3,"leader_epoch":1,"controller_epoch":5,"isr":[3,4,1]}`).withVersion(2)
	t.create(znode.TopicPartitionPath("payments", 1), "")
	t.create(znode.ConfigEntityPath(znode.ConfigTypeTopic, "payments"), `{"version":1,"config":{"retention.ms":"604800000","min.insync.replicas":"2"}}`)

	t.create(znode.TopicPath("legacy-events"), `{"version":2,"partitions":{"0":[1,2],"1":[2,1]},"adding_replicas":{},"removing_replicas":{}}`)
	t.create(znode.TopicPartitionStatePath("legacy-events", 0), `{"version":1,"leader":1,"leader_epoch":0,"controller_epoch":1,"isr":[1,2]}`)
	t.create(znode.TopicPartitionStatePath("legacy-events", 1), `{"version":1,"leader":2,"leader_epoch":0,"controller_epoch":1,"isr":[2,1]}`)

	t.create(znode.TopicPath("doomed"), `{"version":3,"partitions":{"0":[1]},"adding_replicas":{},"removing_replicas":{},"topic_id":"`+doomedID+`"}`)
	t.create(znode.TopicPartitionStatePath("doomed", 0), `{"version":1,"leader":1,"leader_epoch":0,"controller_epoch":5,"isr":[1]}`)
	t.create(znode.ConfigEntityPath(znode.ConfigTypeTopic, "doomed"), `{"version":1,"config":{"retention.ms":"1000"}}`)
	t.create(znode.DeleteTopicPath("doomed"), "")

	t.create(znode.ConfigEntityPath(znode.ConfigTypeBroker, "1"), `{"version":1,"config":{"log.cleaner.threads":"2","follower.replication.throttled.rate":"10485760"}}`)
	t.create(znode.ConfigEntityPath(znode.ConfigTypeBroker, znode.ConfigDefaultName), `{"version":1,"config":{"min.insync.replicas":"2","log.retention.ms":"86400000"}}`)

	t.create(znode.ConfigEntityPath(znode.ConfigTypeUser, "alice"), `{"version":1,"config":{"producer_byte_rate":"1048576",`+
		`"SCRAM-SHA-256":"`+aliceScramSHA256+`","SCRAM-SHA-512":"`+aliceScramSHA512+`"}}`)
	t.create(znode.ConfigEntityPath(znode.ConfigTypeUser, "alice/clients/app-1"), `{"version":1,"config":{"consumer_byte_rate":"4096"}}`)
	t.create(znode.ConfigEntityPath(znode.ConfigTypeUser, "CN%3Dbob%2COU%3Dops"), `{"version":1,"config":{"consumer_byte_rate":"2097152"}}`)
	t.create(znode.ConfigEntityPath(znode.ConfigTypeUser, znode.ConfigDefaultName), `{"version":1,"config":{"request_percentage":"50.0"}}`)
	t.create(znode.ConfigEntityPath(znode.ConfigTypeUser, "carol/clients/"+znode.ConfigDefaultName), `{"version":1,"config":{"producer_byte_rate":"512"}}`)
	t.create(znode.ConfigEntityPath(znode.ConfigTypeClient, znode.ConfigDefaultName), `{"version":1,"config":{"producer_byte_rate":"1024"}}`)
	t.create(znode.ConfigEntityPath(znode.ConfigTypeClient, "reporting"), `{"version":1,"config":{"request_percentage":"12.5"}}`)
	t.create(znode.ConfigEntityPath(znode.ConfigTypeIP, "10.0.0.7"), `{"version":1,"config":{"connection_creation_rate":"10"}}`)
	t.create(znode.ConfigChangesPath+"/"+znode.ConfigChangePrefix+"0000000011", `{"version":2,"entity_path":"users/alice"}`)

	t.create(znode.LiteralACLPath+"/Topic/orders", `{"version":1,"acls":[`+
		`{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"},`+
		`{"principal":"User:alice","permissionType":"Allow","operation":"Describe","host":"*"}]}`)
	t.create(znode.LiteralACLPath+"/Topic/*", `{"version":1,"acls":[{"principal":"User:*","permissionType":"Allow","operation":"Describe","host":"*"}]}`)
	t.create(znode.LiteralACLPath+"/Group/order-service", `{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}`)
	t.create(znode.LiteralACLPath+"/Cluster/kafka-cluster", `{"acls":[{"principal":"User:admin","permissionType":"Allow","host":"*","operation":"All"}],"version":1}`)
	t.create(znode.ExtendedACLPath+"/prefixed/Topic/payments-", `{"version":1,"acls":[{"principal":"User:bob","permissionType":"Deny","operation":"Write","host":"10.0.0.2"}]}`)
	t.create(znode.LiteralACLChangesPath+"/"+znode.ACLChangePrefix+"0000000002", "TOPIC:orders")
	t.create(znode.ExtendedACLChangesPath+"/"+znode.ACLChangePrefix+"0000000000", `{"version":1,"resourceType":"TOPIC","name":"payments-","patternType":"PREFIXED"}`)

	t.nodes[znode.ProducerIDBlockPath].data = []byte(`{"version":1,"broker":2,"block_start":"3000","block_end":"3999"}`)
	t.nodes[znode.ProducerIDBlockPath].stat.Version = 3
	return t
}
