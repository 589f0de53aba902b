package server

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server/authz"
	"github.com/coffer-pm/coffer/internal/store"
)

// vaultFor loads a vault and checks that the caller may perform action on
// it. A vault the caller cannot read is reported as not found, so its
// existence is not revealed; a readable vault they cannot write is 403.
func (s *Server) vaultFor(r *http.Request, vaultID string, action authz.Action) (store.Vault, error) {
	userID := callerFrom(r.Context()).session.UserID
	perm, err := s.store.VaultPermission(r.Context(), userID, vaultID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !authz.Allows(perm, authz.ReadVault)) {
		return store.Vault{}, errNotFound("vault")
	}
	if err != nil {
		return store.Vault{}, err
	}
	if !authz.Allows(perm, action) {
		return store.Vault{}, errForbidden("your permission on this vault (" + perm.String() + ") does not allow this")
	}
	store.Require(r.Context(), store.Requirement{UserID: userID, VaultID: vaultID, Perm: authz.Needs(action)})
	return s.store.Vault(r.Context(), vaultID)
}

// itemFor loads an item and checks the caller's permission on its vault.
func (s *Server) itemFor(r *http.Request, action authz.Action) (store.Item, store.Vault, error) {
	id := r.PathValue("id")
	if err := checkID("item id", id); err != nil {
		return store.Item{}, store.Vault{}, err
	}
	it, err := s.store.Item(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Item{}, store.Vault{}, errNotFound("item")
	}
	if err != nil {
		return store.Item{}, store.Vault{}, err
	}
	v, err := s.vaultFor(r, it.VaultID, action)
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusNotFound {
		return store.Item{}, store.Vault{}, errNotFound("item")
	}
	return it, v, err
}

// checkRevision validates a new revision written at the vault's current
// epoch. Revision 1 must start the chain with a zero hash.
func (s *Server) checkRevision(nr api.NewRevision, v store.Vault, first bool) error {
	switch {
	case nr.KeyEpoch < v.Epoch:
		// A superseded epoch, which whoever lost access holds (§18.1).
		return &httpError{http.StatusConflict, api.CodeEpochConflict, "revision.key_epoch must be the vault's current key epoch (" + strconv.FormatUint(v.Epoch, 10) + "): it was rotated; sync and retry", 0}
	case nr.KeyEpoch != v.Epoch:
		return errConflict("revision.key_epoch must be the vault's current key epoch ("+strconv.FormatUint(v.Epoch, 10)+"); sync and retry", 0)
	case nr.Time <= 0:
		return errBadRequest("revision.time must be the author's clock in Unix milliseconds")
	case len(nr.Blob) == 0:
		return errBadRequest("revision.blob is required")
	case len(nr.Blob) > s.cfg.MaxBlobBytes:
		return &httpError{http.StatusRequestEntityTooLarge, api.CodeTooLarge, "revision.blob is larger than the limit of " + strconv.Itoa(s.cfg.MaxBlobBytes) + " bytes", 0}
	}
	if err := checkLen("revision.sig", nr.Sig, sigSize); err != nil {
		return err
	}
	if err := checkLen("revision.prev_hash", nr.PrevHash, crypto.HashSize); err != nil {
		return err
	}
	if first && !bytes.Equal(nr.PrevHash, crypto.ZeroHash()) {
		return errBadRequest("revision.prev_hash of a new item must be all zeros")
	}
	return nil
}

// itemKeyID names an item key: the vault and epoch it was made for.
type itemKeyID struct {
	vault string
	epoch uint64
}

// checkKeyWraps validates item key wraps: each wraps one of the item's own
// keys (allowed) under a key epoch of the item's vault. Any other key would
// be a row the server stores for nothing, which no quota counts (issue 23:
// 64 wraps of made-up keys per item).
func checkKeyWraps(wraps []api.ItemKeyWrap, v store.Vault, allowed map[itemKeyID]bool) ([]store.ItemKeyWrap, error) {
	if len(wraps) > 64 {
		return nil, errBadRequest("too many key_wraps (at most 64)")
	}
	out := make([]store.ItemKeyWrap, 0, len(wraps))
	for _, w := range wraps {
		if w.WrapVault != v.ID || w.WrapEpoch == 0 || w.WrapEpoch > v.Epoch || w.KeyEpoch == 0 || checkID("key_wraps.key_vault", w.KeyVault) != nil {
			return nil, errBadRequest("key_wraps must be wrapped under a key epoch of the item's vault")
		}
		if !allowed[itemKeyID{w.KeyVault, w.KeyEpoch}] {
			return nil, errBadRequest("key_wraps may only wrap the item's own keys: the key of the vault's current epoch, or the key of one of its revisions")
		}
		if err := checkLen("key_wraps.wrap", w.Wrap, boxedKeySize); err != nil {
			return nil, err
		}
		out = append(out, store.ItemKeyWrap{KeyVault: w.KeyVault, KeyEpoch: w.KeyEpoch, WrapVault: w.WrapVault, WrapEpoch: w.WrapEpoch, Wrap: w.Wrap})
	}
	return out, nil
}

