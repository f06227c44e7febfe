package kraftmode

import (
	"fmt"

	"github.com/kbridge/kbridge/metadata"
)

// CredentialImage is the image a SASL controller listener looks SCRAM credentials up
// in: the committed image once the metadata log has been bootstrapped. Before that a
// new quorum has no leader yet to write bootstrap.checkpoint's records, and electing
// one needs the voters' Raft connections to authenticate, so until then it is the
// image bootstrap.checkpoint alone makes: voters formatted with the same `storage
// format --add-scram` credential can authenticate each other from their first start.
func (c *Controller) CredentialImage() *metadata.Image {
	if img := c.Image(); img.MetadataVersion() > 0 {
		return img
	}
	return c.bootstrapImage
}

// loadBootstrapImage applies bootstrap.checkpoint's records (or the default
// metadata.version without one) to an empty image, for CredentialImage.
func (c *Controller) loadBootstrapImage() error {
	recs, _, err := c.bootstrapRecords()
	if err != nil {
		return err
	}
	img := metadata.NewImage()
	for _, r := range recs {
		if err := img.Apply(r); err != nil {
			return fmt.Errorf("apply bootstrap checkpoint record %T: %w", r, err)
		}
	}
	c.bootstrapImage = img
	return nil
}
