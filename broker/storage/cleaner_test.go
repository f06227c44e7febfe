package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// buildKeyedLog writes three sealed segments of overwritten keys and an active one.
func buildKeyedLog(t *testing.T, dir string, cfg Config, codec kgo.CompressionCodec) *PartitionLog {
	t.Helper()
	l := openLog(t, dir, cfg)
	segs := [][][]kv{
		{{{key: "k0", value: "a0"}, {key: "k1", value: "a1"}, {key: "k2", value: "a2"}}, {{key: "k3", value: "a3"}}},
		{{{key: "k0", value: "b0"}, {key: "k1", value: "b1"}}, {{key: "k4", value: "b4"}, {key: "k2", value: "b2"}}},
		{{{key: "k0", value: "c0"}}, {{key: "k5", value: "c5"}, {key: "k3", value: "c3"}, {key: "k5", value: "c5'"}}},
		{{{key: "k0", value: "d0"}, {key: "k1", value: "d1"}}},
	}
	ts := int64(1000)
	for i, batches := range segs {
		for _, recs := range batches {
			s := keyed(ts, recs...)
			s.codec = codec
			appendKeyed(t, l, s)
			ts += 10
		}
		if i < len(segs)-1 {
			roll(t, l)
		}
	}
	return l
}

func TestCompactKeepsLatestPerKey(t *testing.T) {
	for name, codec := range map[string]kgo.CompressionCodec{
		"uncompressed": kgo.NoCompression(), "gzip": kgo.GzipCompression(), "snappy": kgo.SnappyCompression(),
		"lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression(),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := compactConfig()
			l := buildKeyedLog(t, dir, cfg, codec)
			before := view(t, l)
			activeBase, leo, start := l.active().base, l.LogEndOffset(), l.LogStartOffset()
			activeBytes, err := os.ReadFile(l.active().file.Name())
			if err != nil {
				t.Fatal(err)
			}

			res, err := l.Compact(time.UnixMilli(10_000))
			if err != nil {
				t.Fatal(err)
			}
			if !res.Cleaned || res.SegmentsReplaced != 3 || res.SegmentsWritten != 1 || res.CleanedUpTo != activeBase {
				t.Fatalf("result %+v", res)
			}
			if res.RecordsRemoved != int64(len(before)-len(compactedModel(before, activeBase))) || res.BytesAfter >= res.BytesBefore {
				t.Fatalf("result %+v", res)
			}
			want := compactedModel(before, activeBase)
			sameInOrder(t, view(t, l), want)
			if l.LogEndOffset() != leo || l.LogStartOffset() != start || len(l.segments) != 2 {
				t.Fatalf("log [%d, %d) with %d segments, want [%d, %d) with 2", l.LogStartOffset(), l.LogEndOffset(), len(l.segments), start, leo)
			}
			if got, _ := os.ReadFile(l.active().file.Name()); string(got) != string(activeBytes) {
				t.Fatal("compaction changed the active segment")
			}
			// Rebuilt batches keep their codec, and franz-go decodes them.
			for _, rb := range readAll(t, l) {
				if rb.NumRecords > 0 && kgo.CompressionCodecType(rb.Attributes&7) != kgo.CompressionCodecType(codecOf(codec)) {
					t.Fatalf("batch at %d has codec %d, want %v", rb.FirstOffset, rb.Attributes&7, codec)
				}
			}
			if res, err := l.Compact(time.UnixMilli(10_000)); err != nil || res.Cleaned {
				t.Fatalf("second pass with nothing dirty: %+v, %v", res, err)
			}
			appendKeyed(t, l, keyed(5000, kv{key: "k9", value: "e9"}))
			want = append(want, logRecord{offset: leo, key: "k9", value: "e9", timestamp: 5000})

			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l = openLog(t, dir, cfg)
			sameInOrder(t, view(t, l), want)
			crash(l)
			l = openLog(t, dir, cfg)
			defer l.Close()
			sameInOrder(t, view(t, l), want)
		})
	}
}

func codecOf(c kgo.CompressionCodec) int {
	switch c {
	case kgo.GzipCompression():
		return codecGzip
	case kgo.SnappyCompression():
		return codecSnappy
	case kgo.Lz4Compression():
		return codecLz4
	case kgo.ZstdCompression():
		return codecZstd
	}
	return codecNone
}

