package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

type epochKey struct {
	vault string
	epoch uint64
}

// Session is an unlocked account: its keys in memory, the vaults and items
// it has synced and decrypted.
type Session struct {
	Profile *Profile
	t       *transport
	opt     Options
	ak      []byte
	id      *crypto.Identity

	// op serialises this session's syncs and item writes: a sync answer
	// fetched before one of our own writes landed must not be applied
	// after it (it would look like a rollback), nor two syncs overlap.
	op sync.Mutex
	// own are the revisions this session signed (ownsigs.go).
	own ownRevisions
	// mu guards the synced state below; a session may be shared by
	// goroutines (a web app's UI and its live-update handler, say).
	mu        sync.Mutex
	vaultKeys map[epochKey][]byte
	vaults    map[string]*Vault
	items     map[string]*Item
	cursor    int64
	// seen is the highest revision seen per item: a server that later
	// serves an older head is refused (rollback).
	seen map[string]uint64
	// manifests are the vaults' verified current manifests (§7.5);
	// manifestSeen the highest manifest version seen per vault.
	manifests    map[string]crypto.Manifest
	manifestSeen map[string]uint64
	// itemVault is the vault each item was last verified in, itemTrashed
	// whether it was in the trash then (both kept between runs with the
	// marks): a repair may not silently drop or flip one.
	itemVault   map[string]string
	itemTrashed map[string]bool

	orgs        map[string]*Org
	groups      map[string]*Group
	members     map[string]map[string]Member // per organisation, roster-verified
	former      map[string]map[string]Member // former members, per organisation, roster-verified
	rosterSeen  map[string]uint64
	keyringSeen uint64
	auditSeen   map[string]AuditMark // per organisation: the audit log's head last verified here
	reported    map[string]Item      // Watch: item states last described
	// chains are the verified epoch records per object (recordcheck.go);
	// recordCursor per organisation the change sequence they cover;
	// recordSeen the highest record version seen per object (a mark kept
	// between runs: a server cannot roll a chain back).
	chains       map[string]*chain
	recordCursor map[string]int64
	recordSeen   map[string]uint64
	// recordsAhead: this answer's state is older than the records read
	// after it; recordsStrict: the retry, where that is tampering.
	recordsAhead, recordsStrict bool
	// recordsWhole: organisations whose records the next sync reads whole.
	recordsWhole map[string]bool
	// rotationTried: the epoch of each owed rotation this session tried
	// (completeRotations), so a sync does not ask again and again.
	rotationTried map[string]uint64

	// quarantine holds the objects the last sync could not verify, by id;
	// held the verified items of quarantined vaults that a manager may
	// repair (never listed). prev is the last verified state while a sync
	// is applied (for names and for putting it back on a refused answer).
	quarantine     map[string]Quarantine
	held           map[string]*heldVault
	failing        map[string]map[string]string // per vault: items that failed, and why
	prev           syncState
	toldQuarantine map[string]bool // Watch: quarantines already reported

	// matched is, per vault, the manifest as served that the items held
	// were last matched against: a delta that changes nothing in a vault
	// and serves the same manifest needs no new match (§16.4).
	matched map[string]api.Manifest
	// cache is the device cache in use (UseCache), cacheMark the highest
	// cache generation this device wrote (kept with the marks); synced
	// whether a sync has completed in this session.
	cache     *deviceCache
	cacheMark uint64
	// restoreSeen is the generation of the newest server restore this
	// device accepted (a mark kept between runs, restore.go).
	restoreSeen uint64
	synced      bool
	// deferred lists the items whose signature a full sync left to check
	// (Options.DeferSignatures), oldest first; an entry whose item was
	// replaced or checked since is skipped. fullCheck: a deferred check
	// failed, so the next sync is full and checks every signature inline.
	deferred  []*Item
	fullCheck bool
	// lazy holds the items of a device cache state that have not been
	// built yet (items is nil meanwhile): a command that shows one item
	// does not build 10,000. materializeLocked builds them.
	lazy *lazyState

	// Warnings lists what the last syncs ignored (e.g. an organisation
	// that was never confirmed on this account), for the user to see.
	Warnings []string
}

func newSession(p *Profile, ak []byte, id *crypto.Identity, t *transport, opt Options) *Session {
	return &Session{Profile: p, t: t, opt: opt, ak: ak, id: id,
		vaultKeys: map[epochKey][]byte{}, vaults: map[string]*Vault{}, items: map[string]*Item{}, seen: map[string]uint64{},
		manifests: map[string]crypto.Manifest{}, manifestSeen: map[string]uint64{}, itemVault: map[string]string{}, itemTrashed: map[string]bool{},
		orgs: map[string]*Org{}, groups: map[string]*Group{}, members: map[string]map[string]Member{}, former: map[string]map[string]Member{}, rosterSeen: map[string]uint64{}, auditSeen: map[string]AuditMark{},
		quarantine: map[string]Quarantine{}, held: map[string]*heldVault{}, failing: map[string]map[string]string{},
		matched: map[string]api.Manifest{}}
}

// syncState is what one sync answer replaces; a refused answer puts the
// previous one back.
type syncState struct {
	orgs       map[string]*Org
	groups     map[string]*Group
	members    map[string]map[string]Member
	former     map[string]map[string]Member
	vaults     map[string]*Vault
	items      map[string]*Item
	quarantine map[string]Quarantine
	held       map[string]*heldVault
	failing    map[string]map[string]string
}

func (s *Session) stateLocked() syncState {
	return syncState{s.orgs, s.groups, s.members, s.former, s.vaults, s.items, s.quarantine, s.held, s.failing}
}

func (s *Session) restoreLocked(p syncState) {
	s.orgs, s.groups, s.members, s.former, s.vaults, s.items, s.quarantine, s.held, s.failing = p.orgs, p.groups, p.members, p.former, p.vaults, p.items, p.quarantine, p.held, p.failing
}

// Vault is a vault the user can open.
type Vault struct {
	ID         string
	Kind       string
	OrgID      string
	OrgName    string
	Name       string
	Epoch      uint64
	Permission string

	meta []byte // an organisation vault's sealed name, as its records name it
}

// Label names the vault as every command takes and shows it: "My Vault",
// or ORG/NAME for an organisation vault.
func (v *Vault) Label() string {
	if v.Kind == "org" {
		return v.OrgName + "/" + v.Name
	}
	return "My Vault"
}

// Item is a decrypted item at its head revision.
type Item struct {
	ID        string
	VaultID   string
	Type      string
	Revision  uint64
	Trashed   bool
	AuthorID  string
	Time      time.Time // the author's signed clock
	UpdatedAt time.Time // the server's clock
	Content   Content

	keyEpoch uint64
	keyVault string
	itemKey  []byte
	hash     []byte // revision hash of the head, PrevHash of the next

	// sealed marks an item restored from the device cache whose body is
	// not opened yet: Content holds only its summary (name, user name,
	// URLs, tags, favourite) and no key is known. Nothing outside the
	// session sees a sealed item (openCachedLocked opens it first).
	sealed bool
	// check is the revision signature a deferred full sync left to check
	// (Options.DeferSignatures); nil once checked.
	check *deferredCheck
	rec   cacheLoc  // its record in the device cache, if written
	raw   []byte    // the JSON the server sent it in, to write its record
	src   *api.Item // or what the server sent, decoded (encoded for the record)
}

// Version is one decrypted revision in an item's history.
type Version struct {
	Revision uint64
	AuthorID string
	Time     time.Time
	Content  Content
	// VaultID and OrgID say where it was written (an item moved keeps its
	// earlier revisions from the vault it was moved from).
	VaultID, OrgID string `json:"-"`
}

// Sync fetches what changed since the last sync, opens new vault keys,
// decrypts changed items and checks every vault's items against its signed
// manifest. A failure is scoped to what failed: an organisation, group or
// vault whose data does not verify is quarantined (its data is not shown)
// and Sync returns a *QuarantineError (errors.Is ErrTampered) after
// applying everything else. A failure that cannot be scoped (the answer as
// a whole is inconsistent) aborts the sync with ErrTampered and keeps the
// last verified state.
func (s *Session) Sync(ctx context.Context) error {
	s.op.Lock()
	defer s.op.Unlock()
	err := s.syncLocked(ctx)
	if (err == nil || IsQuarantine(err)) && s.completeDepartures(ctx) {
		// The owner signed members who left out of the roster: show it.
		err = s.syncLocked(ctx)
	}
	if err == nil || IsQuarantine(err) {
		// Rotations owed after a loss of access, done by the next key
		// holder who syncs (§18.2); what fails stays pending.
		if _, rerr := s.completeRotations(ctx, s.syncLocked, true); rerr != nil {
			s.mu.Lock()
			s.warn("a key rotation after someone lost access is pending: %v", rerr)
			s.mu.Unlock()
		}
	}
	return err
}

