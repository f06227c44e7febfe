package broker

import (
	"context"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// AlterConfigs: v0-2
//
// Behavior:
// * Authorization: AlterConfigs on the topic (TOPIC_AUTHORIZATION_FAILED) or on the
//   cluster for a broker (CLUSTER_AUTHORIZATION_FAILED).
// * A broker's keystore and truststore keys are checked by loading the new stores and
//   re-read once stored (listener_tls_reload.go).
// * Replaces the whole dynamic config set of a topic or broker resource (keys not named
//   are removed), as Kafka's legacy AlterConfigs does.
// Version notes:
// * v2: flexible

func init() { regKey(33, 0, 2, handleAlterConfigs) }

func handleAlterConfigs(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.AlterConfigsRequest)
	resp := req.ResponseKind().(*kmsg.AlterConfigsResponse)
	ctx, cancel := requestContext(0)
	defer cancel()
	for _, rr := range req.Resources {
		changes := make([]metadata.ConfigChange, 0, len(rr.Configs))
		for _, c := range rr.Configs {
			changes = append(changes, metadata.ConfigChange{Name: c.Name, Op: metadata.ConfigOpSet, Value: c.Value})
		}
		sr := kmsg.NewAlterConfigsResponseResource()
		sr.ResourceType = rr.ResourceType
		sr.ResourceName = rr.ResourceName
		sr.ErrorCode, sr.ErrorMessage = b.alterConfigs(ctx, c, rr.ResourceType, rr.ResourceName, changes, false, req.ValidateOnly)
		resp.Resources = append(resp.Resources, sr)
	}
	return resp, nil
}

// alterConfigs hands one resource's changes to the metadata source and returns the
// error code and message for the response.
func (b *Broker) alterConfigs(ctx context.Context, c *clientConn, typ kmsg.ConfigResourceType, name string, changes []metadata.ConfigChange, incremental, validateOnly bool) (int16, *string) {
	res := metadata.ConfigResource{Type: int8(typ), Name: name}
	var reload func()
	err := c.authorizeConfigResource(b.Image(), metadata.ACLOperationAlterConfigs, int8(typ), name)
	if err == nil && res.Type == metadata.ConfigResourceBroker {
		reload, err = b.prepareTLSReload(res, changes, incremental)
	}
	if err == nil {
		err = b.Source().AlterConfigs(ctx, res, changes, incremental, validateOnly)
	}
	if err != nil {
		msg := err.Error()
		return errorCode(err), &msg
	}
	if reload != nil && !validateOnly {
		reload()
	}
	return 0, nil
}
