package kclient

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// topicMeta is one topic as a Metadata response tells it, replicas in the
// broker's order (the preferred leader first), which kadm would sort away.
type topicMeta struct {
	Name       string
	ID         [16]byte
	IsInternal bool
	Partitions []kmsg.MetadataResponseTopicPartition
}

// clusterMeta is a Metadata response reduced to what the topic commands use.
type clusterMeta struct {
	Brokers map[int32]bool
	Topics  map[string]topicMeta
}

// fetchMetadata asks for all topics (names nil) or the named ones.
func fetchMetadata(ctx context.Context, cl *kgo.Client, names []string) (clusterMeta, error) {
	req := kmsg.NewPtrMetadataRequest()
	if names != nil {
		req.Topics = []kmsg.MetadataRequestTopic{}
		for _, n := range names {
			t := kmsg.NewMetadataRequestTopic()
			t.Topic = kmsg.StringPtr(n)
			req.Topics = append(req.Topics, t)
		}
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return clusterMeta{}, fmt.Errorf("metadata request: %w", err)
	}
	m := clusterMeta{Brokers: make(map[int32]bool), Topics: make(map[string]topicMeta)}
	for _, b := range resp.Brokers {
		m.Brokers[b.NodeID] = true
	}
	for _, t := range resp.Topics {
		// A topic being created or deleted may carry LEADER_NOT_AVAILABLE and
		// is still listed, as kafka-topics does; only unknown ones are dropped.
		if t.Topic == nil || t.ErrorCode == kerr.UnknownTopicOrPartition.Code {
			continue
		}
		sort.Slice(t.Partitions, func(i, j int) bool { return t.Partitions[i].Partition < t.Partitions[j].Partition })
		m.Topics[*t.Topic] = topicMeta{Name: *t.Topic, ID: t.TopicID, IsInternal: t.IsInternal, Partitions: t.Partitions}
	}
	return m, nil
}

// sortedNames returns the topic names in order.
func (m clusterMeta) sortedNames() []string {
	names := make([]string, 0, len(m.Topics))
	for n := range m.Topics {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// errTopicNotFound mirrors kafka-topics' IllegalArgumentException text.
var errTopicNotFound = errors.New("does not exist as expected")

// selectTopics applies kafka-topics' --topic semantics: a regular expression
// that must match a whole name (empty selects all), internal topics dropped on
// request; with mustExist an empty selection is an error unless ifExists.
func selectTopics(m clusterMeta, pattern string, excludeInternal, mustExist, ifExists bool) ([]string, error) {
	var re *regexp.Regexp
	if pattern != "" {
		var err error
		if re, err = regexp.Compile("^(?:" + pattern + ")$"); err != nil {
			return nil, fmt.Errorf("--topic %q is not a valid regular expression: %w", pattern, err)
		}
	}
	var out []string
	for _, n := range m.sortedNames() {
		if re != nil && !re.MatchString(n) {
			continue
		}
		if excludeInternal && m.Topics[n].IsInternal {
			continue
		}
		out = append(out, n)
	}
	if len(out) == 0 && mustExist && pattern != "" && !ifExists {
		return nil, fmt.Errorf("topic '%s' %w", pattern, errTopicNotFound)
	}
	return out, nil
}

// topicIDString prints a topic id as Kafka's Uuid.toString does: URL-safe
// base64 without padding.
func topicIDString(id [16]byte) string {
	return base64.RawURLEncoding.EncodeToString(id[:])
}

// openAdmin connects an admin client and reads the whole cluster's metadata, the first
// step of every topics command that selects topics by pattern. The caller closes cl.
func openAdmin(ctx context.Context, c Conn, action string) (*kgo.Client, clusterMeta, error) {
	cl, err := c.newClient(roleAdmin)
	if err != nil {
		return nil, clusterMeta{}, err
	}
	m, err := fetchMetadata(ctx, cl, nil)
	if err != nil {
		cl.Close()
		return nil, clusterMeta{}, fmt.Errorf("%s: %w", action, err)
	}
	return cl, m, nil
}
