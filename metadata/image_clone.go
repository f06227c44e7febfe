package metadata

import (
	"maps"
	"slices"
)

// NewImage returns an empty image at no log position.
func NewImage() *Image {
	return &Image{
		Offset:           -1,
		Epoch:            -1,
		Features:         map[string]int16{},
		Brokers:          map[int32]*Broker{},
		Controllers:      map[int32]*Controller{},
		Topics:           map[string]*Topic{},
		TopicsByID:       map[Uuid]*Topic{},
		Configs:          map[ConfigResource]map[string]string{},
		ACLs:             map[Uuid]*AccessControlEntryRecord{},
		Scram:            map[ScramKey]*UserScramCredentialRecord{},
		Quotas:           map[string]*QuotaEntity{},
		DelegationTokens: map[string]*DelegationTokenRecord{},
	}
}

// Clone returns an image that Apply may change without changing img, so img can stay
// published while the next image is built.
//
// Copy-on-write: every map of the image and every Topic (with its Partitions map) is
// copied, because Apply edits those in place; Partition, Broker, Controller, config
// maps, quota entities and security records are shared, because Apply replaces them
// instead of editing them. Nobody may edit a shared value through a published image.
func (img *Image) Clone() *Image {
	c := *img
	c.Features = maps.Clone(img.Features)
	c.Brokers = maps.Clone(img.Brokers)
	c.Controllers = maps.Clone(img.Controllers)
	c.Topics = make(map[string]*Topic, len(img.Topics))
	c.TopicsByID = make(map[Uuid]*Topic, len(img.TopicsByID))
	for name, t := range img.Topics {
		nt := &Topic{Name: t.Name, ID: t.ID, Partitions: maps.Clone(t.Partitions)}
		c.Topics[name] = nt
		if nt.ID != (Uuid{}) {
			// A topic a ZooKeeper cluster created before KIP-516 has no id yet; it is
			// found by name only, and two such topics must not collide here.
			c.TopicsByID[nt.ID] = nt
		}
	}
	c.Configs = maps.Clone(img.Configs)
	c.ACLs = maps.Clone(img.ACLs)
	c.Scram = maps.Clone(img.Scram)
	c.Quotas = maps.Clone(img.Quotas)
	c.DelegationTokens = maps.Clone(img.DelegationTokens)
	c.pending = slices.Clone(img.pending)
	return &c
}
