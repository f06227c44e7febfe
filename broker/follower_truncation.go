package broker

import (
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// truncate runs one OffsetForLeaderEpoch round for the partitions that must find where
// their log diverges from the new leader's before fetching (KIP-101, KIP-279): it asks
// the leader for the end offset of our latest epoch, as replica ReplicaID, fenced by the
// leader epoch we know, and truncates there.
func (f *replicaFetcher) truncate(now time.Time) {
	f.mu.Lock()
	if f.steady {
		f.mu.Unlock()
		return
	}
	req := kmsg.NewPtrOffsetForLeaderEpochRequest()
	req.ReplicaID = f.m.id
	asked := make(map[topicPartition]*fetchPartition)
	topics := make(map[string]int)
	for _, fp := range f.dueLocked(stageTruncating, now) {
		epoch, ok := fp.p.log.LatestEpoch()
		if !ok {
			// Nothing to ask about: Kafka's fallback is the high watermark.
			f.truncateLocked(fp, fp.p.HighWatermark(), true, now)
			continue
		}
		tp := fp.p.tp
		i, ok := topics[tp.topic]
		if !ok {
			rt := kmsg.NewOffsetForLeaderEpochRequestTopic()
			rt.Topic = tp.topic
			req.Topics = append(req.Topics, rt)
			i = len(req.Topics) - 1
			topics[tp.topic] = i
		}
		rp := kmsg.NewOffsetForLeaderEpochRequestTopicPartition()
		rp.Partition = tp.partition
		rp.CurrentLeaderEpoch = fp.leaderEpoch
		rp.LeaderEpoch = epoch
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, rp)
		asked[tp] = fp
	}
	f.mu.Unlock()
	if len(asked) == 0 {
		return
	}
	kresp, err := f.request(req, 0)
	f.mu.Lock()
	defer f.mu.Unlock()
	now = time.Now()
	if err != nil {
		if f.ctx.Err() == nil {
			f.log.Warn("OffsetForLeaderEpoch to leader failed", "err", err)
		}
		for _, fp := range asked {
			fp.retryAt = now.Add(f.backoff())
		}
		return
	}
	for _, rt := range kresp.(*kmsg.OffsetForLeaderEpochResponse).Topics {
		for _, sp := range rt.Partitions {
			tp := topicPartition{rt.Topic, sp.Partition}
			fp := asked[tp]
			if fp == nil {
				continue
			}
			delete(asked, tp)
			if !f.currentLocked(fp, stageTruncating) {
				continue
			}
			if err := kerr.ErrorForCode(sp.ErrorCode); err != nil {
				f.partitionErrorLocked(fp, "OffsetForLeaderEpoch", err, now)
				continue
			}
			offset, done := truncationOffset(fp.p, sp.LeaderEpoch, sp.EndOffset)
			f.truncateLocked(fp, offset, done, now)
		}
	}
	for _, fp := range asked {
		fp.retryAt = now.Add(f.backoff()) // the leader did not answer for it
	}
}

// truncationOffset is Kafka's AbstractFetcherThread.getOffsetTruncationState: where to
// cut our log given the leader's answer for our latest epoch, and whether that is final.
// When the leader answers with an epoch we do not have, we cut to the end of our
// largest epoch below it and ask again with what is then our latest epoch.
func truncationOffset(p *Partition, leaderEpoch int32, leaderEnd int64) (int64, bool) {
	leo := p.log.LogEndOffset()
	switch {
	case leaderEnd < 0:
		// The leader knows no epoch at or below ours: fall back to the high watermark.
		return min(p.HighWatermark(), leo), true
	case leaderEpoch < 0:
		return min(leaderEnd, leo), true
	}
	followerEpoch, followerEnd := p.log.EndOffsetForEpoch(leaderEpoch)
	switch {
	case followerEnd < 0:
		return min(leaderEnd, leo), true
	case followerEpoch != leaderEpoch:
		return min(followerEnd, leo), false
	default:
		return min(followerEnd, leaderEnd, leo), true
	}
}

// truncateLocked cuts fp's log at offset; when the truncation is final, fetching starts
// from the new log end.
func (f *replicaFetcher) truncateLocked(fp *fetchPartition, offset int64, done bool, now time.Time) {
	tp := fp.p.tp
	if err := fp.p.truncateAsFollower(offset); err != nil {
		f.log.Error("truncate follower log", "topic", tp.topic, "partition", tp.partition, "offset", offset, "err", err)
		fp.retryAt = now.Add(f.backoff())
		return
	}
	if done {
		fp.stage = stageFetching
		fp.fetchOffset = fp.p.log.LogEndOffset()
		f.log.Debug("truncation done, fetching", "topic", tp.topic, "partition", tp.partition, "fetch_offset", fp.fetchOffset)
	}
}

