package kraftmode

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// AlterScramCredentials stores and deletes SCRAM credentials as Kafka's
// ScramControlManager does: each change is validated alone (ScramChange.Validate), a
// credential becomes a UserScramCredentialRecord, and a deletion a
// RemoveUserScramCredentialRecord, or RESOURCE_NOT_FOUND when the image (as the
// request's earlier changes leave it) holds no such credential. The records of one
// request are one batch; a failed append fails every change that was to be written.
func (c *Controller) AlterScramCredentials(_ context.Context, changes []metadata.ScramChange) []error {
	errs := make([]error, len(changes))
	if err := c.lockGatedWriter(); err != nil {
		fillErrs(errs, err)
		return errs
	}
	defer c.writeMu.Unlock()

	img := c.Image()
	// stored overrides the image for the credentials earlier changes touch.
	stored := map[metadata.ScramKey]bool{}
	exists := func(k metadata.ScramKey) bool {
		if s, ok := stored[k]; ok {
			return s
		}
		return img.Scram[k] != nil
	}
	var recs []metadata.Record
	var written []int
	for i, ch := range changes {
		if err := ch.Validate(); err != nil {
			errs[i] = err
			continue
		}
		key := metadata.ScramKey{Name: ch.Name, Mechanism: ch.Mechanism}
		if ch.Credential == nil {
			if !exists(key) {
				errs[i] = metadata.Errorf(kerr.ResourceNotFound, "Attempt to delete a user credential that does not exist")
				continue
			}
			recs = append(recs, &metadata.RemoveUserScramCredentialRecord{Name: ch.Name, Mechanism: ch.Mechanism})
		} else {
			recs = append(recs, ch.Record())
		}
		stored[key] = ch.Credential != nil
		written = append(written, i)
	}
	if _, err := c.appendLocked(recs); err != nil {
		for _, i := range written {
			errs[i] = err
		}
	}
	return errs
}
