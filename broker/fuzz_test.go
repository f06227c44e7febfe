package broker

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/kwire"
)

// FuzzParseRequest feeds arbitrary frames to the request decoder: it must return an
// error or a request, never panic.
func FuzzParseRequest(f *testing.F) {
	for _, h := range servedAPIs() {
		req := kmsg.RequestForKey(h.key)
		req.SetVersion(h.max)
		frame := []byte{byte(h.key >> 8), byte(h.key), byte(h.max >> 8), byte(h.max), 0, 0, 0, 1, 0xff, 0xff}
		if req.IsFlexible() {
			frame = append(frame, 0)
		}
		f.Add(req.AppendTo(frame))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		hdr, kreq, body, err := kwire.ParseRequest(frame)
		if err != nil {
			return
		}
		if h := lookupHandler(hdr.Key); h == nil || hdr.Version < h.min || hdr.Version > h.max {
			return
		}
		_ = kreq.ReadFrom(body)
	})
}
