package metadata

import "github.com/twmb/franz-go/pkg/kmsg"

// CreateAcls and DeleteAcls travel as Kafka requests from a client to a broker, and
// from a KRaft broker to the active controller, and are handled as ACLBindings and
// ACLFilters on every leg: these are the one conversion between the two, so a field
// cannot be carried on one leg and dropped on another.

// ACLBindingFromCreation is one CreateAcls creation as an ACLBinding.
func ACLBindingFromCreation(c kmsg.CreateACLsRequestCreation) ACLBinding {
	return ACLBinding{
		ResourceType: int8(c.ResourceType), ResourceName: c.ResourceName, PatternType: int8(c.ResourcePatternType),
		Principal: c.Principal, Host: c.Host, Operation: int8(c.Operation), PermissionType: int8(c.PermissionType),
	}
}

// Creation is b as a CreateAcls creation.
func (b ACLBinding) Creation() kmsg.CreateACLsRequestCreation {
	c := kmsg.NewCreateACLsRequestCreation()
	c.ResourceType, c.ResourceName = kmsg.ACLResourceType(b.ResourceType), b.ResourceName
	c.ResourcePatternType = kmsg.ACLResourcePatternType(b.PatternType)
	c.Principal, c.Host = b.Principal, b.Host
	c.Operation, c.PermissionType = kmsg.ACLOperation(b.Operation), kmsg.ACLPermissionType(b.PermissionType)
	return c
}

// ACLFilterFromDeletion is one DeleteAcls filter as an ACLFilter.
func ACLFilterFromDeletion(f kmsg.DeleteACLsRequestFilter) ACLFilter {
	return ACLFilter{
		ResourceType: int8(f.ResourceType), ResourceName: f.ResourceName, PatternType: int8(f.ResourcePatternType),
		Principal: f.Principal, Host: f.Host, Operation: int8(f.Operation), PermissionType: int8(f.PermissionType),
	}
}

// DeletionFilter is f as a DeleteAcls filter.
func (f ACLFilter) DeletionFilter() kmsg.DeleteACLsRequestFilter {
	d := kmsg.NewDeleteACLsRequestFilter()
	d.ResourceType, d.ResourceName = kmsg.ACLResourceType(f.ResourceType), f.ResourceName
	d.ResourcePatternType = kmsg.ACLResourcePatternType(f.PatternType)
	d.Principal, d.Host = f.Principal, f.Host
	d.Operation, d.PermissionType = kmsg.ACLOperation(f.Operation), kmsg.ACLPermissionType(f.PermissionType)
	return d
}

// ResponseResult is r as one DeleteAcls filter result: the error, or every ACL the
// filter deleted. code maps an error to its Kafka code as the answering server does.
func (r DeleteACLsResult) ResponseResult(code func(error) int16) kmsg.DeleteACLsResponseResult {
	out := kmsg.NewDeleteACLsResponseResult()
	if r.Err != nil {
		msg := r.Err.Error()
		out.ErrorCode, out.ErrorMessage = code(r.Err), &msg
		return out
	}
	out.MatchingACLs = make([]kmsg.DeleteACLsResponseResultMatchingACL, 0, len(r.Deleted))
	for _, b := range r.Deleted {
		m := kmsg.NewDeleteACLsResponseResultMatchingACL()
		m.ResourceType, m.ResourceName = kmsg.ACLResourceType(b.ResourceType), b.ResourceName
		m.ResourcePatternType = kmsg.ACLResourcePatternType(b.PatternType)
		m.Principal, m.Host = b.Principal, b.Host
		m.Operation, m.PermissionType = kmsg.ACLOperation(b.Operation), kmsg.ACLPermissionType(b.PermissionType)
		out.MatchingACLs = append(out.MatchingACLs, m)
	}
	return out
}

// ACLBindingFromMatch is one ACL a DeleteAcls result lists as deleted.
func ACLBindingFromMatch(m kmsg.DeleteACLsResponseResultMatchingACL) ACLBinding {
	return ACLBinding{
		ResourceType: int8(m.ResourceType), ResourceName: m.ResourceName, PatternType: int8(m.ResourcePatternType),
		Principal: m.Principal, Host: m.Host, Operation: int8(m.Operation), PermissionType: int8(m.PermissionType),
	}
}
