package metrics

import (
	"math"
	"testing"
	"time"
)

// TestSampledStat: Avg, Max and Rate are Kafka's over its two 30 s windows (the figures
// of Kafka's KafkaRaftMetricsTest: 12 records in a fresh window are 0.4/s), NaN with
// nothing recorded, and values older than both windows are forgotten.
func TestSampledStat(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	var st SampledStat
	if !math.IsNaN(st.Avg(start)) || !math.IsNaN(st.Max(start)) {
		t.Fatalf("avg %v, max %v with nothing recorded; want NaN", st.Avg(start), st.Max(start))
	}
	if r := st.Rate(start); r != 0 {
		t.Fatalf("rate %v with nothing recorded", r)
	}
	st.Record(12, start)
	if r := st.Rate(start); r != 0.4 {
		t.Fatalf("rate after 12 at once is %v, want 0.4 (12 over the minimum span of one window)", r)
	}
	st.Record(1000, start.Add(time.Second))
	st.Record(800, start.Add(2*time.Second))
	if got := st.Avg(start.Add(3 * time.Second)); got != (12+1000+800)/3.0 {
		t.Fatalf("avg %v", got)
	}
	if got := st.Max(start.Add(3 * time.Second)); got != 1000 {
		t.Fatalf("max %v", got)
	}

	// A second window: the first is still remembered, and the rate spans both.
	second := start.Add(40 * time.Second)
	st.Record(10, second)
	if got := st.Max(second); got != 1000 {
		t.Fatalf("max in the second window %v, want the first window's 1000", got)
	}
	if got, want := st.Rate(second), (12+1000+800+10)/40.0; got != want {
		t.Fatalf("rate over 40 s %v, want %v", got, want)
	}

	// A third window replaces the first.
	third := start.Add(75 * time.Second)
	st.Record(5, third)
	if got := st.Max(third); got != 10 {
		t.Fatalf("max after the first window was replaced %v, want 10", got)
	}
	if got := st.Avg(third); got != 7.5 {
		t.Fatalf("avg %v, want 7.5", got)
	}

	// Two windows later nothing is remembered.
	if later := third.Add(2 * sampleWindow); !math.IsNaN(st.Avg(later)) || st.Rate(later) != 0 {
		t.Fatalf("avg %v, rate %v after every window expired", st.Avg(later), st.Rate(later))
	}
}
