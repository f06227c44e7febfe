package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSeedsFileLoadsVerbatim(t *testing.T) {
	c := mustParse(t, seedsFile)
	if c.Mode() != ModeKRaft || !c.IsBroker() || !c.IsController() {
		t.Errorf("mode %v broker %v controller %v, want a combined KRaft node", c.Mode(), c.IsBroker(), c.IsController())
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"ProcessRoles", c.ProcessRoles, []string{"controller", "broker"}},
		{"NodeID", c.NodeID, int32(1)},
		{"BrokerID", c.BrokerID, int32(1)},
		{"ControllerQuorumVoters", c.ControllerQuorumVoters, []QuorumVoter{{ID: 1, Host: "localhost", Port: 9093}}},
		{"Listeners", c.Listeners, []Listener{{Name: "PLAINTEXT", Port: 9092}, {Name: "CONTROLLER", Port: 9093}}},
		{"ControllerListenerNames", c.ControllerListenerNames, []string{"CONTROLLER"}},
		{"protocol of CONTROLLER", c.ListenerSecurityProtocolMap["CONTROLLER"], "PLAINTEXT"},
		{"InterBrokerListenerName", c.InterBrokerListenerName, "PLAINTEXT"},
		{"LogDirs", c.LogDirs, []string{"/tmp/kafka-logs"}},
		{"MetadataLogDir", c.MetadataLogDir, "/tmp/kafka-logs"},
		{"BrokerListeners", c.BrokerListeners(), []Listener{{Name: "PLAINTEXT", Port: 9092}}},
		{"AdvertisedBrokerListeners", c.AdvertisedBrokerListeners(), []Listener{{Name: "PLAINTEXT", Host: "localhost", Port: 9092}}},
		{"UnknownKeys", len(c.UnknownKeys), 0},
		{"Source", c.Source, "server.properties"},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
	if l, ok := c.ControllerListener(); !ok || l.Port != 9093 || l.Address() != ":9093" {
		t.Errorf("ControllerListener = %+v, %v; want CONTROLLER on :9093", l, ok)
	}
}

