package broker

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/metadata"
)

// DescribeClientQuotas: v0-1
//
// Behavior:
// * Lists the client quotas of the metadata image (ZooKeeper's /config/users,
//   /config/clients and /config/ips, or the log's ClientQuotaRecords) that match the
//   filter as ClientQuotasImage.describe matches them: exact names, the default
//   entity, any name of a type; strict leaves out entities with types the filter does
//   not name. kbridge keeps quotas (the migration copies them) but does not enforce
//   them.
// * Authorization: DescribeConfigs on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
// * INVALID_REQUEST for a malformed filter, UNSUPPORTED_VERSION for an entity type
//   other than user, client-id and ip, as Kafka answers.
// Version notes:
// * v1: flexible

func init() { regKey(48, 0, 1, handleDescribeClientQuotas) }

// quotaEntityTypes are the entity types a quota filter may name.
var quotaEntityTypes = map[string]bool{"user": true, "client-id": true, "ip": true}

func handleDescribeClientQuotas(b *Broker, c *clientConn, _ *requestHeader, kreq kmsg.Request) (kmsg.Response, error) {
	req := kreq.(*kmsg.DescribeClientQuotasRequest)
	resp := req.ResponseKind().(*kmsg.DescribeClientQuotasResponse)
	img := b.Image()
	fail := func(code *kerr.Error, msg string) (kmsg.Response, error) {
		resp.ErrorCode, resp.ErrorMessage = code.Code, &msg
		return resp, nil
	}
	if !c.authorizedCluster(img, metadata.ACLOperationDescribeConfigs) {
		return fail(kerr.ClusterAuthorizationFailed, "not authorized to describe client quotas")
	}
	exact := map[string]*string{}
	typed := map[string]bool{}
	for _, comp := range req.Components {
		_, inExact := exact[comp.EntityType]
		switch {
		case comp.EntityType == "":
			return fail(kerr.InvalidRequest, "invalid empty entity type")
		case inExact || typed[comp.EntityType]:
			return fail(kerr.InvalidRequest, fmt.Sprintf("entity type %s cannot appear more than once in the filter", comp.EntityType))
		case !quotaEntityTypes[comp.EntityType]:
			return fail(kerr.UnsupportedVersion, "unsupported entity type "+comp.EntityType)
		}
		switch comp.MatchType {
		case 0:
			if comp.Match == nil {
				return fail(kerr.InvalidRequest, "MATCH_TYPE_EXACT with a null match string")
			}
			exact[comp.EntityType] = comp.Match
		case 1:
			if comp.Match != nil {
				return fail(kerr.InvalidRequest, "MATCH_TYPE_DEFAULT with a match string")
			}
			exact[comp.EntityType] = nil
		case 2:
			if comp.Match != nil {
				return fail(kerr.InvalidRequest, "MATCH_TYPE_SPECIFIED with a match string")
			}
			typed[comp.EntityType] = true
		default:
			return fail(kerr.InvalidRequest, fmt.Sprintf("unknown match type %d", comp.MatchType))
		}
	}
	_, ipExact := exact["ip"]
	_, userExact := exact["user"]
	_, clientExact := exact["client-id"]
	if (ipExact || typed["ip"]) && (userExact || typed["user"] || clientExact || typed["client-id"]) {
		return fail(kerr.InvalidRequest, "an ip filter component cannot be combined with user or client-id components")
	}
	for _, q := range img.Quotas {
		if !quotaMatches(q, exact, typed, req.Strict) {
			continue
		}
		e := kmsg.NewDescribeClientQuotasResponseEntry()
		for _, part := range q.Entity {
			ep := kmsg.NewDescribeClientQuotasResponseEntryEntity()
			ep.Type, ep.Name = part.Type, part.Name
			e.Entity = append(e.Entity, ep)
		}
		for _, key := range slices.Sorted(maps.Keys(q.Values)) {
			v := kmsg.NewDescribeClientQuotasResponseEntryValue()
			v.Key, v.Value = key, q.Values[key]
			e.Values = append(e.Values, v)
		}
		resp.Entries = append(resp.Entries, e)
	}
	slices.SortFunc(resp.Entries, func(a, b kmsg.DescribeClientQuotasResponseEntry) int {
		return cmp.Compare(quotaEntityKey(a.Entity), quotaEntityKey(b.Entity))
	})
	return resp, nil
}

// quotaMatches is ClientQuotasImage.matches.
func quotaMatches(q *metadata.QuotaEntity, exact map[string]*string, typed map[string]bool, strict bool) bool {
	if strict && len(q.Entity) != len(exact)+len(typed) {
		return false
	}
	names := map[string]*string{}
	for _, part := range q.Entity {
		names[part.Type] = part.Name
	}
	for typ, want := range exact {
		got, ok := names[typ]
		if !ok || (got == nil) != (want == nil) || (got != nil && *got != *want) {
			return false
		}
	}
	for typ := range typed {
		if _, ok := names[typ]; !ok {
			return false
		}
	}
	return true
}

// quotaEntityKey orders response entries stably: type and name of each part.
func quotaEntityKey(parts []kmsg.DescribeClientQuotasResponseEntryEntity) string {
	var out []string
	for _, p := range parts {
		name := "<default>"
		if p.Name != nil {
			name = *p.Name
		}
		out = append(out, p.Type+"="+name)
	}
	return strings.Join(out, ",")
}
