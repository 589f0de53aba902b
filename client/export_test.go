package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store"
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

// CreateRawItem is CreateItem with an arbitrary, validly signed plaintext:
// what an insider with a modified client can store.
func CreateRawItem(ctx context.Context, s *Session, vaultID string, plaintext []byte) error {
	v, _ := s.vault(vaultID)
	item := &Item{ID: uuid.NewString(), VaultID: v.ID, Type: "note", keyVault: v.ID, keyEpoch: v.Epoch, itemKey: crypto.NewKey()}
	ictx := crypto.ItemKeyContext{OrgID: v.OrgID, WrapVault: v.ID, WrapEpoch: v.Epoch, ItemID: item.ID, KeyVault: v.ID, KeyEpoch: v.Epoch}
	s.mu.Lock()
	vk := s.vaultKeys[epochKey{v.ID, v.Epoch}]
	s.mu.Unlock()
	w, err := crypto.WrapItemKey(vk, ictx, item.itemKey)
	if err != nil {
		return err
	}
	now := s.opt.now().UnixMilli()
	h := crypto.RevisionHeader{OrgID: v.OrgID, VaultID: v.ID, ItemID: item.ID, Revision: 1, KeyEpoch: v.Epoch, Type: "note",
		AuthorID: s.Profile.UserID, Time: uint64(now), PrevHash: crypto.ZeroHash()}
	blob, sig, hash, err := crypto.SealRevision(s.id, item.itemKey, h, plaintext)
	if err != nil {
		return err
	}
	nr := api.NewRevision{KeyEpoch: v.Epoch, Time: now, PrevHash: crypto.ZeroHash(), Blob: blob, Sig: sig, KeyCommit: crypto.ItemKeyCommitment(item.itemKey)}
	m, err := s.nextManifest(v, func(e map[string]crypto.ManifestEntry) {
		e[item.ID] = crypto.ManifestEntry{ItemID: item.ID, Head: 1, HeadHash: hash}
	})
	if err != nil {
		return err
	}
	return s.t.do(ctx, http.MethodPost, "/vaults/"+url.PathEscape(v.ID)+"/items",
		api.CreateItemRequest{ID: item.ID, Type: "note", Revision: nr, Manifest: m.api,
			KeyWraps: []api.ItemKeyWrap{{KeyVault: v.ID, KeyEpoch: v.Epoch, WrapVault: v.ID, WrapEpoch: v.Epoch, Wrap: w}}}, nil)
}

// CreateItemSignedOverAnotherKey stores what only a modified client of a
// vault writer can: a note encrypted under the item key it wraps for
// readers, but signed over another key's commitment (which it also tells
// the server, so the server's own signature check passes), in a validly
// signed manifest over the hash readers compute. Everything but the
// revision signature checks out for a reader.
func CreateItemSignedOverAnotherKey(ctx context.Context, s *Session, vaultID, name string) error {
	v, _ := s.vault(vaultID)
	itemID, ik := uuid.NewString(), crypto.NewKey()
	ictx := crypto.ItemKeyContext{OrgID: v.OrgID, WrapVault: v.ID, WrapEpoch: v.Epoch, ItemID: itemID, KeyVault: v.ID, KeyEpoch: v.Epoch}
	s.mu.Lock()
	vk := s.vaultKeys[epochKey{v.ID, v.Epoch}]
	s.mu.Unlock()
	w, err := crypto.WrapItemKey(vk, ictx, ik)
	if err != nil {
		return err
	}
	now := s.opt.now().UnixMilli()
	h := crypto.RevisionHeader{OrgID: v.OrgID, VaultID: v.ID, ItemID: itemID, Revision: 1, KeyEpoch: v.Epoch, Type: "note",
		AuthorID: s.Profile.UserID, Time: uint64(now), PrevHash: crypto.ZeroHash()}
	pt, _ := json.Marshal(Content{Name: name, Notes: "planted"})
	blob, err := crypto.EncryptRevision(ik, h, pt)
	if err != nil {
		return err
	}
	other := crypto.ItemKeyCommitment(crypto.NewKey())
	sig, _, err := crypto.SignRevision(s.id, h, other, blob)
	if err != nil {
		return err
	}
	readersHash := crypto.RevisionHash(h, crypto.ItemKeyCommitment(ik), blob, sig)
	nr := api.NewRevision{KeyEpoch: v.Epoch, Time: now, PrevHash: crypto.ZeroHash(), Blob: blob, Sig: sig, KeyCommit: other}
	m, err := s.nextManifest(v, func(e map[string]crypto.ManifestEntry) {
		e[itemID] = crypto.ManifestEntry{ItemID: itemID, Head: 1, HeadHash: readersHash}
	})
	if err != nil {
		return err
	}
	return s.t.do(ctx, http.MethodPost, "/vaults/"+url.PathEscape(v.ID)+"/items",
		api.CreateItemRequest{ID: itemID, Type: "note", Revision: nr, Manifest: m.api,
			KeyWraps: []api.ItemKeyWrap{{KeyVault: v.ID, KeyEpoch: v.Epoch, WrapVault: v.ID, WrapEpoch: v.Epoch, Wrap: w}}}, nil)
}

