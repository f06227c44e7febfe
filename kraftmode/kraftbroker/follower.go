package kraftbroker

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// warnEvery spaces out warnings about an unreachable quorum, so a long outage is
// visible in the log without a line per retry.
const warnEvery = 10 * time.Second

// FollowerOptions configures a broker's follower of the metadata log.
type FollowerOptions struct {
	// NodeID is the broker's node.id, sent as the fetch's replica id so the leader
	// lists it among the quorum's observers.
	NodeID    int32
	ClusterID string
	// Voters is controller.quorum.voters: where the leader may be.
	Voters []kraftmode.Voter
	// MaxWait bounds one long-poll fetch; 0 means 500 ms.
	MaxWait time.Duration
	// RequestTimeout is controller.quorum.request.timeout.ms: how long past MaxWait a
	// fetch waits for its answer before the connection is given up. A fetch sent into
	// a network cut is never answered; until it times out the broker's image cannot
	// move, so this bounds how stale the image stays once the cut heals. 0 means 2 s.
	RequestTimeout time.Duration
	// Security is how the follower connects to the controller listener (TLS when it
	// is mapped to SSL); the zero value is plaintext TCP.
	Security kwire.Security
	Logger   *slog.Logger
}

// MetadataFollower is how a broker-only node reads the metadata log: it fetches the
// committed log from the quorum leader, as Kafka's observers do, and applies it to its
// own Image with the controllers' FSM step (kraftmode.ApplyRecords, and
// kraftmode.ApplySnapshot for a snapshot), so both hold the same image at the same
// offset.
type MetadataFollower struct {
	opts FollowerOptions
	log  *slog.Logger

	current atomic.Pointer[metadata.Image]
	applied atomic.Int64 // Raft index the image reflects, counting skipped Raft entries
	hw      atomic.Int64 // the leader's commit index at the last fetch
	// freshAt is when (Unix ns) the newest fetch was sent whose answer left the image
	// caught up with the leader's commit index: the image holds everything the quorum
	// had committed at that time.
	freshAt atomic.Int64
	leader  atomic.Int32

	subMu sync.Mutex
	subs  []func(*metadata.Image)

	clients  map[int32]*kwire.Client
	next     int       // voter to try when no leader is known
	lastWarn time.Time // when a failing fetch was last logged above Debug
	stop     chan struct{}
	done     chan struct{}
}

// StartMetadataFollower begins following the log in the background.
func StartMetadataFollower(opts FollowerOptions) *MetadataFollower {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 500 * time.Millisecond
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 2 * time.Second
	}
	f := &MetadataFollower{
		opts:    opts,
		log:     opts.Logger.With("component", "metadata-follower", "node.id", opts.NodeID),
		clients: make(map[int32]*kwire.Client),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	img := metadata.NewImage()
	img.ClusterID = opts.ClusterID
	f.current.Store(img)
	f.leader.Store(-1)
	for _, v := range opts.Voters {
		f.clients[v.ID] = kwire.NewClientWith(v.Addr(), "kbridge-metadata-follower-"+strconv.Itoa(int(opts.NodeID)), opts.Security.Dialer())
	}
	go f.run()
	return f
}

// Image is the newest image this follower has applied.
func (f *MetadataFollower) Image() *metadata.Image { return f.current.Load() }

// Subscribe registers fn for every published image, called in order from the fetch
// goroutine.
func (f *MetadataFollower) Subscribe(fn func(*metadata.Image)) {
	f.subMu.Lock()
	defer f.subMu.Unlock()
	f.subs = append(f.subs, fn)
}

// AppliedOffset is the metadata log offset this follower has read through; it is what
// the broker reports in heartbeats as CurrentMetadataOffset.
func (f *MetadataFollower) AppliedOffset() int64 { return f.applied.Load() }

// LeaderID is the quorum leader the follower last fetched from, or -1.
func (f *MetadataFollower) LeaderID() int32 { return f.leader.Load() }

