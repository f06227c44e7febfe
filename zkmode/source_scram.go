package zkmode

import (
	"context"
	"maps"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// AlterScramCredentials stores and deletes SCRAM credentials as Kafka's ZkAdminManager
// does: each change is validated alone (ScramChange.Validate), and a user's changes
// go together into its config entity /config/users/<sanitized user>, read fresh so its
// quotas and other credentials stay, a credential under its mechanism's key in
// ScramCredentialUtils' format ("salt=...,stored_key=...,server_key=...,iterations=..."),
// written back conditional on the version read (created when absent) with a
// /config/changes/config_change_ notification {"version":2,"entity_path":"users/<user>"}
// in one fenced multi. The deletion of a credential the znode does not hold is
// RESOURCE_NOT_FOUND, and the user's other changes fail with it unwritten, as Kafka
// fails the user. A user's last credential deleted leaves its znode, without it, as
// AdminZkClient.changeConfigs leaves it. It returns once the image holds the changes.
func (s *Source) AlterScramCredentials(ctx context.Context, changes []metadata.ScramChange) []error {
	errs := make([]error, len(changes))
	if err := s.checkNotMigrating("AlterUserScramCredentials"); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	byUser := map[string][]int{}
	var users []string
	for i, ch := range changes {
		if errs[i] = ch.Validate(); errs[i] != nil {
			continue
		}
		if _, ok := byUser[ch.Name]; !ok {
			users = append(users, ch.Name)
		}
		byUser[ch.Name] = append(byUser[ch.Name], i)
	}
	wrote := false
	for _, user := range users {
		mine := make([]metadata.ScramChange, len(byUser[user]))
		for j, i := range byUser[user] {
			mine[j] = changes[i]
		}
		written, err := s.alterUserScram(ctx, user, mine)
		wrote = wrote || written
		for _, i := range byUser[user] {
			errs[i] = err
		}
	}
	if wrote {
		s.waitReload(ctx)
	}
	return errs
}

// alterUserScram makes one user's changes; written reports whether anything was
// written.
func (s *Source) alterUserScram(ctx context.Context, user string, changes []metadata.ScramChange) (bool, error) {
	entity := userEntity(user)
	path := znode.ConfigPath + "/" + entity
	what := "alter the SCRAM credentials of " + entity
	return retryConditional(what, func() (bool, error) {
		data, stat, err := s.readForWrite(ctx, what, path)
		if err != nil {
			return false, err
		}
		current, err := znode.DecodeConfig(data)
		if err != nil {
			return false, metadata.Errorf(kerr.UnknownServerError, "%s: %v", what, decodeError(path, err))
		}
		next := make(map[string]string, len(current)+len(changes))
		maps.Copy(next, current)
		for _, ch := range changes {
			key, _ := scramKey(ch.Mechanism)
			if ch.Credential != nil {
				next[key] = formatScram(ch.Credential)
				continue
			}
			if _, ok := next[key]; !ok {
				return false, metadata.Errorf(kerr.ResourceNotFound, "Attempt to delete a user credential that does not exist")
			}
			delete(next, key)
		}
		if maps.Equal(current, next) {
			return false, nil
		}
		if err := s.writeOp(ctx, what, clientQuotaOp(entity, next), path, stat); err != nil {
			return false, err
		}
		return true, nil
	})
}