// syncLocked is Sync for a caller that holds s.op.
func (s *Session) syncLocked(ctx context.Context) error {
	s.mu.Lock()
	since := s.cursor
	if len(s.quarantine) > 0 || s.fullCheck {
		// Quarantined vaults' items are not kept between syncs: verify
		// everything again from a full answer.
		since = 0
	}
	s.mu.Unlock()
	err := s.syncFrom(ctx, since)
	var declared *restoreDeclared
	if errors.As(err, &declared) {
		// Nothing of the answer was applied: say what the restore lost.
		return s.restoredError(ctx, declared.mark)
	}
	if errors.Is(err, errRecordsAhead) {
		// Records newer than the answer (a change between the two reads):
		// the next answer must agree with them, or it is tampering.
		s.recordsStrict = true
		err = s.syncFrom(ctx, since)
		s.recordsStrict = false
	}
	if since > 0 && errors.Is(err, errManifestMismatch) {
		// A delta on top of a cache that went stale legitimately (an item
		// moved to a vault this account cannot read) does not match; a
		// full answer must.
		err = s.syncFrom(ctx, 0)
	}
	return err
}

// syncFrom applies one sync answer. An answer that fails as a whole keeps
// nothing: the session goes on showing its last verified state.
//
// The answer is read as a stream (syncStream): its head first, then its
// items a batch at a time, each batch verified on all cores and applied
// before the next is read, so that the answer is never held whole.
func (s *Session) syncFrom(ctx context.Context, since int64) (err error) {
	stream, err := s.t.openSync(ctx, since)
	if err != nil {
		return err
	}
	defer stream.close()
	resp := stream.head
	if err := s.checkRestoreMark(resp.Restore); err != nil {
		return err
	}
	fetched, err := s.fetchOrgs(ctx, resp)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if resp.Cursor < s.cursor {
		return tampered("sync cursor went backwards")
	}
	// Items held lazily (a device cache) stay unbuilt only through an
	// answer that changes nothing of them: no items, no purges, and every
	// vault's manifest exactly the one its items last matched. Anything
	// else builds them first, before the state that a refusal puts back
	// is taken.
	if s.lazy != nil && (since == 0 || stream.hasItems() || len(resp.Purged) > 0 || !s.allMatchedLocked(resp.Vaults)) {
		s.materializeLocked()
	}
	s.prev = s.stateLocked()
	switch {
	case since == 0:
		s.items = map[string]*Item{}
	case stream.hasItems() || len(resp.Purged) > 0:
		s.items = maps.Clone(s.items)
	default:
		// Nothing to apply to the items: they are not copied (10,000
		// items take milliseconds), and only a quarantine, which keeps
		// the new state, takes any out.
	}
	defer func() {
		if err != nil && !IsQuarantine(err) {
			s.restoreLocked(s.prev)
		}
		s.prev = syncState{}
	}()
	// Memberships and keys may have changed: re-check them from scratch.
	s.orgs, s.groups, s.members, s.former = map[string]*Org{}, map[string]*Group{}, map[string]map[string]Member{}, map[string]map[string]Member{}
	s.quarantine, s.held, s.failing = map[string]Quarantine{}, map[string]*heldVault{}, map[string]map[string]string{}
	s.recordsAhead = false
	s.openOrgs(resp.Orgs, fetched)
	s.openGroups(resp.Groups)
	s.vaults = map[string]*Vault{}
	manifests := map[string]crypto.Manifest{}
	served := map[string]api.Vault{}
	for _, v := range resp.Vaults {
		if _, dup := served[v.ID]; dup {
			return tampered("vault %s listed twice", v.ID)
		}
		served[v.ID] = v
		var err error
		if v.Kind == "org" {
			err = s.openOrgVault(v)
		} else {
			err = s.openVault(v)
		}
		if errors.Is(err, errRecordsAhead) {
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrTampered) {
				return err
			}
			s.quarantineVaultLocked(v, err, "", false, false)
			continue
		}
		if _, ok := s.vaults[v.ID]; !ok {
			continue // ignored and reported (an unpinned organisation's vault)
		}
		if manifests[v.ID], err = s.checkVaultManifestLocked(v); err != nil {
			// The keys opened: the items can still be verified and held
			// for a repair.
			signer := ""
			if v.Manifest != nil {
				signer = v.Manifest.SignerID
			}
			s.quarantineVaultLocked(v, err, signer, false, true)
			delete(manifests, v.ID)
		}
	}
	if s.recordsAhead {
		return errRecordsAhead // nothing of this answer is kept; read again
	}
	// touched: the vaults whose items this answer changes (before and
	// after a move), which must be matched against their manifests again.
	touched := map[string]bool{}
	for _, id := range resp.Purged {
		if old, ok := s.items[id]; ok {
			touched[old.VaultID] = true
		}
		delete(s.items, id)
	}
	inAnswer := map[string]bool{}
	// A full answer of a session that defers signatures leaves them for
	// CheckDeferred (§16.7); after a deferred check failed, every one is
	// checked inline.
	//
	// Only the session's first sync, from nothing (a log-in without a
	// cache), defers: a full sync forced by a quarantine, a failed check
	// or a stale cache checks inline, so a failure found once is found
	// again by every later sync. And only in vaults whose manifest
	// verified: a vault quarantined already has nothing to vouch for its
	// items' bytes.
	deferSig := since == 0 && s.cursor == 0 && !s.synced && s.opt.DeferSignatures && !s.fullCheck
	var deferIn map[string]bool
	if deferSig {
		deferIn = map[string]bool{}
		for id := range manifests {
			deferIn[id] = true
		}
	}
	for b := range readAhead(stream) {
		if b.err != nil {
			return b.err
		}
		if err := s.applyItemsLocked(b.items, b.raws, served, inAnswer, touched, deferIn); err != nil {
			return err
		}
	}
	if err := s.matchManifestsLocked(manifests, served, touched, since > 0); err != nil {
		return err
	}
	s.setAsideQuarantinedLocked(served)
	if s.cache != nil && (since == 0 || resp.Cursor != s.cursor || len(touched) > 0) {
		s.cache.dirty = true
	}
	s.cursor, s.synced = resp.Cursor, true
	if since == 0 && !deferSig {
		s.fullCheck, s.deferred = false, nil
	}
	return s.quarantineError()
}

// itemBatch is a batch of a sync answer's items, or why reading failed.
type itemBatch struct {
	items []api.Item
	raws  [][]byte
	err   error
}

// readAhead reads the answer's items in a goroutine, one batch ahead of
// the one being verified, so that the server sends and the client decodes
// while the last batch is verified. The sequence ends after the last
// batch or an error; a caller that stops early stops the reader.
func readAhead(stream *syncStream) iter.Seq[itemBatch] {
	return func(yield func(itemBatch) bool) {
		ch, done := make(chan itemBatch, 1), make(chan struct{})
		defer close(done)
		go func() {
			defer close(ch)
			for {
				items, raws, err := stream.next(syncBatch)
				if err == nil && len(items) == 0 {
					return
				}
				select {
				case ch <- itemBatch{items, raws, err}:
				case <-done:
					return
				}
				if err != nil {
					return
				}
			}
		}()
		for b := range ch {
			if !yield(b) {
				return
			}
		}
	}
}

// allMatchedLocked reports whether every served vault's manifest is the
// one its items last matched. The caller holds s.mu.
func (s *Session) allMatchedLocked(vaults []api.Vault) bool {
	for _, v := range vaults {
		if m, ok := s.matched[v.ID]; !ok || !sameManifest(m, v.Manifest) {
			return false
		}
	}
	return true
}

// syncBatch is how many items of a sync answer are read, verified (on all
// cores) and applied at a time.
const syncBatch = 1024

