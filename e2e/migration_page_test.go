package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kbridge/kbridge/migrate"
)

// TestMigrationStatusPage: the migration example's shape (three ZooKeeper-mode
// brokers, three migration controllers) with metrics.listeners on every node. Opened
// in headless Chromium, the active controller's /migration shows PRE_MIGRATION with
// every broker led through ZooKeeper, then, after `migrate commit`, BROKERS_ON_KRAFT
// with every broker on the quorum and caught up, the lag chart and the finalize
// checklist, whose soak ?min_soak sets; a screenshot is taken. Another controller's page says it is not the
// active one; a broker does not serve the page.
func TestMigrationStatusPage(t *testing.T) {
	requireTool(t, "chromium")
	brokerMetrics := map[int]string{}
	m := StartMigrationClusterWith(t, 3, 3, func(id int, _ string) []string {
		brokerMetrics[id] = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		return []string{"metrics.listeners=http://" + brokerMetrics[id]}
	})
	pages := map[*Node]string{}
	for _, n := range m.Controllers {
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		appendProperties(t, n.ConfigPath, "metrics.listeners=http://"+addr)
		pages[n] = "http://" + addr + "/migration"
	}
	m.StartControllers()
	m.WaitPhase(30*time.Second, migrate.PhasePreMigration, "READY")
	active := m.activeController(t)
	url := pages[active]

	text := pageText(t, url)
	for _, want := range []string{"PRE_MIGRATION", "READY", "broker 1 ZooKeeper", "broker 2 ZooKeeper", "broker 3 ZooKeeper",
		"blocked the migration is committed"} {
		if !strings.Contains(text, want) {
			t.Errorf("before the commit the page lacks %q:\n%s", want, text)
		}
	}

	Run(t, "migrate", "commit", "--controller", m.ControllerAddr())
	// The sampler records the lag every 2 s while ZooKeeper is written; the chart is
	// there once it has.
	WaitFor(t, 30*time.Second, "the page to show every broker on the quorum with a lag chart", func() bool {
		code, body := scrape(t, url)
		return code == http.StatusOK && strings.Contains(body, `id="phase">BROKERS_ON_KRAFT<`) && strings.Contains(body, `<svg id="lag-chart"`)
	})
	text = pageText(t, url)
	for _, want := range []string{"BROKERS_ON_KRAFT", "SOAKING", "Rollback possible: yes",
		"broker 1 quorum", "broker 2 quorum", "broker 3 quorum", "caught up",
		"met the migration is committed", "met every broker is on the quorum", "blocked every broker has been on the quorum for --min-soak 10m0s"} {
		if !strings.Contains(text, want) {
			t.Errorf("after the commit the page lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "ZooKeeper epoch") || strings.Contains(text, "not registered with the quorum") {
		t.Errorf("after the commit the page still shows a broker off the quorum:\n%s", text)
	}
	screenshot(t, url)
	if _, body := scrape(t, url+"?min_soak=0s"); !strings.Contains(body, `<td class="met">met</td><td>every broker has been on the quorum for --min-soak 0s</td>`) {
		t.Errorf("with min_soak=0s the soak is not met:\n%s", body)
	}
	if code, _ := scrape(t, url+"?min_soak=soon"); code != http.StatusBadRequest {
		t.Errorf("min_soak=soon answered %d, want 400", code)
	}

	for _, n := range m.Controllers {
		if n == active {
			continue
		}
		if code, body := scrape(t, pages[n]); code != http.StatusOK || !strings.Contains(body, "is not the active controller") {
			t.Errorf("controller %s's page answered %d without saying it is not the active controller", n.BrokerAddr, code)
		}
	}
	if code, body := scrape(t, "http://"+brokerMetrics[1]+"/migration"); code != http.StatusNotFound || strings.Contains(body, "<html") {
		t.Errorf("a broker's /migration answered %d %q, want 404", code, body)
	}
}

// TestMigrationPageWithoutMigration: a KRaft controller started without
// zookeeper.metadata.migration.enable answers /migration 404 with one line saying so.
func TestMigrationPageWithoutMigration(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	StartSingleNode(t, "metrics.listeners=http://"+addr)
	if code, body := scrape(t, "http://"+addr+"/migration"); code != http.StatusNotFound || body != migrate.NoMigrationPage+"\n" {
		t.Fatalf("/migration without a migration answered %d %q", code, body)
	}
}

// TestMigrationPageSecured: a migration controller whose listener is SASL_SSL with an
// authorizer refuses /migration on its plain-HTTP metrics port with 403, naming the
// admin endpoint, and serves the page there to a super user only, as
// `migrate status --output html` fetches it.
func TestMigrationPageSecured(t *testing.T) {
	pki := makePKI(t)
	extra := append(append(append([]string{"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_SSL"},
		pki.controllerTLS("none")...), controllerPLAIN...), securedAdmin...)
	m := StartMigrationCluster(t, 1, 1, extra...)
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	appendProperties(t, m.Controllers[0].ConfigPath, "metrics.listeners=http://"+metricsAddr)
	m.StartControllers()
	adminURL := "https://" + m.ControllerAddr() + "/migration"
	var code int
	var body string
	// The page is added to the metrics listener once the controller runs its driver.
	WaitFor(t, 30*time.Second, "the metrics port to answer /migration", func() bool {
		code, body = scrape(t, "http://"+metricsAddr+"/migration")
		return code != http.StatusNotFound
	})
	if code != http.StatusForbidden || !strings.Contains(body, "the controller listener CONTROLLER is SASL_SSL") || !strings.Contains(body, adminURL) {
		t.Fatalf("/migration on the metrics port of a secured controller answered %d %q, want 403 naming %s", code, body, adminURL)
	}
	if strings.Contains(body, "<html") || strings.Contains(body, "broker 1") {
		t.Fatalf("the refusal shows the page: %q", body)
	}
	WaitFor(t, 30*time.Second, "the admin endpoint to serve the page to admin", func() bool {
		code, body := httpGet(t, tlsClient(pki.clientTLS(t, false)), adminURL, "admin", "admin-secret")
		return code == http.StatusOK && strings.Contains(body, `id="phase">PRE_MIGRATION<`)
	})
	page := Run(t, "migrate", "status", "--controller", m.ControllerAddr(), "--command-config", pki.commandConfig(t, "admin", "admin-secret"), "--output", "html")
	if !strings.Contains(page, `id="phase">PRE_MIGRATION<`) {
		t.Errorf("migrate status --output html as admin wrote no status page:\n%s", page)
	}
	for name, tt := range map[string]struct {
		user, password string
		want           int
	}{
		"alice, not a super user": {"alice", "alice-secret", http.StatusForbidden},
		"no credentials":          {"", "", http.StatusUnauthorized},
	} {
		if code, body := httpGet(t, tlsClient(pki.clientTLS(t, false)), adminURL, tt.user, tt.password); code != tt.want || strings.Contains(body, "<html") {
			t.Errorf("GET /migration on the admin endpoint as %s: %d, want %d without the page", name, code, tt.want)
		}
	}
}

// tlsClient is an HTTP client that dials with tc.
func tlsClient(tc *tls.Config) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: tc}}
}

