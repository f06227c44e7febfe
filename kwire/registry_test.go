package kwire

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func testRegistry() *Registry[string] {
	r := NewRegistry[string]()
	r.Register(18, 0, 4, "api-versions")
	r.Register(3, 0, 12, "metadata")
	return r
}

func frame(key, version int16, req kmsg.Request) []byte {
	req.SetVersion(version)
	return AppendRequest(nil, 7, "test", req)[4:]
}

// TestRegistryDecode: a served request reaches its handler; ApiVersions at a version
// not served, or with a body that does not parse, is answered (KIP-511); anything
// else that cannot be served is an error that closes the connection.
func TestRegistryDecode(t *testing.T) {
	r := testRegistry()
	req, early, err := r.Decode(frame(3, 9, kmsg.NewPtrMetadataRequest()))
	if err != nil || early != nil || req.Handler != "metadata" || req.Header.Version != 9 || req.Header.CorrelationID != 7 {
		t.Fatalf("metadata v9: %+v %v %v", req, early, err)
	}

	tooNew := frame(18, 4, kmsg.NewPtrApiVersionsRequest())
	tooNew[3] = 9 // version 9
	_, early, err = r.Decode(tooNew)
	av, ok := early.(*kmsg.ApiVersionsResponse)
	if err != nil || !ok || av.ErrorCode != kerr.UnsupportedVersion.Code || av.Version != 0 || len(av.ApiKeys) != 2 {
		t.Fatalf("ApiVersions v9: %+v %v", early, err)
	}

	garbled := frame(18, 3, kmsg.NewPtrApiVersionsRequest())
	garbled = garbled[:len(garbled)-2]
	_, early, err = r.Decode(garbled)
	if av, ok := early.(*kmsg.ApiVersionsResponse); err != nil || !ok || av.ErrorCode != kerr.InvalidRequest.Code || av.Version != 3 {
		t.Fatalf("unreadable ApiVersions v3: %+v %v", early, err)
	}

	for name, f := range map[string][]byte{
		"unserved key":     frame(0, 9, kmsg.NewPtrProduceRequest()),
		"unserved version": frame(3, 13, kmsg.NewPtrMetadataRequest()),
		"truncated body":   frame(3, 12, kmsg.NewPtrMetadataRequest())[:14],
		"no header":        {0, 3},
	} {
		if _, early, err := r.Decode(f); err == nil || early != nil {
			t.Errorf("%s: answer %v, error %v; want an error", name, early, err)
		}
	}
}

// TestRegistryApiKeys: the ApiVersions list is every registered API in key order.
func TestRegistryApiKeys(t *testing.T) {
	keys := testRegistry().ApiKeys()
	if len(keys) != 2 || keys[0].ApiKey != 3 || keys[0].MaxVersion != 12 || keys[1].ApiKey != 18 || keys[1].MinVersion != 0 {
		t.Fatalf("api keys %+v", keys)
	}
}

// TestRegisterRefusesWhatCannotBeServed: a range franz-go cannot encode or a key
// registered twice fails at start-up, not on a client's request.
func TestRegisterRefusesWhatCannotBeServed(t *testing.T) {
	for name, reg := range map[string]func(r *Registry[string]){
		"beyond kmsg": func(r *Registry[string]) { r.Register(3, 0, 99, "x") },
		"inverted":    func(r *Registry[string]) { r.Register(3, 5, 2, "x") },
		"twice":       func(r *Registry[string]) { r.Register(18, 0, 3, "x") },
		"unknown key": func(r *Registry[string]) { r.Register(9999, 0, 0, "x") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: registered", name)
				}
			}()
			reg(testRegistry())
		}()
	}
}

// TestCallTurnsAPanicIntoAnError: Call recovers a handler's panic into a *PanicError.
func TestCallTurnsAPanicIntoAnError(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	_, err := Call(log, Header{Key: 3, Version: 12}, func() (kmsg.Response, error) { panic("boom") })
	var pe *PanicError
	if !errors.As(err, &pe) || pe.API != "Metadata" || !strings.Contains(logs.String(), "boom") {
		t.Fatalf("err %v, logs %s", err, logs.String())
	}
}
