package checker

import "slices"

// firstOps keeps, for each key, the first op of each distinct variant (a value, a
// broker), and the keys in the order they were first seen, so violations come out in
// history order.
type firstOps[K, V comparable] struct {
	byKey map[K]map[V]Op
	keys  []K
}

func newFirstOps[K, V comparable]() *firstOps[K, V] {
	return &firstOps[K, V]{byKey: map[K]map[V]Op{}}
}

// add keeps op unless the key already has an op of that variant.
func (f *firstOps[K, V]) add(k K, v V, op Op) {
	if f.byKey[k] == nil {
		f.byKey[k] = map[V]Op{}
		f.keys = append(f.keys, k)
	}
	if _, seen := f.byKey[k][v]; !seen {
		f.byKey[k][v] = op
	}
}

// variants are a key's kept ops in history order.
func (f *firstOps[K, V]) variants(k K) []Op {
	var out []Op
	for _, op := range f.byKey[k] {
		out = append(out, op)
	}
	slices.SortFunc(out, func(a, b Op) int { return a.Seq - b.Seq })
	return out
}

// backwards finds, per key, an op of the kind whose offset went back from the previous
// one's: below it, or also equal to it when strict. It returns each such pair.
func backwards[K comparable](ops []Op, kind Kind, key func(Op) K, strict bool) [][2]Op {
	last := map[K]Op{}
	var out [][2]Op
	for _, op := range ops {
		if op.Kind != kind {
			continue
		}
		k := key(op)
		if prev, ok := last[k]; ok && (op.Offset < prev.Offset || strict && op.Offset == prev.Offset) {
			out = append(out, [2]Op{prev, op})
		}
		last[k] = op
	}
	return out
}
