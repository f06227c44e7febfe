package zkmode

// maxOpsPerMulti bounds the ops of one controller multi besides its epoch check: a
// multi is one ZooKeeper request, which jute.maxbuffer (1 MiB by default) limits, and
// one broker failure can change the state of thousands of partitions.
const maxOpsPerMulti = 500

// writeUnit is ops that must be applied together or not at all: one partition's new
// state, or the last znodes of a deleted topic.
type writeUnit []any

// write applies units in order, in as few multis as maxOpsPerMulti allows. A multi
// fails whole when one of its ops fails (a state znode whose leader changed the ISR
// meanwhile is at a newer zkVersion), so a failed multi of several units is retried
// unit by unit: one stale partition does not hold the others back. errs[i] is unit
// i's own failure, nil when it was applied. A non-nil err ends the term (fenced or
// stopped); the units not yet written then have no error of their own.
func (t *controllerTerm) write(units []writeUnit) (errs []error, err error) {
	errs = make([]error, len(units))
	for start := 0; start < len(units); {
		end, ops := start, 0
		for end < len(units) && (end == start || ops+len(units[end]) <= maxOpsPerMulti) {
			ops += len(units[end])
			end++
		}
		err := t.multi(units[start:end])
		switch {
		case err == nil:
		case t.over(err):
			return errs, err
		case end-start == 1:
			errs[start] = err
		default:
			for i := start; i < end; i++ {
				if err := t.multi(units[i : i+1]); err != nil {
					if t.over(err) {
						return errs, err
					}
					errs[i] = err
				}
			}
		}
		start = end
	}
	return errs, nil
}

// multi writes units as one fenced multi.
func (t *controllerTerm) multi(units []writeUnit) error {
	var ops []any
	for _, u := range units {
		ops = append(ops, u...)
	}
	_, err := t.w.Multi(t.ctx, ops...)
	return err
}
