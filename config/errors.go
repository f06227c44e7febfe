package config

import "fmt"

// overrideSource is the File of a KeyError whose value came from --override,
// so the operator looks at the command line rather than the file.
const overrideSource = "--override"

// KeyError is a configuration error tied to one key, so that callers and
// tests can tell which key was wrong and operators see the file to fix.
type KeyError struct {
	File string // the properties file, or "--override"
	Key  string // the Kafka config key
	Msg  string // what is wrong with it
}

// Error renders "file: key: msg", the shape operators grep for.
func (e *KeyError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.File, e.Key, e.Msg)
}
