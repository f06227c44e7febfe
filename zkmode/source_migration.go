package zkmode

import (
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// checkNotMigrating refuses a write to ZooKeeper once a KRaft controller holds
// /controller for a migration: from then on the metadata log is the source of truth and
// ZooKeeper only its mirror, so a broker writing ZooKeeper directly would change what
// the quorum never sees (and the next dual-write would undo it). NOT_CONTROLLER makes
// clients and the broker's ISR logic retry, and by then the broker has moved to the
// quorum or been given a source that forwards there.
func (s *Source) checkNotMigrating(op string) error {
	if c := s.Tree().Controller; c != nil && c.IsKRaftController() {
		return metadata.Errorf(kerr.NotController, "%s: KRaft controller %d leads the cluster during its migration; ZooKeeper is not written directly.", op, c.BrokerID)
	}
	return nil
}