// DeferredLeftIn is how many items of vaultID still wait for their check.
func DeferredLeftIn(s *Session, vaultID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, it := range s.items {
		if it.VaultID == vaultID && it.check != nil {
			n++
		}
	}
	return n
}

// RawDo is an authenticated API call as s's account: what an insider with
// a modified client can send.
func RawDo(ctx context.Context, s *Session, method, path string, body, out any) error {
	return s.t.do(ctx, method, path, body, out)
}

// SignRecordAs signs rec (its recipients, prev hash and fields as given)
// as s's account.
func SignRecordAs(s *Session, rec api.EpochRecord) api.EpochRecord {
	rec.SignerID = s.Profile.UserID
	cr, err := rec.Signed()
	if err != nil {
		panic(err)
	}
	if rec.Sig, err = crypto.SignEpochRecord(s.id, cr); err != nil {
		panic(err)
	}
	return rec
}

// Statement is the audit statement header (api.StatementHeader) s sends
// for action on target in orgID: for tests that act as an insider with
// raw requests.
func Statement(s *Session, orgID, action string, target api.AuditTarget) string {
	return s.statement(orgID, action, target)
}

// RawDoStated is RawDo with an audit statement header (Statement).
func RawDoStated(ctx context.Context, s *Session, method, path, stmt string, body, out any) error {
	return s.t.doStated(ctx, method, path, stmt, body, out)
}

// Kept is every key an account holds at one moment: what a member about
// to lose access could save (the kept-keys test, protocol §18.3).
type Kept struct {
	vaultKeys [][]byte
	itemKeys  [][]byte
	orgKeys   [][]byte
	ids       []*crypto.Identity // the account's own and every group identity it holds
}

// KeepKeys saves every key s holds.
func KeepKeys(s *Session) Kept {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := Kept{ids: []*crypto.Identity{s.id}}
	for _, vk := range s.vaultKeys {
		k.vaultKeys = append(k.vaultKeys, bytes.Clone(vk))
	}
	for _, it := range s.items {
		if it.itemKey != nil {
			k.itemKeys = append(k.itemKeys, bytes.Clone(it.itemKey))
		}
	}
	for _, o := range s.orgs {
		for _, key := range o.keys {
			k.orgKeys = append(k.orgKeys, bytes.Clone(key))
		}
	}
	for _, g := range s.groups {
		for _, id := range g.ids {
			k.ids = append(k.ids, id)
		}
	}
	return k
}

// Counts says how many keys of each kind were kept (a test that keeps
// nothing proves nothing).
func (k Kept) Counts() (vaultKeys, itemKeys, orgKeys, identities int) {
	return len(k.vaultKeys), len(k.itemKeys), len(k.orgKeys), len(k.ids)
}

// OpensRevision reports whether any kept key opens a stored revision: an
// item key unwrapped from any of the item's stored key wraps with any
// kept vault key, or a kept item key, that opens the blob.
func (k Kept) OpensRevision(r store.Revision, wraps []store.ItemKeyWrap) bool {
	iks := append([][]byte(nil), k.itemKeys...)
	for _, w := range wraps {
		c := crypto.ItemKeyContext{OrgID: r.OrgID, WrapVault: w.WrapVault, WrapEpoch: w.WrapEpoch, ItemID: r.ItemID, KeyVault: w.KeyVault, KeyEpoch: w.KeyEpoch}
		for _, vk := range k.vaultKeys {
			if ik, err := crypto.UnwrapItemKey(vk, c, w.Wrap); err == nil {
				iks = append(iks, ik)
			}
		}
	}
	h := crypto.RevisionHeader{OrgID: r.OrgID, VaultID: r.VaultID, ItemID: r.ItemID, Revision: r.Revision, KeyEpoch: r.KeyEpoch, Type: r.Type,
		AuthorID: r.AuthorID, Time: uint64(r.Time), PrevHash: r.PrevHash}
	for _, ik := range iks {
		if _, _, _, err := crypto.OpenRevisionDeferred(ik, h, r.Blob, r.Sig); err == nil {
			return true
		}
	}
	return false
}