// itemKeys returns the keys an item has (those its wraps wrap) and the key
// of v's current epoch, which a write may add.
func itemKeys(st store.ItemState, v store.Vault) map[itemKeyID]bool {
	keys := map[itemKeyID]bool{{v.ID, v.Epoch}: true}
	for _, w := range st.KeyWraps {
		keys[itemKeyID{w.KeyVault, w.KeyEpoch}] = true
	}
	return keys
}

func hasKeyFor(wraps []store.ItemKeyWrap, vault string, epoch uint64) bool {
	for _, w := range wraps {
		if w.KeyVault == vault && w.KeyEpoch == epoch {
			return true
		}
	}
	return false
}

func (s *Server) newRevision(nr api.NewRevision, it store.Item, authorID string) store.Revision {
	return store.Revision{VaultID: it.VaultID, KeyEpoch: nr.KeyEpoch, Type: it.Type, AuthorID: authorID,
		PrevHash: nr.PrevHash, Blob: nr.Blob, Sig: nr.Sig, Time: nr.Time, CreatedAt: s.now(), FileIDs: nr.FileIDs}
}

func (s *Server) createItem(w http.ResponseWriter, r *http.Request) error {
	var req api.CreateItemRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	vaultID := r.PathValue("vault")
	if err := checkID("vault id", vaultID); err != nil {
		return err
	}
	if err := checkID("id", req.ID); err != nil {
		return err
	}
	if !itemTypes[req.Type] {
		return errBadRequest("type must be one of login, note, secret, card, identity, ssh-key, file")
	}
	v, err := s.vaultFor(r, vaultID, authz.WriteItems)
	if err != nil {
		return err
	}
	wraps, err := s.firstRevision(req.Revision, req.KeyWraps, v)
	if err != nil {
		return err
	}
	if err := s.checkFileRefs(r, "", v.ID, req.Revision.FileIDs); err != nil {
		return err
	}
	if err := s.checkRevisionQuota(r, store.RevisionCost(len(req.Revision.Blob))); err != nil {
		return err
	}
	me := s.userID(r)
	m, err := s.signedManifest(r, "manifest", req.Manifest, v, false)
	if err != nil {
		return err
	}
	if err := s.signedRevision(r, req.Revision, v, req.ID, req.Type, 1); err != nil {
		return err
	}
	it := store.Item{ID: req.ID, VaultID: v.ID, Type: req.Type, CreatedAt: s.now()}
	s.auditRevision(r, v, api.AuditItemCreate, req.ID, req.Type, 1, req.Revision, "")
	st, err := s.store.CreateItem(r.Context(), it, s.newRevision(req.Revision, it, me), wraps, m)
	if errors.Is(err, store.ErrExists) {
		if st, ok, rerr := s.replayOf(r, req.ID, v.ID, 1, req.Revision); rerr != nil || ok {
			return s.answerItem(w, http.StatusCreated, st, rerr)
		}
		return &httpError{http.StatusConflict, api.CodeExists, "an item with this id already exists", 0}
	}
	return s.answerItem(w, http.StatusCreated, st, err)
}

// replayOf reports whether a write refused as already done (the id
// exists, or the base revision is no longer the head) is the caller's own
// retry of a write that committed: the item is in vault and its revision n
// is the caller's, with exactly these signed bytes. A client whose answer
// was lost (a dropped connection, a 503 from a proxy) sends the same
// request again and gets the answer it missed, never a duplicate or a
// conflict with itself (issue 23). Another caller, or other bytes, is no
// replay: the write is refused as before.
func (s *Server) replayOf(r *http.Request, itemID, vaultID string, n uint64, nr api.NewRevision) (store.ItemState, bool, error) {
	st, err := s.store.ItemState(r.Context(), itemID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && st.VaultID != vaultID) {
		return store.ItemState{}, false, nil
	}
	if err != nil {
		return store.ItemState{}, false, err
	}
	revs, err := s.store.Revisions(r.Context(), itemID)
	if err != nil {
		return store.ItemState{}, false, err
	}
	for _, rv := range revs {
		if rv.Revision == n {
			same := rv.AuthorID == s.userID(r) && rv.VaultID == vaultID && rv.KeyEpoch == nr.KeyEpoch &&
				bytes.Equal(rv.Sig, nr.Sig) && bytes.Equal(rv.Blob, nr.Blob) && bytes.Equal(rv.PrevHash, nr.PrevHash)
			return st, same, nil
		}
	}
	return store.ItemState{}, false, nil
}

