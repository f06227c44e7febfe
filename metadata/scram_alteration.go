package metadata

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ScramKeys derives the stored and server keys of one AlterUserScramCredentials
// upsertion: from its salted password on a broker, or from what a forwarding broker
// put in it on the controller (ForwardedScramKeys). The hashing is saslserver's, which
// metadata does not import.
type ScramKeys func(u kmsg.AlterUserSCRAMCredentialsRequestUpsertion) (storedKey, serverKey []byte, err error)

// SaltedScramKeys is the ScramKeys of a client's own upsertion: derive
// (saslserver.ScramKeys) applied to its salted password under its mechanism's name,
// as Kafka's ScramFormatter does on the controller (ScramControlManager) and on a
// ZooKeeper-mode broker (ZkAdminManager).
func SaltedScramKeys(derive func(mechanism string, saltedPassword []byte) (storedKey, serverKey []byte, err error)) ScramKeys {
	return func(u kmsg.AlterUserSCRAMCredentialsRequestUpsertion) ([]byte, []byte, error) {
		name, ok := ScramMechanismName(u.Mechanism)
		if !ok {
			return nil, nil, Errorf(kerr.UnsupportedSaslMechanism, "Unknown SCRAM mechanism")
		}
		stored, server, err := derive(name, u.SaltedPassword)
		if err != nil {
			return nil, nil, Errorf(kerr.UnknownServerError, "derive the %s keys of %s: %v", name, u.Name, err)
		}
		return stored, server, nil
	}
}

// ScramAlteration is an AlterUserScramCredentials request after the checks Kafka
// makes before it looks at any stored credential (ScramControlManager.alterCredentials):
// the changes to make, at most one per user, and the users refused.
type ScramAlteration struct {
	// Changes are the changes of the users that passed the checks, in the order the
	// request first names them.
	Changes []ScramChange
	// users is every user the request names, in the order it first names them.
	users   []string
	refused map[string]error
}

// CheckScramAlteration checks a request as KRaft's ScramControlManager does, deletions
// before upsertions: a user named a second time, to delete or to upsert, is
// DUPLICATE_RESOURCE (KRaft alters one credential of a user per request); each change
// must pass ScramChange.Validate; a user refused once is not looked at again. keys
// derives the keys of the upsertions that pass; its error refuses the user.
func CheckScramAlteration(req *kmsg.AlterUserSCRAMCredentialsRequest, keys ScramKeys) ScramAlteration {
	a := ScramAlteration{refused: map[string]error{}}
	named := map[string]bool{}
	planned := map[string]ScramChange{}
	upsertions := map[string]kmsg.AlterUserSCRAMCredentialsRequestUpsertion{}
	take := func(ch ScramChange) {
		if !named[ch.Name] {
			named[ch.Name] = true
			a.users = append(a.users, ch.Name)
		}
		if a.refused[ch.Name] != nil {
			return
		}
		if _, twice := planned[ch.Name]; twice {
			delete(planned, ch.Name)
			a.refused[ch.Name] = Errorf(kerr.DuplicateResource, "A user credential cannot be altered twice in the same request")
			return
		}
		if err := ch.Validate(); err != nil {
			a.refused[ch.Name] = err
			return
		}
		planned[ch.Name] = ch
	}
	for _, d := range req.Deletions {
		take(ScramChange{Name: d.Name, Mechanism: d.Mechanism})
	}
	for _, u := range req.Upsertions {
		upsertions[u.Name] = u
		take(ScramChange{Name: u.Name, Mechanism: u.Mechanism, Credential: &UserScramCredentialRecord{
			Name: u.Name, Mechanism: u.Mechanism, Salt: u.Salt, Iterations: u.Iterations,
		}})
	}
	for _, user := range a.users {
		ch, ok := planned[user]
		if !ok {
			continue
		}
		if ch.Credential != nil {
			stored, server, err := keys(upsertions[user])
			if err != nil {
				a.refused[user] = err
				continue
			}
			ch.Credential.StoredKey, ch.Credential.ServerKey = stored, server
		}
		a.Changes = append(a.Changes, ch)
	}
	return a
}

// Results answers the request, one result per user it names in the order it first
// names them: the refusal of a refused user, else the error that errs (the outcome of
// Changes, in their order) holds for its change. code maps an error to its Kafka code
// as the answering server does.
func (a ScramAlteration) Results(errs []error, code func(error) int16) []kmsg.AlterUserSCRAMCredentialsResponseResult {
	outcome := make(map[string]error, len(a.users))
	for i, ch := range a.Changes {
		outcome[ch.Name] = errs[i]
	}
	for user, err := range a.refused {
		outcome[user] = err
	}
	out := make([]kmsg.AlterUserSCRAMCredentialsResponseResult, 0, len(a.users))
	for _, user := range a.users {
		r := kmsg.NewAlterUserSCRAMCredentialsResponseResult()
		r.User = user
		if err := outcome[user]; err != nil {
			msg := err.Error()
			r.ErrorCode, r.ErrorMessage = code(err), &msg
		}
		out = append(out, r)
	}
	return out
}
