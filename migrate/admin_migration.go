package migrate

import (
	"errors"
	"net/http"
	"time"
)

// errorJSON is the body of every admin error: what went wrong, the blockers or
// reasons when the driver refused, and the active controller for a redirect.
type errorJSON struct {
	Error    string    `json:"error"`
	LeaderID int32     `json:"leader_id"`
	Blockers []Finding `json:"blockers,omitempty"`
	Reasons  []string  `json:"reasons,omitempty"`
}

// UseDriver serves the migration operations of d: only a controller started with
// zookeeper.metadata.migration.enable has a driver.
func (s *AdminServer) UseDriver(d *Driver) {
	s.driverMu.Lock()
	defer s.driverMu.Unlock()
	s.driver = d
}

// migrationDriver returns the driver, or answers that migration is not enabled here.
func (s *AdminServer) migrationDriver(w http.ResponseWriter) *Driver {
	s.driverMu.Lock()
	d := s.driver
	s.driverMu.Unlock()
	if d == nil {
		writeJSON(w, http.StatusNotFound, errorJSON{Error: "this controller was not started with zookeeper.metadata.migration.enable=true", LeaderID: s.ctrl.LeaderID()})
	}
	return d
}

// serve runs one driver operation and answers with its result or its error.
func (s *AdminServer) serve(w http.ResponseWriter, op func(*Driver) (any, error)) {
	d := s.migrationDriver(w)
	if d == nil {
		return
	}
	res, err := op(d)
	if err != nil {
		s.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *AdminServer) handleStatus(w http.ResponseWriter, r *http.Request) {
	s.serve(w, func(d *Driver) (any, error) { return d.Status(r.Context()) })
}

func (s *AdminServer) handleCommit(w http.ResponseWriter, r *http.Request) {
	s.serve(w, func(d *Driver) (any, error) { return d.Commit(r.Context()) })
}

func (s *AdminServer) handleRollback(w http.ResponseWriter, r *http.Request) {
	s.serve(w, func(d *Driver) (any, error) { return d.Rollback(r.Context(), r.URL.Query().Get("dry_run") == "true") })
}

func (s *AdminServer) handleFinalize(w http.ResponseWriter, r *http.Request) {
	var soak time.Duration
	if v := r.URL.Query().Get("min_soak"); v != "" {
		var err error
		if soak, err = time.ParseDuration(v); err != nil {
			writeJSON(w, http.StatusBadRequest, errorJSON{Error: "min_soak: " + err.Error(), LeaderID: s.ctrl.LeaderID()})
			return
		}
	}
	checkOnly := r.URL.Query().Get("check_only") == "true"
	s.serve(w, func(d *Driver) (any, error) {
		if err := d.Finalize(r.Context(), soak, checkOnly); err != nil {
			return nil, err
		}
		return d.Status(r.Context())
	})
}

// writeError maps the driver's errors to HTTP: 421 on a controller that is not the
// active one (the body names the leader), 409 for a refusal with its blockers or
// reasons, 500 otherwise.
func (s *AdminServer) writeError(w http.ResponseWriter, err error) {
	body := errorJSON{Error: err.Error(), LeaderID: s.ctrl.LeaderID()}
	var blocked *BlockedError
	var refused *RefusedError
	switch {
	case errors.Is(err, ErrNotActive):
		writeJSON(w, http.StatusMisdirectedRequest, body)
	case errors.As(err, &blocked):
		body.Blockers = blocked.Blockers
		writeJSON(w, http.StatusConflict, body)
	case errors.As(err, &refused):
		body.Reasons = refused.Reasons
		writeJSON(w, http.StatusConflict, body)
	default:
		s.log.Warn("migration admin request failed", "err", err)
		writeJSON(w, http.StatusInternalServerError, body)
	}
}
