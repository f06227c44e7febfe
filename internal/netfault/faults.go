package netfault

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// direction is one way between two members.
type direction struct{ from, to memberState }

// Cut drops every packet between a and b, both ways.
func (l *Layout) Cut(a, b string) error {
	dirs, err := l.bothWays(a, b)
	if err != nil {
		return err
	}
	return l.setDrops(kindCut, dirs, 0)
}

// CutOneWay drops the packets from "from" to "to" and lets the answers through; the
// package doc says what that does to TCP.
func (l *Layout) CutOneWay(from, to string) error {
	d, err := l.direction(from, to)
	if err != nil {
		return err
	}
	return l.setDrops(kindCut, []direction{d}, 0)
}

// Isolate cuts a member from every other member, the clients included.
func (l *Layout) Isolate(name string) error {
	return l.cutFromMatching(name, func(memberState) bool { return true })
}

// CutFrom cuts a member, both ways, from every other member that has any of the roles:
// CutFrom(b, ZooKeeper) leaves b talking to its peers and clients but not to
// ZooKeeper.
func (l *Layout) CutFrom(name string, roles Role) error {
	return l.cutFromMatching(name, func(m memberState) bool { return m.Roles&roles != 0 })
}

// CutFromZooKeeper cuts a member from the ZooKeeper servers only.
func (l *Layout) CutFromZooKeeper(name string) error { return l.CutFrom(name, ZooKeeper) }

// CutFromControllers cuts a member from the controllers only.
func (l *Layout) CutFromControllers(name string) error { return l.CutFrom(name, Controller) }

// CutFromClients cuts a member from the clients only: the root namespace, where the
// test's own clients and commands run.
func (l *Layout) CutFromClients(name string) error { return l.CutFrom(name, Clients) }

func (l *Layout) cutFromMatching(name string, match func(memberState) bool) error {
	m, err := l.member(name)
	if err != nil {
		return err
	}
	var dirs []direction
	for _, other := range l.st.Members {
		if other.Name != m.Name && match(other) {
			dirs = append(dirs, direction{m, other}, direction{other, m})
		}
	}
	if len(dirs) == 0 {
		return fmt.Errorf("netfault: %s has no peer to be cut from", name)
	}
	return l.setDrops(kindCut, dirs, 0)
}

// Loss drops the given percentage of packets between a and b, each way, at random
// (resolution 0.01%); 0 removes the loss.
func (l *Layout) Loss(a, b string, percent float64) error {
	if percent < 0 || percent > 100 {
		return fmt.Errorf("netfault: loss of %v%%: want 0 to 100", percent)
	}
	dirs, err := l.bothWays(a, b)
	if err != nil {
		return err
	}
	return l.setDrops(kindLoss, dirs, int(math.Round(percent*lossScale/100)))
}

// Delay holds every packet between a and b, each way, for delay plus a uniform random
// part in [-jitter, +jitter] (so a jitter reorders packets); the round trip grows by
// twice the delay. It lasts until Heal, HealAll or Close, or until this process ends;
// a zero delay and jitter remove it.
func (l *Layout) Delay(a, b string, delay, jitter time.Duration) error {
	if delay < 0 || jitter < 0 {
		return fmt.Errorf("netfault: delay %v with jitter %v: neither may be negative", delay, jitter)
	}
	dirs, err := l.bothWays(a, b)
	if err != nil {
		return err
	}
	errs := l.stopDelays(dirs)
	if delay > 0 || jitter > 0 {
		for _, d := range dirs {
			errs = append(errs, l.startDelay(d, delay, jitter))
		}
	}
	return errors.Join(errs...)
}

// Heal removes every fault between a and b, both ways: cuts, loss and delay.
func (l *Layout) Heal(a, b string) error {
	dirs, err := l.bothWays(a, b)
	if err != nil {
		return err
	}
	errs := l.stopDelays(dirs)
	errs = append(errs, l.applyRules(func(r faultRule) bool { return covers(dirs, r) }, nil))
	return errors.Join(errs...)
}

// HealAll removes every fault of the layout.
func (l *Layout) HealAll() error {
	var dirs []direction
	for _, from := range l.st.Members {
		for _, to := range l.st.Members {
			if from.Name != to.Name {
				dirs = append(dirs, direction{from, to})
			}
		}
	}
	errs := l.stopDelays(dirs)
	errs = append(errs, l.applyRules(func(faultRule) bool { return true }, nil))
	return errors.Join(errs...)
}

// Dropped counts the packets from "from" to "to" that the cut and loss rules in force
// dropped; a test waits on it to know a packet was sent and lost. Heal forgets the
// counts of the rules it removes.
func (l *Layout) Dropped(from, to string) (uint64, error) {
	d, err := l.direction(from, to)
	if err != nil {
		return 0, err
	}
	rules, err := l.listRules()
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, r := range rules {
		if covers([]direction{d}, r) {
			n += r.packets
		}
	}
	return n, nil
}

// setDrops puts rules of one kind on the directions, replacing what that kind had there.
func (l *Layout) setDrops(kind string, dirs []direction, share int) error {
	var add []string
	if kind == kindCut || share > 0 {
		for _, d := range dirs {
			add = append(add, dropRule(kind, d.from, d.to, share))
		}
	}
	return l.applyRules(func(r faultRule) bool { return r.kind == kind && covers(dirs, r) }, add)
}

// covers says whether a rule is on one of the directions.
func covers(dirs []direction, r faultRule) bool {
	return slices.ContainsFunc(dirs, func(d direction) bool { return d.from.Name == r.from && d.to.Name == r.to })
}

func (l *Layout) direction(from, to string) (direction, error) {
	f, err := l.member(from)
	if err != nil {
		return direction{}, err
	}
	t, err := l.member(to)
	if err != nil {
		return direction{}, err
	}
	if f.Name == t.Name {
		return direction{}, fmt.Errorf("netfault: %s to itself is no link", from)
	}
	return direction{f, t}, nil
}

func (l *Layout) bothWays(a, b string) ([]direction, error) {
	d, err := l.direction(a, b)
	if err != nil {
		return nil, err
	}
	return []direction{d, {d.to, d.from}}, nil
}
