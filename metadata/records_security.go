package metadata

import "github.com/twmb/franz-go/pkg/kbin"

// AccessControlEntryRecord (apiKey 18) adds one ACL binding, keyed by Id.
type AccessControlEntryRecord struct {
	ID           Uuid   `json:"id"`
	ResourceType int8   `json:"resourceType"`
	ResourceName string `json:"resourceName"`
	// PatternType is LITERAL=3 or PREFIXED=4.
	PatternType int8   `json:"patternType"`
	Principal   string `json:"principal"`
	Host        string `json:"host"`
	Operation   int8   `json:"operation"`
	// PermissionType is DENY=2 or ALLOW=3.
	PermissionType int8 `json:"permissionType"`
}

// APIKey implements Record.
func (*AccessControlEntryRecord) APIKey() int16 { return APIKeyAccessControlEntry }

// RecordVersion implements Record.
func (*AccessControlEntryRecord) RecordVersion() int16 { return 0 }

func (v *AccessControlEntryRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendUuid(dst, v.ID)
	dst = kbin.AppendInt8(dst, v.ResourceType)
	dst = kbin.AppendCompactString(dst, v.ResourceName)
	dst = kbin.AppendInt8(dst, v.PatternType)
	dst = kbin.AppendCompactString(dst, v.Principal)
	dst = kbin.AppendCompactString(dst, v.Host)
	dst = kbin.AppendInt8(dst, v.Operation)
	dst = kbin.AppendInt8(dst, v.PermissionType)
	return appendNoTags(dst)
}

func (v *AccessControlEntryRecord) readBody(r *reader, _ int16) {
	v.ID = r.uuid()
	v.ResourceType = r.Int8()
	v.ResourceName = r.str()
	v.PatternType = r.Int8()
	v.Principal = r.str()
	v.Host = r.str()
	v.Operation = r.Int8()
	v.PermissionType = r.Int8()
	r.noTags()
}

// RemoveAccessControlEntryRecord (apiKey 19) deletes the ACL with Id.
type RemoveAccessControlEntryRecord struct {
	ID Uuid `json:"id"`
}

// APIKey implements Record.
func (*RemoveAccessControlEntryRecord) APIKey() int16 { return APIKeyRemoveAccessControlEntry }

// RecordVersion implements Record.
func (*RemoveAccessControlEntryRecord) RecordVersion() int16 { return 0 }

func (v *RemoveAccessControlEntryRecord) appendBody(dst []byte) []byte {
	return appendNoTags(kbin.AppendUuid(dst, v.ID))
}

func (v *RemoveAccessControlEntryRecord) readBody(r *reader, _ int16) {
	v.ID = r.uuid()
	r.noTags()
}

// SCRAM mechanisms as the records number them.
const (
	ScramSHA256 int8 = 1
	ScramSHA512 int8 = 2
)

// ScramMechanismIDs numbers the SCRAM mechanisms by their SASL names, for what turns a
// mechanism name into a record's (a broker's credential lookup, --add-scram).
var ScramMechanismIDs = map[string]int8{"SCRAM-SHA-256": ScramSHA256, "SCRAM-SHA-512": ScramSHA512}

// ScramMechanismName is the SASL name of a record's SCRAM mechanism, for what turns a
// record's mechanism into the hash it stands for (AlterUserScramCredentials, which
// derives keys, and descriptions of credentials).
func ScramMechanismName(id int8) (string, bool) {
	for name, m := range ScramMechanismIDs {
		if m == id {
			return name, true
		}
	}
	return "", false
}

// UserScramCredentialRecord (apiKey 11) stores one user's SCRAM credential for one
// mechanism; the password itself is never stored.
type UserScramCredentialRecord struct {
	Name       string `json:"name"`
	Mechanism  int8   `json:"mechanism"`
	Salt       []byte `json:"salt"`
	StoredKey  []byte `json:"storedKey"`
	ServerKey  []byte `json:"serverKey"`
	Iterations int32  `json:"iterations"`
}

// APIKey implements Record.
func (*UserScramCredentialRecord) APIKey() int16 { return APIKeyUserScramCredential }

// RecordVersion implements Record.
func (*UserScramCredentialRecord) RecordVersion() int16 { return 0 }

