package kclient

import (
	"strings"
	"testing"
	"time"
)

func describeViews(d GroupDescription, view func(*describeWriter)) (string, string) {
	var out, errOut strings.Builder
	w := &describeWriter{out: &out, errOut: &errOut}
	view(w)
	return out.String(), errOut.String()
}

// TestGroupDescribeTextLayout pins the column widths of the three views:
// at least 15 wide, growing with the longest value, as in Kafka 3.9.
func TestGroupDescribeTextLayout(t *testing.T) {
	lag, cur, end := int64(4), int64(6), int64(10)
	d := GroupDescription{
		Group: "billing", State: "Stable", AssignmentStrategy: "range",
		Coordinator: GroupCoordinator{ID: 1, Host: "broker-1.example.com", Port: 9092},
		Members: []GroupMember{
			{ConsumerID: "consumer-billing-1-5f1c", GroupInstanceID: "", Host: "/10.0.0.7", ClientID: "consumer-billing-1",
				Assignment: []TopicPartitions{{Topic: "payments", Partitions: []int32{0, 2}}, {Topic: "invoices-long-topic", Partitions: []int32{1}}}},
			{ConsumerID: "consumer-billing-2-77aa", Host: "/10.0.0.8", ClientID: "consumer-billing-2", Assignment: []TopicPartitions{}},
		},
		Offsets: []GroupPartitionOffset{
			{Topic: "invoices-long-topic", Partition: 1, CurrentOffset: &cur, LogEndOffset: &end, Lag: &lag,
				ConsumerID: "consumer-billing-1-5f1c", Host: "/10.0.0.7", ClientID: "consumer-billing-1"},
			{Topic: "payments", Partition: 0, LogEndOffset: &end, ConsumerID: "consumer-billing-1-5f1c", Host: "/10.0.0.7", ClientID: "consumer-billing-1"},
		},
	}
	out, errOut := describeViews(d, func(w *describeWriter) { w.offsets(d) })
	want := "\n" +
		"GROUP           TOPIC               PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID             HOST            CLIENT-ID\n" +
		"billing         invoices-long-topic 1          6               10              4               consumer-billing-1-5f1c /10.0.0.7       consumer-billing-1\n" +
		"billing         payments            0          -               10              -               consumer-billing-1-5f1c /10.0.0.7       consumer-billing-1\n"
	if out != want || errOut != "" {
		t.Fatalf("offsets view\n%q\nwant\n%q", out, want)
	}

	out, _ = describeViews(d, func(w *describeWriter) { w.members(d, true) })
	want = "\n" +
		"GROUP           CONSUMER-ID             HOST            CLIENT-ID          #PARTITIONS     ASSIGNMENT\n" +
		"billing         consumer-billing-1-5f1c /10.0.0.7       consumer-billing-1 3               invoices-long-topic(1), payments(0,2)\n" +
		"billing         consumer-billing-2-77aa /10.0.0.8       consumer-billing-2 0               -\n"
	if out != want {
		t.Fatalf("members view\n%q\nwant\n%q", out, want)
	}

	d.Members[1].GroupInstanceID = "billing-b"
	out, _ = describeViews(d, func(w *describeWriter) { w.members(d, false) })
	want = "\n" +
		"GROUP           CONSUMER-ID             GROUP-INSTANCE-ID HOST            CLIENT-ID          #PARTITIONS     \n" +
		"billing         consumer-billing-1-5f1c                   /10.0.0.7       consumer-billing-1 3               \n" +
		"billing         consumer-billing-2-77aa billing-b         /10.0.0.8       consumer-billing-2 0               \n"
	if out != want {
		t.Fatalf("members view with instance ids\n%q\nwant\n%q", out, want)
	}

	out, _ = describeViews(d, func(w *describeWriter) { w.state(d) })
	want = "\n" +
		"GROUP                          COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS\n" +
		"billing                        broker-1.example.com:9092  (1) range                Stable          2\n"
	if out != want {
		t.Fatalf("state view\n%q\nwant\n%q", out, want)
	}

	d.State = "PreparingRebalance"
	d.Offsets = nil
	out, errOut = describeViews(d, func(w *describeWriter) { w.offsets(d) })
	if out != "" || errOut != "\nWarning: Consumer group 'billing' is rebalancing.\n" {
		t.Fatalf("rebalancing group without rows printed %q, stderr %q", out, errOut)
	}
}

func TestGroupResetParsing(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"PT30M": 30 * time.Minute, "P1DT2H": 26 * time.Hour, "pt0.5s": 500 * time.Millisecond,
		"-PT1H": -time.Hour, "P2D": 48 * time.Hour, "PT1H2M3.004S": time.Hour + 2*time.Minute + 3*time.Second + 4*time.Millisecond,
	} {
		if got, err := parseISODuration(in); err != nil || got != want {
			t.Errorf("parseISODuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "P", "PT", "1H", "P1H", "PT1D"} {
		if _, err := parseISODuration(bad); err == nil {
			t.Errorf("parseISODuration(%q): want error", bad)
		}
	}

	utc := time.Date(2024, 5, 1, 12, 30, 15, 250e6, time.UTC)
	for in, want := range map[string]time.Time{
		"2024-05-01T12:30:15.250Z":      utc,
		"2024-05-01T14:30:15.250+02:00": utc,
		"2024-05-01T14:30:15.250+0200":  utc,
		"2024-05-01T12:30:15.250":       time.Date(2024, 5, 1, 12, 30, 15, 250e6, time.Local),
		"2024-05-01T12:30:15":           time.Date(2024, 5, 1, 12, 30, 15, 0, time.Local),
	} {
		if got, err := parseDatetime(in); err != nil || !got.Equal(want) {
			t.Errorf("parseDatetime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseDatetime("2024-05-01 12:30"); err == nil {
		t.Error("parseDatetime without T: want error")
	}

	if s, err := parseTopicSpec("orders:0, 2"); err != nil || s.Topic != "orders" || len(s.Partitions) != 2 || s.Partitions[1] != 2 {
		t.Errorf("parseTopicSpec(orders:0, 2) = %+v, %v", s, err)
	}
	for _, bad := range []string{"", ":1", "orders:", "orders:x", "orders:-1"} {
		if _, err := parseTopicSpec(bad); err == nil {
			t.Errorf("parseTopicSpec(%q): want error", bad)
		}
	}
	if got, err := parseGroupStates([]string{"stable,EMPTY"}); err != nil || strings.Join(got, ",") != "Empty,Stable" {
		t.Errorf("parseGroupStates = %v, %v", got, err)
	}
}
