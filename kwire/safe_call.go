package kwire

import (
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// PanicError is a handler's panic turned into an error by Call. The stack was logged
// once where it happened; the server closes the one connection whose request hit it.
type PanicError struct {
	API   string
	Value any
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("%s handler panicked: %v", e.API, e.Value)
}

// Call runs one request's handler so that no request can take the process down: a
// panic is logged with its stack, once, and returned as a *PanicError, and the caller
// closes only that connection; every other connection and the process go on.
func Call(log *slog.Logger, hdr Header, fn func() (kmsg.Response, error)) (resp kmsg.Response, err error) {
	defer func() {
		if v := recover(); v != nil {
			api := kmsg.NameForKey(hdr.Key)
			log.Error("request handler panicked; closing its connection", "api", api, "version", hdr.Version,
				"client_id", hdr.ClientID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			resp, err = nil, &PanicError{API: api, Value: v}
		}
	}()
	return fn()
}
