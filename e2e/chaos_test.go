package e2e

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kbridge/kbridge/internal/netfault"
	"github.com/kbridge/kbridge/migrate"
)

// chaosRate is each chaos cluster's load in records a second.
const chaosRate = 100

// TestChaos is issue 16's chaos run: a 3+3 KRaft cluster, and a ZooKeeper-mode cluster
// of three brokers that migrates to a quorum of three controllers while it runs, each
// in network namespaces under an acks=all idempotent producer and a consumer group,
// with faults drawn from the seed (kill -9, SIGSTOP/SIGCONT, isolation, cuts from the
// controllers or ZooKeeper, one-way cuts, slow lossy links, ZooKeeper restarts) one at
// a time with recovery between them. The migration starts its controllers, commits,
// and rolls back or finalizes at points drawn from the seed, while faults strike. At
// the end the checker judges each cluster's history, and the KRaft controllers'
// metadata images must agree. `make chaos DURATION=10m SEED=7` runs it longer.
func TestChaos(t *testing.T) {
	t.Logf("chaos: seed %d, %v of faults per cluster (reproduce: make chaos SEED=%d DURATION=%v)", *chaosSeed, *chaosDuration, *chaosSeed, *chaosDuration)
	t.Run("KRaft", func(t *testing.T) {
		faultTestParallel(t)
		chaosKRaft(t, *chaosSeed, *chaosDuration)
	})
	t.Run("ZooKeeperMigration", func(t *testing.T) {
		faultTestParallel(t)
		chaosMigration(t, *chaosSeed+1, *chaosDuration)
	})
}

func chaosKRaft(t *testing.T, seed uint64, duration time.Duration) {
	l := kraftLayout(t, 3, 3)
	c := StartClusterWith(t, ClusterSpec{Controllers: 3, Brokers: 3, Network: l})
	const topic = "chaos"
	createReplicatedTopic(t, c.Client(), topic, 6, 3, "2")
	w := startFaultWorkload(t, c.BrokerAddrs(), topic, chaosRate)
	w.WaitAcked(60*time.Second, chaosRate, "before the first fault")
	nodes := append(append([]*Node(nil), c.Controllers...), c.Brokers...)
	anyNode := func(rng *rand.Rand) *Node { return nodes[rng.IntN(len(nodes))] }
	anyBroker := func(rng *rand.Rand) *Node { return c.Brokers[rng.IntN(len(c.Brokers))] }
	healNetwork := func() {
		if err := l.HealAll(); err != nil {
			t.Errorf("heal: %v", err)
		}
	}
	faults := append(processFaults(anyNode),
		chaosFault{"isolate", func(rng *rand.Rand) (string, func(), bool) {
			n := anyNode(rng)
			return n.Member, healNetwork, l.Isolate(n.Member) == nil
		}},
		chaosFault{"leader-cut-from-controllers", func(rng *rand.Rand) (string, func(), bool) {
			p, err := partitionSeenBy(anyBroker(rng).BrokerAddr, topic, int32(rng.IntN(6)))
			if err != nil || p.Leader < 0 {
				return "", nil, false
			}
			n := c.Broker(p.Leader)
			return n.Member, healNetwork, l.CutFromControllers(n.Member) == nil
		}},
		chaosFault{"one-way-broker-controller", func(rng *rand.Rand) (string, func(), bool) {
			id := leaderSeenBy(c.Controllers[rng.IntN(3)])
			if id < 1 || int(id) > len(c.Controllers) {
				return "", nil, false
			}
			from, to := anyBroker(rng).Member, c.Controllers[id-1].Member
			if rng.IntN(2) == 0 {
				from, to = to, from
			}
			return from + ">" + to, healNetwork, l.CutOneWay(from, to) == nil
		}},
		chaosFault{"active-controller-cut-from-quorum", func(rng *rand.Rand) (string, func(), bool) {
			id := leaderSeenBy(c.Controllers[rng.IntN(3)])
			if id < 1 || int(id) > len(c.Controllers) {
				return "", nil, false
			}
			n := c.Controllers[id-1]
			return n.Member, healNetwork, l.CutFrom(n.Member, netfault.Controller) == nil
		}},
		chaosFault{"slow-lossy-brokers", func(rng *rand.Rand) (string, func(), bool) {
			i := rng.IntN(3)
			a, b := c.Brokers[i], c.Brokers[(i+1+rng.IntN(2))%3]
			ok := l.Delay(a.Member, b.Member, 200*time.Millisecond, 20*time.Millisecond) == nil && l.Loss(a.Member, b.Member, 5) == nil
			return a.Member + "<>" + b.Member + " 200ms±20ms 5%", healNetwork, ok
		}},
	)
	r := newChaosRun(t, "kraft", seed, faults)
	r.run(duration, func(what string) {
		c.WaitVotersCaughtUp(t, 60*time.Second)
		recoverOrDump(t, w, nodes, what)
	})
	acked := w.finish(false)
	c.checkImagesAgree(t)
	t.Log(r.report(acked))
}

