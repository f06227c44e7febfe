package kraftmode

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"go.etcd.io/bbolt"

	"github.com/kbridge/kbridge/metadata"
)

// DumpFormat selects how Dump prints records.
type DumpFormat int

const (
	// DumpText prints kafka-dump-log --cluster-metadata-decoder style lines, so output
	// reads like Kafka's tool: a header per Raft entry or snapshot batch, then one
	// "| offset: ... payload: {json}" line per record.
	DumpText DumpFormat = iota
	// DumpJSON prints one JSON object per record, for jq and scripts.
	DumpJSON
)

// DumpOptions configures Dump.
type DumpOptions struct {
	// Format is the output of the records mode; the image mode always prints JSON.
	Format DumpFormat
	// Image prints, instead of the stored records, the image a restarting node would
	// rebuild (latest loadable snapshot, then every later log entry) as img.Records()
	// JSON lines. It carries no indices, terms or timestamps, so two controllers that
	// agree print the same bytes.
	Image bool
	// LastIndex, when not 0, stops the image at that Raft index: the newest snapshot at
	// or below it, then the log entries up to it. Controllers stopped one after another
	// hold logs of different lengths; their images as of the shortest log's end must
	// still be the same.
	LastIndex uint64
	// Logger receives warnings about unreadable snapshots and rejected batches; nil
	// means slog.Default().
	Logger *slog.Logger
}

// ErrMetadataDirLocked means raft.db is held by a running node: bbolt's exclusive
// lock cannot be shared, and reading under a live writer would not be a consistent view.
var ErrMetadataDirLocked = errors.New("metadata log is locked by a running node; stop the node or copy the directory and dump the copy")

// dumpLockTimeout bounds the wait for raft.db's lock: a stopped node releases it at
// once, so a longer wait only delays the error for a running one.
const dumpLockTimeout = 500 * time.Millisecond

// Dump prints a stopped controller's metadata directory (<metadata.log.dir>/
// __cluster_metadata-0) offline, like kafka-dump-log --cluster-metadata-decoder. It
// never writes to dir: raft.db is opened read-only and snapshots are read as files.
//
// In records mode it prints every snapshot in dir, newest first (the order Raft tries
// them on restart), then every entry of the Raft log in index order. Each record's
// offset is the Raft index of the entry that holds it (the image offset the node
// reports); a snapshot's records carry the index the snapshot was taken at. Raft's own
// entries (configuration, no-op, barrier) are shown by type in text and left out of
// JSON, which holds only metadata records.
//
// Log entries are read as stored, so the tail of a follower's log may include entries
// the quorum never committed: Raft does not persist the commit index.
func Dump(dir string, w io.Writer, opts DumpOptions) error {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	store, err := openStoreReadOnly(dir)
	if err != nil {
		return err
	}
	defer store.Close()
	snaps, err := listSnapshots(dir)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if opts.Image {
		err = dumpImage(bw, store, snaps, opts.LastIndex, opts.Logger)
	} else {
		d := &recordDumper{w: bw, json: opts.Format == DumpJSON, dbPath: filepath.Join(dir, "raft.db")}
		err = d.dump(store, snaps)
	}
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write metadata dump: %w", err)
	}
	return nil
}

// openStoreReadOnly opens dir's raft.db through raft-boltdb with bbolt's read-only
// mode. The file must already exist: bbolt would otherwise create an empty one.
func openStoreReadOnly(dir string) (*raftboltdb.BoltStore, error) {
	path := filepath.Join(dir, "raft.db")
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s is not a KRaft controller's __cluster_metadata-0 directory: %w", dir, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	store, err := raftboltdb.New(raftboltdb.Options{
		Path:        path,
		BoltOptions: &bbolt.Options{ReadOnly: true, Timeout: dumpLockTimeout},
	})
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrMetadataDirLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s read-only: %w", path, err)
	}
	return store, nil
}

// snapshotFile is one snapshot of Raft's FileSnapshotStore: <dir>/snapshots/<id>/
// holding meta.json (raft.SnapshotMeta plus a CRC-64 of state.bin) and state.bin.
type snapshotFile struct {
	raft.SnapshotMeta
	CRC []byte
	dir string
}

// listSnapshots returns dir's complete snapshots newest first, ordered as Raft orders
// them (term, index, id). In-progress (.tmp) ones are skipped, as Raft skips them.
func listSnapshots(dir string) ([]*snapshotFile, error) {
	root := filepath.Join(dir, "snapshots")
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list snapshots in %s: %w", root, err)
	}
	var snaps []*snapshotFile
	for _, e := range entries {
		if !e.IsDir() || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		s := &snapshotFile{dir: filepath.Join(root, e.Name())}
		b, err := os.ReadFile(filepath.Join(s.dir, "meta.json"))
		if err != nil {
			return nil, fmt.Errorf("read snapshot metadata: %w", err)
		}
		if err := json.Unmarshal(b, s); err != nil {
			return nil, fmt.Errorf("parse snapshot metadata %s: %w", filepath.Join(s.dir, "meta.json"), err)
		}
		snaps = append(snaps, s)
	}
	slices.SortFunc(snaps, func(a, b *snapshotFile) int {
		return -cmp.Or(cmp.Compare(a.Term, b.Term), cmp.Compare(a.Index, b.Index), cmp.Compare(a.ID, b.ID))
	})
	return snaps, nil
}

