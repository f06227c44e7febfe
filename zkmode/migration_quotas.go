package zkmode

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// planClientQuotas plans UpdateClientQuota for every client-quota entity znode whose
// content differs (ZkConfigMigrationClient.writeClientQuotas): /config/users/<user>
// holds the user's quotas and SCRAM credentials, /config/users/<user>/clients/<id>,
// /config/clients/<id> and /config/ips/<ip> their quotas. An entity left with nothing
// keeps its znode, emptied, as Kafka leaves it (a user's znode is also the parent of
// its client-id entities). Each write is announced with a config_change_ notification.
func (p *changePlanner) planClientQuotas() error {
	prev, err := quotaZNodes(p.prev)
	if err != nil {
		return fmt.Errorf("client quotas of the previous image: %w", err)
	}
	next, err := quotaZNodes(p.next)
	if err != nil {
		return fmt.Errorf("client quotas: %w", err)
	}
	entities := slices.Collect(maps.Keys(prev))
	for e := range next {
		if _, ok := prev[e]; !ok {
			entities = append(entities, e)
		}
	}
	slices.Sort(entities)
	for _, e := range entities {
		if maps.Equal(prev[e], next[e]) {
			continue
		}
		p.add(clientQuotaOp(e, next[e]))
	}
	return nil
}

// clientQuotaOp is the operation that leaves a client-quota entity znode (its path
// below /config, "users/alice") holding cfg, announced with a config_change_
// notification: what the dual-write plans for each changed entity, and what a
// ZooKeeper-mode broker's AlterScramCredentials writes for a user.
func clientQuotaOp(entity string, cfg map[string]string) *migrationOp {
	op := newOp(opUpdateClientQuota, entity)
	op.upsert(znode.ConfigPath+"/"+entity, znode.EncodeConfig(cfg))
	op.notifyConfigChange(entity)
	return op
}

// userEntity is a user's client-quota entity, the znode below /config that holds its
// quotas and SCRAM credentials.
func userEntity(user string) string {
	return znode.ConfigTypeUser + "/" + znode.SanitizeEntityName(user)
}

// quotaZNodes returns the config each client-quota entity znode of img holds, by its
// path below /config ("users/alice", "users/alice/clients/app", "ips/10.0.0.1"): the
// inverse of LoadTree's loadClientQuotas.
func quotaZNodes(img *metadata.Image) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	set := func(entity, key, value string) {
		if out[entity] == nil {
			out[entity] = map[string]string{}
		}
		out[entity][key] = value
	}
	for _, q := range img.Quotas {
		entity, err := quotaEntityPath(q.Entity)
		if err != nil {
			return nil, err
		}
		for key, v := range q.Values {
			s, err := formatQuotaValue(key, v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", entity, err)
			}
			set(entity, key, s)
		}
	}
	for k, c := range img.Scram {
		key, ok := scramKey(k.Mechanism)
		if !ok {
			return nil, fmt.Errorf("SCRAM credential of %q: unknown mechanism %d", k.Name, k.Mechanism)
		}
		if k.Name == "" {
			return nil, fmt.Errorf("SCRAM credential of the empty user name: no znode can hold it")
		}
		set(userEntity(k.Name), key, formatScram(c))
	}
	return out, nil
}

// formatScram is a credential as a user's config znode holds it.
func formatScram(c *metadata.UserScramCredentialRecord) string {
	return znode.FormatScramCredential(znode.ScramCredential{Salt: c.Salt, StoredKey: c.StoredKey, ServerKey: c.ServerKey, Iterations: c.Iterations})
}

// quotaEntityPath is the path below /config of a client-quota entity's znode: user
// and client-id names sanitized, IPs as they are, the default entity <default>.
func quotaEntityPath(parts []metadata.QuotaEntityPart) (string, error) {
	names := map[string]*string{}
	for _, part := range parts {
		names[part.Type] = part.Name
	}
	user, hasUser := names[QuotaEntityUser]
	client, hasClient := names[QuotaEntityClientID]
	ip, hasIP := names[QuotaEntityIP]
	var segments []string
	switch {
	case len(names) != len(parts):
		// A type named twice: no znode holds such an entity.
	case len(parts) == 1 && hasUser:
		segments = []string{znode.ConfigTypeUser, quotaZkName(user, true)}
	case len(parts) == 2 && hasUser && hasClient:
		segments = []string{znode.ConfigTypeUser, quotaZkName(user, true), znode.ConfigTypeClient, quotaZkName(client, true)}
	case len(parts) == 1 && hasClient:
		segments = []string{znode.ConfigTypeClient, quotaZkName(client, true)}
	case len(parts) == 1 && hasIP:
		segments = []string{znode.ConfigTypeIP, quotaZkName(ip, false)}
	}
	// An empty name cannot be a znode name.
	if len(segments) == 0 || slices.Contains(segments, "") {
		return "", fmt.Errorf("client-quota entity %s has no znode in ZooKeeper mode", describeQuotaEntity(parts))
	}
	return strings.Join(segments, "/"), nil
}

// scramKey is the config key of a SCRAM mechanism in a user's znode.
func scramKey(mechanism int8) (string, bool) {
	for _, m := range znode.ScramMechanisms {
		if m.Mechanism == mechanism {
			return m.Key, true
		}
	}
	return "", false
}

// quotaZkName is an entity name as a znode name: <default> for the default entity,
// sanitized for users and client ids.
func quotaZkName(name *string, sanitize bool) string {
	switch {
	case name == nil:
		return znode.ConfigDefaultName
	case sanitize:
		return znode.SanitizeEntityName(*name)
	default:
		return *name
	}
}

// describeQuotaEntity names an entity for an error, "user=alice,client-id=<default>".
func describeQuotaEntity(parts []metadata.QuotaEntityPart) string {
	s := make([]string, len(parts))
	for i, part := range parts {
		s[i] = part.Type + "=" + quotaZkName(part.Name, false)
	}
	return strings.Join(s, ",")
}

// integerQuotaKeys are the quotas Kafka's DynamicConfig types as LONG (the byte rates)
// or INT (the IP connection rate): ZooKeeper brokers parse them as integers, so
// "1048576.0" would not load. The others are DOUBLE.
var integerQuotaKeys = map[string]bool{
	"producer_byte_rate":       true,
	"consumer_byte_rate":       true,
	"connection_creation_rate": true,
}

// formatQuotaValue writes a quota as ZkConfigMigrationClient.writeClientQuotas does:
// an integer quota within 1e-6 of a whole number as that number, anything else as
// Java's Double.toString.
func formatQuotaValue(key string, v float64) (string, error) {
	const epsilon = 1e-6
	if !integerQuotaKeys[key] {
		return javaDouble(v), nil
	}
	n := math.Trunc(v + epsilon)
	if math.Abs(n-v) > epsilon || math.IsInf(v, 0) || math.IsNaN(v) {
		return "", fmt.Errorf("quota %s = %v is not a whole number", key, v)
	}
	return strconv.FormatInt(int64(n), 10), nil
}

// javaDouble formats v as Java's Double.toString: plain decimal with at least one
// fraction digit in [1e-3, 1e7), otherwise computerized scientific notation
// ("1.0E7", "2.5E-4").
func javaDouble(v float64) string {
	switch abs := math.Abs(v); {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	case abs == 0 || abs >= 1e-3 && abs < 1e7:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mantissa, exp, _ := strings.Cut(strconv.FormatFloat(v, 'E', -1, 64), "E")
	if !strings.Contains(mantissa, ".") {
		mantissa += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mantissa + "E" + strconv.Itoa(e)
}
