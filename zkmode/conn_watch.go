package zkmode

import (
	"context"

	"github.com/go-zookeeper/zk"
)

// ZooKeeper watches are one-shot: each channel below receives exactly one event and
// is then closed. A data change, deletion or child change arrives as that event; if
// the session expires or the Conn is closed first, the event is zk.EventNotWatching
// with Err set to zk.ErrSessionExpired or zk.ErrClosing. Across a reconnect within the session, go-zookeeper sets the
// watches again itself. Event paths are chroot-relative.

// GetW reads a znode and watches it for a change of data or its deletion.
func (c *Conn) GetW(ctx context.Context, path string) ([]byte, *zk.Stat, <-chan zk.Event, error) {
	full, err := c.abs(path)
	if err != nil {
		return nil, nil, nil, znodeErr("get and watch", path, err)
	}
	var data []byte
	var stat *zk.Stat
	var ch <-chan zk.Event
	if err := doZK(ctx, func() (err error) { data, stat, ch, err = c.zk.GetW(full); return err }); err != nil {
		return nil, nil, nil, znodeErr("get and watch", path, err)
	}
	return data, stat, c.relEvents(ch), nil
}

// ChildrenW lists a znode's children and watches for a child created or deleted, or
// the znode's own deletion.
func (c *Conn) ChildrenW(ctx context.Context, path string) ([]string, <-chan zk.Event, error) {
	full, err := c.abs(path)
	if err != nil {
		return nil, nil, znodeErr("list and watch children of", path, err)
	}
	var children []string
	var ch <-chan zk.Event
	if err := doZK(ctx, func() (err error) { children, _, ch, err = c.zk.ChildrenW(full); return err }); err != nil {
		return nil, nil, znodeErr("list and watch children of", path, err)
	}
	return children, c.relEvents(ch), nil
}

// ExistsW tells whether a znode exists and watches for its creation, change or
// deletion: this is how a broker waits for /controller to go away.
func (c *Conn) ExistsW(ctx context.Context, path string) (bool, *zk.Stat, <-chan zk.Event, error) {
	full, err := c.abs(path)
	if err != nil {
		return false, nil, nil, znodeErr("check and watch", path, err)
	}
	var ok bool
	var stat *zk.Stat
	var ch <-chan zk.Event
	if err := doZK(ctx, func() (err error) { ok, stat, ch, err = c.zk.ExistsW(full); return err }); err != nil {
		return false, nil, nil, znodeErr("check and watch", path, err)
	}
	if !ok {
		stat = nil
	}
	return ok, stat, c.relEvents(ch), nil
}

// relEvents strips the chroot from the path of a watch's event.
func (c *Conn) relEvents(ch <-chan zk.Event) <-chan zk.Event {
	if c.chroot == "" {
		return ch
	}
	out := make(chan zk.Event, 1)
	go func() {
		defer close(out)
		for ev := range ch {
			ev.Path = c.rel(ev.Path)
			out <- ev
		}
	}()
	return out
}