func TestDefaultsAreKafkas(t *testing.T) {
	c := mustParse(t, "zookeeper.connect=zk:2181\n")
	const never = int64(9223372036854775807)
	checks := []struct {
		name      string
		got, want any
	}{
		{"ProcessRoles", len(c.ProcessRoles), 0},
		{"NodeID", c.NodeID, int32(-1)},
		{"BrokerID", c.BrokerID, int32(-1)},
		{"ControllerListenerNames", len(c.ControllerListenerNames), 0},
		{"Listeners", c.Listeners, []Listener{{Name: "PLAINTEXT", Port: 9092}}},
		{"AdvertisedListeners", c.AdvertisedListeners, []Listener{{Name: "PLAINTEXT", Host: "localhost", Port: 9092}}},
		{"ListenerSecurityProtocolMap", c.ListenerSecurityProtocolMap, map[string]string{"PLAINTEXT": "PLAINTEXT", "SSL": "SSL", "SASL_PLAINTEXT": "SASL_PLAINTEXT", "SASL_SSL": "SASL_SSL"}},
		{"InterBrokerListenerName", c.InterBrokerListenerName, "PLAINTEXT"},
		{"LogDirs", c.LogDirs, []string{"/tmp/kafka-logs"}},
		{"MetadataLogDir", c.MetadataLogDir, "/tmp/kafka-logs"},
		{"NumPartitions", c.NumPartitions, int32(1)},
		{"DefaultReplicationFactor", c.DefaultReplicationFactor, int32(1)},
		{"AutoCreateTopicsEnable", c.AutoCreateTopicsEnable, true},
		{"MinInsyncReplicas", c.MinInsyncReplicas, int32(1)},
		{"MessageMaxBytes", c.MessageMaxBytes, int32(1048588)},
		{"ReplicaFetchMaxBytes", c.ReplicaFetchMaxBytes, int32(1048576)},
		{"ReplicaLagTimeMaxMs", c.ReplicaLagTimeMaxMs, int64(30000)},
		{"ReplicaFetchWaitMaxMs", c.ReplicaFetchWaitMaxMs, int32(500)},
		{"MaxIncrementalFetchSessionCacheSlots", c.MaxIncrementalFetchSessionCacheSlots, int32(1000)},
		{"LogSegmentBytes", c.LogSegmentBytes, int32(1073741824)},
		{"LogRollMs", c.LogRollMs, int64(168 * 3600000)},
		{"LogRollJitterMs", c.LogRollJitterMs, int64(0)},
		{"LogRetentionMs", c.LogRetentionMs, int64(168 * 3600000)},
		{"LogRetentionBytes", c.LogRetentionBytes, int64(-1)},
		{"LogRetentionCheckIntervalMs", c.LogRetentionCheckIntervalMs, int64(300000)},
		{"LogFlushIntervalMessages", c.LogFlushIntervalMessages, never},
		{"LogFlushIntervalMs", c.LogFlushIntervalMs, never},
		{"LogIndexIntervalBytes", c.LogIndexIntervalBytes, int32(4096)},
		{"LogIndexSizeMaxBytes", c.LogIndexSizeMaxBytes, int32(10485760)},
		{"LogSegmentDeleteDelayMs", c.LogSegmentDeleteDelayMs, int64(60000)},
		{"LogPreallocate", c.LogPreallocate, false},
		{"LogLocalRetentionMs", c.LogLocalRetentionMs, int64(-2)},
		{"LogLocalRetentionBytes", c.LogLocalRetentionBytes, int64(-2)},
		{"LogCleanupPolicy", c.LogCleanupPolicy, []string{"delete"}},
		{"LogCleanerDeleteRetentionMs", c.LogCleanerDeleteRetentionMs, int64(86400000)},
		{"LogCleanerMinCompactionLagMs", c.LogCleanerMinCompactionLagMs, int64(0)},
		{"LogCleanerMaxCompactionLagMs", c.LogCleanerMaxCompactionLagMs, never},
		{"LogCleanerMinCleanableRatio", c.LogCleanerMinCleanableRatio, 0.5},
		{"LogMessageTimestampType", c.LogMessageTimestampType, "CreateTime"},
		{"LogMessageTimestampDifferenceMaxMs", c.LogMessageTimestampDifferenceMaxMs, never},
		{"LogMessageTimestampBeforeMaxMs", c.LogMessageTimestampBeforeMaxMs, never},
		{"LogMessageTimestampAfterMaxMs", c.LogMessageTimestampAfterMaxMs, never},
		{"LogMessageDownConversionEnable", c.LogMessageDownConversionEnable, true},
		{"LogMessageFormatVersion", c.LogMessageFormatVersion, "3.0-IV1"},
		{"CompressionType", c.CompressionType, "producer"},
		{"CompressionGzipLevel", c.CompressionGzipLevel, int32(-1)},
		{"CompressionLz4Level", c.CompressionLz4Level, int32(9)},
		{"CompressionZstdLevel", c.CompressionZstdLevel, int32(3)},
		{"DeleteTopicEnable", c.DeleteTopicEnable, true},
		{"OffsetsTopicNumPartitions", c.OffsetsTopicNumPartitions, int32(50)},
		{"OffsetsTopicReplicationFactor", c.OffsetsTopicReplicationFactor, int16(3)},
		{"OffsetsRetentionMinutes", c.OffsetsRetentionMinutes, int32(10080)},
		{"TransactionStateLogReplicationFactor", c.TransactionStateLogReplicationFactor, int16(3)},
		{"TransactionStateLogMinIsr", c.TransactionStateLogMinIsr, int32(2)},
		{"GroupInitialRebalanceDelayMs", c.GroupInitialRebalanceDelayMs, int32(3000)},
		{"GroupMinSessionTimeoutMs", c.GroupMinSessionTimeoutMs, int32(6000)},
		{"GroupMaxSessionTimeoutMs", c.GroupMaxSessionTimeoutMs, int32(1800000)},
		{"GroupMaxSize", c.GroupMaxSize, int32(2147483647)},
		{"SocketRequestMaxBytes", c.SocketRequestMaxBytes, int32(104857600)},
		{"NumNetworkThreads", c.NumNetworkThreads, int32(3)},
		{"NumIoThreads", c.NumIoThreads, int32(8)},
		{"ZookeeperConnect", c.ZookeeperConnect, "zk:2181"},
		{"ZookeeperSessionTimeoutMs", c.ZookeeperSessionTimeoutMs, int32(18000)},
		{"ZookeeperConnectionTimeoutMs", c.ZookeeperConnectionTimeoutMs, int32(18000)},
		{"ZookeeperMetadataMigrationEnable", c.ZookeeperMetadataMigrationEnable, false},
		{"InterBrokerProtocolVersion", c.InterBrokerProtocolVersion, "3.9-IV0"},
		{"BrokerRack", c.BrokerRack, ""},
		{"BrokerSessionTimeoutMs", c.BrokerSessionTimeoutMs, int32(9000)},
		{"BrokerHeartbeatIntervalMs", c.BrokerHeartbeatIntervalMs, int32(2000)},
		{"ControllerQuorumElectionTimeoutMs", c.ControllerQuorumElectionTimeoutMs, int32(1000)},
		{"ControllerQuorumFetchTimeoutMs", c.ControllerQuorumFetchTimeoutMs, int32(2000)},
		{"UncleanLeaderElectionEnable", c.UncleanLeaderElectionEnable, false},
		{"AutoLeaderRebalanceEnable", c.AutoLeaderRebalanceEnable, true},
		{"ReservedBrokerMaxID", c.ReservedBrokerMaxID, int32(1000)},
		{"MetadataLogMaxRecordBytesBetweenSnapshots", c.MetadataLogMaxRecordBytesBetweenSnapshots, int64(20971520)},
		{"MetadataMaxIdleIntervalMs", c.MetadataMaxIdleIntervalMs, int32(500)},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
}

func TestEmbeddedDefault(t *testing.T) {
	c, err := Default(nil)
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	if c.Mode() != ModeKRaft || !c.IsBroker() || !c.IsController() || c.NodeID != 1 {
		t.Errorf("Default is not the combined node 1: %+v", c)
	}
	if c.Source != "default.properties" || len(c.UnknownKeys) != 0 {
		t.Errorf("Source %q, UnknownKeys %v", c.Source, c.UnknownKeys)
	}
	if c.OffsetsTopicReplicationFactor != 1 || c.TransactionStateLogReplicationFactor != 1 || c.TransactionStateLogMinIsr != 1 {
		t.Errorf("internal topics not sized for one node: %d %d %d", c.OffsetsTopicReplicationFactor, c.TransactionStateLogReplicationFactor, c.TransactionStateLogMinIsr)
	}
	if !reflect.DeepEqual(c.LogDirs, []string{"./data"}) || !reflect.DeepEqual(c.AdvertisedBrokerListeners(), []Listener{{Name: "PLAINTEXT", Host: "localhost", Port: 9092}}) {
		t.Errorf("LogDirs %v, advertised %v", c.LogDirs, c.AdvertisedBrokerListeners())
	}
	c, err = Default([]string{"log.dirs=/srv/kbridge"})
	if err != nil || c.LogDirs[0] != "/srv/kbridge" {
		t.Errorf("Default with override: %v, %v", c, err)
	}
}

func TestOverridesWin(t *testing.T) {
	c := mustParse(t, seedsFile+"num.partitions=3\n", "num.partitions=5", "num.partitions = 7", "broker.rack=rack-a=1")
	if c.NumPartitions != 7 {
		t.Errorf("NumPartitions = %d, want the last override, 7", c.NumPartitions)
	}
	if c.BrokerRack != "rack-a=1" {
		t.Errorf("BrokerRack = %q, want the value after the first '='", c.BrokerRack)
	}
	ke := parseKeyError(t, seedsFile, "node.id=abc")
	if ke.File != "--override" || ke.Key != "node.id" {
		t.Errorf("error from an override = %v, want it blamed on --override node.id", ke)
	}
	ke = parseKeyError(t, seedsFile, "novalue")
	if ke.File != "--override" || !strings.Contains(ke.Error(), "key=value") {
		t.Errorf("malformed override error = %v", ke)
	}
}

func TestUnknownKeysAreReportedNotFatal(t *testing.T) {
	c := mustParse(t, seedsFile+`
zookeeper.ssl.keystore.location=/etc/ks.jks
listener.name.controller.socket.receive.buffer.bytes=65536
num.recovery.threads.per.data.dir=2
remote.log.storage.system.enable=false
no.such.key=1
zookeeper.sync.time.ms=2000
`, "metric.reporters=com.example.Reporter")
	if want := []string{"no.such.key", "zookeeper.sync.time.ms"}; !reflect.DeepEqual(c.UnknownKeys, want) {
		t.Errorf("UnknownKeys = %v, want %v", c.UnknownKeys, want)
	}
	ignored := []string{"listener.name.controller.socket.receive.buffer.bytes", "metric.reporters", "num.recovery.threads.per.data.dir",
		"remote.log.storage.system.enable", "zookeeper.ssl.keystore.location"}
	if !reflect.DeepEqual(c.IgnoredKeys, ignored) {
		t.Errorf("IgnoredKeys = %v, want %v", c.IgnoredKeys, ignored)
	}
	if c.KeySource("metric.reporters") != "--override" || c.KeySource("no.such.key") != "server.properties" {
		t.Errorf("KeySource: metric.reporters from %q, no.such.key from %q", c.KeySource("metric.reporters"), c.KeySource("no.such.key"))
	}
	if c.Raw["no.such.key"] != "1" {
		t.Errorf("Raw lost an unknown key: %v", c.Raw)
	}
}

func TestRetentionPrecedence(t *testing.T) {
	tests := []struct {
		name string
		keys string
		want int64
	}{
		{"default 168 hours", "", 168 * 3600000},
		{"hours", "log.retention.hours=1", 3600000},
		{"minutes beat hours", "log.retention.hours=1\nlog.retention.minutes=2", 120000},
		{"ms beat minutes and hours", "log.retention.hours=1\nlog.retention.minutes=2\nlog.retention.ms=5", 5},
		{"-1 is unlimited", "log.retention.ms=-1", -1},
		{"any negative is unlimited", "log.retention.hours=-5", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, seedsFile+tt.keys+"\n")
			if c.LogRetentionMs != tt.want {
				t.Errorf("LogRetentionMs = %d, want %d", c.LogRetentionMs, tt.want)
			}
		})
	}
}

