package zktest

import (
	"fmt"
	"io"
	"net"
	"time"
)

// fourLetterWord sends one of ZooKeeper's four-letter commands ("srvr", "ruok", ...)
// on the client port and returns the whole answer; the server closes the connection
// when it has written it.
func fourLetterWord(addr, cmd string, timeout time.Duration) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return "", fmt.Errorf("four-letter word %s to %s: %w", cmd, addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return "", fmt.Errorf("four-letter word %s to %s: %w", cmd, addr, err)
	}
	if _, err := io.WriteString(conn, cmd); err != nil {
		return "", fmt.Errorf("four-letter word %s to %s: %w", cmd, addr, err)
	}
	out, err := io.ReadAll(conn)
	if err != nil {
		return "", fmt.Errorf("four-letter word %s to %s: %w", cmd, addr, err)
	}
	return string(out), nil
}
