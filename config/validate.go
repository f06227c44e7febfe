package config

import (
	"slices"
	"strings"
)

// validate applies the cross-key rules of Kafka's KafkaConfig.validateValues,
// so a file kbridge accepts is one Kafka would accept, and the other way round.
func validate(d *decoder, c *Config) error {
	checks := []func(*decoder, *Config){
		validateCommon,
		validateListenerNames,
	}
	if c.Mode() == ModeKRaft {
		checks = append(checks, validateKRaft, validateKRaftRoles)
	} else {
		checks = append(checks, validateZooKeeper, validateMigratingBroker)
	}
	for _, check := range checks {
		check(d, c)
		if d.err != nil {
			return d.err
		}
	}
	return nil
}

func validateCommon(d *decoder, c *Config) {
	for i, role := range c.ProcessRoles {
		if slices.Contains(c.ProcessRoles[:i], role) {
			d.fail("process.roles", "role %q is listed twice", role)
		}
	}
	if len(c.LogDirs) == 0 {
		d.fail(logDirsKey(d), "at least one log directory is required")
	}
	if int64(c.ReplicaFetchWaitMaxMs) > c.ReplicaLagTimeMaxMs {
		d.fail("replica.fetch.wait.max.ms", "%d must not exceed replica.lag.time.max.ms (%d), or followers keep dropping out of the ISR",
			c.ReplicaFetchWaitMaxMs, c.ReplicaLagTimeMaxMs)
	}
}

// logDirsKey is the key that supplied LogDirs.
func logDirsKey(d *decoder) string {
	if d.isSet("log.dirs") {
		return "log.dirs"
	}
	return "log.dir"
}

// validateListenerNames checks that every listener has a security protocol
// and that advertised listeners name real listeners.
func validateListenerNames(d *decoder, c *Config) {
	for _, l := range c.Listeners {
		if _, ok := c.ListenerSecurityProtocolMap[l.Name]; !ok {
			d.fail("listener.security.protocol.map", "no security protocol for listener %s (listeners %s)", l.Name, listenerNames(c.Listeners))
		}
	}
	for _, name := range c.ControllerListenerNames {
		if _, ok := c.ListenerSecurityProtocolMap[name]; !ok {
			d.fail("listener.security.protocol.map", "no security protocol for controller listener %s", name)
		}
	}
	for _, l := range c.AdvertisedListeners {
		if _, ok := c.ListenerByName(l.Name); !ok {
			d.fail("advertised.listeners", "%s is not one of the listeners (%s)", l.Name, listenerNames(c.Listeners))
		}
	}
	if !c.IsBroker() {
		return
	}
	for _, l := range c.AdvertisedBrokerListeners() {
		if l.Host == "0.0.0.0" {
			d.fail(advertisedKey(d), "listener %s advertises the non-routable address 0.0.0.0; set advertised.listeners to a routable host", l.Name)
		}
	}
	if slices.Contains(c.ControllerListenerNames, c.InterBrokerListenerName) && c.Mode() == ModeKRaft {
		d.fail(interBrokerKey(d), "%s is a controller listener and cannot carry inter-broker traffic", c.InterBrokerListenerName)
	}
	if !slices.ContainsFunc(c.AdvertisedBrokerListeners(), func(l Listener) bool { return l.Name == c.InterBrokerListenerName }) {
		d.fail(interBrokerKey(d), "%s is not among the advertised broker listeners (%s)", c.InterBrokerListenerName, listenerNames(c.AdvertisedBrokerListeners()))
	}
}

func advertisedKey(d *decoder) string {
	if d.isSet("advertised.listeners") {
		return "advertised.listeners"
	}
	return "listeners"
}

func interBrokerKey(d *decoder) string {
	if d.isSet("security.inter.broker.protocol") {
		return "security.inter.broker.protocol"
	}
	return "inter.broker.listener.name"
}

// validateKRaft checks what every KRaft node needs: an id, a way to find the
// quorum, and controller listener names.
func validateKRaft(d *decoder, c *Config) {
	if c.NodeID < 0 {
		d.fail("node.id", "a non-negative node.id is required in KRaft mode (process.roles=%s)", strings.Join(c.ProcessRoles, ","))
	}
	if len(c.ControllerQuorumVoters) == 0 && len(c.ControllerQuorumBootstrapServers) == 0 {
		d.fail("controller.quorum.voters", "KRaft mode needs controller.quorum.voters or controller.quorum.bootstrap.servers")
	}
	if len(c.ControllerListenerNames) == 0 {
		d.fail("controller.listener.names", "KRaft mode needs at least one controller listener name")
	}
	if c.ZookeeperMetadataMigrationEnable && c.ZookeeperConnect == "" {
		d.fail("zookeeper.connect", "is required when zookeeper.metadata.migration.enable=true in KRaft mode")
	}
}

