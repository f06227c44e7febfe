package zkmode

import (
	"bytes"
	"context"
	"path"
	"slices"

	"github.com/go-zookeeper/zk"
)

// zkView is what the writer knows of the znodes its operations touch: read just before
// writing, then kept up to date as requests are planned, so that each request is
// planned against the tree the requests before it leave. Nobody else writes these
// znodes during a migration; if someone did, a create or delete planned against what
// they changed fails its multi, and a set overwrites them with what the image says.
type zkView struct {
	present map[string]bool
	data    map[string][]byte
	// below holds, for each removeTree path that exists, everything under it, deepest
	// first.
	below map[string][]string
}

// readView reads every znode ops touch: the targets, the ancestors of the znodes they
// may create, and what lies under the subtrees they remove.
func readView(ctx context.Context, r TreeReader, ops []*migrationOp) (*zkView, error) {
	seen := map[string]bool{"/": true}
	var paths, roots []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	addAncestors := func(p string) {
		for dir := path.Dir(p); dir != "/"; dir = path.Dir(dir) {
			add(dir)
		}
	}
	for _, op := range ops {
		for _, ch := range op.changes {
			switch ch.kind {
			case changeUpsert:
				add(ch.path)
				addAncestors(ch.path)
			case changeNotify:
				addAncestors(ch.path)
			case changeRemove:
				add(ch.path)
			case changeRemoveTree:
				add(ch.path)
				roots = append(roots, ch.path)
			}
		}
	}
	nodes, err := getAll(ctx, r, paths)
	if err != nil {
		return nil, err
	}
	v := &zkView{present: map[string]bool{"/": true}, data: map[string][]byte{}, below: map[string][]string{}}
	for _, n := range nodes {
		v.present[n.path] = !n.missing
		v.data[n.path] = n.data
	}
	slices.Sort(roots)
	roots = slices.DeleteFunc(slices.Compact(roots), func(p string) bool { return !v.present[p] })
	return v, v.listBelow(ctx, r, roots)
}

// listBelow lists the subtrees under roots, level by level, each level's listings
// concurrently.
func (v *zkView) listBelow(ctx context.Context, r TreeReader, roots []string) error {
	type node struct{ root, path string }
	level := make([]node, len(roots))
	for i, root := range roots {
		level[i] = node{root, root}
	}
	for len(level) > 0 {
		paths := make([]string, len(level))
		for i, n := range level {
			paths[i] = n.path
		}
		kids, err := childrenAll(ctx, r, paths)
		if err != nil {
			return err
		}
		var next []node
		for i, n := range level {
			for _, k := range kids[i] {
				child := n.path + "/" + k
				v.present[child] = true
				v.below[n.root] = append(v.below[n.root], child)
				next = append(next, node{n.root, child})
			}
		}
		level = next
	}
	for root := range v.below {
		slices.Reverse(v.below[root])
	}
	return nil
}

// plan turns an operation into the requests that bring the znodes it touches from the
// view's state into the one it wants, and updates the view as if they were applied.
// An operation already reflected plans no request.
func (v *zkView) plan(op *migrationOp) plannedOp {
	out := plannedOp{kind: op.kind, subject: op.subject}
	var notes []znodeChange
	for _, ch := range op.changes {
		switch ch.kind {
		case changeUpsert:
			switch {
			case !v.present[ch.path]:
				out.reqs = v.createParents(out.reqs, ch.path)
				out.reqs = append(out.reqs, &zk.CreateRequest{Path: ch.path, Data: ch.data, Flags: zk.FlagPersistent})
				v.present[ch.path] = true
			case !bytes.Equal(v.data[ch.path], ch.data):
				// Any version, as Kafka's dual-write sets them: the fencing checks, not
				// the znode's zkVersion, make the write safe.
				out.reqs = append(out.reqs, &zk.SetDataRequest{Path: ch.path, Data: ch.data, Version: -1})
			}
			v.data[ch.path] = ch.data
		case changeRemove:
			out.reqs = v.remove(out.reqs, ch.path)
		case changeRemoveTree:
			for _, p := range v.below[ch.path] {
				out.reqs = v.remove(out.reqs, p)
			}
			out.reqs = v.remove(out.reqs, ch.path)
		case changeNotify:
			notes = append(notes, ch)
		}
	}
	if len(out.reqs) == 0 {
		return out
	}
	for _, ch := range notes {
		out.reqs = v.createParents(out.reqs, ch.path)
		out.reqs = append(out.reqs, &zk.CreateRequest{Path: ch.path, Data: ch.data, Flags: zk.FlagSequence})
	}
	return out
}

// createParents appends creates of p's missing ancestors, root first, with null
// data, as Kafka's createRecursive makes them.
func (v *zkView) createParents(reqs []any, p string) []any {
	dir := path.Dir(p)
	if v.present[dir] {
		return reqs
	}
	reqs = v.createParents(reqs, dir)
	v.present[dir] = true
	v.data[dir] = nil
	return append(reqs, &zk.CreateRequest{Path: dir, Flags: zk.FlagPersistent})
}

// remove appends the delete of p if it exists.
func (v *zkView) remove(reqs []any, p string) []any {
	if !v.present[p] {
		return reqs
	}
	v.present[p] = false
	delete(v.data, p)
	return append(reqs, &zk.DeleteRequest{Path: p, Version: -1})
}