// CaughtUpSince reports whether the image holds everything the quorum had committed at
// some time at or after t: a broker that lost contact with the quorum trusts its image
// again only then (BrokerSource.SessionLost).
func (f *MetadataFollower) CaughtUpSince(t time.Time) bool { return f.freshAt.Load() >= t.UnixNano() }

// WaitCaughtUp blocks until the follower has applied everything the leader had
// committed when it last answered, and holds a bootstrapped image.
func (f *MetadataFollower) WaitCaughtUp(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		hw := f.hw.Load()
		if hw > 0 && f.applied.Load() >= hw && f.Image().MetadataVersion() > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the metadata log (applied %d of %d): %w", f.applied.Load(), hw, ctx.Err())
		case <-f.done:
			return fmt.Errorf("metadata follower stopped")
		case <-t.C:
		}
	}
}

// Close stops fetching.
func (f *MetadataFollower) Close() {
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
	<-f.done
	for _, c := range f.clients {
		c.Close()
	}
}

func (f *MetadataFollower) run() {
	defer close(f.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-f.stop
		cancel()
	}()
	backoff := 50 * time.Millisecond
	needSnapshot := false
	for ctx.Err() == nil {
		target := f.target()
		var err error
		if needSnapshot {
			err = f.loadSnapshot(ctx, target)
			needSnapshot = err != nil
		} else {
			needSnapshot, err = f.fetchOnce(ctx, target)
		}
		if err == nil {
			backoff = 50 * time.Millisecond
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if time.Since(f.lastWarn) >= warnEvery {
			f.log.Warn("cannot fetch the metadata log; retrying", "controller", target, "err", err)
			f.lastWarn = time.Now()
		} else {
			f.log.Debug("metadata fetch failed", "controller", target, "err", err)
		}
		f.leader.Store(-1)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

// target is the known leader, or the next voter in turn.
func (f *MetadataFollower) target() int32 {
	if l := f.leader.Load(); l >= 0 {
		if _, ok := f.clients[l]; ok {
			return l
		}
	}
	v := f.opts.Voters[f.next%len(f.opts.Voters)]
	f.next++
	return v.ID
}

// fetchOnce fetches from the log end and applies what comes back. It reports whether
// the leader asked for a snapshot to be loaded first.
func (f *MetadataFollower) fetchOnce(ctx context.Context, target int32) (bool, error) {
	req := kmsg.NewPtrFetchRequest()
	req.ReplicaID = f.opts.NodeID
	req.MaxWaitMillis = int32(f.opts.MaxWait / time.Millisecond)
	req.MinBytes = 1
	req.MaxBytes = 8 << 20
	rt := kmsg.NewFetchRequestTopic()
	rt.Topic = kraftmode.MetadataTopic
	rp := kmsg.NewFetchRequestTopicPartition()
	rp.Partition = 0
	rp.CurrentLeaderEpoch = -1
	rp.FetchOffset = f.applied.Load() + 1
	rp.LastFetchedEpoch = f.Image().Epoch
	rp.PartitionMaxBytes = 8 << 20
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)

	rctx, cancel := context.WithTimeout(ctx, f.opts.MaxWait+f.opts.RequestTimeout)
	defer cancel()
	sent := time.Now()
	kresp, err := f.clients[target].Request(rctx, req)
	if err != nil {
		return false, err
	}
	resp := kresp.(*kmsg.FetchResponse)
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		return false, fmt.Errorf("fetch response from controller %d has no __cluster_metadata-0", target)
	}
	p := resp.Topics[0].Partitions[0]
	if p.ErrorCode == kerr.NotLeaderForPartition.Code {
		if l := p.CurrentLeader.LeaderID; l >= 0 && l != target {
			f.leader.Store(l)
			return false, nil
		}
		return false, fmt.Errorf("controller %d knows no leader", target)
	}
	if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
		return false, fmt.Errorf("fetch from controller %d: %w", target, err)
	}
	f.leader.Store(target)
	if p.SnapshotID.EndOffset > 0 {
		return true, nil
	}
	if err := f.apply(p); err != nil {
		f.log.Error("cannot apply the metadata log; reloading from a snapshot", "err", err)
		return true, nil
	}
	f.hw.Store(p.HighWatermark)
	if f.applied.Load() >= p.HighWatermark {
		f.freshAt.Store(sent.UnixNano())
	}
	return false, nil
}

