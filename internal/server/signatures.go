package server

import (
	"errors"
	"net/http"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server/authz"
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
	m, err := checkManifest(field, am, v.ID, s.userID(r), create)
	if err != nil {
		return store.Manifest{}, err
	}
	keys, err := s.callerKeys(r)
	if err != nil {
		return store.Manifest{}, err
	}
	if err := verifyManifest(keys, v.OrgID, m, field); err != nil {
		return store.Manifest{}, err
	}
	return m, nil
}

// callerKeys returns the caller's public keys, read once per request (a
// move checks two manifests and a revision with them).
func (s *Server) callerKeys(r *http.Request) (crypto.PublicKeys, error) {
	c := r.Context().Value(ctxKey{}).(*caller)
	if c.keys == nil {
		_, keys, err := s.accountKeys(r.Context(), c.session.UserID)
		if err != nil {
			return crypto.PublicKeys{}, err
		}
		c.keys = &keys
	}
	return *c.keys, nil
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
	keys, err := s.callerKeys(r)
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

// maxRepairPurge bounds the items one repair may purge.
const maxRepairPurge = 1000

// repairManifest stores a manager's repairing manifest for a vault that
// its readers quarantined (docs/protocol.md §7.6): the next version, signed
// by the caller, who must manage the vault. The server cannot tell a
// repair from vandalism by the items hash; what it can check, it does
// (permission, signature, version in step), and readers check the rest.
func (s *Server) repairManifest(w http.ResponseWriter, r *http.Request) error {
	var req api.RepairManifestRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	vaultID := r.PathValue("vault")
	if err := checkID("vault id", vaultID); err != nil {
		return err
	}
	v, err := s.vaultFor(r, vaultID, authz.RepairManifest)
	if err != nil {
		return err
	}
	if len(req.Purge) > maxRepairPurge {
		return errBadRequest("purge lists at most %d items", maxRepairPurge)
	}
	seen := map[string]bool{}
	for _, id := range req.Purge {
		if err := checkID("purge", id); err != nil {
			return err
		}
		if seen[id] {
			return errBadRequest("purge lists item %s twice", id)
		}
		seen[id] = true
	}
	m, err := s.signedManifest(r, "manifest", req.Manifest, v, false)
	if err != nil {
		return err
	}
	if err := s.store.RepairManifest(r.Context(), m, req.Purge, s.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errBadRequest("purge lists an item that is not in this vault; nothing was written")
		}
		return err
	}
	s.log.InfoContext(r.Context(), "vault manifest repaired", "vault", v.ID, "user", s.userID(r), "version", m.Version, "purged", len(req.Purge))
	w.WriteHeader(http.StatusNoContent)
	return nil
}
