package kclient

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// ACLsOptions are kafka-acls.sh's flags as AclCommand reads them with
// --bootstrap-server (the deprecated --authorizer mode, which talks to
// ZooKeeper directly, has no counterpart).
type ACLsOptions struct {
	Conn
	Add, Remove, List bool

	Topics, Groups, TransactionalIDs, DelegationTokens, UserPrincipals []string
	Cluster                                                            bool
	PatternType                                                        string   // --resource-pattern-type; empty is LITERAL
	Operations                                                         []string // --operation; nil is All

	AllowPrincipals, DenyPrincipals, AllowHosts, DenyHosts []string
	Principals                                             []string // --principal, which --list shows the ACLs of

	Producer, Consumer, Idempotent bool
	Force                          bool // remove without asking
}

// resourceACLs are the ACLs of one resource pattern, or, to remove or list,
// the entries a pattern filter is combined with (none: any entry).
type resourceACLs struct {
	resource aclResource
	entries  []aclEntry
}

// aclPlan is AclCommand's map from resource (filter) to ACLs, in the order
// the resources were named so that output is deterministic.
type aclPlan []resourceACLs

// merge adds entries to r's, as AclCommand joins the --consumer ACLs of a
// topic with its --producer ones; an entry already there is not repeated.
func (p *aclPlan) merge(r aclResource, entries []aclEntry) {
	i := slices.IndexFunc(*p, func(ra resourceACLs) bool { return ra.resource == r })
	if i < 0 {
		*p = append(*p, resourceACLs{resource: r})
		i = len(*p) - 1
	}
	for _, e := range entries {
		if !slices.Contains((*p)[i].entries, e) {
			(*p)[i].entries = append((*p)[i].entries, e)
		}
	}
}

// check is AclCommandOptions.checkArgs: the combinations of flags Kafka
// refuses, with its messages.
func (o ACLsOptions) check() error {
	actions := 0
	for _, set := range []bool{o.Add, o.Remove, o.List} {
		if set {
			actions++
		}
	}
	if actions != 1 {
		return errors.New("command must include exactly one action: --list, --add, --remove")
	}
	given := map[string]bool{
		"--producer": o.Producer, "--consumer": o.Consumer, "--allow-host": len(o.AllowHosts) > 0,
		"--allow-principal": len(o.AllowPrincipals) > 0, "--deny-host": len(o.DenyHosts) > 0,
		"--deny-principal": len(o.DenyPrincipals) > 0, "--operation": o.Operations != nil,
	}
	invalid := func(used string, others ...string) error {
		for _, other := range others {
			if given[other] {
				return fmt.Errorf("option %s can't be used with option %s", used, other)
			}
		}
		return nil
	}
	if o.List {
		if err := invalid("--list", "--producer", "--consumer", "--allow-host", "--allow-principal", "--deny-host", "--deny-principal"); err != nil {
			return err
		}
	}
	for _, role := range []string{"--producer", "--consumer"} {
		if given[role] {
			if err := invalid(role, "--operation", "--deny-principal", "--deny-host"); err != nil {
				return err
			}
		}
	}
	switch {
	case len(o.Principals) > 0 && !o.List:
		return errors.New("the --principal option is only available if --list is set")
	case o.Producer && len(o.Topics) == 0:
		return errors.New("with --producer you must specify a --topic")
	case o.Idempotent && !o.Producer:
		return errors.New("the --idempotent option is only available if --producer is set")
	case o.Consumer && (len(o.Topics) == 0 || len(o.Groups) == 0 || (!o.Producer && (o.Cluster || len(o.TransactionalIDs) > 0))):
		return errors.New("with --consumer you must specify a --topic and a --group and no --cluster or --transactional-id option should be specified")
	}
	return nil
}

// patternType is --resource-pattern-type, LITERAL by default.
func (o ACLsOptions) patternType() (kmsg.ACLResourcePatternType, error) {
	if o.PatternType == "" {
		return kmsg.ACLResourcePatternTypeLiteral, nil
	}
	p, ok := parsePatternType(o.PatternType)
	if !ok {
		return p, fmt.Errorf("unknown --resource-pattern-type %q (want literal, prefixed, any or match)", o.PatternType)
	}
	return p, nil
}

// resources is AclCommand.getResourceFilter: a filter of the pattern type for
// every resource named. The cluster is a literal resource only, so with
// another pattern type --cluster names nothing, as in Kafka.
func (o ACLsOptions) resources(pattern kmsg.ACLResourcePatternType, required bool) ([]aclResource, error) {
	var rs []aclResource
	add := func(t kmsg.ACLResourceType, names []string, trim bool) {
		for _, n := range names {
			if trim {
				n = strings.TrimSpace(n)
			}
			rs = append(rs, aclResource{Type: t, Name: n, Pattern: pattern})
		}
	}
	add(kmsg.ACLResourceTypeTopic, o.Topics, true)
	if pattern == kmsg.ACLResourcePatternTypeLiteral && (o.Cluster || o.Idempotent) {
		rs = append(rs, clusterResource)
	}
	add(kmsg.ACLResourceTypeGroup, o.Groups, true)
	// Kafka does not trim transactional ids.
	add(kmsg.ACLResourceTypeTransactionalId, o.TransactionalIDs, false)
	add(kmsg.ACLResourceTypeDelegationToken, o.DelegationTokens, true)
	add(kmsg.ACLResourceTypeUser, o.UserPrincipals, true)
	if len(rs) == 0 && required {
		return nil, errors.New("you must provide at least one resource: --topic <topic> or --cluster or --group <group> or --delegation-token <Delegation Token ID>")
	}
	return rs, nil
}

