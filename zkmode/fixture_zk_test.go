package zkmode

import (
	"bytes"
	"context"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// kafka3Chroot is where the replayed cluster lives, as zookeeper.connect=host:port/kafka
// puts it: ZooKeeper ensembles are often shared, so a Kafka cluster rarely owns the
// root, and a loader that forgot the chroot would read the wrong tree or none.
const kafka3Chroot = "/kafka"

// replayTree writes tree into ZooKeeper through c, the way a Kafka cluster leaves it:
//   - znodes in creation order, so parents first, each with a plain Create: a fixture
//     that put a child before its parent fails here instead of getting a parent made
//     for it;
//   - ephemeral znodes from one session per owner, dialled to connect, since each
//     broker registers itself and the controller claims /controller from its own
//     broker's session;
//   - zkVersion n as n conditional SetData calls after the create, as the controller
//     bumps /controller_epoch and the partition states (the data is the fixture's
//     each time; only the final data and the version are visible).
//
// It returns the owners' sessions by the fixture's owner ids. They stay open until the
// test ends, and their ephemeral znodes with them.
func replayTree(ctx context.Context, t *testing.T, c *Conn, connect string, tree *memTree) map[int64]*Conn {
	t.Helper()
	owners := map[int64]*Conn{}
	for _, n := range tree.znodes() {
		w, flags := c, int32(zk.FlagPersistent)
		if n.owner != 0 {
			if owners[n.owner] == nil {
				owners[n.owner] = dial(t, connect)
			}
			w, flags = owners[n.owner], zk.FlagEphemeral
		}
		if _, err := w.Create(ctx, n.path, n.data, flags); err != nil {
			t.Fatalf("replay: %v", err)
		}
		for v := int32(0); v < n.version; v++ {
			if _, err := w.Set(ctx, n.path, n.data, v); err != nil {
				t.Fatalf("replay zkVersion %d: %v", n.version, err)
			}
		}
	}
	return owners
}

// rawZNode is a znode as read from the server's root, outside the chroot.
type rawZNode struct {
	data []byte
	stat *zk.Stat
}

// shown prints znode data telling null (what Kafka's createRecursive writes) from
// zero bytes, which %q would print alike.
func shown(data []byte) string {
	if data == nil {
		return "null"
	}
	return strconv.Quote(string(data))
}

// TestLoadKafka3TreeFromZooKeeper is issue 5's acceptance 5 against a real ZooKeeper:
// kafka3Tree is replayed under a chroot in Kafka's exact layout (ephemeral broker and
// controller registrations owned by live sessions, persistent znodes with null or
// Kafka's JSON data, zkVersions from real SetData calls), and LoadTree through a
// chroot Conn gives what TestLoadKafka3Tree checks in memory, with the broker epochs
// the server's czxids.
func TestLoadKafka3TreeFromZooKeeper(t *testing.T) {
	srv := zktest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	tree := kafka3Tree()
	connect := srv.Addr() + kafka3Chroot
	kafka := dial(t, connect)
	owners := replayTree(ctx, t, kafka, connect, tree)
	if len(owners) != 4 {
		t.Fatalf("replay opened %d owner sessions, want one per broker (4)", len(owners))
	}

	// Read back from the server's root, as Kafka's tools and zkCli.sh see the tree:
	// these stats, not the fixture's, are the truth the load is checked against.
	root := dial(t, srv.Addr())
	raw := map[string]rawZNode{}
	for _, n := range tree.znodes() {
		data, stat, err := root.Get(ctx, kafka3Chroot+n.path)
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		raw[n.path] = rawZNode{data, stat}
	}

	t.Run("layout under the chroot", func(t *testing.T) {
		for _, n := range tree.znodes() {
			full, r := kafka3Chroot+n.path, raw[n.path]
			if !bytes.Equal(r.data, n.data) || (r.data == nil) != (n.data == nil) {
				t.Errorf("%s = %s, want %s", full, shown(r.data), shown(n.data))
			}
			if r.stat.Version != n.version {
				t.Errorf("%s zkVersion = %d, want %d", full, r.stat.Version, n.version)
			}
			var owner int64
			if n.owner != 0 {
				owner = owners[n.owner].SessionID()
			}
			if r.stat.EphemeralOwner != owner {
				t.Errorf("%s ephemeral owner = %#x, want %#x (0: persistent)", full, r.stat.EphemeralOwner, owner)
			}
			// Through the chroot it is the same znode: the same bytes and stat.
			data, stat, err := kafka.Get(ctx, n.path)
			if err != nil {
				t.Error(err)
			} else if !bytes.Equal(data, r.data) || (data == nil) != (r.data == nil) || *stat != *r.stat {
				t.Errorf("%s through the chroot = %s %+v, from the root %s %+v", n.path, shown(data), *stat, shown(r.data), *r.stat)
			}
		}
		// No znode more and none less, seen from either side of the chroot. The chroot's
		// root is checked too: it must not show the server's /zookeeper.
		paths := []string{"/"}
		for _, n := range tree.znodes() {
			paths = append(paths, n.path)
		}
		for _, p := range paths {
			want := tree.children(p)
			full := kafka3Chroot
			if p != "/" {
				full += p
			}
			for _, read := range []struct {
				c    *Conn
				path string
			}{{kafka, p}, {root, full}} {
				got, err := read.c.Children(ctx, read.path)
				if err != nil {
					t.Error(err)
					continue
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("children of %s = %v, want %v", read.path, got, want)
				}
			}
		}
	})

	loaded, err := LoadTree(ctx, kafka)
	if err != nil {
		t.Fatalf("LoadTree through %s: %v", connect, err)
	}
	checkKafka3Tree(t, loaded, func(path string) int64 {
		if r, ok := raw[path]; ok {
			return r.stat.Czxid
		}
		return -1 // not replayed: no znode has this czxid, so the check fails
	})

	// Nothing the checker does not look at differs either: the image equals the
	// in-memory one once its broker epochs are the server's czxids.
	t.Run("same image as from memory", func(t *testing.T) {
		want := loadFixture(t, tree).Image
		for id, b := range want.Brokers {
			b.Epoch = raw[znode.BrokerPath(id)].stat.Czxid
		}
		if !reflect.DeepEqual(loaded.Image, want) {
			t.Errorf("image loaded from ZooKeeper differs from the in-memory load:\n got %+v\nwant %+v", loaded.Image, want)
		}
	})

	// The registrations live only as long as their sessions, as in Kafka: a stopped
	// broker is gone from the next load, and /controller, owned by broker 1, stays.
	t.Run("a stopped broker drops out", func(t *testing.T) {
		owners[brokerSession(4)].Close()
		deadline := time.Now().Add(20 * time.Second)
		for {
			ok, _, err := root.Exists(ctx, kafka3Chroot+znode.BrokerPath(4))
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s%s still exists 20s after its session closed", kafka3Chroot, znode.BrokerPath(4))
			}
			time.Sleep(50 * time.Millisecond)
		}
		again, err := LoadTree(ctx, kafka)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := again.Image.Brokers[4]; ok || len(again.Image.Brokers) != 3 {
			t.Errorf("brokers after broker 4 stopped = %v, want 1-3", slices.Sorted(maps.Keys(again.Image.Brokers)))
		}
		if c := again.Controller; c == nil || c.BrokerID != 1 {
			t.Errorf("Controller = %+v, want broker 1's, which is still running", c)
		}
	})
}
