package znode

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/kbridge/kbridge/metadata"
)

// SCRAM credentials live in the user's config entity znode, /config/users/<user>, one
// key per mechanism, next to the user's quotas (clients ScramCredentialUtils):
//
//	"SCRAM-SHA-256":"salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=4096"

// The SCRAM mechanisms' config keys (ScramMechanism.mechanismName), in the order
// Kafka's migration reads them (ScramMechanism.values()).
const (
	ScramSHA256Key = "SCRAM-SHA-256"
	ScramSHA512Key = "SCRAM-SHA-512"
)

// ScramMechanism pairs a SCRAM config key of a user's config znode with its
// metadata.UserScramCredentialRecord mechanism.
type ScramMechanism struct {
	Key       string
	Mechanism int8
}

// ScramMechanisms are the SCRAM mechanisms a user's config znode can hold, in the order
// Kafka's migration reads them. It is exported because both directions of the
// migration translate with it: loading a user's config into credential records, and
// writing a credential record back as its config key.
var ScramMechanisms = []ScramMechanism{
	{ScramSHA256Key, metadata.ScramSHA256},
	{ScramSHA512Key, metadata.ScramSHA512},
}

// ScramCredential is one stored SCRAM credential; the password itself is never stored.
type ScramCredential struct {
	Salt       []byte
	StoredKey  []byte
	ServerKey  []byte
	Iterations int32
}

// FormatScramCredential is ScramCredentialUtils.credentialToString: standard base64
// with padding, fields in this order.
func FormatScramCredential(c ScramCredential) string {
	enc := base64.StdEncoding
	return "salt=" + enc.EncodeToString(c.Salt) +
		",stored_key=" + enc.EncodeToString(c.StoredKey) +
		",server_key=" + enc.EncodeToString(c.ServerKey) +
		",iterations=" + strconv.Itoa(int(c.Iterations))
}

// ParseScramCredential is ScramCredentialUtils.credentialFromString: exactly the four
// keys, in any order (a repeated key keeps its last value, as Properties does),
// base64 with or without padding (java.util.Base64's basic decoder).
func ParseScramCredential(s string) (ScramCredential, error) {
	tokens := strings.Split(s, ",")
	// String.split drops trailing empty strings.
	for len(tokens) > 0 && tokens[len(tokens)-1] == "" {
		tokens = tokens[:len(tokens)-1]
	}
	props := map[string]string{}
	for _, t := range tokens {
		k, v, ok := strings.Cut(t, "=")
		if !ok || k == "" {
			return ScramCredential{}, fmt.Errorf("SCRAM credential: %q is not key=value", t)
		}
		props[k] = v
	}
	for _, k := range []string{"salt", "stored_key", "server_key", "iterations"} {
		if _, ok := props[k]; !ok {
			return ScramCredential{}, fmt.Errorf("SCRAM credential: %s is missing", k)
		}
	}
	if len(props) != 4 {
		return ScramCredential{}, fmt.Errorf("SCRAM credential: %d keys, want salt, stored_key, server_key and iterations only", len(props))
	}
	var c ScramCredential
	var err error
	for _, f := range []struct {
		key string
		dst *[]byte
	}{{"salt", &c.Salt}, {"stored_key", &c.StoredKey}, {"server_key", &c.ServerKey}} {
		if *f.dst, err = decodeBase64(props[f.key]); err != nil {
			return ScramCredential{}, fmt.Errorf("SCRAM credential: %s: %w", f.key, err)
		}
	}
	n, err := strconv.ParseInt(props["iterations"], 10, 32)
	if err != nil {
		return ScramCredential{}, fmt.Errorf("SCRAM credential: iterations %q is not a number", props["iterations"])
	}
	c.Iterations = int32(n)
	return c, nil
}

// decodeBase64 decodes standard base64 with optional padding; empty gives nil.
func decodeBase64(s string) ([]byte, error) {
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, nil
	}
	return b, nil
}
