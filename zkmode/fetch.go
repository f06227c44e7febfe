package zkmode

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-zookeeper/zk"
)

// parallelReads is how many reads loading keeps in flight. A ZooKeeper session
// pipelines requests on one connection, so a cluster with 100,000 partition state
// znodes loads in a fraction of the time of one read after the other.
const parallelReads = 64

// readNode is one read znode; missing reports that it does not exist.
type readNode struct {
	path    string
	data    []byte
	stat    *zk.Stat
	missing bool
}

// getAll reads paths, up to parallelReads at a time, and returns them in the order
// given. A znode that does not exist is returned with missing set rather than as an
// error: loading reads children listed a moment earlier, which may be gone by now (a
// broker that just stopped, a topic just deleted), as Kafka's own readers expect.
func getAll(ctx context.Context, r TreeReader, paths []string) ([]readNode, error) {
	out := make([]readNode, len(paths))
	err := inParallel(ctx, len(paths), func(ctx context.Context, i int) error {
		data, stat, err := r.Get(ctx, paths[i])
		switch {
		case errors.Is(err, zk.ErrNoNode):
			out[i] = readNode{path: paths[i], missing: true}
		case err != nil:
			return readError("read", paths[i], err)
		default:
			out[i] = readNode{path: paths[i], data: data, stat: stat}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// inParallel runs fn for 0..n-1, up to parallelReads at a time, and returns the first
// error, after which no new call starts.
func inParallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range min(parallelReads, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					errOnce.Do(func() {
						firstErr = err
						cancel()
					})
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// children lists a znode's children; a missing parent has none, since Kafka creates
// most parents lazily.
func children(ctx context.Context, r TreeReader, path string) ([]string, error) {
	names, err := r.Children(ctx, path)
	switch {
	case errors.Is(err, zk.ErrNoNode):
		return nil, nil
	case err != nil:
		return nil, readError("list", path, err)
	}
	return names, nil
}

// readError names the znode in a reader's error, unless the reader already did (Conn
// does), so that the message says which znode failed exactly once.
func readError(op, path string, err error) error {
	if strings.Contains(err.Error(), path) {
		return err
	}
	return fmt.Errorf("%s %s: %w", op, path, err)
}
