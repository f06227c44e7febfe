package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ReadinessCheck says why a part of the node cannot serve yet; nil when it can.
type ReadinessCheck func() error

// Server is one metrics listener: /metrics for Prometheus, /healthz (the process
// answers) and /readyz (every readiness check passes) for orchestrators and load
// balancers.
type Server struct {
	reg *prometheus.Registry
	srv *http.Server
	ln  net.Listener
	log *slog.Logger
	mux *http.ServeMux

	mu     sync.Mutex
	checks []namedCheck
}

type namedCheck struct {
	name  string
	check ReadinessCheck
}

// Listen opens addr (host:port) and starts serving with a registry that holds the Go
// runtime's and the process's own metrics.
func Listen(addr string, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener %s: %w", addr, err)
	}
	s := &Server{reg: prometheus.NewRegistry(), ln: ln, log: log.With("component", "metrics")}
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	s.mux = mux
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{ErrorLog: slogErrors{s.log}}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", s.serveReadiness)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("metrics listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	s.log.Info("serving metrics, /healthz and /readyz", "addr", "http://"+ln.Addr().String())
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Register adds collectors to the registry /metrics serves.
func (s *Server) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := s.reg.Register(c); err != nil {
			return fmt.Errorf("register metrics: %w", err)
		}
	}
	return nil
}

// AddReadiness adds a check /readyz runs; name says which part of the node it is.
func (s *Server) AddReadiness(name string, check ReadinessCheck) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks = append(s.checks, namedCheck{name, check})
}

// serveReadiness answers 200 when every check passes, else 503 with each failing
// check's reason, one per line.
func (s *Server) serveReadiness(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	checks := append([]namedCheck(nil), s.checks...)
	s.mu.Unlock()
	var failed []string
	for _, c := range checks {
		if err := c.check(); err != nil {
			failed = append(failed, c.name+": "+err.Error())
		}
	}
	if len(failed) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready")
		fmt.Fprintln(w, strings.Join(failed, "\n"))
		return
	}
	fmt.Fprintln(w, "ready")
}

// Close stops serving.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}

// slogErrors hands promhttp's errors to the node's log.
type slogErrors struct{ log *slog.Logger }

func (e slogErrors) Println(v ...any) { e.log.Error("serving metrics", "err", fmt.Sprint(v...)) }
