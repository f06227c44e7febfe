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
// at each authentication so a user added later can log in at once, and OAUTHBEARER
// with Kafka's default validator configured by its JAAS config, each with the session
// lifetime connections.max.reauth.ms gives it on the listener (KIP-368). A PLAIN or
// OAUTHBEARER mechanism without a JAAS config it can use, or a lifetime that is not a
// number, stops the start, naming the key and the file. It is exported because the
// controller listener authenticates exactly as the broker's listeners do: the node
// builds its mechanisms here, over the controller's image.
func ListenerMechanisms(cfg *config.Config, listener string, image func() *metadata.Image) ([]saslserver.Mechanism, error) {
	s := cfg.ListenerSASL(listener)
	var out []saslserver.Mechanism
	for _, m := range s.Mechanisms {
		mech, err := saslMechanism(cfg, m, s, image)
		if err != nil {
			return nil, fmt.Errorf("listener %s: %w", listener, err)
		}
		lifetime, err := cfg.ListenerReauth(listener, m)
		if err != nil {
			return nil, fmt.Errorf("listener %s: %w", listener, err)
		}
		out = append(out, saslserver.WithSessionLifetime(mech, lifetime))
	}
	return out, nil
}

// saslMechanism builds the listener's mechanism name from its settings s.
func saslMechanism(cfg *config.Config, name string, s config.ListenerSASL, image func() *metadata.Image) (saslserver.Mechanism, error) {
	switch name {
	case "PLAIN":
		users, err := readJAAS(cfg, name, s, saslserver.ParsePlainJAAS,
			`PLAIN needs the listener's JAAS config with its users (user_<name>="<password>")`)
		if err != nil {
			return nil, err
		}
		return saslserver.Plain(users), nil
	case "OAUTHBEARER":
		opts, err := readJAAS(cfg, name, s, saslserver.ParseOAuthBearerJAAS,
			"OAUTHBEARER needs the listener's OAuthBearerLoginModule JAAS config, whose options configure Kafka's default token validator")
		if err != nil {
			return nil, err
		}
		return saslserver.OAuthBearer(opts), nil
	}
	id, ok := metadata.ScramMechanismIDs[name]
	if !ok {
		return nil, &config.KeyError{File: cfg.Source, Key: "sasl.enabled.mechanisms", Msg: name + " is not supported"}
	}
	return saslserver.Scram(name, func(user string) (saslserver.ScramCredential, bool) {
		c, ok := image().Scram[metadata.ScramKey{Name: user, Mechanism: id}]
		if !ok {
			return saslserver.ScramCredential{}, false
		}
		return saslserver.ScramCredential{Salt: c.Salt, StoredKey: c.StoredKey, ServerKey: c.ServerKey, Iterations: c.Iterations}, true
	})
}

// readJAAS parses mechanism's JAAS config on the listener. A missing one fails with
// why it is needed, a bad one with parse's error; both name the file (--override for
// an overridden key) and the key, listener.name.<listener>.<mechanism>.sasl.jaas.config,
// in KeyError's "file: key: msg" shape.
func readJAAS[T any](cfg *config.Config, mechanism string, s config.ListenerSASL, parse func(string) (T, error), why string) (T, error) {
	key := s.JAASKey[mechanism]
	jaas, ok := s.JAAS[mechanism]
	if !ok {
		var zero T
		return zero, &config.KeyError{File: cfg.Source, Key: key, Msg: why}
	}
	v, err := parse(jaas)
	if err != nil {
		return v, fmt.Errorf("%s: %s: %w", cfg.KeySource(key), key, err)
	}
	return v, nil
}
