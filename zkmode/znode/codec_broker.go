package znode

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kbridge/kbridge/metadata"
)

// /brokers/ids/<id> (ZkData BrokerIdZNode, BrokerInfo). Kafka writes v5 from IBP 2.7,
// v4 from IBP 0.10.0-IV1, v2 before; v3 (0.10.0) added rack, v4 the listener map, v5
// the supported features. v5:
//
//	{"version":5,"host":"localhost","port":9092,"jmx_port":-1,"timestamp":"1700000000000",
//	 "endpoints":["PLAINTEXT://localhost:9092"],"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},
//	 "features":{"metadata.version":{"min_version":1,"max_version":21}}}

// Security protocols as Kafka numbers them (SecurityProtocol.id), the values of
// metadata.Endpoint.SecurityProtocol.
const (
	SecurityProtocolPlaintext     int16 = 0
	SecurityProtocolSSL           int16 = 1
	SecurityProtocolSASLPlaintext int16 = 2
	SecurityProtocolSASLSSL       int16 = 3
)

var securityProtocolNames = map[int16]string{
	SecurityProtocolPlaintext:     "PLAINTEXT",
	SecurityProtocolSSL:           "SSL",
	SecurityProtocolSASLPlaintext: "SASL_PLAINTEXT",
	SecurityProtocolSASLSSL:       "SASL_SSL",
}

// SecurityProtocolName is SecurityProtocol.name for an id.
func SecurityProtocolName(id int16) (string, error) {
	name, ok := securityProtocolNames[id]
	if !ok {
		return "", fmt.Errorf("unknown security protocol id %d", id)
	}
	return name, nil
}

// ParseSecurityProtocol is SecurityProtocol.forName: the name in any case.
func ParseSecurityProtocol(name string) (int16, error) {
	upper := strings.ToUpper(name)
	for id, n := range securityProtocolNames {
		if n == upper {
			return id, nil
		}
	}
	return 0, fmt.Errorf("unknown security protocol %q", name)
}

// BrokerZNode is a broker's registration as its znode holds it.
type BrokerZNode struct {
	// Version is the JSON version, 1 to 5. EncodeBroker writes 2 to 5, the versions
	// Kafka 0.9+ writes.
	Version int32
	// JmxPort is -1 when JMX is off.
	JmxPort int32
	// Timestamp is the registration time in milliseconds (a string in the JSON).
	Timestamp int64
	// Endpoints are the advertised listeners in the znode's order. Name is the
	// upper-case listener name and Host is "" for the wildcard address.
	Endpoints []metadata.Endpoint
	// Rack is "" when broker.rack is unset (v3+).
	Rack string
	// Features are the supported feature ranges (v5), sorted by name.
	Features []metadata.FeatureRange
}

// EncodeBroker returns the znode data for b. The top-level host and port are those
// of the first PLAINTEXT endpoint, or null and -1 when there is none, for clients
// older than 0.9 that read only them. Before v4 there is no listener map, so every
// listener must be named after its security protocol.
func EncodeBroker(b BrokerZNode) ([]byte, error) {
	if b.Version < 2 || b.Version > 5 {
		return nil, fmt.Errorf("encode broker registration: unsupported version %d (want 2 to 5)", b.Version)
	}
	w := newJSONWriter().int("version", int64(b.Version))
	plaintext := slices.IndexFunc(b.Endpoints, func(e metadata.Endpoint) bool {
		return e.SecurityProtocol == SecurityProtocolPlaintext
	})
	if plaintext >= 0 && b.Endpoints[plaintext].Host != "" {
		w.string("host", b.Endpoints[plaintext].Host)
	} else {
		w.null("host")
	}
	if plaintext >= 0 {
		w.int("port", int64(b.Endpoints[plaintext].Port))
	} else {
		w.int("port", -1)
	}
	w.int("jmx_port", int64(b.JmxPort)).string("timestamp", strconv.FormatInt(b.Timestamp, 10))
	endpoints := make([]string, 0, len(b.Endpoints))
	protocols := newJSONWriter()
	seen := map[string]bool{}
	for _, e := range b.Endpoints {
		protocol, err := SecurityProtocolName(e.SecurityProtocol)
		if err != nil {
			return nil, fmt.Errorf("encode broker registration: listener %s: %w", e.Name, err)
		}
		if e.Name == "" || e.Name != strings.ToUpper(e.Name) {
			// Kafka upper-cases listener names (ListenerName.normalised) before it looks
			// them up in the map, so a lower-case key could never be found again.
			return nil, fmt.Errorf("encode broker registration: listener name %q is not upper-case", e.Name)
		}
		if b.Version < 4 && e.Name != protocol {
			return nil, fmt.Errorf("encode broker registration: v%d has no listener map, so listener %s cannot use %s", b.Version, e.Name, protocol)
		}
		endpoints = append(endpoints, connectionString(e))
		if !seen[e.Name] {
			seen[e.Name] = true
			protocols.string(e.Name, protocol)
		}
	}
	w.raw("endpoints", appendJSONStrings(nil, endpoints))
	if b.Version >= 3 && b.Rack != "" {
		w.string("rack", b.Rack)
	}
	if b.Version >= 4 {
		w.raw("listener_security_protocol_map", protocols.bytes())
	}
	if b.Version >= 5 {
		features := newJSONWriter()
		for _, f := range slices.SortedFunc(slices.Values(b.Features), func(a, b metadata.FeatureRange) int { return cmp.Compare(a.Name, b.Name) }) {
			features.raw(f.Name, newJSONWriter().int("min_version", int64(f.MinVersion)).int("max_version", int64(f.MaxVersion)).bytes())
		}
		w.raw("features", features.bytes())
	}
	return w.bytes(), nil
}

