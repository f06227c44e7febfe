package zkmode

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-zookeeper/zk"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// retryConditional runs a read-modify-write until it does not lose a race with
// another writer (errConcurrentWrite), at most maxConditionalWrites times; written
// reports whether the last attempt wrote.
func retryConditional(what string, attempt func() (written bool, err error)) (bool, error) {
	for n := 1; ; n++ {
		written, err := attempt()
		switch {
		case errors.Is(err, errConcurrentWrite) && n < maxConditionalWrites:
			continue
		case errors.Is(err, errConcurrentWrite):
			return false, metadata.Errorf(kerr.UnknownServerError, "%s: gave up after %d attempts: %v", what, n, err)
		}
		return written, err
	}
}

// writeOp makes a broker's own write of one operation that the dual-write also plans
// (aclOp, a user's config entity): planned against the tree as read now (missing
// parents created, the change notification added), made conditional on the
// zkVersion of target as the broker read it (read nil: target did not exist, and the
// operation's create fails if another writer made it since), and fenced as every
// broker write is (brokerWriter). A lost race is errConcurrentWrite, for the caller to
// read again.
func (s *Source) writeOp(ctx context.Context, what string, op *migrationOp, target string, read *zk.Stat) error {
	view, err := readView(ctx, s.conn, []*migrationOp{op})
	if err != nil {
		return zkWriteError(err, "%s: read the znodes to write", what)
	}
	planned := view.plan(op)
	if len(planned.reqs) == 0 {
		// The tree already holds what the write was to make: another writer got there
		// between the two reads.
		return fmt.Errorf("%w: %s already holds the change", errConcurrentWrite, target)
	}
	reqs := planned.reqs
	if read != nil {
		reqs = append([]any{&zk.CheckVersionRequest{Path: target, Version: read.Version}}, reqs...)
	}
	w, err := s.brokerWriter(ctx, what)
	if err != nil {
		return err
	}
	_, err = w.Multi(ctx, reqs...)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrControllerMoved):
		return brokerWriteError(err, "%s", what)
	case errors.Is(err, zk.ErrBadVersion), errors.Is(err, zk.ErrNodeExists), errors.Is(err, zk.ErrNoNode):
		return fmt.Errorf("%w: %v", errConcurrentWrite, err)
	default:
		return zkWriteError(err, "%s", what)
	}
}

// readForWrite reads the znode a conditional write is to replace: its data and stat,
// or nil for both when it does not exist (writeOp then creates it).
func (s *Source) readForWrite(ctx context.Context, what, path string) ([]byte, *zk.Stat, error) {
	data, stat, err := s.conn.Get(ctx, path)
	switch {
	case errors.Is(err, zk.ErrNoNode):
		return nil, nil, nil
	case err != nil:
		return nil, nil, zkWriteError(err, "%s", what)
	}
	return data, stat, nil
}
