package broker

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

var all3 = []int32{1, 2, 3}

// TestAcksAllWaitsForFollowers: an acks=all write is answered only once both followers
// hold it; with the followers gone it times out, the high watermark stays where it was
// and consumers cannot read past it, until the followers return and fetch.
func TestAcksAllWaitsForFollowers(t *testing.T) {
	c := newCluster(t, 3)
	c.createTopic("t", all3, 1, all3, nil)

	_, sp := c.produce(1, "t", -1, 10*time.Second, recordBatch(3, -1, 0))
	if sp.ErrorCode != 0 || sp.BaseOffset != 0 {
		t.Fatalf("acks=all produce: error %d, base offset %d", sp.ErrorCode, sp.BaseOffset)
	}
	for _, id := range []int32{2, 3} {
		if leo := c.partition(id, "t").log.LogEndOffset(); leo != 3 {
			t.Fatalf("acks=all answered while follower %d has log end offset %d, want 3", id, leo)
		}
	}

	c.stop(2)
	c.stop(3)
	_, sp = c.produce(1, "t", -1, 300*time.Millisecond, recordBatch(2, -1, 0))
	if sp.ErrorCode != kerr.RequestTimedOut.Code {
		t.Fatalf("acks=all without followers: error %d, want REQUEST_TIMED_OUT", sp.ErrorCode)
	}
	leader := c.partition(1, "t")
	if leo, hw := leader.log.LogEndOffset(), leader.HighWatermark(); leo != 5 || hw != 3 {
		t.Fatalf("leader log end offset %d, high watermark %d; want 5, 3", leo, hw)
	}
	if got := c.latestOffset(1, "t"); got != 3 {
		t.Fatalf("ListOffsets latest = %d, want the high watermark 3", got)
	}
	_, fp := c.consume(1, "t", 3)
	if fp.ErrorCode != 0 || len(fp.RecordBatches) != 0 || fp.HighWatermark != 3 {
		t.Fatalf("consumer fetch above the high watermark: error %d, %d bytes, high watermark %d", fp.ErrorCode, len(fp.RecordBatches), fp.HighWatermark)
	}

	c.start(2)
	c.start(3)
	waitFor(t, "the high watermark to reach the log end", func() bool { return leader.HighWatermark() == 5 })
	_, fp = c.consume(1, "t", 3)
	if fp.ErrorCode != 0 || len(fp.RecordBatches) == 0 || fp.HighWatermark != 5 {
		t.Fatalf("consumer fetch once replicated: error %d, %d bytes, high watermark %d", fp.ErrorCode, len(fp.RecordBatches), fp.HighWatermark)
	}
	c.waitForLogs("t", 5, all3...)
}

// TestLeaderChangeTruncatesDivergentLog: records the old leader wrote with acks=1 while
// its followers were away are not in the new leader's log. The new leader then writes
// past the old leader's log end, so only OffsetForLeaderEpoch (not OFFSET_OUT_OF_RANGE)
// can reveal the divergence; the old leader truncates and ends with the same log.
func TestLeaderChangeTruncatesDivergentLog(t *testing.T) {
	c := newCluster(t, 3)
	c.createTopic("t", all3, 1, all3, nil)
	if _, sp := c.produce(1, "t", -1, 10*time.Second, recordBatch(4, -1, 0)); sp.ErrorCode != 0 {
		t.Fatalf("acks=all produce: error %d", sp.ErrorCode)
	}
	c.stop(2)
	c.stop(3)
	for range 3 {
		if _, sp := c.produce(1, "t", 1, time.Second, recordBatch(2, -1, 0)); sp.ErrorCode != 0 {
			t.Fatalf("acks=1 produce: error %d", sp.ErrorCode)
		}
	}
	if leo := c.partition(1, "t").log.LogEndOffset(); leo != 10 {
		t.Fatalf("old leader log end offset %d, want 10", leo)
	}
	c.stop(1)

	c.src.electLeader(t, "t", 2, []int32{2, 3})
	c.start(2)
	c.start(3)
	c.waitForLeader(2, "t", 2)
	// The new leader's epoch is in its history, starting at its log end, before it
	// writes anything.
	if e, ok := c.partition(2, "t").log.LatestEpoch(); !ok || e != 1 {
		t.Fatalf("new leader's latest epoch %d (%v), want 1", e, ok)
	}
	if e, o := c.partition(2, "t").log.EndOffsetForEpoch(0); e != 0 || o != 4 {
		t.Fatalf("new leader's EndOffsetForEpoch(0) = %d, %d; want 0, 4", e, o)
	}
	for i := range 4 {
		if _, sp := c.produce(2, "t", -1, 10*time.Second, recordBatch(2, -1, 0)); sp.ErrorCode != 0 || sp.BaseOffset != int64(4+2*i) {
			t.Fatalf("acks=all produce to the new leader: error %d, base offset %d", sp.ErrorCode, sp.BaseOffset)
		}
	}

	c.start(1)
	c.waitForLogs("t", 12, 2, 3, 1)
	waitFor(t, "the old leader to rejoin the ISR", func() bool { return slices.Contains(c.src.partition("t").ISR, 1) })
	if e, _ := c.partition(1, "t").log.LatestEpoch(); e != 1 {
		t.Fatalf("old leader's latest epoch %d, want the new leader's 1", e)
	}
}

