package config

import (
	_ "embed"
	"strings"
)

//go:embed default.properties
var defaultProperties string

// defaultName stands for the embedded file in errors and Config.Source.
const defaultName = "default.properties"

// Default is the built-in single-node KRaft node (broker and controller in
// one process, data in ./data), so `kbridge server start` works with no file;
// overrides adjust it like --override does for a file.
func Default(overrides []string) (*Config, error) {
	return Parse(defaultName, strings.NewReader(defaultProperties), overrides)
}
