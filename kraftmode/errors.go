package kraftmode

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
)

// kafkaError carries a Kafka error code together with the message Kafka's controller
// would put in the response's ErrorMessage, so the broker can answer with both.
// errors.Is(err, kerr.X) holds through it.
type kafkaError struct {
	code *kerr.Error
	msg  string
}

func (e *kafkaError) Error() string { return e.msg }

func (e *kafkaError) Unwrap() error { return e.code }

// kafkaErr builds a kafkaError with a Kafka-worded message.
func kafkaErr(code *kerr.Error, format string, args ...any) error {
	return &kafkaError{code: code, msg: fmt.Sprintf(format, args...)}
}
