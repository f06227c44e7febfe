package config

import (
	"fmt"
	"strings"
)

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

// UnsupportedKeysError lists every key that asks for a security or durability
// feature kbridge does not implement yet. kbridge refuses to start rather than
// ignore them: a broker that silently drops TLS, ACLs or a durability setting
// serves less safely than its file says.
type UnsupportedKeysError struct {
	Refused []*KeyError // sorted by key
}

// Error puts each refused key on its own "file: key: msg" line.
func (e *UnsupportedKeysError) Error() string {
	var b strings.Builder
	if len(e.Refused) == 1 {
		b.WriteString("a config setting asks for a feature that is not supported yet; kbridge refuses to start rather than ignore it:")
	} else {
		fmt.Fprintf(&b, "%d config settings ask for features that are not supported yet; kbridge refuses to start rather than ignore them:", len(e.Refused))
	}
	for _, ke := range e.Refused {
		b.WriteString("\n  ")
		b.WriteString(ke.Error())
	}
	return b.String()
}

// Unwrap exposes the KeyErrors to errors.As.
func (e *UnsupportedKeysError) Unwrap() []error {
	out := make([]error, len(e.Refused))
	for i, ke := range e.Refused {
		out[i] = ke
	}
	return out
}
