package zkmode

import (
	"context"
	"errors"
	"sync"

	"github.com/go-zookeeper/zk"
)

// watchingReader is the TreeReader a Source loads through: every znode it reads gets
// one watch (data for Get, children for Children), and a fired watch asks for a
// reload. A znode read while it does not exist gets an exists watch instead, since
// ZooKeeper sets no data or child watch on a missing znode: that is how a load learns
// of a partition state znode the controller creates after the topic. Watches are armed before the read returns, so a change made after a load
// read a znode always triggers the next load; and each znode holds at most one armed
// watch, so reloads do not pile up watchers on znodes that never change.
type watchingReader struct {
	conn   *Conn
	reload func()

	mu       sync.Mutex
	data     map[string]bool
	children map[string]bool
	exists   map[string]bool
}

func newWatchingReader(conn *Conn, reload func()) *watchingReader {
	return &watchingReader{conn: conn, reload: reload, data: map[string]bool{}, children: map[string]bool{}, exists: map[string]bool{}}
}

// forget drops the record of armed watches; a new session has none.
func (w *watchingReader) forget() {
	w.mu.Lock()
	w.data, w.children, w.exists = map[string]bool{}, map[string]bool{}, map[string]bool{}
	w.mu.Unlock()
}

// claim reports whether the caller should arm a watch on path, marking it armed.
func (w *watchingReader) claim(armed map[string]bool, path string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if armed[path] {
		return false
	}
	armed[path] = true
	return true
}

func (w *watchingReader) release(armed map[string]bool, path string) {
	w.mu.Lock()
	delete(armed, path)
	w.mu.Unlock()
}

// await waits for one watch to fire, then un-arms it and asks for a reload.
func (w *watchingReader) await(armed map[string]bool, path string, ch <-chan zk.Event) {
	go func() {
		<-ch
		w.release(armed, path)
		w.reload()
	}()
}

// Get reads a znode and watches its data.
func (w *watchingReader) Get(ctx context.Context, path string) ([]byte, *zk.Stat, error) {
	if !w.claim(w.data, path) {
		return w.conn.Get(ctx, path)
	}
	data, stat, ch, err := w.conn.GetW(ctx, path)
	if err != nil {
		w.release(w.data, path)
		w.watchCreation(ctx, path, err)
		return nil, nil, err
	}
	w.await(w.data, path, ch)
	return data, stat, nil
}

// Children lists a znode's children and watches the list.
func (w *watchingReader) Children(ctx context.Context, path string) ([]string, error) {
	if !w.claim(w.children, path) {
		return w.conn.Children(ctx, path)
	}
	kids, ch, err := w.conn.ChildrenW(ctx, path)
	if err != nil {
		w.release(w.children, path)
		w.watchCreation(ctx, path, err)
		return nil, err
	}
	w.await(w.children, path, ch)
	return kids, nil
}

// watchCreation arms an exists watch on a znode a read found missing, so that its
// creation triggers a reload. If it was created between the read and the watch, the
// reload is asked for at once.
func (w *watchingReader) watchCreation(ctx context.Context, path string, readErr error) {
	if !errors.Is(readErr, zk.ErrNoNode) || !w.claim(w.exists, path) {
		return
	}
	ok, _, ch, err := w.conn.ExistsW(ctx, path)
	switch {
	case err != nil:
		w.release(w.exists, path)
	case ok:
		w.release(w.exists, path)
		w.reload()
	default:
		w.await(w.exists, path, ch)
	}
}
