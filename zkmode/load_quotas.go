package zkmode

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// Client-quota entity types as ClientQuotaRecord names them (ClientQuotaEntity).
const (
	QuotaEntityUser     = "user"
	QuotaEntityClientID = "client-id"
	QuotaEntityIP       = "ip"
)

// loadClientQuotas reads the quota entities and SCRAM credentials in the order of
// ZkConfigMigrationClient.iterateClientQuotas: users (each user's SCRAM credentials,
// then its quotas), client ids, users' client ids, then IPs.
//
// Unlike Kafka 3.9's migration, which copies the names as ZooKeeper stores them, user
// and client-id names are desanitized and <default> becomes the null entity name:
// that is what KRaft's own quota and SCRAM APIs write (and what later Kafka releases
// fixed the migration to do), so an entity reads the same after the migration.
func (t *Tree) loadClientQuotas(ctx context.Context, r TreeReader) error {
	users, err := t.loadQuotaEntities(ctx, r, quotaScope{
		parent: znode.ConfigEntityTypePath(znode.ConfigTypeUser), entityType: QuotaEntityUser, scram: true,
	})
	if err != nil {
		return err
	}
	if _, err := t.loadQuotaEntities(ctx, r, quotaScope{
		parent: znode.ConfigEntityTypePath(znode.ConfigTypeClient), entityType: QuotaEntityClientID,
	}); err != nil {
		return err
	}
	for _, user := range users {
		name, err := quotaEntityName(QuotaEntityUser, user)
		if err != nil {
			return fmt.Errorf("load client quotas: %s: %w", znode.ConfigEntityPath(znode.ConfigTypeUser, user), err)
		}
		if _, err := t.loadQuotaEntities(ctx, r, quotaScope{
			parent:     znode.ConfigEntityPath(znode.ConfigTypeUser, user) + "/clients",
			entityType: QuotaEntityClientID,
			user:       []metadata.QuotaEntityPart{{Type: QuotaEntityUser, Name: name}},
		}); err != nil {
			return err
		}
	}
	_, err = t.loadQuotaEntities(ctx, r, quotaScope{parent: znode.ConfigEntityTypePath(znode.ConfigTypeIP), entityType: QuotaEntityIP})
	return err
}

// quotaScope is one set of quota entities: the children of parent.
type quotaScope struct {
	parent     string
	entityType string
	// user is the user part of a user's client-id entities (below
	// /config/users/<user>/clients), nil otherwise.
	user []metadata.QuotaEntityPart
	// scram is set for user entities, which also hold SCRAM credentials.
	scram bool
}

// loadQuotaEntities reads the entities of one scope and returns their znode names,
// sorted.
func (t *Tree) loadQuotaEntities(ctx context.Context, r TreeReader, s quotaScope) ([]string, error) {
	names, err := children(ctx, r, s.parent)
	if err != nil {
		return nil, fmt.Errorf("load client quotas: %w", err)
	}
	slices.Sort(names)
	paths := make([]string, len(names))
	for i, name := range names {
		paths[i] = s.parent + "/" + name
	}
	nodes, err := getAll(ctx, r, paths)
	if err != nil {
		return nil, fmt.Errorf("load client quotas: %w", err)
	}
	for i, n := range nodes {
		if n.missing {
			continue
		}
		cfg, err := znode.DecodeConfig(n.data)
		if err != nil {
			return nil, decodeError(n.path, err)
		}
		name, err := quotaEntityName(s.entityType, names[i])
		if err != nil {
			return nil, fmt.Errorf("load client quotas: %s: %w", n.path, err)
		}
		if s.scram {
			if err := t.takeScramCredentials(n.path, name, cfg); err != nil {
				return nil, err
			}
		}
		entity := append(slices.Clone(s.user), metadata.QuotaEntityPart{Type: s.entityType, Name: name})
		for _, key := range slices.Sorted(maps.Keys(cfg)) {
			v, err := parseQuotaValue(cfg[key])
			if err != nil {
				return nil, fmt.Errorf("load client quotas: %s: quota %s: %w", n.path, key, err)
			}
			t.quotas = append(t.quotas, &metadata.ClientQuotaRecord{Entity: entity, Key: key, Value: v})
		}
	}
	return names, nil
}

// takeScramCredentials moves the SCRAM keys out of a user's config into
// UserScramCredentialRecords, SHA-256 before SHA-512.
func (t *Tree) takeScramCredentials(path string, user *string, cfg map[string]string) error {
	for _, m := range znode.ScramMechanisms {
		v, ok := cfg[m.Key]
		if !ok {
			continue
		}
		delete(cfg, m.Key)
		if user == nil {
			return fmt.Errorf("load SCRAM credentials: %s: the default user entity holds %s", path, m.Key)
		}
		c, err := znode.ParseScramCredential(v)
		if err != nil {
			return fmt.Errorf("load SCRAM credentials: %s: %s: %w", path, m.Key, err)
		}
		t.quotas = append(t.quotas, &metadata.UserScramCredentialRecord{
			Name: *user, Mechanism: m.Mechanism,
			Salt: c.Salt, StoredKey: c.StoredKey, ServerKey: c.ServerKey, Iterations: c.Iterations,
		})
	}
	return nil
}

// quotaEntityName converts a config znode name into a ClientQuotaRecord entity name:
// nil for <default>, desanitized for users and client ids (IPs are stored as they are).
func quotaEntityName(entityType, zkName string) (*string, error) {
	if zkName == znode.ConfigDefaultName {
		return nil, nil
	}
	name := zkName
	if entityType != QuotaEntityIP {
		var err error
		if name, err = znode.DesanitizeEntityName(zkName); err != nil {
			return nil, err
		}
	}
	return &name, nil
}

// parseQuotaValue parses a quota as java.lang.Double.valueOf does for the values
// Kafka's tools write: surrounding whitespace is ignored, as is a float-type suffix.
func parseQuotaValue(s string) (float64, error) {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && len(s) > 1 && strings.ContainsRune("fFdD", rune(s[len(s)-1])) {
		v, err = strconv.ParseFloat(s[:len(s)-1], 64)
	}
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}
