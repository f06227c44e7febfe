package migrate

import (
	"testing"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// TestMultipleLogDirsBelowJBOD: below 3.7-IV2 a migrating broker with several log
// dirs is a blocker. The admin endpoint cannot show this case (RegisterBrokerRecord
// carries log dirs only from v3, written from 3.7-IV2), so the view is built here.
func TestMultipleLogDirsBelowJBOD(t *testing.T) {
	mv := metadata.MetadataVersion3_7IV2 - 1
	img := quorumImage(t, mv, metadata.ZkMigrationPreMigration, migratingBroker(1, mv, 2))
	tree := &zkmode.Tree{Image: metadata.NewImage(), BrokerZNodes: map[int32]znode.BrokerZNode{}}
	tree.Image.ClusterID = testClusterID
	findings, _ := assess(observed{tree: tree, view: &ControllerView{NodeID: 3000, LeaderID: 3000, Image: img}})
	r := &Report{Findings: findings}
	wantFinding(t, r, CodeMultipleLogDirs, SeverityBlocker, "1")
}
