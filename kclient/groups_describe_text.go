package kclient

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// missingColumn is Kafka's MISSING_COLUMN_VALUE.
const missingColumn = "-"

// describeWriter prints kafka-consumer-groups 3.9's describe views byte for
// byte: every table starts with an empty line, widths grow with the longest
// value (at least 15), and the first write error is kept.
type describeWriter struct {
	out, errOut io.Writer
	err         error
}

func (w *describeWriter) write(to io.Writer, s string) {
	if w.err != nil {
		return
	}
	if _, err := io.WriteString(to, s); err != nil {
		w.err = fmt.Errorf("write group description: %w", err)
	}
}

// printable is Kafka's shouldPrintMemberState: it reports a missing, empty or
// rebalancing group and says whether there are rows worth a table.
func (w *describeWriter) printable(d GroupDescription, rows int) bool {
	switch d.State {
	case "Dead":
		w.write(w.out, "\nError: Consumer group '"+d.Group+"' does not exist.\n")
		return false
	case "Empty":
		w.write(w.errOut, "\nConsumer group '"+d.Group+"' has no active members.\n")
	case "PreparingRebalance", "CompletingRebalance", "Assigning", "Reconciling":
		w.write(w.errOut, "\nWarning: Consumer group '"+d.Group+"' is rebalancing.\n")
	}
	return rows > 0
}

// offsets prints GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG
// CONSUMER-ID HOST CLIENT-ID.
func (w *describeWriter) offsets(d GroupDescription) {
	if !w.printable(d, len(d.Offsets)) {
		return
	}
	gw, tw, cw, hw := max(15, len(d.Group)), 15, 15, 15
	for _, r := range d.Offsets {
		tw = max(tw, len(r.Topic))
		cw = max(cw, len(orMissing(r.ConsumerID)))
		hw = max(hw, len(orMissing(r.Host)))
	}
	line := func(cols ...string) string {
		return fmt.Sprintf("\n%-*s %-*s %-10s %-15s %-15s %-15s %-*s %-*s %s",
			gw, cols[0], tw, cols[1], cols[2], cols[3], cols[4], cols[5], cw, cols[6], hw, cols[7], cols[8])
	}
	var b strings.Builder
	b.WriteString(line("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"))
	for _, r := range d.Offsets {
		b.WriteString(line(d.Group, r.Topic, strconv.Itoa(int(r.Partition)), offsetColumn(r.CurrentOffset),
			offsetColumn(r.LogEndOffset), offsetColumn(r.Lag), orMissing(r.ConsumerID), orMissing(r.Host), orMissing(r.ClientID)))
	}
	b.WriteString("\n")
	w.write(w.out, b.String())
}

// members prints GROUP CONSUMER-ID [GROUP-INSTANCE-ID] HOST CLIENT-ID
// #PARTITIONS [ASSIGNMENT]. Kafka prints the header even for a group without
// members, so this does too.
func (w *describeWriter) members(d GroupDescription, verbose bool) {
	gw, cw, iw, hw, clw := max(15, len(d.Group)), 15, 17, 15, 15
	withInstance := false
	if w.printable(d, len(d.Members)) {
		for _, m := range d.Members {
			cw = max(cw, len(m.ConsumerID))
			iw = max(iw, len(m.GroupInstanceID))
			hw = max(hw, len(m.Host))
			clw = max(clw, len(m.ClientID))
			withInstance = withInstance || m.GroupInstanceID != ""
		}
	}
	line := func(group, consumer, instance, host, client, partitions string) string {
		if withInstance {
			return fmt.Sprintf("%-*s %-*s %-*s %-*s %-*s %-15s ", gw, group, cw, consumer, iw, instance, hw, host, clw, client, partitions)
		}
		return fmt.Sprintf("%-*s %-*s %-*s %-*s %-15s ", gw, group, cw, consumer, hw, host, clw, client, partitions)
	}
	var b strings.Builder
	b.WriteString("\n" + line("GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID", "#PARTITIONS"))
	if verbose {
		b.WriteString("ASSIGNMENT")
	}
	b.WriteString("\n")
	for _, m := range d.Members {
		b.WriteString(line(d.Group, m.ConsumerID, m.GroupInstanceID, m.Host, m.ClientID, strconv.Itoa(assignedCount(m))))
		if verbose {
			b.WriteString(assignmentColumn(m.Assignment))
		}
		b.WriteString("\n")
	}
	w.write(w.out, b.String())
}

// state prints GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS. In
// Kafka 3.9 the GROUP column is as wide as the coordinator; it is widened for
// a longer group id here so that the row stays aligned with its header.
func (w *describeWriter) state(d GroupDescription) {
	if !w.printable(d, 1) {
		return
	}
	coordinator := fmt.Sprintf("%s:%d  (%d)", d.Coordinator.Host, d.Coordinator.Port, d.Coordinator.ID)
	width := max(25, len(coordinator), len(d.Group))
	line := func(group, coord, strategy, state, members string) string {
		return fmt.Sprintf("\n%-*s %-25s %-20s %-15s %s", width, group, coord, strategy, state, members)
	}
	w.write(w.out, line("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS")+
		line(d.Group, coordinator, d.AssignmentStrategy, d.State, strconv.Itoa(len(d.Members)))+"\n")
}

// assignmentColumn is Kafka's "topic(0,1), other(2)" form, topics sorted.
func assignmentColumn(tps []TopicPartitions) string {
	var parts []string
	for _, tp := range tps {
		if len(tp.Partitions) == 0 {
			continue
		}
		ps := make([]string, len(tp.Partitions))
		for i, p := range tp.Partitions {
			ps[i] = strconv.Itoa(int(p))
		}
		parts = append(parts, tp.Topic+"("+strings.Join(ps, ",")+")")
	}
	if len(parts) == 0 {
		return missingColumn
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func offsetColumn(n *int64) string {
	if n == nil {
		return missingColumn
	}
	return strconv.FormatInt(*n, 10)
}

func orMissing(s string) string {
	if s == "" {
		return missingColumn
	}
	return s
}
