package migrate

import (
	"context"
	"fmt"
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// RefusedError is a finalize the driver will not do yet, with every reason.
type RefusedError struct{ Reasons []string }

func (e *RefusedError) Error() string {
	msg := "finalize refused:"
	for _, r := range e.Reasons {
		msg += " " + r + ";"
	}
	return msg
}

// Finalize ends the migration (POST_MIGRATION): from then on ZooKeeper is never
// written again and rollback is impossible. It is refused, with every reason, unless
// every broker is on the quorum, no partition is under-replicated, ZooKeeper reflects
// the whole log, and every broker has been on the quorum for minSoak. With checkOnly
// it only says whether it would be refused, so that `migrate finalize` can show the
// reasons before it asks the operator to confirm.
func (d *Driver) Finalize(ctx context.Context, minSoak time.Duration, checkOnly bool) error {
	st := d.ctrl.MigrationState()
	switch {
	case !st.Active:
		return ErrNotActive
	case st.State == metadata.ZkMigrationPostMigration:
		return nil
	case st.State != metadata.ZkMigrationMigration:
		return &RefusedError{Reasons: []string{notCommittedReason(st.State.String())}}
	}
	s, err := d.Status(ctx)
	if err != nil {
		return err
	}
	if reasons := finalizeRefusals(s, minSoak, time.Now()); len(reasons) > 0 {
		return &RefusedError{Reasons: reasons}
	}
	if checkOnly {
		return nil
	}
	d.commitMu.Lock()
	defer d.commitMu.Unlock()
	if err := d.ctrl.FinalizeZkMigration(ctx); err != nil {
		return fmt.Errorf("write POST_MIGRATION: %w", err)
	}
	d.mu.Lock()
	d.term = nil
	d.mu.Unlock()
	d.log.Info("migration finalized: ZooKeeper will not be written again")
	d.enter(DriverFinalized, "migrate finalize")
	return nil
}

// finalizeRefusals is every reason a migration in the status s cannot be finalized
// at now: each blocked condition of finalizeChecklist.
func finalizeRefusals(s Status, minSoak time.Duration, now time.Time) []string {
	var reasons []string
	for _, c := range finalizeChecklist(s, minSoak, now) {
		if c.State == CheckBlocked {
			reasons = append(reasons, c.Reason)
		}
	}
	return reasons
}
