package metadata

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
)

// maxTopicNameLen is Kafka's Topic.MAX_NAME_LENGTH: 255 minus room for the partition
// suffix and the ".deleted" marker of the log directory name.
const maxTopicNameLen = 249

// ValidateTopicName applies Kafka's Topic.validate rules; the error wraps
// kerr.InvalidTopicException so handlers can answer with its code.
func ValidateTopicName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: topic name is illegal, it can't be empty", kerr.InvalidTopicException)
	case name == "." || name == "..":
		return fmt.Errorf("%w: topic name cannot be \".\" or \"..\"", kerr.InvalidTopicException)
	case len(name) > maxTopicNameLen:
		return fmt.Errorf("%w: topic name is illegal, it can't be longer than %d characters, topic name: %s", kerr.InvalidTopicException, maxTopicNameLen, name)
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%w: topic name %q is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'", kerr.InvalidTopicException, name)
		}
	}
	return nil
}
