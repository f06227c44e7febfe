package migrate

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pageNow is the fixed time the page tests render at.
var pageNow = time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)

// dualWriteData is a migration in DUAL_WRITE with one broker on each side and one not
// registered, seen for a minute.
func dualWriteData() StatusPageData {
	since := pageNow.Add(-time.Minute)
	return StatusPageData{
		Status: Status{
			Phase: PhaseDualWrite, SubState: "BROKERS_SWITCHING", Reason: "brokers still led through ZooKeeper: 2, 3",
			DriverState: DriverDualWrite, ControllerID: 3000, ControllerEpoch: 4, ZkMigrationState: "MIGRATION",
			MetadataOffset: 120, ZooKeeperOffset: 118, ZkWriteLagOffsets: 2, ZkWriteLagMs: 15,
			BrokersOnZooKeeper: []int32{2}, BrokersOnQuorum: []int32{1}, BrokersNotRegistered: []int32{3},
			RollbackPossible: true,
		},
		Brokers: map[int32]BrokerDetail{
			1: {Epoch: 40, Endpoints: []string{"PLAINTEXT://localhost:9092"}, Reported: true, MetadataOffset: 120, LastContact: pageNow.Add(-200 * time.Millisecond)},
			2: {Epoch: 12, Endpoints: []string{"PLAINTEXT://localhost:9192"}, Reported: true, MetadataOffset: 100, LastContact: pageNow.Add(-time.Second)},
		},
		History: StatusHistory{
			Since:     since,
			FirstSeen: map[string]time.Time{PhasePreMigration: since, PhaseDualWrite: since.Add(20 * time.Second)},
			Changes: []PhaseChange{
				{Phase: PhasePreMigration, SubState: "READY", At: since},
				{Phase: PhaseDualWrite, SubState: "BROKERS_SWITCHING", At: since.Add(20 * time.Second)},
			},
			Lag: []LagSample{{At: since.Add(20 * time.Second), Offsets: 0}, {At: since.Add(40 * time.Second), Offsets: 8}, {At: pageNow, Offsets: 2}},
		},
		MinSoak: 10 * time.Minute, LeaderID: 3000, Refresh: 5 * time.Second, Now: pageNow,
	}
}

func render(t *testing.T, d StatusPageData) string {
	t.Helper()
	var b bytes.Buffer
	if err := RenderStatusPage(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// text is the page's text without its tags and with its whitespace collapsed, as a
// reader sees it.
func text(page string) string {
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " ")), " ")
}

// TestStatusPageDualWrite: the phase comes first and prominently, the timeline gives
// each phase seen its time and says an earlier one was passed before watching began
// or between two samples,
// every broker appears once with where its leadership comes from, its registration
// and its metadata lag, the lag chart has a point per sample, and the finalize
// checklist says what blocks it.
func TestStatusPageDualWrite(t *testing.T) {
	page := render(t, dualWriteData())
	for _, want := range []string{
		`<div class="phase" id="phase">DUAL_WRITE</div>`,
		`<div class="substate" id="substate">BROKERS_SWITCHING</div>`,
		`<tr class="passed"><td>ZK</td><td>before this controller started watching</td></tr>`,
		`<tr class="passed"><td>PRE_MIGRATION</td><td>2026-12-07 07:59:00 UTC</td></tr>`,
		`<tr class="passed"><td>MIGRATING</td><td>passed between two samples</td></tr>`,
		`<tr class="current"><td>DUAL_WRITE</td><td>2026-12-07 07:59:20 UTC</td></tr>`,
		`<tr class="ahead"><td>FINALIZED</td><td>not reached</td></tr>`,
		`<td>broker 1</td><td class="quorum">quorum</td><td>epoch 40, unfenced</td><td>PLAINTEXT://localhost:9092</td><td>caught up (heard from 200ms ago)</td>`,
		`<td>broker 2</td><td class="zk">ZooKeeper</td><td>epoch 12, unfenced</td><td>PLAINTEXT://localhost:9192</td><td>20 offsets behind (heard from 1s ago)</td>`,
		`<td>broker 3</td><td class="missing">not registered</td><td>not registered with the quorum</td>`,
		`<td class="met">met</td><td>the migration is committed`,
		`<td class="blocked">blocked</td><td>every broker is on the quorum</td><td>brokers still on ZooKeeper: 2</td>`,
		`<td class="blocked">blocked</td><td>every broker is registered with the quorum</td><td>brokers not registered with the quorum: 3</td>`,
		`<td class="met">met</td><td>no partition is under-replicated</td>`,
		`<td>ZooKeeper reflects offset 118, the log is at 120: the dual-write lag is not zero</td>`,
		`<td class="waiting">waiting</td><td>every broker has been on the quorum for --min-soak 10m0s</td>`,
		`<meta http-equiv="refresh" content="5">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Index(page, `id="phase"`) > strings.Index(page, `id="timeline"`) {
		t.Error("the phase is not shown before the timeline")
	}
	if n := strings.Count(page, "<td>broker "); n != 3 {
		t.Errorf("%d broker rows, want 3", n)
	}
	pts := regexp.MustCompile(`points="([^"]*)"`).FindStringSubmatch(page)
	if pts == nil || len(strings.Fields(pts[1])) != 3 {
		t.Fatalf("the lag chart's polyline is %q, want 3 points", pts)
	}
	// The largest sample (8 offsets) is at the top of the plot, 0 at its bottom.
	if p := strings.Fields(pts[1]); p[0] != "56.0,136.0" || p[1] != "344.0,8.0" {
		t.Errorf("lag chart points %v: want the first sample at the bottom left and the largest at the top", p)
	}
	for _, external := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(page, external) {
			t.Errorf("the page has %q: it must work offline, without scripts or external resources", external)
		}
	}
}