// answerItem answers a write with the state its transaction returned.
func (s *Server) answerItem(w http.ResponseWriter, status int, st store.ItemState, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, itemToAPI(st))
	return nil
}

// firstRevision checks revision 1 of a new item in v and its key wraps,
// which must include the item key for the vault's current epoch.
func (s *Server) firstRevision(nr api.NewRevision, keyWraps []api.ItemKeyWrap, v store.Vault) ([]store.ItemKeyWrap, error) {
	if err := s.checkRevision(nr, v, true); err != nil {
		return nil, err
	}
	// A new item's key is made for the vault's current epoch.
	wraps, err := checkKeyWraps(keyWraps, v, map[itemKeyID]bool{{v.ID, v.Epoch}: true})
	if err != nil {
		return nil, err
	}
	if !hasKeyFor(wraps, v.ID, v.Epoch) {
		return nil, errBadRequest("key_wraps must include the item key for the vault's current epoch")
	}
	return wraps, nil
}

// MaxBatchItems is the most items one batch create may hold.
const MaxBatchItems = 1000

// createItems stores a batch of new items of one vault with the vault's
// next manifest, all or none. Each item is checked as createItem checks
// one; attachments are not part of a batch (they are uploaded and linked
// one item at a time).
func (s *Server) createItems(w http.ResponseWriter, r *http.Request) error {
	var req api.CreateItemsRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	vaultID := r.PathValue("vault")
	if err := checkID("vault id", vaultID); err != nil {
		return err
	}
	if len(req.Items) == 0 || len(req.Items) > MaxBatchItems {
		return errBadRequest("items must hold 1 to %d items", MaxBatchItems)
	}
	v, err := s.vaultFor(r, vaultID, authz.WriteItems)
	if err != nil {
		return err
	}
	m, err := s.signedManifest(r, "manifest", req.Manifest, v, false)
	if err != nil {
		return err
	}
	me := s.userID(r)
	now := s.now()
	seen := make(map[string]bool, len(req.Items))
	batch := make([]store.NewItem, len(req.Items))
	var cost int64
	for i, n := range req.Items {
		if err := checkID("items.id", n.ID); err != nil {
			return err
		}
		if seen[n.ID] {
			return errBadRequest("item %s is in the batch twice", n.ID)
		}
		seen[n.ID] = true
		if !itemTypes[n.Type] || n.Type == "file" {
			return errBadRequest("items.type must be one of login, note, secret, card, identity, ssh-key (file items are created one at a time)")
		}
		if len(n.Revision.FileIDs) > 0 {
			return errBadRequest("items in a batch carry no attachments; attach files to an item on its own")
		}
		wraps, err := s.firstRevision(n.Revision, n.KeyWraps, v)
		if err != nil {
			return err
		}
		if err := s.signedRevision(r, n.Revision, v, n.ID, n.Type, 1); err != nil {
			return err
		}
		cost += store.RevisionCost(len(n.Revision.Blob))
		it := store.Item{ID: n.ID, VaultID: v.ID, Type: n.Type, CreatedAt: now}
		batch[i] = store.NewItem{Item: it, Rev: s.newRevision(n.Revision, it, me), Wraps: wraps}
	}
	if err := s.checkRevisionQuota(r, cost); err != nil {
		return err
	}
	// One entry per item, in the batch's one transaction.
	for _, n := range req.Items {
		s.auditRevision(r, v, api.AuditItemCreate, n.ID, n.Type, 1, n.Revision, "")
	}
	states, err := s.store.CreateItems(r.Context(), batch, m)
	if errors.Is(err, store.ErrExists) {
		// A batch is stored whole or not at all: it is a replay only if
		// every item of it is.
		states = make([]store.ItemState, len(batch))
		for i, n := range req.Items {
			st, ok, rerr := s.replayOf(r, n.ID, v.ID, 1, n.Revision)
			if rerr != nil {
				return rerr
			}
			if !ok {
				return &httpError{http.StatusConflict, api.CodeExists, "an item with one of these ids already exists", 0}
			}
			states[i] = st
		}
	} else if err != nil {
		return err
	}
	out := api.Items{Items: make([]api.Item, len(states))}
	for i, st := range states {
		out.Items[i] = itemToAPI(st)
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) updateItem(w http.ResponseWriter, r *http.Request) error {
	var req api.UpdateItemRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	it, v, err := s.itemFor(r, authz.WriteItems)
	if err != nil {
		return err
	}
	if it.Trashed {
		return &httpError{http.StatusConflict, api.CodeTrashed, "the item is in the trash; restore it before editing", 0}
	}
	if req.BaseRevision == 0 {
		return errBadRequest("base_revision is required: the revision you edited")
	}
	if err := s.checkRevision(req.Revision, v, false); err != nil {
		return err
	}
	st, err := s.store.ItemState(r.Context(), it.ID)
	if err != nil {
		return err
	}
	wraps, err := checkKeyWraps(req.KeyWraps, v, itemKeys(st, v))
	if err != nil {
		return err
	}
	if !hasKeyFor(wraps, v.ID, v.Epoch) && !hasKeyFor(st.KeyWraps, v.ID, v.Epoch) {
		return errBadRequest("key_wraps must include the item key for the vault's current epoch")
	}
	if err := s.checkFileRefs(r, it.ID, v.ID, req.Revision.FileIDs); err != nil {
		return err
	}
	if err := s.checkRevisionQuota(r, store.RevisionCost(len(req.Revision.Blob))); err != nil {
		return err
	}
	me := s.userID(r)
	m, err := s.signedManifest(r, "manifest", req.Manifest, v, false)
	if err != nil {
		return err
	}
	if err := s.signedRevision(r, req.Revision, v, it.ID, it.Type, req.BaseRevision+1); err != nil {
		return err
	}
	s.auditRevision(r, v, api.AuditItemUpdate, it.ID, it.Type, req.BaseRevision+1, req.Revision, "")
	st, err = s.store.UpdateItem(r.Context(), it.ID, req.BaseRevision, s.newRevision(req.Revision, it, me), wraps, m)
	return s.answerWrite(w, r, st, err, it.ID, v.ID, req.BaseRevision+1, req.Revision)
}

// answerWrite answers a revision write with the state it stored; a write
// refused as a conflict that is the caller's own committed write, sent
// again, gets that answer instead (replayOf).
func (s *Server) answerWrite(w http.ResponseWriter, r *http.Request, st store.ItemState, err error, itemID, vaultID string, n uint64, nr api.NewRevision) error {
	var ce *store.ConflictError
	if errors.As(err, &ce) && ce.Head >= n {
		if replay, ok, rerr := s.replayOf(r, itemID, vaultID, n, nr); rerr != nil || ok {
			return s.answerItem(w, http.StatusOK, replay, rerr)
		}
	}
	return s.answerItem(w, http.StatusOK, st, err)
}

func (s *Server) trashItem(w http.ResponseWriter, r *http.Request) error {
	return s.setTrashed(w, r, true)
}
func (s *Server) restoreItem(w http.ResponseWriter, r *http.Request) error {
	return s.setTrashed(w, r, false)
}

// setTrashed moves an item in or out of the trash. Doing what is already
// done is not an error and stores nothing (the manifest is not taken).
func (s *Server) setTrashed(w http.ResponseWriter, r *http.Request, trashed bool) error {
	var req api.ManifestRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	it, v, err := s.itemFor(r, authz.WriteItems)
	if err != nil {
		return err
	}
	if it.Trashed != trashed {
		m, err := s.signedManifest(r, "manifest", req.Manifest, v, false)
		if err != nil {
			return err
		}
		action := api.AuditItemTrash
		if !trashed {
			action = api.AuditItemRestore
		}
		if err := s.auditItem(r, v, action, it.ID); err != nil {
			return err
		}
		st, err := s.store.SetItemTrashed(r.Context(), it.ID, trashed, s.now(), m)
		return s.answerItem(w, http.StatusOK, st, err)
	}
	return s.writeItem(w, r, http.StatusOK, it.ID)
}

func (s *Server) getItem(w http.ResponseWriter, r *http.Request) error {
	it, _, err := s.itemFor(r, authz.ReadVault)
	if err != nil {
		return err
	}
	return s.writeItem(w, r, http.StatusOK, it.ID)
}

func (s *Server) writeItem(w http.ResponseWriter, r *http.Request, status int, id string) error {
	st, err := s.store.ItemState(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, status, itemToAPI(st))
	return nil
}

func (s *Server) listRevisions(w http.ResponseWriter, r *http.Request) error {
	it, _, err := s.itemFor(r, authz.ReadVault)
	if err != nil {
		return err
	}
	revs, err := s.store.Revisions(r.Context(), it.ID)
	if err != nil {
		return err
	}
	out := api.Revisions{ItemID: it.ID, Revisions: make([]api.Revision, 0, len(revs))}
	for _, rv := range revs {
		out.Revisions = append(out.Revisions, revisionToAPI(rv))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) listVaults(w http.ResponseWriter, r *http.Request) error {
	vaults, err := s.vaultsOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, vaults)
	return nil
}

func (s *Server) vaultsOf(r *http.Request) ([]api.Vault, error) {
	list, err := s.store.VaultsForUser(r.Context(), callerFrom(r.Context()).session.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]api.Vault, 0, len(list))
	for _, v := range list {
		out = append(out, vaultToAPI(v))
	}
	return out, nil
}

