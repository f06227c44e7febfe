package kclient

import (
	"bufio"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPerfProduceConsume(t *testing.T) {
	conn := startCluster(t, 1, "perf")
	ctx := testContext(t)
	var progress strings.Builder
	res, err := PerfProduce(ctx, &progress, PerfProduceOptions{Conn: conn, Topic: "perf", NumRecords: 2000, RecordSize: 100, Throughput: -1})
	if err != nil {
		t.Fatalf("perf produce: %v", err)
	}
	if res.Records != 2000 || res.Errors != 0 || res.RecordsPerSec <= 0 || res.MBPerSec <= 0 {
		t.Fatalf("perf produce result %+v", res)
	}
	if !(res.P50Ms <= res.P95Ms && res.P95Ms <= res.P99Ms && res.P99Ms <= res.P999Ms && res.P999Ms <= res.MaxMs && res.AvgMs <= res.MaxMs) {
		t.Fatalf("percentiles out of order: %+v", res)
	}
	var text strings.Builder
	if err := res.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^2000 records sent, [0-9.]+ records/sec \([0-9.]+ MB/sec\), [0-9.]+ ms avg latency, [0-9.]+ ms max latency, [0-9.]+ ms 50th, [0-9.]+ ms 95th, [0-9.]+ ms 99th, [0-9.]+ ms 99.9th.\n$`).MatchString(text.String()) {
		t.Fatalf("final line %q", text.String())
	}
	js, _ := json.Marshal(res)
	var fields map[string]float64
	if err := json.Unmarshal(js, &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"records", "records_per_sec", "mb_per_sec", "avg_ms", "p50_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("JSON lacks %s: %s", k, js)
		}
	}

	var line strings.Builder
	if _, err := Consume(ctx, &line, ConsumeOptions{Conn: conn, Topic: "perf", FromBeginning: true, MaxMessages: 1}); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Z]{100}\n$`).MatchString(line.String()) {
		t.Fatalf("payload %q is not 100 uppercase letters", line.String())
	}

	for _, group := range []string{"", "perf-group"} {
		cres, err := PerfConsume(ctx, PerfConsumeOptions{Conn: conn, Topic: "perf", Messages: 2000, Group: group})
		if err != nil {
			t.Fatalf("perf consume (group %q): %v", group, err)
		}
		if cres.Messages != 2000 || cres.MB < 0.19 || cres.MB > 0.2 || cres.MessagesPerSec <= 0 || cres.EndTime.Before(cres.StartTime) {
			t.Fatalf("perf consume (group %q) result %+v", group, cres)
		}
	}
}

func TestPerfConsumeTimesOut(t *testing.T) {
	conn := startCluster(t, 1, "empty")
	res, err := PerfConsume(testContext(t), PerfConsumeOptions{Conn: conn, Topic: "empty", Messages: 10, Timeout: 200 * time.Millisecond})
	if err != nil || res.Messages != 0 {
		t.Fatalf("result %+v err %v", res, err)
	}
	var out strings.Builder
	if err := res.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	sc.Scan()
	if !strings.HasPrefix(sc.Text(), "start.time, end.time, data.consumed.in.MB") {
		t.Fatalf("header %q", sc.Text())
	}
	sc.Scan()
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, .*, 0.0000, 0.0000, 0, 0.0000, 0, \d+, 0.0000, 0.0000$`).MatchString(sc.Text()) {
		t.Fatalf("summary %q", sc.Text())
	}
}

func TestPerfProduceThrottledProgress(t *testing.T) {
	conn := startCluster(t, 1, "slow")
	var progress strings.Builder
	start := time.Now()
	res, err := PerfProduce(testContext(t), &progress, PerfProduceOptions{Conn: conn, Topic: "slow", NumRecords: 50, RecordSize: 10,
		Throughput: 100, Acks: "1", ReportInterval: 100 * time.Millisecond})
	if err != nil || res.Records != 50 {
		t.Fatalf("result %+v err %v", res, err)
	}
	if el := time.Since(start); el < 400*time.Millisecond {
		t.Fatalf("50 records at 100/s took %v", el)
	}
	if !regexp.MustCompile(`(?m)^\d+ records sent, [0-9.]+ records/sec \([0-9.]+ MB/sec\), [0-9.]+ ms avg latency, [0-9.]+ ms max latency\.$`).MatchString(progress.String()) {
		t.Fatalf("progress %q", progress.String())
	}
}

func TestRunFakeBroker(t *testing.T) {
	ctx, cancel := context.WithCancel(testContext(t))
	pr := &syncBuffer{ready: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- RunFakeBroker(ctx, pr, FakeBrokerOptions{Listen: "127.0.0.1:0", Partitions: 2}) }()
	select {
	case <-pr.ready:
	case <-time.After(10 * time.Second):
		t.Fatal("fake broker printed no address")
	}
	conn := Conn{BootstrapServers: strings.TrimSpace(pr.String())}
	if _, err := Produce(ctx, strings.NewReader("a\nb\n"), &strings.Builder{}, ProduceOptions{Conn: conn, Topic: "auto"}); err != nil {
		t.Fatalf("produce to auto-created topic: %v", err)
	}
	var out strings.Builder
	if err := DescribeTopics(ctx, &out, DescribeTopicsOptions{Conn: conn, Topic: "auto"}); err != nil || !strings.Contains(out.String(), "PartitionCount: 2") {
		t.Fatalf("describe: %v %q", err, out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
