package tlsconf

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
)

var (
	// errWrongKeyPassword is what decrypting a key with a wrong password
	// looks like: the padding or the decrypted structure does not check out.
	errWrongKeyPassword = errors.New("wrong password for the private key")
	// errNotEncrypted is a key given a password that is not encrypted; Java's
	// EncryptedPrivateKeyInfo refuses it too.
	errNotEncrypted = errors.New("the private key is not encrypted (BEGIN PRIVATE KEY, not BEGIN ENCRYPTED PRIVATE KEY)")
)

// encryptedPrivateKeyInfo is PKCS#8's EncryptedPrivateKeyInfo (RFC 5208),
// what Kafka's PemStore reads with javax.crypto.EncryptedPrivateKeyInfo when
// ssl.key.password is set.
type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

// pbes2Params and pbkdf2Params are PKCS#5 v2's parameters (RFC 8018).
type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                      `asn1:"optional"`
	PRF            pkix.AlgorithmIdentifier `asn1:"optional"`
}

var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
)

// pbkdf2PRFs are the HMACs PBKDF2 may use; hmacWithSHA1 is the default.
var pbkdf2PRFs = map[string]func() hash.Hash{
	"1.2.840.113549.2.7":  sha1.New,
	"1.2.840.113549.2.8":  sha256.New224,
	"1.2.840.113549.2.9":  sha256.New,
	"1.2.840.113549.2.10": sha512.New384,
	"1.2.840.113549.2.11": sha512.New,
}

// aesCBCKeySizes are the AES-CBC encryption schemes by key size.
var aesCBCKeySizes = map[string]int{
	"2.16.840.1.101.3.4.1.2":  16,
	"2.16.840.1.101.3.4.1.22": 24,
	"2.16.840.1.101.3.4.1.42": 32,
}

// decryptPKCS8 decrypts an EncryptedPrivateKeyInfo protected with PBES2,
// PBKDF2 and AES-CBC, which is what "openssl pkcs8 -topk8" and "openssl
// genpkey -aes256" write in OpenSSL 1.1 and 3. Go's standard library has no
// decrypter for it. The result is the PKCS#8 PrivateKeyInfo DER.
func decryptPKCS8(der []byte, password string) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, errNotEncrypted
	}
	const reencrypt = "; re-encrypt it with: openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key.enc.pem"
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("the key is encrypted with %v, not PBES2%s", info.Algorithm.Algorithm, reencrypt)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, fmt.Errorf("the key's PBES2 parameters: %w", err)
	}
	if !params.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("the key's password is derived with %v, not PBKDF2%s", params.KeyDerivationFunc.Algorithm, reencrypt)
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil {
		return nil, fmt.Errorf("the key's PBKDF2 parameters: %w", err)
	}
	prf := sha1.New
	if len(kdf.PRF.Algorithm) > 0 {
		var ok bool
		if prf, ok = pbkdf2PRFs[kdf.PRF.Algorithm.String()]; !ok {
			return nil, fmt.Errorf("the key's PBKDF2 uses the unsupported PRF %v%s", kdf.PRF.Algorithm, reencrypt)
		}
	}
	keySize, ok := aesCBCKeySizes[params.EncryptionScheme.Algorithm.String()]
	if !ok {
		return nil, fmt.Errorf("the key is encrypted with %v, not AES-CBC%s", params.EncryptionScheme.Algorithm, reencrypt)
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.EncryptionScheme.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, errors.New("the key's AES-CBC parameters hold no 16-byte IV")
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != keySize {
		return nil, fmt.Errorf("the key's PBKDF2 key length %d does not fit its cipher", kdf.KeyLength)
	}
	key, err := pbkdf2.Key(prf, password, kdf.Salt, kdf.IterationCount, keySize)
	if err != nil {
		return nil, fmt.Errorf("deriving the key's encryption key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	data := info.EncryptedData
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, errors.New("the key's encrypted data is not whole AES blocks")
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
	return unpad(plain)
}

// unpad strips PKCS#7 padding; bad padding means a wrong password.
func unpad(b []byte) ([]byte, error) {
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize || n > len(b) {
		return nil, errWrongKeyPassword
	}
	for _, p := range b[len(b)-n:] {
		if int(p) != n {
			return nil, errWrongKeyPassword
		}
	}
	return b[:len(b)-n], nil
}