// TestStatusPageEveryPhase: the page renders every phase and sub-state the driver
// reports, marks it current in the timeline, and shows the checklist until finalize.
func TestStatusPageEveryPhase(t *testing.T) {
	cases := []struct{ phase, subState, logState string }{
		{PhaseZK, "NOT_ENABLED", "NONE"},
		{PhasePreMigration, "WAITING_FOR_BROKERS", "PRE_MIGRATION"},
		{PhasePreMigration, "READY", "PRE_MIGRATION"},
		{PhaseMigrating, "COPYING", "PRE_MIGRATION"},
		{PhaseDualWrite, "BROKERS_SWITCHING", "MIGRATION"},
		{PhaseDualWrite, "ZK_WRITE_FAILING", "MIGRATION"},
		{PhaseBrokersOnKRaft, "SOAKING", "MIGRATION"},
		{PhaseZK, "ROLLING_BACK", "ZK"},
		{PhaseZK, "ROLLED_BACK", "ZK"},
		{PhaseFinalized, "DONE", "POST_MIGRATION"},
	}
	for _, c := range cases {
		t.Run(c.phase+"/"+c.subState, func(t *testing.T) {
			d := dualWriteData()
			d.Status.Phase, d.Status.SubState, d.Status.ZkMigrationState = c.phase, c.subState, c.logState
			page := render(t, d)
			tx := text(page)
			if !strings.Contains(page, fmt.Sprintf(`id="phase">%s</div>`, c.phase)) || !strings.Contains(page, fmt.Sprintf(`id="substate">%s</div>`, c.subState)) {
				t.Errorf("the page does not show %s %s prominently", c.phase, c.subState)
			}
			if !strings.Contains(page, fmt.Sprintf(`<tr class="current"><td>%s</td>`, c.phase)) {
				t.Errorf("the timeline does not mark %s current", c.phase)
			}
			finalized := strings.Contains(tx, "The migration is finalized")
			if finalized != (c.phase == PhaseFinalized) {
				t.Errorf("finalized shown: %v, in phase %s", finalized, c.phase)
			}
			committed := strings.Contains(page, `<td class="met">met</td><td>the migration is committed`)
			if c.phase != PhaseFinalized && committed != (c.logState == "MIGRATION") {
				t.Errorf("the committed condition met: %v with the log in %s", committed, c.logState)
			}
		})
	}
}

