package kraftmode

import (
	"context"
	"errors"

	"github.com/kbridge/kbridge/metadata"
)

var errPending = errors.New("not implemented yet")

// AlterPartition is being written (issue 4).
func (c *Controller) AlterPartition(context.Context, int32, int64, []metadata.ISRChange) ([]metadata.ISRChangeResult, error) {
	return nil, errPending
}

// ElectLeaders is being written (issue 4).
func (c *Controller) ElectLeaders(context.Context, bool, map[string][]int32) ([]metadata.ElectionResult, error) {
	return nil, errPending
}

// ControlledShutdown is being written (issue 4).
func (c *Controller) ControlledShutdown(context.Context, int32, int64) error { return errPending }
