package kraftmode

import (
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/metadata"
)

// kafkaErr builds an error with a Kafka error code and the message Kafka's controller
// would put in the response's ErrorMessage.
func kafkaErr(code *kerr.Error, format string, args ...any) error {
	return metadata.Errorf(code, format, args...)
}
