package zkmode

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// describeRecords renders records one line each, partitions named by topic, so a
// test can compare a record list with the list it expects.
func describeRecords(records []metadata.Record) []string {
	names := map[metadata.Uuid]string{}
	var out []string
	for _, r := range records {
		switch v := r.(type) {
		case *metadata.TopicRecord:
			names[v.TopicID] = v.Name
			out = append(out, "Topic "+v.Name)
		case *metadata.PartitionRecord:
			s := fmt.Sprintf("Partition %s-%d leader %d isr %v epochs %d/%d", names[v.TopicID], v.PartitionID, v.Leader, v.ISR, v.LeaderEpoch, v.PartitionEpoch)
			if v.LeaderRecoveryState == metadata.LeaderRecoveryStateRecovering {
				s += " recovering"
			}
			if v.AddingReplicas != nil {
				s += fmt.Sprintf(" adding %v", v.AddingReplicas)
			}
			if v.RemovingReplicas != nil {
				s += fmt.Sprintf(" removing %v", v.RemovingReplicas)
			}
			out = append(out, s)
		case *metadata.ConfigRecord:
			out = append(out, fmt.Sprintf("Config %d/%s %s=%s", v.ResourceType, v.ResourceName, v.Name, *v.Value))
		case *metadata.ClientQuotaRecord:
			out = append(out, fmt.Sprintf("Quota %s %s=%v", (&metadata.QuotaEntity{Entity: v.Entity}).Key(), v.Key, v.Value))
		case *metadata.UserScramCredentialRecord:
			out = append(out, fmt.Sprintf("Scram %s %d", v.Name, v.Mechanism))
		case *metadata.ProducerIdsRecord:
			out = append(out, fmt.Sprintf("ProducerIds broker %d epoch %d next %d", v.BrokerID, v.BrokerEpoch, v.NextProducerID))
		case *metadata.AccessControlEntryRecord:
			rt, _ := znode.ResourceTypeName(v.ResourceType)
			out = append(out, fmt.Sprintf("ACL %s/%d/%s %s %s op %d perm %d", rt, v.PatternType, v.ResourceName, v.Principal, v.Host, v.Operation, v.PermissionType))
		default:
			out = append(out, fmt.Sprintf("%T", r))
		}
	}
	return out
}

// describeTopic renders a topic with its partitions for failure messages.
func describeTopic(t *metadata.Topic) string {
	if t == nil {
		return "<nil>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)", t.Name, t.ID)
	for _, id := range slices.Sorted(maps.Keys(t.Partitions)) {
		fmt.Fprintf(&b, "\n    %+v", *t.Partitions[id])
	}
	return b.String()
}

func compareUuid(a, b metadata.Uuid) int { return bytes.Compare(a[:], b[:]) }