// TestISRShrinksAndExpands: a follower that stops fetching leaves the ISR after
// replica.lag.time.max.ms, the remaining ISR commits writes without it, and it rejoins
// once it has caught up after a restart.
func TestISRShrinksAndExpands(t *testing.T) {
	c := newCluster(t, 3, "replica.lag.time.max.ms=600")
	c.createTopic("t", all3, 1, all3, nil)
	if _, sp := c.produce(1, "t", -1, 10*time.Second, recordBatch(2, -1, 0)); sp.ErrorCode != 0 {
		t.Fatalf("acks=all produce: error %d", sp.ErrorCode)
	}
	c.stop(3)
	// A follower at the log end of an idle partition is caught up however long it is
	// silent (only fencing by the controller removes it), so write: the write waits
	// for follower 3 until the shrink, then commits without it.
	start := time.Now()
	if _, sp := c.produce(1, "t", -1, 10*time.Second, recordBatch(3, -1, 0)); sp.ErrorCode != 0 {
		t.Fatalf("acks=all produce while follower 3 is away: error %d", sp.ErrorCode)
	}
	if waited := time.Since(start); waited < 600*time.Millisecond {
		t.Fatalf("acks=all answered after %v, before follower 3 could have left the ISR", waited)
	}
	if isr := c.src.partition("t").ISR; !slices.Equal(isr, []int32{1, 2}) {
		t.Fatalf("ISR %v after the shrink, want [1 2]", isr)
	}

	c.start(3)
	waitFor(t, "the ISR to expand to [1 2 3]", func() bool { return slices.Equal(c.src.partition("t").ISR, []int32{1, 2, 3}) })
	c.waitForLogs("t", 5, all3...)
}

// TestNotEnoughReplicas: acks=all is refused before the append while the ISR is under
// min.insync.replicas, works once a follower has joined, and a write waiting when the
// ISR shrinks under the minimum again is answered NOT_ENOUGH_REPLICAS_AFTER_APPEND.
func TestNotEnoughReplicas(t *testing.T) {
	c := newCluster(t, 1, "replica.lag.time.max.ms=600")
	c.createTopic("t", all3, 1, []int32{1}, map[string]string{"min.insync.replicas": "2"})
	_, sp := c.produce(1, "t", -1, 10*time.Second, recordBatch(1, -1, 0))
	if sp.ErrorCode != kerr.NotEnoughReplicas.Code {
		t.Fatalf("acks=all with ISR [1]: error %d, want NOT_ENOUGH_REPLICAS", sp.ErrorCode)
	}
	if leo := c.partition(1, "t").log.LogEndOffset(); leo != 0 {
		t.Fatalf("a refused write was appended: log end offset %d", leo)
	}
	if _, sp := c.produce(1, "t", 1, time.Second, recordBatch(1, -1, 0)); sp.ErrorCode != 0 {
		t.Fatalf("acks=1 with ISR [1]: error %d", sp.ErrorCode)
	}
	if hw := c.partition(1, "t").HighWatermark(); hw != 0 {
		t.Fatalf("high watermark %d under min.insync.replicas, want 0", hw)
	}

	c.start(2)
	waitFor(t, "broker 2 to join the ISR", func() bool { return slices.Equal(c.src.partition("t").ISR, []int32{1, 2}) })
	if _, sp := c.produce(1, "t", -1, 10*time.Second, recordBatch(1, -1, 0)); sp.ErrorCode != 0 {
		t.Fatalf("acks=all with ISR [1 2]: error %d", sp.ErrorCode)
	}

	c.stop(2)
	start := time.Now()
	_, sp = c.produce(1, "t", -1, 10*time.Second, recordBatch(1, -1, 0))
	if sp.ErrorCode != kerr.NotEnoughReplicasAfterAppend.Code {
		t.Fatalf("acks=all while the ISR shrinks: error %d, want NOT_ENOUGH_REPLICAS_AFTER_APPEND", sp.ErrorCode)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("answered after %v: the shrink, not the request timeout, should end the wait", waited)
	}
}

