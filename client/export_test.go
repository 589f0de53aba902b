package client

import (
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// ObservePlaintext lets tests see every decrypted item content.
func ObservePlaintext(fn func(Content)) { observePlaintext = fn }

// NewFuzzProfile makes a real profile and account key for a fake server, so
// that fuzzing can drive a session without Argon2id.
func NewFuzzProfile(server string) (*Profile, []byte) {
	ak := crypto.NewKey()
	id, _ := crypto.NewIdentity()
	userID := "6f1c2a5e-8d4b-4c1e-9a3f-2b7d5e8c1a90"
	pk, _ := id.SealPrivateKeys(ak, userID)
	pub := id.Public()
	p := &Profile{Server: server, UserID: userID, Email: "fuzz@example.com", Keys: api.AccountKeys{
		SignPub: pub.Sign, KEMPub: pub.KEM, PublicKeysSig: id.SignPublicKeys(crypto.RecipientUser, userID, pub), PrivateKeys: pk}}
	return p, ak
}