// recoverOrDump waits for the load to move again after a fault was healed; when it does
// not, every node prints its goroutines into its log (SIGQUIT) before the test fails,
// so that the log shows where the cluster is stuck.
func recoverOrDump(t *testing.T, w *faultWorkload, nodes []*Node, what string) {
	t.Helper()
	if w.ackedWithin(90*time.Second, chaosRate/2) {
		return
	}
	for _, n := range nodes {
		n.Quit()
	}
	t.Fatalf("no %d records acknowledged within 90 s of healing %s: the cluster did not recover (goroutine dumps in the nodes' logs)", chaosRate/2, what)
}

// processFaults are the faults that stop a whole process: kill -9 and a restart, and
// SIGSTOP and SIGCONT.
func processFaults(pick func(*rand.Rand) *Node) []chaosFault {
	return []chaosFault{
		{"kill-9", func(rng *rand.Rand) (string, func(), bool) {
			n := pick(rng)
			n.Kill()
			return n.Member, n.Start, true
		}},
		{"sigstop", func(rng *rand.Rand) (string, func(), bool) {
			n := pick(rng)
			n.Pause()
			return n.Member, n.Resume, true
		}},
	}
}

func chaosMigration(t *testing.T, seed uint64, duration time.Duration) {
	l := zkLayout(t, 3, 3)
	m := StartMigrationClusterIn(t, l, 3, 3)
	const topic = "chaos"
	createReplicatedTopic(t, m.Client(), topic, 6, 3, "2")
	w := startFaultWorkload(t, m.BrokerAddrs(), topic, chaosRate)
	w.WaitAcked(60*time.Second, chaosRate, "before the first fault")

	steps := &migrationSteps{m: m, t: t}
	anyBroker := func(rng *rand.Rand) *Node { return m.Brokers[rng.IntN(len(m.Brokers))] }
	healNetwork := func() {
		if err := l.HealAll(); err != nil {
			t.Errorf("heal: %v", err)
		}
	}
	faults := append(processFaults(anyBroker),
		chaosFault{"isolate-broker", func(rng *rand.Rand) (string, func(), bool) {
			n := anyBroker(rng)
			return n.Member, healNetwork, l.Isolate(n.Member) == nil
		}},
		chaosFault{"broker-cut-from-zookeeper", func(rng *rand.Rand) (string, func(), bool) {
			n := anyBroker(rng)
			return n.Member, healNetwork, l.CutFromZooKeeper(n.Member) == nil
		}},
		chaosFault{"zookeeper-kill-9", func(*rand.Rand) (string, func(), bool) {
			m.ZK.Kill()
			return zkMember, m.ZK.Start, true
		}},
		chaosFault{"controller-kill-9", func(rng *rand.Rand) (string, func(), bool) {
			if !steps.controllersStarted() {
				return "", nil, false
			}
			n := m.Controllers[rng.IntN(len(m.Controllers))]
			n.Kill()
			return n.Member, n.Start, true
		}},
		chaosFault{"controller-isolated", func(rng *rand.Rand) (string, func(), bool) {
			if !steps.controllersStarted() {
				return "", nil, false
			}
			n := m.Controllers[rng.IntN(len(m.Controllers))]
			return n.Member, healNetwork, l.CutFrom(n.Member, netfault.Controller) == nil
		}},
	)
	r := newChaosRun(t, "migration", seed, faults)
	// The migration's steps at points of the run drawn from the seed: controllers in
	// the first fifth, the commit by the middle, the rollback or finalize by four fifths.
	at := func(lo, hi float64) time.Duration {
		return time.Duration((lo + (hi-lo)*r.rng.Float64()) * float64(duration))
	}
	plan := []migrationStep{
		{"start-controllers", at(0.05, 0.2)},
		{"commit", at(0.25, 0.5)},
		{[]string{"rollback", "finalize"}[r.rng.IntN(2)], at(0.55, 0.8)},
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		steps.follow(r, plan)
	}()
	r.run(duration, func(what string) {
		recoverOrDump(t, w, append(append([]*Node(nil), m.Brokers...), m.Controllers...), what)
	})
	select {
	case <-done:
	case <-time.After(3 * time.Minute):
		t.Fatalf("the migration's steps %v did not all complete within 3 minutes of the faults' end", plan)
	}
	if err := steps.failure(); err != nil {
		t.Fatal(err)
	}
	acked := w.finish(false)
	t.Log(r.report(acked))
}

