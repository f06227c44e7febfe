package migrate

import (
	"fmt"
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// DefaultMinSoak is how long every broker must have run on the quorum before
// `migrate finalize` accepts, unless --min-soak says otherwise: long enough for a
// problem under real load to show while a rollback is still possible.
const DefaultMinSoak = 10 * time.Minute

// CheckState is where one finalize condition stands.
type CheckState string

// The states of a finalize condition.
const (
	// CheckMet: the condition holds.
	CheckMet CheckState = "met"
	// CheckBlocked: the condition does not hold, and finalize is refused for it.
	CheckBlocked CheckState = "blocked"
	// CheckWaiting: the condition cannot start to hold before another one does (the
	// soak starts when every broker is on the quorum).
	CheckWaiting CheckState = "waiting"
)

// FinalizeCheck is one condition `migrate finalize` checks, with why it is not met.
type FinalizeCheck struct {
	Condition string
	State     CheckState
	Reason    string
}

// finalizeChecklist is every condition a migration in the status s must meet at now
// before it can be finalized, in the order `migrate finalize` reports them: every
// broker on the quorum and registered with it, no under-replicated partition,
// ZooKeeper reflecting the whole log (a rollback would lose what it lacks), and a
// soak of minSoak.
func finalizeChecklist(s Status, minSoak time.Duration, now time.Time) []FinalizeCheck {
	checks := []FinalizeCheck{
		checkIf(len(s.BrokersOnZooKeeper) == 0, "every broker is on the quorum",
			"brokers still on ZooKeeper: "+joinIDs(s.BrokersOnZooKeeper)),
		checkIf(len(s.BrokersNotRegistered) == 0, "every broker is registered with the quorum",
			"brokers not registered with the quorum: "+joinIDs(s.BrokersNotRegistered)),
		checkIf(s.UnderReplicated == 0, "no partition is under-replicated",
			fmt.Sprintf("%d partitions are under-replicated", s.UnderReplicated)),
		checkIf(s.ZooKeeperOffset >= s.MetadataOffset, "ZooKeeper reflects the whole metadata log",
			fmt.Sprintf("ZooKeeper reflects offset %d, the log is at %d: the dual-write lag is not zero", s.ZooKeeperOffset, s.MetadataOffset)),
	}
	soak := FinalizeCheck{Condition: fmt.Sprintf("every broker has been on the quorum for --min-soak %v", minSoak), State: CheckMet}
	switch {
	case s.AllOnQuorumSince == nil && minSoak > 0:
		soak.State, soak.Reason = CheckBlocked, fmt.Sprintf("the soak has not started: every broker must be on the quorum for %v", minSoak)
		if len(s.BrokersOnZooKeeper) > 0 || len(s.BrokersNotRegistered) > 0 {
			soak.State, soak.Reason = CheckWaiting, "the soak starts when every broker is on the quorum"
		}
	case s.AllOnQuorumSince != nil && now.Sub(*s.AllOnQuorumSince) < minSoak:
		soak.State = CheckBlocked
		soak.Reason = fmt.Sprintf("every broker has been on the quorum for %v, less than --min-soak %v",
			now.Sub(*s.AllOnQuorumSince).Round(100*time.Millisecond), minSoak)
	}
	return append(checks, soak)
}

// checkIf is a condition that is met when ok, else blocked for reason.
func checkIf(ok bool, condition, reason string) FinalizeCheck {
	if ok {
		return FinalizeCheck{Condition: condition, State: CheckMet}
	}
	return FinalizeCheck{Condition: condition, State: CheckBlocked, Reason: reason}
}

// notCommittedReason is why a log in state has nothing to finalize yet.
func notCommittedReason(state string) string {
	return fmt.Sprintf("the metadata log is in state %s: commit the migration first", state)
}

// committedCheck is finalize's first condition, which Finalize checks before the
// others: the log is in MIGRATION (the copy is committed and not rolled back).
func committedCheck(s Status) FinalizeCheck {
	return checkIf(s.ZkMigrationState == metadata.ZkMigrationMigration.String(), "the migration is committed (the metadata log is in MIGRATION)", notCommittedReason(s.ZkMigrationState))
}
