package main

import (
	"strings"
	"testing"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/saslserver"
)

// TestParseAddScram: Kafka's --add-scram syntax becomes the credential record Kafka
// would derive (same salt and iterations give the same keys), and malformed values are
// refused with what is wrong.
func TestParseAddScram(t *testing.T) {
	rec, err := parseAddScram(`SCRAM-SHA-256=[name=alice,password=alice-secret,salt="c2FsdA==",iterations=8192]`)
	if err != nil {
		t.Fatal(err)
	}
	want, err := saslserver.NewScramCredential(saslserver.ScramSHA256, "alice-secret", []byte("salt"), 8192)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Name != "alice" || rec.Mechanism != metadata.ScramSHA256 || rec.Iterations != 8192 || string(rec.Salt) != "salt" ||
		string(rec.StoredKey) != string(want.StoredKey) || string(rec.ServerKey) != string(want.ServerKey) {
		t.Fatalf("record %+v", rec)
	}
	rec, err = parseAddScram("SCRAM-SHA-512=[name=admin,password=admin-secret]")
	if err != nil || rec.Mechanism != metadata.ScramSHA512 || rec.Iterations != 4096 || len(rec.Salt) == 0 {
		t.Fatalf("defaults: %+v %v", rec, err)
	}
	for spec, wantErr := range map[string]string{
		"SCRAM-SHA-1=[name=a,password=b]":                 "unknown SCRAM mechanism",
		"SCRAM-SHA-512=name=a,password=b":                 "want MECHANISM=[",
		"SCRAM-SHA-512=[password=b]":                      "no name",
		"SCRAM-SHA-512=[name=a,saltedpassword=x]":         "no password",
		"SCRAM-SHA-512=[name=a,password=b,iterations=10]": "iterations 10",
		"SCRAM-SHA-512=[name=a,password=b,salt=%%]":       "not base64",
	} {
		if _, err := parseAddScram(spec); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: %v, want an error saying %q", spec, err, wantErr)
		}
	}
}