// connectionString is EndPoint.connectionString: NAME://host:port, an IPv6 host in
// brackets, and an empty host for the wildcard address.
func connectionString(e metadata.Endpoint) string {
	host := e.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return e.Name + "://" + host + ":" + strconv.Itoa(int(e.Port))
}

// DecodeBroker reads a broker znode of any version Kafka wrote, as
// BrokerIdZNode.decode does: v1 has only host and port (a PLAINTEXT listener); from
// v2 the endpoints are parsed with the listener map, or with Kafka's default map (each
// security protocol's name to itself) when the znode has none.
func DecodeBroker(data []byte) (BrokerZNode, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return BrokerZNode{}, err
	}
	var b BrokerZNode
	if b.Version, err = obj.version(1, 2, 3, 4, 5); err != nil {
		return BrokerZNode{}, err
	}
	if b.JmxPort, err = obj.int32("jmx_port"); err != nil {
		return BrokerZNode{}, err
	}
	if b.Timestamp, err = obj.optDecimalString("timestamp", 0); err != nil {
		return BrokerZNode{}, err
	}
	if b.Version == 1 {
		e, err := decodeV1Endpoint(obj)
		if err != nil {
			return BrokerZNode{}, err
		}
		b.Endpoints = []metadata.Endpoint{e}
	} else if b.Endpoints, err = decodeEndpoints(obj); err != nil {
		return BrokerZNode{}, err
	}
	if rack, ok, err := obj.optString("rack"); err != nil {
		return BrokerZNode{}, err
	} else if ok {
		b.Rack = rack
	}
	if b.Features, err = decodeBrokerFeatures(obj); err != nil {
		return BrokerZNode{}, err
	}
	return b, nil
}

func decodeV1Endpoint(obj jsonObject) (metadata.Endpoint, error) {
	host, err := obj.string("host")
	if err != nil {
		return metadata.Endpoint{}, err
	}
	port, err := obj.int32("port")
	if err != nil {
		return metadata.Endpoint{}, err
	}
	p, err := checkPort(int64(port))
	if err != nil {
		return metadata.Endpoint{}, fmt.Errorf("field \"port\": %w", err)
	}
	return metadata.Endpoint{Name: "PLAINTEXT", Host: host, Port: p, SecurityProtocol: SecurityProtocolPlaintext}, nil
}

// endpointPattern is SocketServerConfigs' URI_PARSE_REGEXP, matched on the whole string.
var endpointPattern = regexp.MustCompile(`^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$`)