// validateKRaftRoles checks the rules that differ between controllers and
// pure brokers: voter membership and who may listen on what.
func validateKRaftRoles(d *decoder, c *Config) {
	isVoter := slices.ContainsFunc(c.ControllerQuorumVoters, func(v QuorumVoter) bool { return v.ID == c.NodeID })
	voters := d.raw["controller.quorum.voters"]
	if !c.IsController() {
		if isVoter {
			d.fail("controller.quorum.voters", "node.id %d is a broker only and must not be among the voters (%s)", c.NodeID, voters)
		}
		for _, name := range c.ControllerListenerNames {
			if _, ok := c.ListenerByName(name); ok {
				d.fail("controller.listener.names", "%s appears in listeners, but a broker-only node must not listen as a controller", name)
			}
		}
		return
	}
	if len(c.ControllerQuorumVoters) > 0 && !isVoter {
		d.fail("controller.quorum.voters", "node.id %d is a controller but is not among the voters (%s)", c.NodeID, voters)
	}
	if _, ok := c.ControllerListener(); !ok {
		d.fail("controller.listener.names", "none of %s appears in listeners (%s); a controller must listen on its controller listener",
			strings.Join(c.ControllerListenerNames, ","), listenerNames(c.Listeners))
	}
	if !c.IsBroker() {
		for _, l := range c.BrokerListeners() {
			d.fail("listeners", "%s is not a controller listener (controller.listener.names=%s); a controller-only node may list only controller listeners",
				l.Name, strings.Join(c.ControllerListenerNames, ","))
		}
	}
}

// validateZooKeeper checks a node without process.roles.
func validateZooKeeper(d *decoder, c *Config) {
	if c.ZookeeperConnect == "" {
		d.fail("zookeeper.connect", "is required in ZooKeeper mode (process.roles is not set)")
	}
	if c.BrokerID < -1 || c.BrokerID > c.ReservedBrokerMaxID {
		d.fail("broker.id", "%d must be between -1 and reserved.broker.max.id (%d)", c.BrokerID, c.ReservedBrokerMaxID)
	}
	if !c.ZookeeperMetadataMigrationEnable && len(c.ControllerListenerNames) > 0 {
		d.fail("controller.listener.names", "must be empty in ZooKeeper mode unless zookeeper.metadata.migration.enable=true")
	}
}

// validateMigratingBroker checks a ZooKeeper broker that will register with
// the KRaft migration controller (KIP-866).
func validateMigratingBroker(d *decoder, c *Config) {
	if !c.ZookeeperMetadataMigrationEnable {
		return
	}
	if c.BrokerID < 0 {
		d.fail("broker.id", "a fixed broker.id is required when zookeeper.metadata.migration.enable=true (generated ids cannot migrate)")
	}
	if len(c.ControllerQuorumVoters) == 0 && len(c.ControllerQuorumBootstrapServers) == 0 {
		d.fail("controller.quorum.voters", "controller.quorum.voters or controller.quorum.bootstrap.servers is required when zookeeper.metadata.migration.enable=true")
	}
	if len(c.ControllerListenerNames) == 0 {
		d.fail("controller.listener.names", "is required when zookeeper.metadata.migration.enable=true")
	}
	ibp, err := parseVersion(c.InterBrokerProtocolVersion)
	if err != nil {
		d.fail("inter.broker.protocol.version", "%v", err)
		return
	}
	if ibp.less(version{3, 4, 0}) {
		d.fail("inter.broker.protocol.version", "%s is too old for migration; 3.4 or later is required", c.InterBrokerProtocolVersion)
	}
	if len(c.LogDirs) > 1 && ibp.less(version{3, 7, 2}) {
		d.fail(logDirsKey(d), "a migrating broker with %d log directories needs inter.broker.protocol.version 3.7-IV2 or later (JBOD in KRaft)", len(c.LogDirs))
	}
}

func listenerNames(ls []Listener) string {
	var names []string
	for _, l := range ls {
		names = append(names, l.Name)
	}
	return strings.Join(names, ",")
}
