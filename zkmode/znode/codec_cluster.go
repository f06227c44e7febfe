package znode

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// /cluster/id (ZkData ClusterIdZNode): {"version":"1","id":"<22-character base64 Uuid>"}.
// Unlike every other znode, the version is a JSON string.
//
// /feature (ZkData FeatureZNode, KIP-584): the cluster's finalized features,
// {"version":2,"status":1,"features":{"<name>":{"max_version_level":n}}}. v1 (IBP
// before 3.3) also wrote "min_version_level", equal to the maximum. metadata.version
// is never in it: a ZooKeeper cluster's version is its brokers' IBP.

// EncodeClusterID returns /cluster/id's data.
func EncodeClusterID(id string) []byte {
	return newJSONWriter().string("version", "1").string("id", id).bytes()
}

// DecodeClusterID reads /cluster/id. The version must be the string "1".
func DecodeClusterID(data []byte) (string, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return "", err
	}
	version, err := obj.string("version")
	if err != nil {
		return "", err
	}
	if version != "1" {
		return "", fmt.Errorf("unsupported version %q (want \"1\")", version)
	}
	id, err := obj.string("id")
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", errors.New("field \"id\" is empty")
	}
	return id, nil
}

// FeatureZNode statuses (FeatureZNodeStatus): Enabled is written from IBP 2.7.
const (
	FeatureStatusDisabled int32 = 0
	FeatureStatusEnabled  int32 = 1
)

// FeatureZNode is the content of /feature.
type FeatureZNode struct {
	// Version is 1 or 2.
	Version int32
	// Status is FeatureStatusDisabled or FeatureStatusEnabled.
	Status int32
	// Features maps each finalized feature to its level (max_version_level, >= 1).
	Features map[string]int16
}

// EncodeFeature returns /feature's data for v1 or v2, features in name order.
func EncodeFeature(f FeatureZNode) ([]byte, error) {
	if f.Version != 1 && f.Version != 2 {
		return nil, fmt.Errorf("encode /feature: unsupported version %d (want 1 or 2)", f.Version)
	}
	features := newJSONWriter()
	for _, name := range slices.Sorted(maps.Keys(f.Features)) {
		level := newJSONWriter().int("max_version_level", int64(f.Features[name]))
		if f.Version == 1 {
			level.int("min_version_level", int64(f.Features[name]))
		}
		features.raw(name, level.bytes())
	}
	return newJSONWriter().
		int("version", int64(f.Version)).
		int("status", int64(f.Status)).
		raw("features", features.bytes()).
		bytes(), nil
}

// DecodeFeature reads /feature with FeatureZNode.decode's checks: a known status, a
// features map, max_version_level >= 1 and, in v1, 1 <= min_version_level <= max.
func DecodeFeature(data []byte) (FeatureZNode, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return FeatureZNode{}, err
	}
	var f FeatureZNode
	if f.Version, err = obj.version(1, 2); err != nil {
		return FeatureZNode{}, err
	}
	if f.Status, err = obj.int32("status"); err != nil {
		return FeatureZNode{}, err
	}
	if f.Status != FeatureStatusDisabled && f.Status != FeatureStatusEnabled {
		return FeatureZNode{}, fmt.Errorf("field \"status\": unknown status %d", f.Status)
	}
	features, err := obj.object("features")
	if err != nil {
		return FeatureZNode{}, err
	}
	for name, raw := range features {
		level, err := decodeFinalizedLevel(f.Version, raw)
		if err != nil {
			return FeatureZNode{}, fmt.Errorf("features[%q]: %w", name, err)
		}
		if f.Features == nil {
			f.Features = map[string]int16{}
		}
		f.Features[name] = level
	}
	return f, nil
}

func decodeFinalizedLevel(version int32, raw []byte) (int16, error) {
	r, err := jsonObjectValue(raw)
	if err != nil {
		return 0, err
	}
	maxLevel, err := featureLevel(r, "max_version_level")
	if err != nil {
		return 0, err
	}
	if maxLevel < 1 {
		return 0, fmt.Errorf("max_version_level %d is below 1", maxLevel)
	}
	if version == 1 {
		minLevel, err := featureLevel(r, "min_version_level")
		if err != nil {
			return 0, err
		}
		if minLevel < 1 || minLevel > maxLevel {
			return 0, fmt.Errorf("min_version_level %d is not within [1, %d]", minLevel, maxLevel)
		}
	}
	return maxLevel, nil
}
