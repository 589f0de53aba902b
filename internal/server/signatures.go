package server

import (
	"net/http"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store"
)

// The server holds every account's public keys, so it refuses what it can
// prove is bad before storing it: a manifest or revision that the caller's
// own keys do not verify. Readers verify everything again themselves
// (docs/protocol.md §7.3, §7.5); these checks keep one member with write
// access from storing objects that every reader would have to refuse.

// signedManifest checks a manifest a write carries: its shape (checkManifest)
// and its signature by the caller over vault v.
func (s *Server) signedManifest(r *http.Request, field string, am api.Manifest, v store.Vault, create bool) (store.Manifest, error) {
	me := s.userID(r)
	m, err := checkManifest(field, am, v.ID, me, create)
	if err != nil {
		return store.Manifest{}, err
	}
	_, keys, err := s.accountKeys(r.Context(), me)
	if err != nil {
		return store.Manifest{}, err
	}
	if err := verifyManifest(keys, v.OrgID, m, field); err != nil {
		return store.Manifest{}, err
	}
	return m, nil
}

// verifyManifest checks m's signature by keys, for a vault of orgID ("" for
// My Vault).
func verifyManifest(keys crypto.PublicKeys, orgID string, m store.Manifest, field string) error {
	cm := crypto.Manifest{OrgID: orgID, VaultID: m.VaultID, Version: m.Version, Count: m.Count, ItemsHash: m.ItemsHash,
		SignerID: m.SignerID, Time: uint64(m.Time)}
	if crypto.VerifyManifest(keys, cm, m.Sig) != nil {
		return errBadRequest("%s.sig does not verify with the signer's public keys (protocol §7.5); nothing was written", field)
	}
	return nil
}

// signedRevision checks that revision n of item itemID (type typ) in vault v
// is signed by the caller, as its author, over its header, key commitment
// and blob.
func (s *Server) signedRevision(r *http.Request, nr api.NewRevision, v store.Vault, itemID, typ string, n uint64) error {
	if err := checkLen("revision.key_commit", nr.KeyCommit, crypto.KeySize); err != nil {
		return err
	}
	me := s.userID(r)
	_, keys, err := s.accountKeys(r.Context(), me)
	if err != nil {
		return err
	}
	h := crypto.RevisionHeader{OrgID: v.OrgID, VaultID: v.ID, ItemID: itemID, Revision: n, KeyEpoch: nr.KeyEpoch,
		Type: typ, AuthorID: me, Time: uint64(nr.Time), PrevHash: nr.PrevHash}
	if crypto.VerifyRevisionSignature(keys, h, nr.KeyCommit, nr.Blob, nr.Sig) != nil {
		return errBadRequest("revision.sig does not verify with your public keys over this item, revision %d and blob (protocol §7.3); nothing was written", n)
	}
	return nil
}
