package kclient

import (
	"strings"
	"testing"
	"time"
)

func TestProduceConsumeKeys(t *testing.T) {
	conn := startCluster(t, 1, "lines")
	ctx := testContext(t)
	in := strings.NewReader("k1:v1\nk2:v2\r\nNULL:v3\nk4:NULL\n")
	n, err := Produce(ctx, in, &strings.Builder{}, ProduceOptions{Conn: conn, Topic: "lines",
		ReaderProps: map[string]string{"parse.key": "true", "key.separator": ":", "null.marker": "NULL"}})
	if err != nil || n != 4 {
		t.Fatalf("produce: n=%d err=%v", n, err)
	}

	var out strings.Builder
	got, err := Consume(ctx, &out, ConsumeOptions{Conn: conn, Topic: "lines", FromBeginning: true, MaxMessages: 4,
		FormatProps: map[string]string{"print.key": "true", "print.offset": "true", "key.separator": "|"}})
	if err != nil || got != 4 {
		t.Fatalf("consume: n=%d err=%v", got, err)
	}
	want := "Offset:0|k1|v1\nOffset:1|k2|v2\nOffset:2|null|v3\nOffset:3|k4|null\n"
	if out.String() != want {
		t.Fatalf("consume printed %q, want %q", out.String(), want)
	}

	out.Reset()
	got, err = Consume(ctx, &out, ConsumeOptions{Conn: conn, Topic: "lines", Partition: int32p(0), Offset: "2", Timeout: 300 * time.Millisecond})
	if err != nil || got != 2 || out.String() != "v3\nnull\n" {
		t.Fatalf("consume from offset 2: n=%d err=%v out=%q", got, err, out.String())
	}
}

func TestProduceHeadersAndMissingSeparator(t *testing.T) {
	conn := startCluster(t, 1, "h")
	ctx := testContext(t)
	props := map[string]string{"parse.headers": "true", "parse.key": "true"}
	if _, err := Produce(ctx, strings.NewReader("a:1,b:2\tkey\tvalue\n"), &strings.Builder{}, ProduceOptions{Conn: conn, Topic: "h", ReaderProps: props}); err != nil {
		t.Fatalf("produce: %v", err)
	}
	var out strings.Builder
	_, err := Consume(ctx, &out, ConsumeOptions{Conn: conn, Topic: "h", FromBeginning: true, MaxMessages: 1,
		FormatProps: map[string]string{"print.headers": "true", "print.key": "true", "print.partition": "true", "print.timestamp": "true"}})
	if err != nil {
		t.Fatalf("consume: %v", err)
	}
	if !strings.HasPrefix(out.String(), "CreateTime:") || !strings.HasSuffix(out.String(), "\tPartition:0\ta:1,b:2\tkey\tvalue\n") {
		t.Fatalf("consume printed %q", out.String())
	}

	_, err = Produce(ctx, strings.NewReader("no-separator\n"), &strings.Builder{}, ProduceOptions{Conn: conn, Topic: "h", ReaderProps: map[string]string{"parse.key": "true"}})
	if err == nil || !strings.Contains(err.Error(), "no key separator found on line number 1") {
		t.Fatalf("missing separator: %v", err)
	}
}

func TestConsumeGroupCommits(t *testing.T) {
	conn := startCluster(t, 2, "g")
	ctx := testContext(t)
	lines := strings.Repeat("x\n", 10)
	if _, err := Produce(ctx, strings.NewReader(lines), &strings.Builder{}, ProduceOptions{Conn: conn, Topic: "g", RequiredAcks: "1"}); err != nil {
		t.Fatalf("produce: %v", err)
	}
	first, err := Consume(ctx, &strings.Builder{}, ConsumeOptions{Conn: conn, Topic: "g", Group: "cg", FromBeginning: true, MaxMessages: 4})
	if err != nil || first != 4 {
		t.Fatalf("first group consume: n=%d err=%v", first, err)
	}
	rest, err := Consume(ctx, &strings.Builder{}, ConsumeOptions{Conn: conn, Topic: "g", Group: "cg", FromBeginning: true, Timeout: 2 * time.Second})
	if err != nil || rest != 6 {
		t.Fatalf("second group consume: want the 6 uncommitted records, got n=%d err=%v", rest, err)
	}
}

func TestConsumeOptionRules(t *testing.T) {
	conn := Conn{BootstrapServers: "127.0.0.1:1"}
	for name, o := range map[string]ConsumeOptions{
		"offset without partition": {Conn: conn, Topic: "t", Offset: "5"},
		"beginning and offset":     {Conn: conn, Topic: "t", Partition: int32p(0), Offset: "5", FromBeginning: true},
		"group and partition":      {Conn: conn, Topic: "t", Partition: int32p(0), Group: "g"},
		"bad offset":               {Conn: conn, Topic: "t", Partition: int32p(0), Offset: "-3"},
	} {
		if _, _, err := consumeClientOpts(o); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
}

func TestProducerAcksRules(t *testing.T) {
	if _, err := producerOpts(map[string]string{"acks": "1", "enable.idempotence": "true"}); err == nil {
		t.Error("acks=1 with enable.idempotence=true: want error")
	}
	for _, acks := range []string{"0", "1", "all", "-1"} {
		if _, err := producerOpts(map[string]string{"acks": acks}); err != nil {
			t.Errorf("acks=%s: %v", acks, err)
		}
	}
}
