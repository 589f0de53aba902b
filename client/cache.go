package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// The device cache (docs/protocol.md §16) keeps the verified result of the
// last sync between runs, so that a command asks the server only for what
// changed, verifies only that, and decrypts only what it shows. It is a
// convenience, never a source of truth: a cache that does not open is
// discarded with a warning and the session syncs in full, and rollback
// protection stays with the high-water marks (Marks), which live outside
// it.

// CacheStore keeps one account's device cache. The client core decides
// what goes in and seals all of it; a store only keeps bytes, so a CLI
// keeps them in files and a browser in its own storage. A store holds one
// state, replaced whole, and append-only record files named by the state.
type CacheStore interface {
	// ReadState returns the sealed state, or (nil, nil) when there is none.
	ReadState() ([]byte, error)
	// WriteState replaces the sealed state atomically.
	WriteState(data []byte) error
	// Size returns how many bytes record file file holds.
	Size(file string) (int64, error)
	// ReadAt reads len(p) bytes of record file file at off.
	ReadAt(file string, p []byte, off int64) error
	// Append appends data to record file file (creating it when create is
	// true) and returns the offset it starts at.
	Append(file string, data []byte, create bool) (int64, error)
	// Remove deletes a record file the state no longer names.
	Remove(file string) error
	// Clear deletes the whole cache.
	Clear() error
}

// ErrCacheDamaged: a record of the device cache did not open. The caller
// discards the cache (DiscardCache), syncs and asks again.
var ErrCacheDamaged = errors.New("the device cache is damaged")

// deviceCache is a session's open device cache.
type deviceCache struct {
	store   CacheStore
	key     []byte
	gen     uint64 // the generation this session read or last wrote
	fileID  string
	fileEnd int64
	dirty   bool // something to write since the cache was read
	loaded  bool // the session was restored from it
	wrote   bool // SaveCache wrote a state
}

// cacheChangedLocked notes that the session holds something its device
// cache (and marks) do not: the next SaveCache writes. The caller holds
// s.mu.
func (s *Session) cacheChangedLocked() {
	if s.cache != nil {
		s.cache.dirty = true
	}
}

// MarksChanged reports whether the session's marks may differ from what
// the device keeps: always without a device cache in use, else only when
// the cache had something to write. A caller that keeps marks apart (a
// file) writes them when this is true.
func (s *Session) MarksChanged() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cache == nil || s.cache.dirty || s.cache.wrote
}

// CacheInUse reports whether the session was restored from its device
// cache (UseCache found one that opened). When it was not, the caller
// gives the session its full marks (SetMarks) before the first Sync.
func (s *Session) CacheInUse() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cache != nil && s.cache.loaded
}

// cacheLoc is where an item's record is in the cache's record file.
type cacheLoc struct {
	off, n uint64
	file   string
}

// UseCache opens the device cache in store, before the first Sync. A cache
// that cannot be used — edited, cut, another account's, older than the
// generation the marks recorded — is discarded and its reason returned as
// a one-line warning (empty when the cache was used or there was none);
// the session then syncs in full and writes a fresh one. The error is only
// for a store that cannot be read at all.
func (s *Session) UseCache(store CacheStore) (warning string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &deviceCache{store: store, key: crypto.DeviceCacheKey(s.ak, s.Profile.UserID), dirty: true}
	s.cache = c
	data, err := store.ReadState()
	if err != nil || data == nil {
		return "", err
	}
	why := s.loadCacheLocked(c, data)
	if why == "" {
		c.dirty, c.loaded = false, true
		return "", nil
	}
	c.gen = max(c.gen, s.cacheMark)
	if err := store.Clear(); err != nil {
		return "", err
	}
	return "the device cache was discarded and is rebuilt from the server: " + why, nil
}

