package metadata

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Error carries a Kafka error code together with the message Kafka would put in the
// response's ErrorMessage, so a broker can answer with both whichever mode produced
// it. errors.Is(err, kerr.X) holds through it.
type Error struct {
	Code *kerr.Error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the Kafka error code.
func (e *Error) Unwrap() error { return e.Code }

// Errorf builds an Error with a Kafka-worded message.
func Errorf(code *kerr.Error, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}
