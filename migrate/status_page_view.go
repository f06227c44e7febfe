package migrate

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"
)

// StatusPageData is everything the status page shows, gathered at Now.
type StatusPageData struct {
	Status Status
	// Brokers are the registered brokers' details (brokerDetails).
	Brokers map[int32]BrokerDetail
	History StatusHistory
	// MinSoak is the soak the finalize checklist assumes.
	MinSoak time.Duration
	// LeaderID is the active controller, -1 while there is none.
	LeaderID int32
	// Refresh is how often the page reloads itself.
	Refresh time.Duration
	Now     time.Time
}

// phaseOrder is the migration's phases in the order a migration passes them.
var phaseOrder = []string{PhaseZK, PhasePreMigration, PhaseMigrating, PhaseDualWrite, PhaseBrokersOnKRaft, PhaseFinalized}

// statusPageView is StatusPageData laid out for the template.
type statusPageView struct {
	CSS            template.CSS
	Status         Status
	Rollback       string
	NotActive      string
	Since          string
	Generated      string
	RefreshSeconds int
	Timeline       []timelineRow
	Changes        []changeRow
	Brokers        []brokerRow
	Chart          lagChart
	Finalized      bool
	Checklist      []FinalizeCheck
	MinSoak        time.Duration
}

type timelineRow struct {
	Phase, When, Class string
}

type changeRow struct {
	At, Phase, SubState string
}

type brokerRow struct {
	ID                                int32
	Source, SourceClass, Registration string
	Endpoints                         string
	Lag                               string
}

// timeFormat shows a UTC time to the second.
const timeFormat = "2006-01-02 15:04:05 UTC"

// newStatusPageView lays d out for the template.
func newStatusPageView(d StatusPageData) statusPageView {
	s := d.Status
	v := statusPageView{
		CSS:            template.CSS(statusPageCSS),
		Status:         s,
		Rollback:       "no",
		Since:          d.History.Since.UTC().Format(timeFormat),
		Generated:      d.Now.UTC().Format(timeFormat),
		RefreshSeconds: max(int(d.Refresh.Seconds()), 1),
		Timeline:       timeline(s.Phase, d.History),
		Changes:        changes(d.History),
		Brokers:        brokerRows(s, d.Brokers, d.Now),
		Chart:          newLagChart(d.History.Lag),
		Finalized:      s.Phase == PhaseFinalized,
		MinSoak:        d.MinSoak,
	}
	if s.RollbackPossible {
		v.Rollback = "yes"
	}
	if s.DriverState == DriverInactive {
		leader := "none is elected"
		if d.LeaderID >= 0 {
			leader = fmt.Sprintf("it is controller %d", d.LeaderID)
		}
		v.NotActive = fmt.Sprintf("Controller %d is not the active controller (%s): the write lag, the last reconcile and the brokers' heartbeats are known only on the active one.", s.ControllerID, leader)
	}
	if !v.Finalized {
		v.Checklist = append([]FinalizeCheck{committedCheck(s)}, finalizeChecklist(s, d.MinSoak, d.Now)...)
	}
	return v
}

// timeline gives each phase when it was first seen. One never seen before the current
// phase was passed before the page started watching, or, after a phase it saw, between
// two of its samples; one after the current phase is not reached yet.
func timeline(current string, h StatusHistory) []timelineRow {
	cur := slices.Index(phaseOrder, current)
	rows := make([]timelineRow, len(phaseOrder))
	sawEarlier := false
	for i, p := range phaseOrder {
		row := timelineRow{Phase: p, Class: "ahead", When: "not reached"}
		at, seen := h.FirstSeen[p]
		switch {
		case seen:
			row.When, row.Class = at.UTC().Format(timeFormat), "passed"
		case i < cur && sawEarlier:
			row.When, row.Class = "passed between two samples", "passed"
		case i < cur:
			row.When, row.Class = "before this controller started watching", "passed"
		}
		sawEarlier = sawEarlier || seen
		if p == current {
			row.Class = "current"
		}
		rows[i] = row
	}
	return rows
}

// changes lists the phase changes seen, newest first.
func changes(h StatusHistory) []changeRow {
	rows := make([]changeRow, 0, len(h.Changes))
	for _, c := range slices.Backward(h.Changes) {
		rows = append(rows, changeRow{At: c.At.UTC().Format(timeFormat), Phase: c.Phase, SubState: c.SubState})
	}
	return rows
}

// brokerRows is one row per broker the migration moves, by id, saying where its
// leadership comes from, its registration and how far it follows the log.
func brokerRows(s Status, details map[int32]BrokerDetail, now time.Time) []brokerRow {
	var rows []brokerRow
	add := func(ids []int32, source, class string) {
		for _, id := range ids {
			rows = append(rows, brokerRow{ID: id, Source: source, SourceClass: class})
		}
	}
	add(s.BrokersOnZooKeeper, "ZooKeeper", "zk")
	add(s.BrokersOnQuorum, "quorum", "quorum")
	add(s.BrokersNotRegistered, "not registered", "missing")
	slices.SortFunc(rows, func(a, b brokerRow) int { return int(a.ID - b.ID) })
	for i := range rows {
		rows[i].Registration, rows[i].Endpoints, rows[i].Lag = describeBroker(details[rows[i].ID], s.MetadataOffset, rows[i].SourceClass == "missing", now)
	}
	return rows
}

// describeBroker says in words how a broker is registered and how far it was behind
// the log at offset when last heard from, before now.
func describeBroker(b BrokerDetail, offset int64, missing bool, now time.Time) (registration, endpoints, lag string) {
	if missing {
		return "not registered with the quorum", "", "unknown"
	}
	state := "unfenced"
	switch {
	case b.InControlledShutdown:
		state = "in controlled shutdown"
	case b.Fenced:
		state = "fenced"
	}
	registration = fmt.Sprintf("epoch %d, %s", b.Epoch, state)
	if b.Rack != "" {
		registration += ", rack " + b.Rack
	}
	switch {
	case !b.Reported:
		lag = "unknown here (only the active controller hears heartbeats)"
	case b.MetadataOffset < 0:
		lag = "no heartbeat in this controller's term yet"
	case b.MetadataOffset >= offset:
		lag = "caught up"
	default:
		lag = fmt.Sprintf("%d offsets behind", offset-b.MetadataOffset)
	}
	if b.Reported && !b.LastContact.IsZero() {
		lag += fmt.Sprintf(" (heard from %s ago)", now.Sub(b.LastContact).Round(100*time.Millisecond))
	}
	return registration, strings.Join(b.Endpoints, " "), lag
}
