package zkmode

import (
	"context"

	"github.com/go-zookeeper/zk"
)

// Get reads a znode's data and stat.
func (c *Conn) Get(ctx context.Context, path string) ([]byte, *zk.Stat, error) {
	full, err := c.abs(path)
	if err != nil {
		return nil, nil, znodeErr("get", path, err)
	}
	var data []byte
	var stat *zk.Stat
	if err := doZK(ctx, func() (err error) { data, stat, err = c.zk.Get(full); return err }); err != nil {
		return nil, nil, znodeErr("get", path, err)
	}
	return data, stat, nil
}

// Children lists a znode's children, names only, in the server's order.
func (c *Conn) Children(ctx context.Context, path string) ([]string, error) {
	full, err := c.abs(path)
	if err != nil {
		return nil, znodeErr("list children of", path, err)
	}
	var children []string
	if err := doZK(ctx, func() (err error) { children, _, err = c.zk.Children(full); return err }); err != nil {
		return nil, znodeErr("list children of", path, err)
	}
	return children, nil
}

// Exists tells whether a znode exists; its stat when it does.
func (c *Conn) Exists(ctx context.Context, path string) (bool, *zk.Stat, error) {
	full, err := c.abs(path)
	if err != nil {
		return false, nil, znodeErr("check existence of", path, err)
	}
	var ok bool
	var stat *zk.Stat
	if err := doZK(ctx, func() (err error) { ok, stat, err = c.zk.Exists(full); return err }); err != nil {
		return false, nil, znodeErr("check existence of", path, err)
	}
	if !ok {
		return false, nil, nil
	}
	return true, stat, nil
}