func TestCompactTombstones(t *testing.T) {
	dir := t.TempDir()
	cfg := compactConfig()
	cfg.DeleteRetentionMs = 1000
	cfg.RetentionMs = 1 // ignored: cleanup.policy is compact only
	l := openLog(t, dir, cfg)
	defer l.Close()
	appendKeyed(t, l, keyed(100, kv{key: "k1", value: "v1"}, kv{key: "k2", value: "v2"}))
	roll(t, l)
	appendKeyed(t, l, keyed(200, kv{key: "k1", tombstone: true}))
	roll(t, l)
	appendKeyed(t, l, keyed(300, kv{key: "k3", value: "v3"}))

	if n, err := l.EnforceRetention(time.UnixMilli(500)); err != nil || n != 0 {
		t.Fatalf("EnforceRetention = %d, %v", n, err)
	}
	sameInOrder(t, view(t, l), []logRecord{
		{offset: 1, key: "k2", value: "v2", timestamp: 101},
		{offset: 2, key: "k1", tombstone: true, timestamp: 200},
		{offset: 3, key: "k3", value: "v3", timestamp: 300},
	})
	// Nothing dirty, and the tombstone is due at 200 + 1000: no pass before then.
	if res, err := l.Compact(time.UnixMilli(1200)); err != nil || res.Cleaned {
		t.Fatalf("pass before delete.retention.ms: %+v, %v", res, err)
	}
	res, err := l.Compact(time.UnixMilli(1201))
	if err != nil || !res.Cleaned || res.TombstonesRemoved != 1 {
		t.Fatalf("pass after delete.retention.ms: %+v, %v", res, err)
	}
	sameInOrder(t, view(t, l), []logRecord{
		{offset: 1, key: "k2", value: "v2", timestamp: 101},
		{offset: 3, key: "k3", value: "v3", timestamp: 300},
	})
	if l.LogStartOffset() != 0 || l.LogEndOffset() != 4 {
		t.Fatalf("log [%d, %d)", l.LogStartOffset(), l.LogEndOffset())
	}
}

func TestCompactMinCompactionLag(t *testing.T) {
	cfg := compactConfig()
	cfg.MinCompactionLagMs = 1000
	l := openLog(t, t.TempDir(), cfg)
	defer l.Close()
	for _, ts := range []int64{100, 900, 950} {
		appendKeyed(t, l, keyed(ts, kv{key: "k", value: fmt.Sprint(ts)}))
		roll(t, l)
	}
	appendKeyed(t, l, keyed(1000, kv{key: "k", value: "active"}))
	before := view(t, l)

	// At 1500 only the first segment is older than the lag: alone, it has nothing to drop.
	res, err := l.Compact(time.UnixMilli(1500))
	if err != nil || !res.Cleaned || res.SegmentsReplaced != 0 || res.CleanedUpTo != 1 {
		t.Fatalf("pass at 1500: %+v, %v", res, err)
	}
	sameInOrder(t, view(t, l), before)
	res, err = l.Compact(time.UnixMilli(2000))
	if err != nil || !res.Cleaned || res.FirstDirtyOffset != 1 || res.CleanedUpTo != 3 {
		t.Fatalf("pass at 2000: %+v, %v", res, err)
	}
	sameInOrder(t, view(t, l), before[2:])
}

func TestCompactDirtyRatio(t *testing.T) {
	cfg := compactConfig()
	cfg.MinCleanableDirtyRatio = 0.5
	l := openLog(t, t.TempDir(), cfg)
	defer l.Close()
	value := strings.Repeat("x", 200)
	for i := range 4 {
		appendKeyed(t, l, keyed(int64(i), kv{key: fmt.Sprint("k", i), value: value}))
	}
	roll(t, l)
	if res, err := l.Compact(time.UnixMilli(10_000)); err != nil || !res.Cleaned || res.DirtyRatio != 1 {
		t.Fatalf("first pass: %+v, %v", res, err)
	}
	// One dirty segment of a quarter the clean bytes: a ratio of 0.2 is not enough.
	appendKeyed(t, l, keyed(10, kv{key: "k0", value: value}))
	roll(t, l)
	res, err := l.Compact(time.UnixMilli(10_000))
	if err != nil || res.Cleaned || res.DirtyRatio < 0.19 || res.DirtyRatio > 0.21 {
		t.Fatalf("pass at ratio 0.2: %+v, %v", res, err)
	}
	// max.compaction.lag.ms forces it once the dirty segment's first batch is old enough.
	l.SetConfig(func() Config { c := cfg; c.MaxCompactionLagMs = 5000; return c }())
	if res, err := l.Compact(time.UnixMilli(5010)); err != nil || res.Cleaned {
		t.Fatalf("pass within max.compaction.lag.ms: %+v, %v", res, err)
	}
	if res, err := l.Compact(time.UnixMilli(5011)); err != nil || !res.Cleaned || res.RecordsRemoved != 1 {
		t.Fatalf("pass past max.compaction.lag.ms: %+v, %v", res, err)
	}
	l.SetConfig(cfg)
	for i := range 5 {
		appendKeyed(t, l, keyed(20, kv{key: fmt.Sprint("k", i%4), value: value}))
		roll(t, l)
	}
	if res, err := l.Compact(time.UnixMilli(10_000)); err != nil || !res.Cleaned || res.DirtyRatio <= 0.5 {
		t.Fatalf("pass at ratio 5/9: %+v, %v", res, err)
	}
	if got := view(t, l); len(got) != 4 {
		t.Fatalf("%d records left, want one per key: %v", len(got), got)
	}
}

