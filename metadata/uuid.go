package metadata

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// Uuid is Kafka's 128-bit id (topic ids, incarnation ids, directory ids, ACL ids). It
// prints as Kafka's org.apache.kafka.common.Uuid does, so ids match Kafka's tools.
type Uuid [16]byte

// ZeroUuid is Kafka's Uuid.ZERO_UUID, used where an id is absent.
var ZeroUuid Uuid

// MetadataTopicID is Uuid.METADATA_TOPIC_ID (AAAAAAAAAAAAAAAAAAAAAQ), the topic id of
// __cluster_metadata.
var MetadataTopicID = Uuid{15: 1}

// String returns the 22-character URL-safe base64 form without padding.
func (u Uuid) String() string {
	return base64.RawURLEncoding.EncodeToString(u[:])
}

// IsZero reports whether u is ZeroUuid.
func (u Uuid) IsZero() bool { return u == ZeroUuid }

// MarshalText renders u in Kafka's base64 form, so JSON dumps read like Kafka's.
func (u Uuid) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// UnmarshalText parses Kafka's base64 form.
func (u *Uuid) UnmarshalText(b []byte) error {
	v, err := ParseUuid(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// ParseUuid parses Kafka's base64 Uuid form; like Java's URL decoder it accepts the
// string with or without '=' padding.
func ParseUuid(s string) (Uuid, error) {
	var u Uuid
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return u, fmt.Errorf("parse uuid %q: %w", s, err)
	}
	if len(b) != len(u) {
		return u, fmt.Errorf("parse uuid %q: decodes to %d bytes, want 16", s, len(b))
	}
	copy(u[:], b)
	return u, nil
}

// RandomUuid returns a random version-4 id as Kafka's Uuid.randomUuid does: never the
// zero or metadata-topic id, and never one whose string starts with '-', because such
// ids are mistaken for flags on command lines.
func RandomUuid() Uuid {
	for {
		var u Uuid
		if _, err := rand.Read(u[:]); err != nil {
			// crypto/rand.Read never fails on supported platforms (Go 1.24+ crashes instead).
			panic(fmt.Errorf("read random uuid: %w", err))
		}
		u[6] = u[6]&0x0f | 0x40 // version 4, as java.util.UUID.randomUUID
		u[8] = u[8]&0x3f | 0x80 // IETF variant
		if u != ZeroUuid && u != MetadataTopicID && u.String()[0] != '-' {
			return u
		}
	}
}
