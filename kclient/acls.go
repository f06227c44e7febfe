package kclient

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ManageACLs adds, removes or lists ACLs as kafka-acls.sh does, with its
// flags, checks, confirmation prompt and output. It speaks CreateAcls,
// DeleteAcls and DescribeAcls directly (kmsg) rather than through
// kadm.ACLBuilder, whose resource types stop short of USER, which
// --user-principal names.
func ManageACLs(ctx context.Context, in io.Reader, out io.Writer, o ACLsOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	var plan aclPlan
	var err error
	switch {
	case o.Add:
		plan, err = o.addPlan()
	case o.Remove:
		plan, err = o.removePlan()
	}
	if err != nil {
		return err
	}
	cl, err := o.newClient(roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	switch {
	case o.Add:
		return addACLs(ctx, cl, out, plan)
	case o.Remove:
		return removeACLs(ctx, cl, bufio.NewReader(in), out, o.Force, plan)
	}
	return o.listACLs(ctx, cl, out)
}

// removePlan is the plan of --remove: filters of any pattern type.
func (o ACLsOptions) removePlan() (aclPlan, error) {
	pattern, err := o.patternType()
	if err != nil {
		return nil, err
	}
	return o.plan(pattern)
}

// addACLs creates each resource's ACLs after printing them, one request per
// resource as AclCommand sends them.
func addACLs(ctx context.Context, cl *kgo.Client, out io.Writer, plan aclPlan) error {
	for _, ra := range plan {
		writeResourceACLs(out, "Adding ACLs for resource", ra.resource, ra.entries)
		req := kmsg.NewPtrCreateACLsRequest()
		for _, e := range ra.entries {
			c := kmsg.NewCreateACLsRequestCreation()
			c.ResourceType, c.ResourceName, c.ResourcePatternType = ra.resource.Type, ra.resource.Name, ra.resource.Pattern
			c.Principal, c.Host, c.Operation, c.PermissionType = e.Principal, e.Host, e.Operation, e.Permission
			req.Creations = append(req.Creations, c)
		}
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return fmt.Errorf("create ACLs for resource `%s`: %w", ra.resource, err)
		}
		if len(resp.Results) != len(ra.entries) {
			return fmt.Errorf("create ACLs for resource `%s`: %d results to %d ACLs", ra.resource, len(resp.Results), len(ra.entries))
		}
		for i, r := range resp.Results {
			if err := kafkaErr(r.ErrorCode, r.ErrorMessage); err != nil {
				return fmt.Errorf("create ACL %s for resource `%s`: %w", ra.entries[i], ra.resource, err)
			}
		}
	}
	return nil
}

// removeACLs deletes, for each filter the user confirms, the ACLs listed
// for it, or all of its ACLs when none are.
func removeACLs(ctx context.Context, cl *kgo.Client, in *bufio.Reader, out io.Writer, force bool, plan aclPlan) error {
	for _, ra := range plan {
		if !confirmRemoval(in, out, force, ra) {
			continue
		}
		req := kmsg.NewPtrDeleteACLsRequest()
		if len(ra.entries) == 0 {
			req.Filters = append(req.Filters, deleteFilter(ra.resource, nil))
		}
		for _, e := range ra.entries {
			req.Filters = append(req.Filters, deleteFilter(ra.resource, &e))
		}
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return fmt.Errorf("delete ACLs of resource filter `%s`: %w", ra.resource, err)
		}
		for _, r := range resp.Results {
			if err := kafkaErr(r.ErrorCode, r.ErrorMessage); err != nil {
				return fmt.Errorf("delete ACLs of resource filter `%s`: %w", ra.resource, err)
			}
			for _, m := range r.MatchingACLs {
				if err := kafkaErr(m.ErrorCode, m.ErrorMessage); err != nil {
					return fmt.Errorf("delete ACLs of resource filter `%s`: %w", ra.resource, err)
				}
			}
		}
	}
	return nil
}