// Compaction keeps an idempotent producer's last batch, emptied, so that its retry is
// still recognised as a duplicate when producer state is rebuilt from the log alone.
func TestCompactKeepsProducerState(t *testing.T) {
	dir := t.TempDir()
	cfg := compactConfig()
	l := openLog(t, dir, cfg)
	idem := func(seq int32, value string) keyedSpec {
		s := keyed(100, kv{key: "k", value: value})
		s.pid, s.epoch, s.seq = 7, 0, seq
		return s
	}
	appendKeyed(t, l, idem(0, "a"))
	appendKeyed(t, l, idem(1, "b"))
	roll(t, l)
	appendKeyed(t, l, keyed(200, kv{key: "k", value: "c"}))
	roll(t, l)
	if _, err := l.Compact(time.UnixMilli(10_000)); err != nil {
		t.Fatal(err)
	}
	bs := readAll(t, l)
	if len(bs) != 2 || bs[0].FirstOffset != 1 || bs[0].NumRecords != 0 || bs[0].ProducerID != 7 || bs[0].FirstSequence != 1 {
		t.Fatalf("batches after compaction: %+v", bs)
	}
	if r := appendKeyed(t, l, idem(1, "b")); !r.Duplicate || r.BaseOffset != 1 {
		t.Fatalf("retry after compaction: %+v", r)
	}
	crash(l)
	if err := deleteSnapshots(dir, 1, 0); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, dir, cfg)
	defer l.Close()
	if r := appendKeyed(t, l, idem(1, "b")); !r.Duplicate || r.BaseOffset != 1 {
		t.Fatalf("retry after a restart without snapshots: %+v", r)
	}
	if _, err := l.Append(makeKeyedBatch(t, idem(3, "d")), 0); !errors.Is(err, ErrOutOfOrderSequence) {
		t.Fatalf("sequence gap after compaction: %v", err)
	}
	if r := appendKeyed(t, l, idem(2, "d")); r.Duplicate || r.BaseOffset != 3 {
		t.Fatalf("next sequence: %+v", r)
	}
}

func TestEnforceRetentionByPolicy(t *testing.T) {
	tests := []struct {
		policy    string
		deleted   int
		compacted bool
	}{
		{"", 2, false},
		{"delete", 2, false},
		{"compact", 0, true},
		{"compact,delete", 2, true},
		{" Delete , Compact ", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			cfg := compactConfig()
			cfg.CleanupPolicy, cfg.RetentionMs = tt.policy, 1000
			l := openLog(t, t.TempDir(), cfg)
			defer l.Close()
			for i := range 3 {
				appendKeyed(t, l, keyed(int64(i*1000), kv{key: "k", value: fmt.Sprint(i)}, kv{key: "k", value: "again"}))
				roll(t, l)
			}
			n, err := l.EnforceRetention(time.UnixMilli(2500))
			if err != nil || n != tt.deleted {
				t.Fatalf("EnforceRetention = %d, %v; want %d deleted", n, err, tt.deleted)
			}
			_, statErr := os.Stat(filepath.Join(l.dir, CleanerOffsetCheckpointFile))
			if compacted := statErr == nil; compacted != tt.compacted {
				t.Fatalf("compacted %v, want %v", compacted, tt.compacted)
			}
		})
	}
}

