package saslserver

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"testing"
)

// TestScramRFC7677 replays the SCRAM-SHA-256 exchange of RFC 7677 section 3
// (Kafka's ScramFormatterTest.rfc7677Example) byte for byte, with the
// server's nonce fixed to the RFC's: the credential NewScramCredential
// derives from "pencil" must check the RFC's proof and sign the RFC's reply.
func TestScramRFC7677(t *testing.T) {
	const (
		c1 = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
		s1 = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
		c2 = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
		s2 = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
	)
	salt, err := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	if err != nil {
		t.Fatal(err)
	}
	cred, err := NewScramCredential(ScramSHA256, "pencil", salt, 4096)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Scram(ScramSHA256, func(user string) (ScramCredential, bool) { return cred, user == "user" })
	if err != nil {
		t.Fatal(err)
	}
	m.(*scramMechanism).newNonce = func() string { return "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0" }
	s := m.Start()
	reply, done, err := s.Step([]byte(c1))
	if err != nil || done || string(reply) != s1 {
		t.Fatalf("client-first: reply %q, done %v, error %v; want %q", reply, done, err, s1)
	}
	reply, done, err = s.Step([]byte(c2))
	if err != nil || !done || string(reply) != s2 {
		t.Fatalf("client-final: reply %q, done %v, error %v; want %q, done", reply, done, err, s2)
	}
	if s.Principal() != "user" {
		t.Errorf("principal %q", s.Principal())
	}
}

// kafkaCredential derives a credential step by step as Kafka's ScramFormatter
// does, independently of NewScramCredential.
func kafkaCredential(t *testing.T, newHash func() hash.Hash, password string, salt []byte, iterations int) ScramCredential {
	t.Helper()
	saltedPassword, err := pbkdf2.Key(newHash, password, salt, iterations, newHash().Size())
	if err != nil {
		t.Fatal(err)
	}
	mac := func(key []byte, text string) []byte {
		h := hmac.New(newHash, key)
		h.Write([]byte(text))
		return h.Sum(nil)
	}
	clientKey := mac(saltedPassword, "Client Key")
	h := newHash()
	h.Write(clientKey)
	return ScramCredential{Salt: salt, StoredKey: h.Sum(nil), ServerKey: mac(saltedPassword, "Server Key"), Iterations: int32(iterations)}
}

func TestNewScramCredential(t *testing.T) {
	for _, tc := range []struct {
		mechanism string
		newHash   func() hash.Hash
	}{
		{ScramSHA256, sha256.New},
		{ScramSHA512, sha512.New},
	} {
		salt := []byte("N3E=salt")
		got, err := NewScramCredential(tc.mechanism, "alice-secret", salt, 8192)
		if err != nil {
			t.Fatal(err)
		}
		want := kafkaCredential(t, tc.newHash, "alice-secret", salt, 8192)
		if !bytes.Equal(got.Salt, want.Salt) || !bytes.Equal(got.StoredKey, want.StoredKey) ||
			!bytes.Equal(got.ServerKey, want.ServerKey) || got.Iterations != want.Iterations {
			t.Errorf("%s: credential %+v, want %+v", tc.mechanism, got, want)
		}
		if len(got.StoredKey) != tc.newHash().Size() {
			t.Errorf("%s: StoredKey of %d bytes", tc.mechanism, len(got.StoredKey))
		}

		a, err := NewScramCredential(tc.mechanism, "alice-secret", nil, 4096)
		if err != nil {
			t.Fatal(err)
		}
		b, err := NewScramCredential(tc.mechanism, "alice-secret", nil, 4096)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Salt) == 0 || bytes.Equal(a.Salt, b.Salt) {
			t.Errorf("%s: random salts %q and %q", tc.mechanism, a.Salt, b.Salt)
		}
	}
}

func TestNewScramCredentialRefuses(t *testing.T) {
	for _, tc := range []struct {
		mechanism  string
		iterations int32
	}{
		{"SCRAM-SHA-1", 4096},
		{"PLAIN", 4096},
		{ScramSHA256, 0},
		{ScramSHA512, -1},
	} {
		if c, err := NewScramCredential(tc.mechanism, "pw", []byte("salt"), tc.iterations); err == nil {
			t.Errorf("%s with %d iterations: made %+v", tc.mechanism, tc.iterations, c)
		}
	}
}

// TestScramKeys: the keys derived from a client's salted password (what
// AlterUserScramCredentials carries) are those Kafka derives from the password.
func TestScramKeys(t *testing.T) {
	for _, tc := range []struct {
		mechanism string
		newHash   func() hash.Hash
	}{
		{ScramSHA256, sha256.New},
		{ScramSHA512, sha512.New},
	} {
		salt := []byte("client-salt")
		salted, err := pbkdf2.Key(tc.newHash, "bob-secret", salt, 4096, tc.newHash().Size())
		if err != nil {
			t.Fatal(err)
		}
		stored, server, err := ScramKeys(tc.mechanism, salted)
		if err != nil {
			t.Fatal(err)
		}
		want := kafkaCredential(t, tc.newHash, "bob-secret", salt, 4096)
		if !bytes.Equal(stored, want.StoredKey) || !bytes.Equal(server, want.ServerKey) {
			t.Errorf("%s: keys %x %x, want %x %x", tc.mechanism, stored, server, want.StoredKey, want.ServerKey)
		}
	}
	if _, _, err := ScramKeys("SCRAM-SHA-1", []byte("salted")); err == nil {
		t.Error("SCRAM-SHA-1 keys were derived")
	}
}
