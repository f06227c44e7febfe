package main

import (
	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/kclient"
)

// entityNameValue is --entity-name, or with isDefault --entity-default: both
// append to one list, so that ConfigCommand's pairing of the entity names
// with the --entity-type flags in command-line order survives pflag.
type entityNameValue struct {
	names     *[]string
	isDefault bool
}

// Set appends the name, or "" (the default entity).
func (v entityNameValue) Set(s string) error {
	if v.isDefault {
		s = ""
	}
	*v.names = append(*v.names, s)
	return nil
}

// String is the flag's default, none.
func (v entityNameValue) String() string { return "" }

// Type names the value in --help: a name, or nothing for --entity-default.
func (v entityNameValue) Type() string {
	if v.isDefault {
		return "bool"
	}
	return "string"
}

func init() {
	var (
		o      kclient.ConfigsOptions
		config clientConfigFlags
	)
	cmd := &cobra.Command{
		Use:   "configs (--describe | --alter) --entity-type TYPE (--entity-name NAME | --entity-default)",
		Short: "Describe and alter the configs of topics, brokers, users and clients (like kafka-configs.sh)",
		Long: `Describes and alters dynamic configs with kafka-configs.sh's flags, checks and output.
Topics and brokers (--entity-default: the cluster-wide broker default) are described with
DescribeConfigs (--all: every config, static and default ones too) and altered with
IncrementalAlterConfigs. Users and clients hold quotas (producer_byte_rate,
consumer_byte_rate, request_percentage, controller_mutation_rate; --entity-type users and
clients together for a user's client); a user's SCRAM credentials are set with
--add-config 'SCRAM-SHA-512=[password=...]' or 'SCRAM-SHA-256=[iterations=8192,password=...]'
(a random salt; 4096 iterations by default) and removed with --delete-config SCRAM-SHA-512.
In --add-config, square brackets group a value holding commas: 'k1=v1,k2=[a,b]'.`,
		Example: `  kbridge configs --bootstrap-server localhost:9092 --entity-type topics --entity-name orders --describe
  kbridge configs --bootstrap-server localhost:9092 --entity-type topics --entity-name orders --alter --add-config retention.ms=86400000,cleanup.policy=[compact,delete]
  kbridge configs --bootstrap-server localhost:9092 --entity-type topics --entity-name orders --alter --delete-config retention.ms
  kbridge configs --bootstrap-server localhost:9092 --entity-type brokers --entity-name 1 --describe --all
  kbridge configs --bootstrap-server localhost:9092 --entity-type users --entity-name alice --alter --add-config 'SCRAM-SHA-512=[password=alice-secret]'
  kbridge configs --bootstrap-server localhost:9092 --entity-type users --entity-name alice --describe`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Conn, err = config.conn(o.BootstrapServers, "", nil); err != nil {
				return err
			}
			return kclient.ManageConfigs(interruptContext(cmd), cmd.OutOrStdout(), o)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &o.BootstrapServers)
	config.register(fs, "")
	fs.BoolVar(&o.Describe, "describe", false, "list the entity's configs")
	fs.BoolVar(&o.Alter, "alter", false, "change the entity's configs")
	fs.BoolVar(&o.All, "all", false, "with --describe of topics or brokers: every config, not only the dynamic ones")
	fs.StringArrayVar(&o.EntityTypes, "entity-type", nil, "topics, brokers, users or clients (users and clients may be given together)")
	fs.Var(entityNameValue{names: &o.EntityNames}, "entity-name", "topic name, broker id, user principal or client id, for the --entity-type in the same position")
	fs.Var(entityNameValue{names: &o.EntityNames, isDefault: true}, "entity-default", "the default entity of users, clients or brokers, for the --entity-type in the same position")
	fs.Lookup("entity-default").NoOptDefVal = "true"
	fs.StringVar(&o.AddConfig, "add-config", "", "configs to set: 'k1=v1,k2=[v1,v2],k3=v3'")
	fs.StringVar(&o.AddConfigFile, "add-config-file", "", "a properties file of configs to set")
	fs.StringArrayVar(&o.DeleteConfigs, "delete-config", nil, "configs to remove: 'k1,k2' (repeatable)")
	rootCmd.AddCommand(cmd)
}