// resolveOutOfRange is Kafka's handleOutOfRangeError: a follower ahead of the leader
// (after an unclean election) truncates to the leader's log end; one whose whole log is
// below the leader's log start starts over there; otherwise it fetches again from its
// own log end.
func (f *replicaFetcher) resolveOutOfRange(now time.Time) {
	f.mu.Lock()
	var fps []*fetchPartition
	if !f.steady {
		fps = f.dueLocked(stageOutOfRange, now)
	}
	f.mu.Unlock()
	for _, fp := range fps {
		leaderEnd, leaderStart, err := f.leaderLogBounds(fp)
		f.mu.Lock()
		if f.currentLocked(fp, stageOutOfRange) {
			if err != nil {
				f.partitionErrorLocked(fp, "ListOffsets", err, time.Now())
			} else {
				f.resetFetchOffsetLocked(fp, leaderEnd, leaderStart)
			}
		}
		f.mu.Unlock()
	}
}

func (f *replicaFetcher) resetFetchOffsetLocked(fp *fetchPartition, leaderEnd, leaderStart int64) {
	tp := fp.p.tp
	leo := fp.p.log.LogEndOffset()
	var err error
	switch {
	case leaderEnd < leo:
		f.log.Warn("follower is ahead of the leader; truncating to its log end", "topic", tp.topic,
			"partition", tp.partition, "log_end_offset", leo, "leader_log_end_offset", leaderEnd)
		err = fp.p.truncateAsFollower(leaderEnd)
	case leaderStart > leo:
		f.log.Info("follower is behind the leader's log start; starting over there", "topic", tp.topic,
			"partition", tp.partition, "log_end_offset", leo, "leader_log_start_offset", leaderStart)
		err = fp.p.restartAsFollower(leaderStart)
	default:
		// In range after all (the leader's log moved in between): fetch again, after the
		// backoff so that a leader that keeps contradicting itself is not hammered.
		fp.retryAt = time.Now().Add(f.backoff())
	}
	if err != nil {
		f.log.Error("reset follower log", "topic", tp.topic, "partition", tp.partition, "err", err)
		fp.retryAt = time.Now().Add(f.backoff())
		return
	}
	fp.stage = stageFetching
	fp.fetchOffset = fp.p.log.LogEndOffset()
}

// leaderLogBounds asks the leader for its log end and log start offsets with
// ListOffsets as a replica, which answers the log end rather than the high watermark.
// The log start is only asked for when the log end does not settle the matter.
func (f *replicaFetcher) leaderLogBounds(fp *fetchPartition) (end, start int64, err error) {
	if end, err = f.listOffset(fp, listOffsetsLatest); err != nil {
		return 0, 0, err
	}
	if end < fp.p.log.LogEndOffset() {
		return end, -1, nil
	}
	start, err = f.listOffset(fp, listOffsetsEarliest)
	return end, start, err
}

func (f *replicaFetcher) listOffset(fp *fetchPartition, timestamp int64) (int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = f.m.id
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = fp.p.tp.topic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition = fp.p.tp.partition
	rp.CurrentLeaderEpoch = fp.leaderEpoch
	rp.Timestamp = timestamp
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	kresp, err := f.request(req, 0)
	if err != nil {
		return 0, err
	}
	for _, t := range kresp.(*kmsg.ListOffsetsResponse).Topics {
		for _, p := range t.Partitions {
			if t.Topic == rt.Topic && p.Partition == rp.Partition {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					return 0, err
				}
				return p.Offset, nil
			}
		}
	}
	return 0, errors.New("ListOffsets answer lacks the partition")
}

// truncateAsFollower cuts the log at offset and keeps the high watermark inside it.
func (p *Partition) truncateAsFollower(offset int64) error {
	if err := p.log.TruncateTo(offset); err != nil {
		return fmt.Errorf("truncate to %d: %w", offset, err)
	}
	p.clampHW()
	return nil
}

// restartAsFollower empties the log and starts it at the leader's log start offset.
func (p *Partition) restartAsFollower(offset int64) error {
	if err := p.log.TruncateFullyAndStartAt(offset); err != nil {
		return err
	}
	p.clampHW()
	return nil
}

// followLogStart raises the follower's log start offset to the leader's, as Kafka's
// followers do, so that DeleteRecords on the leader reaches every replica; only as far
// as the high watermark, below which the follower knows its records are the leader's.
func (p *Partition) followLogStart(leaderStart int64) error {
	if leaderStart <= p.log.LogStartOffset() || leaderStart > p.HighWatermark() {
		return nil
	}
	_, err := p.log.DeleteRecordsBefore(leaderStart)
	return err
}