// TestProduceAndFetchToFollower: a follower refuses produce and consumer fetches with
// NOT_LEADER_OR_FOLLOWER and names the leader and its endpoint (KIP-951).
func TestProduceAndFetchToFollower(t *testing.T) {
	c := newCluster(t, 3)
	c.createTopic("t", all3, 1, all3, nil)
	leaderHost, leaderPort := splitHostPort(t, c.nodes[1].addr)

	resp, sp := c.produce(2, "t", -1, time.Second, recordBatch(1, -1, 0))
	if sp.ErrorCode != kerr.NotLeaderForPartition.Code {
		t.Fatalf("produce to a follower: error %d, want NOT_LEADER_OR_FOLLOWER", sp.ErrorCode)
	}
	if resp.Version < 10 {
		t.Fatalf("produce went out at v%d, want v10+ to see the current leader", resp.Version)
	}
	if sp.CurrentLeader.LeaderID != 1 || sp.CurrentLeader.LeaderEpoch != 0 {
		t.Fatalf("produce CurrentLeader %+v, want leader 1 epoch 0", sp.CurrentLeader)
	}
	if len(resp.Brokers) != 1 || resp.Brokers[0].NodeID != 1 || resp.Brokers[0].Host != leaderHost || resp.Brokers[0].Port != leaderPort {
		t.Fatalf("produce NodeEndpoints %+v, want broker 1 at %s", resp.Brokers, c.nodes[1].addr)
	}
	if leo := c.partition(2, "t").log.LogEndOffset(); leo != 0 {
		t.Fatalf("a follower appended a produced batch: log end offset %d", leo)
	}

	fresp, fp := c.consume(2, "t", 0)
	if fp.ErrorCode != kerr.NotLeaderForPartition.Code || fp.CurrentLeader.LeaderID != 1 || fp.CurrentLeader.LeaderEpoch != 0 {
		t.Fatalf("fetch from a follower: error %d, CurrentLeader %+v", fp.ErrorCode, fp.CurrentLeader)
	}
	if fresp.Version < 16 || len(fresp.Brokers) != 1 || fresp.Brokers[0].NodeID != 1 || fresp.Brokers[0].Port != leaderPort {
		t.Fatalf("fetch v%d NodeEndpoints %+v, want broker 1", fresp.Version, fresp.Brokers)
	}
}

// TestIdempotentDedupAfterFailover: the producer state a follower builds from fetched
// batches lets it, as the new leader, recognise a retry of a batch the old leader
// wrote, and keep checking sequences.
func TestIdempotentDedupAfterFailover(t *testing.T) {
	c := newCluster(t, 3)
	c.createTopic("t", all3, 1, all3, nil)
	const pid = 4242
	for seq := int32(0); seq < 6; seq += 2 {
		if _, sp := c.produce(1, "t", -1, 10*time.Second, recordBatch(2, pid, seq)); sp.ErrorCode != 0 || sp.BaseOffset != int64(seq) {
			t.Fatalf("idempotent produce seq %d: error %d, base offset %d", seq, sp.ErrorCode, sp.BaseOffset)
		}
	}
	c.stop(1)
	c.src.electLeader(t, "t", 2, []int32{2, 3})
	c.waitForLeader(2, "t", 2)

	// The producer did not see the answer for its last batch and sends it again.
	_, sp := c.produce(2, "t", -1, 10*time.Second, recordBatch(2, pid, 4))
	if sp.ErrorCode != 0 || sp.BaseOffset != 4 {
		t.Fatalf("retry after failover: error %d, base offset %d; want the original offset 4", sp.ErrorCode, sp.BaseOffset)
	}
	if leo := c.partition(2, "t").log.LogEndOffset(); leo != 6 {
		t.Fatalf("the retry was appended again: log end offset %d, want 6", leo)
	}
	if _, sp := c.produce(2, "t", -1, 10*time.Second, recordBatch(2, pid, 9)); sp.ErrorCode != kerr.OutOfOrderSequenceNumber.Code {
		t.Fatalf("sequence gap after failover: error %d, want OUT_OF_ORDER_SEQUENCE_NUMBER", sp.ErrorCode)
	}
	if _, sp := c.produce(2, "t", -1, 10*time.Second, recordBatch(2, pid, 6)); sp.ErrorCode != 0 || sp.BaseOffset != 6 {
		t.Fatalf("next batch after failover: error %d, base offset %d", sp.ErrorCode, sp.BaseOffset)
	}
	c.waitForLogs("t", 8, 2, 3)
}