// runChromium runs headless Chromium with args and returns its stdout. It gets a home
// and profile of its own, as it needs in a container; its stderr goes into the
// failure message.
func runChromium(t *testing.T, args ...string) []byte {
	t.Helper()
	bin := requireTool(t, "chromium")
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--headless", "--no-sandbox", "--disable-gpu",
		"--user-data-dir=" + filepath.Join(home, "profile")}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+home)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\nstderr:\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.Bytes()
}

// pageText is the text of the page at url as Chromium shows it: its DOM once loaded,
// without tags, whitespace collapsed.
func pageText(t *testing.T, url string) string {
	t.Helper()
	dom := string(runChromium(t, "--dump-dom", url))
	if !strings.Contains(dom, `id="phase"`) {
		t.Fatalf("chromium's DOM of %s is not the status page:\n%s", url, dom)
	}
	return textOf(dom)
}

// textOf is the words of an HTML page's body, tags taken out: what a reader sees, in
// order, one space apart.
func textOf(html string) string {
	body := html[max(strings.Index(html, "<body"), 0):]
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " ")), " ")
}

// screenshot has Chromium draw the page at url into migration.png in the test's
// temporary directory (and under $E2E_KEEP when set), and checks it is a full-size
// image with something drawn on it.
func screenshot(t *testing.T, url string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "migration.png")
	runChromium(t, "--screenshot="+file, "--window-size=1280,1600", url)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 1600 || colors(img) < 8 {
		t.Fatalf("the screenshot is %dx%d with %d colours: the page was not drawn", b.Dx(), b.Dy(), colors(img))
	}
	if root := os.Getenv(keepDirEnv); root != "" {
		kept := filepath.Join(root, t.Name()+"-migration.png")
		if err := os.MkdirAll(root, 0o755); err != nil || os.WriteFile(kept, data, 0o644) != nil {
			t.Logf("could not keep the screenshot as %s", kept)
		} else {
			t.Logf("kept the screenshot as %s", kept)
		}
	}
}

// colors counts the distinct colours of img, up to 1,000.
func colors(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y && len(seen) < 1000; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}
