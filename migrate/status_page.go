package migrate

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"time"
)

var (
	//go:embed status_page.html
	statusPageHTML string
	//go:embed status_page.css
	statusPageCSS string

	statusPageTemplate = template.Must(template.New("status_page.html").Parse(statusPageHTML))
)

// RenderStatusPage writes the migration status page for d as HTML.
func RenderStatusPage(w io.Writer, d StatusPageData) error {
	if err := statusPageTemplate.Execute(w, newStatusPageView(d)); err != nil {
		return fmt.Errorf("render the migration status page: %w", err)
	}
	return nil
}

// statusPageRefresh is how often the page reloads itself in a browser.
const statusPageRefresh = 5 * time.Second

// sampleInterval is how often the page's sampler reads the status when reading it is
// cheap; a slow read (before the copy a status reads all of ZooKeeper) waits
// sampleSlowdown times as long as it took, so sampling stays a small share of a core.
const (
	sampleInterval = 2 * time.Second
	sampleSlowdown = 10
)

// StatusPage is a migration controller's read-only status page (/migration): the
// phase, the timeline of phases, the brokers, the ZooKeeper write lag over time and
// the finalize checklist. Its sampler reads the driver's status in the background,
// because the driver keeps no history of its own.
type StatusPage struct {
	driver   *Driver
	leaderID func() int32
	rec      *statusRecorder
	log      *slog.Logger
	// stop ends the sampler, cutting short a status read in progress.
	stop context.CancelFunc
	done chan struct{}
}

// NewStatusPage starts the sampler of d's status page; leaderID names the active
// controller for a page served by another one.
func NewStatusPage(d *Driver, leaderID func() int32, logger *slog.Logger) *StatusPage {
	ctx, stop := context.WithCancel(context.Background())
	p := &StatusPage{driver: d, leaderID: leaderID, rec: newStatusRecorder(time.Now()),
		log: logger.With("component", "migration-status-page"), stop: stop, done: make(chan struct{})}
	go p.sample(ctx)
	return p
}

// Close stops the sampler.
func (p *StatusPage) Close() {
	p.stop()
	<-p.done
}

// sample records the status until ctx ends.
func (p *StatusPage) sample(ctx context.Context) {
	defer close(p.done)
	for {
		start := time.Now()
		if _, err := p.status(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("sampling the migration status", "err", err)
		}
		wait := max(sampleInterval, sampleSlowdown*time.Since(start))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// status reads the driver's status and records it.
func (p *StatusPage) status(ctx context.Context) (Status, error) {
	s, err := p.driver.Status(ctx)
	if err != nil {
		return s, fmt.Errorf("read the migration status: %w", err)
	}
	p.rec.observe(s, time.Now())
	return s, nil
}

// ServeHTTP answers GET with the page; ?min_soak=DURATION sets the soak the finalize
// checklist assumes (DefaultMinSoak unless set), as `migrate finalize --min-soak`.
func (p *StatusPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	minSoak := DefaultMinSoak
	if v := r.URL.Query().Get("min_soak"); v != "" {
		var err error
		if minSoak, err = time.ParseDuration(v); err != nil {
			http.Error(w, "min_soak: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	s, err := p.status(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var page bytes.Buffer
	if err := RenderStatusPage(&page, StatusPageData{
		Status: s, Brokers: p.driver.brokerDetails(), History: p.rec.history(),
		MinSoak: minSoak, LeaderID: p.leaderID(), Refresh: statusPageRefresh, Now: time.Now(),
	}); err != nil {
		p.log.Error("rendering the migration status page", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// The page loads nothing: its style is inline and it has no script.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Write(page.Bytes())
}
