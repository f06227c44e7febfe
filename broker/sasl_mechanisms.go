package broker

import (
	"fmt"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/saslserver"
)

// listenerSASL builds the SASL mechanisms of every broker listener mapped to
// SASL_PLAINTEXT or SASL_SSL (ListenerMechanisms), with the broker's image.
func listenerSASL(cfg *config.Config, image func() *metadata.Image) (map[string][]saslserver.Mechanism, error) {
	out := map[string][]saslserver.Mechanism{}
	for _, l := range cfg.BrokerListeners() {
		switch cfg.ListenerProtocol(l.Name) {
		case "SASL_PLAINTEXT", "SASL_SSL":
		default:
			continue
		}
		mechs, err := ListenerMechanisms(cfg, l.Name, image)
		if err != nil {
			return nil, err
		}
		out[l.Name] = mechs
	}
	return out, nil
}

// ListenerMechanisms builds the SASL mechanisms a SASL listener enables: PLAIN with
// the users of its JAAS config, SCRAM with the credentials of the metadata image
// (UserScramCredentialRecord in KRaft mode, /config/users in ZooKeeper mode), looked up
// at each authentication so a user added later can log in at once, each with the
// session lifetime connections.max.reauth.ms gives it on the listener (KIP-368). A
// PLAIN mechanism without a readable user list, or a lifetime that is not a number,
// stops the start, naming the key and the file. It is exported because the controller
// listener authenticates exactly as the broker's listeners do: the node builds its
// mechanisms here, over the controller's image.
func ListenerMechanisms(cfg *config.Config, listener string, image func() *metadata.Image) ([]saslserver.Mechanism, error) {
	s := cfg.ListenerSASL(listener)
	var out []saslserver.Mechanism
	for _, m := range s.Mechanisms {
		mech, err := saslMechanism(m, s, image)
		if err != nil {
			return nil, fmt.Errorf("listener %s: %s: %w", listener, cfg.Source, err)
		}
		lifetime, err := cfg.ListenerReauth(listener, m)
		if err != nil {
			return nil, fmt.Errorf("listener %s: %w", listener, err)
		}
		out = append(out, saslserver.WithSessionLifetime(mech, lifetime))
	}
	return out, nil
}

func saslMechanism(name string, s config.ListenerSASL, image func() *metadata.Image) (saslserver.Mechanism, error) {
	if name == "PLAIN" {
		key := s.JAASKey[name]
		if key == "" {
			return nil, fmt.Errorf("listener.name.<listener>.plain.sasl.jaas.config: PLAIN needs the listener's JAAS config with its users (user_<name>=\"<password>\")")
		}
		users, err := saslserver.ParsePlainJAAS(s.JAAS[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		return saslserver.Plain(users), nil
	}
	id, ok := metadata.ScramMechanismIDs[name]
	if !ok {
		return nil, fmt.Errorf("sasl.enabled.mechanisms: %s is not supported", name)
	}
	return saslserver.Scram(name, func(user string) (saslserver.ScramCredential, bool) {
		c, ok := image().Scram[metadata.ScramKey{Name: user, Mechanism: id}]
		if !ok {
			return saslserver.ScramCredential{}, false
		}
		return saslserver.ScramCredential{Salt: c.Salt, StoredKey: c.StoredKey, ServerKey: c.ServerKey, Iterations: c.Iterations}, true
	})
}