// applyItemsLocked verifies and applies one batch of a sync answer's
// items (raws: the JSON each came in). The caller holds s.mu.
func (s *Session) applyItemsLocked(items []api.Item, raws [][]byte, served map[string]api.Vault, inAnswer, touched map[string]bool, deferIn map[string]bool) error {
	for _, it := range items {
		if inAnswer[it.ID] {
			return tampered("item %s listed twice", it.ID)
		}
		inAnswer[it.ID] = true
	}
	opened := s.openItemsLocked(items, served, deferIn)
	for i, it := range items {
		item, err := opened[i].item, opened[i].err
		// The vaults whose manifests must be matched again: before and
		// after the change — unless the item is exactly as held (our own
		// write, served back), which changes nothing a manifest lists.
		old := s.items[it.ID]
		same := err == nil && !opened[i].skip && old != nil && old.Revision == item.Revision && old.Trashed == item.Trashed &&
			old.VaultID == item.VaultID && crypto.Equal(old.hash, item.hash)
		if !same {
			touched[it.VaultID] = true
			if old != nil {
				touched[old.VaultID] = true
			}
		}
		switch {
		case opened[i].skip:
			delete(s.items, it.ID) // in a quarantined or ignored vault
		case err == nil:
			item.raw = raws[i]
			if item.raw == nil {
				item.src = &items[i] // encoded for its record when the cache is written
			}
			s.seen[item.ID] = item.Revision
			if same && old.rec.file != "" {
				item.rec, item.raw, item.src = old.rec, nil, nil // the device cache holds it already
			}
			if same && old.check == nil {
				item.check = nil // these exact bytes were checked already
			}
			s.items[item.ID] = item
			if item.check != nil {
				s.deferred = append(s.deferred, item)
			}
		case errors.Is(err, ErrTampered) || errors.Is(err, errUnreadableContent):
			if _, open := s.vaults[it.VaultID]; !open {
				return err // in a vault the answer does not list
			}
			// One bad item — forged, rolled back, or validly signed by an
			// insider but unreadable — quarantines its vault; the rest of
			// the answer is still used. A repair can drop it only when
			// asked (RepairOptions.DropFailing), and never a rollback,
			// whose newer head the server still holds.
			s.quarantineVaultLocked(served[it.VaultID], err, it.HeadRevision.AuthorID, errors.Is(err, errUnreadableContent), !errors.Is(err, errRollback))
			if s.failing[it.VaultID] == nil {
				s.failing[it.VaultID] = map[string]string{}
			}
			s.failing[it.VaultID][it.ID] = err.Error()
			delete(s.items, it.ID)
		default:
			return err
		}
	}
	return nil
}

// setAsideQuarantinedLocked takes quarantined vaults out of the session:
// their items are never listed; those of a repairable vault are held for
// RepairVault. The caller holds s.mu.
func (s *Session) setAsideQuarantinedLocked(served map[string]api.Vault) {
	if len(s.quarantine) > 0 {
		s.materializeLocked()
	}
	for id, q := range s.quarantine {
		if q.Kind != KindVault {
			continue
		}
		v := s.vaults[id]
		var h *heldVault
		if q.Repairable && v != nil {
			h = &heldVault{vault: v}
			if m := served[id].Manifest; m != nil {
				h.served = m.Version
			}
			s.held[id] = h
		}
		for itemID, it := range s.items {
			if it.VaultID == id {
				// Its manifest did not match: nothing vouches for a
				// deferred item's bytes, so its signature is checked now
				// (a failure makes the next sync check inline, §16.7).
				if s.settleLocked(it) == nil && h != nil {
					h.items = append(h.items, it)
				}
				delete(s.items, itemID)
			}
		}
		delete(s.vaults, id)
		delete(s.manifests, id)
	}
}

// openVault checks and opens every key wrap addressed to the user.
func (s *Session) openVault(v api.Vault) error {
	if uuid.Validate(v.ID) != nil || v.Epoch == 0 {
		return tampered("vault id or epoch")
	}
	if v.Kind != "personal" {
		return tampered("vault %s has an unknown kind", v.ID)
	}
	if v.OwnerID != s.Profile.UserID || v.OrgID != "" {
		return tampered("personal vault %s belongs to someone else", v.ID)
	}
	me := s.Profile.UserID
	for _, w := range v.Wraps {
		if w.VaultID != v.ID || w.RecipientKind != crypto.RecipientUser || w.RecipientID != me || w.Epoch == 0 || w.Epoch > v.Epoch {
			return tampered("key wrap of vault %s", v.ID)
		}
		k := epochKey{v.ID, w.Epoch}
		// In My Vault the only valid signer is the account itself.
		if w.SignerID != me {
			return tampered("key wrap of personal vault %s signed by another account", v.ID)
		}
		ctx := crypto.VaultKeyContext(v.OrgID, v.ID, w.Epoch, crypto.RecipientUser, me, crypto.PublicKeys{})
		vk, err := crypto.OpenKey(s.id, s.id.Public(), me, ctx, w.Wrap, w.Sig, crypto.KeySize)
		if err != nil {
			return tampered("key wrap of vault %s epoch %d", v.ID, w.Epoch)
		}
		if old, ok := s.vaultKeys[k]; ok && !crypto.Equal(old, vk) {
			return tampered("vault %s epoch %d key changed", v.ID, w.Epoch)
		}
		s.vaultKeys[k] = vk
	}
	if _, ok := s.vaultKeys[epochKey{v.ID, v.Epoch}]; !ok {
		return tampered("no key for the current epoch of vault %s", v.ID)
	}
	perm := v.Permission
	if v.Kind == "personal" {
		perm = "manage"
	}
	s.vaults[v.ID] = &Vault{ID: v.ID, Kind: v.Kind, OrgID: v.OrgID, Name: "My Vault", Epoch: v.Epoch, Permission: perm}
	return nil
}

// authorKeys returns the pinned public keys of an author allowed to write in
// vault v: in a personal vault only the account itself, in an organisation
// vault a member (or former member) whose keys match the signed roster and
// who held edit on the vault, as its signed records say. The caller holds
// s.mu.
func (s *Session) authorKeys(v *Vault, authorID string) (crypto.PublicKeys, error) {
	if authorID == s.Profile.UserID {
		return s.id.Public(), nil
	}
	if v.Kind == "org" {
		// A former member's revisions and manifests from before they
		// left still verify (docs/protocol.md §14.2).
		if m, ok := s.signerKeys(v.OrgID, authorID); ok && s.mayHaveWrittenLocked(v.ID, authorID) {
			return m.Keys, nil
		}
	}
	return crypto.PublicKeys{}, tampered("revision in vault %s by an author who may not write there", v.ID)
}

// itemKey finds and opens the item key (keyVault, keyEpoch) from the wraps.
func (s *Session) itemKey(itemID string, v *Vault, keyVault string, keyEpoch uint64, wraps []api.ItemKeyWrap) ([]byte, error) {
	for _, w := range wraps {
		if w.KeyVault != keyVault || w.KeyEpoch != keyEpoch || w.WrapVault != v.ID {
			continue
		}
		vk, ok := s.vaultKeys[epochKey{w.WrapVault, w.WrapEpoch}]
		if !ok {
			continue
		}
		ctx := crypto.ItemKeyContext{OrgID: v.OrgID, WrapVault: w.WrapVault, WrapEpoch: w.WrapEpoch, ItemID: itemID, KeyVault: keyVault, KeyEpoch: keyEpoch}
		ik, err := crypto.UnwrapItemKey(vk, ctx, w.Wrap)
		if err != nil {
			return nil, tampered("item key of item %s", itemID)
		}
		return ik, nil
	}
	return nil, tampered("item %s has no key this account can open", itemID)
}

// openRevision verifies and decrypts one revision of an item.
func (s *Session) openRevision(itemID string, v *Vault, r api.Revision, wraps []api.ItemKeyWrap) (Content, []byte, []byte, error) {
	c, ik, hash, _, err := s.openRevisionAs(itemID, v, r, wraps, false)
	return c, ik, hash, err
}

// deferredCheck is a revision signature left to check, with the author's
// keys as the roster held them when the revision was opened.
type deferredCheck struct {
	crypto.RevisionCheck
	author   crypto.PublicKeys
	revision uint64
}

