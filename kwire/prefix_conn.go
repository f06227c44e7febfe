package kwire

import "net"

// PrefixConn is a connection whose first bytes a demultiplexer has already read, to
// tell the protocols of a shared port apart (the controller listener carries Raft,
// HTTP and Kafka's protocol), and gives them back to the next Read, so the server it
// is handed to reads the stream whole. It is in kwire because each place that routes
// such a port needs it: node.routeControllerConn, and the tests of kraftmode and
// kraftbroker, which start controllers behind a listener the way node does.
type PrefixConn struct {
	net.Conn
	Prefix []byte
}

// Read returns what is left of Prefix first, then reads the connection.
func (c *PrefixConn) Read(p []byte) (int, error) {
	if len(c.Prefix) > 0 {
		n := copy(p, c.Prefix)
		c.Prefix = c.Prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