// state reads state.bin and checks it against the CRC in meta.json, as Raft does
// before restoring, so a dump never shows a damaged snapshot as if it were sound.
func (s *snapshotFile) state() ([]byte, error) {
	path := filepath.Join(s.dir, "state.bin")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	h := crc64.New(crc64.MakeTable(crc64.ECMA))
	h.Write(b)
	if sum := h.Sum(nil); !bytes.Equal(sum, s.CRC) {
		return nil, fmt.Errorf("snapshot %s: crc %x, computed %x", path, s.CRC, sum)
	}
	return b, nil
}

// logRange returns the first and last index in the store; both are 0 for an empty log.
func logRange(store *raftboltdb.BoltStore) (uint64, uint64, error) {
	first, err := store.FirstIndex()
	if err != nil {
		return 0, 0, fmt.Errorf("read first raft log index: %w", err)
	}
	last, err := store.LastIndex()
	if err != nil {
		return 0, 0, fmt.Errorf("read last raft log index: %w", err)
	}
	return first, last, nil
}

// eachEntry calls fn with the log entries from index from (at least the first stored
// one) to index to (0: the last stored one), in order.
func eachEntry(store *raftboltdb.BoltStore, from, to uint64, fn func(*raft.Log)) error {
	first, last, err := logRange(store)
	if err != nil || last == 0 {
		return err
	}
	if to != 0 {
		last = min(last, to)
	}
	for i := max(first, from); i <= last; i++ {
		var l raft.Log
		if err := store.GetLog(i, &l); err != nil {
			return fmt.Errorf("read raft log entry %d: %w", i, err)
		}
		fn(&l)
	}
	return nil
}

// dumpImage rebuilds the image through the node's own FSM code (Restore, then Apply
// per entry), so rejected batches and open transactions are handled exactly as on a
// restart, and prints img.Records() one JSON line each. A lastIndex other than 0 stops
// it there.
func dumpImage(w *bufio.Writer, store *raftboltdb.BoltStore, snaps []*snapshotFile, lastIndex uint64, log *slog.Logger) error {
	f := newFSM("", log)
	if lastIndex != 0 {
		snaps = slices.DeleteFunc(slices.Clone(snaps), func(s *snapshotFile) bool { return s.Index > lastIndex })
	}
	restored, err := restoreLatest(f, snaps, log)
	if err != nil {
		return err
	}
	first, last, err := logRange(store)
	if err != nil {
		return err
	}
	if last > restored && first > restored+1 {
		return fmt.Errorf("raft log starts at index %d but no loadable snapshot covers index %d: entries %d-%d are missing",
			first, restored, restored+1, first-1)
	}
	err = eachEntry(store, restored+1, lastIndex, func(l *raft.Log) {
		f.Apply(l) // a rejected batch is logged and skipped, as the node skips it
	})
	if err != nil {
		return err
	}
	for _, r := range f.image().Records() {
		b, err := metadata.RecordJSON(r)
		if err != nil {
			return err
		}
		// The bufio.Writer keeps the first write error and Dump returns it from Flush.
		w.Write(append(b, '\n'))
	}
	return nil
}

// restoreLatest restores the newest snapshot that loads, falling back to older ones as
// Raft does, and returns its index (0 when there is no snapshot).
func restoreLatest(f *fsm, snaps []*snapshotFile, log *slog.Logger) (uint64, error) {
	for _, s := range snaps {
		b, err := s.state()
		if err == nil {
			err = f.Restore(io.NopCloser(bytes.NewReader(b)))
		}
		if err == nil {
			return s.Index, nil
		}
		log.Warn("skipping unloadable metadata snapshot", "snapshot", s.ID, "err", err)
	}
	if len(snaps) > 0 {
		return 0, fmt.Errorf("none of the %d snapshot(s) could be loaded", len(snaps))
	}
	return 0, nil
}

// recordDumper prints snapshots and log entries record by record. It writes to a
// bufio.Writer, which keeps the first write error and returns it from Flush, so the
// individual writes need no checks.
type recordDumper struct {
	w      *bufio.Writer
	json   bool
	dbPath string
}