// openRevisionAs is openRevision; with deferSig it checks everything but
// the signature, which it returns (protocol §16.7).
func (s *Session) openRevisionAs(itemID string, v *Vault, r api.Revision, wraps []api.ItemKeyWrap, deferSig bool) (Content, []byte, []byte, *deferredCheck, error) {
	// An older revision may come from the vault the item was moved from:
	// My Vault, or another vault of the same organisation. Both its vault
	// and organisation are bound in its associated data and signature.
	//
	// An item moved out of an organisation into My Vault keeps its older
	// revisions from there: their authors are checked against that
	// organisation's roster, as when they were written.
	authorVault := v
	if r.VaultID != v.ID && r.OrgID != v.OrgID && r.OrgID != "" {
		if v.Kind == "org" {
			return Content{}, nil, nil, nil, tampered("revision %d of item %s comes from another organisation", r.Revision, itemID)
		}
		authorVault = &Vault{ID: r.VaultID, Kind: "org", OrgID: r.OrgID}
	}
	author, err := s.authorKeys(authorVault, r.AuthorID)
	if err != nil {
		return Content{}, nil, nil, nil, err
	}
	ik, err := s.itemKey(itemID, v, r.VaultID, r.KeyEpoch, wraps)
	if err != nil {
		return Content{}, nil, nil, nil, err
	}
	h := crypto.RevisionHeader{OrgID: r.OrgID, VaultID: r.VaultID, ItemID: itemID, Revision: r.Revision, KeyEpoch: r.KeyEpoch,
		Type: r.Type, AuthorID: r.AuthorID, Time: uint64(r.Time), PrevHash: r.PrevHash}
	var pt, hash []byte
	var check *deferredCheck
	if deferSig {
		var rc crypto.RevisionCheck
		pt, hash, rc, err = crypto.OpenRevisionDeferred(ik, h, r.Blob, r.Sig)
		check = &deferredCheck{RevisionCheck: rc, author: author, revision: r.Revision}
	} else {
		var rc crypto.RevisionCheck
		// The signature is checked unless the bytes are a revision this
		// session signed (ownsigs.go): the hash binds them.
		if pt, hash, rc, err = crypto.OpenRevisionDeferred(ik, h, r.Blob, r.Sig); err == nil && !s.own.has(hash) {
			err = rc.Verify(author)
		}
	}
	if err != nil {
		return Content{}, nil, nil, nil, tampered("revision %d of item %s", r.Revision, itemID)
	}
	var c Content
	err = json.Unmarshal(pt, &c)
	if err == nil && observePlaintext != nil {
		observePlaintext(c)
	}
	if err != nil {
		// Authenticated, so written by a member's client; still refuse.
		return Content{}, nil, nil, nil, fmt.Errorf("revision %d of item %s holds content this client cannot read: %w", r.Revision, itemID, errUnreadableContent)
	}
	return c, ik, hash, check, nil
}

func (s *Session) decryptItem(it api.Item) (*Item, error) {
	item, err := s.openItem(it)
	if err == nil {
		s.seen[it.ID] = it.Head
	}
	return item, err
}

// openedItem is one item of a sync answer, verified and decrypted, or why
// not; skip marks an item of a quarantined or ignored vault (not opened).
type openedItem struct {
	_    [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	item *Item
	err  error
	skip bool
}

// parallelFrom is the number of items from which a sync answer is
// verified and decrypted on all cores.
const parallelFrom = 64

// openItemsLocked verifies and decrypts the answer's items in open vaults
// on all cores: openItem only reads the session's state (keys, vaults,
// members, marks), which nothing writes while the caller holds s.mu. The
// results are applied by the caller, in the answer's order.
//
// The signatures of items in the vaults deferIn lists (a session's first
// full sync, when it defers) are left for later (protocol §16.7).
func (s *Session) openItemsLocked(items []api.Item, served map[string]api.Vault, deferIn map[string]bool) []openedItem {
	out := make([]openedItem, len(items))
	todo := make([]int, 0, len(items))
	for i, it := range items {
		_, open := s.vaults[it.VaultID]
		_, listed := served[it.VaultID]
		if !open && listed {
			out[i].skip = true
			continue
		}
		todo = append(todo, i) // an item of an unlisted vault is refused by openItem
	}
	workers := min(runtime.GOMAXPROCS(0), (len(todo)+parallelFrom-1)/parallelFrom)
	if workers <= 1 {
		for _, i := range todo {
			out[i].item, out[i].err = s.openItemAs(items[i], deferIn[items[i].VaultID])
		}
		return out
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(todo) {
					return
				}
				i := todo[k]
				out[i].item, out[i].err = s.openItemAs(items[i], deferIn[items[i].VaultID])
			}
		})
	}
	wg.Wait()
	return out
}

// openItem verifies and decrypts an item at its head, refusing a head
// older than this device has seen; it writes nothing.
func (s *Session) openItem(it api.Item) (*Item, error) { return s.openItemAs(it, false) }

// openItemAs is openItem, leaving the signature for later with deferSig.
func (s *Session) openItemAs(it api.Item, deferSig bool) (*Item, error) {
	if seen := s.seen[it.ID]; it.Head < seen {
		return nil, fmt.Errorf("%w%w", tampered("item %s: the server served revision %d after %d (rollback)", it.ID, it.Head, seen), errRollback)
	}
	return s.openItemAtAs(it, deferSig)
}

// openItemAt is openItem without the rollback mark, for a state this
// device saw before (a cached item that Watch describes as it was).
func (s *Session) openItemAt(it api.Item) (*Item, error) { return s.openItemAtAs(it, false) }

func (s *Session) openItemAtAs(it api.Item, deferSig bool) (*Item, error) {
	v, ok := s.vaults[it.VaultID]
	if !ok {
		return nil, tampered("item %s is in a vault this account cannot open", it.ID)
	}
	r := it.HeadRevision
	if uuid.Validate(it.ID) != nil || r.Revision != it.Head || r.Type != it.Type || r.Time < 0 || r.VaultID != v.ID || r.OrgID != v.OrgID {
		return nil, tampered("item %s head does not match its revision", it.ID)
	}
	c, ik, hash, check, err := s.openRevisionAs(it.ID, v, r, it.KeyWraps, deferSig)
	if err != nil {
		return nil, err
	}
	return &Item{ID: it.ID, VaultID: it.VaultID, Type: it.Type, Revision: it.Head, Trashed: it.Trashed, AuthorID: r.AuthorID,
		Time: time.UnixMilli(r.Time).UTC(), UpdatedAt: it.UpdatedAt, Content: c,
		keyEpoch: r.KeyEpoch, keyVault: r.VaultID, itemKey: ik, hash: hash, check: check}, nil
}

