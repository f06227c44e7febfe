package kclient

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
)

// kafkaErr turns a response's error code and optional message into an error
// that prints Kafka's error name first (TOPIC_ALREADY_EXISTS: ...), which is
// what operators search for; it is nil for code 0.
func kafkaErr(code int16, msg *string) error {
	err := kerr.ErrorForCode(code)
	if err == nil {
		return nil
	}
	if msg != nil && *msg != "" {
		return fmt.Errorf("%w %s", err, *msg)
	}
	return err
}
