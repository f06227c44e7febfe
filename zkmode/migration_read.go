package zkmode

import (
	"context"
	"sync"
	"sync/atomic"
)

// childrenAll lists the children of paths, up to parallelReads listings at a time (as
// getAll reads), in the order given; a znode that is gone has none.
func childrenAll(ctx context.Context, r TreeReader, paths []string) ([][]string, error) {
	out := make([][]string, len(paths))
	if len(paths) == 0 {
		return out, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range min(parallelReads, len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(paths) || ctx.Err() != nil {
					return
				}
				kids, err := children(ctx, r, paths[i])
				if err != nil {
					errOnce.Do(func() {
						firstErr = err
						cancel()
					})
					return
				}
				out[i] = kids
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, ctx.Err()
}