// Vaults returns the vaults the user can open, My Vault first.
func (s *Session) Vaults() []*Vault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Vault, 0, len(s.vaults))
	for _, v := range s.vaults {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Kind == "personal") != (out[j].Kind == "personal") {
			return out[i].Kind == "personal"
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// PersonalVault returns My Vault.
func (s *Session) PersonalVault() (*Vault, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.personalVault()
}

func (s *Session) personalVault() (*Vault, error) {
	for _, v := range s.vaults {
		if v.Kind == "personal" {
			return v, nil
		}
	}
	for _, q := range s.quarantine {
		if q.Kind == KindVault && q.OrgID == "" {
			return nil, fmt.Errorf("My Vault is quarantined: %s: %w", q.Reason, ErrTampered)
		}
	}
	return nil, tampered("the server sent no personal vault for this account")
}

// FindVault resolves a vault by id or name ("My Vault").
func (s *Session) FindVault(ref string) (*Vault, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ref == "" || strings.EqualFold(ref, "My Vault") {
		return s.personalVault()
	}
	if v, ok := s.vaults[ref]; ok {
		return v, nil
	}
	// ORG/NAME names an organisation vault.
	var found []*Vault
	for _, v := range s.vaults {
		if v.Kind == "org" && strings.EqualFold(v.OrgName+"/"+v.Name, ref) {
			found = append(found, v)
		}
	}
	if len(found) == 0 {
		for _, q := range s.quarantine {
			if q.Kind == KindVault && s.quarantineNamedLocked(q, ref) {
				return nil, fmt.Errorf("%s: %w", q.Describe(), ErrTampered)
			}
		}
	}
	return one("vault", ref, found, " (name organisation vaults ORG/NAME)", func(v *Vault) string { return v.ID })
}

// Items returns the synced items (trashed ones only if trashed is true),
// sorted by name, every one opened: with a device cache that decrypts
// them all, so a list or a search uses List instead.
func (s *Session) Items(trashed bool) ([]*Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.materializeLocked()
	out := s.itemsLocked(trashed)
	for i, it := range out {
		var err error
		if out[i], err = s.openCachedLocked(it); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// VaultItems is Items for the items of vaults vaultIDs only: only those
// are built and opened (an export of one vault decrypts that vault's
// items, not every item the device cache holds).
func (s *Session) VaultItems(trashed bool, vaultIDs ...string) ([]*Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := make(map[string]bool, len(vaultIDs))
	for _, id := range vaultIDs {
		in[id] = true
	}
	if s.lazy != nil {
		// A device cache's entries are scanned, not built: one pass per
		// vault, building and opening its items only.
		var list []*Item
		for id := range in {
			found, err := s.searchLazyLocked(trashed, id, "")
			if err != nil {
				return nil, fmt.Errorf("%w: its state does not decode", ErrCacheDamaged)
			}
			list = append(list, found...)
		}
		list = byName(list)
		for i, it := range list {
			var err error
			if list[i], err = s.openLazyLocked(it); err != nil {
				return nil, err
			}
		}
		return list, nil
	}
	list := s.itemsLocked(trashed, func(it *Item) bool { return in[it.VaultID] })
	for i, it := range list {
		var err error
		if list[i], err = s.openCachedLocked(it); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// itemsLocked lists the items held (sealed or not) by name.
func (s *Session) itemsLocked(trashed bool, keep ...func(*Item) bool) []*Item {
	s.materializeLocked()
	var list []*Item
	for _, it := range s.items {
		if it.Trashed == trashed && s.vaults[it.VaultID] != nil && (len(keep) == 0 || keep[0](it)) {
			list = append(list, it)
		}
	}
	return byName(list)
}

// naturalCompare orders names as people read them: ignoring case (the
// caller lowers them), and runs of digits by their value, so "site-9"
// comes before "site-10" and "site-113" after "site-1129" no longer
// (issue 24). Equal by that, the plain byte order decides ("a01" before
// "a1"), so the order is total and stable.
func naturalCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if isDigit(ca) && isDigit(cb) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			// Leading zeros aside, a longer run is a greater value.
			for si < i && a[si] == '0' {
				si++
			}
			for sj < j && b[sj] == '0' {
				sj++
			}
			if i-si != j-sj {
				return cmpInt(i-si, j-sj)
			}
			if c := strings.Compare(a[si:i], b[sj:j]); c != 0 {
				return c
			}
			continue
		}
		if ca < utf8.RuneSelf && cb < utf8.RuneSelf {
			// ASCII: the byte is the rune (a sort of 100,000 names
			// makes millions of these steps).
			if ca != cb {
				return cmpInt(int(ca), int(cb))
			}
			i, j = i+1, j+1
			continue
		}
		// Compare the next rune (not byte), so that names in any script
		// keep the order of their code points.
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		if ra != rb {
			return cmpInt(int(ra), int(rb))
		}
		i, j = i+na, j+nb
	}
	if c := cmpInt(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func cmpInt(x, y int) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// byName sorts items by name as people read it (naturalCompare), then by
// id. Each name is lowered once, and turned once into its natural key
// (naturalKey), so that most comparisons are plain string comparisons:
// a sort of 100,000 names makes 1.7 million of them (in WebAssembly,
// naturalCompare's steps were half of a list's time).
func byName(items []*Item) []*Item {
	type keyed struct {
		it         *Item
		lower, key string
		hasKey     bool
	}
	// sort.Slice over pointers, not slices.SortFunc: a generic sort is
	// compiled again for each element type (20 KB of the first load,
	// docs/performance.md), and swapping pointers is sort.Slice's fast path.
	keys := make([]keyed, len(items))
	list := make([]*keyed, len(items))
	for i, it := range items {
		lower := strings.ToLower(it.Content.Name)
		key, ok := naturalKey(lower)
		keys[i] = keyed{it, lower, key, ok}
		list[i] = &keys[i]
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		var c int
		if a.hasKey && b.hasKey {
			if c = strings.Compare(a.key, b.key); c == 0 {
				c = strings.Compare(a.lower, b.lower) // as naturalCompare ends
			}
		} else {
			c = naturalCompare(a.lower, b.lower)
		}
		if c != 0 {
			return c < 0
		}
		return a.it.ID < b.it.ID
	})
	out := make([]*Item, len(list))
	for i, k := range list {
		out[i] = k.it
	}
	return out
}

// naturalKey is a lowered name as a string whose byte order is
// naturalCompare's order up to its last step (equal keys: the names'
// byte order decides): each run of digits becomes '0', the length of the
// run without its leading zeros (one byte), and those digits — so a
// longer value is greater, and a run compares with any other character
// as a digit does. UTF-8's byte order is its code points' order. A name
// that is not valid UTF-8, or has a run of more than 255 digits, has
// none (ok false): naturalCompare orders it.
func naturalKey(lower string) (key string, ok bool) {
	digits := false
	for i := 0; i < len(lower); i++ {
		if isDigit(lower[i]) {
			digits = true
			break
		}
	}
	if !utf8.ValidString(lower) {
		return "", false
	}
	if !digits {
		return lower, true
	}
	b := make([]byte, 0, len(lower)+8)
	for i := 0; i < len(lower); {
		if !isDigit(lower[i]) {
			b = append(b, lower[i])
			i++
			continue
		}
		j := i
		for j < len(lower) && isDigit(lower[j]) {
			j++
		}
		k := i
		for k < j && lower[k] == '0' {
			k++
		}
		if j-k > 255 {
			return "", false
		}
		b = append(b, '0', byte(j-k))
		b = append(b, lower[k:j]...)
		i = j
	}
	return string(b), true
}

// Summary is what an item list shows of an item: never a password, a
// note, a card or a secret field. With a device cache it comes from the
// cache's sealed index, without opening the item.
type Summary struct {
	ID, VaultID, Type string
	Revision          uint64
	Trashed           bool
	UpdatedAt         time.Time // the server's clock
	Time              time.Time // the author's signed clock
	Name, Username    string
	URLs, Tags        []string
	Favorite          bool
}

// List returns the summaries of the items (trashed ones only if trashed
// is true), sorted by name, without decrypting any item.
func (s *Session) List(trashed bool) []Summary {
	return s.Search(trashed, "", "")
}

// Search is List for the items of vault vaultID ("" for all) whose name,
// user name, URLs or tags contain query, ignoring case ("" for all). Only
// the matches are sorted, so a search in a big vault costs one pass.
func (s *Session) Search(trashed bool, vaultID, query string) []Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := strings.ToLower(query)
	var items []*Item
	if s.lazy != nil {
		// A device cache's items need not be built to be searched.
		if found, err := s.searchLazyLocked(trashed, vaultID, q); err == nil {
			items = byName(found)
		}
	}
	if items == nil {
		items = s.itemsLocked(trashed, func(it *Item) bool {
			return (vaultID == "" || it.VaultID == vaultID) && (q == "" || summaryOf(it.Content).contains(q))
		})
	}
	out := make([]Summary, len(items))
	for i, it := range items {
		sum := summaryOf(it.Content)
		out[i] = Summary{ID: it.ID, VaultID: it.VaultID, Type: it.Type, Revision: it.Revision, Trashed: it.Trashed, UpdatedAt: it.UpdatedAt, Time: it.Time,
			Name: sum.Name, Username: sum.Username, URLs: sum.URLs, Tags: sum.Tags, Favorite: sum.Favorite}
	}
	return out
}

// MatchQuery is Search's rule as a test of one summary: its name, user
// name, a URL or a tag contains query, ignoring case ("" matches every
// summary). For a page that holds a list of Search's already and asks
// only which of it match (the web app's find): one rule, here.
func MatchQuery(query string) func(*Summary) bool {
	if query == "" {
		return func(*Summary) bool { return true }
	}
	q := strings.ToLower(query)
	return func(s *Summary) bool {
		return itemSummary{Name: s.Name, Username: s.Username, URLs: s.URLs, Tags: s.Tags}.contains(q)
	}
}

// FindItem resolves an item by id or by name among items that are (not) in
// the trash. An exact name match wins over case-insensitive ones; more than
// one match is ErrAmbiguous, naming each candidate's id and vault. A
// reference VAULT/NAME ("My Vault/GitHub", "Acme/Servers/VPN") looks in
// that vault only, when no item is named ref itself.
func (s *Session) FindItem(ref string, trashed bool) (*Item, error) {
	literal, lerr := s.FindItemIn(ref, "", trashed)
	if !strings.Contains(ref, "/") {
		return literal, lerr
	}
	// A path: the vault is the longest prefix that names one. An item
	// literally called like the path (planted in a shared vault, say)
	// never wins over it silently.
	var path *Item
	var perr error
	for i := len(ref) - 1; i > 0 && path == nil && perr == nil; i-- {
		if ref[i] != '/' {
			continue
		}
		v, verr := s.FindVault(ref[:i])
		if errors.Is(verr, ErrNotFound) {
			continue
		}
		if verr != nil {
			perr = verr // an ambiguous or quarantined vault: say so
			break
		}
		found, ferr := s.FindItemIn(ref[i+1:], v.ID, trashed)
		if errors.Is(ferr, ErrNotFound) {
			continue
		}
		path, perr = found, ferr
	}
	switch {
	case path != nil && literal != nil && path.ID != literal.ID:
		return nil, fmt.Errorf("%w: %q names both %s (its path) and %s (an item with that very name, in %s) — give an id",
			ErrAmbiguous, sanitize(ref, 80), path.ID, literal.ID, s.vaultLabel(literal.VaultID))
	case path != nil:
		return path, nil
	case perr != nil && !errors.Is(lerr, ErrAmbiguous) && literal == nil:
		return nil, perr
	}
	return literal, lerr
}

func (s *Session) vaultLabel(id string) string {
	if v, ok := s.vault(id); ok {
		return v.Label()
	}
	return id
}

// FindItemIn is FindItem among the items of one vault (any when vaultID
// is empty), without paths.
func (s *Session) FindItemIn(ref, vaultID string, trashed bool) (*Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lazy != nil {
		return s.findLazyLocked(ref, vaultID, trashed)
	}
	in := func(it *Item) bool {
		return it.Trashed == trashed && s.vaults[it.VaultID] != nil && (vaultID == "" || it.VaultID == vaultID)
	}
	if it, ok := s.items[ref]; ok && in(it) {
		return s.openCachedLocked(it)
	}
	var exact, folded []*Item
	for _, it := range s.items {
		if !in(it) {
			continue
		}
		if it.Content.Name == ref {
			exact = append(exact, it)
		} else if strings.EqualFold(it.Content.Name, ref) {
			folded = append(folded, it)
		}
	}
	found, err := s.pickLocked(ref, vaultID, trashed, exact, folded)
	if err != nil {
		return nil, err
	}
	return s.openCachedLocked(found)
}

// pickLocked picks FindItem's answer among the items whose name is ref
// (exact) or is ref but for case (folded): an exact match wins; more than
// one is ErrAmbiguous, naming each one's id and vault. The caller holds
// s.mu.
func (s *Session) pickLocked(ref, vaultID string, trashed bool, exact, folded []*Item) (*Item, error) {
	matches := exact
	if len(matches) == 0 {
		matches = folded
	}
	if len(matches) > 1 {
		cands := make([]string, len(matches))
		for i, it := range matches {
			cands[i] = it.ID + " in " + s.vaults[it.VaultID].Label()
		}
		sort.Strings(cands)
		return nil, fmt.Errorf("%w: more than one item is called %q: %s — name it VAULT/NAME, use --vault, or give its id", ErrAmbiguous, sanitize(ref, 80), strings.Join(cands, ", "))
	}
	var found *Item
	if len(matches) == 1 {
		found = matches[0]
	}
	if found == nil {
		if err := s.quarantinedLookupErr("item", ref); err != nil {
			return nil, err
		}
		where := ""
		if v := s.vaults[vaultID]; v != nil {
			where = " in " + v.Label()
		}
		if trashed {
			where += " in the trash"
		}
		return nil, fmt.Errorf("item %q%s: %w", ref, where, ErrNotFound)
	}
	return found, nil
}

// MaxNameLength is the longest item name, in characters.
const MaxNameLength = 500

// checkContent trims the item's name (spaces at either end are never
// meant) and checks what would otherwise fail only later: an empty or
// too long name, a TOTP secret that yields no code, an identity's field
// over its bound, an SSH key that does not parse or whose halves do not
// match. An SSH key's public key is filled in from its private key, and
// its fingerprint computed (checkSSHKey).
func checkContent(c *Content) error {
	c.Name = strings.TrimSpace(c.Name)
	switch n := utf8.RuneCountInString(c.Name); {
	case c.Name == "":
		return errors.New("an item needs a name")
	case n > MaxNameLength:
		return fmt.Errorf("the item name is too long (%d characters; at most %d)", n, MaxNameLength)
	}
	if c.Login != nil && c.Login.TOTP != "" {
		if _, _, err := TOTPCode(c.Login.TOTP, time.Unix(0, 0)); err != nil {
			return err
		}
	}
	if c.Identity != nil {
		if err := checkIdentity(c.Identity); err != nil {
			return err
		}
	}
	if c.SSHKey != nil {
		if err := checkSSHKey(c.SSHKey); err != nil {
			return err
		}
	}
	return nil
}

// CheckNewItem says why an item of type typ with content c cannot be
// created (nil if it can), as CreateItem would: an import reports it per
// entry instead of failing a whole batch. c's name is trimmed.
func CheckNewItem(typ string, c *Content) error {
	if _, ok := LookupItemType(typ); !ok {
		return unknownType(typ)
	}
	return checkContent(c)
}

// CreateItem encrypts content as revision 1 of a new item in vault v.
func (s *Session) CreateItem(ctx context.Context, vaultID, typ string, c Content) (*Item, error) {
	return s.createItem(ctx, uuid.NewString(), vaultID, typ, c)
}

// createItem is CreateItem under a given id (an item a restore lost is
// given back under its own id, restore.go).
func (s *Session) createItem(ctx context.Context, id, vaultID, typ string, c Content) (*Item, error) {
	s.op.Lock()
	defer s.op.Unlock()
	if _, ok := LookupItemType(typ); !ok {
		return nil, unknownType(typ)
	}
	c.Change = nil // a new item is no rollback, restore or move
	if err := checkContent(&c); err != nil {
		return nil, err
	}
	v, ok := s.vault(vaultID)
	if !ok {
		return nil, fmt.Errorf("vault %q: %w", vaultID, ErrNotFound)
	}
	item := &Item{ID: id, VaultID: v.ID, Type: typ, Content: c}
	var out api.Item
	var m pendingManifest
	err := s.retryOnManifestConflict(ctx, func() error {
		// Sealed (again) at the vault's newest epoch: a rotation while
		// writing makes the server refuse the old one (epoch_conflict).
		if v, ok = s.vault(vaultID); !ok {
			return fmt.Errorf("vault %q: %w", vaultID, ErrNotFound)
		}
		item.keyVault, item.keyEpoch, item.itemKey = v.ID, v.Epoch, crypto.NewKey()
		nr, wraps, hash, err := s.sealRevision(item, v, 1, crypto.ZeroHash(), true)
		if err != nil {
			return err
		}
		if m, err = s.nextManifest(v, func(e map[string]crypto.ManifestEntry) {
			e[item.ID] = crypto.ManifestEntry{ItemID: item.ID, Head: 1, HeadHash: hash}
		}); err != nil {
			return err
		}
		return s.t.doAgainIfLost(ctx, "POST", "/vaults/"+url.PathEscape(v.ID)+"/items",
			api.CreateItemRequest{ID: item.ID, Type: typ, Revision: nr, KeyWraps: wraps, Manifest: m.api}, &out)
	})
	if err != nil {
		return nil, forbidden(err)
	}
	return s.acceptWith(out, m)
}

// NewItem is one item for CreateItems.
type NewItem struct {
	Type    string
	Content Content
}

// batchSize is how many items CreateItems sends per request (the server
// takes up to 1,000; 500 keeps a request well under its body limit).
const batchSize = 500

// CreateItems creates many items in vault vaultID (an import, a fill):
// each is encrypted and signed as CreateItem does, and every batch of up
// to 500 carries one manifest that lists them all, so the vault's whole
// manifest is hashed once per batch, not once per item. A batch is stored
// whole or not at all; on an error the items of earlier batches are kept
// and returned.
func (s *Session) CreateItems(ctx context.Context, vaultID string, items []NewItem) ([]*Item, error) {
	s.op.Lock()
	defer s.op.Unlock()
	for i := range items {
		n := &items[i]
		if t, ok := LookupItemType(n.Type); !ok || t.File {
			return nil, fmt.Errorf("unknown or unbatchable item type %q (want %s)", sanitize(n.Type, 40), typeList("file"))
		}
		n.Content.Change = nil
		if err := checkContent(&n.Content); err != nil {
			return nil, err
		}
	}
	v, ok := s.vault(vaultID)
	if !ok {
		return nil, fmt.Errorf("vault %q: %w", vaultID, ErrNotFound)
	}
	var out []*Item
	for len(items) > 0 {
		n := min(len(items), batchSize)
		done, err := s.createBatch(ctx, v, items[:n])
		out = append(out, done...)
		if err != nil {
			return out, err
		}
		items = items[n:]
	}
	return out, nil
}

func (s *Session) createBatch(ctx context.Context, v *Vault, items []NewItem) ([]*Item, error) {
	req := api.CreateItemsRequest{Items: make([]api.NewItem, len(items))}
	added := make([]crypto.ManifestEntry, len(items))
	for i, n := range items {
		item := &Item{ID: uuid.NewString(), VaultID: v.ID, Type: n.Type, Content: n.Content, keyVault: v.ID, keyEpoch: v.Epoch, itemKey: crypto.NewKey()}
		nr, wraps, hash, err := s.sealRevision(item, v, 1, crypto.ZeroHash(), true)
		if err != nil {
			return nil, err
		}
		req.Items[i] = api.NewItem{ID: item.ID, Type: n.Type, Revision: nr, KeyWraps: wraps}
		added[i] = crypto.ManifestEntry{ItemID: item.ID, Head: 1, HeadHash: hash}
	}
	var resp api.Items
	var m pendingManifest
	err := s.retryOnManifestConflict(ctx, func() error {
		var err error
		if m, err = s.nextManifest(v, func(e map[string]crypto.ManifestEntry) {
			for _, a := range added {
				e[a.ItemID] = a
			}
		}); err != nil {
			return err
		}
		req.Manifest = m.api
		return s.t.doAgainIfLost(ctx, "POST", "/vaults/"+url.PathEscape(v.ID)+"/items/batch", req, &resp)
	})
	if err != nil {
		return nil, forbidden(err)
	}
	if len(resp.Items) != len(items) {
		return nil, tampered("the server answered a batch of %d items with %d", len(items), len(resp.Items))
	}
	out := make([]*Item, len(items))
	for i, it := range resp.Items {
		if it.ID != req.Items[i].ID {
			return nil, tampered("the server answered a batch with another item")
		}
		if out[i], err = s.accept(it); err != nil {
			return nil, err
		}
	}
	s.recordManifests(m)
	return out, nil
}

// vault returns a copy of a synced vault.
func (s *Session) vault(id string) (*Vault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.vaults[id]
	if !ok {
		return nil, false
	}
	c := *v
	return &c, true
}

// sealRevision encrypts and signs item.Content as revision n of item.
func (s *Session) sealRevision(item *Item, v *Vault, n uint64, prev []byte, newKey bool) (api.NewRevision, []api.ItemKeyWrap, []byte, error) {
	var wraps []api.ItemKeyWrap
	s.mu.Lock()
	err := s.writableEpochLocked(v.ID, v.Epoch)
	s.mu.Unlock()
	if err != nil {
		return api.NewRevision{}, nil, nil, err
	}
	if newKey {
		ctx := crypto.ItemKeyContext{OrgID: v.OrgID, WrapVault: v.ID, WrapEpoch: v.Epoch, ItemID: item.ID, KeyVault: v.ID, KeyEpoch: v.Epoch}
		s.mu.Lock()
		vk := s.vaultKeys[epochKey{v.ID, v.Epoch}]
		s.mu.Unlock()
		w, err := crypto.WrapItemKey(vk, ctx, item.itemKey)
		if err != nil {
			return api.NewRevision{}, nil, nil, err
		}
		wraps = append(wraps, api.ItemKeyWrap{KeyVault: v.ID, KeyEpoch: v.Epoch, WrapVault: v.ID, WrapEpoch: v.Epoch, Wrap: w})
	}
	content, err := json.Marshal(item.Content)
	if err != nil {
		return api.NewRevision{}, nil, nil, err
	}
	now := s.opt.now().UnixMilli()
	h := crypto.RevisionHeader{OrgID: v.OrgID, VaultID: v.ID, ItemID: item.ID, Revision: n, KeyEpoch: v.Epoch,
		Type: item.Type, AuthorID: s.Profile.UserID, Time: uint64(now), PrevHash: prev}
	blob, sig, hash, err := crypto.SealRevision(s.id, item.itemKey, h, content)
	if err != nil {
		return api.NewRevision{}, nil, nil, err
	}
	s.own.add(hash)
	var fileIDs []string
	for _, f := range item.Content.Files {
		fileIDs = append(fileIDs, f.ID)
	}
	return api.NewRevision{KeyEpoch: v.Epoch, Time: now, PrevHash: prev, Blob: blob, Sig: sig,
		KeyCommit: crypto.ItemKeyCommitment(item.itemKey), FileIDs: fileIDs}, wraps, hash, nil
}

// accept decrypts the server's answer to a write, which must be what we wrote.
func (s *Session) accept(out api.Item) (*Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.materializeLocked()
	item, err := s.decryptItem(out)
	if err != nil {
		return nil, err
	}
	if raw, err := json.Marshal(out); err == nil {
		item.raw = raw // for the device cache's record
	}
	s.items[item.ID] = item
	if s.cache != nil {
		s.cache.dirty = true
	}
	// What this device wrote, it has verified: a later repair must not
	// drop or flip it unnoticed.
	s.itemVault[item.ID] = item.VaultID
	if item.Trashed {
		s.itemTrashed[item.ID] = true
	} else {
		delete(s.itemTrashed, item.ID)
	}
	return item, nil
}

// acceptWith is accept for a write that carried manifests: the server took
// them, so they are the vaults' current ones.
func (s *Session) acceptWith(out api.Item, ms ...pendingManifest) (*Item, error) {
	item, err := s.accept(out)
	if err != nil {
		return nil, err
	}
	s.recordManifests(ms...)
	return item, nil
}

// nextHeadEntry is the manifest entry of it after a write of the revision
// after its head, with revision hash hash (only live items are written).
func nextHeadEntry(it *Item, hash []byte) crypto.ManifestEntry {
	return crypto.ManifestEntry{ItemID: it.ID, Head: it.Revision + 1, HeadHash: hash}
}

// UpdateItem writes c as the next revision after base. If someone else
// wrote in between, it returns *ConflictError and nothing is written.
func (s *Session) UpdateItem(ctx context.Context, base *Item, c Content) (*Item, error) {
	return s.updateItem(ctx, base, c, nil)
}

// updateItem is UpdateItem recording what the revision does (nil: a plain
// edit; a change label never carries over from the base).
func (s *Session) updateItem(ctx context.Context, base *Item, c Content, change *RevisionChange) (*Item, error) {
	s.op.Lock()
	defer s.op.Unlock()
	if base.Trashed {
		return nil, ErrTrashed
	}
	c.Change = change
	if err := checkContent(&c); err != nil {
		return nil, err
	}
	v, ok := s.vault(base.VaultID)
	if !ok {
		return nil, fmt.Errorf("vault %q: %w", base.VaultID, ErrNotFound)
	}
	next := *base
	next.Content = c
	var out api.Item
	var m pendingManifest
	err := s.retryOnManifestConflict(ctx, func() error {
		// Sealed (again) at the vault's newest epoch: a rotation while
		// writing makes the server refuse the old one (epoch_conflict).
		if v, ok = s.vault(base.VaultID); !ok {
			return fmt.Errorf("vault %q: %w", base.VaultID, ErrNotFound)
		}
		// A new item key after a key rotation or a move; else reuse.
		newKey := base.keyVault != v.ID || base.keyEpoch != v.Epoch
		next.itemKey, next.keyVault, next.keyEpoch = base.itemKey, base.keyVault, base.keyEpoch
		if newKey {
			next.itemKey, next.keyVault, next.keyEpoch = crypto.NewKey(), v.ID, v.Epoch
		}
		nr, wraps, hash, err := s.sealRevision(&next, v, base.Revision+1, base.hash, newKey)
		if err != nil {
			return err
		}
		if m, err = s.nextManifest(v, func(e map[string]crypto.ManifestEntry) {
			e[base.ID] = nextHeadEntry(base, hash)
		}); err != nil {
			return err
		}
		return s.t.doAgainIfLost(ctx, "PUT", "/items/"+url.PathEscape(base.ID),
			api.UpdateItemRequest{BaseRevision: base.Revision, Revision: nr, KeyWraps: wraps, Manifest: m.api}, &out)
	})
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == statusConflict && ae.Code == api.CodeConflict && ae.Head > 0 {
		return nil, &ConflictError{Base: base.Revision, Head: ae.Head}
	}
	if errors.As(err, &ae) && ae.Code == api.CodeTrashed {
		return nil, ErrTrashed
	}
	if err != nil {
		return nil, forbidden(err)
	}
	return s.acceptWith(out, m)
}

// TrashItem moves an item to the trash; RestoreItem brings it back.
func (s *Session) TrashItem(ctx context.Context, it *Item) (*Item, error) {
	return s.setTrashed(ctx, it, true)
}

// RestoreItem takes an item out of the trash.
func (s *Session) RestoreItem(ctx context.Context, it *Item) (*Item, error) {
	return s.setTrashed(ctx, it, false)
}

// setTrashed moves an item in or out of the trash; the trash state is
// signed in the vault's manifest.
func (s *Session) setTrashed(ctx context.Context, it *Item, trashed bool) (*Item, error) {
	s.op.Lock()
	defer s.op.Unlock()
	v, ok := s.vault(it.VaultID)
	if !ok {
		return nil, fmt.Errorf("vault %q: %w", it.VaultID, ErrNotFound)
	}
	if it.Trashed == trashed {
		return it, nil
	}
	suffix := "/restore"
	if trashed {
		suffix = "/trash"
	}
	var out api.Item
	var m pendingManifest
	err := s.retryOnManifestConflict(ctx, func() error {
		var err error
		var held bool
		// The entry as last synced: trash takes no base revision, so the
		// head must be the one the vault's manifest lists now.
		if m, err = s.nextManifest(v, func(e map[string]crypto.ManifestEntry) {
			var cur crypto.ManifestEntry
			if cur, held = e[it.ID]; held {
				cur.Trashed = trashed
				e[it.ID] = cur
			}
		}); err != nil {
			return err
		}
		if !held {
			return fmt.Errorf("item %q is not in vault %q: %w", it.ID, v.ID, ErrNotFound)
		}
		action := api.AuditItemRestore
		if trashed {
			action = api.AuditItemTrash
		}
		stmt := s.itemStatement(v, action, it.ID)
		return s.t.doStated(ctx, "POST", "/items/"+url.PathEscape(it.ID)+suffix, stmt, api.ManifestRequest{Manifest: m.api}, &out)
	})
	if err != nil {
		return nil, forbidden(err)
	}
	if out.Trashed != trashed {
		return nil, tampered("item %s: the server did not change its trash state", it.ID)
	}
	return s.acceptWith(out, m)
}

// PurgeItem deletes an item in the trash for good, with its history and
// attachments. It needs edit permission on the item's vault.
func (s *Session) PurgeItem(ctx context.Context, it *Item) error {
	s.op.Lock()
	defer s.op.Unlock()
	if !it.Trashed {
		return errors.New("only items in the trash can be purged; move it to the trash first")
	}
	v, ok := s.vault(it.VaultID)
	if !ok {
		return fmt.Errorf("vault %q: %w", it.VaultID, ErrNotFound)
	}
	var m pendingManifest
	err := s.retryOnManifestConflict(ctx, func() error {
		var err error
		if m, err = s.nextManifest(v, func(e map[string]crypto.ManifestEntry) { delete(e, it.ID) }); err != nil {
			return err
		}
		stmt := s.itemStatement(v, api.AuditItemPurge, it.ID)
		return s.t.doStated(ctx, "POST", "/items/"+url.PathEscape(it.ID)+"/purge", stmt, api.ManifestRequest{Manifest: m.api}, nil)
	})
	if err != nil {
		return forbidden(err)
	}
	s.mu.Lock()
	s.materializeLocked()
	delete(s.items, it.ID)
	if s.cache != nil {
		s.cache.dirty = true
	}
	delete(s.itemVault, it.ID)
	delete(s.itemTrashed, it.ID)
	s.mu.Unlock()
	s.recordManifests(m)
	return nil
}

// History fetches and verifies an item's whole revision chain and returns
// every version, oldest first. The chain must start at 1, be consecutive,
// link each revision to the hash of the one before, and end at the head
// this client has seen (or later).
func (s *Session) History(ctx context.Context, it *Item) ([]Version, error) {
	var resp api.Revisions
	if err := s.t.do(ctx, "GET", "/items/"+url.PathEscape(it.ID)+"/revisions", nil, &resp); err != nil {
		return nil, err
	}
	var st api.Item
	if err := s.t.do(ctx, "GET", "/items/"+url.PathEscape(it.ID), nil, &st); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.vaults[st.VaultID]
	if !ok || resp.ItemID != it.ID {
		return nil, tampered("history of item %s", it.ID)
	}
	// The item's own head counts as seen too: with a device cache its
	// mark may be implied by the cache's entry, not in s.seen yet.
	if uint64(len(resp.Revisions)) < max(s.seen[it.ID], it.Revision) {
		return nil, tampered("item %s: history shorter than the revision already seen", it.ID)
	}
	out := make([]Version, 0, len(resp.Revisions))
	prev := crypto.ZeroHash()
	for i, r := range resp.Revisions {
		if r.Revision != uint64(i+1) || r.Type != st.Type || !crypto.Equal(r.PrevHash, prev) {
			return nil, tampered("item %s: revision chain broken at %d", it.ID, i+1)
		}
		c, _, hash, err := s.openRevision(it.ID, v, r, st.KeyWraps)
		if err != nil {
			return nil, err
		}
		prev = hash
		out = append(out, Version{Revision: r.Revision, AuthorID: r.AuthorID, Time: time.UnixMilli(r.Time).UTC(), Content: c, VaultID: r.VaultID, OrgID: r.OrgID})
	}
	return out, nil
}

// Marks are a device's high-water marks: the highest item revision, roster
// version and keyring version it has seen. A client that keeps them between
// runs refuses a server that later serves something older (rollback).
type Marks struct {
	// Cache is the highest device cache generation this device wrote: a
	// cache below it is an older copy and is not used (§16). It comes
	// first, so that a reader can take it from the start of the file.
	Cache uint64 `json:"cache_generation,omitempty"`
	// Restore is the generation of the newest server restore from a
	// backup this device accepted (docs/protocol.md §9.1). It comes
	// second, for the same reader.
	Restore   uint64            `json:"restore,omitempty"`
	Items     map[string]uint64 `json:"items"`
	Rosters   map[string]uint64 `json:"rosters"`
	Keyring   uint64            `json:"keyring"`
	Manifests map[string]uint64 `json:"manifests,omitempty"` // per vault
	// Vaults lists, per vault, the items last verified in it (grouped by
	// vault, so that a vault's id is written once, not once per item);
	// Trashed the items that were in the trash then.
	Vaults  map[string][]string `json:"vaults,omitempty"`
	Trashed []string            `json:"trashed,omitempty"`
	// Records are the epoch record versions seen, per object (§18.1).
	Records map[string]uint64 `json:"records,omitempty"`
	// Audit is, per organisation, the head of its audit log last
	// verified on this device (§18.7).
	Audit map[string]AuditMark `json:"audit,omitempty"`
}

// Marks returns the session's high-water marks, to keep for the next run.
func (s *Session) Marks() Marks {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.marksLocked()
}

func (s *Session) marksLocked() Marks {
	m := s.sharedMarksLocked()
	m.Items, m.Rosters, m.Manifests, m.Audit, m.Records = maps.Clone(m.Items), maps.Clone(m.Rosters), maps.Clone(m.Manifests), maps.Clone(m.Audit), maps.Clone(m.Records)
	return m
}

// MarksJSON is Marks as JSON, written straight from the session's own
// maps (no copies: at 10,000 items a copy costs as much as the writing).
func (s *Session) MarksJSON() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sharedMarksLocked().MarshalJSON()
}

// sharedMarksLocked is the marks with their maps shared with the session:
// the caller holds s.mu for as long as it uses them.
func (s *Session) sharedMarksLocked() Marks {
	s.materializeLocked() // the marks its entries imply
	m := Marks{Items: s.seen, Rosters: s.rosterSeen, Keyring: s.keyringSeen, Manifests: s.manifestSeen, Cache: s.cacheMark, Restore: s.restoreSeen, Audit: s.auditSeen, Records: s.recordSeen}
	m.Vaults = map[string][]string{}
	for id, v := range s.itemVault {
		m.Vaults[v] = append(m.Vaults[v], id)
	}
	for _, ids := range m.Vaults {
		sort.Strings(ids)
	}
	for id := range s.itemTrashed {
		m.Trashed = append(m.Trashed, id)
	}
	sort.Strings(m.Trashed)
	return m
}

// SetMarks restores marks kept from an earlier run (before the first Sync).
func (s *Session) SetMarks(m Marks) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setMarksLocked(m)
}

