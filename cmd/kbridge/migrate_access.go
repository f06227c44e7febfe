package main

import (
	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/kclient"
	"github.com/kbridge/kbridge/migrate"
)

// adminFlags are how a migrate command reaches the controllers' admin endpoint: the
// controller's address and, for a secured controller listener, a Kafka client
// properties file (security.protocol, ssl.*, sasl.mechanism, sasl.jaas.config).
type adminFlags struct {
	controller, commandConfig string
}

// add registers --controller (with its help text) and --command-config on cmd.
func (f *adminFlags) add(cmd *cobra.Command, controllerHelp string) {
	cmd.Flags().StringVar(&f.controller, "controller", "", controllerHelp)
	cmd.Flags().StringVar(&f.commandConfig, "command-config", "",
		"Kafka client properties for a secured controller listener: security.protocol, ssl.truststore.*, ssl.keystore.*, sasl.mechanism, sasl.jaas.config")
}

// client is the admin endpoint's client the flags describe; nil without
// --command-config (plain HTTP).
func (f *adminFlags) client() (*migrate.AdminClient, error) {
	if f.commandConfig == "" {
		return nil, nil
	}
	props, err := kclient.LoadProperties(f.commandConfig)
	if err != nil {
		return nil, err
	}
	return migrate.AdminClientFromProperties(props, f.commandConfig)
}
