package migrate

import "github.com/kbridge/kbridge/metadata"

// DriverState is where a controller's migration driver is, named as Kafka's
// MigrationDriverState where the two match. Kafka's driver copies on its own once the
// brokers are ready; here the copy waits for `migrate commit` (WAIT_FOR_COMMIT), and a
// rollback (ROLLING_BACK, ROLLED_BACK) and finalize (FINALIZED) are the driver's own
// states. `migrate status` shows it, and every change is logged with its reason.
type DriverState string

// The driver's states.
const (
	// DriverInactive: this controller is not the active one; it writes nothing.
	DriverInactive DriverState = "INACTIVE"
	// DriverWaitForCommit: the log is in PRE_MIGRATION and the copy waits for the
	// operator's `migrate commit` (or for a commit a failover cut short to be resumed).
	DriverWaitForCommit DriverState = "WAIT_FOR_COMMIT"
	// DriverBecomeController: claiming /controller and /migration for this epoch,
	// fencing the ZooKeeper controller or an older KRaft leader.
	DriverBecomeController DriverState = "BECOME_CONTROLLER"
	// DriverZkMigration: copying ZooKeeper into the log in one metadata transaction.
	DriverZkMigration DriverState = "ZK_MIGRATION"
	// DriverSyncKRaftToZk: reconciling all of ZooKeeper with the log after a claim in
	// MIGRATION (a failover, or a writer found fenced).
	DriverSyncKRaftToZk DriverState = "SYNC_KRAFT_TO_ZK"
	// DriverDualWrite: ZooKeeper follows the log, change by change.
	DriverDualWrite DriverState = "DUAL_WRITE"
	// DriverRollingBack: the log is frozen (state ZK); ZooKeeper is being reconciled
	// with it, checked and released.
	DriverRollingBack DriverState = "ROLLING_BACK"
	// DriverRolledBack: ZooKeeper leads again; this quorum writes nothing more to it.
	DriverRolledBack DriverState = "ROLLED_BACK"
	// DriverFinalized: POST_MIGRATION; ZooKeeper is never written again.
	DriverFinalized DriverState = "FINALIZED"
)

// driverTransitions are the state changes the driver may make. Losing leadership can
// happen anywhere, and a leader can find the log in any state when it takes over, so
// every state may go to INACTIVE and INACTIVE to any state a log can be found in.
var driverTransitions = map[DriverState][]DriverState{
	DriverInactive:         {DriverWaitForCommit, DriverBecomeController, DriverRollingBack, DriverRolledBack, DriverFinalized},
	DriverWaitForCommit:    {DriverBecomeController, DriverInactive},
	DriverBecomeController: {DriverZkMigration, DriverSyncKRaftToZk, DriverRollingBack, DriverRolledBack, DriverWaitForCommit, DriverInactive},
	DriverZkMigration:      {DriverDualWrite, DriverBecomeController, DriverWaitForCommit, DriverInactive},
	DriverSyncKRaftToZk:    {DriverDualWrite, DriverBecomeController, DriverRollingBack, DriverInactive},
	DriverDualWrite:        {DriverBecomeController, DriverRollingBack, DriverFinalized, DriverInactive},
	DriverRollingBack:      {DriverRolledBack, DriverInactive},
	DriverRolledBack:       {DriverInactive},
	DriverFinalized:        {DriverInactive},
}

// transitionAllowed tells whether the driver may go from one state to another; staying
// is always allowed.
func transitionAllowed(from, to DriverState) bool {
	if from == to {
		return true
	}
	for _, s := range driverTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// enter moves the driver to state, logging the change and its reason. A change the
// table does not allow is a bug in the driver: it is logged as an error and made
// anyway, since the state must say what the driver is doing.
func (d *Driver) enter(state DriverState, why string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	from := d.state
	if from == state {
		return
	}
	if !transitionAllowed(from, state) {
		d.log.Error("migration driver made a transition it does not allow", "from", from, "to", state, "why", why)
	} else {
		d.log.Info("migration driver state", "from", from, "to", state, "why", why)
	}
	d.state = state
}

// enterFor enters state when the log is (still) in logState on the active controller,
// unless a commit, rollback or finalize holds the driver: those set their own states,
// and the log state a step read before one of them ran is stale after it.
func (d *Driver) enterFor(logState metadata.ZkMigrationState, state DriverState, why string) {
	if !d.commitMu.TryLock() {
		return
	}
	defer d.commitMu.Unlock()
	if st := d.ctrl.MigrationState(); st.Active && st.State == logState {
		d.enter(state, why)
	}
}
