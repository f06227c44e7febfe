package broker

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// ApiVersions: v0-4
//
// Behavior:
// * The list is built from the registered handlers, so it is honest by construction.
// * KIP-511: a version newer than we know is answered with UNSUPPORTED_VERSION and the
//   list of APIs, encoded as v0, so the client can retry with a version we serve
//   (kwire.Registry.Decode answers it before any handler runs).
// Version notes:
// * v3: flexible, client software name/version, supported/finalized features (tagged)

const apiVersionsKey = 18

func init() { regKey(apiVersionsKey, 0, 4, handleApiVersions) }

func handleApiVersions(b *Broker, _ *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.ApiVersionsRequest)
	resp := req.ResponseKind().(*kmsg.ApiVersionsResponse)
	if req.Version >= 3 && (req.ClientSoftwareName == "" || req.ClientSoftwareVersion == "") {
		resp.ErrorCode = kerr.InvalidRequest.Code
	}
	resp.ApiKeys = brokerAPIs.ApiKeys()
	if req.Version >= 3 {
		img := b.Image()
		sf := kmsg.NewApiVersionsResponseSupportedFeature()
		sf.Name = metadata.FeatureMetadataVersion
		sf.MinVersion = 1
		sf.MaxVersion = metadata.MetadataVersionLatest
		resp.SupportedFeatures = append(resp.SupportedFeatures, sf)
		resp.FinalizedFeaturesEpoch = img.Offset
		for name, level := range img.Features {
			ff := kmsg.NewApiVersionsResponseFinalizedFeature()
			ff.Name = name
			ff.MinVersionLevel = level
			ff.MaxVersionLevel = level
			resp.FinalizedFeatures = append(resp.FinalizedFeatures, ff)
		}
	}
	return resp, nil
}
