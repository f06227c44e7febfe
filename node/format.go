package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/kraftmode"
	"github.com/kbridge/kbridge/metadata"
)

// ErrAlreadyFormatted is returned by Format for a directory that holds meta.properties,
// unless ignoreFormatted is set (kafka-storage's --ignore-formatted).
var ErrAlreadyFormatted = errors.New("already formatted")

// bootstrapCheckpointFile is Kafka's BootstrapDirectory.BINARY_BOOTSTRAP_FILENAME.
const bootstrapCheckpointFile = "bootstrap.checkpoint"

// FormatResult says what Format did to each directory.
type FormatResult struct {
	Dir     string
	Skipped bool // already formatted and ignoreFormatted was set
}

// Format prepares a KRaft node's directories the way kafka-storage format does:
// meta.properties v1 (cluster id, node id, a fresh directory id) in every log dir and
// the metadata log dir, and bootstrap.checkpoint with the metadata.version feature and
// the bootstrap records (SCRAM credentials of --add-scram) in the metadata log dir.
func Format(cfg *config.Config, clusterID string, ignoreFormatted bool, bootstrap ...metadata.Record) ([]FormatResult, error) {
	if cfg.Mode() != config.ModeKRaft {
		return nil, fmt.Errorf("%s: formatting is only supported for clusters in KRaft mode (process.roles is not set)", cfg.Source)
	}
	if _, err := metadata.ParseUuid(clusterID); err != nil {
		return nil, fmt.Errorf("cluster id %q is not a valid 22-character base64 uuid: %w", clusterID, err)
	}
	var results []FormatResult
	for _, dir := range DataDirs(cfg) {
		_, err := config.ReadMetaProperties(dir)
		switch {
		case err == nil && ignoreFormatted:
			results = append(results, FormatResult{Dir: dir, Skipped: true})
			continue
		case err == nil:
			return results, fmt.Errorf("log directory %s is %w; use --ignore-formatted to skip it", dir, ErrAlreadyFormatted)
		case !errors.Is(err, fs.ErrNotExist):
			return results, fmt.Errorf("read %s/meta.properties: %w", dir, err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return results, fmt.Errorf("create log directory %s: %w", dir, err)
		}
		if filepath.Clean(dir) == filepath.Clean(cfg.MetadataLogDir) {
			path := filepath.Join(dir, bootstrapCheckpointFile)
			if err := kraftmode.WriteBootstrapCheckpoint(path, metadata.MetadataVersionLatest, bootstrap...); err != nil {
				return results, fmt.Errorf("write %s: %w", path, err)
			}
		}
		mp := &config.MetaProperties{
			Version:     1,
			ClusterID:   clusterID,
			NodeID:      cfg.NodeID,
			DirectoryID: metadata.RandomUuid().String(),
		}
		if err := config.WriteMetaProperties(dir, mp); err != nil {
			return results, fmt.Errorf("write %s/meta.properties: %w", dir, err)
		}
		results = append(results, FormatResult{Dir: dir})
	}
	return results, nil
}

// IsFormatted reports whether every data directory of cfg holds meta.properties.
func IsFormatted(cfg *config.Config) bool {
	for _, dir := range DataDirs(cfg) {
		if _, err := config.ReadMetaProperties(dir); err != nil {
			return false
		}
	}
	return true
}