// loadCacheLocked restores a sealed state into the session and says why
// it could not (empty when it did). Only the state's head is decoded now:
// its items stay in the opened payload (s.lazy) until something needs them
// all (materializeLocked); a lookup or a search reads them without
// building them (findLazyLocked, searchLazyLocked).
func (s *Session) loadCacheLocked(c *deviceCache, data []byte) string {
	gen, err := crypto.CacheGeneration(data)
	if err != nil {
		return "it is not a cache of this format"
	}
	if gen < s.cacheMark {
		return fmt.Sprintf("it is an older copy (generation %d; this device wrote %d)", gen, s.cacheMark)
	}
	_, payload, err := crypto.OpenCache(c.key, s.Profile.UserID, data)
	if err != nil {
		return "it does not open with this account's key (edited, cut, or another account's)"
	}
	st, err := decodeCacheHead(payload)
	if err != nil {
		return "its state does not decode"
	}
	if st.FileEnd > 0 {
		if size, err := c.store.Size(st.FileID); err != nil || size < st.FileEnd {
			return "its item records are missing or cut"
		}
	}
	// The entries are checked as they are read (scanEntries, entryAt,
	// materializeLocked): a record outside the file does not read, and a
	// payload that does not decode is ErrCacheDamaged (it is authenticated:
	// that is defence in depth).
	matched := make(map[string]api.Manifest, len(st.Manifests))
	for _, m := range st.Manifests {
		matched[m.VaultID] = m
	}
	c.gen, c.fileID, c.fileEnd = gen, st.FileID, st.FileEnd
	s.matched, s.cursor = matched, st.Cursor
	s.items, s.lazy = nil, &lazyState{payload: payload, fileID: st.FileID, opened: map[string]*Item{}}
	return ""
}

// lazyState is a device cache state whose items are not built yet.
type lazyState struct {
	payload []byte
	fileID  string
	opened  map[string]*Item // items opened from their records meanwhile
}

// materializeLocked builds the session's items, and the marks their
// entries imply, from a lazily held state: everything that looks at all
// items, or changes any, calls it first. The caller holds s.mu.
func (s *Session) materializeLocked() {
	l := s.lazy
	if l == nil {
		return
	}
	s.lazy = nil
	var (
		items  = map[string]*Item{}
		slab   []Item
		logins []LoginFields
	)
	fresh := len(s.seen) == 0 && len(s.itemVault) == 0 && len(s.itemTrashed) == 0
	st, err := decodeCacheState(l.payload, func(i, n int, e *cacheEntry) {
		if i == 0 {
			// One allocation for all items and one for their login
			// fields, and the maps sized once: fresh memory is most of
			// what building them costs.
			items, slab, logins = make(map[string]*Item, n), make([]Item, n), make([]LoginFields, n)
			if fresh {
				s.seen, s.itemVault = make(map[string]uint64, n), make(map[string]string, n)
			}
		}
		it := &slab[i]
		e.fill(it, &logins[i], l.fileID)
		if _, dup := items[e.ID]; !dup {
			items[e.ID] = it
		}
	})
	if err != nil {
		// Checked when it was loaded; cannot happen. Start from nothing:
		// the next sync is a full one.
		s.items, s.cursor, s.matched = map[string]*Item{}, 0, map[string]api.Manifest{}
		s.cacheChangedLocked()
		return
	}
	s.setMarksLocked(st.Marks.marks())
	for id, it := range items {
		s.seen[id] = max(s.seen[id], it.Revision)
		s.itemVault[id] = it.VaultID
		if it.Trashed {
			s.itemTrashed[id] = true
		} else if len(s.itemTrashed) > 0 {
			delete(s.itemTrashed, id)
		}
	}
	for id, it := range l.opened {
		items[id] = it
	}
	s.items = items
}

// findLazyLocked is FindItem on a lazily held state: one pass over the
// entries, building only the item found. The caller holds s.mu.
func (s *Session) findLazyLocked(ref, vaultID string, trashed bool) (*Item, error) {
	l := s.lazy
	var byID *Item
	var exact, folded []*Item
	var bad error
	refb := []byte(ref)
	err := scanEntries(l.payload, func(v *entryView) {
		isID, isExact := bytes.Equal(v.id, refb), bytes.Equal(v.name, refb)
		if v.trashed != trashed || !isID && !isExact && !bytes.EqualFold(v.name, refb) || s.vaults[string(v.vaultID)] == nil ||
			vaultID != "" && string(v.vaultID) != vaultID {
			return
		}
		it, err := l.item(v.at)
		if err != nil {
			bad = err
			return
		}
		switch {
		case isID:
			byID = it
		case isExact:
			exact = append(exact, it)
		default:
			folded = append(folded, it)
		}
	})
	if err != nil || bad != nil {
		return nil, fmt.Errorf("%w: its state does not decode", ErrCacheDamaged)
	}
	if byID != nil {
		return s.openLazyLocked(byID)
	}
	found, err := s.pickLocked(ref, vaultID, trashed, exact, folded)
	if err != nil {
		return nil, err
	}
	return s.openLazyLocked(found)
}

