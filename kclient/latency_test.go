package kclient

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{nil, 0.5, 0},
		{[]time.Duration{7}, 0.999, 7},
		{[]time.Duration{1, 2, 3, 4}, 0.5, 2},
		{[]time.Duration{1, 2, 3, 4}, 0.51, 3},
		{[]time.Duration{1, 2, 3, 4}, 0, 1},
		{[]time.Duration{1, 2, 3, 4}, 1, 4},
		{hundred, 0.5, 50 * time.Millisecond},
		{hundred, 0.95, 95 * time.Millisecond},
		{hundred, 0.99, 99 * time.Millisecond},
		{hundred, 0.999, 100 * time.Millisecond},
	} {
		if got := percentile(tc.samples, tc.p); got != tc.want {
			t.Errorf("percentile(%d samples, %v) = %v, want %v", len(tc.samples), tc.p, got, tc.want)
		}
	}
}

func TestLatencyRecorderSamplesAndWindows(t *testing.T) {
	start := time.Unix(0, 0)
	l := newLatencyRecorder(1_000_000, start)
	if l.every != 2 {
		t.Fatalf("every = %d, want 2", l.every)
	}
	for i := 1; i <= 10; i++ {
		l.record(time.Duration(i)*time.Millisecond, 100)
	}
	w := l.takeWindow(start.Add(time.Second))
	if w.count != 10 || w.bytes != 1000 || w.max != 10*time.Millisecond || w.sum != 55*time.Millisecond {
		t.Fatalf("window = %+v", w)
	}
	l.record(time.Millisecond, 1)
	if w := l.takeWindow(start); w.count != 1 {
		t.Fatalf("second window count = %d", w.count)
	}
	total, samples := l.summary()
	if total.count != 11 || len(samples) != 6 || samples[0] != time.Millisecond {
		t.Fatalf("total = %+v samples = %v", total, samples)
	}
}
