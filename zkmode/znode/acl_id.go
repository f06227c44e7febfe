package znode

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/kbridge/kbridge/metadata"
)

// ACLID derives the id of an ACL read from ZooKeeper from the binding itself (every
// field of acl but ID). ZooKeeper stores no ACL ids and Kafka's migration draws a
// random one per ACL, so two reads of one tree would name the same ACL differently; a
// derived id lets the dry-run, the copy, a re-run of an interrupted copy and dual-write
// agree on it, and equal bindings (which Kafka keeps in a set) collapse to one id.
//
// The id is the first 16 bytes of SHA-256 over the length-prefixed fields, marked as
// an RFC 9562 version 8 (custom) UUID; like Uuid.randomUuid it never renders with a
// leading '-', which tools would take for a flag.
func ACLID(acl *metadata.AccessControlEntryRecord) metadata.Uuid {
	var buf []byte
	buf = append(buf, "kbridge zookeeper acl v1"...)
	buf = append(buf, byte(acl.ResourceType), byte(acl.PatternType), byte(acl.Operation), byte(acl.PermissionType))
	for _, s := range []string{acl.ResourceName, acl.Principal, acl.Host} {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(s)))
		buf = append(buf, s...)
	}
	for salt := byte(0); ; salt++ {
		sum := sha256.Sum256(append(buf, salt))
		var u metadata.Uuid
		copy(u[:], sum[:16])
		u[6] = u[6]&0x0f | 0x80 // version 8
		u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
		// The version bits make u neither the zero nor the metadata topic id.
		if u.String()[0] != '-' {
			return u
		}
	}
}