// TestStatusPageEscapes: what the page shows from ZooKeeper, brokers and errors is
// text, never markup.
func TestStatusPageEscapes(t *testing.T) {
	d := dualWriteData()
	evil := `<script>alert("x")</script>`
	d.Status.Reason = "reason " + evil
	d.Status.SubState = `<b>sub</b>`
	d.Status.LastDualWriteError = "write " + evil
	d.Status.ZooKeeperError = "zk " + evil
	d.Brokers[1] = BrokerDetail{Epoch: 1, Rack: `"><img src=x onerror=alert(1)>`, Endpoints: []string{`PLAINTEXT://<i>host</i>:9092`}}
	page := render(t, d)
	for _, raw := range []string{"<script", "<b>sub", "<img", "<i>host"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page contains %q unescaped", raw)
		}
	}
	for _, escaped := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&lt;b&gt;sub&lt;/b&gt;", "&#34;&gt;&lt;img src=x", "PLAINTEXT://&lt;i&gt;host&lt;/i&gt;:9092"} {
		if !strings.Contains(page, escaped) {
			t.Errorf("the page lacks the escaped %s", escaped)
		}
	}
}

// TestStatusPageNotActive: a controller that is not the active one says so and names
// the active one; brokers' lag is unknown there.
func TestStatusPageNotActive(t *testing.T) {
	d := dualWriteData()
	d.Status.DriverState, d.Status.ControllerID, d.LeaderID = DriverInactive, 3001, 3000
	d.Brokers = map[int32]BrokerDetail{1: {Epoch: 40}, 2: {Epoch: 12, Fenced: true}}
	tx := text(render(t, d))
	for _, want := range []string{
		"Controller 3001 is not the active controller (it is controller 3000)",
		"broker 1 quorum epoch 40, unfenced",
		"broker 2 ZooKeeper epoch 12, fenced",
		"unknown here (only the active controller hears heartbeats)",
	} {
		if !strings.Contains(tx, want) {
			t.Errorf("the page's text lacks %q:\n%s", want, tx)
		}
	}
}

// TestStatusPageNoLagYet: before dual-write there is no lag to draw, and the page says so.
func TestStatusPageNoLagYet(t *testing.T) {
	d := dualWriteData()
	d.History.Lag = nil
	page := render(t, d)
	if strings.Contains(page, "<svg") || !strings.Contains(page, "No samples yet") {
		t.Error("the page draws a chart without samples, or does not say there are none")
	}
}

// TestStatusRecorder: a phase's first sighting and every change of phase or sub-state
// are kept once, lag only while ZooKeeper is written, and both within their bounds.
func TestStatusRecorder(t *testing.T) {
	start := pageNow
	r := newStatusRecorder(start)
	at := func(s int) time.Time { return start.Add(time.Duration(s) * time.Second) }
	r.observe(Status{Phase: PhasePreMigration, SubState: "WAITING_FOR_BROKERS"}, at(1))
	r.observe(Status{Phase: PhasePreMigration, SubState: "WAITING_FOR_BROKERS"}, at(2))
	r.observe(Status{Phase: PhasePreMigration, SubState: "READY"}, at(3))
	r.observe(Status{Phase: PhaseDualWrite, SubState: "BROKERS_SWITCHING", ZkWriteLagOffsets: 4}, at(4))
	r.observe(Status{Phase: PhaseDualWrite, SubState: "BROKERS_SWITCHING"}, at(5))
	h := r.history()
	if !h.FirstSeen[PhasePreMigration].Equal(at(1)) || !h.FirstSeen[PhaseDualWrite].Equal(at(4)) {
		t.Errorf("first seen %v", h.FirstSeen)
	}
	if len(h.Changes) != 3 || h.Changes[1].SubState != "READY" || !h.Changes[2].At.Equal(at(4)) {
		t.Errorf("changes %+v, want WAITING_FOR_BROKERS, READY, BROKERS_SWITCHING", h.Changes)
	}
	if len(h.Lag) != 2 || h.Lag[0].Offsets != 4 {
		t.Errorf("lag samples %+v, want the two taken in DUAL_WRITE", h.Lag)
	}
	for i := range maxLagSamples + 10 {
		r.observe(Status{Phase: PhaseBrokersOnKRaft, SubState: fmt.Sprint(i)}, at(10+i))
	}
	h = r.history()
	if len(h.Lag) != maxLagSamples || len(h.Changes) != maxPhaseChanges || h.Changes[maxPhaseChanges-1].SubState != fmt.Sprint(maxLagSamples+9) {
		t.Errorf("kept %d lag samples and %d changes, want at most %d and %d, the newest last", len(h.Lag), len(h.Changes), maxLagSamples, maxPhaseChanges)
	}
}
