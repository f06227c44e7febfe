package netfault

import (
	"io"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/kbridge/kbridge/internal/zktest"
)

// ruok asks a ZooKeeper server whether it is fine, from the root namespace (the
// clients).
func ruok(addr string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "ruok"); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	return string(b), err
}

// TestZooKeeperInANamespace: a real ZooKeeper server runs in a member's namespace on
// the member's address, serves the clients, and is out of their reach while cut from
// them.
func TestZooKeeperInANamespace(t *testing.T) {
	l := ForTest(t, Member{Name: "zk", Roles: ZooKeeper})
	host, err := l.Addr("zk")
	must(t, err)
	zk := zktest.StartIn(t, host.String(), func(cmd *exec.Cmd) error { return l.Wrap("zk", cmd) })
	if got, err := ruok(zk.Addr()); got != "imok" {
		t.Fatalf("ruok to %s: %q, %v", zk.Addr(), got, err)
	}
	must(t, l.CutFromClients("zk"))
	if got, err := ruok(zk.Addr()); err == nil {
		t.Fatalf("ZooKeeper answered %q across the cut", got)
	}
	must(t, l.Heal(ClientsName, "zk"))
	if got, err := ruok(zk.Addr()); got != "imok" {
		t.Fatalf("ruok after the heal: %q, %v", got, err)
	}
}
