package main

import (
	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/kclient"
)

func init() {
	var (
		o      kclient.ACLsOptions
		config clientConfigFlags
	)
	cmd := &cobra.Command{
		Use:   "acls (--add | --remove | --list) [resources] [principals]",
		Short: "Add, remove and list ACLs on any Kafka cluster (like kafka-acls.sh)",
		Long: `Manages ACLs with kafka-acls.sh's flags, checks and output. A resource is named by
--topic, --group, --cluster, --transactional-id, --delegation-token or --user-principal,
matched as --resource-pattern-type says (literal or prefixed to add; any or match too
to list and remove). Each --allow-principal (or --deny-principal) gets every --operation
(All by default) from every --allow-host (--deny-host; * by default). --producer stands
for Write, Describe and Create on the topics and Write and Describe on the transactional
ids (with --idempotent, IdempotentWrite on the cluster too), --consumer for Read and
Describe on the topics and Read on the groups. --remove asks for each resource filter
unless --force; without principals it removes every ACL of the resource.`,
		Example: `  kbridge acls --bootstrap-server localhost:9092 --add --allow-principal User:alice --producer --topic orders
  kbridge acls --bootstrap-server localhost:9092 --add --allow-principal User:bob --consumer --topic orders --group billing
  kbridge acls --bootstrap-server localhost:9092 --add --deny-principal User:mallory --operation Read --topic orders --resource-pattern-type prefixed
  kbridge acls --bootstrap-server localhost:9092 --list --topic orders
  kbridge acls --bootstrap-server localhost:9092 --remove --allow-principal User:alice --producer --topic orders --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.Conn, err = config.conn(o.BootstrapServers, "", nil); err != nil {
				return err
			}
			if !cmd.Flags().Changed("operation") {
				o.Operations = nil
			}
			return kclient.ManageACLs(interruptContext(cmd), cmd.InOrStdin(), cmd.OutOrStdout(), o)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &o.BootstrapServers)
	config.register(fs, "")
	fs.BoolVar(&o.Add, "add", false, "add ACLs")
	fs.BoolVar(&o.Remove, "remove", false, "remove ACLs")
	fs.BoolVar(&o.List, "list", false, "list ACLs, of the resources named or all")
	fs.StringArrayVar(&o.Topics, "topic", nil, "topic (repeatable; * is every topic)")
	fs.StringArrayVar(&o.Groups, "group", nil, "consumer group (repeatable; * is every group)")
	fs.BoolVar(&o.Cluster, "cluster", false, "the cluster")
	fs.StringArrayVar(&o.TransactionalIDs, "transactional-id", nil, "transactional id (repeatable; * is every id)")
	fs.StringArrayVar(&o.DelegationTokens, "delegation-token", nil, "delegation token id (repeatable; * is every token)")
	fs.StringArrayVar(&o.UserPrincipals, "user-principal", nil, "user principal as a resource, for CreateTokens and DescribeTokens (repeatable)")
	fs.StringVar(&o.PatternType, "resource-pattern-type", "literal", "literal or prefixed; to list or remove also any (any pattern, exact name) or match (every ACL that applies to the name)")
	fs.StringArrayVar(&o.Operations, "operation", []string{"All"}, "operation: Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, CreateTokens, DescribeTokens or All (repeatable)")
	fs.StringArrayVar(&o.AllowPrincipals, "allow-principal", nil, "principal to allow, as principalType:name, e.g. User:alice or User:* (repeatable)")
	fs.StringArrayVar(&o.DenyPrincipals, "deny-principal", nil, "principal to deny, as principalType:name (repeatable); deny wins over allow")
	fs.StringArrayVar(&o.AllowHosts, "allow-host", nil, "host the allowed principals may connect from (repeatable; default *)")
	fs.StringArrayVar(&o.DenyHosts, "deny-host", nil, "host the denied principals are refused from (repeatable; default *)")
	fs.StringArrayVar(&o.Principals, "principal", nil, "with --list: show only this principal's ACLs (repeatable)")
	fs.BoolVar(&o.Producer, "producer", false, "the ACLs of a producer: Write, Describe, Create on --topic, Write, Describe on --transactional-id")
	fs.BoolVar(&o.Idempotent, "idempotent", false, "with --producer: IdempotentWrite on the cluster too")
	fs.BoolVar(&o.Consumer, "consumer", false, "the ACLs of a consumer: Read, Describe on --topic, Read on --group")
	fs.BoolVar(&o.Force, "force", false, "remove without asking")
	rootCmd.AddCommand(cmd)
}
