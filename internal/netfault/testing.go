package netfault

import "testing"

// ForTest builds a layout for a test and closes it when the test ends, failed or not.
// Where namespaces cannot be made it fails the test with the reason: a test that
// needs a network to break never passes by skipping.
func ForTest(t testing.TB, members ...Member) *Layout {
	t.Helper()
	l, err := New(members...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			l.logFaults(t)
		}
		if err := l.Close(); err != nil {
			t.Errorf("close layout %s: %v", l.Prefix(), err)
		}
	})
	return l
}

// logFaults shows the faults in force when a test failed: the hub's whole ruleset.
func (l *Layout) logFaults(t testing.TB) {
	out, err := runIn(l.hub(), nil, "nft", "list", "ruleset")
	if err != nil {
		t.Logf("netfault: list the faults of %s: %v", l.Prefix(), err)
		return
	}
	t.Logf("netfault: faults of layout %s (subnet %s) when the test failed:\n%s", l.Prefix(), l.Subnet(), out)
}
