package netfault

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// stateDir holds one file per layout. /run is a tmpfs, emptied at boot like the
// namespaces themselves, so a file never outlives what it describes by a reboot.
const stateDir = "/run/netfault"

// state is what a layout writes before creating anything: who owns it, and enough for
// another process (the netfault command) to act on it by name.
type state struct {
	Prefix string `json:"prefix"`
	// Owner is the pid of the process whose layout it is; 0 for a layout the command
	// made, which stays until removed.
	Owner int `json:"owner"`
	// OwnerStart is the owner's start time (clock ticks after boot), so that another
	// process that got the pid later is not taken for the owner.
	OwnerStart uint64        `json:"owner_start"`
	Subnet     netip.Prefix  `json:"subnet"`
	Members    []memberState `json:"members"`
}

// memberState is one member as the layout built it.
type memberState struct {
	Name  string     `json:"name"`
	Roles Role       `json:"roles"`
	Addr  netip.Addr `json:"addr"`
	// Index numbers the member's port on the bridge and its delay queues; the clients
	// member is 0.
	Index int `json:"index"`
}

func statePath(prefix string) string { return filepath.Join(stateDir, prefix+".json") }

// writeState creates the layout's file; it fails if the prefix is taken.
func writeState(s *state) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode layout state: %w", err)
	}
	f, err := os.OpenFile(statePath(s.Prefix), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("layout %s: %w", s.Prefix, err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write layout state %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write layout state %s: %w", f.Name(), err)
	}
	return nil
}

// readState reads a layout's file; the error wraps os.ErrNotExist when there is none.
func readState(prefix string) (*state, error) {
	b, err := os.ReadFile(statePath(prefix))
	if err != nil {
		return nil, fmt.Errorf("layout %s: %w", prefix, err)
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("layout %s: decode %s: %w", prefix, statePath(prefix), err)
	}
	return &s, nil
}

// statePrefixes lists the prefixes that have a state file.
func statePrefixes() ([]string, error) {
	entries, err := os.ReadDir(stateDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("list layouts: %w", err)
	}
	var out []string
	for _, e := range entries {
		if p, ok := strings.CutSuffix(e.Name(), ".json"); ok && prefixPattern.MatchString(p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// withLock runs fn holding the exclusive lock on the state directory, under which
// layouts are made and swept, so a sweep never sees half of a new layout and two new
// layouts never take one subnet.
func withLock(fn func() error) error {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", stateDir, err)
	}
	f, err := os.OpenFile(filepath.Join(stateDir, ".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open layout lock: %w", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return fn()
}

// startTime reads a process's start time from /proc/<pid>/stat; false when there is
// no such process.
func startTime(pid int) (uint64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name, field 2, is in parentheses and may hold spaces: count the
	// fields after its closing one. The start time is field 22.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 20 {
		return 0, false
	}
	t, err := strconv.ParseUint(fields[19], 10, 64)
	return t, err == nil
}

// ownerAlive says whether the layout's owner still runs; a layout of the command's,
// with no owner, always counts as alive.
func (s *state) ownerAlive() bool {
	if s.Owner == 0 {
		return true
	}
	t, ok := startTime(s.Owner)
	return ok && t == s.OwnerStart
}
