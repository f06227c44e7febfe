package kraftmode

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/hashicorp/raft"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Fetch: v12, FetchSnapshot: v0-1 (on __cluster_metadata-0 only)
//
// Behavior:
// * Brokers follow the metadata log by fetching it from the quorum leader, as Kafka's
//   observers do. The offset is the Raft index: FetchOffset is the next index wanted,
//   and each returned batch carries its Raft index as base offset. Raft's own entries
//   (no-ops, configuration) are skipped; LastStableOffset says how far the response
//   reaches, HighWatermark is the commit index.
// * Only committed entries are returned; a fetch at the end waits up to MaxWaitMillis.
// * An offset the log no longer has (compacted into a snapshot) is answered with the
//   SnapshotID to fetch; FetchSnapshot serves the leader's current image in Kafka's
//   snapshot format, in chunks of MaxBytes.
// * A voter that is not the leader answers NOT_LEADER_OR_FOLLOWER with CurrentLeader.

// MetadataTopic is the metadata log's topic name in Kafka's protocol: the controller
// listener serves Fetch, FetchSnapshot and DescribeQuorum for its partition 0 only.
// It is exported for kraftbroker, whose follower fetches that partition and whose
// BrokerSource asks DescribeQuorum about it.
const MetadataTopic = "__cluster_metadata"

func init() {
	serve(1, 12, 12, handleMetadataFetch)
	serve(59, 0, 1, handleFetchSnapshot)
}

// logWatch lets fetches wait for the next applied entry.
type logWatch struct {
	mu sync.Mutex
	ch chan struct{}
}

func (w *logWatch) wait() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ch == nil {
		w.ch = make(chan struct{})
	}
	return w.ch
}

func (w *logWatch) notify() {
	w.mu.Lock()
	if w.ch != nil {
		close(w.ch)
		w.ch = nil
	}
	w.mu.Unlock()
}

func handleMetadataFetch(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.FetchRequest)
	resp := req.ResponseKind().(*kmsg.FetchResponse)
	for _, rt := range req.Topics {
		st := kmsg.NewFetchResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewFetchResponseTopicPartition()
			sp.Partition = rp.Partition
			if rt.Topic != MetadataTopic || rp.Partition != 0 {
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			} else {
				s.fetchMetadataLog(ctx, req, rp, &sp)
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}

func (s *ControllerServer) fetchMetadataLog(ctx context.Context, req *kmsg.FetchRequest, rp kmsg.FetchRequestTopicPartition, sp *kmsg.FetchResponseTopicPartition) {
	c := s.c
	sp.CurrentLeader.LeaderID = c.LeaderID()
	sp.CurrentLeader.LeaderEpoch = int32(c.raft.CurrentTerm())
	if !c.IsLeader() {
		sp.ErrorCode = kerr.NotLeaderForPartition.Code
		return
	}
	offset := max(rp.FetchOffset, 1)
	if req.ReplicaID >= 0 {
		c.RecordObserverFetch(req.ReplicaID, offset)
	}
	deadline := time.NewTimer(time.Duration(req.MaxWaitMillis) * time.Millisecond)
	defer deadline.Stop()
	for uint64(offset) > c.raft.CommitIndex() {
		select {
		case <-s.watch.wait():
			continue
		case <-deadline.C:
		case <-ctx.Done():
		}
		break
	}
	commit := c.raft.CommitIndex()
	first, err := c.store.FirstIndex()
	if err != nil {
		sp.ErrorCode = kerr.UnknownServerError.Code
		return
	}
	sp.HighWatermark = int64(commit)
	sp.LogStartOffset = int64(first)
	sp.LastStableOffset = offset - 1
	if first > 1 && uint64(offset) < first {
		s.pointToSnapshot(sp)
		return
	}
	maxBytes := int(rp.PartitionMaxBytes)
	var buf bytes.Buffer
	var entry raft.Log
	for i := uint64(offset); i <= commit; i++ {
		if err := c.store.GetLog(i, &entry); err != nil {
			if errors.Is(err, raft.ErrLogNotFound) && buf.Len() == 0 {
				s.pointToSnapshot(sp)
				return
			}
			break
		}
		if entry.Type == raft.LogCommand && len(entry.Data) >= 8 {
			if buf.Len() > 0 && buf.Len()+len(entry.Data) > maxBytes {
				break
			}
			start := buf.Len()
			buf.Write(entry.Data)
			binary.BigEndian.PutUint64(buf.Bytes()[start:], i)
		}
		sp.LastStableOffset = int64(i)
	}
	sp.RecordBatches = buf.Bytes()
}

// pointToSnapshot tells the fetcher to load a snapshot first.
func (s *ControllerServer) pointToSnapshot(sp *kmsg.FetchResponseTopicPartition) {
	img := s.c.Image()
	sp.SnapshotID.EndOffset = img.Offset
	sp.SnapshotID.Epoch = img.Epoch
}

// encodedSnapshot is the leader's image in snapshot format, kept while fetchers read
// it in chunks.
type encodedSnapshot struct {
	offset int64
	epoch  int32
	data   []byte
}

func handleFetchSnapshot(_ context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.FetchSnapshotRequest)
	resp := req.ResponseKind().(*kmsg.FetchSnapshotResponse)
	for _, rt := range req.Topics {
		st := kmsg.NewFetchSnapshotResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewFetchSnapshotResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.CurrentLeader.LeaderID = s.c.LeaderID()
			sp.CurrentLeader.LeaderEpoch = int32(s.c.raft.CurrentTerm())
			switch {
			case rt.Topic != MetadataTopic || rp.Partition != 0:
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			case !s.c.IsLeader():
				sp.ErrorCode = kerr.NotLeaderForPartition.Code
			default:
				s.snapshotChunk(rp, req.MaxBytes, &sp)
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp, nil
}

func (s *ControllerServer) snapshotChunk(rp kmsg.FetchSnapshotRequestTopicPartition, maxBytes int32, sp *kmsg.FetchSnapshotResponseTopicPartition) {
	snap, err := s.currentSnapshot(rp.Position == 0)
	if err != nil || (rp.Position > 0 && snap.offset != rp.SnapshotID.EndOffset) || rp.Position > int64(len(snap.data)) {
		sp.ErrorCode = kerr.SnapshotNotFound.Code
		return
	}
	sp.SnapshotID.EndOffset, sp.SnapshotID.Epoch = snap.offset, snap.epoch
	sp.Size = int64(len(snap.data))
	sp.Position = rp.Position
	end := min(int64(len(snap.data)), rp.Position+int64(max(maxBytes, 1)))
	sp.Bytes = snap.data[rp.Position:end]
}

// currentSnapshot encodes the current image, or returns the cached encoding while a
// fetcher is part-way through it (fresh=false).
func (s *ControllerServer) currentSnapshot(fresh bool) (*encodedSnapshot, error) {
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	if !fresh && s.snap != nil {
		return s.snap, nil
	}
	img := s.c.Image()
	if s.snap != nil && s.snap.offset == img.Offset {
		return s.snap, nil
	}
	if img.InTransaction() {
		return nil, errTransactionOpen
	}
	var buf bytes.Buffer
	if err := writeSnapshot(&buf, img.Offset, img.Epoch, img.Records()); err != nil {
		return nil, err
	}
	s.snap = &encodedSnapshot{offset: img.Offset, epoch: img.Epoch, data: buf.Bytes()}
	return s.snap, nil
}
