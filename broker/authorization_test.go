package broker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/metadata"
)

// authorizedBroker starts one broker with StandardAuthorizer on a SASL_PLAINTEXT
// listener whose PLAIN users are admin (the super user), alice and bob, and returns
// the listener's address.
func authorizedBroker(t *testing.T, src *fakeSource, extra ...string) string {
	t.Helper()
	inter, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sasl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	props := append([]string{
		"process.roles=broker",
		"node.id=1",
		"controller.quorum.voters=3000@127.0.0.1:1",
		"controller.listener.names=CONTROLLER",
		"listeners=PLAINTEXT://" + inter.Addr().String() + ",SASL_PLAINTEXT://" + sasl.Addr().String(),
		"inter.broker.listener.name=PLAINTEXT",
		"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
		"log.dirs=" + t.TempDir(),
		"sasl.enabled.mechanisms=PLAIN",
		`listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-pw" user_alice="alice-pw" user_bob="bob-pw";`,
		"authorizer.class.name=" + config.AuthorizerStandard,
		"super.users=User:admin",
	}, extra...)
	cfg, err := config.Parse("broker.properties", strings.NewReader(strings.Join(props, "\n")), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(cfg, src, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Register(ctx, metadata.RandomUuid()); err != nil {
		t.Fatal(err)
	}
	go b.Serve(inter, "PLAINTEXT")
	go b.Serve(sasl, "SASL_PLAINTEXT")
	return sasl.Addr().String()
}

func clientAs(t *testing.T, addr, user string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addr),
		kgo.SASL(plain.Auth{User: user, Pass: user + "-pw"}.AsMechanism()),
		kgo.RequestRetries(0), kgo.RetryTimeout(time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func TestAuthorizationOfTopicsAndACLs(t *testing.T) {
	src := newFakeSource(t)
	addr := authorizedBroker(t, src)
	src.createTopic(t, "orders", []int32{1}, 1, []int32{1}, nil)
	src.createTopic(t, "payments", []int32{1}, 1, []int32{1}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, alice, bob := clientAs(t, addr, "admin"), clientAs(t, addr, "alice"), clientAs(t, addr, "bob")
	adm := kadm.NewClient(admin)

	// No one but the super user may manage ACLs.
	if resp, err := describeAllACLs().RequestWith(ctx, alice); err != nil || resp.ErrorCode != kerr.ClusterAuthorizationFailed.Code {
		t.Fatalf("alice's DescribeAcls: %v %+v, want CLUSTER_AUTHORIZATION_FAILED", err, resp)
	}
	created, err := adm.CreateACLs(ctx, kadm.NewACLs().Allow("User:alice").Topics("orders").Operations(kadm.OpWrite, kadm.OpRead))
	if err != nil || created[0].Err != nil {
		t.Fatalf("CreateACLs: %v %v", err, created)
	}
	if _, err := adm.CreateACLs(ctx, kadm.NewACLs().Allow("User:alice").Topics("pay").Operations(kadm.OpDescribe).ResourcePatternType(kadm.ACLPatternPrefixed)); err != nil {
		t.Fatal(err)
	}
	res, err := kadm.NewClient(bob).CreateACLs(ctx, kadm.NewACLs().Allow("User:bob").Topics("orders").Operations(kadm.OpAll))
	if err == nil && res[0].Err == nil {
		t.Fatal("bob created an ACL")
	}

	// Produce: alice may write orders, bob may not, and bob's idempotent producer gets
	// no producer id.
	produce := func(cl *kgo.Client, topic string) error {
		return cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("v")}).FirstErr()
	}
	if err := produce(clientAs(t, addr, "alice", kgo.DisableIdempotentWrite()), "orders"); err != nil {
		t.Fatalf("alice produce: %v", err)
	}
	if err := produce(clientAs(t, addr, "alice"), "orders"); err != nil {
		t.Fatalf("alice idempotent produce (Write on a topic implies a producer id): %v", err)
	}
	if err := produce(clientAs(t, addr, "bob", kgo.DisableIdempotentWrite()), "orders"); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Fatalf("bob produce: err = %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
	pidReq := kmsg.NewPtrInitProducerIDRequest()
	pidReq.TransactionTimeoutMillis = 1000
	pidResp, err := pidReq.RequestWith(ctx, bob)
	if err != nil || pidResp.ErrorCode != kerr.ClusterAuthorizationFailed.Code {
		t.Fatalf("bob's InitProducerId: %v, code %v, want CLUSTER_AUTHORIZATION_FAILED", err, pidResp)
	}

	// Metadata: bob sees no topic and cannot learn whether one exists; alice sees
	// orders and, through the prefixed ACL, payments.
	visible := func(cl *kgo.Client) []string {
		req := kmsg.NewPtrMetadataRequest()
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tp := range resp.Topics {
			names = append(names, *tp.Topic)
		}
		slices.Sort(names)
		return names
	}
	if got := visible(bob); len(got) != 0 {
		t.Errorf("bob sees topics %v, want none", got)
	}
	if got := visible(alice); !slices.Equal(got, []string{"orders", "payments"}) {
		t.Errorf("alice sees topics %v, want [orders payments]", got)
	}
	req := kmsg.NewPtrMetadataRequest()
	req.IncludeTopicAuthorizedOperations = true
	for _, name := range []string{"orders", "no-such-topic"} {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(name)
		req.Topics = append(req.Topics, rt)
	}
	mresp, err := req.RequestWith(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range mresp.Topics {
		if tp.ErrorCode != kerr.TopicAuthorizationFailed.Code || len(tp.Partitions) != 0 {
			t.Errorf("bob's metadata of %s: code %d, %d partitions; want TOPIC_AUTHORIZATION_FAILED and none", *tp.Topic, tp.ErrorCode, len(tp.Partitions))
		}
	}
	mresp, err = req.RequestWith(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	wantOps := int32(1<<metadata.ACLOperationRead | 1<<metadata.ACLOperationWrite | 1<<metadata.ACLOperationDescribe)
	if got := mresp.Topics[0]; got.ErrorCode != 0 || got.AuthorizedOperations != wantOps {
		t.Errorf("alice's metadata of orders: code %d, operations %b; want 0 and %b", got.ErrorCode, got.AuthorizedOperations, wantOps)
	}

	// Fetch: alice reads orders, bob is refused; a group needs its own ACL.
	fetch := func(cl *kgo.Client) int16 {
		req := kmsg.NewPtrFetchRequest()
		req.ReplicaID, req.MaxBytes = -1, 1<<20
		rt := kmsg.NewFetchRequestTopic()
		rt.Topic, rt.TopicID = "orders", src.Image().Topics["orders"].ID
		rp := kmsg.NewFetchRequestTopicPartition()
		rp.PartitionMaxBytes = 1 << 20
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Topics[0].Partitions[0].ErrorCode
	}
	if code := fetch(alice); code != 0 {
		t.Errorf("alice's fetch: code %d", code)
	}
	if code := fetch(bob); code != kerr.TopicAuthorizationFailed.Code {
		t.Errorf("bob's fetch: code %d, want TOPIC_AUTHORIZATION_FAILED", code)
	}
	fc := kmsg.NewPtrFindCoordinatorRequest()
	fc.CoordinatorKey = "g1"
	if resp, err := fc.RequestWith(ctx, alice); err != nil || resp.ErrorCode != kerr.GroupAuthorizationFailed.Code {
		t.Errorf("alice's FindCoordinator for g1 without a group ACL: %v %+v", err, resp)
	}

	// DescribeAcls lists what was created; DeleteAcls removes it and the access with it.
	described, err := adm.DescribeACLs(ctx, kadm.NewACLs().Allow("User:alice").AllowHosts().AnyResource().Operations(kadm.OpAny).ResourcePatternType(kadm.ACLPatternAny))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, d := range described {
		for _, a := range d.Described {
			listed = append(listed, fmt.Sprintf("%s %s %s %s", a.Name, a.Pattern, a.Operation, a.Permission))
		}
	}
	slices.Sort(listed)
	if want := []string{"orders LITERAL READ ALLOW", "orders LITERAL WRITE ALLOW", "pay PREFIXED DESCRIBE ALLOW"}; !slices.Equal(listed, want) {
		t.Errorf("described ACLs %q, want %q", listed, want)
	}
	deleted, err := adm.DeleteACLs(ctx, kadm.NewACLs().Allow("User:alice").AllowHosts().Topics("orders").Operations(kadm.OpWrite).ResourcePatternType(kadm.ACLPatternMatch))
	if err != nil || len(deleted) != 1 || len(deleted[0].Deleted) != 1 {
		t.Fatalf("DeleteACLs: %v %+v", err, deleted)
	}
	if err := produce(clientAs(t, addr, "alice", kgo.DisableIdempotentWrite()), "orders"); !errors.Is(err, kerr.TopicAuthorizationFailed) {
		t.Fatalf("alice produce after her Write ACL was deleted: err = %v, want TOPIC_AUTHORIZATION_FAILED", err)
	}
}

// Without an authorizer the ACL APIs answer SECURITY_DISABLED, as Kafka's do.
func TestACLAPIsWithoutAuthorizer(t *testing.T) {
	c := newCluster(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.nodes[1].addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := describeAllACLs().RequestWith(ctx, cl)
	if err != nil || resp.ErrorCode != kerr.SecurityDisabled.Code {
		t.Fatalf("DescribeAcls without an authorizer: %v, code %+v", err, resp)
	}
}

// describeAllACLs is a DescribeAcls of every ACL.
func describeAllACLs() *kmsg.DescribeACLsRequest {
	req := kmsg.NewPtrDescribeACLsRequest()
	req.ResourceType, req.ResourcePatternType = kmsg.ACLResourceTypeAny, kmsg.ACLResourcePatternTypeAny
	req.Operation, req.PermissionType = kmsg.ACLOperationAny, kmsg.ACLPermissionTypeAny
	return req
}