func TestDerivedFallbacks(t *testing.T) {
	c := mustParse(t, seedsFile+"log.roll.hours=2\nlog.roll.jitter.hours=1\nlog.flush.scheduler.interval.ms=3000\nzookeeper.session.timeout.ms=4000\nmetadata.log.dir=/meta\n")
	if c.LogRollMs != 7200000 || c.LogRollJitterMs != 3600000 || c.LogFlushIntervalMs != 3000 || c.ZookeeperConnectionTimeoutMs != 4000 || c.MetadataLogDir != "/meta" {
		t.Errorf("fallbacks: roll %d jitter %d flush %d zk %d meta %q", c.LogRollMs, c.LogRollJitterMs, c.LogFlushIntervalMs, c.ZookeeperConnectionTimeoutMs, c.MetadataLogDir)
	}
	c = mustParse(t, seedsFile+"log.roll.ms=10\nlog.roll.hours=2\nlog.flush.interval.ms=20\nlog.flush.scheduler.interval.ms=3000\n")
	if c.LogRollMs != 10 || c.LogFlushIntervalMs != 20 {
		t.Errorf("explicit ms keys: roll %d flush %d", c.LogRollMs, c.LogFlushIntervalMs)
	}
	c = mustParse(t, "zookeeper.connect=zk\nlog.dir=/a,/b\n")
	if !reflect.DeepEqual(c.LogDirs, []string{"/a", "/b"}) {
		t.Errorf("log.dir fallback = %v", c.LogDirs)
	}
}

