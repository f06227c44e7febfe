package metadata

import "github.com/twmb/franz-go/pkg/kmsg"

// A KRaft broker forwards the SCRAM changes it checked to the active controller as an
// AlterUserScramCredentials request, as Kafka's brokers do. Kafka's brokers forward the
// client's salted password and the controller derives the keys; a kbridge broker has
// already derived them (ScramChange), so each upsertion it forwards carries the stored
// and server keys in two tagged fields of kbridge's own, numbered far above the tags
// Kafka assigns (from 0, per structure; the upsertion has none in Kafka 3.9). Kafka's
// own controllers would skip them as unknown tags; kbridge's takes them in place of a
// salted password, which the forwarded request leaves empty.
const (
	scramStoredKeyTag uint32 = 0x6b62_0001
	scramServerKeyTag uint32 = 0x6b62_0002
)

// ScramForwardRequest is changes as the AlterUserScramCredentials request a broker
// forwards to the controller: deletions and upsertions in the order of changes, each
// upsertion's keys in kbridge's tagged fields.
func ScramForwardRequest(changes []ScramChange) *kmsg.AlterUserSCRAMCredentialsRequest {
	req := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	for _, ch := range changes {
		if ch.Credential == nil {
			d := kmsg.NewAlterUserSCRAMCredentialsRequestDeletion()
			d.Name, d.Mechanism = ch.Name, ch.Mechanism
			req.Deletions = append(req.Deletions, d)
			continue
		}
		u := kmsg.NewAlterUserSCRAMCredentialsRequestUpsertion()
		u.Name, u.Mechanism = ch.Name, ch.Mechanism
		u.Iterations, u.Salt = ch.Credential.Iterations, ch.Credential.Salt
		u.UnknownTags.Set(scramStoredKeyTag, ch.Credential.StoredKey)
		u.UnknownTags.Set(scramServerKeyTag, ch.Credential.ServerKey)
		req.Upsertions = append(req.Upsertions, u)
	}
	return req
}

// ForwardedScramKeys returns the keys a forwarding broker put in u (ScramForwardRequest);
// ok is false for an upsertion without them, a client's own, whose keys come from its
// salted password.
func ForwardedScramKeys(u kmsg.AlterUserSCRAMCredentialsRequestUpsertion) (storedKey, serverKey []byte, ok bool) {
	var hasStored, hasServer bool
	u.UnknownTags.Each(func(tag uint32, val []byte) {
		switch tag {
		case scramStoredKeyTag:
			storedKey, hasStored = val, true
		case scramServerKeyTag:
			serverKey, hasServer = val, true
		}
	})
	return storedKey, serverKey, hasStored && hasServer
}
