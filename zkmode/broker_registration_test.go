package zkmode

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/internal/zktest"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// kafkaBrokerV5 is the example v5 broker znode of docs/kafka-compatibility.md, "Broker registrations".
const kafkaBrokerV5 = `{"version":5,"host":"localhost","port":9092,"jmx_port":-1,"timestamp":"1700000000000",
 "endpoints":["PLAINTEXT://localhost:9092"],"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},
 "features":{"metadata.version":{"min_version":1,"max_version":21}}}`

// registeredBroker is the registration kafkaBrokerV5 describes.
var registeredBroker = znode.BrokerZNode{
	Version: 5, JmxPort: -1, Timestamp: 1700000000000,
	Endpoints: []metadata.Endpoint{{Name: "PLAINTEXT", Host: "localhost", Port: 9092, SecurityProtocol: znode.SecurityProtocolPlaintext}},
	Features:  []metadata.FeatureRange{{Name: "metadata.version", MinVersion: 1, MaxVersion: 21}},
}

// jsonFields parses a JSON object; Kafka does not fix the order of its fields.
func jsonFields(t *testing.T, data string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		t.Fatalf("parse %s: %v", data, err)
	}
	return m
}

func TestBrokerRegistration(t *testing.T) {
	srv := zktest.Start(t)
	ctx := context.Background()

	t.Run("EphemeralKafkaJSONAndEpoch", func(t *testing.T) {
		first := dial(t, srv.Addr()+"/reg")
		second := dial(t, srv.Addr()+"/reg")
		if err := CreateTopLevelPaths(ctx, first); err != nil {
			t.Fatal(err)
		}

		epoch, err := RegisterBroker(ctx, first, registeredBroker, 1)
		if err != nil {
			t.Fatalf("RegisterBroker: %v", err)
		}
		data, stat, err := second.Get(ctx, "/brokers/ids/1")
		if err != nil {
			t.Fatal(err)
		}
		if stat.EphemeralOwner != first.SessionID() {
			t.Fatalf("/brokers/ids/1 owner 0x%x, want the registering session 0x%x", stat.EphemeralOwner, first.SessionID())
		}
		if epoch != stat.Czxid || epoch == 0 {
			t.Fatalf("broker epoch %d, want the znode's czxid %d", epoch, stat.Czxid)
		}
		if got, want := jsonFields(t, string(data)), jsonFields(t, kafkaBrokerV5); !reflect.DeepEqual(got, want) {
			t.Fatalf("/brokers/ids/1 = %s, want Kafka's %s", data, kafkaBrokerV5)
		}

		// Registering again on the same session (an answer lost to a reconnect) finds
		// the znode its own and returns the same epoch.
		again, err := RegisterBroker(ctx, first, registeredBroker, 1)
		if err != nil || again != epoch {
			t.Fatalf("re-registration on the owning session = %d, %v; want %d", again, err, epoch)
		}

		_, err = RegisterBroker(ctx, second, registeredBroker, 1)
		if !errors.Is(err, zk.ErrNodeExists) || !strings.Contains(err.Error(), "broker.id 1 is already registered by another session") {
			t.Fatalf("registration of a taken id: %v, want zk.ErrNodeExists naming broker.id 1", err)
		}
		if _, stat, err := second.Get(ctx, "/brokers/ids/1"); err != nil || stat.Czxid != epoch {
			t.Fatalf("the failed registration touched /brokers/ids/1: stat %+v, %v", stat, err)
		}

		first.Close()
		taken, err := RegisterBroker(ctx, second, registeredBroker, 1)
		if err != nil {
			t.Fatalf("registration after the owner's session closed: %v", err)
		}
		if taken <= epoch {
			t.Fatalf("new broker epoch %d is not above the old %d", taken, epoch)
		}
		if stat := mustExist(t, second, "/brokers/ids/1", true); stat.EphemeralOwner != second.SessionID() || stat.Czxid != taken {
			t.Fatalf("/brokers/ids/1 stat %+v, want owner 0x%x and czxid %d", stat, second.SessionID(), taken)
		}
	})

	t.Run("ReRegisterAfterSessionExpiry", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/expiry")
		observer := dial(t, srv.Addr()+"/expiry")
		if err := CreateTopLevelPaths(ctx, c); err != nil {
			t.Fatal(err)
		}
		events := c.SessionEvents()
		waitSession(t, events, zk.StateHasSession)
		epoch, err := RegisterBroker(ctx, c, registeredBroker, 2)
		if err != nil {
			t.Fatal(err)
		}
		srv.ExpireSession(c.SessionID())
		waitSession(t, events, zk.StateExpired)
		waitSession(t, events, zk.StateHasSession)
		mustExist(t, observer, "/brokers/ids/2", false)

		again, err := RegisterBroker(ctx, c, registeredBroker, 2)
		if err != nil {
			t.Fatalf("registration on the new session: %v", err)
		}
		if again <= epoch {
			t.Fatalf("broker epoch after expiry %d is not above %d", again, epoch)
		}
	})

	t.Run("RefusesWithoutBrokerIDsPath", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/bare")
		_, err := RegisterBroker(ctx, c, registeredBroker, 3)
		if !errors.Is(err, zk.ErrNoNode) || !strings.Contains(err.Error(), "/brokers/ids/3") {
			t.Fatalf("registration without /brokers/ids: %v, want zk.ErrNoNode naming /brokers/ids/3", err)
		}
	})

	t.Run("RefusesUnencodableRegistration", func(t *testing.T) {
		c := dial(t, srv.Addr()+"/bad")
		if err := CreateTopLevelPaths(ctx, c); err != nil {
			t.Fatal(err)
		}
		bad := registeredBroker
		bad.Version = 7
		if _, err := RegisterBroker(ctx, c, bad, 4); err == nil || !strings.Contains(err.Error(), "broker 4") {
			t.Fatalf("registration of a v7 znode: %v, want an error naming broker 4", err)
		}
		mustExist(t, c, "/brokers/ids/4", false)
	})
}
