package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kbridge/kbridge/kclient"
)

// topicsFlags holds every kafka-topics flag. The subcommands and the Kafka-style
// parent (kbridge topics --create ...) register the subsets they use onto the
// same fields, so both spellings behave the same.
type topicsFlags struct {
	bootstrap, topic, replicaAssignment, output         string
	config                                              clientConfigFlags
	partitions                                          int32
	replicationFactor                                   int16
	partitionLimit                                      int32
	configs, deleteConfigs                              []string
	ifExists, ifNotExists, excludeInternal              bool
	underReplicated, unavailable, underMinISR, atMinISR bool
	withOverrides                                       bool
	create, list, describe, alter, delete               bool
}

func init() {
	f := &topicsFlags{}
	topics := &cobra.Command{
		Use:   "topics",
		Short: "Create, list, describe, alter and delete topics on any Kafka cluster (like kafka-topics.sh)",
		Long: `Manage topics with kafka-topics.sh's flags. Use the subcommands, or Kafka's own spelling:
kbridge topics --create --topic t ... works the same as kbridge topics create --topic t ...`,
		Example: `  kbridge topics --bootstrap-server localhost:9092 --list
  kbridge topics --bootstrap-server localhost:9092 --create --topic orders --partitions 3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.runAction(cmd) },
	}
	addTopicConnFlags(topics.Flags(), f)
	addTopicSelectFlags(topics.Flags(), f)
	addTopicCreateFlags(topics.Flags(), f)
	addTopicAlterFlags(topics.Flags(), f)
	addTopicDescribeFlags(topics.Flags(), f)
	fs := topics.Flags()
	fs.BoolVar(&f.create, "create", false, "create a topic")
	fs.BoolVar(&f.list, "list", false, "list topics")
	fs.BoolVar(&f.describe, "describe", false, "describe topics")
	fs.BoolVar(&f.alter, "alter", false, "add partitions or change configs")
	fs.BoolVar(&f.delete, "delete", false, "delete topics")

	sub := func(use, short, example string, run func(*cobra.Command) error, adders ...func(*pflag.FlagSet, *topicsFlags)) {
		c := &cobra.Command{Use: use, Short: short, Example: example, Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error { return run(cmd) }}
		addTopicConnFlags(c.Flags(), f)
		for _, add := range adders {
			add(c.Flags(), f)
		}
		topics.AddCommand(c)
	}
	sub("create", "Create a topic",
		`  kbridge topics create --bootstrap-server localhost:9092 --topic orders --partitions 3 --replication-factor 1 --config retention.ms=86400000`,
		f.runCreate, addTopicCreateFlags, func(fs *pflag.FlagSet, f *topicsFlags) { fs.StringVar(&f.topic, "topic", "", "the topic to create") })
	sub("list", "List topic names, one per line, sorted",
		`  kbridge topics list --bootstrap-server localhost:9092 --exclude-internal`,
		f.runList, addTopicSelectFlags, addTopicOutputFlags)
	sub("describe", "Describe topics and their partitions in kafka-topics' format",
		`  kbridge topics describe --bootstrap-server localhost:9092 --topic orders
  kbridge topics describe --bootstrap-server localhost:9092 --under-replicated-partitions`,
		f.runDescribe, addTopicSelectFlags, addTopicDescribeFlags)
	sub("alter", "Increase partitions or set and delete topic configs",
		`  kbridge topics alter --bootstrap-server localhost:9092 --topic orders --partitions 6 --config retention.ms=3600000`,
		f.runAlter, addTopicSelectFlags, addTopicAlterFlags)
	sub("delete", "Delete topics",
		`  kbridge topics delete --bootstrap-server localhost:9092 --topic orders --if-exists`,
		f.runDelete, addTopicSelectFlags)
	rootCmd.AddCommand(topics)
}

func addTopicConnFlags(fs *pflag.FlagSet, f *topicsFlags) {
	addConnFlags(fs, &f.bootstrap)
	f.config.register(fs, "")
}

func addTopicSelectFlags(fs *pflag.FlagSet, f *topicsFlags) {
	if fs.Lookup("topic") == nil {
		fs.StringVar(&f.topic, "topic", "", "topic name; a regular expression matching whole names, except with create")
	}
	fs.BoolVar(&f.ifExists, "if-exists", false, "with alter, describe or delete: do nothing if the topic does not exist")
	fs.BoolVar(&f.excludeInternal, "exclude-internal", false, "leave out internal topics such as __consumer_offsets")
}

func addTopicCreateFlags(fs *pflag.FlagSet, f *topicsFlags) {
	fs.Int32Var(&f.partitions, "partitions", -1, "number of partitions (-1: the broker's num.partitions)")
	fs.Int16Var(&f.replicationFactor, "replication-factor", -1, "replicas per partition (-1: the broker's default.replication.factor)")
	fs.StringVar(&f.replicaAssignment, "replica-assignment", "", "broker ids per partition, e.g. 1:2,2:3")
	fs.StringArrayVar(&f.configs, "config", nil, "topic config k=v (repeatable)")
	fs.BoolVar(&f.ifNotExists, "if-not-exists", false, "do nothing if the topic already exists")
}

func addTopicAlterFlags(fs *pflag.FlagSet, f *topicsFlags) {
	if fs.Lookup("partitions") == nil {
		fs.Int32Var(&f.partitions, "partitions", -1, "new total number of partitions (only increases)")
		fs.StringVar(&f.replicaAssignment, "replica-assignment", "", "broker ids for all partitions, e.g. 1:2,2:3,3:1")
		fs.StringArrayVar(&f.configs, "config", nil, "topic config k=v to set (repeatable)")
	}
	fs.StringArrayVar(&f.deleteConfigs, "delete-config", nil, "topic config to reset to its default (repeatable)")
}

func addTopicDescribeFlags(fs *pflag.FlagSet, f *topicsFlags) {
	fs.BoolVar(&f.underReplicated, "under-replicated-partitions", false, "only partitions whose ISR is smaller than their replicas")
	fs.BoolVar(&f.unavailable, "unavailable-partitions", false, "only partitions without a live leader")
	fs.BoolVar(&f.underMinISR, "under-min-isr-partitions", false, "only partitions whose ISR is below min.insync.replicas")
	fs.BoolVar(&f.atMinISR, "at-min-isr-partitions", false, "only partitions whose ISR equals min.insync.replicas")
	fs.BoolVar(&f.withOverrides, "topics-with-overrides", false, "only topics with non-default configs, without partitions")
	fs.Int32Var(&f.partitionLimit, "partition-size-limit-per-response", 0, "partitions per DescribeTopicPartitions response (0: broker default)")
	addTopicOutputFlags(fs, f)
}

func addTopicOutputFlags(fs *pflag.FlagSet, f *topicsFlags) {
	if fs.Lookup("output") == nil {
		fs.StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	}
}

func (f *topicsFlags) runAction(cmd *cobra.Command) error {
	n := 0
	for _, set := range []bool{f.create, f.list, f.describe, f.alter, f.delete} {
		if set {
			n++
		}
	}
	if n != 1 {
		return errors.New("exactly one of --create, --list, --describe, --alter or --delete is required (or use a subcommand)")
	}
	switch {
	case f.create:
		return f.runCreate(cmd)
	case f.list:
		return f.runList(cmd)
	case f.describe:
		return f.runDescribe(cmd)
	case f.alter:
		return f.runAlter(cmd)
	default:
		return f.runDelete(cmd)
	}
}

func (f *topicsFlags) conn() (kclient.Conn, error) {
	return f.config.conn(f.bootstrap, "", nil)
}

func (f *topicsFlags) json() (bool, error) { return outputJSON(f.output) }

func (f *topicsFlags) runCreate(cmd *cobra.Command) error {
	conn, err := f.conn()
	if err != nil {
		return err
	}
	configs, err := kclient.ParseKeyValues(f.configs)
	if err != nil {
		return err
	}
	return kclient.CreateTopic(interruptContext(cmd), cmd.OutOrStdout(), kclient.CreateTopicOptions{Conn: conn, Topic: f.topic,
		Partitions: f.partitions, ReplicationFactor: f.replicationFactor, ReplicaAssignment: f.replicaAssignment,
		Configs: configs, IfNotExists: f.ifNotExists})
}

func (f *topicsFlags) runList(cmd *cobra.Command) error {
	conn, err := f.conn()
	if err != nil {
		return err
	}
	asJSON, err := f.json()
	if err != nil {
		return err
	}
	return kclient.ListTopics(interruptContext(cmd), cmd.OutOrStdout(), kclient.ListTopicsOptions{Conn: conn, Topic: f.topic,
		ExcludeInternal: f.excludeInternal, JSON: asJSON})
}

func (f *topicsFlags) runDescribe(cmd *cobra.Command) error {
	conn, err := f.conn()
	if err != nil {
		return err
	}
	asJSON, err := f.json()
	if err != nil {
		return err
	}
	return kclient.DescribeTopics(interruptContext(cmd), cmd.OutOrStdout(), kclient.DescribeTopicsOptions{Conn: conn, Topic: f.topic,
		IfExists: f.ifExists, ExcludeInternal: f.excludeInternal, UnderReplicatedPartitions: f.underReplicated,
		UnavailablePartitions: f.unavailable, UnderMinISRPartitions: f.underMinISR, AtMinISRPartitions: f.atMinISR,
		TopicsWithOverrides: f.withOverrides, PartitionSizeLimitPerResponse: f.partitionLimit, JSON: asJSON})
}

func (f *topicsFlags) runAlter(cmd *cobra.Command) error {
	conn, err := f.conn()
	if err != nil {
		return err
	}
	configs, err := kclient.ParseKeyValues(f.configs)
	if err != nil {
		return err
	}
	return kclient.AlterTopic(interruptContext(cmd), cmd.OutOrStdout(), kclient.AlterTopicOptions{Conn: conn, Topic: f.topic,
		Partitions: f.partitions, ReplicaAssignment: f.replicaAssignment, Configs: configs,
		DeleteConfigs: f.deleteConfigs, IfExists: f.ifExists})
}

func (f *topicsFlags) runDelete(cmd *cobra.Command) error {
	conn, err := f.conn()
	if err != nil {
		return err
	}
	return kclient.DeleteTopics(interruptContext(cmd), cmd.OutOrStdout(), kclient.DeleteTopicsOptions{Conn: conn, Topic: f.topic, IfExists: f.ifExists})
}

// addConnFlags registers --bootstrap-server; every client command shares it.
func addConnFlags(fs *pflag.FlagSet, bootstrap *string) {
	fs.StringVar(bootstrap, "bootstrap-server", "", "comma-separated host:port list of brokers (required)")
}

// interruptContext ends on SIGINT or SIGTERM so that client commands flush,
// commit and print their totals instead of dying mid-way, as Kafka's tools
// do from their shutdown hooks. The context lives as long as the command.
func interruptContext(cmd *cobra.Command) context.Context {
	parent := cmd.Context()
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	cobra.OnFinalize(stop)
	return ctx
}