// setMarksLocked raises the session's marks to m (they never go down).
func (s *Session) setMarksLocked(m Marks) {
	for k, v := range m.Items {
		s.seen[k] = max(s.seen[k], v)
	}
	for k, v := range m.Rosters {
		s.rosterSeen[k] = max(s.rosterSeen[k], v)
	}
	for k, v := range m.Manifests {
		s.manifestSeen[k] = max(s.manifestSeen[k], v)
	}
	if len(m.Records) > 0 && s.recordSeen == nil {
		s.chains, s.recordCursor, s.recordSeen = map[string]*chain{}, map[string]int64{}, map[string]uint64{}
	}
	for k, v := range m.Records {
		s.recordSeen[k] = max(s.recordSeen[k], v)
	}
	s.keyringSeen = max(s.keyringSeen, m.Keyring)
	s.cacheMark = max(s.cacheMark, m.Cache)
	s.restoreSeen = max(s.restoreSeen, m.Restore)
	for k, v := range m.Audit {
		if v.Seq > s.auditSeen[k].Seq {
			s.auditSeen[k] = v
		}
	}
	for v, ids := range m.Vaults {
		for _, id := range ids {
			if _, ok := s.itemVault[id]; !ok {
				s.itemVault[id] = v
			}
		}
	}
	for _, id := range m.Trashed {
		if _, ok := s.itemVault[id]; ok {
			s.itemTrashed[id] = true
		}
	}
}
