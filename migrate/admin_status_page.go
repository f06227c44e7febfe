package migrate

import "net/http"

// UseStatusPage serves p at GET /migration, behind the endpoint's authentication: the
// way to the page when the controller listener is secured, where the plain-HTTP
// metrics port refuses it (docs/migration.md, "The status page").
func (s *AdminServer) UseStatusPage(p *StatusPage) {
	s.driverMu.Lock()
	defer s.driverMu.Unlock()
	s.page = p
}

// handleStatusPage answers GET /migration with the status page, or 404 on a
// controller without a migration.
func (s *AdminServer) handleStatusPage(w http.ResponseWriter, r *http.Request) {
	s.driverMu.Lock()
	p := s.page
	s.driverMu.Unlock()
	if p == nil {
		http.Error(w, NoMigrationPage, http.StatusNotFound)
		return
	}
	p.ServeHTTP(w, r)
}

// NoMigrationPage is /migration's answer on a controller that runs no migration.
const NoMigrationPage = "no migration here: this controller was not started with zookeeper.metadata.migration.enable=true"