// dumpJSONLine is one record of the JSON output.
type dumpJSONLine struct {
	// Snapshot is the snapshot id for records read from a snapshot.
	Snapshot string          `json:"snapshot,omitempty"`
	Index    uint64          `json:"index"`
	Term     uint64          `json:"term"`
	Record   json.RawMessage `json:"record,omitempty"`
	// Error reports an entry that does not decode; the dump goes on past it.
	Error string `json:"error,omitempty"`
}

func (d *recordDumper) dump(store *raftboltdb.BoltStore, snaps []*snapshotFile) error {
	for _, s := range snaps {
		d.snapshot(s)
	}
	first, last, err := logRange(store)
	if err != nil {
		return err
	}
	if !d.json {
		fmt.Fprintf(d.w, "Dumping raft log %s (first index %d, last index %d)\n", d.dbPath, first, last)
	}
	return eachEntry(store, 0, 0, d.entry)
}

// snapshot prints one snapshot's batches. A snapshot that fails its CRC or does not
// decode is reported in the output and the dump goes on: showing what is damaged is
// the point of a dump.
func (d *recordDumper) snapshot(s *snapshotFile) {
	if !d.json {
		fmt.Fprintf(d.w, "Dumping snapshot %s (index %d, term %d, size %d, configuration index %d)\n",
			filepath.Join(s.dir, "state.bin"), s.Index, s.Term, s.Size, s.ConfigurationIndex)
	}
	b, err := s.state()
	var batches []metadata.Batch
	if err == nil {
		batches, err = metadata.DecodeBatches(b)
	}
	for _, batch := range batches {
		d.batch(s.ID, s.Index, s.Term, batch)
	}
	if err != nil {
		d.fail(s.ID, s.Index, s.Term, err)
	}
}

// entry prints one Raft log entry: its batches for a command, its type otherwise.
func (d *recordDumper) entry(l *raft.Log) {
	if l.Type != raft.LogCommand {
		if !d.json {
			fmt.Fprintf(d.w, "raftIndex: %d raftTerm: %d type: %s%s\n", l.Index, l.Term, l.Type, raftEntryDetail(l))
		}
		return
	}
	batches, err := metadata.DecodeBatches(l.Data)
	for _, batch := range batches {
		d.batch("", l.Index, l.Term, batch)
	}
	if err != nil {
		d.fail("", l.Index, l.Term, fmt.Errorf("decode metadata batch at raft index %d: %w", l.Index, err))
	}
}

// raftEntryDetail describes the payload of a Raft-internal entry: the voter set of a
// configuration entry; no-op and barrier entries carry nothing.
func raftEntryDetail(l *raft.Log) string {
	if l.Type != raft.LogConfiguration {
		return ""
	}
	var servers []string
	for _, s := range raft.DecodeConfiguration(l.Data).Servers {
		servers = append(servers, fmt.Sprintf("%s@%s(%s)", s.ID, s.Address, s.Suffrage))
	}
	return " servers: [" + strings.Join(servers, " ") + "]"
}

// batch prints one record batch. In text every record's offset is index, the Raft
// index of its entry or snapshot, since that is the offset the image reports.
func (d *recordDumper) batch(snapshot string, index, term uint64, b metadata.Batch) {
	if !d.json {
		fmt.Fprintf(d.w, "raftIndex: %d raftTerm: %d baseOffset: %d count: %d partitionLeaderEpoch: %d isControl: %t CreateTime: %d\n",
			index, term, b.BaseOffset, len(b.Records), b.LeaderEpoch, b.Control, b.MaxTimestamp)
	}
	for _, r := range b.Records {
		js, err := metadata.RecordJSON(r)
		if err != nil {
			d.fail(snapshot, index, term, err)
			continue
		}
		if d.json {
			d.jsonLine(dumpJSONLine{Snapshot: snapshot, Index: index, Term: term, Record: js})
			continue
		}
		keySize := -1
		if _, ok := r.(*metadata.ControlRecord); ok {
			keySize = 4 // a control record's key is (version int16, type int16)
		}
		fmt.Fprintf(d.w, "| offset: %d CreateTime: %d keySize: %d valueSize: %d sequence: -1 headerKeys: [] payload: %s\n",
			index, b.MaxTimestamp, keySize, len(metadata.EncodeRecord(r)), js)
	}
}

// fail reports data that does not decode, in the output where it was found.
func (d *recordDumper) fail(snapshot string, index, term uint64, err error) {
	if d.json {
		d.jsonLine(dumpJSONLine{Snapshot: snapshot, Index: index, Term: term, Error: err.Error()})
		return
	}
	fmt.Fprintf(d.w, "| error: %v\n", err)
}

func (d *recordDumper) jsonLine(l dumpJSONLine) {
	// Every field is a string, a number or already-valid JSON, so Marshal cannot fail.
	b, _ := json.Marshal(l)
	d.w.Write(append(b, '\n'))
}