// openLazyLocked opens a sealed item built from a lazily held state.
func (s *Session) openLazyLocked(it *Item) (*Item, error) {
	if opened, ok := s.lazy.opened[it.ID]; ok {
		return opened, nil
	}
	full, err := s.openRecordLocked(it, true)
	if err != nil {
		return nil, err
	}
	s.lazy.opened[it.ID] = full
	return full, nil
}

// item builds the sealed item whose entry is at offset at (or the one
// opened meanwhile).
func (l *lazyState) item(at int) (*Item, error) {
	e, err := entryAt(l.payload, at)
	if err != nil {
		return nil, err
	}
	if opened, ok := l.opened[e.ID]; ok {
		return opened, nil
	}
	it := &Item{}
	e.fill(it, &LoginFields{}, l.fileID)
	return it, nil
}

// searchLazyLocked is Search on a lazily held state: one pass over the
// entries' views, building only the matches. The caller holds s.mu.
func (s *Session) searchLazyLocked(trashed bool, vaultID, lower string) ([]*Item, error) {
	l := s.lazy
	var out []*Item
	var bad error
	err := scanEntries(l.payload, func(v *entryView) {
		if v.trashed != trashed || vaultID != "" && string(v.vaultID) != vaultID || s.vaults[string(v.vaultID)] == nil {
			return
		}
		if lower != "" && !v.contains(lower) {
			return
		}
		it, err := l.item(v.at)
		if err != nil {
			bad = err
			return
		}
		out = append(out, it)
	})
	if err == nil {
		err = bad
	}
	return out, err
}

// contains is itemSummary.contains on a view.
func (v *entryView) contains(lower string) bool {
	if containsFold(v.name, lower) || containsFold(v.username, lower) {
		return true
	}
	for _, l := range [][][]byte{v.urls, v.tags} {
		for _, h := range l {
			if containsFold(h, lower) {
				return true
			}
		}
	}
	return false
}

// marks are the state's marks as Marks (the entries' are added apart).
func (m stateMarks) marks() Marks {
	out := Marks{Items: map[string]uint64{}, Manifests: map[string]uint64{}, Rosters: map[string]uint64{}, Keyring: m.Keyring, Vaults: map[string][]string{}}
	for _, r := range m.Items {
		out.Items[r.ID] = r.Rev
	}
	for _, r := range m.Manifests {
		out.Manifests[r.ID] = r.Rev
	}
	for _, r := range m.Rosters {
		out.Rosters[r.ID] = r.Rev
	}
	for _, p := range m.Placed {
		out.Vaults[p.VaultID] = append(out.Vaults[p.VaultID], p.ID)
		if p.Trashed {
			out.Trashed = append(out.Trashed, p.ID)
		}
	}
	return out
}

// stateMarksLocked is the session's marks beyond what the entries (ids,
// the items held) imply. The caller holds s.mu.
func (s *Session) stateMarksLocked(held map[string]*Item) stateMarks {
	var m stateMarks
	for id, rev := range s.seen {
		if it, ok := held[id]; !ok || it.Revision != rev {
			m.Items = append(m.Items, markedRev{id, rev})
		}
	}
	for id, v := range s.manifestSeen {
		m.Manifests = append(m.Manifests, markedRev{id, v})
	}
	for id, v := range s.rosterSeen {
		m.Rosters = append(m.Rosters, markedRev{id, v})
	}
	m.Keyring = s.keyringSeen
	for id, v := range s.itemVault {
		if it, ok := held[id]; !ok || it.VaultID != v || it.Trashed != s.itemTrashed[id] {
			m.Placed = append(m.Placed, placedItem{id, v, s.itemTrashed[id]})
		}
	}
	for _, l := range [][]markedRev{m.Items, m.Manifests, m.Rosters} {
		sort.Slice(l, func(i, j int) bool { return l[i].ID < l[j].ID })
	}
	sort.Slice(m.Placed, func(i, j int) bool { return m.Placed[i].ID < m.Placed[j].ID })
	return m
}