func TestBrokerIDAndNodeIDAreSynonyms(t *testing.T) {
	c := mustParse(t, strings.Replace(seedsFile, "node.id=1", "broker.id=1", 1))
	if c.NodeID != 1 || c.BrokerID != 1 {
		t.Errorf("broker.id alone in KRaft: node %d broker %d", c.NodeID, c.BrokerID)
	}
	c = mustParse(t, "zookeeper.connect=zk\nnode.id=4\n")
	if c.NodeID != 4 || c.BrokerID != 4 {
		t.Errorf("node.id alone in ZK mode: node %d broker %d", c.NodeID, c.BrokerID)
	}
}

func TestZooKeeperFile(t *testing.T) {
	c := mustParse(t, zkFile)
	if c.Mode() != ModeZooKeeper || !c.IsBroker() || c.IsController() {
		t.Errorf("mode %v broker %v controller %v", c.Mode(), c.IsBroker(), c.IsController())
	}
	if c.BrokerID != 0 || c.ZookeeperConnect != "localhost:2181" || c.ZookeeperMetadataMigrationEnable {
		t.Errorf("broker %d zk %q migration %v", c.BrokerID, c.ZookeeperConnect, c.ZookeeperMetadataMigrationEnable)
	}
	if _, ok := c.ControllerListener(); ok {
		t.Error("a ZooKeeper broker has no controller listener")
	}
}

