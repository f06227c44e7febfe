package zkmode

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// loadBrokers reads /brokers/ids. A broker's epoch is its znode's czxid, as
// KafkaZkClient.registerBroker returns it: every new session re-creates the ephemeral
// znode, so a restarted broker has a higher epoch and requests from its previous
// incarnation can be told apart.
func (t *Tree) loadBrokers(ctx context.Context, r TreeReader) error {
	names, err := children(ctx, r, znode.BrokerIDsPath)
	if err != nil {
		return fmt.Errorf("load brokers: %w", err)
	}
	ids := make([]int32, 0, len(names))
	for _, name := range names {
		id, err := strconv.ParseInt(name, 10, 32)
		if err != nil {
			return fmt.Errorf("load brokers: %s/%s: the znode name is not a broker id", znode.BrokerIDsPath, name)
		}
		ids = append(ids, int32(id))
	}
	slices.Sort(ids)
	paths := make([]string, len(ids))
	for i, id := range ids {
		paths[i] = znode.BrokerPath(id)
	}
	nodes, err := getAll(ctx, r, paths)
	if err != nil {
		return fmt.Errorf("load brokers: %w", err)
	}
	for i, n := range nodes {
		if n.missing {
			continue
		}
		b, err := znode.DecodeBroker(n.data)
		if err != nil {
			return decodeError(n.path, err)
		}
		t.BrokerZNodes[ids[i]] = b
		rec := metadata.NewRegisterBrokerRecord()
		rec.BrokerID = ids[i]
		rec.BrokerEpoch = n.stat.Czxid
		rec.EndPoints = b.Endpoints
		rec.Features = b.Features
		rec.Fenced = false
		if b.Rack != "" {
			rack := b.Rack
			rec.Rack = &rack
		}
		t.brokers = append(t.brokers, rec)
	}
	return nil
}