// fill makes it the entry as a sealed item: its manifest entry and
// summary are known, its body opens from the record when asked
// (openCachedLocked). login is its login fields' place, if it has any.
func (e *cacheEntry) fill(it *Item, login *LoginFields, file string) {
	c := Content{Name: e.Summary.Name, Tags: e.Summary.Tags, Favorite: e.Summary.Favorite}
	if e.Summary.Username != "" || len(e.Summary.URLs) > 0 {
		*login = LoginFields{Username: e.Summary.Username, URLs: e.Summary.URLs}
		c.Login = login
	}
	*it = Item{ID: e.ID, VaultID: e.VaultID, Type: e.Type, Revision: e.Head, Trashed: e.Trashed, hash: e.HeadHash,
		UpdatedAt: unixNano(e.UpdatedAt), Time: time.UnixMilli(e.Time).UTC(), Content: c, sealed: true, rec: cacheLoc{e.Off, e.Len, file}}
}

// contains reports whether the name, user name, a URL or a tag contains
// lower (a lower-case query).
func (s itemSummary) contains(lower string) bool {
	if containsFold(s.Name, lower) || containsFold(s.Username, lower) {
		return true
	}
	for _, l := range [][]string{s.URLs, s.Tags} {
		for _, h := range l {
			if containsFold(h, lower) {
				return true
			}
		}
	}
	return false
}

