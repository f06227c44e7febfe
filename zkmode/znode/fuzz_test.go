package znode

import (
	"reflect"
	"testing"
)

// The decoders read whatever a ZooKeeper holds, written by any Kafka or by hand. The
// fuzz targets check that they never panic and that whatever they accept survives
// being written back and read again unchanged.

// fuzzRoundTrip decodes data; when that succeeds, encode must produce data that
// decodes to the same value.
func fuzzRoundTrip[T any](t *testing.T, data []byte, decode func([]byte) (T, error), encode func(T) ([]byte, error)) {
	v, err := decode(data)
	if err != nil {
		return
	}
	enc, err := encode(v)
	if err != nil {
		t.Fatalf("decoded %q to %+v, which does not encode: %v", data, v, err)
	}
	back, err := decode(enc)
	if err != nil {
		t.Fatalf("decoded %q to %+v, encoded as %q, which does not decode: %v", data, v, enc, err)
	}
	if !reflect.DeepEqual(back, v) {
		t.Fatalf("decoded %q to %+v, encoded as %q, which decodes to %+v", data, v, enc, back)
	}
}

// infallible adapts an encoder without an error result.
func infallible[T any](encode func(T) []byte) func(T) ([]byte, error) {
	return func(v T) ([]byte, error) { return encode(v), nil }
}

func FuzzDecodeBroker(f *testing.F) {
	f.Add([]byte(referenceBrokerV5))
	f.Add([]byte(`{"version":1,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666"}`))
	f.Add([]byte(`{"version":2,"host":"h","port":9092,"jmx_port":-1,"timestamp":"1","endpoints":["PLAINTEXT://h:9092","SSL://[::1]:9093"]}`))
	f.Add([]byte(`{"features":{"f":{"min_version":0,"max_version":3}},"listener_security_protocol_map":{"A":"SASL_SSL"},"endpoints":["a://:1"],"rack":"r","jmx_port":1,"port":-1,"host":null,"version":5,"timestamp":"9"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeBroker(data)
		if err != nil || !encodable(v) {
			return
		}
		fuzzRoundTrip(t, data, DecodeBroker, EncodeBroker)
	})
}

// encodable reports whether Kafka could have written b: never v1 (0.9+ writes v2 and
// up), no rack before v3, no features before v5, and before v4, which has no listener
// map, only listeners named after their security protocol. Decoding, like Kafka's,
// reads every field whatever the version says.
func encodable(b BrokerZNode) bool {
	if b.Version == 1 || b.Version < 3 && b.Rack != "" || b.Version < 5 && b.Features != nil {
		return false
	}
	for _, e := range b.Endpoints {
		if name, _ := SecurityProtocolName(e.SecurityProtocol); b.Version < 4 && e.Name != name {
			return false
		}
	}
	return true
}

func FuzzDecodeTopic(f *testing.F) {
	f.Add([]byte(referenceTopicV3))
	f.Add([]byte(`{"version":1,"partitions":{"0":[1,2],"1":[]}}`))
	f.Add([]byte(`{"version":2,"partitions":{"0":[1,2,3]},"adding_replicas":{"0":[3]},"removing_replicas":{"0":[]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeTopic, infallible(EncodeTopic))
	})
}

func FuzzDecodePartitionState(f *testing.F) {
	f.Add([]byte(`{"version":1,"leader":1,"leader_epoch":0,"controller_epoch":1,"isr":[1,2,3]}`))
	f.Add([]byte(`{"controller_epoch":1,"leader":-1,"version":1,"leader_epoch":0,"isr":[],"leader_recovery_state":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodePartitionState, infallible(EncodePartitionState))
	})
}

func FuzzDecodeConfig(f *testing.F) {
	f.Add([]byte(`{"version":1,"config":{"cleanup.policy":"compact","SCRAM-SHA-256":"salt=AA==,stored_key=AA==,server_key=AA==,iterations=4096"}}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeConfig, infallible(EncodeConfig))
	})
}

func FuzzDecodeConfigChange(f *testing.F) {
	f.Add([]byte(`{"version":2,"entity_path":"brokers/<default>"}`))
	f.Add([]byte(`{"version":1,"entity_type":"topics","entity_name":"orders"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeConfigChange, infallible(EncodeConfigChange))
	})
}

func FuzzParseScramCredential(f *testing.F) {
	f.Add(aliceScramSHA256)
	f.Add("iterations=4096,server_key=AQI,stored_key=AwQ=,salt=,")
	f.Fuzz(func(t *testing.T, s string) {
		fuzzRoundTrip(t, []byte(s),
			func(b []byte) (ScramCredential, error) { return ParseScramCredential(string(b)) },
			func(c ScramCredential) ([]byte, error) { return []byte(FormatScramCredential(c)), nil })
	})
}

func FuzzDecodeController(f *testing.F) {
	f.Add([]byte(`{"version":2,"brokerid":1,"timestamp":"1700000000000","kraftControllerEpoch":-1}`))
	f.Add([]byte(`{"version":1,"brokerid":1,"timestamp":"1"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeController, infallible(EncodeController))
	})
}

func FuzzDecodeControllerEpoch(f *testing.F) {
	f.Add([]byte("5"))
	f.Add([]byte("-2147483648"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeControllerEpoch, infallible(EncodeControllerEpoch))
	})
}

func FuzzDecodeClusterID(f *testing.F) {
	f.Add([]byte(`{"version":"1","id":"fMCL8kv1SWm87L_Md-I2hg"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeClusterID, infallible(EncodeClusterID))
	})
}

func FuzzDecodeFeature(f *testing.F) {
	f.Add([]byte(`{"version":2,"status":1,"features":{"metadata.version":{"max_version_level":21}}}`))
	f.Add([]byte(`{"version":1,"status":0,"features":{"f":{"max_version_level":3,"min_version_level":1}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeFeature, EncodeFeature)
	})
}

func FuzzDecodeMigration(f *testing.F) {
	f.Add([]byte(`{"version":0,"kraft_controller_id":3000,"kraft_controller_epoch":5,"kraft_metadata_offset":1234,"kraft_metadata_epoch":5}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeMigration, infallible(EncodeMigration))
	})
}

func FuzzDecodeACLs(f *testing.F) {
	f.Add([]byte(`{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}`))
	f.Add([]byte(`{"acls":[{"principal":"User:*","permissionType":"DENY","host":"h","operation":"describeconfigs"}],"version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeACLs, EncodeACLs)
	})
}

func FuzzDecodeACLChange(f *testing.F) {
	f.Add([]byte("TOPIC:orders"))
	f.Add([]byte(`{"version":1,"resourceType":"TOPIC","name":"payments-","patternType":"PREFIXED"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeLiteralACLChange, EncodeACLChange)
		fuzzRoundTrip(t, data, DecodeExtendedACLChange, EncodeACLChange)
	})
}

func FuzzDecodeAdmin(f *testing.F) {
	f.Add([]byte(`{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}`))
	f.Add([]byte(`{"version":1,"partitions":[{"topic":"t","partition":0}]}`))
	f.Add([]byte(`{"version":1,"broker":3,"event":1}`))
	f.Add([]byte(`{"version":1,"broker":0,"block_start":"0","block_end":"999"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeReassignPartitions, infallible(EncodeReassignPartitions))
		fuzzRoundTrip(t, data, DecodePartitions, infallible(EncodePartitions))
		fuzzRoundTrip(t, data, DecodeLogDirEvent, infallible(EncodeLogDirEvent))
		fuzzRoundTrip(t, data, DecodeProducerIDBlock, infallible(EncodeProducerIDBlock))
	})
}
