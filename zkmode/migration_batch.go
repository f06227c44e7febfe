package zkmode

import "github.com/go-zookeeper/zk"

// Bounds of one dual-write multi. ZooKeeper refuses a request larger than
// jute.maxbuffer (1 MiB unless the server raised it) and holds a whole multi in memory
// while it applies it, so a large write (a full reconcile, a topic with thousands of
// partitions) is split; the byte bound leaves room for the response and for what the
// estimate leaves out.
const (
	// maxMultiRequests counts the two fencing requests every multi starts with.
	maxMultiRequests = 500
	maxMultiBytes    = 512 << 10
	// requestOverhead is a request's encoding beside its path and data: the multi
	// header, length prefixes, version or flags, and a Create's world ACL.
	requestOverhead = 48
)

// plannedOp is one dual-write operation as requests against the tree as read: only
// the requests still needed, in order.
type plannedOp struct {
	kind    string
	subject string
	reqs    []any
}

// multi is the requests of one transaction after the fencing requests, and the
// operations they come from (an operation too large for one multi is in several).
type multi struct {
	ops   []plannedOp
	reqs  []any
	bytes int
}

// batchOps packs ops, in order, into multis within the bounds. An operation's requests
// share a multi whenever they fit in one, so that it is applied all or nothing; one
// that does not fit in an empty multi is split, in order, which keeps parents created
// before their children and children deleted before their parents. With no ops there
// is one empty multi, which only moves /migration.
func batchOps(ops []plannedOp) []multi {
	const limit = maxMultiRequests - 2
	var out []multi
	var cur multi
	flush := func() {
		if len(cur.reqs) > 0 {
			out = append(out, cur)
		}
		cur = multi{}
	}
	for _, op := range ops {
		size := 0
		for _, r := range op.reqs {
			size += requestSize(r)
		}
		if len(cur.reqs)+len(op.reqs) > limit || cur.bytes+size > maxMultiBytes {
			flush()
		}
		cur.ops = append(cur.ops, op)
		for _, r := range op.reqs {
			s := requestSize(r)
			if len(cur.reqs) > 0 && (len(cur.reqs)+1 > limit || cur.bytes+s > maxMultiBytes) {
				flush()
				cur.ops = append(cur.ops, op)
			}
			cur.reqs = append(cur.reqs, r)
			cur.bytes += s
		}
	}
	flush()
	if len(out) == 0 {
		out = []multi{{}}
	}
	return out
}

// requestSize estimates a multi request's size on the wire.
func requestSize(req any) int {
	switch r := req.(type) {
	case *zk.CreateRequest:
		return requestOverhead + len(r.Path) + len(r.Data)
	case *zk.SetDataRequest:
		return requestOverhead + len(r.Path) + len(r.Data)
	case *zk.DeleteRequest:
		return requestOverhead + len(r.Path)
	case *zk.CheckVersionRequest:
		return requestOverhead + len(r.Path)
	default:
		return requestOverhead
	}
}