func decodeEndpoints(obj jsonObject) ([]metadata.Endpoint, error) {
	protocols, err := listenerProtocols(obj)
	if err != nil {
		return nil, err
	}
	items, err := obj.array("endpoints")
	if err != nil {
		return nil, err
	}
	var out []metadata.Endpoint
	for i, raw := range items {
		s, err := jsonString(raw)
		if err != nil {
			return nil, fmt.Errorf("endpoints[%d]: %w", i, err)
		}
		e, err := parseEndpoint(s, protocols)
		if err != nil {
			return nil, fmt.Errorf("endpoints[%d]: %w", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// listenerProtocols reads listener_security_protocol_map, falling back to Kafka's
// default map (SocketServerConfigs.DEFAULT_NAME_TO_SECURITY_PROTO) when it is absent.
func listenerProtocols(obj jsonObject) (map[string]int16, error) {
	raw, ok := obj["listener_security_protocol_map"]
	if !ok {
		out := map[string]int16{}
		for id, name := range securityProtocolNames {
			out[name] = id
		}
		return out, nil
	}
	m, err := jsonObjectValue(raw)
	if err != nil {
		return nil, fmt.Errorf("field \"listener_security_protocol_map\": %w", err)
	}
	out := make(map[string]int16, len(m))
	for name, v := range m {
		s, err := jsonString(v)
		if err != nil {
			return nil, fmt.Errorf("listener_security_protocol_map[%q]: %w", name, err)
		}
		if out[name], err = ParseSecurityProtocol(s); err != nil {
			return nil, fmt.Errorf("listener_security_protocol_map[%q]: %w", name, err)
		}
	}
	return out, nil
}

// parseEndpoint is SocketServerConfigs.listenerListToEndPoints for one entry: the
// listener name is upper-cased (ListenerName.normalised) and must be in the map as
// written there.
func parseEndpoint(s string, protocols map[string]int16) (metadata.Endpoint, error) {
	m := endpointPattern.FindStringSubmatch(s)
	if m == nil {
		return metadata.Endpoint{}, fmt.Errorf("unable to parse %q to a broker endpoint", s)
	}
	name := strings.ToUpper(m[1])
	if name == "" {
		return metadata.Endpoint{}, fmt.Errorf("endpoint %q has no listener name", s)
	}
	protocol, ok := protocols[name]
	if !ok {
		return metadata.Endpoint{}, fmt.Errorf("no security protocol defined for listener %s", name)
	}
	port, err := strconv.ParseInt(m[3], 10, 64)
	if err != nil {
		return metadata.Endpoint{}, fmt.Errorf("endpoint %q: port %s is not a number", s, m[3])
	}
	p, err := checkPort(port)
	if err != nil {
		return metadata.Endpoint{}, fmt.Errorf("endpoint %q: %w", s, err)
	}
	return metadata.Endpoint{Name: name, Host: m[2], Port: p, SecurityProtocol: protocol}, nil
}

func checkPort(port int64) (uint16, error) {
	if port < 0 || port > 65535 {
		return 0, fmt.Errorf("port %d is out of range", port)
	}
	return uint16(port), nil
}

// decodeBrokerFeatures reads v5's supported features ({"name":{"min_version":n,
// "max_version":m}}); null or absent means none. SupportedVersionRange requires
// 0 <= min <= max.
func decodeBrokerFeatures(obj jsonObject) ([]metadata.FeatureRange, error) {
	features, err := obj.optObject("features")
	if err != nil {
		return nil, err
	}
	var out []metadata.FeatureRange
	for name, raw := range features {
		r, err := jsonObjectValue(raw)
		if err != nil {
			return nil, fmt.Errorf("features[%q]: %w", name, err)
		}
		f := metadata.FeatureRange{Name: name}
		if f.MinVersion, err = featureLevel(r, "min_version"); err != nil {
			return nil, fmt.Errorf("features[%q]: %w", name, err)
		}
		if f.MaxVersion, err = featureLevel(r, "max_version"); err != nil {
			return nil, fmt.Errorf("features[%q]: %w", name, err)
		}
		if f.MinVersion < 0 || f.MaxVersion < f.MinVersion {
			return nil, fmt.Errorf("features[%q]: invalid version range [%d, %d]", name, f.MinVersion, f.MaxVersion)
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b metadata.FeatureRange) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

func featureLevel(obj jsonObject, key string) (int16, error) {
	v, err := obj.int(key, 32)
	if err != nil {
		return 0, err
	}
	return int16Level(v, key)
}
