package kraftmode

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// BrokerRegistration: v0-3, BrokerHeartbeat: v0-1, UnregisterBroker: v0
//
// Behavior:
// * A registration from another cluster gets INCONSISTENT_CLUSTER_ID.
// * Every call is answered by the active controller only; others say NOT_CONTROLLER,
//   and the broker tries the next voter.
// Version notes:
// * BrokerRegistration v1: IsMigratingZkBroker; v2: LogDirs; v3: PreviousBrokerEpoch
// * BrokerHeartbeat v1: OfflineLogDirs (ignored: one log dir failing is not modelled)

func init() {
	serve(62, 0, 3, handleBrokerRegistration)
	serve(63, 0, 1, handleBrokerHeartbeat)
	serve(64, 0, 0, handleUnregisterBroker)
}

func handleBrokerRegistration(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.BrokerRegistrationRequest)
	resp := req.ResponseKind().(*kmsg.BrokerRegistrationResponse)
	resp.BrokerEpoch = -1
	if req.ClusterID != s.c.opts.ClusterID {
		resp.ErrorCode = kerr.InconsistentClusterID.Code
		s.log.Warn("registration from another cluster refused", "broker.id", req.BrokerID, "cluster.id", req.ClusterID)
		return resp, nil
	}
	reg := metadata.BrokerRegistration{
		BrokerID:            req.BrokerID,
		IncarnationID:       metadata.Uuid(req.IncarnationID),
		IsMigratingZkBroker: req.IsMigratingZkBroker,
	}
	if req.Rack != nil {
		reg.Rack = *req.Rack
	}
	for _, l := range req.Listeners {
		reg.Endpoints = append(reg.Endpoints, metadata.Endpoint{Name: l.Name, Host: l.Host, Port: l.Port, SecurityProtocol: l.SecurityProtocol})
	}
	for _, f := range req.Features {
		reg.Features = append(reg.Features, metadata.FeatureRange{Name: f.Name, MinVersion: f.MinSupportedVersion, MaxVersion: f.MaxSupportedVersion})
	}
	for _, d := range req.LogDirs {
		reg.LogDirs = append(reg.LogDirs, metadata.Uuid(d))
	}
	epoch, err := s.c.RegisterBroker(ctx, reg)
	if err != nil {
		resp.ErrorCode = errorCode(err)
		return resp, nil
	}
	resp.BrokerEpoch = epoch
	return resp, nil
}

func handleBrokerHeartbeat(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.BrokerHeartbeatRequest)
	resp := req.ResponseKind().(*kmsg.BrokerHeartbeatResponse)
	reply, err := s.c.Heartbeat(ctx, BrokerHeartbeat{
		BrokerID:              req.BrokerID,
		BrokerEpoch:           req.BrokerEpoch,
		CurrentMetadataOffset: req.CurrentMetadataOffset,
		WantFence:             req.WantFence,
		WantShutdown:          req.WantShutdown,
	})
	if err != nil {
		resp.ErrorCode = errorCode(err)
		resp.IsFenced = true
		return resp, nil
	}
	resp.IsCaughtUp, resp.IsFenced, resp.ShouldShutdown = reply.IsCaughtUp, reply.IsFenced, reply.ShouldShutdown
	return resp, nil
}

func handleUnregisterBroker(ctx context.Context, s *ControllerServer, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.UnregisterBrokerRequest)
	resp := req.ResponseKind().(*kmsg.UnregisterBrokerResponse)
	err := s.c.UnregisterBroker(ctx, req.BrokerID)
	resp.ErrorCode, resp.ErrorMessage = errorCode(err), errorMessage(err)
	return resp, nil
}
