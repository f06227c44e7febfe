package config

import (
	"errors"
	"strings"
	"testing"
)

func TestValidationErrorsNameKeyAndFile(t *testing.T) {
	tests := []struct {
		name, text, key, msg string
	}{
		{"unknown role", "process.roles=broker,observer\nnode.id=1\ncontroller.quorum.voters=2@c:9093\ncontroller.listener.names=CONTROLLER\n",
			"process.roles", "String must be one of: broker, controller"},
		{"duplicate role", strings.Replace(seedsFile, "controller,broker", "broker,broker", 1) + "controller.listener.names=CONTROLLER\n",
			"process.roles", `role "broker" is listed twice`},
		{"KRaft without node.id", strings.Replace(seedsFile, "node.id=1\n", "", 1),
			"node.id", "a non-negative node.id is required"},
		{"KRaft without quorum", strings.Replace(seedsFile, "controller.quorum.voters=1@localhost:9093\n", "", 1),
			"controller.quorum.voters", "controller.quorum.voters or controller.quorum.bootstrap.servers"},
		{"controller not a voter", strings.Replace(seedsFile, "1@localhost", "2@localhost", 1),
			"controller.quorum.voters", "node.id 1 is a controller but is not among the voters (2@localhost:9093)"},
		{"broker is a voter", "process.roles=broker\nnode.id=1\ncontroller.quorum.voters=1@c:9093\ncontroller.listener.names=CONTROLLER\n",
			"controller.quorum.voters", "node.id 1 is a broker only and must not be among the voters"},
		{"pure broker without controller listener names", "process.roles=broker\nnode.id=2\ncontroller.quorum.voters=1@c:9093\n",
			"controller.listener.names", "at least one controller listener name"},
		{"pure broker listening as controller", "process.roles=broker\nnode.id=2\ncontroller.quorum.voters=1@c:9093\ncontroller.listener.names=CONTROLLER\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093\n",
			"controller.listener.names", "broker-only node must not listen as a controller"},
		{"bad voter syntax", strings.Replace(seedsFile, "1@localhost:9093", "localhost:9093", 1),
			"controller.quorum.voters", `"localhost:9093" is not id@host:port`},
		{"duplicate voter", strings.Replace(seedsFile, "1@localhost:9093", "1@a:9093,1@b:9093", 1),
			"controller.quorum.voters", "voter id 1 is listed twice"},
		{"bad bootstrap server", "process.roles=broker\nnode.id=2\ncontroller.quorum.bootstrap.servers=nohost\ncontroller.listener.names=CONTROLLER\n",
			"controller.quorum.bootstrap.servers", `"nohost" is not host:port`},
		{"bad listener syntax", strings.Replace(seedsFile, "PLAINTEXT://:9092", "PLAINTEXT:9092", 1),
			"listeners", `"PLAINTEXT:9092" is not NAME://host:port`},
		{"bad listener port", strings.Replace(seedsFile, "PLAINTEXT://:9092", "PLAINTEXT://:99999", 1),
			"listeners", "is not in 0..65535"},
		{"duplicate listener name", strings.Replace(seedsFile, "PLAINTEXT://:9092", "CONTROLLER://:9092", 1),
			"listeners", "listener name CONTROLLER is used twice"},
		{"duplicate listener port", strings.Replace(seedsFile, "PLAINTEXT://:9092", "PLAINTEXT://:9093", 1),
			"listeners", "both use port 9093"},
		{"unmapped listener", seedsFile + "listeners=PLAINTEXT://:9092,CONTROLLER://:9093,INTERNAL://:9094\n",
			"listener.security.protocol.map", "no security protocol for listener INTERNAL"},
		{"explicit map without controller", seedsFile + "listener.security.protocol.map=PLAINTEXT:PLAINTEXT\n",
			"listener.security.protocol.map", "no security protocol for listener CONTROLLER"},
		{"unknown security protocol", seedsFile + "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:TLS\n",
			"listener.security.protocol.map", `unknown security protocol "TLS"`},
		{"advertised listener not a listener", seedsFile + "advertised.listeners=EXTERNAL://host:9092\n",
			"advertised.listeners", "EXTERNAL is not one of the listeners"},
		{"advertising 0.0.0.0", "zookeeper.connect=zk\nlisteners=PLAINTEXT://0.0.0.0:9092\n",
			"listeners", "non-routable address 0.0.0.0"},
		{"inter-broker listener missing", seedsFile + "inter.broker.listener.name=INTERNAL\n",
			"inter.broker.listener.name", "INTERNAL is not among the advertised broker listeners"},
		{"inter-broker listener is the controller's", seedsFile + "inter.broker.listener.name=CONTROLLER\n",
			"inter.broker.listener.name", "CONTROLLER is a controller listener"},
		{"both inter-broker keys", seedsFile + "inter.broker.listener.name=PLAINTEXT\nsecurity.inter.broker.protocol=PLAINTEXT\n",
			"inter.broker.listener.name", "only one of inter.broker.listener.name and security.inter.broker.protocol"},
		{"controller-only node with a broker listener", strings.Replace(migrationControllerFile, "listeners=CONTROLLER://:9093", "listeners=CONTROLLER://:9093,PLAINTEXT://:9092", 1),
			"listeners", "PLAINTEXT is not a controller listener"},
		{"controller without its listener", strings.Replace(migrationControllerFile, "listeners=CONTROLLER://:9093", "listeners=PLAINTEXT://:9093", 1),
			"controller.listener.names", "none of CONTROLLER appears in listeners (PLAINTEXT)"},
		{"node.id differs from broker.id", seedsFile + "broker.id=2\n",
			"node.id", "1 must equal broker.id (2)"},
		{"ZK mode without zookeeper.connect", "broker.id=0\n",
			"zookeeper.connect", "is required in ZooKeeper mode"},
		{"ZK mode broker.id above reserved", zkFile + "broker.id=1001\n",
			"broker.id", "must be between -1 and reserved.broker.max.id (1000)"},
		{"ZK mode with controller listener names", zkFile + "controller.listener.names=CONTROLLER\n",
			"controller.listener.names", "must be empty in ZooKeeper mode"},
		{"migrating broker without broker.id", strings.Replace(migratingBrokerFile, "broker.id=0\n", "", 1),
			"broker.id", "a fixed broker.id is required"},
		{"migrating broker without quorum", strings.Replace(migratingBrokerFile, "controller.quorum.bootstrap.servers=localhost:9093\n", "", 1),
			"controller.quorum.voters", "is required when zookeeper.metadata.migration.enable=true"},
		{"migrating broker without controller listener names", strings.Replace(migratingBrokerFile, "controller.listener.names=CONTROLLER\n", "", 1),
			"controller.listener.names", "is required when zookeeper.metadata.migration.enable=true"},
		{"migrating broker with an old IBP", strings.Replace(migratingBrokerFile, "inter.broker.protocol.version=3.9", "inter.broker.protocol.version=3.3", 1),
			"inter.broker.protocol.version", "3.3 is too old for migration"},
		{"migrating JBOD broker before 3.7-IV2", strings.Replace(migratingBrokerFile, "inter.broker.protocol.version=3.9", "inter.broker.protocol.version=3.7-IV1", 1) + "log.dirs=/a,/b\n",
			"log.dirs", "needs inter.broker.protocol.version 3.7-IV2"},
		{"migration controller without zookeeper.connect", strings.Replace(migrationControllerFile, "zookeeper.connect=localhost:2181\n", "", 1),
			"zookeeper.connect", "is required when zookeeper.metadata.migration.enable=true in KRaft mode"},
		{"no log dirs", seedsFile + "log.dirs=\n",
			"log.dirs", "at least one log directory is required"},
		{"fetch wait above lag time", seedsFile + "replica.fetch.wait.max.ms=40000\n",
			"replica.fetch.wait.max.ms", "must not exceed replica.lag.time.max.ms (30000)"},
		{"num.partitions below 1", seedsFile + "num.partitions=0\n",
			"num.partitions", `invalid value "0": Value must be at least 1`},
		{"default.replication.factor below 1", seedsFile + "default.replication.factor=0\n",
			"default.replication.factor", "Value must be at least 1"},
		{"negative message.max.bytes", seedsFile + "message.max.bytes=-1\n",
			"message.max.bytes", "Value must be at least 0"},
		{"tiny segments", seedsFile + "log.segment.bytes=13\n",
			"log.segment.bytes", "Value must be at least 14"},
		{"bad cleanup policy", seedsFile + "log.cleanup.policy=delete,shred\n",
			"log.cleanup.policy", "String must be one of: compact, delete"},
		{"bad compression", seedsFile + "compression.type=brotli\n",
			"compression.type", "String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer"},
		{"bad cleanable ratio", seedsFile + "log.cleaner.min.cleanable.ratio=1.5\n",
			"log.cleaner.min.cleanable.ratio", "Value must be no more than 1.0"},
		{"bad IBP", seedsFile + "inter.broker.protocol.version=latest\n",
			"inter.broker.protocol.version", "a Kafka version"},
		{"https metrics listener", seedsFile + "metrics.listeners=https://:9404\n",
			"metrics.listeners", "https is not supported"},
		{"metrics listener without a port", seedsFile + "metrics.listeners=http://localhost\n",
			"metrics.listeners", "want http://host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ke := parseKeyError(t, tt.text)
			if ke.File != "server.properties" || ke.Key != tt.key || !strings.Contains(ke.Msg, tt.msg) {
				t.Errorf("error = %q, want server.properties: %s: ...%s...", ke.Error(), tt.key, tt.msg)
			}
			if !strings.HasPrefix(ke.Error(), "server.properties: "+tt.key+": ") {
				t.Errorf("Error() = %q does not start with file and key", ke.Error())
			}
		})
	}
}

