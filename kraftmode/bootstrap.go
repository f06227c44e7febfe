package kraftmode

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kbridge/kbridge/metadata"
)

// BootstrapCheckpointName is the file `storage format` writes beside meta.properties
// (Kafka's BootstrapDirectory.BINARY_BOOTSTRAP_FILENAME).
const BootstrapCheckpointName = "bootstrap.checkpoint"

// WriteBootstrapCheckpoint writes Kafka's bootstrap.checkpoint: a snapshot-format file
// whose records (the metadata.version FeatureLevelRecord, then extra: the SCRAM
// credentials of `storage format --add-scram`) the first active controller writes into
// an empty metadata log. The file is written to a temporary name and renamed, so a
// crash never leaves a torn checkpoint.
func WriteBootstrapCheckpoint(path string, metadataVersion int16, extra ...metadata.Record) error {
	var buf bytes.Buffer
	recs := append([]metadata.Record{&metadata.FeatureLevelRecord{
		Name:         metadata.FeatureMetadataVersion,
		FeatureLevel: metadataVersion,
	}}, extra...)
	if err := writeSnapshot(&buf, 0, 0, recs); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, filepath.Base(path), err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s for sync: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// errNoMetadataVersion is returned when a bootstrap checkpoint lacks metadata.version,
// which Kafka requires of every bootstrap.
var errNoMetadataVersion = errors.New("no metadata.version FeatureLevelRecord")

// ReadBootstrapCheckpoint returns the metadata.version level in a bootstrap.checkpoint.
// A missing file is reported with an error satisfying errors.Is(err, fs.ErrNotExist), in
// which case Kafka falls back to the latest production metadata.version.
func ReadBootstrapCheckpoint(path string) (int16, error) {
	_, mv, err := readBootstrapRecords(path)
	return mv, err
}

// readBootstrapRecords returns every metadata record of a bootstrap.checkpoint (the
// features, and SCRAM credentials from `--add-scram`) and its metadata.version level;
// the first active controller writes all of them into the empty log.
func readBootstrapRecords(path string) ([]metadata.Record, int16, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read bootstrap checkpoint: %w", err)
	}
	batches, err := metadata.DecodeBatches(b)
	if err != nil {
		return nil, 0, fmt.Errorf("decode bootstrap checkpoint %s: %w", path, err)
	}
	var recs []metadata.Record
	mv, found := int16(0), false
	for _, batch := range batches {
		if batch.Control {
			continue
		}
		for _, r := range batch.Records {
			if fl, ok := r.(*metadata.FeatureLevelRecord); ok && fl.Name == metadata.FeatureMetadataVersion {
				mv, found = fl.FeatureLevel, true
			}
			recs = append(recs, r)
		}
	}
	if !found {
		return nil, 0, fmt.Errorf("read bootstrap checkpoint %s: %w", path, errNoMetadataVersion)
	}
	return recs, mv, nil
}
