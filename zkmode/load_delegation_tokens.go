package zkmode

import (
	"context"
	"fmt"
	"slices"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// loadDelegationTokens reads /delegation_token/tokens as Kafka's migration copies it
// (ZkMigrationClient.migrateDelegationTokens, KIP-866): one DelegationTokenRecord per
// token znode, in token id order where Kafka's is ZooKeeper's listing order. A znode
// with no data holds no token (DelegationTokenManagerZk.fromBytes) and is skipped, as
// Kafka skips it. A znode whose data names another token id is an error: dual-write
// writes each token to the znode its id names, so such a znode could never be
// updated or removed.
func (t *Tree) loadDelegationTokens(ctx context.Context, r TreeReader) error {
	ids, err := children(ctx, r, znode.DelegationTokensPath)
	if err != nil {
		return fmt.Errorf("load delegation tokens: %w", err)
	}
	slices.Sort(ids)
	paths := make([]string, len(ids))
	for i, id := range ids {
		paths[i] = znode.DelegationTokenInfoPath(id)
	}
	nodes, err := getAll(ctx, r, paths)
	if err != nil {
		return fmt.Errorf("load delegation tokens: %w", err)
	}
	for i, n := range nodes {
		if n.missing || len(n.data) == 0 {
			continue
		}
		tok, err := znode.DecodeDelegationToken(n.data)
		if err != nil {
			return decodeError(n.path, err)
		}
		if tok.TokenID != ids[i] {
			return decodeError(n.path, fmt.Errorf("the znode holds delegation token %q", tok.TokenID))
		}
		t.tokens = append(t.tokens, tok)
	}
	return nil
}
