package broker

import (
	"context"

	"github.com/kbridge/kbridge/metadata"
)

// securityProtocols are Kafka's SecurityProtocol ids, as registrations carry them.
var securityProtocols = map[string]int16{"PLAINTEXT": 0, "SSL": 1, "SASL_PLAINTEXT": 2, "SASL_SSL": 3}

// Registration is what this broker tells a metadata source about itself: its id,
// incarnation, rack, supported metadata.version range and advertised listeners.
func (b *Broker) Registration(incarnation metadata.Uuid) metadata.BrokerRegistration {
	reg := metadata.BrokerRegistration{
		BrokerID:      b.id,
		IncarnationID: incarnation,
		Rack:          b.cfg.BrokerRack,
		Features: []metadata.FeatureRange{{
			Name: metadata.FeatureMetadataVersion, MinVersion: 1, MaxVersion: metadata.MetadataVersionLatest,
		}},
	}
	for _, l := range b.cfg.AdvertisedBrokerListeners() {
		proto := b.cfg.ListenerSecurityProtocolMap[l.Name]
		reg.Endpoints = append(reg.Endpoints, metadata.Endpoint{
			Name: l.Name, Host: l.Host, Port: uint16(l.Port), SecurityProtocol: securityProtocols[proto],
		})
	}
	return reg
}

// Register announces this broker and its advertised listeners to the metadata source and
// keeps the broker epoch it is given (producer-id blocks and, later, fencing use it).
func (b *Broker) Register(ctx context.Context, incarnation metadata.Uuid) error {
	epoch, err := b.Source().RegisterBroker(ctx, b.Registration(incarnation))
	if err != nil {
		return err // the sources' errors name the broker ("register broker 1: ...")
	}
	b.epoch.Store(epoch)
	b.log.Info("registered with the metadata source", "broker_epoch", epoch)
	return nil
}

// brokerEpoch is the epoch of this broker's current registration: the source's, when
// it registers again by itself, else the one Register was given.
func (b *Broker) brokerEpoch() int64 {
	if r, ok := b.Source().(metadata.RegistrationEpoch); ok {
		if e := r.Epoch(); e >= 0 {
			return e
		}
	}
	return b.epoch.Load()
}
