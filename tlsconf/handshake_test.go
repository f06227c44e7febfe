package tlsconf

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"
)

// settings makes Settings from key/value pairs as if they came from
// server.properties under listener.name.ssl.
func settings(kv ...string) Settings {
	values := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		values[kv[i]] = kv[i+1]
	}
	return Settings{Values: values, Source: "server.properties", KeyName: func(k string) string { return "listener.name.ssl." + k }}
}

// outcome is what both ends of a handshake saw.
type outcome struct {
	server, client       tls.ConnectionState
	serverErr, clientErr error
}

// ok reports whether both ends completed the handshake and exchanged data.
func (o outcome) ok() bool { return o.serverErr == nil && o.clientErr == nil }

// handshake connects a client with clientConfig to a loopback listener with
// serverConfig. The server writes one byte after its handshake and the client
// reads it, so a client certificate the server rejects after the client's
// TLS 1.3 handshake completed still fails the client.
func handshake(t *testing.T, serverConfig, clientConfig *tls.Config) outcome {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type side struct {
		state tls.ConnectionState
		err   error
	}
	served := make(chan side, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- side{err: err}
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		conn := tls.Server(c, serverConfig)
		err = conn.Handshake()
		if err == nil {
			_, err = conn.Write([]byte{1})
		}
		served <- side{conn.ConnectionState(), err}
	}()
	raw, err := net.DialTimeout("tcp", ln.Addr().String(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = raw.SetDeadline(time.Now().Add(10 * time.Second))
	conn := tls.Client(raw, clientConfig)
	err = conn.Handshake()
	if err == nil {
		_, err = io.ReadFull(conn, make([]byte, 1))
	}
	client := conn.ConnectionState()
	conn.Close()
	s := <-served
	return outcome{server: s.state, client: client, serverErr: s.err, clientErr: err}
}

// configs builds both ends' configurations, failing the test on an error.
func configs(t *testing.T, server Settings, client Settings, serverName string) (*tls.Config, *tls.Config) {
	t.Helper()
	sc, err := ServerConfig(server)
	if err != nil {
		t.Fatalf("ServerConfig: %v", err)
	}
	cc, err := ClientConfig(client, serverName)
	if err != nil {
		t.Fatalf("ClientConfig: %v", err)
	}
	return sc, cc
}
