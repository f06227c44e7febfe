package kclient

import (
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// configLine is ConfigCommand's line for one config of a topic or broker:
// "  name=value sensitive=false synonyms={SOURCE:name=value, ...}", a missing
// (sensitive) value printed as Java prints null.
func configLine(c kadm.Config) string {
	syn := make([]string, len(c.Synonyms))
	for i, s := range c.Synonyms {
		syn[i] = javaConfigSource(s.Source) + ":" + s.Key + "=" + orNull(s.Value)
	}
	return "  " + c.Key + "=" + orNull(c.Value) + " sensitive=" + strconv.FormatBool(c.Sensitive) + " synonyms={" + strings.Join(syn, ", ") + "}"
}

func orNull(v *string) string {
	if v == nil {
		return "null"
	}
	return *v
}

// javaConfigSource is ConfigEntry.ConfigSource's name for a source code;
// kmsg names the last two otherwise.
func javaConfigSource(s kmsg.ConfigSource) string {
	switch s {
	case kmsg.ConfigSourceClientMetricsConfig:
		return "DYNAMIC_CLIENT_METRICS_CONFIG"
	case kmsg.ConfigSourceGroupConfig:
		return "DYNAMIC_GROUP_CONFIG"
	}
	return s.String()
}
