package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// IncrementalAlterConfigs: v0-1
//
// Behavior:
// * A broker's keystore and truststore keys are checked by loading the new stores and
//   re-read once stored (listener_tls_reload.go).
// * Authorization: AlterConfigs on the topic (TOPIC_AUTHORIZATION_FAILED) or on the
//   cluster for a broker (CLUSTER_AUTHORIZATION_FAILED).
// * SET, DELETE, APPEND and SUBTRACT on topic and broker resources; keys not named keep
//   their values.
// Version notes:
// * v1: flexible

func init() { regKey(44, 0, 1, handleIncrementalAlterConfigs) }

func handleIncrementalAlterConfigs(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.IncrementalAlterConfigsRequest)
	resp := req.ResponseKind().(*kmsg.IncrementalAlterConfigsResponse)
	ctx, cancel := requestContext(0)
	defer cancel()
	for _, rr := range req.Resources {
		changes := make([]metadata.ConfigChange, 0, len(rr.Configs))
		for _, c := range rr.Configs {
			changes = append(changes, metadata.ConfigChange{Name: c.Name, Op: metadata.ConfigOp(c.Op), Value: c.Value})
		}
		sr := kmsg.NewIncrementalAlterConfigsResponseResource()
		sr.ResourceType = rr.ResourceType
		sr.ResourceName = rr.ResourceName
		sr.ErrorCode, sr.ErrorMessage = b.alterConfigs(ctx, c, rr.ResourceType, rr.ResourceName, changes, true, req.ValidateOnly)
		resp.Resources = append(resp.Resources, sr)
	}
	return resp, nil
}
