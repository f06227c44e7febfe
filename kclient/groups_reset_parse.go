package kclient

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// topicSpec is one --topic value of reset-offsets and delete-offsets:
// "orders" means every partition, "orders:0,2" only those.
type topicSpec struct {
	Topic      string
	Partitions []int32 // nil: all
}

func parseTopicSpec(s string) (topicSpec, error) {
	topic, list, hasList := strings.Cut(strings.TrimSpace(s), ":")
	if topic == "" {
		return topicSpec{}, fmt.Errorf("--topic %q: want topic or topic:partition,partition", s)
	}
	spec := topicSpec{Topic: topic}
	if !hasList {
		return spec, nil
	}
	for _, p := range splitList(list) {
		n, err := strconv.ParseInt(p, 10, 32)
		if err != nil || n < 0 {
			return topicSpec{}, fmt.Errorf("--topic %q: partition %q is not a partition number", s, p)
		}
		spec.Partitions = append(spec.Partitions, int32(n))
	}
	if len(spec.Partitions) == 0 {
		return topicSpec{}, fmt.Errorf("--topic %q: no partitions after ':'", s)
	}
	return spec, nil
}

// datetimeLayouts are what Kafka's Utils.getDateTime takes for --to-datetime:
// YYYY-MM-DDTHH:mm:SS.sss with an optional zone; Go's parser also accepts the
// fraction being absent.
var datetimeLayouts = []string{"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05Z07"}

// parseDatetime reads a --to-datetime value; without a zone it is local time,
// as in Kafka.
func parseDatetime(s string) (time.Time, error) {
	for _, layout := range datetimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("--to-datetime %q: want YYYY-MM-DDTHH:mm:SS.sss with an optional zone such as Z or +01:00", s)
	}
	return t, nil
}

var isoDuration = regexp.MustCompile(`^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{1,9}))?S)?)?$`)

// parseISODuration reads the PnDTnHnMnS form of Java's Duration.parse, which
// Kafka's --by-duration takes (P1DT2H, PT30M, PT0.5S); a day is 24 hours.
func parseISODuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(strings.ToUpper(s))
	if m == nil || strings.HasSuffix(strings.ToUpper(s), "T") || strings.TrimLeft(strings.ToUpper(s), "+-") == "P" {
		return 0, fmt.Errorf("--by-duration %q: want an ISO-8601 duration PnDTnHnMnS, such as PT30M or P1DT12H", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second} {
		if m[i+2] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+2], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("--by-duration %q: %w", s, err)
		}
		d += time.Duration(n) * unit
	}
	if frac := m[6]; frac != "" {
		nanos, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		if strings.HasPrefix(m[5], "-") {
			nanos = -nanos
		}
		d += time.Duration(nanos)
	}
	if m[1] == "-" {
		d = -d
	}
	return d, nil
}