// moveItem moves an item into another vault with a new revision written
// there. Both vaults need edit permission; items stay inside their
// organisation (My Vault → organisation is allowed, the reverse and moves
// across organisations are not). The request must re-wrap every item key
// of the history under the destination's current key.
func (s *Server) moveItem(w http.ResponseWriter, r *http.Request) error {
	var req api.MoveItemRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	it, from, err := s.itemFor(r, authz.WriteItems)
	if err != nil {
		return err
	}
	if err := checkID("to_vault", req.ToVault); err != nil {
		return err
	}
	to, err := s.vaultFor(r, req.ToVault, authz.WriteItems)
	if err != nil {
		return err
	}
	switch {
	case it.Trashed:
		return &httpError{http.StatusConflict, api.CodeTrashed, "the item is in the trash; restore it before moving it", 0}
	case to.ID == from.ID:
		return errBadRequest("the item is already in this vault")
	case to.Kind == store.VaultPersonal && from.Kind == store.VaultPersonal:
		return errBadRequest("the item is already in a personal vault")
	case to.Kind == store.VaultOrg && from.Kind == store.VaultOrg && from.OrgID != to.OrgID:
		return errBadRequest("items cannot move between organisations")
	case req.BaseRevision == 0:
		return errBadRequest("base_revision is required: the revision you moved")
	}
	if err := s.checkRevision(req.Revision, to, false); err != nil {
		return err
	}
	revs, err := s.store.Revisions(r.Context(), it.ID)
	if err != nil {
		return err
	}
	keys := map[itemKeyID]bool{{to.ID, to.Epoch}: true}
	for _, rv := range revs {
		keys[itemKeyID{rv.VaultID, rv.KeyEpoch}] = true
	}
	wraps, err := checkKeyWraps(req.KeyWraps, to, keys)
	if err != nil {
		return err
	}
	for _, rv := range revs {
		if !hasKeyFor(wraps, rv.VaultID, rv.KeyEpoch) {
			return errBadRequest("key_wraps must re-wrap the item key of every revision under the destination vault (missing %s epoch %d)", rv.VaultID, rv.KeyEpoch)
		}
	}
	if !hasKeyFor(wraps, to.ID, to.Epoch) {
		return errBadRequest("key_wraps must include the item key for the destination's current epoch")
	}
	moved := it
	moved.VaultID = to.ID
	if err := s.checkFileRefs(r, it.ID, to.ID, req.Revision.FileIDs); err != nil {
		return err
	}
	if err := s.signedRevision(r, req.Revision, to, it.ID, it.Type, req.BaseRevision+1); err != nil {
		return err
	}
	if err := s.checkRevisionQuota(r, store.RevisionCost(len(req.Revision.Blob))); err != nil {
		return err
	}
	me := s.userID(r)
	fromM, err := s.signedManifest(r, "manifest", req.Manifest, from, false)
	if err != nil {
		return err
	}
	toM, err := s.signedManifest(r, "to_manifest", req.ToManifest, to, false)
	if err != nil {
		return err
	}
	s.auditRevision(r, to, api.AuditMove, it.ID, it.Type, req.BaseRevision+1, req.Revision, from.ID)
	st, err := s.store.MoveItem(r.Context(), it.ID, req.BaseRevision, to.ID, s.newRevision(req.Revision, moved, me), wraps, fromM, toM)
	return s.answerWrite(w, r, st, err, it.ID, to.ID, req.BaseRevision+1, req.Revision)
}