// OpensName reports whether any kept organisation or vault key opens a
// sealed name (label, ids as sealed), at any epoch's associated data.
func (k Kept) OpensName(box []byte, label string, ids ...string) bool {
	for _, key := range append(append([][]byte(nil), k.orgKeys...), k.vaultKeys...) {
		for e := uint64(1); e <= 16; e++ {
			if _, err := crypto.Open(key, box, crypto.MetaAD(label, e, ids...)); err == nil {
				return true
			}
		}
	}
	return false
}

// OpensKeyWrap reports whether any kept identity opens a key wrap (of a
// vault key to a group, of a group or organisation key to a member) made
// for the given context and signed by signer.
func (k Kept) OpensKeyWrap(c crypto.KeyWrapContext, signer crypto.PublicKeys, signerID string, wrap, sig []byte, keyLen int) bool {
	for _, id := range k.ids {
		if _, err := crypto.OpenKey(id, signer, signerID, c, wrap, sig, keyLen); err == nil {
			return true
		}
	}
	return false
}

// ForgeOwnerRoster signs, as s, the organisation's next roster naming s
// as its owner, with the same members: what an insider holding a member's
// keys and the database could plant (§18.5).
func ForgeOwnerRoster(s *Session, orgID string) api.Roster {
	s.mu.Lock()
	o := s.orgs[orgID]
	s.mu.Unlock()
	members, cm := s.rosterWith(o, nil, "")
	v := o.rosterVersion + 1
	return api.Roster{Version: v, Members: members, Sig: s.id.SignRoster(o.ID, v, s.Profile.UserID, cm)}
}

// NoHeads is the record heads of an offer handing over no vault.
var NoHeads = crypto.TransferHeads(nil)

// SignTransferOfferAs signs, as s, an offer of orgID from oldOwner to
// newOwner at roster version: an offer the pinned owner did not sign
// unless s is that owner.
func SignTransferOfferAs(s *Session, orgID string, version uint64, oldOwner string, newOwner Member) []byte {
	sig, err := s.id.SignTransferOffer(crypto.TransferOffer{OrgID: orgID, RosterVersion: version, OldOwnerID: oldOwner, NewOwnerID: newOwner.UserID,
		NewOwnerFingerprint: newOwner.Keys.Fingerprint(), RecordHeads: NoHeads})
	if err != nil {
		panic(err)
	}
	return sig
}

// RosterVersion is the organisation's roster version as s verified it.
func RosterVersion(s *Session, orgID string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.orgs[orgID].rosterVersion
}

// SealVaultNameAs seals name as a vault's name under the vault key of
// epoch, as any reader holding that key could (an insider's modified
// client).
func SealVaultNameAs(s *Session, vaultID string, epoch uint64, name string) []byte {
	s.mu.Lock()
	vk := s.vaultKeys[epochKey{vaultID, epoch}]
	orgID := s.vaults[vaultID].OrgID
	s.mu.Unlock()
	box, err := sealMeta(vk, name, crypto.MetaAD("coffer/v1/vault-meta", epoch, orgID, vaultID))
	if err != nil {
		panic(err)
	}
	return box
}

// RecordHash is the record_hash of a wire record (the next one's prev).
func RecordHash(r api.EpochRecord) []byte {
	cr, err := r.Signed()
	if err != nil {
		panic(err)
	}
	return crypto.EpochRecordHash(cr, r.Sig)
}

// ForgeVaultRotationAs makes what a holder (present or former) colluding
// with the server could store: epoch's key of vault vaultID chosen by s,
// wrapped by s to each user in to at the keys s's session knows them by.
func ForgeVaultRotationAs(s *Session, orgID, vaultID string, epoch uint64, to []string) (key []byte, wraps []api.VaultKeyWrap) {
	key = crypto.NewKey()
	s.mu.Lock()
	members := s.members[orgID]
	s.mu.Unlock()
	for _, id := range to {
		w, err := s.wrapVaultKey(orgID, vaultID, epoch, crypto.RecipientUser, id, members[id].Keys, key)
		if err != nil {
			panic(err)
		}
		wraps = append(wraps, w)
	}
	return key, wraps
}
