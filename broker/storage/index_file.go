package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// indexFile holds a sparse index in memory in exactly its on-disk byte form, so that
// appending an entry is a slice append, loading is one read and persisting is one
// write of the tail not yet on disk. Files are never preallocated: their length is
// always a whole number of entries, which is what makes a reload after kill -9 checkable.
type indexFile struct {
	path      string
	entrySize int
	buf       []byte
	written   int  // leading bytes of buf already in the file
	rewrite   bool // the file may hold bytes beyond written and must be cut first
}

func (x *indexFile) entries() int { return len(x.buf) / x.entrySize }

func (x *indexFile) entry(i int) []byte { return x.buf[i*x.entrySize : (i+1)*x.entrySize] }

// reset empties the index so it can be rebuilt from the log.
func (x *indexFile) reset() {
	x.buf = x.buf[:0]
	x.written = 0
	x.rewrite = true
}

// load reads the whole file; a missing file is an empty index.
func (x *indexFile) load() error {
	b, err := os.ReadFile(x.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read index %s: %w", x.path, err)
	}
	if len(b)%x.entrySize != 0 {
		return fmt.Errorf("index %s: length %d is not a multiple of %d", x.path, len(b), x.entrySize)
	}
	x.buf, x.written, x.rewrite = b, len(b), false
	return nil
}

// lastEntryFromFile reads only the final entry, enough to learn a sealed segment's
// largest timestamp without loading its index.
func (x *indexFile) lastEntryFromFile() ([]byte, error) {
	f, err := os.Open(x.path)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", x.path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat index %s: %w", x.path, err)
	}
	if st.Size() == 0 || st.Size()%int64(x.entrySize) != 0 {
		return nil, fmt.Errorf("index %s: length %d is not a whole number of entries", x.path, st.Size())
	}
	e := make([]byte, x.entrySize)
	if _, err := f.ReadAt(e, st.Size()-int64(x.entrySize)); err != nil {
		return nil, fmt.Errorf("read index %s: %w", x.path, err)
	}
	return e, nil
}

// persist writes the entries not yet on disk and, with sync, fsyncs the file.
func (x *indexFile) persist(sync bool) error {
	if x.written == len(x.buf) && !x.rewrite && !sync {
		return nil
	}
	f, err := os.OpenFile(x.path, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open index %s: %w", x.path, err)
	}
	if x.rewrite {
		if err := f.Truncate(int64(x.written)); err != nil {
			f.Close()
			return fmt.Errorf("truncate index %s: %w", x.path, err)
		}
	}
	if _, err := f.WriteAt(x.buf[x.written:], int64(x.written)); err != nil {
		f.Close()
		return fmt.Errorf("write index %s: %w", x.path, err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("sync index %s: %w", x.path, err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close index %s: %w", x.path, err)
	}
	x.written, x.rewrite = len(x.buf), false
	return nil
}
