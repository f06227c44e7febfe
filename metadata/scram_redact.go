package metadata

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
)

// Redacted is r as it may leave the controller where secrets must not (the migration
// admin endpoint's records): the salt and both keys replaced by one SHA-256 over them
// and the iterations, kept in StoredKey. Two credentials still compare equal exactly
// when they are, which is all the dry-run's diff needs, and nothing in it lets anyone
// log in or pose as the server.
func (r *UserScramCredentialRecord) Redacted() *UserScramCredentialRecord {
	h := sha256.New()
	for _, b := range [][]byte{r.Salt, r.StoredKey, r.ServerKey} {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(b))))
		h.Write(b)
	}
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(r.Iterations)))
	return &UserScramCredentialRecord{Name: r.Name, Mechanism: r.Mechanism, StoredKey: h.Sum(nil), Iterations: r.Iterations}
}

// IsRedacted tells whether r came from Redacted.
func (r *UserScramCredentialRecord) IsRedacted() bool {
	return len(r.Salt) == 0 && len(r.ServerKey) == 0 && len(r.StoredKey) == sha256.Size
}

// SameScram tells whether a and b are the same credential, either or both redacted.
func SameScram(a, b *UserScramCredentialRecord) bool {
	if a.IsRedacted() != b.IsRedacted() {
		if !a.IsRedacted() {
			a = a.Redacted()
		}
		if !b.IsRedacted() {
			b = b.Redacted()
		}
	}
	return bytes.Equal(a.Salt, b.Salt) && bytes.Equal(a.StoredKey, b.StoredKey) &&
		bytes.Equal(a.ServerKey, b.ServerKey) && a.Iterations == b.Iterations
}