func TestMigrationFiles(t *testing.T) {
	b := mustParse(t, migratingBrokerFile)
	if b.Mode() != ModeZooKeeper || !b.ZookeeperMetadataMigrationEnable || b.BrokerID != 0 {
		t.Errorf("migrating broker: mode %v migration %v id %d", b.Mode(), b.ZookeeperMetadataMigrationEnable, b.BrokerID)
	}
	if !reflect.DeepEqual(b.ControllerQuorumBootstrapServers, []string{"localhost:9093"}) || !reflect.DeepEqual(b.ControllerListenerNames, []string{"CONTROLLER"}) {
		t.Errorf("migrating broker quorum: %v %v", b.ControllerQuorumBootstrapServers, b.ControllerListenerNames)
	}
	if _, ok := b.ControllerListener(); ok {
		t.Error("a ZK broker does not listen on the controller listener")
	}

	voters := strings.Replace(migratingBrokerFile, "controller.quorum.bootstrap.servers=localhost:9093", "controller.quorum.voters=3000@localhost:9093", 1)
	if c := mustParse(t, voters); len(c.ControllerQuorumVoters) != 1 || c.ControllerQuorumVoters[0].ID != 3000 {
		t.Errorf("3.6-3.8 style voters: %v", c.ControllerQuorumVoters)
	}

	c := mustParse(t, migrationControllerFile)
	if c.Mode() != ModeKRaft || c.IsBroker() || !c.IsController() || !c.ZookeeperMetadataMigrationEnable {
		t.Errorf("migration controller: mode %v broker %v controller %v migration %v", c.Mode(), c.IsBroker(), c.IsController(), c.ZookeeperMetadataMigrationEnable)
	}
	if c.NodeID != 3000 || c.InterBrokerListenerName != "PLAINTEXT" || c.ZookeeperConnect != "localhost:2181" {
		t.Errorf("migration controller: node %d inter-broker %q zk %q", c.NodeID, c.InterBrokerListenerName, c.ZookeeperConnect)
	}
	if len(c.BrokerListeners()) != 0 {
		t.Errorf("controller-only node has broker listeners %v", c.BrokerListeners())
	}
}

func TestKafkaSampleFilesLoadWithoutWarnings(t *testing.T) {
	zkSample := `# Kafka 3.9 config/server.properties
broker.id=0
#listeners=PLAINTEXT://:9092
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=/tmp/kafka-logs
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
zookeeper.connect=localhost:2181
zookeeper.connection.timeout.ms=18000
group.initial.rebalance.delay.ms=0
`
	kraftSample := `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:9092
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
log.dirs=/tmp/kraft-combined-logs
`
	for name, text := range map[string]string{"zk": zkSample, "kraft": kraftSample} {
		c := mustParse(t, text)
		if len(c.UnknownKeys) != 0 {
			t.Errorf("%s sample: UnknownKeys = %v", name, c.UnknownKeys)
		}
	}
}

func TestLoadFromDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.properties")
	if err := os.WriteFile(path, []byte(seedsFile), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, nil)
	if err != nil || c.Source != path {
		t.Fatalf("Load = %v, %v", c, err)
	}
	_, err = Load(filepath.Join(t.TempDir(), "missing.properties"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file = %v, want fs.ErrNotExist", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.properties")
	if err := os.WriteFile(bad, []byte(seedsFile+"node.id=x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err = Load(bad, nil); err == nil || !strings.HasPrefix(err.Error(), bad+": node.id: ") {
		t.Errorf("error does not name the file and key: %v", err)
	}
}
