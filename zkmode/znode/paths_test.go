package znode

import (
	"slices"
	"testing"

	"github.com/kbridge/kbridge/metadata"
)

func TestPaths(t *testing.T) {
	for got, want := range map[string]string{
		BrokerPath(3):                                         "/brokers/ids/3",
		TopicPath("orders"):                                   "/brokers/topics/orders",
		TopicPartitionsPath("orders"):                         "/brokers/topics/orders/partitions",
		TopicPartitionPath("orders", 2):                       "/brokers/topics/orders/partitions/2",
		TopicPartitionStatePath("orders", 2):                  "/brokers/topics/orders/partitions/2/state",
		ConfigEntityTypePath(ConfigTypeTopic):                 "/config/topics",
		ConfigEntityPath(ConfigTypeBroker, ConfigDefaultName): "/config/brokers/<default>",
		ConfigEntityPath(ConfigTypeUser, "alice/clients/app"): "/config/users/alice/clients/app",
		DeleteTopicPath("orders"):                             "/admin/delete_topics/orders",
	} {
		if got != want {
			t.Errorf("path %q, want %q", got, want)
		}
	}
	for _, c := range []struct {
		p    ResourcePattern
		want string
	}{
		{ResourcePattern{metadata.ACLResourceTopic, "orders", metadata.ACLPatternLiteral}, "/kafka-acl/Topic/orders"},
		{ResourcePattern{metadata.ACLResourceGroup, "app-", metadata.ACLPatternPrefixed}, "/kafka-acl-extended/prefixed/Group/app-"},
		{ResourcePattern{metadata.ACLResourceTransactionalID, "*", metadata.ACLPatternLiteral}, "/kafka-acl/TransactionalId/*"},
	} {
		if got, err := ACLResourcePath(c.p); err != nil || got != c.want {
			t.Errorf("ACLResourcePath(%+v) = %q, %v; want %q", c.p, got, err, c.want)
		}
	}
	if _, err := ACLResourcePath(ResourcePattern{metadata.ACLResourceTopic, "x", 2}); err == nil {
		t.Error("ACLResourcePath with pattern MATCH succeeded")
	}
	if _, err := ACLResourcePath(ResourcePattern{0, "x", metadata.ACLPatternLiteral}); err == nil {
		t.Error("ACLResourcePath with resource type UNKNOWN succeeded")
	}
}

// TestPersistentPaths is ZkData.PersistentZkPaths of Kafka 3.9, in its order.
func TestPersistentPaths(t *testing.T) {
	want := []string{
		"/consumers", "/brokers/ids", "/brokers/topics", "/config/changes", "/admin/delete_topics",
		"/brokers/seqid", "/isr_change_notification", "/latest_producer_id_block", "/log_dir_event_notification",
		"/config/topics", "/config/clients", "/config/users", "/config/brokers", "/config/ips",
	}
	if got := PersistentPaths(); !slices.Equal(got, want) {
		t.Errorf("PersistentPaths:\n got %v\nwant %v", got, want)
	}
	got := PersistentPaths()
	got[0] = "changed"
	if PersistentPaths()[0] != "/consumers" {
		t.Error("PersistentPaths shares its slice with callers")
	}
}

func TestSecurePaths(t *testing.T) {
	roots := SecureRootPaths()
	for _, p := range []string{"/admin", "/brokers", "/cluster", "/config", "/controller", "/controller_epoch",
		"/isr_change_notification", "/latest_producer_id_block", "/log_dir_event_notification", "/delegation_token",
		"/kafka-acl-extended", "/feature", "/migration", "/kafka-acl", "/kafka-acl-changes",
		"/kafka-acl-extended/prefixed", "/kafka-acl-extended-changes"} {
		if !slices.Contains(roots, p) {
			t.Errorf("SecureRootPaths lacks %s", p)
		}
	}
	if slices.Contains(roots, ConsumersPath) {
		t.Error("the old consumer path must stay open")
	}
	for p, want := range map[string]bool{
		"/config/users/alice": true, "/config/brokers/<default>": true, "/delegation_token/tokens/t1": true,
		"/config/topics/orders": false, "/brokers/ids/1": false, "/delegation_token/token_changes": false,
	} {
		if IsSensitivePath(p) != want {
			t.Errorf("IsSensitivePath(%s) = %v, want %v", p, !want, want)
		}
	}
}
