package checker

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// maxImageLines bounds the differing lines a violation shows.
const maxImageLines = 20

// DumpImage runs `kbridge metadata dump --dir <metadataDir> --image`: the metadata
// image a restart of that controller would rebuild, one JSON record per line, without
// offsets, terms or times, so that two controllers that agree print the same bytes.
// A lastIndex other than 0 stops the image at that Raft index (--last-index). The
// controller must be stopped (it locks raft.db), or metadataDir a copy taken while it
// was.
func DumpImage(ctx context.Context, kbridgeBin, metadataDir string, lastIndex uint64) ([]byte, error) {
	args := []string{"metadata", "dump", "--dir", metadataDir, "--image"}
	if lastIndex != 0 {
		args = append(args, "--last-index", strconv.FormatUint(lastIndex, 10))
	}
	out, err := runKbridge(ctx, kbridgeBin, args...)
	if err != nil {
		return nil, fmt.Errorf("dump the metadata image of %s: %w", metadataDir, err)
	}
	return out, nil
}

// LastLogIndex is the last Raft index a stopped controller's log holds, as the first
// line of `kbridge metadata dump` says ("Dumping raft log ... last index N)").
func LastLogIndex(ctx context.Context, kbridgeBin, metadataDir string) (uint64, error) {
	out, err := runKbridge(ctx, kbridgeBin, "metadata", "dump", "--dir", metadataDir)
	if err != nil {
		return 0, fmt.Errorf("dump the metadata log of %s: %w", metadataDir, err)
	}
	m := lastIndexLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("the metadata dump of %s does not say where its log ends", metadataDir)
	}
	return strconv.ParseUint(string(m[1]), 10, 64)
}

var lastIndexLine = regexp.MustCompile(`(?m)^Dumping raft log .* last index (\d+)\)$`)

// runKbridge runs the kbridge binary and returns its standard output, or an error
// carrying its standard error.
func runKbridge(ctx context.Context, kbridgeBin string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, kbridgeBin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%w: %s", err, strings.TrimSpace(errOut.String()))
	}
	return out.Bytes(), nil
}

// CompareImages checks that every controller's image, by name, is the first one's (in
// name order): one violation per image that differs, showing the lines only one of
// the two has, or, when they hold the same lines, the first line whose place differs.
func CompareImages(images map[string][]byte) []Violation {
	names := slices.Sorted(maps.Keys(images))
	if len(names) < 2 {
		return nil
	}
	base := names[0]
	baseLines := lines(images[base])
	var out []Violation
	for _, name := range names[1:] {
		other := lines(images[name])
		if slices.Equal(baseLines, other) {
			continue
		}
		evidence := lineDiff(base, baseLines, name, other)
		out = append(out, Violation{Anomaly: ImageDiffers, Lines: evidence,
			Summary: fmt.Sprintf("the metadata image of %s (%d records) differs from %s's (%d records)", name, len(other), base, len(baseLines))})
	}
	return out
}

func lines(b []byte) []string {
	s := strings.TrimRight(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// lineDiff lists the lines only a has ("-a: ...") and only b has ("+b: ..."), counted
// as multisets; with none, the first place where the order differs.
func lineDiff(aName string, a []string, bName string, b []string) []string {
	count := map[string]int{}
	for _, l := range a {
		count[l]++
	}
	for _, l := range b {
		count[l]--
	}
	var out []string
	for _, side := range []struct {
		name  string
		lines []string
		sign  int
		mark  string
	}{{aName, a, 1, "-"}, {bName, b, -1, "+"}} {
		left := map[string]int{}
		for l, c := range count {
			left[l] = c * side.sign
		}
		for _, l := range side.lines {
			if left[l] > 0 && len(out) < maxImageLines {
				out = append(out, fmt.Sprintf("%s%s: %s", side.mark, side.name, l))
				left[l]--
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for i := range a {
		if a[i] != b[i] {
			return []string{fmt.Sprintf("record %d: %s has %s", i, aName, a[i]), fmt.Sprintf("record %d: %s has %s", i, bName, b[i])}
		}
	}
	return nil
}
