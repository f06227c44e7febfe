package kclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
)

// alterResourceConfigs sets and deletes a topic's or broker's configs with
// IncrementalAlterConfigs, after checking, as ConfigCommand does, that every
// config to delete is set dynamically on the entity.
func (o ConfigsOptions) alterResourceConfigs(ctx context.Context, adm *kadm.Client, set map[string]string, del []string) error {
	kind, name := o.EntityTypes[0], o.EntityNames[0]
	current, err := resourceConfigs(ctx, adm, kind, name, false)
	if err != nil {
		return err
	}
	if err := checkDeletable(del, func(k string) bool {
		return slices.ContainsFunc(current, func(c kadm.Config) bool { return c.Key == k })
	}); err != nil {
		return err
	}
	if kind == entityTopics {
		resps, err := adm.AlterTopicConfigs(ctx, configChanges(set, del), name)
		return alterResult("topic", resps, err)
	}
	var brokers []int32
	if name != "" {
		id, _ := strconv.ParseInt(name, 10, 32) // checked by ConfigsOptions.check
		brokers = append(brokers, int32(id))
	}
	resps, err := adm.AlterBrokerConfigs(ctx, configChanges(set, del), brokers...)
	return alterResult("broker", resps, err)
}

// checkDeletable is ConfigCommand's "Invalid config(s)" check of
// --delete-config.
func checkDeletable(del []string, isSet func(string) bool) error {
	invalid := slices.DeleteFunc(slices.Clone(del), isSet)
	if len(invalid) > 0 {
		return fmt.Errorf("invalid config(s): %s", strings.Join(invalid, ","))
	}
	return nil
}

// alterUserOrClient is ConfigCommand.alterConfig for users and clients: quota
// configs through AlterClientQuotas, or a user's SCRAM credentials through
// AlterUserScramCredentials, never both at once, and nothing else.
func (o ConfigsOptions) alterUserOrClient(ctx context.Context, adm *kadm.Client, set map[string]string, del []string) error {
	quotaSet, scram, unknownSet := classifyUserConfigs(sortedKeys(set))
	quotaDel, scramDel, unknownDel := classifyUserConfigs(del)
	quotas := append(quotaSet, quotaDel...)
	if o.EntityTypes[0] == entityClients || len(o.EntityTypes) == 2 {
		if len(unknownSet)+len(scram) > 0 {
			return fmt.Errorf("only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: %s", strings.Join(append(unknownSet, scram...), ","))
		}
		if len(unknownDel)+len(scramDel) > 0 {
			return fmt.Errorf("only quota configs can be deleted for 'clients' using --bootstrap-server. Unexpected config names: %s", strings.Join(append(unknownDel, scramDel...), ","))
		}
	} else {
		if len(unknownSet) > 0 {
			return fmt.Errorf("only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: %s", strings.Join(unknownSet, ","))
		}
		if len(unknownDel) > 0 {
			return fmt.Errorf("only quota and SCRAM credential configs can be deleted for 'users' using --bootstrap-server. Unexpected config names: %s", strings.Join(unknownDel, ","))
		}
		if len(scram)+len(scramDel) > 0 {
			if slices.Contains(o.EntityNames, "") {
				return errors.New("the use of --entity-default is not allowed with User SCRAM Credentials using --bootstrap-server")
			}
			if len(quotas) > 0 {
				return errors.New("cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server")
			}
		}
	}
	if len(quotas) > 0 {
		return o.alterQuotas(ctx, adm, set, del)
	}
	return o.alterSCRAM(ctx, adm, set, scramDel)
}

// classifyUserConfigs splits a user's or client's config names into quota
// configs, SCRAM mechanisms and the rest, which ConfigCommand refuses.
func classifyUserConfigs(keys []string) (quotas, scram, unknown []string) {
	for _, k := range keys {
		switch {
		case quotaKeys[k]:
			quotas = append(quotas, k)
		case scramMechanisms[k] != 0:
			scram = append(scram, k)
		default:
			unknown = append(unknown, k)
		}
	}
	return quotas, scram, unknown
}

// alterSCRAM sets and deletes one user's SCRAM credentials; kadm salts the
// password with random bytes and derives the salted password, as Kafka's
// admin client does, so the password never leaves this process. Each
// mechanism goes in a request of its own: Kafka's KRaft controller refuses a
// request that alters one user twice (ScramControlManager's
// DUPLICATE_RESOURCE), which setting SCRAM-SHA-256 and SCRAM-SHA-512 together
// would be.
func (o ConfigsOptions) alterSCRAM(ctx context.Context, adm *kadm.Client, set map[string]string, del []string) error {
	user := o.EntityNames[0]
	type change struct {
		del    []kadm.DeleteSCRAM
		upsert []kadm.UpsertSCRAM
	}
	var changes []change
	for _, m := range del {
		changes = append(changes, change{del: []kadm.DeleteSCRAM{{User: user, Mechanism: scramMechanisms[m]}}})
	}
	for _, m := range sortedKeys(set) {
		u, err := parseScramUpsert(user, m, set[m])
		if err != nil {
			return err
		}
		changes = append(changes, change{upsert: []kadm.UpsertSCRAM{u}})
	}
	for _, c := range changes {
		res, err := adm.AlterUserSCRAMs(ctx, c.del, c.upsert)
		if err != nil {
			return fmt.Errorf("alter SCRAM credentials of user %s: %w", user, err)
		}
		for _, r := range res.Sorted() {
			if r.Err != nil {
				return fmt.Errorf("alter SCRAM credentials of user %s: %w %s", r.User, r.Err, r.ErrMessage)
			}
		}
	}
	return nil
}

// alterQuotas is ConfigCommand.alterQuotaConfigs: the entity's quotas set to
// set's values (numbers) and del's removed, each of del set before.
func (o ConfigsOptions) alterQuotas(ctx context.Context, adm *kadm.Client, set map[string]string, del []string) error {
	current, err := adm.DescribeClientQuotas(ctx, true, o.quotaComponents())
	if err != nil {
		return fmt.Errorf("describe client quotas: %w", err)
	}
	if err := checkDeletable(del, func(k string) bool {
		return len(current) > 0 && slices.ContainsFunc(current[0].Values, func(v kadm.ClientQuotaValue) bool { return v.Key == k })
	}); err != nil {
		return err
	}
	var entity kadm.ClientQuotaEntity
	for i, t := range o.EntityTypes {
		c := kadm.ClientQuotaEntityComponent{Type: quotaEntityType(t)}
		if name := o.EntityNames[i]; name != "" {
			c.Name = &name
		}
		entity = append(entity, c)
	}
	var ops []kadm.AlterClientQuotaOp
	for _, k := range sortedKeys(set) {
		v, err := strconv.ParseFloat(strings.TrimSpace(set[k]), 64)
		if err != nil {
			return fmt.Errorf("cannot parse quota configuration value for %s: %s", k, set[k])
		}
		ops = append(ops, kadm.AlterClientQuotaOp{Key: k, Value: v})
	}
	for _, k := range del {
		ops = append(ops, kadm.AlterClientQuotaOp{Key: k, Remove: true})
	}
	res, err := adm.AlterClientQuotas(ctx, []kadm.AlterClientQuotaEntry{{Entity: entity, Ops: ops}})
	if err != nil {
		return fmt.Errorf("alter client quotas of %s: %w", entity, err)
	}
	for _, r := range res {
		if r.Err != nil {
			return fmt.Errorf("alter client quotas of %s: %w %s", r.Entity, r.Err, r.ErrMessage)
		}
	}
	return nil
}

// sortedKeys are m's keys in order, so requests and messages are stable.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