// containsFold is strings.Contains(strings.ToLower(h), lower) without
// lowering (and copying) ASCII text: a search looks at every item.
func containsFold[T string | []byte](h T, lower string) bool {
	for i := 0; i < len(h); i++ {
		if h[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(string(h)), lower)
		}
	}
	n := len(lower)
	for i := 0; i+n <= len(h); i++ {
		j := 0
		for ; j < n; j++ {
			c := h[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lower[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

// summaryOf is what a list shows and a search looks at. Its Username is
// the line a list shows under the name: a login's user name, an
// identity's name and e-mail address, an SSH key's fingerprint and
// comment — so a search finds an identity by its person and a key by its
// fingerprint or comment, through the device cache's index as it is.
func summaryOf(c Content) itemSummary {
	s := itemSummary{Name: c.Name, Tags: c.Tags, Favorite: c.Favorite}
	switch {
	case c.Login != nil:
		s.Username, s.URLs = c.Login.Username, c.Login.URLs
	case c.Identity != nil:
		s.Username = identityLine(c.Identity)
	case c.SSHKey != nil:
		s.Username = sshKeyLine(c.SSHKey)
	}
	return s
}

// ListUsername is the line a list shows under the item's name (Summary's
// Username: summaryOf), for a caller that compares content with a list
// (an import's duplicates).
func (c *Content) ListUsername() string { return summaryOf(*c).Username }

// identityLine is "First Last <email>", or what there is of it, else the
// identity's user name.
func identityLine(id *Identity) string {
	name := id.FullName()
	switch {
	case name != "" && id.Email != "":
		return name + " <" + id.Email + ">"
	case name != "":
		return name
	case id.Email != "":
		return id.Email
	}
	return id.Username
}

// sshKeyLine is "SHA256:… comment", as ssh-keygen -l says a key.
func sshKeyLine(k *SSHKey) string {
	comment := ""
	if _, _, c, err := parseAuthorizedKey(strings.TrimSpace(k.PublicKey)); err == nil {
		comment = c
	}
	return strings.TrimSpace(k.Fingerprint + " " + comment)
}

// openCachedLocked returns it with its body opened: a sealed item's record
// is read, opened, checked against the index and verified again (the
// revision signature, as in a sync); the opened item replaces it. The
// caller holds s.mu.
func (s *Session) openCachedLocked(it *Item) (*Item, error) {
	if err := s.settleLocked(it); err != nil {
		return nil, err
	}
	if !it.sealed {
		return it, nil
	}
	full, err := s.openRecordLocked(it, true)
	if err != nil {
		return nil, err
	}
	s.items[it.ID] = full
	return full, nil
}

// readRecordLocked reads and opens a sealed item's record and checks it
// against the index: the item as the server sent it, as JSON and decoded.
func (s *Session) readRecordLocked(it *Item) ([]byte, *api.Item, error) {
	c := s.cache
	if c == nil || it.rec.file == "" {
		return nil, nil, fmt.Errorf("%w: item %s has no record", ErrCacheDamaged, it.ID)
	}
	buf := make([]byte, it.rec.n)
	if err := c.store.ReadAt(it.rec.file, buf, int64(it.rec.off)); err != nil {
		return nil, nil, recordDamaged(it, "cannot be read")
	}
	pt, err := crypto.OpenCacheRecord(c.key, s.Profile.UserID, it.rec.file, it.ID, it.Revision, it.hash, buf)
	if err != nil {
		return nil, nil, recordDamaged(it, "does not open")
	}
	var raw api.Item
	if err := json.Unmarshal(pt, &raw); err != nil {
		return nil, nil, recordDamaged(it, "does not decode")
	}
	if raw.ID != it.ID || raw.VaultID != it.VaultID || raw.Type != it.Type || raw.Head != it.Revision || raw.Trashed != it.Trashed {
		return nil, nil, recordDamaged(it, "does not match the index")
	}
	return pt, &raw, nil
}

func recordDamaged(it *Item, why string) error {
	return fmt.Errorf("%w: the record of item %s %s", ErrCacheDamaged, it.ID, why)
}

// openRecordLocked opens a sealed item's record and verifies the item again
// (the revision signature, as in a sync). rollback says whether the
// device's marks apply: not for a description of an older state (Watch).
func (s *Session) openRecordLocked(it *Item, rollback bool) (*Item, error) {
	_, raw, err := s.readRecordLocked(it)
	if err != nil {
		return nil, err
	}
	var full *Item
	if rollback {
		full, err = s.openItem(*raw)
	} else {
		full, err = s.openItemAt(*raw)
	}
	if err != nil {
		return nil, recordDamaged(it, "no longer verifies: "+err.Error())
	}
	if !bytes.Equal(full.hash, it.hash) {
		return nil, recordDamaged(it, "has another revision hash")
	}
	full.rec = it.rec
	return full, nil
}

// DiscardCache forgets the device cache's contents after ErrCacheDamaged:
// its sealed items leave the session and the next Sync is a full one,
// which writes a new cache.
func (s *Session) DiscardCache() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.materializeLocked() // keeps the marks its entries imply
	for id, it := range s.items {
		if it.sealed {
			delete(s.items, id)
		}
	}
	s.cursor, s.matched = 0, map[string]api.Manifest{}
	if s.cache == nil {
		return nil
	}
	s.cache.dirty, s.cache.fileID, s.cache.fileEnd = true, "", 0
	return s.cache.store.Clear()
}

// recordChunk is how many bytes of new records SaveCache appends at once.
const recordChunk = 4 << 20

// compactFrom is the share of dead records (older heads, purged items)
// from which a save rewrites the record file instead of appending.
const compactFrom = 0.5

// SaveCache writes the session's verified state to the device cache, as
// the next generation, when it changed. A session with anything in
// quarantine writes nothing (its next sync is a full one anyway). The
// caller keeps Marks afterwards: they carry the generation written.
func (s *Session) SaveCache() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cache
	if c == nil || !c.dirty || !s.synced || len(s.quarantine) > 0 || s.uncheckedLocked() {
		return nil // (signatures left to check: saved once they are, §16.7)
	}
	s.materializeLocked()
	held := make(map[string]*Item, len(s.items))
	ids := make([]string, 0, len(s.items))
	var live uint64
	for id, it := range s.items {
		if s.vaults[it.VaultID] == nil {
			continue // a vault this account no longer opens
		}
		if it.rec.file == "" && it.raw == nil && it.src == nil {
			return nil // nothing to write it from: keep the last cache
		}
		ids = append(ids, id)
		held[id] = it
		live += it.rec.n
	}
	// (The entries' order is free: nothing reads them by position.)
	compact := c.fileID == "" || float64(c.fileEnd) > 4096 && float64(live) < float64(c.fileEnd)*(1-compactFrom)
	old := c.fileID
	if compact {
		c.fileID, c.fileEnd = uuid.NewString(), 0
	}
	// New records first, appended a few megabytes at a time (a cold
	// sync of 100,000 items writes 120 MB of them); the state naming them
	// after, so that a crash in between leaves the old state, still whole.
	// An item's copy of what the server sent goes once its record holds it.
	end := c.fileEnd
	var chunk []byte
	var inChunk []*Item
	var locs []cacheLoc
	flush := func(create bool) error {
		if len(chunk) == 0 && !create {
			return nil
		}
		off, err := c.store.Append(c.fileID, chunk, create)
		if err != nil {
			return err
		}
		for i, it := range inChunk {
			it.rec, it.raw, it.src = cacheLoc{uint64(off) + locs[i].off, locs[i].n, c.fileID}, nil, nil
		}
		end = off + int64(len(chunk))
		chunk, inChunk, locs = chunk[:0], inChunk[:0], locs[:0]
		return nil
	}
	if compact {
		end = 0
		if err := flush(true); err != nil {
			return err
		}
	}
	for _, id := range ids {
		it := s.items[id]
		if it.rec.file == c.fileID {
			continue
		}
		raw, err := s.rawLocked(it)
		if err != nil {
			return err
		}
		rec, err := crypto.SealCacheRecord(c.key, s.Profile.UserID, c.fileID, id, it.Revision, it.hash, raw)
		if err != nil {
			return err
		}
		inChunk, locs = append(inChunk, it), append(locs, cacheLoc{uint64(len(chunk)), uint64(len(rec)), c.fileID})
		chunk = append(chunk, rec...)
		if len(chunk) >= recordChunk {
			if err := flush(false); err != nil {
				return err
			}
		}
	}
	if err := flush(false); err != nil {
		return err
	}
	c.fileEnd = end
	// The marks as they will be once this generation is written.
	s.cacheMark = max(s.cacheMark, c.gen+1)
	st := &cacheState{Cursor: s.cursor, FileID: c.fileID, FileEnd: end, Items: make([]cacheEntry, 0, len(ids)),
		Marks: s.stateMarksLocked(held)}
	for id, m := range s.matched {
		if s.vaults[id] != nil {
			st.Manifests = append(st.Manifests, m)
		}
	}
	sort.Slice(st.Manifests, func(i, j int) bool { return st.Manifests[i].VaultID < st.Manifests[j].VaultID })
	for _, id := range ids {
		it := s.items[id]
		st.Items = append(st.Items, cacheEntry{ID: id, VaultID: it.VaultID, Type: it.Type, Head: it.Revision, Trashed: it.Trashed,
			HeadHash: it.hash, UpdatedAt: it.UpdatedAt.UnixNano(), Time: it.Time.UnixMilli(), Off: it.rec.off, Len: it.rec.n, Summary: summaryOf(it.Content)})
	}
	sealed, err := crypto.SealCache(c.key, s.Profile.UserID, c.gen+1, st.encode())
	if err != nil {
		return err
	}
	if err := c.store.WriteState(sealed); err != nil {
		return err
	}
	c.gen++
	c.fileEnd, c.dirty, c.wrote = st.FileEnd, false, true
	if compact && old != "" {
		c.store.Remove(old) // best effort: an unnamed file is never read
	}
	return nil
}

// rawLocked is an item as the server sent it, for its record: kept from
// the sync or write that verified it, or read back from the old record
// file when that is being rewritten.
func (s *Session) rawLocked(it *Item) ([]byte, error) {
	if it.raw != nil {
		return it.raw, nil
	}
	if it.src != nil {
		return json.Marshal(it.src)
	}
	pt, _, err := s.readRecordLocked(it)
	return pt, err
}

func unixNano(n int64) time.Time { return time.Unix(0, n).UTC() }

// MarksGeneration reads the cache generation from the first bytes of
// marks as MarshalJSON writes them (it comes first), without parsing the
// rest: a cache at that generation holds the same marks (§16.5), and
// parsing them whole costs more than the rest of an unlock at 10,000
// items. It is 0 when there is none (or the marks are of an older
// format).
func MarksGeneration(marks []byte) uint64 {
	const prefix = `{"cache_generation":`
	if !bytes.HasPrefix(marks, []byte(prefix)) {
		return 0
	}
	var gen uint64
	for i, c := range marks[len(prefix):] {
		switch {
		case c >= '0' && c <= '9' && i < 19:
			gen = gen*10 + uint64(c-'0')
		case (c == ',' || c == '}') && i > 0:
			return gen
		default:
			return 0
		}
	}
	return 0
}

// MarksHead reads the cache generation and the restore generation from
// the first bytes of marks as MarshalJSON writes them (they come first),
// without parsing the rest (MarksGeneration). Both are 0 when absent.
func MarksHead(marks []byte) Marks {
	m := Marks{Cache: MarksGeneration(marks)}
	const key = `"restore":`
	rest := marks
	if m.Cache != 0 {
		i := bytes.IndexByte(marks, ',')
		if i < 0 {
			return m
		}
		rest = marks[i+1:]
	} else if len(rest) > 0 {
		rest = rest[1:] // the '{'
	}
	if !bytes.HasPrefix(rest, []byte(key)) {
		return m
	}
	var gen uint64
	for i, c := range rest[len(key):] {
		switch {
		case c >= '0' && c <= '9' && i < 19:
			gen = gen*10 + uint64(c-'0')
		case (c == ',' || c == '}') && i > 0:
			m.Restore = gen
			return m
		default:
			return m
		}
	}
	return m
}

// MarshalJSON writes the marks as encoding/json would (compact, members in
// declaration order, map keys sorted), several times faster: a device with
// 10,000 items writes them after every change.
func (m Marks) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64+len(m.Items)*52+len(m.Trashed)*40)
	b = append(b, '{')
	if m.Cache != 0 {
		b = append(b, `"cache_generation":`...)
		b = strconv.AppendUint(b, m.Cache, 10)
		b = append(b, ',')
	}
	if m.Restore != 0 {
		b = append(b, `"restore":`...)
		b = strconv.AppendUint(b, m.Restore, 10)
		b = append(b, ',')
	}
	b = append(b, `"items":`...)
	b = appendCounts(b, m.Items)
	b = append(b, `,"rosters":`...)
	b = appendCounts(b, m.Rosters)
	b = append(b, `,"keyring":`...)
	b = strconv.AppendUint(b, m.Keyring, 10)
	if len(m.Manifests) > 0 {
		b = append(b, `,"manifests":`...)
		b = appendCounts(b, m.Manifests)
	}
	if len(m.Vaults) > 0 {
		b = append(b, `,"vaults":{`...)
		for i, k := range slices.Sorted(maps.Keys(m.Vaults)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendStrings(b, m.Vaults[k])
		}
		b = append(b, '}')
	}
	if len(m.Trashed) > 0 {
		b = append(b, `,"trashed":`...)
		b = appendStrings(b, m.Trashed)
	}
	if len(m.Records) > 0 {
		b = append(b, `,"records":`...)
		b = appendCounts(b, m.Records)
	}
	if len(m.Audit) > 0 {
		// Rare and small (one per organisation owned): encoding/json.
		a, err := json.Marshal(m.Audit)
		if err != nil {
			return nil, err
		}
		b = append(append(b, `,"audit":`...), a...)
	}
	return append(b, '}'), nil
}

func appendCounts(b []byte, m map[string]uint64) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = strconv.AppendUint(b, m[k], 10)
	}
	return append(b, '}')
}

func appendStrings(b []byte, l []string) []byte {
	if l == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString appends s as a JSON string: ids and numbers in
// practice, escaped all the same.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20 || r == 0x2028 || r == 0x2029 || r == utf8.RuneError:
			b = fmt.Appendf(b, `\u%04x`, r)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
