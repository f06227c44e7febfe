package zktest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// ZooKeeper wire constants (jute): the closeSession opcode, and the 16-byte session
// password every server derives from the session id.
const (
	opCloseSession = -11
	passwdLen      = 16
	// superSecret is ZooKeeperServer.superSecret (0xB3415C00 in every 3.x release,
	// checked here against 3.8's bytecode). The password of session id is the first
	// 16 bytes of java.util.Random(id ^ superSecret), so anyone who knows a session
	// id can attach to that session: the trick ZooKeeper's own tests use.
	superSecret = 0xB3415C00
)

// ExpireSession ends a live session on purpose, as if its client had been away past
// the session timeout: ephemeral znodes go at once and the client, on its next
// reconnect, is told its session expired (go-zookeeper reports zk.StateExpired and
// then opens a new session). It attaches to the session with the id and its derived
// password, then closes it; the server also drops the client's own connection.
//
// The id is what the client reports (go-zookeeper's Conn.SessionID) or, for a
// process the test cannot reach into, the EphemeralOwner of one of its ephemeral
// znodes. The test fails if the server does not know the session.
func (s *Server) ExpireSession(sessionID int64) {
	s.t.Helper()
	if err := closeSession(s.Addr(), sessionID, 10*time.Second); err != nil {
		s.t.Fatalf("zktest: expire session 0x%x: %v", sessionID, err)
	}
}

// closeSession attaches to a session and sends closeSession on it.
func closeSession(addr string, sessionID int64, timeout time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}

	// ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly.
	req := appendInt32(nil, 0)
	req = appendInt64(req, 0)
	req = appendInt32(req, int32(timeout/time.Millisecond))
	req = appendInt64(req, sessionID)
	req = appendInt32(req, passwdLen)
	req = append(req, sessionPassword(sessionID)...)
	req = append(req, 0)
	if err := writeFrame(conn, req); err != nil {
		return fmt.Errorf("send connect request: %w", err)
	}
	// ConnectResponse: protocolVersion, timeOut, sessionId, passwd, readOnly. The
	// server answers session id 0 for an unknown or expired session or a wrong password.
	resp, err := readFrame(conn)
	if err != nil {
		return fmt.Errorf("read connect response: %w", err)
	}
	if len(resp) < 16 {
		return fmt.Errorf("connect response of %d bytes", len(resp))
	}
	if got := int64(binary.BigEndian.Uint64(resp[8:16])); got != sessionID {
		return errors.New("the server refused to attach to it: it is unknown or already expired")
	}

	const xid = 1
	closeReq := appendInt32(appendInt32(nil, xid), opCloseSession)
	if err := writeFrame(conn, closeReq); err != nil {
		return fmt.Errorf("send closeSession: %w", err)
	}
	// ReplyHeader: xid, zxid, err. Other xids (-1 watch events, -2 pings) are skipped.
	for {
		reply, err := readFrame(conn)
		if err != nil {
			return fmt.Errorf("read closeSession reply: %w", err)
		}
		if len(reply) < 16 {
			return fmt.Errorf("reply header of %d bytes", len(reply))
		}
		if int32(binary.BigEndian.Uint32(reply[0:4])) != xid {
			continue
		}
		if code := int32(binary.BigEndian.Uint32(reply[12:16])); code != 0 {
			return fmt.Errorf("closeSession failed with ZooKeeper error code %d", code)
		}
		return nil
	}
}

// sessionPassword is ZooKeeperServer.generatePasswd: the first 16 bytes of
// java.util.Random seeded with the session id xor superSecret.
func sessionPassword(sessionID int64) []byte {
	r := newJavaRandom(sessionID ^ superSecret)
	p := make([]byte, passwdLen)
	r.nextBytes(p)
	return p
}

func appendInt32(b []byte, v int32) []byte { return binary.BigEndian.AppendUint32(b, uint32(v)) }
func appendInt64(b []byte, v int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(v)) }

func writeFrame(w io.Writer, body []byte) error {
	frame := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(body)), uint32(len(body)))
	_, err := w.Write(append(frame, body...))
	return err
}

// maxFrame bounds a reply read here; the replies this file reads are a few dozen bytes.
const maxFrame = 1 << 20

func readFrame(r io.Reader) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > maxFrame {
		return nil, fmt.Errorf("frame of %d bytes", size)
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return body, nil
}
