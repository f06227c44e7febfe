package e2e

import (
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The chaos run's knobs, set by `make chaos DURATION=10m SEED=7`; `make test` runs it
// for a minute with the default seed.
var (
	chaosDuration = flag.Duration("chaos.duration", time.Minute, "how long TestChaos injects faults into each cluster")
	chaosSeed     = flag.Uint64("chaos.seed", 1, "the seed TestChaos draws its faults from")
)

// chaosFault is one kind of fault: apply breaks something and returns what it broke,
// for the record, and how to mend it. A fault that cannot apply now (the migration's
// controllers are not started yet, say) returns ok false and another is drawn.
type chaosFault struct {
	kind  string
	apply func(rng *rand.Rand) (what string, heal func(), ok bool)
}

// chaosRun injects faults into one cluster, one at a time: each holds for two to six
// seconds, is healed, and the next waits until the load has moved again, so every
// fault strikes a cluster that had recovered from the last. It records every fault
// with its time for the report.
type chaosRun struct {
	t      *testing.T
	name   string
	rng    *rand.Rand
	start  time.Time
	faults []chaosFault

	mu     sync.Mutex
	counts map[string]int
	events []string
}

func newChaosRun(t *testing.T, name string, seed uint64, faults []chaosFault) *chaosRun {
	return &chaosRun{t: t, name: name, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), start: time.Now(),
		faults: faults, counts: map[string]int{}}
}

// record notes an event with its time since the run began, and logs it as it happens.
func (r *chaosRun) record(format string, args ...any) {
	line := fmt.Sprintf("%7.1fs %s: %s", time.Since(r.start).Seconds(), r.name, fmt.Sprintf(format, args...))
	r.mu.Lock()
	r.events = append(r.events, line)
	r.mu.Unlock()
	r.t.Log(line)
}

// run injects faults until the duration has passed; between faults recovered waits
// until the cluster has recovered (the load moved again). Each fault is healed even
// when the test fails while it holds.
func (r *chaosRun) run(duration time.Duration, recovered func(what string)) {
	r.start = time.Now()
	for time.Since(r.start) < duration {
		f := r.faults[r.rng.IntN(len(r.faults))]
		what, heal, ok := f.apply(r.rng)
		if !ok {
			continue
		}
		r.mu.Lock()
		r.counts[f.kind]++
		r.mu.Unlock()
		r.record("%s: %s", f.kind, what)
		hold := time.Duration(2000+r.rng.IntN(4000)) * time.Millisecond
		func() {
			defer heal()
			time.Sleep(hold) // the fault's span, drawn from the seed: not a wait for an event
		}()
		r.record("healed %s after %v", f.kind, hold)
		recovered(what)
		r.record("recovered")
	}
}

// report is the run's faults by kind and its event list.
func (r *chaosRun) report(acked int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var kinds []string
	total := 0
	for _, k := range slices.Sorted(maps.Keys(r.counts)) {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, r.counts[k]))
		total += r.counts[k]
	}
	return fmt.Sprintf("chaos %s: %d faults (%s); %d records acknowledged; checker: lost 0, duplicated 0, no other violation\n%s",
		r.name, total, strings.Join(kinds, " "), acked, strings.Join(r.events, "\n"))
}
