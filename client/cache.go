package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

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
		c.dirty = false
		return "", nil
	}
	c.gen = max(c.gen, s.cacheMark)
	if err := store.Clear(); err != nil {
		return "", err
	}
	return "the device cache was discarded and is rebuilt from the server: " + why, nil
}

// loadCacheLocked restores a sealed state into the session and says why
// it could not (empty when it did).
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
	st, err := decodeCacheState(payload)
	if err != nil {
		return "its state does not decode"
	}
	if len(st.Items) > 0 {
		if size, err := c.store.Size(st.FileID); err != nil || size < st.FileEnd {
			return "its item records are missing or cut"
		}
	}
	items := make(map[string]*Item, len(st.Items))
	for _, e := range st.Items {
		if _, dup := items[e.ID]; dup || uuid.Validate(e.ID) != nil || e.Off+e.Len > uint64(st.FileEnd) {
			return "its index is inconsistent"
		}
		items[e.ID] = e.item(st.FileID)
	}
	matched := make(map[string]api.Manifest, len(st.Manifests))
	for _, m := range st.Manifests {
		matched[m.VaultID] = m
	}
	c.gen, c.fileID, c.fileEnd = gen, st.FileID, st.FileEnd
	s.items, s.matched, s.cursor = items, matched, st.Cursor
	return ""
}

// item is the entry as a sealed item: its manifest entry and summary are
// known, its body opens from the record when asked (openCachedLocked).
func (e cacheEntry) item(file string) *Item {
	c := Content{Name: e.Summary.Name, Tags: e.Summary.Tags, Favorite: e.Summary.Favorite}
	if e.Summary.Username != "" || len(e.Summary.URLs) > 0 {
		c.Login = &LoginFields{Username: e.Summary.Username, URLs: e.Summary.URLs}
	}
	return &Item{ID: e.ID, VaultID: e.VaultID, Type: e.Type, Revision: e.Head, Trashed: e.Trashed, hash: e.HeadHash,
		UpdatedAt: unixNano(e.UpdatedAt), Time: time.UnixMilli(e.Time).UTC(), Content: c, sealed: true, rec: cacheLoc{e.Off, e.Len, file}}
}

func summaryOf(c Content) itemSummary {
	s := itemSummary{Name: c.Name, Tags: c.Tags, Favorite: c.Favorite}
	if c.Login != nil {
		s.Username, s.URLs = c.Login.Username, c.Login.URLs
	}
	return s
}

// openCachedLocked returns it with its body opened: a sealed item's record
// is read, opened, checked against the index and verified again (the
// revision signature, as in a sync); the opened item replaces it. The
// caller holds s.mu.
func (s *Session) openCachedLocked(it *Item) (*Item, error) {
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
	full.rec, full.raw = it.rec, raw
	return full, nil
}

// DiscardCache forgets the device cache's contents after ErrCacheDamaged:
// its sealed items leave the session and the next Sync is a full one,
// which writes a new cache.
func (s *Session) DiscardCache() error {
	s.mu.Lock()
	defer s.mu.Unlock()
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
	if c == nil || !c.dirty || !s.synced || len(s.quarantine) > 0 {
		return nil
	}
	ids := make([]string, 0, len(s.items))
	var live uint64
	for id, it := range s.items {
		if s.vaults[it.VaultID] == nil {
			continue // a vault this account no longer opens
		}
		if it.rec.file == "" && it.raw == nil {
			return nil // nothing to write it from: keep the last cache
		}
		ids = append(ids, id)
		live += it.rec.n
	}
	sort.Strings(ids)
	compact := c.fileID == "" || float64(c.fileEnd) > 4096 && float64(live) < float64(c.fileEnd)*(1-compactFrom)
	old := c.fileID
	if compact {
		c.fileID, c.fileEnd = uuid.NewString(), 0
	}
	// New records first, in one append; the state naming them after, so
	// that a crash in between leaves the old state, still whole.
	var batch []byte
	pending := map[string]cacheLoc{}
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
		pending[id] = cacheLoc{uint64(len(batch)), uint64(len(rec)), c.fileID}
		batch = append(batch, rec...)
	}
	base := c.fileEnd
	if len(batch) > 0 || compact {
		off, err := c.store.Append(c.fileID, batch, compact)
		if err != nil {
			return err
		}
		base = off
	}
	st := &cacheState{Cursor: s.cursor, FileID: c.fileID, FileEnd: base + int64(len(batch)), Items: make([]cacheEntry, 0, len(ids))}
	for id, m := range s.matched {
		if s.vaults[id] != nil {
			st.Manifests = append(st.Manifests, m)
		}
	}
	sort.Slice(st.Manifests, func(i, j int) bool { return st.Manifests[i].VaultID < st.Manifests[j].VaultID })
	for _, id := range ids {
		it := s.items[id]
		if p, ok := pending[id]; ok {
			it.rec = cacheLoc{uint64(base) + p.off, p.n, p.file}
		}
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
	s.cacheMark = max(s.cacheMark, c.gen)
	c.fileEnd, c.dirty = st.FileEnd, false
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
		return json.Marshal(it.raw)
	}
	pt, _, err := s.readRecordLocked(it)
	return pt, err
}

func unixNano(n int64) time.Time { return time.Unix(0, n).UTC() }
