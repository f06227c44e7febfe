package migrate

import (
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/kbridge/kbridge/metadata"
)

// QuorumMember is what the admin endpoint needs of a KRaft controller:
// kraftmode.Controller is one.
type QuorumMember interface {
	// Image is the newest committed image.
	Image() *metadata.Image
	// LeaderID is the active controller's node id, -1 while there is none.
	LeaderID() int32
}

// AdminServer is a migration controller's admin endpoint: HTTP on the controller
// listener's port, which the node shares with Raft and the Kafka protocol (an HTTP
// request begins with a letter, never with Raft's magic byte or a Kafka size's 0x00).
// The `kbridge migrate` commands read the quorum's state through it.
type AdminServer struct {
	ctrl   QuorumMember
	nodeID int32
	voters []Voter
	access AdminAccess
	log    *slog.Logger

	conns  *connQueue
	server *http.Server
	done   chan struct{}

	driverMu sync.Mutex
	driver   *Driver
	page     *StatusPage
}

// NewAdminServer starts serving the connections handed to ServeConn, authenticating
// their requests as access says.
func NewAdminServer(ctrl QuorumMember, nodeID int32, voters []Voter, access AdminAccess, logger *slog.Logger) *AdminServer {
	s := &AdminServer{ctrl: ctrl, nodeID: nodeID, voters: voters, access: access, log: logger.With("component", "migration-admin"),
		conns: newConnQueue(), done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/state", s.handleState)
	mux.HandleFunc("GET /v1/records", s.handleRecords)
	mux.HandleFunc("GET /v1/migration/status", s.handleStatus)
	mux.HandleFunc("POST /v1/migration/commit", s.handleCommit)
	mux.HandleFunc("POST /v1/migration/finalize", s.handleFinalize)
	mux.HandleFunc("POST /v1/migration/rollback", s.handleRollback)
	mux.HandleFunc("GET /migration", s.handleStatusPage)
	s.server = &http.Server{Handler: s.authenticate(mux), ReadHeaderTimeout: 10 * time.Second, ConnContext: connContext}
	go func() {
		defer close(s.done)
		s.server.Serve(s.conns)
	}()
	return s
}

// ServeConn serves one connection whose first bytes were already read into conn's
// prefix by the port's demultiplexer; peer is what the listener knows of it.
func (s *AdminServer) ServeConn(conn net.Conn, peer Peer) {
	s.conns.push(&peerConn{Conn: conn, peer: peer})
}

// Close stops the endpoint and closes its connections.
func (s *AdminServer) Close() {
	s.server.Close()
	<-s.done
}

// handleState answers GET /v1/state.
func (s *AdminServer) handleState(w http.ResponseWriter, _ *http.Request) {
	img := s.ctrl.Image()
	writeJSON(w, http.StatusOK, stateJSON{
		NodeID:           s.nodeID,
		LeaderID:         s.ctrl.LeaderID(),
		Voters:           s.voters,
		ClusterID:        img.ClusterID,
		Offset:           img.Offset,
		Epoch:            img.Epoch,
		InTransaction:    img.InTransaction(),
		MetadataVersion:  img.MetadataVersion(),
		ZkMigrationState: img.ZkMigrationState.String(),
	})
}

// handleRecords answers GET /v1/records with the committed image as one batch of
// metadata records in Kafka's framing, the form a snapshot has, SCRAM credentials
// redacted: their salts and keys never leave the controller (UserScramCredentialRecord.Redacted).
func (s *AdminServer) handleRecords(w http.ResponseWriter, _ *http.Request) {
	img := s.ctrl.Image()
	recs := img.Records()
	for i, r := range recs {
		if scram, ok := r.(*metadata.UserScramCredentialRecord); ok {
			recs[i] = scram.Redacted()
		}
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(metadata.EncodeBatch(max(img.Offset, 0), img.Epoch, time.Now().UnixMilli(), recs))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// connQueue is a net.Listener fed by the controller port's demultiplexer.
type connQueue struct {
	ch     chan net.Conn
	once   sync.Once
	closed chan struct{}
}

func newConnQueue() *connQueue {
	return &connQueue{ch: make(chan net.Conn), closed: make(chan struct{})}
}

func (q *connQueue) push(c net.Conn) {
	select {
	case q.ch <- c:
	case <-q.closed:
		c.Close()
	}
}

// Accept returns the next handed-over connection.
func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.ch:
		return c, nil
	case <-q.closed:
		return nil, net.ErrClosed
	}
}

// Close stops Accept.
func (q *connQueue) Close() error {
	q.once.Do(func() { close(q.closed) })
	return nil
}

// Addr is a placeholder: the connections come from the controller listener.
func (q *connQueue) Addr() net.Addr { return &net.TCPAddr{} }
