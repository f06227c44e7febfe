package main

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/saslserver"
)

// scramIterationsDefault is Kafka's ScramParser default for --add-scram iterations.
const scramIterationsDefault = 4096

// parseAddScram reads one `storage format --add-scram` value as Kafka 3.9's ScramParser
// does — 'SCRAM-SHA-512=[name=alice,password=alice-secret]', with optional
// salt (base64) and iterations — and returns the UserScramCredentialRecord the first
// controller writes, so a KRaft cluster has a SCRAM user before any broker can
// authenticate one.
func parseAddScram(spec string) (*metadata.UserScramCredentialRecord, error) {
	mech, rest, ok := strings.Cut(spec, "=")
	if !ok || !strings.HasPrefix(rest, "[") || !strings.HasSuffix(rest, "]") {
		return nil, fmt.Errorf("--add-scram %q: want MECHANISM=[name=USER,password=PASSWORD]", spec)
	}
	id, ok := metadata.ScramMechanismIDs[mech]
	if !ok {
		return nil, fmt.Errorf("--add-scram %q: unknown SCRAM mechanism %s (SCRAM-SHA-256 or SCRAM-SHA-512)", spec, mech)
	}
	attrs := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(rest, "["), "]"), ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--add-scram %q: %q is not key=value", spec, kv)
		}
		attrs[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	name, password := attrs["name"], attrs["password"]
	switch {
	case name == "":
		return nil, fmt.Errorf("--add-scram %q: no name", spec)
	case password == "":
		return nil, fmt.Errorf("--add-scram %q: no password (a saltedpassword is not supported)", spec)
	}
	iterations := int64(scramIterationsDefault)
	if v, ok := attrs["iterations"]; ok {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < metadata.ScramIterationsMin || n > metadata.ScramIterationsMax {
			return nil, fmt.Errorf("--add-scram %q: iterations %s must be a number from %d to %d", spec, v, metadata.ScramIterationsMin, metadata.ScramIterationsMax)
		}
		iterations = n
	}
	var salt []byte
	if v, ok := attrs["salt"]; ok {
		var err error
		if salt, err = base64.StdEncoding.DecodeString(v); err != nil {
			return nil, fmt.Errorf("--add-scram %q: salt is not base64: %w", spec, err)
		}
	}
	cred, err := saslserver.NewScramCredential(mech, password, salt, int32(iterations))
	if err != nil {
		return nil, fmt.Errorf("--add-scram %q: %w", spec, err)
	}
	return &metadata.UserScramCredentialRecord{Name: name, Mechanism: id, Salt: cred.Salt,
		StoredKey: cred.StoredKey, ServerKey: cred.ServerKey, Iterations: cred.Iterations}, nil
}
