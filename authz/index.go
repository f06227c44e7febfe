package authz

import (
	"strings"

	"github.com/kbridge/kbridge/metadata"
)

// imageIndex groups one image's ACLs for lookups: literal ACLs by resource type and
// name (the wildcard "*" among them), prefixed ones by resource type.
type imageIndex struct {
	img      *metadata.Image
	byType   map[int8][]*metadata.AccessControlEntryRecord
	literal  map[int8]map[string][]*metadata.AccessControlEntryRecord
	prefixed map[int8][]*metadata.AccessControlEntryRecord
}

// indexOf returns img's index, building it once per image: images are immutable, and
// every request of a connection checks against the newest one.
func (a *Authorizer) indexOf(img *metadata.Image) *imageIndex {
	if idx := a.index.Load(); idx != nil && idx.img == img {
		return idx
	}
	idx := newImageIndex(img)
	a.index.Store(idx)
	return idx
}

func newImageIndex(img *metadata.Image) *imageIndex {
	idx := &imageIndex{
		img:      img,
		byType:   map[int8][]*metadata.AccessControlEntryRecord{},
		literal:  map[int8]map[string][]*metadata.AccessControlEntryRecord{},
		prefixed: map[int8][]*metadata.AccessControlEntryRecord{},
	}
	if img == nil {
		return idx
	}
	for _, acl := range img.ACLs {
		idx.byType[acl.ResourceType] = append(idx.byType[acl.ResourceType], acl)
		switch acl.PatternType {
		case metadata.ACLPatternLiteral:
			names := idx.literal[acl.ResourceType]
			if names == nil {
				names = map[string][]*metadata.AccessControlEntryRecord{}
				idx.literal[acl.ResourceType] = names
			}
			names[acl.ResourceName] = append(names[acl.ResourceName], acl)
		case metadata.ACLPatternPrefixed:
			idx.prefixed[acl.ResourceType] = append(idx.prefixed[acl.ResourceType], acl)
		}
	}
	return idx
}

// eachApplying calls visit with every ACL that applies to the resource rt/name — its
// literal ACLs, the literal wildcard's, and every prefixed ACL whose prefix starts the
// name — until visit returns false.
func (idx *imageIndex) eachApplying(rt int8, name string, visit func(*metadata.AccessControlEntryRecord) bool) {
	for _, acl := range idx.literal[rt][name] {
		if !visit(acl) {
			return
		}
	}
	if name != metadata.ACLWildcard {
		for _, acl := range idx.literal[rt][metadata.ACLWildcard] {
			if !visit(acl) {
				return
			}
		}
	}
	for _, acl := range idx.prefixed[rt] {
		if strings.HasPrefix(name, acl.ResourceName) && !visit(acl) {
			return
		}
	}
}