func (v *UserScramCredentialRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendCompactString(dst, v.Name)
	dst = kbin.AppendInt8(dst, v.Mechanism)
	dst = kbin.AppendCompactBytes(dst, v.Salt)
	dst = kbin.AppendCompactBytes(dst, v.StoredKey)
	dst = kbin.AppendCompactBytes(dst, v.ServerKey)
	dst = kbin.AppendInt32(dst, v.Iterations)
	return appendNoTags(dst)
}

func (v *UserScramCredentialRecord) readBody(r *reader, _ int16) {
	v.Name = r.str()
	v.Mechanism = r.Int8()
	v.Salt = r.bytes()
	v.StoredKey = r.bytes()
	v.ServerKey = r.bytes()
	v.Iterations = r.Int32()
	r.noTags()
}

// RemoveUserScramCredentialRecord (apiKey 22) deletes one user's credential for one
// mechanism.
type RemoveUserScramCredentialRecord struct {
	Name      string `json:"name"`
	Mechanism int8   `json:"mechanism"`
}

// APIKey implements Record.
func (*RemoveUserScramCredentialRecord) APIKey() int16 { return APIKeyRemoveUserScramCredential }

// RecordVersion implements Record.
func (*RemoveUserScramCredentialRecord) RecordVersion() int16 { return 0 }

func (v *RemoveUserScramCredentialRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendCompactString(dst, v.Name)
	dst = kbin.AppendInt8(dst, v.Mechanism)
	return appendNoTags(dst)
}

func (v *RemoveUserScramCredentialRecord) readBody(r *reader, _ int16) {
	v.Name = r.str()
	v.Mechanism = r.Int8()
	r.noTags()
}

// DelegationTokenRecord (apiKey 10) stores one delegation token (KIP-900); the HMAC is
// recomputed from delegation.token.secret.key, so it is not in the record.
type DelegationTokenRecord struct {
	Owner               string   `json:"owner"`
	Requester           string   `json:"requester"`
	Renewers            []string `json:"renewers"`
	IssueTimestamp      int64    `json:"issueTimestamp"`
	MaxTimestamp        int64    `json:"maxTimestamp"`
	ExpirationTimestamp int64    `json:"expirationTimestamp"`
	TokenID             string   `json:"tokenId"`
}

// APIKey implements Record.
func (*DelegationTokenRecord) APIKey() int16 { return APIKeyDelegationToken }

// RecordVersion implements Record.
func (*DelegationTokenRecord) RecordVersion() int16 { return 0 }

func (v *DelegationTokenRecord) appendBody(dst []byte) []byte {
	dst = kbin.AppendCompactString(dst, v.Owner)
	dst = kbin.AppendCompactString(dst, v.Requester)
	dst = appendStrs(dst, v.Renewers)
	dst = kbin.AppendInt64(dst, v.IssueTimestamp)
	dst = kbin.AppendInt64(dst, v.MaxTimestamp)
	dst = kbin.AppendInt64(dst, v.ExpirationTimestamp)
	dst = kbin.AppendCompactString(dst, v.TokenID)
	return appendNoTags(dst)
}

func (v *DelegationTokenRecord) readBody(r *reader, _ int16) {
	v.Owner = r.str()
	v.Requester = r.str()
	v.Renewers = r.strs()
	v.IssueTimestamp = r.Int64()
	v.MaxTimestamp = r.Int64()
	v.ExpirationTimestamp = r.Int64()
	v.TokenID = r.str()
	r.noTags()
}

// RemoveDelegationTokenRecord (apiKey 26) deletes the token with TokenId.
type RemoveDelegationTokenRecord struct {
	TokenID string `json:"tokenId"`
}

// APIKey implements Record.
func (*RemoveDelegationTokenRecord) APIKey() int16 { return APIKeyRemoveDelegationToken }

// RecordVersion implements Record.
func (*RemoveDelegationTokenRecord) RecordVersion() int16 { return 0 }

func (v *RemoveDelegationTokenRecord) appendBody(dst []byte) []byte {
	return appendNoTags(kbin.AppendCompactString(dst, v.TokenID))
}

func (v *RemoveDelegationTokenRecord) readBody(r *reader, _ int16) {
	v.TokenID = r.str()
	r.noTags()
}
