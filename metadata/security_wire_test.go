package metadata

import (
	"errors"
	"reflect"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// reencode sends req through its wire form at version v, as a forwarding broker's
// request reaches the controller.
func reencode[R kmsg.Request](t *testing.T, req R, fresh R, v int16) R {
	t.Helper()
	req.SetVersion(v)
	fresh.SetVersion(v)
	if err := fresh.ReadFrom(req.AppendTo(nil)); err != nil {
		t.Fatalf("decode %s v%d: %v", kmsg.NameForKey(req.Key()), v, err)
	}
	return fresh
}

// TestACLWireRoundTrips: a binding and a filter arrive as they were sent at every
// version that carries all their fields, null filter strings staying null; a
// DeleteAcls result lists the deleted bindings, or only the error.
func TestACLWireRoundTrips(t *testing.T) {
	b := ACLBinding{ResourceType: ACLResourceGroup, ResourceName: "app-", PatternType: ACLPatternPrefixed,
		Principal: "User:alice", Host: "10.0.0.1", Operation: ACLOperationRead, PermissionType: ACLPermissionDeny}
	alice := "User:alice"
	filters := []ACLFilter{
		{ResourceType: ACLResourceAny, PatternType: ACLPatternAny, Operation: ACLOperationAny, PermissionType: ACLPermissionAny},
		{ResourceType: ACLResourceTopic, ResourceName: &b.ResourceName, PatternType: ACLPatternMatch, Principal: &alice,
			Host: &b.Host, Operation: ACLOperationWrite, PermissionType: ACLPermissionAllow},
	}
	for v := int16(1); v <= 3; v++ {
		create := kmsg.NewPtrCreateACLsRequest()
		create.Creations = append(create.Creations, b.Creation())
		got := reencode(t, create, kmsg.NewPtrCreateACLsRequest(), v)
		if back := ACLBindingFromCreation(got.Creations[0]); back != b {
			t.Fatalf("v%d: binding %+v came back as %+v", v, b, back)
		}
		del := kmsg.NewPtrDeleteACLsRequest()
		for _, f := range filters {
			del.Filters = append(del.Filters, f.DeletionFilter())
		}
		gotDel := reencode(t, del, kmsg.NewPtrDeleteACLsRequest(), v)
		for i, f := range filters {
			if back := ACLFilterFromDeletion(gotDel.Filters[i]); !reflect.DeepEqual(back, f) {
				t.Fatalf("v%d: filter %+v came back as %+v", v, f, back)
			}
		}
	}
	res := DeleteACLsResult{Deleted: []ACLBinding{b}}.ResponseResult(func(error) int16 { return -1 })
	if res.ErrorCode != 0 || len(res.MatchingACLs) != 1 || ACLBindingFromMatch(res.MatchingACLs[0]) != b {
		t.Fatalf("result of a deletion: %+v", res)
	}
	res = DeleteACLsResult{Err: Errorf(kerr.InvalidRequest, "bad filter")}.ResponseResult(func(error) int16 { return kerr.InvalidRequest.Code })
	if res.ErrorCode != kerr.InvalidRequest.Code || res.ErrorMessage == nil || *res.ErrorMessage != "bad filter" || len(res.MatchingACLs) != 0 {
		t.Fatalf("result of a refused filter: %+v", res)
	}
}

// noKeys is the ScramKeys of a test whose upsertions must not get as far as keys.
func noKeys(t *testing.T) ScramKeys {
	return func(u kmsg.AlterUserSCRAMCredentialsRequestUpsertion) ([]byte, []byte, error) {
		t.Errorf("keys derived for %s", u.Name)
		return nil, nil, errors.New("unexpected")
	}
}

// TestScramForwardRoundTrip: the changes a broker forwards reach the controller with
// their keys, salts and iterations, and deletions in order, through the wire form;
// a client's own upsertion carries no forwarded keys.
func TestScramForwardRoundTrip(t *testing.T) {
	changes := []ScramChange{
		{Name: "alice", Mechanism: ScramSHA256},
		{Name: "bob", Mechanism: ScramSHA512, Credential: &UserScramCredentialRecord{
			Name: "bob", Mechanism: ScramSHA512, Salt: []byte("salt"), StoredKey: []byte("stored"), ServerKey: []byte("server"), Iterations: 8192,
		}},
	}
	req := reencode(t, ScramForwardRequest(changes), kmsg.NewPtrAlterUserSCRAMCredentialsRequest(), 0)
	a := CheckScramAlteration(req, func(u kmsg.AlterUserSCRAMCredentialsRequestUpsertion) ([]byte, []byte, error) {
		stored, server, ok := ForwardedScramKeys(u)
		if !ok {
			return nil, nil, errors.New("no forwarded keys")
		}
		return stored, server, nil
	})
	if !reflect.DeepEqual(a.Changes, changes) {
		t.Fatalf("forwarded %+v, the controller read %+v", changes, a.Changes)
	}
	if _, _, ok := ForwardedScramKeys(kmsg.NewAlterUserSCRAMCredentialsRequestUpsertion()); ok {
		t.Fatal("a client's upsertion has forwarded keys")
	}
}

// TestCheckScramAlteration: KRaft's request checks, one result per user in the order
// the request first names them.
func TestCheckScramAlteration(t *testing.T) {
	req := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	del := func(name string, mech int8) {
		d := kmsg.NewAlterUserSCRAMCredentialsRequestDeletion()
		d.Name, d.Mechanism = name, mech
		req.Deletions = append(req.Deletions, d)
	}
	up := func(name string, mech int8, iterations int32) {
		u := kmsg.NewAlterUserSCRAMCredentialsRequestUpsertion()
		u.Name, u.Mechanism, u.Iterations, u.Salt, u.SaltedPassword = name, mech, iterations, []byte("salt"), []byte("salted-"+name)
		req.Upsertions = append(req.Upsertions, u)
	}
	del("gone", ScramSHA256)
	del("twice", ScramSHA256)
	del("twice", ScramSHA512)
	del("", ScramSHA256)
	up("gone", ScramSHA512, 4096) // deleted and upserted
	up("ok", ScramSHA512, 4096)
	up("few", ScramSHA256, 4095)
	up("many", ScramSHA256, 16385)
	up("mech", 3, 4096)
	up("max", ScramSHA256, 16384)
	up("broken", ScramSHA256, 4096)
	a := CheckScramAlteration(req, func(u kmsg.AlterUserSCRAMCredentialsRequestUpsertion) ([]byte, []byte, error) {
		if u.Name == "broken" {
			return nil, nil, Errorf(kerr.UnknownServerError, "cannot derive")
		}
		return []byte("stored:" + string(u.SaltedPassword)), []byte("server"), nil
	})
	if len(a.Changes) != 2 || a.Changes[0].Name != "ok" || a.Changes[1].Name != "max" {
		t.Fatalf("changes %+v, want ok and max", a.Changes)
	}
	if c := a.Changes[0].Credential; string(c.StoredKey) != "stored:salted-ok" || string(c.Salt) != "salt" || c.Iterations != 4096 || c.Name != "ok" {
		t.Fatalf("ok's credential %+v", c)
	}
	results := a.Results([]error{nil, Errorf(kerr.NotController, "moved")}, func(err error) int16 {
		var ke *kerr.Error
		errors.As(err, &ke)
		return ke.Code
	})
	want := []struct {
		user string
		code *kerr.Error
		msg  string
	}{
		{"gone", kerr.DuplicateResource, "A user credential cannot be altered twice in the same request"},
		{"twice", kerr.DuplicateResource, "A user credential cannot be altered twice in the same request"},
		{"", kerr.UnacceptableCredential, "Username must not be empty"},
		{"ok", nil, ""},
		{"few", kerr.UnacceptableCredential, "Too few iterations"},
		{"many", kerr.UnacceptableCredential, "Too many iterations"},
		{"mech", kerr.UnsupportedSaslMechanism, "Unknown SCRAM mechanism"},
		{"max", kerr.NotController, "moved"},
		{"broken", kerr.UnknownServerError, "cannot derive"},
	}
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(results), len(want), results)
	}
	for i, w := range want {
		r := results[i]
		switch {
		case r.User != w.user:
			t.Errorf("result %d is for %q, want %q", i, r.User, w.user)
		case w.code == nil && (r.ErrorCode != 0 || r.ErrorMessage != nil):
			t.Errorf("%s: code %d, want success", w.user, r.ErrorCode)
		case w.code != nil && (r.ErrorCode != w.code.Code || r.ErrorMessage == nil || *r.ErrorMessage != w.msg):
			t.Errorf("%s: code %d message %v, want %s %q", w.user, r.ErrorCode, r.ErrorMessage, w.code.Message, w.msg)
		}
	}

	// Nothing but refusals: no keys are derived, no change is made.
	req = kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	up("", ScramSHA256, 4096)
	if a := CheckScramAlteration(req, noKeys(t)); len(a.Changes) != 0 {
		t.Fatalf("changes of a refused request: %+v", a.Changes)
	}
}
