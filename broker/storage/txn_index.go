package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
)

const txnIndexSuffix = ".txnindex"

// Kafka's AbortedTxn entry: version int16 (0), producerId int64, firstOffset int64,
// lastOffset int64 (the abort marker's offset), lastStableOffset int64, big-endian.
const (
	abortedTxnVersion = 0
	abortedTxnSize    = 2 + 8 + 8 + 8 + 8
)

// abortedTxnEntry is one entry of a segment's transaction index: an aborted
// transaction whose abort marker the segment holds. lastStableOffset is the LSO just
// after the abort (Kafka's ProducerStateManager.lastStableOffset(completedTxn)); a
// fetch stops searching later entries once one has an LSO at or past its range.
type abortedTxnEntry struct {
	producerID, firstOffset, lastOffset, lastStableOffset int64
}

func (e abortedTxnEntry) appendTo(b []byte) []byte {
	b = be.AppendUint16(b, abortedTxnVersion)
	b = be.AppendUint64(b, uint64(e.producerID))
	b = be.AppendUint64(b, uint64(e.firstOffset))
	b = be.AppendUint64(b, uint64(e.lastOffset))
	return be.AppendUint64(b, uint64(e.lastStableOffset))
}

func decodeAbortedTxn(b []byte) abortedTxnEntry {
	return abortedTxnEntry{
		producerID:       int64(be.Uint64(b[2:])),
		firstOffset:      int64(be.Uint64(b[10:])),
		lastOffset:       int64(be.Uint64(b[18:])),
		lastStableOffset: int64(be.Uint64(b[26:])),
	}
}

// overlaps is Kafka's TransactionIndex.collectAbortedTxns test: the transaction has
// data in [fetchOffset, upperBound).
func (e abortedTxnEntry) overlaps(fetchOffset, upperBound int64) bool {
	return e.lastOffset >= fetchOffset && e.firstOffset < upperBound
}

// txnIndex is a segment's %020d.txnindex, Kafka's TransactionIndex, held in memory in
// its on-disk bytes like the other indexes. Like Kafka's, the file exists only once an
// abort has been indexed; each entry is written when added (aborts are rare, and a
// read_committed fetch must see the entry as soon as the marker is readable) and
// fsynced with the segment.
//
// A sealed segment's index is read on first use; readers share the partition's read
// lock, hence the mutex. Changes happen under the partition's write lock.
type txnIndex struct {
	file   indexFile
	loaded atomic.Bool
	mu     sync.Mutex
}

func (t *txnIndex) init(path string) {
	t.file = indexFile{path: path, entrySize: abortedTxnSize}
}

// ensureLoaded reads the file once. A length that is not a whole number of entries
// can only be a torn write outside the recovery point's protection; the whole
// entries are kept and the tail is cut at the next write.
func (t *txnIndex) ensureLoaded(log *slog.Logger) error {
	if t.loaded.Load() {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.loaded.Load() {
		return nil
	}
	b, err := os.ReadFile(t.file.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read transaction index %s: %w", t.file.path, err)
	}
	whole := len(b) - len(b)%abortedTxnSize
	for p := 0; p < whole; p += abortedTxnSize {
		if v := int16(be.Uint16(b[p:])); v != abortedTxnVersion {
			return fmt.Errorf("transaction index %s: entry %d has version %d, only %d is known", t.file.path, p/abortedTxnSize, v, abortedTxnVersion)
		}
	}
	t.file.buf, t.file.written, t.file.rewrite = b[:whole], whole, whole != len(b)
	if whole != len(b) {
		log.Warn("transaction index has a torn entry; keeping the whole ones", "file", t.file.path, "bytes", len(b))
	}
	t.loaded.Store(true)
	return nil
}

// reset empties the index so that recovery can rebuild it from the segment's markers.
func (t *txnIndex) reset() {
	t.file.reset()
	t.loaded.Store(true)
}

func (t *txnIndex) entries() int { return t.file.entries() }

func (t *txnIndex) at(i int) abortedTxnEntry { return decodeAbortedTxn(t.file.entry(i)) }

// add appends an entry in memory; persist writes it.
func (t *txnIndex) add(e abortedTxnEntry) {
	t.file.buf = e.appendTo(t.file.buf)
}

// truncateTo drops the entries whose marker is at or after offset, as Kafka's
// TransactionIndex.truncateTo does when the log is cut there.
func (t *txnIndex) truncateTo(offset int64) error {
	n := t.entries()
	for n > 0 && t.at(n-1).lastOffset >= offset {
		n--
	}
	if n == t.entries() {
		return nil
	}
	t.file.buf = t.file.buf[:n*abortedTxnSize]
	t.file.written = min(t.file.written, len(t.file.buf))
	t.file.rewrite = true
	return t.persist(false)
}

// persist writes what is not on disk yet (with sync, durably). An index left empty
// by a reset or truncation is removed rather than kept as an empty file.
func (t *txnIndex) persist(sync bool) error {
	if !t.loaded.Load() {
		return nil
	}
	if len(t.file.buf) == 0 {
		if !t.file.rewrite {
			return nil
		}
		if err := os.Remove(t.file.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove transaction index %s: %w", t.file.path, err)
		}
		t.file.written, t.file.rewrite = 0, false
		return nil
	}
	return t.file.persist(sync)
}

// collect appends to out the entries that overlap [fetchOffset, upperBound) and
// reports whether the search is complete: an entry whose LSO reaches upperBound
// proves no later abort overlaps the range (Kafka's TxnIndexSearchResult).
func (t *txnIndex) collect(fetchOffset, upperBound int64, out []AbortedTxn) ([]AbortedTxn, bool) {
	for i := range t.entries() {
		e := t.at(i)
		if e.overlaps(fetchOffset, upperBound) {
			out = append(out, AbortedTxn{ProducerID: e.producerID, FirstOffset: e.firstOffset})
		}
		if e.lastStableOffset >= upperBound {
			return out, true
		}
	}
	return out, false
}
