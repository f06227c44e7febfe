package metadata

// ScramChange is one entry of an AlterUserScramCredentials: a credential to store
// (Credential set) or the credential of Name and Mechanism to delete (Credential nil).
// The broker has already turned the client's salted password into the stored and
// server keys, so no password or salted password reaches the metadata.
type ScramChange struct {
	Name       string
	Mechanism  int8
	Credential *UserScramCredentialRecord
}
