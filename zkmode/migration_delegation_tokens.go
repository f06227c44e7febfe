package zkmode

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// Kafka's dual-write operation types for delegation tokens (KRaftMigrationZkWriter).
const (
	opUpdateDelegationToken = "UpdateDelegationToken"
	opDeleteDelegationToken = "DeleteDelegationToken"
)

// planDelegationTokens plans UpdateDelegationToken for every token next has that
// differs from prev's, and DeleteDelegationToken for every token next no longer has
// (ZkDelegationTokenMigrationClient, KIP-866 and KIP-900): the token's znode is
// created or set, or removed. Like Kafka's migration, and unlike a ZooKeeper broker
// that creates or expires a token, it writes no token_change_ notification: ZooKeeper
// brokers read every token znode when they start, which is when they come back after
// a rollback.
func (p *changePlanner) planDelegationTokens() error {
	ids := slices.Collect(maps.Keys(p.prev.DelegationTokens))
	for id := range p.next.DelegationTokens {
		if _, ok := p.prev.DelegationTokens[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		prev, next := p.prev.DelegationTokens[id], p.next.DelegationTokens[id]
		if sameDelegationToken(prev, next) {
			continue
		}
		// A znode name cannot be empty, hold '/', or be "." or "..".
		if id == "" || id == "." || id == ".." || strings.Contains(id, "/") {
			return fmt.Errorf("delegation token %q: no znode can hold it", id)
		}
		path := znode.DelegationTokenInfoPath(id)
		if next == nil {
			op := newOp(opDeleteDelegationToken, id)
			op.remove(path)
			p.add(op)
			continue
		}
		data, err := znode.EncodeDelegationToken(next)
		if err != nil {
			return fmt.Errorf("delegation token %q: %w", id, err)
		}
		op := newOp(opUpdateDelegationToken, id)
		op.upsert(path, data)
		p.add(op)
	}
	return nil
}

// sameDelegationToken tells whether two images hold the same token (both nil: no
// token), no renewers and an empty list alike.
func sameDelegationToken(a, b *metadata.DelegationTokenRecord) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Owner == b.Owner && a.Requester == b.Requester && slices.Equal(a.Renewers, b.Renewers) &&
		a.IssueTimestamp == b.IssueTimestamp && a.MaxTimestamp == b.MaxTimestamp &&
		a.ExpirationTimestamp == b.ExpirationTimestamp && a.TokenID == b.TokenID
}
