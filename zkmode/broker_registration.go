package zkmode

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// RegisterBroker is KafkaZkClient.registerBroker: it creates the ephemeral
// /brokers/ids/<id> holding info's JSON and returns the broker epoch, the znode's
// czxid. /brokers/ids must exist (CreateTopLevelPaths).
//
// The znode is written as Kafka's checkedEphemeralCreate writes it: one multi of
// Create(path, null, EPHEMERAL) and SetData(path, json, version 0), whose SetData
// result carries the new znode's stat, so the epoch comes with the create itself and
// not from a later read another session could race. When the znode exists already
// and our own session owns it (the create went through but its answer was lost to a
// reconnect), its czxid is returned and its data left as it is, as Kafka does. When
// another session owns it, the error names the broker id and wraps zk.ErrNodeExists:
// another broker runs with this broker.id, or this broker's previous session has not
// expired yet; the caller retries once that session is gone.
//
// The znode lives as long as the session. After a session expiry (SessionEvents
// reports zk.StateExpired, then zk.StateHasSession for the new session) it is gone,
// and registering it again is the caller's job, as Kafka's session re-initialisation
// handler does: that call returns a new, higher broker epoch.
func RegisterBroker(ctx context.Context, c *Conn, info znode.BrokerZNode, id int32) (int64, error) {
	path := znode.BrokerPath(id)
	data, err := znode.EncodeBroker(info)
	if err != nil {
		return 0, fmt.Errorf("register broker %d at %s: %w", id, path, err)
	}
	for {
		res, err := c.Multi(ctx,
			&zk.CreateRequest{Path: path, Flags: zk.FlagEphemeral},
			&zk.SetDataRequest{Path: path, Data: data, Version: 0})
		if err == nil {
			return res[1].Stat.Czxid, nil
		}
		if !errors.Is(err, zk.ErrNodeExists) {
			return 0, fmt.Errorf("register broker %d at %s: %w", id, path, err)
		}
		_, stat, err := c.Get(ctx, path)
		if errors.Is(err, zk.ErrNoNode) {
			// The other session ended between the two requests: create it again.
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("register broker %d: %w", id, err)
		}
		if session := c.SessionID(); stat.EphemeralOwner != session {
			return 0, fmt.Errorf("register broker %d at %s: broker.id %d is already registered by another session (0x%x, ours 0x%x): %w",
				id, path, id, stat.EphemeralOwner, session, zk.ErrNodeExists)
		}
		return stat.Czxid, nil
	}
}