// migrationStep is one step of the chaos run's migration and when it is due.
type migrationStep struct {
	name string
	due  time.Duration
}

// migrationSteps carries out the chaos run's migration plan while faults strike:
// each step is retried until it succeeds, since a fault in force may refuse it (a
// commit waits for every broker to register, a finalize for a dual-write lag of 0).
type migrationSteps struct {
	m *MigrationCluster
	t *testing.T

	mu      sync.Mutex
	started bool
	err     error
}

func (s *migrationSteps) controllersStarted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

func (s *migrationSteps) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *migrationSteps) follow(r *chaosRun, plan []migrationStep) {
	for _, step := range plan {
		if wait := step.due - time.Since(r.start); wait > 0 {
			time.Sleep(wait) // the step's point in the run, drawn from the seed
		}
		r.record("migration step %s", step.name)
		if err := s.do(step.name); err != nil {
			s.mu.Lock()
			s.err = fmt.Errorf("migration step %s: %w", step.name, err)
			s.mu.Unlock()
			r.record("migration step %s failed: %v", step.name, err)
			return
		}
		r.record("migration step %s done", step.name)
	}
}

// do carries out one step, retrying for up to two minutes, and waits for its effect.
func (s *migrationSteps) do(name string) error {
	m := s.m
	if name == "start-controllers" {
		m.StartControllers()
		s.mu.Lock()
		s.started = true
		s.mu.Unlock()
		return s.until("the migration ready to commit", func() bool {
			st := m.Status()
			return st.Phase == migrate.PhasePreMigration && st.SubState == "READY"
		})
	}
	args := map[string][]string{
		"commit":   {"migrate", "commit"},
		"rollback": {"migrate", "rollback"},
		"finalize": {"migrate", "finalize", "--min-soak", "0s", "--yes"},
	}[name]
	var last string
	err := s.until(name+" accepted", func() bool {
		for _, n := range m.Controllers {
			out, errOut, err := RunWithInput(s.t, nil, append(args, "--controller", n.BrokerAddr)...)
			if err == nil {
				return true
			}
			last = strings.TrimSpace(out + errOut)
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("%w (last answer: %s)", err, last)
	}
	switch name {
	case "commit":
		return s.until("every broker on the quorum", func() bool {
			st := m.Status()
			return st.Phase == migrate.PhaseBrokersOnKRaft && st.DriverState == migrate.DriverDualWrite
		})
	case "rollback":
		return s.until("every broker back on ZooKeeper", func() bool {
			for _, n := range m.Brokers {
				if !strings.Contains(n.Log(), "moved back to ZooKeeper in place") {
					return false
				}
			}
			return true
		})
	}
	return nil
}

// until polls cond for up to two minutes.
func (s *migrationSteps) until(what string, cond func() bool) error {
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after 2m waiting for %s", what)
		}
		time.Sleep(500 * time.Millisecond)
	}
	return nil
}
