package zkmode

import (
	"context"
	"fmt"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// loadCluster reads the cluster-wide single znodes: /cluster/id (returned), /controller,
// /controller_epoch, /migration, /feature and /latest_producer_id_block.
func (t *Tree) loadCluster(ctx context.Context, r TreeReader) (string, error) {
	nodes, err := getAll(ctx, r, []string{
		znode.ClusterIDPath, znode.ControllerPath, znode.ControllerEpochPath, znode.MigrationPath, znode.FeaturePath, znode.ProducerIDBlockPath,
	})
	if err != nil {
		return "", fmt.Errorf("load cluster znodes: %w", err)
	}
	id, ctrl, epoch, migration, feature, block := nodes[0], nodes[1], nodes[2], nodes[3], nodes[4], nodes[5]

	var clusterID string
	if !id.missing {
		if clusterID, err = znode.DecodeClusterID(id.data); err != nil {
			return "", decodeError(id.path, err)
		}
	}
	if !ctrl.missing {
		c, err := znode.DecodeController(ctrl.data)
		if err != nil {
			return "", decodeError(ctrl.path, err)
		}
		t.Controller = &c
	}
	if !epoch.missing {
		if t.ControllerEpoch, err = znode.DecodeControllerEpoch(epoch.data); err != nil {
			return "", decodeError(epoch.path, err)
		}
		t.ControllerEpochZkVersion = epoch.stat.Version
	}
	if !migration.missing {
		m, err := znode.DecodeMigration(migration.data)
		if err != nil {
			return "", decodeError(migration.path, err)
		}
		t.Migration = &MigrationState{MigrationZNode: m, ZkVersion: migration.stat.Version, LastUpdatedTimeMs: migration.stat.Mtime}
	}
	if !feature.missing {
		f, err := znode.DecodeFeature(feature.data)
		if err != nil {
			return "", decodeError(feature.path, err)
		}
		t.Feature = &f
	}
	// Brokers create /latest_producer_id_block empty at start-up (PersistentZkPaths);
	// it has data only once a block was handed out.
	if !block.missing && len(block.data) > 0 {
		b, err := znode.DecodeProducerIDBlock(block.data)
		if err != nil {
			return "", decodeError(block.path, err)
		}
		t.ProducerIDBlock = &b
	}
	return clusterID, nil
}

// decodeError names the znode whose data could not be decoded.
func decodeError(path string, err error) error {
	return fmt.Errorf("decode %s: %w", path, err)
}
