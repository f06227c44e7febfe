package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Suffixes of Kafka's segment replacement: the cleaner writes X.log.cleaned (and its
// indexes), and renames them to .swap once they are complete; replaced segments become
// .deleted before they go.
const (
	cleanedSuffix = ".cleaned"
	swapSuffix    = ".swap"
	deletedSuffix = ".deleted"
)

// Replacing the segments of one group by their cleaned copy at base B is four steps,
// each made durable before the next, so that a kill -9 anywhere leaves a directory
// that recovery turns into either the old segments or the new one, never a mix:
//
//  1. B.log.cleaned, B.index.cleaned and B.timeindex.cleaned are written and fsynced,
//     and B.txnindex.cleaned if the cleaned segment keeps an abort marker.
//  2. markReplaced: every replaced segment's log is renamed to .deleted.
//  3. commitSwap: the .cleaned files are renamed to .swap, the log last. The moment
//     B.log.swap exists the swap is decided.
//  4. completeSwap: the .deleted logs and their indexes are removed, then the .swap
//     files renamed into place, the log last.
//
// Kafka renames replaced segments to .deleted after the commit and finds them at
// recovery by offset range; renaming them first instead records exactly which
// segments the swap replaces, even one that compaction emptied. Groups are swapped
// one at a time, so at most one swap is ever in flight in a directory.

// markReplaced is step 2.
func markReplaced(dir string, bases []int64) error {
	for _, b := range bases {
		p := segmentPath(dir, b, logSuffix)
		if err := os.Rename(p, p+deletedSuffix); err != nil {
			return fmt.Errorf("mark segment replaced: %w", err)
		}
	}
	return syncDir(dir)
}

// segmentFileSuffixes are a segment's files, the log last: renaming it completes a
// step of the swap.
var segmentFileSuffixes = []string{indexSuffix, timeIndexSuffix, txnIndexSuffix, logSuffix}

// commitSwap is step 3. A cleaned segment without aborts has no transaction index.
func commitSwap(dir string, base int64) error {
	for _, suffix := range segmentFileSuffixes {
		p := segmentPath(dir, base, suffix)
		err := os.Rename(p+cleanedSuffix, p+swapSuffix)
		if err != nil && !(suffix == txnIndexSuffix && errors.Is(err, fs.ErrNotExist)) {
			return fmt.Errorf("commit segment swap: %w", err)
		}
	}
	return syncDir(dir)
}

// completeSwap is step 4, run by the cleaner and again by recovery when it finds a
// committed swap; every step of it may be repeated.
func completeSwap(dir string) error {
	names, err := dirNames(dir)
	if err != nil {
		return err
	}
	for _, name := range names {
		base, ok := parseOffsetFileName(strings.TrimSuffix(name, deletedSuffix), logSuffix)
		if !ok || !strings.HasSuffix(name, deletedSuffix) {
			continue
		}
		for _, p := range []string{segmentPath(dir, base, indexSuffix), segmentPath(dir, base, timeIndexSuffix), segmentPath(dir, base, txnIndexSuffix), filepath.Join(dir, name)} {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("complete segment swap: %w", err)
			}
		}
	}
	for _, suffix := range segmentFileSuffixes {
		for _, name := range names {
			if _, ok := parseOffsetFileName(strings.TrimSuffix(name, swapSuffix), suffix); !ok || !strings.HasSuffix(name, swapSuffix) {
				continue
			}
			p := filepath.Join(dir, name)
			if err := os.Rename(p, strings.TrimSuffix(p, swapSuffix)); err != nil {
				return fmt.Errorf("complete segment swap: %w", err)
			}
		}
	}
	return syncDir(dir)
}

// rollBackSwap undoes steps 1 to 3 of a swap that was not committed: the replaced
// segments get their names back and the cleaned copy is thrown away.
func rollBackSwap(dir string) error {
	names, err := dirNames(dir)
	if err != nil {
		return err
	}
	for _, name := range names {
		p := filepath.Join(dir, name)
		var err error
		switch {
		case strings.HasSuffix(name, logSuffix+deletedSuffix):
			err = os.Rename(p, strings.TrimSuffix(p, deletedSuffix))
		case strings.HasSuffix(name, cleanedSuffix), strings.HasSuffix(name, swapSuffix):
			err = os.Remove(p)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("roll back segment swap: %w", err)
		}
	}
	return syncDir(dir)
}

// recoverSwap finishes or rolls back a swap that a crash interrupted, before the
// segments are listed: a committed swap (a .log.swap exists) is completed, anything
// else is rolled back.
func recoverSwap(dir string, log *slog.Logger) error {
	names, err := dirNames(dir)
	if err != nil {
		return err
	}
	committed, pending := false, false
	for _, name := range names {
		committed = committed || strings.HasSuffix(name, logSuffix+swapSuffix)
		pending = pending || strings.HasSuffix(name, cleanedSuffix) ||
			strings.HasSuffix(name, swapSuffix) || strings.HasSuffix(name, deletedSuffix)
	}
	switch {
	case committed:
		log.Info("completing an interrupted segment swap of the log cleaner")
		return completeSwap(dir)
	case pending:
		log.Info("rolling back an interrupted segment swap of the log cleaner")
		return rollBackSwap(dir)
	}
	return nil
}

// swapIn replaces group, still the same run of l.segments, by the cleaned segment
// written at the group's base (steps 2 to 4 of the swap, under the write lock so that
// no read is between the old files and the new).
func (l *PartitionLog) swapIn(group []*segment, size int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := slices.Index(l.segments, group[0])
	if at < 0 || at+len(group) >= len(l.segments) || l.segments[at+len(group)-1] != group[len(group)-1] {
		if err := rollBackSwap(l.dir); err != nil {
			return err
		}
		return fmt.Errorf("segments at %d changed during compaction", group[0].base)
	}
	bases := make([]int64, len(group))
	for i, s := range group {
		bases[i] = s.base
	}
	if err := markReplaced(l.dir, bases); err != nil {
		if rerr := rollBackSwap(l.dir); rerr != nil {
			return fmt.Errorf("%w (and %v)", err, rerr)
		}
		return err
	}
	if err := commitSwap(l.dir, group[0].base); err != nil {
		if rerr := rollBackSwap(l.dir); rerr != nil {
			return fmt.Errorf("%w (and %v)", err, rerr)
		}
		return err
	}
	// Committed: from here a failure is finished by recovery at the next Open, and the
	// old segments' open files keep serving reads until then.
	if err := completeSwap(l.dir); err != nil {
		return err
	}
	s, err := openSegment(l.dir, group[0].base)
	if err != nil {
		return err
	}
	if s.size != size {
		s.close()
		return fmt.Errorf("swapped-in segment %s has %d bytes, wrote %d", s.file.Name(), s.size, size)
	}
	if !s.readSealedMaxTimestamp() {
		if _, err := s.load(l.cfg.IndexIntervalBytes, false, true, l.log); err != nil {
			s.close()
			return err
		}
	}
	for _, old := range group {
		old.close()
	}
	l.segments = slices.Replace(l.segments, at, at+len(group), s)
	return nil
}

func dirNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names, nil
}
