package znode

import (
	"fmt"
	"strings"

	"github.com/kbridge/kbridge/metadata"
)

// Delegation tokens (KIP-48) live one znode per token, named by its id, under
// /delegation_token/tokens (ZkData DelegationTokenInfoZNode, DelegationTokenManagerZk):
//
//	/delegation_token/tokens/<tokenId> => {"version":3,"owner":"User%3Aalice","tokenRequester":"User%3Aadmin",
//	  "renewers":["User%3Abob"],"issueTimestamp":1700000000000,"maxTimestamp":1700604800000,
//	  "expiryTimestamp":1700086400000,"tokenId":"<tokenId>"}
//
// Principals are "<type>:<name>" strings sanitized as config entity names are
// (SanitizeEntityName), so the ':' is written %3A. Kafka 1.1 to 3.2 wrote version 1,
// without tokenRequester: the owner requested its own tokens; 3.3 added the requester
// as version 3 (KIP-373) and reads versions 1 to 3. The token's HMAC is not stored:
// brokers derive it from delegation.token.secret.key, as KRaft does (KIP-900).

// delegationTokenVersion is the version Kafka 3.3+ writes (CurrentVersion).
const delegationTokenVersion = 3

// DelegationTokenInfoPath is DelegationTokenInfoZNode.path: the znode of one token,
// which the migration copies (KIP-866) and dual-write keeps in step with the log.
func DelegationTokenInfoPath(tokenID string) string { return DelegationTokensPath + "/" + tokenID }

// EncodeDelegationToken returns a token znode's data as Kafka 3.3+ writes it (v3).
// Kafka builds it from a hash map, so its field order means nothing; the fields are
// added in the order Kafka's encoder assigns them. A principal that is not
// "<type>:<name>" is refused, since a ZooKeeper broker could not load the token.
func EncodeDelegationToken(t *metadata.DelegationTokenRecord) ([]byte, error) {
	if err := checkTokenPrincipal("owner", t.Owner); err != nil {
		return nil, fmt.Errorf("encode delegation token %q: %w", t.TokenID, err)
	}
	if err := checkTokenPrincipal("requester", t.Requester); err != nil {
		return nil, fmt.Errorf("encode delegation token %q: %w", t.TokenID, err)
	}
	renewers := make([]string, len(t.Renewers))
	for i, r := range t.Renewers {
		if err := checkTokenPrincipal("renewer", r); err != nil {
			return nil, fmt.Errorf("encode delegation token %q: %w", t.TokenID, err)
		}
		renewers[i] = SanitizeEntityName(r)
	}
	return newJSONWriter().
		int("version", delegationTokenVersion).
		string("owner", SanitizeEntityName(t.Owner)).
		string("tokenRequester", SanitizeEntityName(t.Requester)).
		raw("renewers", appendJSONStrings(nil, renewers)).
		int("issueTimestamp", t.IssueTimestamp).
		int("maxTimestamp", t.MaxTimestamp).
		int("expiryTimestamp", t.ExpirationTimestamp).
		string("tokenId", t.TokenID).
		bytes(), nil
}

// DecodeDelegationToken reads a token znode of version 1 to 3 into the record
// Kafka's migration copies (DelegationTokenData.toRecord): principals desanitized,
// the requester of a version 1 token its owner, no renewers as nil. Empty data holds
// no token; the caller decides what that means.
func DecodeDelegationToken(data []byte) (*metadata.DelegationTokenRecord, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return nil, err
	}
	version, err := obj.version(1, 2, delegationTokenVersion)
	if err != nil {
		return nil, err
	}
	t := &metadata.DelegationTokenRecord{}
	if t.Owner, err = obj.tokenPrincipal("owner"); err != nil {
		return nil, err
	}
	t.Requester = t.Owner
	if version >= 3 {
		if t.Requester, err = obj.tokenPrincipal("tokenRequester"); err != nil {
			return nil, err
		}
	}
	items, err := obj.array("renewers")
	if err != nil {
		return nil, err
	}
	for i, raw := range items {
		r, err := decodeTokenPrincipal(raw)
		if err != nil {
			return nil, fmt.Errorf("field %q: element %d: %w", "renewers", i, err)
		}
		t.Renewers = append(t.Renewers, r)
	}
	for _, f := range []struct {
		key string
		dst *int64
	}{
		{"issueTimestamp", &t.IssueTimestamp}, {"maxTimestamp", &t.MaxTimestamp}, {"expiryTimestamp", &t.ExpirationTimestamp},
	} {
		if *f.dst, err = obj.int(f.key, 64); err != nil {
			return nil, err
		}
	}
	if t.TokenID, err = obj.string("tokenId"); err != nil {
		return nil, err
	}
	return t, nil
}

// tokenPrincipal reads a required principal field.
func (o jsonObject) tokenPrincipal(key string) (string, error) {
	raw, err := o.required(key)
	if err != nil {
		return "", err
	}
	p, err := decodeTokenPrincipal(raw)
	if err != nil {
		return "", fmt.Errorf("field %q: %w", key, err)
	}
	return p, nil
}

// decodeTokenPrincipal reads a sanitized principal string and desanitizes it.
func decodeTokenPrincipal(raw []byte) (string, error) {
	s, err := jsonString(raw)
	if err != nil {
		return "", err
	}
	p, err := DesanitizeEntityName(s)
	if err != nil {
		return "", err
	}
	if err := checkTokenPrincipal("principal", p); err != nil {
		return "", err
	}
	return p, nil
}

// checkTokenPrincipal checks a principal as SecurityUtils.parseKafkaPrincipal does:
// "<type>:<name>", split at the first ':'.
func checkTokenPrincipal(what, p string) error {
	if !strings.Contains(p, ":") {
		return fmt.Errorf("%s %q is not of the form type:name", what, p)
	}
	return nil
}
