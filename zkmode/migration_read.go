package zkmode

import "context"

// childrenAll lists the children of paths, up to parallelReads listings at a time (as
// getAll reads), in the order given; a znode that is gone has none.
func childrenAll(ctx context.Context, r TreeReader, paths []string) ([][]string, error) {
	out := make([][]string, len(paths))
	err := inParallel(ctx, len(paths), func(ctx context.Context, i int) error {
		kids, err := children(ctx, r, paths[i])
		out[i] = kids
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
