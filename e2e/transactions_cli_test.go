package e2e

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestTransactionsCommandFindsAndAbortsHanging plants a hanging transaction, a
// transactional batch on a partition whose coordinator never heard of it (no
// AddPartitionsToTxn; the broker's partition verification, KIP-890, is off so that
// it takes the batch), then has `kbridge transactions` find it, abort it by its start
// offset, and shows read_committed consumers get past it.
func TestTransactionsCommandFindsAndAbortsHanging(t *testing.T) {
	n := StartSingleNode(t, "transaction.partition.verification.enable=false")
	const topic = "hanging-txn"
	createTopic(t, n.BrokerAddr, topic, 1, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl := newClient(t, n.BrokerAddr)

	pid, epoch := initTransactionalProducer(ctx, t, cl, "hanging")
	start := plantTransactionalRecord(ctx, t, cl, "hanging", topic, pid, epoch)
	spid, sstart := strconv.FormatInt(pid, 10), strconv.FormatInt(start, 10)

	found := txnTableRows(t, Run(t, "transactions", "find-hanging", "--bootstrap-server", n.BrokerAddr, "--topic", topic))
	if len(found) != 1 || len(found[0]) != 8 || found[0][0] != topic || found[0][1] != "0" || found[0][2] != spid ||
		found[0][3] != strconv.Itoa(int(epoch)) || found[0][5] != sstart {
		t.Fatalf("find-hanging should list producer %s at offset %s on %s-0, got %q", spid, sstart, topic, found)
	}

	if out := Run(t, "transactions", "abort", "--bootstrap-server", n.BrokerAddr, "--topic", topic, "--partition", "0",
		"--start-offset", sstart); out != "" {
		t.Fatalf("abort printed %q, want nothing", out)
	}

	if found := txnTableRows(t, Run(t, "transactions", "find-hanging", "--bootstrap-server", n.BrokerAddr, "--topic", topic)); len(found) != 0 {
		t.Fatalf("find-hanging after the abort: %q", found)
	}
	for _, row := range txnTableRows(t, Run(t, "transactions", "describe-producers", "--bootstrap-server", n.BrokerAddr,
		"--topic", topic, "--partition", "0")) {
		if len(row) != 6 || row[5] != "None" {
			t.Fatalf("describe-producers after the abort still shows an open transaction: %q", row)
		}
	}

	p := newClient(t, n.BrokerAddr, kgo.DefaultProduceTopic(topic))
	if err := p.ProduceSync(ctx, &kgo.Record{Value: []byte("after")}).FirstErr(); err != nil {
		t.Fatalf("produce after the abort: %v", err)
	}
	c := newClient(t, n.BrokerAddr, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	var read []string
	for !slices.Contains(read, "after") {
		fs := c.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read_committed read %q and not the record produced after the abort", read)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Fatalf("fetch %s/%d: %v", topic, p, err) })
		fs.EachRecord(func(r *kgo.Record) { read = append(read, string(r.Value)) })
	}
	if slices.Contains(read, "planted") {
		t.Fatalf("read_committed returned the aborted record: %q", read)
	}
}

// initTransactionalProducer sends InitProducerId for txnID to its coordinator and
// returns the producer id and epoch, waiting while the coordinator is still loading
// or being elected (the first transactional request creates __transaction_state).
func initTransactionalProducer(ctx context.Context, t *testing.T, cl *kgo.Client, txnID string) (int64, int16) {
	t.Helper()
	for {
		req := kmsg.NewPtrInitProducerIDRequest()
		req.TransactionalID = &txnID
		req.TransactionTimeoutMillis = 60000
		resp, err := req.RequestWith(ctx, cl)
		if err == nil {
			err = kerr.ErrorForCode(resp.ErrorCode)
			if err == nil {
				return resp.ProducerID, resp.ProducerEpoch
			}
		}
		if !kerr.IsRetriable(err) || ctx.Err() != nil {
			t.Fatalf("InitProducerId for %s: %v", txnID, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// plantTransactionalRecord produces one transactional record ("planted", stamped an
// hour ago so that find-hanging's 15-minute default sees it as old) to partition 0 of
// topic with a raw Produce v9+, without AddPartitionsToTxn, and returns its offset.
func plantTransactionalRecord(ctx context.Context, t *testing.T, cl *kgo.Client, txnID, topic string, pid int64, epoch int16) int64 {
	t.Helper()
	req := kmsg.NewPtrProduceRequest()
	req.TransactionID = &txnID
	req.Acks, req.TimeoutMillis = -1, 10000
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Records = transactionalBatch(pid, epoch, "planted", time.Now().Add(-time.Hour))
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	kresp, err := cl.Broker(1).Request(ctx, req)
	if err != nil {
		t.Fatalf("transactional produce: %v", err)
	}
	resp := kresp.(*kmsg.ProduceResponse)
	if resp.Version < 9 {
		t.Fatalf("transactional produce went as Produce v%d, want v9+", resp.Version)
	}
	prp := resp.Topics[0].Partitions[0]
	if err := kerr.ErrorForCode(prp.ErrorCode); err != nil {
		t.Fatalf("transactional produce: %v", err)
	}
	return prp.BaseOffset
}

// transactionalBatch is a v2 record batch of one record as a transactional producer
// sends the first batch of a transaction: the transactional attribute (0x10), the
// producer id and epoch, base sequence 0, and the record's timestamp at ts.
func transactionalBatch(pid int64, epoch int16, value string, ts time.Time) []byte {
	r := kmsg.Record{Value: []byte(value)}
	r.Length = int32(len(r.AppendTo(nil)) - 1)
	recs := r.AppendTo(nil)
	const transactional = 0x10
	b := kmsg.RecordBatch{
		PartitionLeaderEpoch: -1,
		Magic:                2,
		Attributes:           transactional,
		FirstTimestamp:       ts.UnixMilli(),
		MaxTimestamp:         ts.UnixMilli(),
		ProducerID:           pid,
		ProducerEpoch:        epoch,
		FirstSequence:        0,
		NumRecords:           1,
		Records:              recs,
	}
	const headerSize, crcOffset, attributesOffset = 61, 17, 21
	b.Length = int32(headerSize - 12 + len(recs))
	raw := b.AppendTo(nil)
	binary.BigEndian.PutUint32(raw[crcOffset:], crc32.Checksum(raw[attributesOffset:], crc32.MakeTable(crc32.Castagnoli)))
	return raw
}

// txnTableRows parses a kafka-transactions table (tab-terminated, padded cells)
// into its rows' trimmed cells, the header left out.
func txnTableRows(t *testing.T, out string) [][]string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) == 0 || !strings.HasSuffix(lines[0], "\t") {
		t.Fatalf("not a kafka-transactions table: %q", out)
	}
	var rows [][]string
	for _, line := range lines[1:] {
		cells := strings.Split(strings.TrimSuffix(line, "\t"), "\t")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	return rows
}
