package node

import (
	"fmt"
	"net"
	"net/http"
	"strconv"

	"github.com/kbridge/kbridge/migrate"
)

// migrationPagePattern is where a controller's metrics listeners and its admin
// endpoint serve the migration status page.
const migrationPagePattern = "GET /migration"

// addMigrationPage serves a migration controller's status page on its admin endpoint
// and, when that endpoint authenticates nobody, on its metrics listeners. The metrics
// listeners are plain HTTP and open to anyone who reaches them: with a secured
// controller listener they answer 403 and say where the page is served. A controller
// without a migration answers 404 there.
func (n *Node) addMigrationPage() {
	var h http.Handler
	switch {
	case n.driver == nil:
		h = textAnswer(http.StatusNotFound, migrate.NoMigrationPage)
	default:
		n.migrationPage = migrate.NewStatusPage(n.driver, n.controller.LeaderID, n.log)
		n.admin.UseStatusPage(n.migrationPage)
		h = n.migrationPage
		if why := n.adminAuthentication(); why != "" {
			h = textAnswer(http.StatusForbidden, fmt.Sprintf(
				"the migration status page is not served on the plain-HTTP metrics port because %s: open it on the migration admin endpoint, %s/migration, with the credentials `kbridge migrate --command-config` uses",
				why, n.adminURL()))
		}
	}
	for _, s := range n.metrics {
		s.Handle(migrationPagePattern, h)
	}
}

// adminAuthentication says why the admin endpoint authenticates or protects its
// callers (a TLS or SASL controller listener, an authorizer); "" when it serves
// anyone in plain HTTP, as the metrics listeners do.
func (n *Node) adminAuthentication() string {
	name := n.cfg.ControllerListenerNames[0]
	switch {
	case n.ctlSec.server != nil || n.ctlSec.mechanisms != nil:
		return fmt.Sprintf("the controller listener %s is %s", name, n.cfg.ListenerProtocol(name))
	case n.cfg.AuthorizerEnabled():
		return "an authorizer is configured (authorizer.class.name), so the admin endpoint serves only super users"
	}
	return ""
}

// adminURL is this controller's admin endpoint as its quorum voter address names it.
func (n *Node) adminURL() string {
	scheme := "http"
	if n.ctlSec.server != nil {
		scheme = "https"
	}
	for _, v := range n.cfg.ControllerQuorumVoters {
		if v.ID == n.cfg.NodeID {
			return scheme + "://" + net.JoinHostPort(v.Host, strconv.Itoa(v.Port))
		}
	}
	return scheme + "://<controller listener>"
}

// textAnswer answers every request with status and a one-line text.
func textAnswer(status int, text string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, text, status)
	})
}

// closeMigrationPage stops the status page's sampler.
func (n *Node) closeMigrationPage() {
	if n.migrationPage != nil {
		n.migrationPage.Close()
	}
}