// clusterResource is AclCommand's ClusterResourceFilter.
var clusterResource = aclResource{Type: kmsg.ACLResourceTypeCluster, Name: aclClusterName, Pattern: kmsg.ACLResourcePatternTypeLiteral}

// parsePrincipals is SecurityUtils.parseKafkaPrincipal over each value:
// principalType:name, which KafkaPrincipal.toString gives back unchanged.
func parsePrincipals(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		if !strings.Contains(v, ":") {
			return nil, fmt.Errorf("expected a string in format principalType:principalName but got %s", v)
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// hosts is AclCommand.getHosts: the hosts given, or every host when
// principals were given without hosts.
func hosts(values, principals []string) []string {
	if len(values) == 0 && len(principals) > 0 {
		return []string{aclWildcardHost}
	}
	var out []string
	for _, h := range values {
		if h = strings.TrimSpace(h); !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// entries is AclCommand.getAcl: every allowed principal × operation × allowed
// host, then every denied one.
func (o ACLsOptions) entries(ops []kmsg.ACLOperation) ([]aclEntry, error) {
	var out []aclEntry
	for _, side := range []struct {
		principals, hosts []string
		perm              kmsg.ACLPermissionType
	}{
		{o.AllowPrincipals, o.AllowHosts, kmsg.ACLPermissionTypeAllow},
		{o.DenyPrincipals, o.DenyHosts, kmsg.ACLPermissionTypeDeny},
	} {
		principals, err := parsePrincipals(side.principals)
		if err != nil {
			return nil, err
		}
		hs := hosts(side.hosts, principals)
		for _, p := range principals {
			for _, op := range ops {
				for _, h := range hs {
					out = append(out, aclEntry{Principal: p, Host: h, Operation: op, Permission: side.perm})
				}
			}
		}
	}
	return out, nil
}

// plan is AclCommand.getResourceFilterToAcls: the ACLs of the --operation
// flags on every resource, or those --producer and --consumer stand for,
// each checked against the operations its resource type supports.
func (o ACLsOptions) plan(pattern kmsg.ACLResourcePatternType) (aclPlan, error) {
	rs, err := o.resources(pattern, true)
	if err != nil {
		return nil, err
	}
	var p aclPlan
	add := func(t kmsg.ACLResourceType, ops ...kmsg.ACLOperation) error {
		es, err := o.entries(ops)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if t == kmsg.ACLResourceTypeAny || r.Type == t {
				p.merge(r, es)
			}
		}
		return nil
	}
	if !o.Producer && !o.Consumer {
		var ops []kmsg.ACLOperation
		for _, name := range o.Operations {
			if op := parseACLOperation(strings.TrimSpace(name)); !slices.Contains(ops, op) {
				ops = append(ops, op)
			}
		}
		if ops == nil {
			ops = []kmsg.ACLOperation{kmsg.ACLOperationAll}
		}
		if err := add(kmsg.ACLResourceTypeAny, ops...); err != nil {
			return nil, err
		}
	}
	if o.Producer {
		if err := add(kmsg.ACLResourceTypeTopic, kmsg.ACLOperationWrite, kmsg.ACLOperationDescribe, kmsg.ACLOperationCreate); err != nil {
			return nil, err
		}
		if err := add(kmsg.ACLResourceTypeTransactionalId, kmsg.ACLOperationWrite, kmsg.ACLOperationDescribe); err != nil {
			return nil, err
		}
		if o.Idempotent {
			if err := add(kmsg.ACLResourceTypeCluster, kmsg.ACLOperationIdempotentWrite); err != nil {
				return nil, err
			}
		}
	}
	if o.Consumer {
		if err := add(kmsg.ACLResourceTypeTopic, kmsg.ACLOperationRead, kmsg.ACLOperationDescribe); err != nil {
			return nil, err
		}
		if err := add(kmsg.ACLResourceTypeGroup, kmsg.ACLOperationRead); err != nil {
			return nil, err
		}
	}
	return p, p.checkOperations()
}

// checkOperations is AclCommand.validateOperation.
func (p aclPlan) checkOperations() error {
	for _, ra := range p {
		valid := append([]kmsg.ACLOperation{kmsg.ACLOperationAll}, aclSupportedOperations[ra.resource.Type]...)
		for _, e := range ra.entries {
			if !slices.Contains(valid, e.Operation) {
				names := make([]string, len(valid))
				for i, op := range valid {
					names[i] = pascalCase(op.String())
				}
				return fmt.Errorf("ResourceType %s only supports operations %s", ra.resource.Type, strings.Join(names, ", "))
			}
		}
	}
	return nil
}

// addPlan is AclCommand.getResourceToAcls: a plan of specific patterns whose
// every resource gets at least one ACL.
func (o ACLsOptions) addPlan() (aclPlan, error) {
	pattern, err := o.patternType()
	if err != nil {
		return nil, err
	}
	if pattern != kmsg.ACLResourcePatternTypeLiteral && pattern != kmsg.ACLResourcePatternTypePrefixed {
		return nil, fmt.Errorf("a '--resource-pattern-type' value of '%s' is not valid when adding acls", pattern)
	}
	p, err := o.plan(pattern)
	if err != nil {
		return nil, err
	}
	for _, ra := range p {
		if len(ra.entries) == 0 {
			return nil, errors.New("you must specify one of: --allow-principal, --deny-principal when trying to add ACLs")
		}
	}
	return p, nil
}
