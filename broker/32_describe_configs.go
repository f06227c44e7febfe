package broker

import (
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DescribeConfigs: v0-4
//
// Behavior:
// * Authorization: DescribeConfigs on the topic (TOPIC_AUTHORIZATION_FAILED) or on the
//   cluster for a broker (CLUSTER_AUTHORIZATION_FAILED).
// * TOPIC: every topic config with its effective value and source (topic override,
//   static broker config, or Kafka's default).
// * BROKER: this broker's configs (the file, Kafka's defaults, dynamic overrides);
//   "" describes the cluster-wide dynamic defaults.
// * Sensitive values are returned as null.
// Version notes:
// * v1: config source and synonyms
// * v3: config type and documentation
// * v4: flexible

func init() { regKey(32, 0, 4, handleDescribeConfigs) }

func handleDescribeConfigs(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DescribeConfigsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeConfigsResponse)
	img := b.Image()
	for _, rr := range req.Resources {
		sr := kmsg.NewDescribeConfigsResponseResource()
		sr.ResourceType = rr.ResourceType
		sr.ResourceName = rr.ResourceName
		err := c.authorizeConfigResource(img, metadata.ACLOperationDescribeConfigs, int8(rr.ResourceType), rr.ResourceName)
		var entries []configEntry
		if err == nil {
			entries, err = b.describeResource(img, int8(rr.ResourceType), rr.ResourceName)
		}
		if err != nil {
			sr.ErrorCode = errorCode(err)
			msg := err.Error()
			sr.ErrorMessage = &msg
			resp.Resources = append(resp.Resources, sr)
			continue
		}
		want := make(map[string]bool, len(rr.ConfigNames))
		for _, n := range rr.ConfigNames {
			want[n] = true
		}
		for _, e := range entries {
			if rr.ConfigNames != nil && !want[e.name] {
				continue
			}
			c := kmsg.NewDescribeConfigsResponseResourceConfig()
			c.Name = e.name
			c.Value = e.value
			c.ReadOnly = e.readOnly
			c.IsDefault = e.source == configSourceDefault
			c.Source = kmsg.ConfigSource(e.source)
			c.IsSensitive = e.sensitive
			if req.IncludeSynonyms {
				syn := kmsg.NewDescribeConfigsResponseResourceConfigConfigSynonym()
				syn.Name = e.name
				syn.Value = e.value
				syn.Source = kmsg.ConfigSource(e.source)
				c.ConfigSynonyms = append(c.ConfigSynonyms, syn)
			}
			sr.Configs = append(sr.Configs, c)
		}
		resp.Resources = append(resp.Resources, sr)
	}
	return resp, nil
}

func (b *Broker) describeResource(img *metadata.Image, typ int8, name string) ([]configEntry, error) {
	switch typ {
	case metadata.ConfigResourceTopic:
		if _, ok := img.Topics[name]; !ok {
			return nil, fmt.Errorf("%w: topic %q does not exist", kerr.UnknownTopicOrPartition, name)
		}
		return b.topicConfigEntries(img, name), nil
	case metadata.ConfigResourceBroker:
		if name == "" {
			var out []configEntry
			for k, v := range img.Configs[metadata.ConfigResource{Type: metadata.ConfigResourceBroker}] {
				e := configEntry{name: k, source: configSourceDynamicDefaultBroker, sensitive: metadata.IsPasswordConfig(k)}
				if !e.sensitive {
					v := v
					e.value = &v
				}
				out = append(out, e)
			}
			return out, nil
		}
		if id, err := strconv.Atoi(name); err != nil || int32(id) != b.id {
			return nil, fmt.Errorf("%w: unexpected broker id, expected %d or empty string, but received %s", kerr.InvalidRequest, b.id, name)
		}
		return b.brokerConfigEntries(img), nil
	case metadata.ConfigResourceBrokerLogger:
		return nil, nil
	default:
		return nil, fmt.Errorf("%w: unsupported resource type %d", kerr.InvalidRequest, typ)
	}
}