// deleteFilter is an AclBindingFilter of r and e, or of r and any entry
// (AccessControlEntryFilter.ANY) when e is nil.
func deleteFilter(r aclResource, e *aclEntry) kmsg.DeleteACLsRequestFilter {
	f := kmsg.NewDeleteACLsRequestFilter()
	f.ResourceType, f.ResourceName, f.ResourcePatternType = r.Type, kmsg.StringPtr(r.Name), r.Pattern
	f.Operation, f.PermissionType = kmsg.ACLOperationAny, kmsg.ACLPermissionTypeAny
	if e != nil {
		f.Principal, f.Host = kmsg.StringPtr(e.Principal), kmsg.StringPtr(e.Host)
		f.Operation, f.PermissionType = e.Operation, e.Permission
	}
	return f
}

// listACLs prints the ACLs matching the resources named (every ACL when none
// are), grouped by resource; with --principal, only each principal's.
func (o ACLsOptions) listACLs(ctx context.Context, cl *kgo.Client, out io.Writer) error {
	pattern, err := o.patternType()
	if err != nil {
		return err
	}
	filters, err := o.resources(pattern, false)
	if err != nil {
		return err
	}
	principals, err := parsePrincipals(o.Principals)
	if err != nil {
		return err
	}
	found, err := describeACLs(ctx, cl, filters)
	if err != nil {
		return err
	}
	if len(principals) == 0 {
		for _, ra := range found {
			writeResourceACLs(out, "Current ACLs for resource", ra.resource, ra.entries)
		}
		return nil
	}
	for _, p := range principals {
		fmt.Fprintf(out, "ACLs for principal `%s`\n", p)
		for _, ra := range found {
			mine := slices.DeleteFunc(slices.Clone(ra.entries), func(e aclEntry) bool { return e.Principal != p })
			if len(mine) > 0 {
				writeResourceACLs(out, "Current ACLs for resource", ra.resource, mine)
			}
		}
	}
	return nil
}

// describeACLs asks for the ACLs of each filter with any entry (of every ACL
// without filters) and groups them by resource pattern, sorted by type, name
// and pattern type so that the listing is stable.
func describeACLs(ctx context.Context, cl *kgo.Client, filters []aclResource) (aclPlan, error) {
	if len(filters) == 0 {
		filters = []aclResource{{Type: kmsg.ACLResourceTypeAny, Pattern: kmsg.ACLResourcePatternTypeAny}}
	}
	var found aclPlan
	for _, f := range filters {
		req := kmsg.NewPtrDescribeACLsRequest()
		req.ResourceType, req.ResourcePatternType = f.Type, f.Pattern
		if f.Type != kmsg.ACLResourceTypeAny {
			req.ResourceName = kmsg.StringPtr(f.Name)
		}
		req.Operation, req.PermissionType = kmsg.ACLOperationAny, kmsg.ACLPermissionTypeAny
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return nil, fmt.Errorf("describe ACLs: %w", err)
		}
		if err := kafkaErr(resp.ErrorCode, resp.ErrorMessage); err != nil {
			return nil, fmt.Errorf("describe ACLs: %w", err)
		}
		for _, r := range resp.Resources {
			var entries []aclEntry
			for _, a := range r.ACLs {
				entries = append(entries, aclEntry{Principal: a.Principal, Host: a.Host, Operation: a.Operation, Permission: a.PermissionType})
			}
			found.merge(aclResource{Type: r.ResourceType, Name: r.ResourceName, Pattern: r.ResourcePatternType}, entries)
		}
	}
	slices.SortFunc(found, func(a, b resourceACLs) int {
		return cmp.Or(cmp.Compare(a.resource.Type, b.resource.Type), strings.Compare(a.resource.Name, b.resource.Name),
			cmp.Compare(a.resource.Pattern, b.resource.Pattern))
	})
	return found, nil
}