func TestCompactSkipsDeletePolicy(t *testing.T) {
	cfg := compactConfig()
	cfg.CleanupPolicy = CleanupPolicyDelete
	l := openLog(t, t.TempDir(), cfg)
	defer l.Close()
	appendKeyed(t, l, keyed(0, kv{key: "k", value: "a"}, kv{key: "k", value: "b"}))
	roll(t, l)
	if res, err := l.Compact(time.UnixMilli(10_000)); err != nil || res.Cleaned {
		t.Fatalf("Compact on a delete-policy log: %+v, %v", res, err)
	}
}

// TestConfigTakesKafkasMeaningOfZero: DefaultConfig is Kafka's defaults; 0 is never
// read as "default" (delete.retention.ms=0 and min.cleanable.dirty.ratio=0 are
// meaningful); a value outside what Kafka's validators allow is refused, by Open and
// by SetConfig, which then keeps the log's settings.
func TestConfigTakesKafkasMeaningOfZero(t *testing.T) {
	c := DefaultConfig()
	if c.DeleteRetentionMs != DefaultDeleteRetentionMs || c.MinCleanableDirtyRatio != 0.5 || c.RetentionMs != DefaultRetentionMs ||
		c.RetentionBytes != -1 || c.MinCompactionLagMs != 0 || c.MaxCompactionLagMs != 1<<63-1 || c.Compacts() || !c.Deletes() {
		t.Fatalf("defaults %+v", c)
	}
	zeros := DefaultConfig()
	zeros.DeleteRetentionMs, zeros.MinCleanableDirtyRatio, zeros.RetentionMs, zeros.RetentionBytes, zeros.IndexIntervalBytes = 0, 0, 0, 0, 0
	l := openLog(t, t.TempDir(), zeros)
	defer l.Close()
	if l.cfg != zeros {
		t.Fatalf("zeros were rewritten: %+v", l.cfg)
	}
	bad := DefaultConfig()
	bad.SegmentBytes = 0
	if _, err := Open(t.TempDir(), "t", 0, bad, quietLogger()); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "segment.bytes=0") {
		t.Fatalf("Open with segment.bytes=0: %v", err)
	}
	bad = DefaultConfig()
	bad.MinCleanableDirtyRatio = 1.5
	if err := l.SetConfig(bad); !errors.Is(err, ErrInvalidConfig) || l.cfg != zeros {
		t.Fatalf("SetConfig with min.cleanable.dirty.ratio=1.5: %v, config now %+v", err, l.cfg)
	}
}

// Compaction runs beside a producer and a consumer: appends and reads go on during a
// pass, and every read returns whole, valid batches in offset order.
func TestCompactConcurrentWithAppendsAndReads(t *testing.T) {
	cfg := compactConfig()
	cfg.SegmentBytes = 2048
	l := openLog(t, t.TempDir(), cfg)
	defer l.Close()
	const n, keys = 2000, 20
	batches := make([][]byte, n)
	for i := range batches {
		batches[i] = makeKeyedBatch(t, keyed(int64(i), kv{key: fmt.Sprint("k", i%keys), value: fmt.Sprint(i)}))
	}
	done := make(chan struct{})
	errs := make(chan error, 2)
	go func() {
		defer close(done)
		for _, b := range batches {
			if _, err := l.Append(b, 0); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	go func() {
		for {
			select {
			case <-done:
				errs <- nil
				return
			default:
			}
			leo := l.LogEndOffset()
			for off := int64(0); off < leo; {
				b, err := l.Read(off, 4096, leo)
				if err != nil {
					errs <- err
					return
				}
				if len(b) == 0 {
					break
				}
				for p := 0; p < len(b); {
					size := logOverhead + int(int32(be.Uint32(b[p+batchLengthOff:])))
					if err := checkBatch(b[p : p+size]); err != nil {
						errs <- err
						return
					}
					h := parseHeader(b[p : p+size])
					if h.lastOffset() < off {
						errs <- fmt.Errorf("read at %d returned a batch ending at %d", off, h.lastOffset())
						return
					}
					off = h.lastOffset() + 1
					p += size
				}
			}
		}
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			if _, err := l.EnforceRetention(time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	roll(t, l)
	if _, err := l.Compact(time.Now()); err != nil {
		t.Fatal(err)
	}
	got := view(t, l)
	if len(got) != keys {
		t.Fatalf("%d records left, want %d", len(got), keys)
	}
	for _, r := range got {
		if want := fmt.Sprint(n - keys + int(r.offset)%keys); r.value != want || r.offset < n-keys {
			t.Fatalf("record %+v, want the latest value %s", r, want)
		}
	}
}
