package netfault

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"
)

// udpPair opens a UDP socket in "to" on the test port, connected back from a socket in
// "from", and returns the sender and the receiver.
func udpPair(t *testing.T, l *Layout, from, to string) (sender, receiver *net.UDPConn) {
	t.Helper()
	dst := netip.MustParseAddrPort(addr(t, l, to))
	must(t, l.Do(to, func() error {
		var err error
		receiver, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(dst))
		if err != nil {
			return err
		}
		return receiver.SetReadBuffer(8 << 20)
	}))
	t.Cleanup(func() { receiver.Close() })
	must(t, l.Do(from, func() error {
		var err error
		sender, err = net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(dst))
		return err
	}))
	t.Cleanup(func() { sender.Close() })
	return sender, receiver
}

// sendNumbered sends n datagrams carrying their sequence numbers.
func sendNumbered(t *testing.T, c *net.UDPConn, n int) {
	t.Helper()
	for i := range n {
		if _, err := c.Write(binary.BigEndian.AppendUint32(nil, uint32(i))); err != nil {
			t.Fatalf("send datagram %d: %v", i, err)
		}
	}
}

// receiveNumbered reads datagrams until want have come, and returns their numbers in
// the order they came.
func receiveNumbered(t *testing.T, c *net.UDPConn, want int) []uint32 {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(waitTimeout))
	var got []uint32
	buf := make([]byte, 16)
	for len(got) < want {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("received %d of %d datagrams: %v", len(got), want, err)
		}
		got = append(got, binary.BigEndian.Uint32(buf[:n]))
	}
	return got
}

// TestLoss: 20% loss drops about a fifth of the datagrams, exactly those the loss rule
// counted; removed, it drops none.
func TestLoss(t *testing.T) {
	l := ForTest(t, Member{Name: "a", Roles: Broker}, Member{Name: "b", Roles: Broker})
	sender, receiver := udpPair(t, l, "a", "b")
	must(t, l.Loss("a", "b", 20))
	const n = 2000
	sendNumbered(t, sender, n)
	// Each datagram is either received or counted by the rule; the count may lag the
	// sends by a softirq, so it is read again whenever the receiver falls quiet, until
	// the two add up.
	got, lost := 0, 0
	deadline := time.Now().Add(waitTimeout)
	buf := make([]byte, 16)
	for got+lost < n {
		if time.Now().After(deadline) {
			t.Fatalf("received %d and lost %d of %d datagrams", got, lost, n)
		}
		receiver.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if _, err := receiver.Read(buf); err == nil {
			got++
			continue
		}
		lost = int(dropped(t, l, "a", "b"))
	}
	if got+lost != n {
		t.Fatalf("received %d and lost %d of %d datagrams", got, lost, n)
	}
	if share := float64(lost) / n; share < 0.14 || share > 0.26 {
		t.Fatalf("lost %d of %d datagrams (%.1f%%), want about 20%%", lost, n, 100*share)
	}
	t.Logf("lost %d of %d datagrams", lost, n)

	must(t, l.Loss("a", "b", 0))
	sendNumbered(t, sender, 100)
	receiveNumbered(t, receiver, 100)
}

// roundTrip measures one TCP connect from one member to another: SYN there, SYN-ACK back.
func roundTrip(t *testing.T, l *Layout, from, to string) time.Duration {
	t.Helper()
	start := time.Now()
	if _, err := dial(t, l, from, to, waitTimeout); err != nil {
		t.Fatalf("connect %s to %s: %v", from, to, err)
	}
	return time.Since(start)
}

// TestDelay: a 100 ms delay each way makes a connect take at least 200 ms, and data on
// an established connection too; after Heal the link is fast again.
func TestDelay(t *testing.T) {
	l := ForTest(t, Member{Name: "a", Roles: Broker}, Member{Name: "b", Roles: Broker})
	accepted := listen(t, l, "b")
	client, server := connect(t, l, "a", "b", accepted)

	const delay = 100 * time.Millisecond
	must(t, l.Delay("a", "b", delay, 0))
	if rtt := roundTrip(t, l, "a", "b"); rtt < 2*delay || rtt > 2*delay+time.Second {
		t.Fatalf("connect took %v with a %v delay each way, want just over %v", rtt, delay, 2*delay)
	}
	start := time.Now()
	send(t, client, "ping")
	receive(t, server, "ping", waitTimeout)
	send(t, server, "pong")
	receive(t, client, "pong", waitTimeout)
	if rtt := time.Since(start); rtt < 2*delay {
		t.Fatalf("ping-pong took %v with a %v delay each way", rtt, delay)
	}

	must(t, l.Heal("a", "b"))
	if rtt := roundTrip(t, l, "a", "b"); rtt >= 2*delay {
		t.Fatalf("connect took %v after the delay was healed", rtt)
	}
}

// TestDelayJitterReorders: a jitter as large as the delay reorders datagrams, and none
// is lost on the way or when the delay ends with packets still held.
func TestDelayJitterReorders(t *testing.T) {
	l := ForTest(t, Member{Name: "a", Roles: Broker}, Member{Name: "b", Roles: Broker})
	sender, receiver := udpPair(t, l, "a", "b")
	must(t, l.Delay("a", "b", 50*time.Millisecond, 50*time.Millisecond))
	const n = 500
	sendNumbered(t, sender, n)
	got := receiveNumbered(t, receiver, n)
	if !outOfOrder(got) {
		t.Fatalf("%d datagrams came in order under a 50±50 ms delay", n)
	}

	// Held packets are let go, not dropped, when the delay is healed.
	must(t, l.Delay("a", "b", time.Hour, 0))
	sendNumbered(t, sender, n)
	must(t, l.Heal("a", "b"))
	if got := receiveNumbered(t, receiver, n); len(got) != n {
		t.Fatalf("received %d of %d", len(got), n)
	}
}

func outOfOrder(seq []uint32) bool {
	for i := 1; i < len(seq); i++ {
		if seq[i] < seq[i-1] {
			return true
		}
	}
	return false
}

// TestDelayIsReplaced: setting a delay again replaces the first, and a zero delay
// removes it.
func TestDelayIsReplaced(t *testing.T) {
	l := ForTest(t, Member{Name: "a", Roles: Broker}, Member{Name: "b", Roles: Broker})
	listen(t, l, "b")
	must(t, l.Delay("a", "b", time.Hour, 0))
	must(t, l.Delay("a", "b", 100*time.Millisecond, 0))
	if rtt := roundTrip(t, l, "a", "b"); rtt < 200*time.Millisecond {
		t.Fatalf("connect took %v under a replaced 100 ms delay", rtt)
	}
	must(t, l.Delay("a", "b", 0, 0))
	if rtt := roundTrip(t, l, "a", "b"); rtt >= 200*time.Millisecond {
		t.Fatalf("connect took %v after the delay was removed", rtt)
	}
}
