package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/kbridge/kbridge/kclient"
)

// commandConfigUsage is the help of every client command's properties file flag.
const commandConfigUsage = "client properties file: bootstrap.servers, client.id, security.protocol, ssl.* (truststore, keystore, PEM, endpoint identification, protocols), sasl.mechanism, sasl.jaas.config, ..."

// clientConfigFlags are a client command's properties file flags, shared by
// every client command so that each takes the same --command-config. Where
// Kafka's script for the tool names the file otherwise (--producer.config,
// --consumer.config, --admin.config) that name is registered too, so a
// command line written for Kafka's script works unchanged.
type clientConfigFlags struct {
	commandConfig string
	kafkaName     string // the flag's name in Kafka's script, when not command-config
	kafkaConfig   string
}

// register adds --command-config and, unless kafkaName is empty, --<kafkaName>
// to fs. It may be called for several flag sets (a parent and its
// subcommands): they share the values.
func (c *clientConfigFlags) register(fs *pflag.FlagSet, kafkaName string) {
	fs.StringVar(&c.commandConfig, "command-config", "", commandConfigUsage)
	if kafkaName != "" {
		c.kafkaName = kafkaName
		fs.StringVar(&c.kafkaConfig, kafkaName, "", "the same as --command-config (the name in Kafka's script)")
	}
}

// file is the properties file the flags name, if any.
func (c *clientConfigFlags) file() (string, error) {
	if c.commandConfig != "" && c.kafkaConfig != "" && c.commandConfig != c.kafkaConfig {
		return "", fmt.Errorf("--command-config and --%s name different files; give one", c.kafkaName)
	}
	if c.commandConfig != "" {
		return c.commandConfig, nil
	}
	return c.kafkaConfig, nil
}

// conn reads the properties file and the k=v overrides given with
// overrideFlag (--producer-property ...; none for admin commands) into the
// connection to bootstrap.
func (c *clientConfigFlags) conn(bootstrap, overrideFlag string, overrides []string) (kclient.Conn, error) {
	file, err := c.file()
	if err != nil {
		return kclient.Conn{}, err
	}
	return kclient.LoadConn(bootstrap, file, overrideFlag, overrides)
}
