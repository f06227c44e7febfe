package zkmode

import (
	"context"
	"errors"
	"path"

	"github.com/go-zookeeper/zk"
)

// Create creates a znode with world:anyone ACLs. flags is zk.FlagPersistent,
// zk.FlagEphemeral, zk.FlagSequence or zk.FlagEphemeralSequential; the returned path
// is the one the server made (with the sequence suffix, for sequential znodes),
// relative to the chroot.
func (c *Conn) Create(ctx context.Context, path string, data []byte, flags int32) (string, error) {
	full, err := c.abs(path)
	if err != nil {
		return "", znodeErr("create", path, err)
	}
	var created string
	if err := doZK(ctx, func() (err error) { created, err = c.zk.Create(full, data, flags, worldACL); return err }); err != nil {
		return "", znodeErr("create", path, err)
	}
	return c.rel(created), nil
}

// CreateRecursive creates a znode and, when its parent is missing, every missing
// ancestor first, as persistent znodes with null data: Kafka's createRecursive. It
// fails with zk.ErrNodeExists if the znode itself already exists.
func (c *Conn) CreateRecursive(ctx context.Context, p string, data []byte, flags int32) (string, error) {
	created, err := c.Create(ctx, p, data, flags)
	if !errors.Is(err, zk.ErrNoNode) {
		return created, err
	}
	if err := c.ensurePath(ctx, path.Dir(p)); err != nil {
		return "", err
	}
	return c.Create(ctx, p, data, flags)
}

// ensurePath creates p and each of its ancestors that is missing, as persistent
// znodes with null data; znodes that exist are left as they are.
func (c *Conn) ensurePath(ctx context.Context, p string) error {
	if p == "/" {
		return nil
	}
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		if _, err := c.Create(ctx, p[:i], nil, zk.FlagPersistent); err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return err
		}
	}
	return nil
}

// Set writes a znode's data if its version is version (-1: any version).
func (c *Conn) Set(ctx context.Context, path string, data []byte, version int32) (*zk.Stat, error) {
	full, err := c.abs(path)
	if err != nil {
		return nil, znodeErr("set", path, err)
	}
	var stat *zk.Stat
	if err := doZK(ctx, func() (err error) { stat, err = c.zk.Set(full, data, version); return err }); err != nil {
		return nil, znodeErr("set", path, err)
	}
	return stat, nil
}

// Delete deletes a znode if its version is version (-1: any version).
func (c *Conn) Delete(ctx context.Context, path string, version int32) error {
	full, err := c.abs(path)
	if err != nil {
		return znodeErr("delete", path, err)
	}
	if err := doZK(ctx, func() error { return c.zk.Delete(full, version) }); err != nil {
		return znodeErr("delete", path, err)
	}
	return nil
}
