package metrics

import "net/http"

// Handle serves h at pattern (http.ServeMux's syntax) beside /metrics, /healthz and
// /readyz, so a role can add a page of its own — the migration controller's
// /migration — without the metrics package knowing it.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
}
