package broker

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// FuzzParseRequest feeds arbitrary frames to the request decoder: it must return an
// error or a request, never panic.
func FuzzParseRequest(f *testing.F) {
	for _, k := range brokerAPIs.ApiKeys() {
		req := kmsg.RequestForKey(k.ApiKey)
		req.SetVersion(k.MaxVersion)
		frame := []byte{byte(k.ApiKey >> 8), byte(k.ApiKey), byte(k.MaxVersion >> 8), byte(k.MaxVersion), 0, 0, 0, 1, 0xff, 0xff}
		if req.IsFlexible() {
			frame = append(frame, 0)
		}
		f.Add(req.AppendTo(frame))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		_, _, _ = brokerAPIs.Decode(frame)
	})
}
