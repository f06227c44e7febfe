package zkmode

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// CreateOrGetClusterID is KafkaZkClient.createOrGetClusterId: it creates /cluster/id
// (and /cluster) holding proposed, and returns proposed; if /cluster/id exists, the id
// already there wins and is returned, so every broker of a cluster, and a broker
// joining a cluster Kafka created, agrees on the first id ever written. The caller
// proposes a new random id (Kafka: Uuid.randomUuid, base64) when it has none.
func CreateOrGetClusterID(ctx context.Context, c *Conn, proposed string) (string, error) {
	if proposed == "" {
		// DecodeClusterID rejects an empty id, so it must never be written.
		return "", fmt.Errorf("create %s: the proposed cluster id is empty", znode.ClusterIDPath)
	}
	_, err := c.CreateRecursive(ctx, znode.ClusterIDPath, znode.EncodeClusterID(proposed), zk.FlagPersistent)
	if err == nil {
		return proposed, nil
	}
	if !errors.Is(err, zk.ErrNodeExists) {
		return "", fmt.Errorf("create the cluster id: %w", err)
	}
	data, _, err := c.Get(ctx, znode.ClusterIDPath)
	if err != nil {
		// Kafka fails the same way when /cluster/id is deleted between the two requests.
		return "", fmt.Errorf("read the existing cluster id: %w", err)
	}
	id, err := znode.DecodeClusterID(data)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", znode.ClusterIDPath, err)
	}
	return id, nil
}
