package zkmode

import (
	"context"
	"fmt"

	"github.com/go-zookeeper/zk"
)

// Multi runs ops as one transaction: all of them or none. This is how the controller
// is fenced — every write is a multi with a *zk.CheckVersionRequest on
// /controller_epoch, and a stale controller's whole write fails with zk.ErrBadVersion.
//
// ops are *zk.CreateRequest (a nil Acl means world:anyone), *zk.SetDataRequest,
// *zk.DeleteRequest and *zk.CheckVersionRequest with chroot-relative paths; they are
// not modified. The responses' created paths are chroot-relative. When an op fails,
// the error is that op's (errors.Is(err, zk.ErrBadVersion), ...) and names it.
func (c *Conn) Multi(ctx context.Context, ops ...any) ([]zk.MultiResponse, error) {
	reqs := make([]any, len(ops))
	for i, op := range ops {
		req, err := c.absOp(op)
		if err != nil {
			return nil, fmt.Errorf("multi op %d (%s): %w", i, describeOp(op), err)
		}
		reqs[i] = req
	}
	res, err := callZK(ctx, func() ([]zk.MultiResponse, error) { return c.zk.Multi(reqs...) })
	if err != nil {
		for i, r := range res {
			if r.Error != nil {
				return nil, fmt.Errorf("multi op %d (%s): %w", i, describeOp(ops[i]), r.Error)
			}
		}
		return nil, fmt.Errorf("multi of %d ops: %w", len(ops), err)
	}
	for i := range res {
		if _, ok := ops[i].(*zk.CreateRequest); ok {
			res[i].String = c.rel(res[i].String)
		}
	}
	return res, nil
}

// absOp copies one multi op with the chroot added to its path.
func (c *Conn) absOp(op any) (any, error) {
	switch op := op.(type) {
	case *zk.CreateRequest:
		full, err := c.abs(op.Path)
		if err != nil {
			return nil, err
		}
		req := *op
		req.Path = full
		if req.Acl == nil {
			req.Acl = worldACL
		}
		return &req, nil
	case *zk.SetDataRequest:
		full, err := c.abs(op.Path)
		if err != nil {
			return nil, err
		}
		req := *op
		req.Path = full
		return &req, nil
	case *zk.DeleteRequest:
		full, err := c.abs(op.Path)
		if err != nil {
			return nil, err
		}
		return &zk.DeleteRequest{Path: full, Version: op.Version}, nil
	case *zk.CheckVersionRequest:
		full, err := c.abs(op.Path)
		if err != nil {
			return nil, err
		}
		return &zk.CheckVersionRequest{Path: full, Version: op.Version}, nil
	default:
		return nil, fmt.Errorf("unsupported op type %T", op)
	}
}

// describeOp names a multi op for an error message.
func describeOp(op any) string {
	switch op := op.(type) {
	case *zk.CreateRequest:
		return "create " + op.Path
	case *zk.SetDataRequest:
		return fmt.Sprintf("set %s version %d", op.Path, op.Version)
	case *zk.DeleteRequest:
		return fmt.Sprintf("delete %s version %d", op.Path, op.Version)
	case *zk.CheckVersionRequest:
		return fmt.Sprintf("check %s version %d", op.Path, op.Version)
	default:
		return fmt.Sprintf("%T", op)
	}
}
