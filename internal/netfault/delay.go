package netfault

import (
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"time"
)

// queueNum is the netlink queue of one direction: unique in the hub, and the same in
// every process that acts on the layout, so the command can remove a delay a test set.
func queueNum(d direction) uint16 { return uint16(d.from.Index<<8 | d.to.Index) }

// delayRule is the iptables-nft rule (after -A, -C or -D FORWARD) that queues one
// direction's packets. --queue-bypass lets them pass when no process reads the queue.
func delayRule(d direction) []string {
	return []string{
		"-s", d.from.Addr.String(), "-d", d.to.Addr.String(),
		"-m", "comment", "--comment", ruleComment("delay", d.from.Name, d.to.Name),
		"-j", "NFQUEUE", "--queue-num", strconv.Itoa(int(queueNum(d))), "--queue-bypass",
	}
}

// startDelay starts releasing the direction's queue late and then sends its packets
// there, in that order, so no packet meets a queue nobody reads.
func (l *Layout) startDelay(d direction, delay, jitter time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("netfault: layout %s is closed", l.st.Prefix)
	}
	dl, err := startDelayer(l.hub(), queueNum(d), delay, jitter)
	if err != nil {
		return fmt.Errorf("netfault: delay %s>%s: %w", d.from.Name, d.to.Name, err)
	}
	args := append([]string{"-w", "-A", "FORWARD"}, delayRule(d)...)
	if _, err := runIn(l.hub(), nil, "iptables-nft", args...); err != nil {
		dl.stop()
		return fmt.Errorf("netfault: delay %s>%s: %w", d.from.Name, d.to.Name, err)
	}
	l.delays[link{d.from.Index, d.to.Index}] = dl
	return nil
}

// stopDelays stops the delays on the directions and returns what failed.
func (l *Layout) stopDelays(dirs []direction) []error {
	var errs []error
	for _, d := range dirs {
		errs = append(errs, l.stopDelay(d))
	}
	return errs
}

// stopDelay removes the direction's queue rule, whichever process added it, and then
// lets this process's held packets go.
func (l *Layout) stopDelay(d direction) error {
	var errs []error
	check := append([]string{"-w", "-C", "FORWARD"}, delayRule(d)...)
	_, err := runIn(l.hub(), nil, "iptables-nft", check...)
	var exit *exec.ExitError
	switch {
	case err == nil:
		del := append([]string{"-w", "-D", "FORWARD"}, delayRule(d)...)
		if _, err := runIn(l.hub(), nil, "iptables-nft", del...); err != nil {
			errs = append(errs, fmt.Errorf("netfault: remove delay %s>%s: %w", d.from.Name, d.to.Name, err))
		}
	case !errors.As(err, &exit):
		// A rule that is not there makes iptables exit non-zero; anything else is a
		// failure to ask.
		errs = append(errs, fmt.Errorf("netfault: look for delay %s>%s: %w", d.from.Name, d.to.Name, err))
	}
	l.mu.Lock()
	dl := l.delays[link{d.from.Index, d.to.Index}]
	delete(l.delays, link{d.from.Index, d.to.Index})
	l.mu.Unlock()
	if dl != nil {
		dl.stop()
	}
	return errors.Join(errs...)
}
