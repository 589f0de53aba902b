package client

import (
	"time"

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

// SignManifestAs signs a manifest as s's account, as an insider with raw
// API access could: validly signed, over whatever count and hash they like.
func SignManifestAs(s *Session, orgID, vaultID string, version, count uint64, itemsHash []byte) api.Manifest {
	now := time.Now().UnixMilli()
	m := crypto.Manifest{OrgID: orgID, VaultID: vaultID, Version: version, Count: count, ItemsHash: itemsHash, SignerID: s.Profile.UserID, Time: uint64(now)}
	sig, err := crypto.SignManifest(s.id, m)
	if err != nil {
		panic(err)
	}
	return api.Manifest{VaultID: vaultID, Version: version, Count: count, ItemsHash: itemsHash, SignerID: s.Profile.UserID, Time: now, Sig: sig}
}

// ManifestVersion is the vault's current verified manifest version.
func ManifestVersion(s *Session, vaultID string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.manifests[vaultID].Version
}