func TestWrongTypes(t *testing.T) {
	tests := []struct{ key, value, msg string }{
		{"node.id", "abc", `"abc" is not an integer`},
		{"node.id", "1.5", `"1.5" is not an integer`},
		{"node.id", "3000000000", `"3000000000" is out of range for an int (32 bits)`},
		{"offsets.topic.replication.factor", "40000", "is out of range for a short (16 bits)"},
		{"log.retention.ms", "forever", `"forever" is not an integer`},
		{"log.retention.bytes", "99999999999999999999", "is out of range for a long (64 bits)"},
		{"auto.create.topics.enable", "yes", `"yes" is not a boolean (true or false)`},
		{"auto.create.topics.enable", "1", "is not a boolean"},
		{"log.cleaner.min.cleanable.ratio", "half", `"half" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			ke := parseKeyError(t, seedsFile+tt.key+"="+tt.value+"\n")
			if ke.Key != tt.key || !strings.Contains(ke.Msg, tt.msg) {
				t.Errorf("error = %q, want %s: ...%s", ke.Error(), tt.key, tt.msg)
			}
		})
	}
}

func TestLenientButTypedValues(t *testing.T) {
	c := mustParse(t, seedsFile+"auto.create.topics.enable= FALSE \nnum.partitions = 4 \nlog.cleanup.policy= compact , delete ,\nlisteners=plaintext://:9092,controller://:9093\n")
	if c.AutoCreateTopicsEnable || c.NumPartitions != 4 || strings.Join(c.LogCleanupPolicy, "|") != "compact|delete" {
		t.Errorf("auto-create %v partitions %d policy %v", c.AutoCreateTopicsEnable, c.NumPartitions, c.LogCleanupPolicy)
	}
	if _, ok := c.ListenerByName("PLAINTEXT"); !ok {
		t.Errorf("listener names are not normalised to upper case: %v", c.Listeners)
	}
}

// Kafka's own rule for secured listeners, checked below the refusal of
// anything but PLAINTEXT (TestSecuredListenersAreRefused), which would
// otherwise answer first.
func TestSecuredControllerListenerIsNotGuessed(t *testing.T) {
	text := "process.roles=controller\nnode.id=1\ncontroller.quorum.voters=1@c:9093\nlisteners=SSL://:9093\ncontroller.listener.names=SSL\n"
	if c, err := decodeAndValidate(t, text); err != nil || c.ListenerSecurityProtocolMap["SSL"] != "SSL" {
		t.Errorf("SSL controller listener: %v, mapped to %q", err, c.ListenerSecurityProtocolMap["SSL"])
	}
	_, err := decodeAndValidate(t, "process.roles=controller\nnode.id=1\ncontroller.quorum.voters=1@c:9093\nlisteners=SSL://:9093,CTRL://:9094\ncontroller.listener.names=CTRL,SSL\n")
	var ke *KeyError
	if !errors.As(err, &ke) || ke.Key != "listener.security.protocol.map" || !strings.Contains(ke.Msg, "CTRL") {
		t.Errorf("with SSL in use, an unmapped controller listener must be an error: %v", err)
	}
}
