package netfault

import (
	"encoding/binary"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// The nfnetlink_queue protocol (linux/netfilter/nfnetlink_queue.h), the few parts a
// delay needs: bind a queue, ask for packet ids without payload, give verdicts.
const (
	nfnlSubsysQueue = 3
	nfqnlMsgPacket  = 0
	nfqnlMsgVerdict = 1
	nfqnlMsgConfig  = 2

	nfqaPacketHdr  = 1
	nfqaVerdictHdr = 2

	nfqaCfgCmd         = 1
	nfqaCfgParams      = 2
	nfqaCfgQueueMaxlen = 3

	nfqnlCfgCmdBind = 1
	nfqnlCopyMeta   = 1

	nfAccept = 1

	// queueMaxLen is how many packets the kernel holds for one queue: enough for a
	// 200 ms delay at far more than a test's traffic; beyond it packets are dropped,
	// as a full router buffer would.
	queueMaxLen = 1 << 16
	// receiveBuffer is the socket's buffer for packet notices; a notice that does not
	// fit drops its packet, so it is large.
	receiveBuffer = 16 << 20
)

// nfQueue is a netlink socket bound to one queue of the namespace it was opened in.
type nfQueue struct {
	f   *os.File
	num uint16
}

// openQueue opens the socket inside the namespace and binds the queue, in copy-meta
// mode: the notices carry packet ids, never payload.
func openQueue(ns string, num uint16) (*nfQueue, error) {
	var fd int
	err := inNamespace(ns, func() error {
		var err error
		fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_NETFILTER)
		if err != nil {
			return fmt.Errorf("netlink socket in %s: %w", ns, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := setupSocket(fd); err != nil {
		unix.Close(fd)
		return nil, err
	}
	q := &nfQueue{f: os.NewFile(uintptr(fd), fmt.Sprintf("nfqueue-%d", num)), num: num}
	params := binary.BigEndian.AppendUint32(nil, 0xffff)
	params = append(params, nfqnlCopyMeta)
	for _, attr := range [][]byte{
		nlAttr(nfqaCfgCmd, []byte{nfqnlCfgCmdBind, 0, 0, 0}),
		nlAttr(nfqaCfgParams, params),
		nlAttr(nfqaCfgQueueMaxlen, binary.BigEndian.AppendUint32(nil, queueMaxLen)),
	} {
		if err := q.configure(attr); err != nil {
			q.f.Close()
			return nil, fmt.Errorf("bind netlink queue %d in %s: %w", num, ns, err)
		}
	}
	return q, nil
}

func setupSocket(fd int) error {
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("bind netlink socket: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, receiveBuffer); err != nil {
		return fmt.Errorf("size netlink socket buffer: %w", err)
	}
	// An overflow drops packets, which is loss; it need not also fail the next read.
	if err := unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_NO_ENOBUFS, 1); err != nil {
		return fmt.Errorf("set NETLINK_NO_ENOBUFS: %w", err)
	}
	return nil
}

// configure sends one config message with an ACK requested and reads the answer. No
// packet is queued yet (the rule comes after), so the answer is the next message.
func (q *nfQueue) configure(attr []byte) error {
	if _, err := q.f.Write(q.message(nfqnlMsgConfig, unix.NLM_F_REQUEST|unix.NLM_F_ACK, attr)); err != nil {
		return fmt.Errorf("send config: %w", err)
	}
	buf := make([]byte, 4096)
	n, err := q.f.Read(buf)
	if err != nil {
		return fmt.Errorf("read config answer: %w", err)
	}
	if n < unix.NLMSG_HDRLEN+4 || binary.NativeEndian.Uint16(buf[4:]) != unix.NLMSG_ERROR {
		return fmt.Errorf("unexpected config answer of %d bytes", n)
	}
	if code := int32(binary.NativeEndian.Uint32(buf[unix.NLMSG_HDRLEN:])); code != 0 {
		return syscall.Errno(-code)
	}
	return nil
}

// message frames one nfnetlink message to the queue's subsystem.
func (q *nfQueue) message(msgType uint16, flags uint16, attrs ...[]byte) []byte {
	body := []byte{unix.AF_UNSPEC, 0} // nfgenmsg: family, version
	body = binary.BigEndian.AppendUint16(body, q.num)
	for _, a := range attrs {
		body = append(body, a...)
	}
	msg := binary.NativeEndian.AppendUint32(nil, uint32(unix.NLMSG_HDRLEN+len(body)))
	msg = binary.NativeEndian.AppendUint16(msg, nfnlSubsysQueue<<8|msgType)
	msg = binary.NativeEndian.AppendUint16(msg, flags)
	msg = binary.NativeEndian.AppendUint32(msg, 0) // sequence
	msg = binary.NativeEndian.AppendUint32(msg, 0) // port id: the kernel fills it
	return append(msg, body...)
}

// nlAttr frames one netlink attribute, padded to four bytes.
func nlAttr(typ uint16, payload []byte) []byte {
	a := binary.NativeEndian.AppendUint16(nil, uint16(4+len(payload)))
	a = binary.NativeEndian.AppendUint16(a, typ)
	a = append(a, payload...)
	for len(a)%4 != 0 {
		a = append(a, 0)
	}
	return a
}

// receive waits for packet notices and returns their ids; an error is the socket's
// (closed, or past its read deadline).
func (q *nfQueue) receive(buf []byte) ([]uint32, error) {
	n, err := q.f.Read(buf)
	if err != nil {
		return nil, err
	}
	return parseNotices(buf[:n]), nil
}

// parseNotices returns the packet ids of the notices in one read. Other messages (the
// error answer to a verdict for a packet the kernel no longer holds) are passed over,
// and so is whatever follows a malformed message: its packets are dropped when the
// queue closes.
func parseNotices(buf []byte) []uint32 {
	var ids []uint32
	for msg := buf; len(msg) >= unix.NLMSG_HDRLEN; {
		length := int(binary.NativeEndian.Uint32(msg))
		if length < unix.NLMSG_HDRLEN || length > len(msg) {
			break
		}
		if binary.NativeEndian.Uint16(msg[4:]) == nfnlSubsysQueue<<8|nfqnlMsgPacket {
			if id, ok := packetID(msg[unix.NLMSG_HDRLEN+4 : length]); ok {
				ids = append(ids, id)
			}
		}
		msg = msg[min(len(msg), (length+3)&^3):]
	}
	return ids
}

// packetID finds the packet header attribute among a notice's attributes.
func packetID(attrs []byte) (uint32, bool) {
	for len(attrs) >= 4 {
		length := int(binary.NativeEndian.Uint16(attrs))
		typ := binary.NativeEndian.Uint16(attrs[2:]) &^ (unix.NLA_F_NESTED | unix.NLA_F_NET_BYTEORDER)
		if length < 4 || length > len(attrs) {
			return 0, false
		}
		if typ == nfqaPacketHdr && length >= 8 {
			return binary.BigEndian.Uint32(attrs[4:]), true
		}
		attrs = attrs[min(len(attrs), (length+3)&^3):]
	}
	return 0, false
}

// drain reads, without waiting, every notice already in the socket and returns the
// ids. It reads beside the poller (Control, not Read, whose lock the reader goroutine
// holds while it waits), which a datagram socket allows: each notice goes to one of
// the two.
func (q *nfQueue) drain() []uint32 {
	raw, err := q.f.SyscallConn()
	if err != nil {
		return nil
	}
	var ids []uint32
	buf := make([]byte, 1<<16)
	raw.Control(func(fd uintptr) {
		for {
			n, _, err := unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT)
			if err != nil {
				return
			}
			ids = append(ids, parseNotices(buf[:n])...)
		}
	})
	return ids
}

// accept lets one held packet go on its way.
func (q *nfQueue) accept(id uint32) error {
	hdr := binary.BigEndian.AppendUint32(nil, nfAccept)
	hdr = binary.BigEndian.AppendUint32(hdr, id)
	_, err := q.f.Write(q.message(nfqnlMsgVerdict, unix.NLM_F_REQUEST, nlAttr(nfqaVerdictHdr, hdr)))
	return err
}

// close unbinds the queue by closing the socket; the kernel drops what it still held,
// so the caller accepts those packets first.
func (q *nfQueue) close() error { return q.f.Close() }