// apply applies the fetched batches as one new image.
func (f *MetadataFollower) apply(p kmsg.FetchResponseTopicPartition) error {
	batches, err := metadata.DecodeBatches(p.RecordBatches)
	if err != nil {
		return fmt.Errorf("decode metadata batches: %w", err)
	}
	applied := f.applied.Load()
	var next *metadata.Image
	for _, b := range batches {
		if b.BaseOffset <= applied {
			continue
		}
		if next == nil {
			next = f.Image().Clone()
		}
		if !b.Control {
			if err := kraftmode.ApplyRecords(next, b.Records); err != nil {
				return fmt.Errorf("apply metadata batch at offset %d: %w", b.BaseOffset, err)
			}
		}
		next.SetPosition(b.BaseOffset, b.LeaderEpoch)
		applied = b.BaseOffset
	}
	if next != nil {
		f.publish(next)
	}
	f.applied.Store(max(applied, p.LastStableOffset))
	return nil
}

// loadSnapshot replaces the image with the leader's, read in chunks.
func (f *MetadataFollower) loadSnapshot(ctx context.Context, target int32) error {
	var data bytes.Buffer
	var id kmsg.FetchSnapshotResponseTopicPartitionSnapshotID
	for {
		req := kmsg.NewPtrFetchSnapshotRequest()
		req.ReplicaID = f.opts.NodeID
		req.MaxBytes = 8 << 20
		rt := kmsg.NewFetchSnapshotRequestTopic()
		rt.Topic = kraftmode.MetadataTopic
		rp := kmsg.NewFetchSnapshotRequestTopicPartition()
		rp.CurrentLeaderEpoch = -1
		rp.SnapshotID.EndOffset, rp.SnapshotID.Epoch = id.EndOffset, id.Epoch
		rp.Position = int64(data.Len())
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		kresp, err := f.clients[target].Request(rctx, req)
		cancel()
		if err != nil {
			return err
		}
		resp := kresp.(*kmsg.FetchSnapshotResponse)
		if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
			return fmt.Errorf("fetch snapshot response from controller %d has no __cluster_metadata-0", target)
		}
		p := resp.Topics[0].Partitions[0]
		if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
			return fmt.Errorf("fetch snapshot from controller %d: %w", target, err)
		}
		id.EndOffset, id.Epoch = p.SnapshotID.EndOffset, p.SnapshotID.Epoch
		data.Write(p.Bytes)
		if int64(data.Len()) >= p.Size || len(p.Bytes) == 0 {
			break
		}
	}
	img := metadata.NewImage()
	img.ClusterID = f.opts.ClusterID
	if _, _, err := kraftmode.ApplySnapshot(img, data.Bytes()); err != nil {
		return fmt.Errorf("load metadata snapshot at offset %d: %w", id.EndOffset, err)
	}
	img.SetPosition(id.EndOffset, id.Epoch)
	f.publish(img)
	f.applied.Store(id.EndOffset)
	f.log.Info("loaded metadata snapshot", "offset", id.EndOffset, "topics", len(img.Topics), "bytes", data.Len())
	return nil
}

func (f *MetadataFollower) publish(img *metadata.Image) {
	f.current.Store(img)
	f.subMu.Lock()
	subs := f.subs
	f.subMu.Unlock()
	for _, fn := range subs {
		fn(img)
	}
}
