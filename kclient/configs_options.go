package kclient

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Entity types of kafka-configs.sh that kbridge configs serves (ConfigType).
const (
	entityTopics  = "topics"
	entityBrokers = "brokers"
	entityUsers   = "users"
	entityClients = "clients"
)

// ConfigsOptions are kafka-configs.sh's flags (ConfigCommand with
// --bootstrap-server) for topics, brokers, users and clients.
type ConfigsOptions struct {
	Conn
	Describe, Alter bool
	All             bool // --describe: every config, not only the dynamic ones

	// EntityTypes and EntityNames pair in command-line order, as
	// ConfigCommand pairs them; an empty name is --entity-default.
	EntityTypes, EntityNames []string

	AddConfig     string   // --add-config 'k=v,k2=[a,b]'
	AddConfigFile string   // --add-config-file, a properties file
	DeleteConfigs []string // --delete-config, each value comma-separated
}

// check is ConfigCommandOptions.checkArgs for the entity types served, with
// its messages.
func (o ConfigsOptions) check() error {
	if o.Describe == o.Alter {
		return errors.New("command must include exactly one action: --describe, --alter")
	}
	if o.Describe && (o.AddConfig != "" || o.AddConfigFile != "" || len(o.DeleteConfigs) > 0) {
		return errors.New("option --describe can't be used with --add-config, --add-config-file or --delete-config")
	}
	types := o.EntityTypes
	for i, t := range types {
		if slices.Contains(types[:i], t) {
			return fmt.Errorf("duplicate entity type(s) specified: %s", t)
		}
		if !slices.Contains([]string{entityTopics, entityBrokers, entityUsers, entityClients}, t) {
			return fmt.Errorf("invalid entity type %s: kbridge configs serves topics, brokers, users and clients", t)
		}
	}
	switch {
	case len(types) == 0:
		return errors.New("at least one entity type must be specified")
	case len(types) > 1 && !(len(types) == 2 && slices.Contains(types, entityUsers) && slices.Contains(types, entityClients)):
		return errors.New("only 'users' and 'clients' entity types may be specified together")
	case len(o.EntityNames) > len(types):
		return errors.New("more entity names specified than entity types")
	}
	hasName := slices.ContainsFunc(o.EntityNames, func(n string) bool { return n != "" })
	hasDefault := slices.Contains(o.EntityNames, "")
	if hasName && types[0] == entityBrokers {
		for _, n := range o.EntityNames {
			if _, err := strconv.ParseInt(n, 10, 32); n != "" && err != nil {
				return fmt.Errorf("the entity name for brokers must be a valid integer broker id, but it is: %s", n)
			}
		}
	}
	if hasDefault && types[0] == entityTopics {
		return errors.New("--entity-default applies to users, clients and brokers, not topics")
	}
	if !o.Alter {
		return nil
	}
	switch {
	case types[0] == entityTopics && !hasName:
		return errors.New("an entity name must be specified with --alter of topics")
	case !hasName && !hasDefault:
		return errors.New("an entity-name or default entity must be specified with --alter of users, clients, brokers or ips")
	case len(o.EntityNames) != len(types):
		return errors.New("an entity name must be specified for every entity type")
	case o.AddConfig != "" && o.AddConfigFile != "":
		return errors.New("only one of --add-config or --add-config-file must be specified")
	case o.AddConfig == "" && o.AddConfigFile == "" && len(o.DeleteConfigs) == 0:
		return errors.New("at least one of --add-config, --add-config-file, or --delete-config must be specified with --alter")
	}
	return nil
}

// completion is ConfigCommand's message after an alter, naming the entity
// by its singular type and name ("topic orders"), or the default.
func (o ConfigsOptions) completion() string {
	if name := o.EntityNames[0]; name != "" {
		return fmt.Sprintf("Completed updating config for %s %s.", strings.TrimSuffix(o.EntityTypes[0], "s"), name)
	}
	return fmt.Sprintf("Completed updating default config for %s in the cluster.", o.EntityTypes[0])
}
