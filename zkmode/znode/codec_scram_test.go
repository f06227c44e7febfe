package znode

import (
	"reflect"
	"strings"
	"testing"
)

// aliceScramSHA256 is alice's SCRAM-SHA-256 credential as a user's config znode holds it
// (the one zkmode's test fixture stores).
const aliceScramSHA256 = "salt=YWxpY2Utc2FsdC0yNTYuLg==,stored_key=YWxpY2Utc3RvcmVkLWtleS1zaGEyNTYtMzItYnl0ZXM=,server_key=YWxpY2Utc2VydmVyLWtleS1zaGEyNTYtMzItYnl0ZXM=,iterations=8192"

func TestScramCredential(t *testing.T) {
	c := ScramCredential{Salt: []byte("alice-salt-256.."), StoredKey: []byte("alice-stored-key-sha256-32-bytes"),
		ServerKey: []byte("alice-server-key-sha256-32-bytes"), Iterations: 8192}
	if got := FormatScramCredential(c); got != aliceScramSHA256 {
		t.Errorf("FormatScramCredential:\n got %s\nwant %s", got, aliceScramSHA256)
	}
	got, err := ParseScramCredential(aliceScramSHA256)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Errorf("ParseScramCredential = %+v, %v; want %+v", got, err, c)
	}
	// Any order, unpadded base64, a trailing comma, a repeated key (the last wins).
	got, err = ParseScramCredential("iterations=4096,server_key=AQI,stored_key=AwQ=,salt=xx,salt=BQY=,")
	want := ScramCredential{Salt: []byte{5, 6}, StoredKey: []byte{3, 4}, ServerKey: []byte{1, 2}, Iterations: 4096}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseScramCredential = %+v, %v; want %+v", got, err, want)
	}
	for _, c := range []struct{ s, want string }{
		{"", "salt is missing"},
		{"salt=AA==,stored_key=AA==,server_key=AA==", "iterations is missing"},
		{"salt=AA==,stored_key=AA==,server_key=AA==,iterations=1,extra=1", "5 keys"},
		{"salt=AA==,,stored_key=AA==,server_key=AA==,iterations=1", `"" is not key=value`},
		{"=AA==,salt=AA==,stored_key=AA==,server_key=AA==,iterations=1", "not key=value"},
		{"salt=A!==,stored_key=AA==,server_key=AA==,iterations=1", "salt"},
		{"salt=AA==,stored_key=AA==,server_key=AA==,iterations=many", "iterations"},
	} {
		_, err := ParseScramCredential(c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseScramCredential(%q) error = %v, want it to mention %q", c.s, err, c.want)
		}
	}
}
