package kclient

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/config"
)

// describeResourceConfigs is ConfigCommand.describeResourceConfig for topics
// and brokers: each entity's dynamic configs (every config with --all), or
// without a name every topic's, or every broker's and the cluster default's.
func (o ConfigsOptions) describeResourceConfigs(ctx context.Context, adm *kadm.Client, out io.Writer) error {
	kind := o.EntityTypes[0]
	entities := o.EntityNames
	if len(entities) == 0 {
		var err error
		if entities, err = allEntities(ctx, adm, kind); err != nil {
			return err
		}
	}
	for _, name := range entities {
		switch {
		case name == "":
			fmt.Fprintf(out, "Default configs for %s in the cluster are:\n", kind)
		case o.All:
			fmt.Fprintf(out, "All configs for %s %s are:\n", strings.TrimSuffix(kind, "s"), name)
		default:
			fmt.Fprintf(out, "Dynamic configs for %s %s are:\n", strings.TrimSuffix(kind, "s"), name)
		}
		configs, err := resourceConfigs(ctx, adm, kind, name, o.All)
		if err != nil {
			return err
		}
		for _, c := range configs {
			fmt.Fprintln(out, configLine(c))
		}
	}
	return nil
}

// allEntities are the entities described when none is named: every topic,
// internal ones included, or every broker and then the cluster default.
func allEntities(ctx context.Context, adm *kadm.Client, kind string) ([]string, error) {
	if kind == entityTopics {
		topics, err := adm.ListTopicsWithInternal(ctx)
		if err != nil {
			return nil, fmt.Errorf("list topics: %w", err)
		}
		return topics.Names(), nil
	}
	meta, err := adm.BrokerMetadata(ctx)
	if err != nil {
		return nil, fmt.Errorf("list brokers: %w", err)
	}
	var names []string
	for _, id := range meta.Brokers.NodeIDs() {
		names = append(names, strconv.Itoa(int(id)))
	}
	return append(names, ""), nil
}

// resourceConfigs is ConfigCommand.getResourceConfig: one topic's or
// broker's ("" the cluster default) configs sorted by name, only those of the
// entity's dynamic source unless all.
func resourceConfigs(ctx context.Context, adm *kadm.Client, kind, name string, all bool) ([]kadm.Config, error) {
	var rcs kadm.ResourceConfigs
	var err error
	dynamic := kmsg.ConfigSourceDynamicTopicConfig
	switch {
	case kind == entityTopics:
		rcs, err = adm.DescribeTopicConfigs(ctx, name)
	case name == "":
		dynamic = kmsg.ConfigSourceDynamicDefaultBrokerConfig
		rcs, err = adm.DescribeBrokerConfigs(ctx)
	default:
		dynamic = kmsg.ConfigSourceDynamicBrokerConfig
		id, _ := strconv.ParseInt(name, 10, 32) // checked by ConfigsOptions.check
		rcs, err = adm.DescribeBrokerConfigs(ctx, int32(id))
	}
	if err != nil {
		return nil, fmt.Errorf("describe configs of %s %q: %w", kind, name, err)
	}
	rc, err := rcs.On(name, nil)
	if err == nil && rc.Err != nil {
		err = fmt.Errorf("%w %s", rc.Err, rc.ErrMessage)
	}
	if err != nil {
		return nil, fmt.Errorf("describe configs of %s %q: %w", kind, name, err)
	}
	configs := slices.DeleteFunc(slices.Clone(rc.Configs), func(c kadm.Config) bool { return !all && c.Source != dynamic })
	slices.SortFunc(configs, func(a, b kadm.Config) int { return strings.Compare(a.Key, b.Key) })
	return configs, nil
}

// quotaComponents are the DescribeClientQuotas filter of the entities named:
// a name matches exactly, --entity-default the default entity, a type
// without a name any entity of the type (ConfigCommand.getAllClientQuotasConfigs).
func (o ConfigsOptions) quotaComponents() []kadm.DescribeClientQuotaComponent {
	var cs []kadm.DescribeClientQuotaComponent
	for i, t := range o.EntityTypes {
		c := kadm.DescribeClientQuotaComponent{Type: quotaEntityType(t), MatchType: kmsg.QuotasMatchTypeAny}
		if i < len(o.EntityNames) {
			c.MatchType = kmsg.QuotasMatchTypeDefault
			if name := o.EntityNames[i]; name != "" {
				c.MatchType, c.MatchName = kmsg.QuotasMatchTypeExact, kmsg.StringPtr(name)
			}
		}
		cs = append(cs, c)
	}
	return cs
}

// quotaEntityType is ClientQuotaEntity's name for a users or clients entity.
func quotaEntityType(entityType string) string {
	if entityType == entityUsers {
		return "user"
	}
	return "client-id"
}

// describeQuotasAndSCRAM is ConfigCommand.describeClientQuotaAndUserScramCredentialConfigs:
// the quotas of the matching entities, then, for users alone and not the
// default, their SCRAM credentials' mechanisms and iterations.
func (o ConfigsOptions) describeQuotasAndSCRAM(ctx context.Context, adm *kadm.Client, out io.Writer) error {
	quotas, err := adm.DescribeClientQuotas(ctx, true, o.quotaComponents())
	if err != nil {
		return fmt.Errorf("describe client quotas: %w", err)
	}
	lines := make([]string, 0, len(quotas))
	for _, q := range quotas {
		lines = append(lines, quotaLine(q))
	}
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Fprintln(out, l)
	}
	if slices.Contains(o.EntityTypes, entityClients) || slices.Contains(o.EntityNames, "") {
		return nil
	}
	creds, err := adm.DescribeUserSCRAMs(ctx, o.EntityNames...)
	if err != nil {
		return fmt.Errorf("describe user SCRAM credentials: %w", err)
	}
	for _, d := range creds.Sorted() {
		if d.Err != nil {
			fmt.Fprintf(out, "Error retrieving SCRAM credential configs for user-principal '%s': %v %s\n", d.User, d.Err, d.ErrMessage)
			continue
		}
		infos := make([]string, len(d.CredInfos))
		for i, c := range d.CredInfos {
			infos[i] = fmt.Sprintf("%s=iterations=%d", c.Mechanism, c.Iterations)
		}
		fmt.Fprintf(out, "SCRAM credential configs for user-principal '%s' are %s\n", d.User, strings.Join(infos, ", "))
	}
	return nil
}

// quotaLine is ConfigCommand's "Quota configs for user-principal 'alice',
// client-id 'app' are producer_byte_rate=1024.0, ..." (the default entity as
// "the default user-principal"), values as Java prints doubles.
func quotaLine(q kadm.DescribedClientQuota) string {
	var who []string
	for _, typ := range []struct{ key, label string }{{"user", "user-principal"}, {"client-id", "client-id"}, {"ip", "ip"}} {
		for _, c := range q.Entity {
			switch {
			case c.Type != typ.key:
			case c.Name == nil:
				who = append(who, "the default "+typ.label)
			default:
				who = append(who, typ.label+" '"+*c.Name+"'")
			}
		}
	}
	values := slices.Clone(q.Values)
	slices.SortFunc(values, func(a, b kadm.ClientQuotaValue) int { return cmp.Compare(a.Key, b.Key) })
	kvs := make([]string, len(values))
	for i, v := range values {
		kvs[i] = v.Key + "=" + config.JavaDouble(v.Value)
	}
	return "Quota configs for " + strings.Join(who, ", ") + " are " + strings.Join(kvs, ", ")
}
