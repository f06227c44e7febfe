package kraftbroker

import (
	"sync"
	"sync/atomic"

	"github.com/kbridge/kbridge/metadata"
)

// leadershipSuspension is what a BrokerSource serves while its broker must lead
// nothing although the log names it leader: the log's images with the broker's
// leaderships taken out (metadata.Image.WithoutLeader).
type leadershipSuspension struct {
	on atomic.Bool
	// last caches the image served for the last log image, so that Image, called
	// on every request, does not clone the image each time.
	last atomic.Pointer[servedImage]
	// mu orders deliveries: the feed's images and the current image delivered
	// again when the suspension starts or ends.
	mu   sync.Mutex
	subs []func(*metadata.Image)
}

type servedImage struct{ from, served *metadata.Image }

// SuspendLeadership makes the source serve, while on, images in which this broker
// leads no partition, and tells every subscriber at once, in either direction.
// node calls it for a migrating broker on a quorum frozen for a rollback while it
// cannot read ZooKeeper: ZooKeeper's controller may have given its leaderships to
// others, and the frozen log will never say so, so leading from it would put the
// quorum's decisions in force beside ZooKeeper's.
func (s *BrokerSource) SuspendLeadership(on bool, reason string) {
	if s.hold.on.Swap(on) == on {
		return
	}
	if on {
		s.log.Warn("leading no partition the metadata log gives this broker", "reason", reason)
	} else {
		s.log.Info("leading what the metadata log gives this broker again", "reason", reason)
	}
	s.hold.mu.Lock()
	defer s.hold.mu.Unlock()
	img := s.served(s.feed.Image())
	for _, fn := range s.hold.subs {
		fn(img)
	}
}

// LeadershipSuspended tells whether SuspendLeadership holds the broker's leaderships.
func (s *BrokerSource) LeadershipSuspended() bool { return s.hold.on.Load() }

// served is what the source serves for the log's image img.
func (s *BrokerSource) served(img *metadata.Image) *metadata.Image {
	if img == nil || !s.hold.on.Load() {
		return img
	}
	if last := s.hold.last.Load(); last != nil && last.from == img {
		return last.served
	}
	served, _ := img.WithoutLeader(s.opts.NodeID)
	s.hold.last.Store(&servedImage{from: img, served: served})
	return served
}

// subscribe registers fn for every image the source serves, in order.
func (s *BrokerSource) subscribe(fn func(*metadata.Image)) {
	s.hold.mu.Lock()
	s.hold.subs = append(s.hold.subs, fn)
	s.hold.mu.Unlock()
	s.feed.Subscribe(func(img *metadata.Image) {
		s.hold.mu.Lock()
		defer s.hold.mu.Unlock()
		fn(s.served(img))
	})
}
