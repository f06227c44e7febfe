package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// reissueBroker signs the broker's key again with the test CA under serial, as an
// operator renews a certificate, and writes it as a PKCS12 keystore at path (with the
// keystore password of brokerTLS).
func (p testPKI) reissueBroker(t *testing.T, serial int, path string) {
	t.Helper()
	for _, args := range [][]string{
		{"x509", "-req", "-in", "broker.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", fmt.Sprint(serial),
			"-out", fmt.Sprintf("broker-%d.pem", serial), "-days", "2", "-extfile", "broker.ext"},
		{"pkcs12", "-export", "-in", fmt.Sprintf("broker-%d.pem", serial), "-inkey", "broker.key", "-certfile", "ca.pem",
			"-out", path, "-passout", "pass:" + p.p12Pass},
	} {
		cmd := exec.Command("openssl", args...)
		cmd.Dir = p.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// servedSerial is the serial number of the certificate the listener at addr presents
// to a new connection.
func servedSerial(t *testing.T, p testPKI, addr string) string {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, p.clientTLS(t, false))
	if err != nil {
		t.Fatalf("TLS dial %s: %v", addr, err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

// TestTLSKeystoreRotation: certificates are rotated without a restart, as Kafka allows:
// a per-broker AlterConfigs of listener.name.ssl.ssl.keystore.location makes new
// connections get the new certificate (a connection made before keeps working);
// setting the same path again after the file was replaced re-reads it; a keystore that
// does not load is INVALID_CONFIG and the listener keeps its certificate; the
// cluster-default level is refused, and so is a security setting kbridge reads only
// from its file (ssl.client.auth); the dynamic keystore password is never shown by
// DescribeConfigs.
func TestTLSKeystoreRotation(t *testing.T) {
	pki := makePKI(t)
	n := StartSingleNodeOn(t, "SSL", pki.brokerTLS("none")...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl := newClient(t, n.BrokerAddr, kgo.DialTLSConfig(pki.clientTLS(t, false)))
	adm := kadm.NewClient(cl)
	if err := cl.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	first := servedSerial(t, pki, n.BrokerAddr)

	alter := func(broker int32, key, value string) error {
		t.Helper()
		res, err := adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{{Name: key, Value: &value}}, broker)
		if err == nil && len(res) > 0 && res[0].Err != nil {
			err = fmt.Errorf("%w: %s", res[0].Err, res[0].ErrMessage)
		}
		return err
	}
	rotated := filepath.Join(pki.dir, "rotated.p12")
	pki.reissueBroker(t, 1001, rotated)
	if err := alter(1, "listener.name.ssl.ssl.keystore.location", rotated); err != nil {
		t.Fatalf("alter the keystore location: %v", err)
	}
	if got := servedSerial(t, pki, n.BrokerAddr); got != "1001" {
		t.Fatalf("after the rotation the listener serves serial %s (before: %s), want 1001", got, first)
	}
	if err := cl.Ping(ctx); err != nil {
		t.Errorf("a client connected before the rotation: %v", err)
	}

	pki.reissueBroker(t, 1002, rotated)
	if err := alter(1, "listener.name.ssl.ssl.keystore.location", rotated); err != nil {
		t.Fatalf("set the same keystore location again: %v", err)
	}
	if got := servedSerial(t, pki, n.BrokerAddr); got != "1002" {
		t.Fatalf("after the file was replaced and its path set again the listener serves serial %s, want 1002", got)
	}

	err := alter(1, "listener.name.ssl.ssl.keystore.location", filepath.Join(pki.dir, "missing.p12"))
	if err == nil || !strings.Contains(err.Error(), "INVALID_CONFIG") || !strings.Contains(err.Error(), "ssl.keystore.location") {
		t.Errorf("a keystore that does not exist: %v, want INVALID_CONFIG naming the key", err)
	}
	if got := servedSerial(t, pki, n.BrokerAddr); got != "1002" {
		t.Errorf("after a refused rotation the listener serves serial %s, want 1002", got)
	}
	if res, err := adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{{Name: "ssl.keystore.location", Value: &rotated}}); err == nil && (len(res) == 0 || res[0].Err == nil) {
		t.Error("a keystore location at the cluster-default level was accepted")
	}

	if err := alter(1, "listener.name.ssl.ssl.client.auth", "required"); err == nil || !strings.Contains(err.Error(), "INVALID_CONFIG") {
		t.Errorf("ssl.client.auth set dynamically, which kbridge would not apply: %v, want INVALID_CONFIG", err)
	}
	if err := alter(1, "listener.name.ssl.ssl.keystore.password", pki.p12Pass); err != nil {
		t.Fatalf("set the keystore password dynamically: %v", err)
	}
	described, err := adm.DescribeBrokerConfigs(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range described[0].Configs {
		if c.Key == "listener.name.ssl.ssl.keystore.password" && (c.Value != nil || !c.Sensitive) {
			t.Errorf("DescribeConfigs shows the keystore password: %+v", c)
		}
	}
}
