package kclient

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
)

// ManageConfigs describes or alters the configs of topics, brokers, users
// and clients as kafka-configs.sh does with --bootstrap-server: dynamic
// configs through DescribeConfigs and IncrementalAlterConfigs, quotas
// through DescribeClientQuotas and AlterClientQuotas, users' SCRAM
// credentials through DescribeUserScramCredentials and
// AlterUserScramCredentials, with ConfigCommand's checks and output.
func ManageConfigs(ctx context.Context, out io.Writer, o ConfigsOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	var set map[string]string
	var del []string
	if o.Alter {
		var err error
		if set, err = o.parseConfigsToAdd(); err != nil {
			return err
		}
		for _, d := range o.DeleteConfigs {
			for _, k := range strings.Split(d, ",") {
				del = append(del, strings.TrimSpace(k))
			}
		}
	}
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	resource := o.EntityTypes[0] == entityTopics || o.EntityTypes[0] == entityBrokers
	switch {
	case o.Describe && resource:
		return o.describeResourceConfigs(ctx, adm, out)
	case o.Describe:
		return o.describeQuotasAndSCRAM(ctx, adm, out)
	case resource:
		err = o.alterResourceConfigs(ctx, adm, set, del)
	default:
		err = o.alterUserOrClient(ctx, adm, set, del)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(out, o.completion())
	return nil
}