// TestControlledShutdownMovesLeadership: a leader with controlled.shutdown.enable hands
// its partitions over before it stops, so the new leader takes acks=all writes at once.
func TestControlledShutdownMovesLeadership(t *testing.T) {
	c := newCluster(t, 2)
	c.start(3, "controlled.shutdown.enable=true")
	c.createTopic("t", []int32{3, 1, 2}, 3, []int32{3, 1, 2}, nil)
	if _, sp := c.produce(3, "t", -1, 10*time.Second, recordBatch(2, -1, 0)); sp.ErrorCode != 0 {
		t.Fatalf("acks=all produce: error %d", sp.ErrorCode)
	}
	c.stop(3)
	part := c.src.partition("t")
	if shutdowns := c.src.controlledShutdowns(); part.Leader != 1 || slices.Contains(part.ISR, 3) || !slices.Equal(shutdowns, []int32{3}) {
		t.Fatalf("after broker 3 stopped: leader %d, ISR %v, controlled shutdowns %v", part.Leader, part.ISR, shutdowns)
	}
	c.waitForLeader(1, "t", 1)
	if _, sp := c.produce(1, "t", -1, 10*time.Second, recordBatch(2, -1, 0)); sp.ErrorCode != 0 || sp.BaseOffset != 2 {
		t.Fatalf("acks=all produce to the new leader: error %d, base offset %d", sp.ErrorCode, sp.BaseOffset)
	}
	c.waitForLogs("t", 4, 1, 2)
}

// TestClientAcrossLeaderChange drives the cluster with franz-go: an idempotent acks=all
// producer keeps writing through a leader change (following NOT_LEADER_OR_FOLLOWER to
// the new leader), and a consumer reads every record once, in order.
func TestClientAcrossLeaderChange(t *testing.T) {
	c := newCluster(t, 3)
	c.createTopic("t", all3, 1, all3, nil)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.nodes[2].addr, c.nodes[3].addr), kgo.DefaultProduceTopic("t"),
		kgo.ConsumeTopics("t"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	produce := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			if err := cl.ProduceSync(ctx, kgo.StringRecord(fmt.Sprintf("r%03d", i))).FirstErr(); err != nil {
				t.Fatalf("produce record %d: %v", i, err)
			}
		}
	}
	produce(0, 40)
	c.src.electLeader(t, "t", 2, all3)
	produce(40, 80)
	if leader := c.partition(2, "t").state().leader; leader != 2 {
		t.Fatalf("broker 2 does not lead after the election (leader %d)", leader)
	}

	var got []string
	for len(got) < 80 {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of 80 records: %v", len(got), err)
		}
		fetches.EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
	}
	for i, v := range got { // a duplicate shows as a record out of place
		if want := fmt.Sprintf("r%03d", i); v != want {
			t.Fatalf("record %d is %q, want %q", i, v, want)
		}
	}
	c.waitForLogs("t", 80, 2, 1, 3)
}

// TestSteadyFetcherStillSeesChanges: once a follower's fetcher is steady (it builds its
// fetches from the partitions that changed alone), a partition added to it is still
// truncated and fetched, and records on partitions it already follows still reach it:
// acks=all produce completes for both, and the fetcher becomes steady again.
func TestSteadyFetcherStillSeesChanges(t *testing.T) {
	c := newCluster(t, 2)
	two := []int32{1, 2}
	for _, topic := range []string{"a", "b", "c"} {
		c.createTopic(topic, two, 1, two, nil)
		if _, sp := c.produce(1, topic, -1, 10*time.Second, recordBatch(1, -1, 0)); sp.ErrorCode != 0 {
			t.Fatalf("acks=all produce to %s: error %d", topic, sp.ErrorCode)
		}
	}
	fetchers := c.broker(2).replicas.fetchers
	fetchers.mu.Lock()
	f := fetchers.fetchers[1]
	fetchers.mu.Unlock()
	f.mu.Lock()
	f.lookInterval = time.Hour // no periodic look to make up for a change missed
	f.mu.Unlock()
	steady := func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.steady
	}
	waitFor(t, "broker 2's fetcher to become steady", steady)

	c.createTopic("late", two, 1, two, nil)
	if _, sp := c.produce(1, "late", -1, 10*time.Second, recordBatch(2, -1, 0)); sp.ErrorCode != 0 {
		t.Fatalf("acks=all produce to a partition added to a steady fetcher: error %d", sp.ErrorCode)
	}
	waitFor(t, "broker 2's fetcher to become steady again", steady)
	if _, sp := c.produce(1, "b", -1, 10*time.Second, recordBatch(3, -1, 0)); sp.ErrorCode != 0 {
		t.Fatalf("acks=all produce to b while the fetcher is steady: error %d", sp.ErrorCode)
	}
	c.waitForLogs("late", 2, two...)
	c.waitForLogs("b", 4, two...)
}
