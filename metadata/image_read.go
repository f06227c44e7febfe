package metadata

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// SetPosition records the metadata log position the image reflects; the source calls
// it after applying a batch, since records do not carry their offset.
func (img *Image) SetPosition(offset int64, epoch int32) {
	img.Offset = offset
	img.Epoch = epoch
}

// InTransaction reports whether a metadata transaction is open, i.e. whether the image
// is missing records that are already in the log.
func (img *Image) InTransaction() bool { return img.inTxn }

// MetadataVersion is the finalized metadata.version level, 0 if none is set yet.
func (img *Image) MetadataVersion() int16 { return img.Features[FeatureMetadataVersion] }

// Topic looks a topic up by name.
func (img *Image) Topic(name string) (*Topic, bool) {
	t, ok := img.Topics[name]
	return t, ok
}

// TopicByID looks a topic up by id, as Fetch v13+ and DeleteTopics by id do.
func (img *Image) TopicByID(id Uuid) (*Topic, bool) {
	t, ok := img.TopicsByID[id]
	return t, ok
}

// Partition looks a partition up by topic name and index.
func (img *Image) Partition(topic string, partition int32) (*Partition, bool) {
	t, ok := img.Topics[topic]
	if !ok {
		return nil, false
	}
	p, ok := t.Partitions[partition]
	return p, ok
}

// LiveBrokers returns the unfenced brokers sorted by id: those a client may be sent to.
func (img *Image) LiveBrokers() []*Broker {
	out := make([]*Broker, 0, len(img.Brokers))
	for _, b := range img.Brokers {
		if !b.Fenced {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Endpoint returns the broker's endpoint for a listener name.
func (b *Broker) Endpoint(listener string) (Endpoint, bool) {
	for _, e := range b.Endpoints {
		if e.Name == listener {
			return e, true
		}
	}
	return Endpoint{}, false
}

// IsReplica reports whether broker id holds a replica of the partition.
func (p *Partition) IsReplica(id int32) bool { return slices.Contains(p.Replicas, id) }

// InISR reports whether broker id is in the partition's in-sync replica set.
func (p *Partition) InISR(id int32) bool { return slices.Contains(p.ISR, id) }

// Key is the entity's identity for Image.Quotas: its parts sorted by type as
// type=quoted-name, with a bare type for the default entity, so that names containing
// '=' or ',' cannot collide.
func (q *QuotaEntity) Key() string {
	parts := make([]string, 0, len(q.Entity))
	for _, e := range sortedEntity(q.Entity) {
		if e.Name == nil {
			parts = append(parts, e.Type)
		} else {
			parts = append(parts, e.Type+"="+strconv.Quote(*e.Name))
		}
	}
	return strings.Join(parts, ",")
}

// sortedEntity returns a copy of the entity parts sorted by type, the canonical order.
func sortedEntity(parts []QuotaEntityPart) []QuotaEntityPart {
	out := slices.Clone(parts)
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// IsActiveBroker reports whether a broker may lead or join an ISR: registered,
// unfenced and not in controlled shutdown (Kafka's ClusterControlManager.isActive).
func (img *Image) IsActiveBroker(id int32) bool {
	b, ok := img.Brokers[id]
	return ok && !b.Fenced && !b.InControlledShutdown
}
