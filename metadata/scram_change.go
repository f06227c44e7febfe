package metadata

import "github.com/twmb/franz-go/pkg/kerr"

// ScramChange is one entry of an AlterUserScramCredentials: a credential to store
// (Credential set) or the credential of Name and Mechanism to delete (Credential nil).
// The broker has already turned the client's salted password into the stored and
// server keys, so no password or salted password reaches the metadata.
type ScramChange struct {
	Name       string
	Mechanism  int8
	Credential *UserScramCredentialRecord
}

// Kafka's bounds on a SCRAM credential's iterations: ScramMechanism.minIterations of
// both hashes, and the most ScramControlManager and ZkAdminManager accept.
const (
	ScramIterationsMin = 4096
	ScramIterationsMax = 16384
)

// Validate refuses what Kafka refuses to store (ScramControlManager.validateUpsertion
// and validateScramUsernameAndMechanism): an empty user name, and a credential with
// iterations out of Kafka's bounds, are UNACCEPTABLE_CREDENTIAL; a mechanism other
// than SCRAM-SHA-256 and SCRAM-SHA-512 is UNSUPPORTED_SASL_MECHANISM.
func (c ScramChange) Validate() error {
	switch {
	case c.Name == "":
		return Errorf(kerr.UnacceptableCredential, "Username must not be empty")
	case c.Mechanism != ScramSHA256 && c.Mechanism != ScramSHA512:
		return Errorf(kerr.UnsupportedSaslMechanism, "Unknown SCRAM mechanism")
	case c.Credential == nil:
		return nil
	case c.Credential.Iterations < ScramIterationsMin:
		return Errorf(kerr.UnacceptableCredential, "Too few iterations")
	case c.Credential.Iterations > ScramIterationsMax:
		return Errorf(kerr.UnacceptableCredential, "Too many iterations")
	}
	return nil
}

// Record is the UserScramCredentialRecord that stores c's credential under c's user
// and mechanism, whatever names the credential itself carries.
func (c ScramChange) Record() *UserScramCredentialRecord {
	rec := *c.Credential
	rec.Name, rec.Mechanism = c.Name, c.Mechanism
	return &rec
}
