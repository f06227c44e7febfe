package kraftbroker

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// TestSuspendLeadership: while its leadership is suspended, a broker source serves
// images (Image, and to its subscribers at once and for every later log image) in
// which the broker leads nothing, though the log names it leader; the log itself is
// untouched, and resuming serves the log's leaders again at once.
func TestSuspendLeadership(t *testing.T) {
	tc := startController(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f, s := tc.startBrokerSource(t, ctx)
	if _, err := s.RegisterBroker(ctx, registration(101)); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitUnfenced(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got *metadata.Image
	s.Subscribe(func(img *metadata.Image) {
		mu.Lock()
		defer mu.Unlock()
		got = img
	})
	last := func() *metadata.Image {
		mu.Lock()
		defer mu.Unlock()
		return got
	}
	tc.createTopic(t, "before", 2)
	waitUntil(t, 10*time.Second, "broker 101 leading before-0 and before-1", func() bool { return leads(s.Image(), 101) == 2 })

	s.SuspendLeadership(true, "test")
	if n := leads(s.Image(), 101); n != 0 {
		t.Fatalf("suspended, the source's image gives broker 101 %d leaderships", n)
	}
	if n := leads(last(), 101); n != 0 {
		t.Fatalf("suspended, the subscriber's last image gives broker 101 %d leaderships", n)
	}
	if n := leads(f.Image(), 101); n != 2 {
		t.Fatalf("the log's own image changed: broker 101 leads %d partitions in it, want 2", n)
	}
	tc.createTopic(t, "during", 1)
	waitUntil(t, 10*time.Second, "the log's new topic served", func() bool {
		img := last()
		return img != nil && img.Topics["during"] != nil && img.Topics["during"].Partitions[0] != nil
	})
	if n := leads(last(), 101); n != 0 {
		t.Fatalf("suspended, a later image gives broker 101 %d leaderships", n)
	}

	s.SuspendLeadership(false, "test")
	if n := leads(last(), 101); n != 3 {
		t.Fatalf("resumed, the subscriber's last image gives broker 101 %d leaderships, want 3", n)
	}
	if n := leads(s.Image(), 101); n != 3 {
		t.Fatalf("resumed, the source's image gives broker 101 %d leaderships, want 3", n)
	}
}

// leads counts the partitions img gives broker id to lead.
func leads(img *metadata.Image, id int32) int {
	n := 0
	if img == nil {
		return 0
	}
	for _, t := range img.Topics {
		for _, p := range t.Partitions {
			if p.Leader == id {
				n++
			}
		}
	}
	return n
}
