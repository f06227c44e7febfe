package kraftmode

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
	"github.com/kbridge/kbridge/metadata"
)

// ControllerRegistration: v0 (KIP-919)
//
// Behavior:
// * Every controller registers with the active one (RegisterControllerRecord): its
//   incarnation, listeners, supported features and ZkMigrationReady, which is its
//   zookeeper.metadata.migration.enable. The active controller writes its own at
//   activation. A migration commits only once every voter is registered and ready
//   (migrate's preflight, Kafka's isControllerQuorumReadyForMigration), so that no
//   voter that could not keep ZooKeeper in step can lead after the copy.
// * Answered by the active controller only (NOT_CONTROLLER otherwise); UNSUPPORTED_VERSION
//   below metadata.version 3.7-IV0, which has no controller registrations.

func init() { serve(70, 0, 0, handleControllerRegistration) }

func handleControllerRegistration(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.ControllerRegistrationRequest)
	resp := req.ResponseKind().(*kmsg.ControllerRegistrationResponse)
	rec := &metadata.RegisterControllerRecord{
		ControllerID:     req.ControllerID,
		IncarnationID:    metadata.Uuid(req.IncarnationID),
		ZkMigrationReady: req.ZkMigrationReady,
	}
	for _, l := range req.Listeners {
		rec.EndPoints = append(rec.EndPoints, metadata.Endpoint{Name: l.Name, Host: l.Host, Port: l.Port, SecurityProtocol: l.SecurityProtocol})
	}
	for _, f := range req.Features {
		rec.Features = append(rec.Features, metadata.FeatureRange{Name: f.Name, MinVersion: f.MinSupportedVersion, MaxVersion: f.MaxSupportedVersion})
	}
	if err := s.c.RegisterController(ctx, rec); err != nil {
		resp.ErrorCode = errorCode(err)
		msg := err.Error()
		resp.ErrorMessage = &msg
	}
	return resp, nil
}

// RegisterController writes a controller's registration on the active controller,
// unless the log already holds the same one.
func (c *Controller) RegisterController(_ context.Context, rec *metadata.RegisterControllerRecord) error {
	if err := c.lockWriter(); err != nil {
		return err
	}
	defer c.writeMu.Unlock()
	if c.activeTerm() == nil {
		return c.notController()
	}
	img := c.Image()
	if img.MetadataVersion() < metadata.MetadataVersion3_7IV0 {
		return kafkaErr(kerr.UnsupportedVersion, "metadata.version %d has no controller registrations (they need 3.7-IV0)", img.MetadataVersion())
	}
	if !slices.ContainsFunc(c.opts.Voters, func(v Voter) bool { return v.ID == rec.ControllerID }) {
		return kafkaErr(kerr.InvalidRequest, "node %d is not a voter of this quorum", rec.ControllerID)
	}
	if registered(img, rec) {
		return nil
	}
	if _, err := c.appendLocked([]metadata.Record{rec}); err != nil {
		return fmt.Errorf("register controller %d: %w", rec.ControllerID, err)
	}
	c.log.Info("registered controller", "controller.id", rec.ControllerID, "incarnation", rec.IncarnationID, "zk_migration_ready", rec.ZkMigrationReady)
	return nil
}

// registered tells whether the image holds rec's registration as it is.
func registered(img *metadata.Image, rec *metadata.RegisterControllerRecord) bool {
	cur, ok := img.Controllers[rec.ControllerID]
	return ok && cur.IncarnationID == rec.IncarnationID && cur.ZkMigrationReady == rec.ZkMigrationReady
}

// controllerRegistrationInterval is how often a controller that is not the active one
// checks that the log holds its registration.
const controllerRegistrationInterval = time.Second

// registerWithActive is Kafka's ControllerRegistrationManager: while this controller is
// not the active one and the log does not hold its current registration, it sends
// ControllerRegistration to the active controller, once a second until it does.
func (c *Controller) registerWithActive() {
	defer c.wg.Done()
	ch := kwire.NewControllerChannel(Peers(c.opts.Voters), fmt.Sprintf("controller-%d-registration", c.opts.NodeID), c.LeaderID, c.peerSecurity)
	defer ch.Close()
	t := time.NewTicker(controllerRegistrationInterval)
	defer t.Stop()
	rec := c.controllerRegistration()
	for {
		select {
		case <-c.shutdown:
			return
		case <-t.C:
		}
		img := c.Image()
		if c.activeTerm() != nil || c.LeaderID() < 0 || img.MetadataVersion() < metadata.MetadataVersion3_7IV0 || registered(img, rec) {
			continue
		}
		req := kmsg.NewPtrControllerRegistrationRequest()
		req.ControllerID, req.IncarnationID, req.ZkMigrationReady = rec.ControllerID, rec.IncarnationID, rec.ZkMigrationReady
		for _, e := range rec.EndPoints {
			l := kmsg.NewControllerRegistrationRequestListener()
			l.Name, l.Host, l.Port, l.SecurityProtocol = e.Name, e.Host, e.Port, e.SecurityProtocol
			req.Listeners = append(req.Listeners, l)
		}
		for _, f := range rec.Features {
			kf := kmsg.NewControllerRegistrationRequestFeature()
			kf.Name, kf.MinSupportedVersion, kf.MaxSupportedVersion = f.Name, f.MinVersion, f.MaxVersion
			req.Features = append(req.Features, kf)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		kresp, err := ch.Request(ctx, req)
		cancel()
		if err != nil {
			c.log.Debug("controller registration not sent yet", "err", err)
			continue
		}
		if err := kerr.ErrorForCode(kresp.(*kmsg.ControllerRegistrationResponse).ErrorCode); err != nil {
			c.log.Warn("the active controller refused this controller's registration", "err", err)
		}
	}
}
