package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// A server restored from a backup serves an older state than the devices
// that synced after the backup hold (docs/protocol.md §9.1). It declares
// the restore in every sync answer; a device that sees a declaration
// newer than the last one it accepted applies nothing, says in plain words
// what it holds that the server lost (RestoredError), and waits for the
// person to accept (AcceptRestore). A rollback without a declaration is
// tampering, as always.

// ErrServerRestored: the server declares a restore from a backup that
// this device has not accepted; nothing of its answer was applied.
var ErrServerRestored = errors.New("the server was restored from a backup")

// ServerRestore is a restore the server declares.
type ServerRestore struct {
	Generation uint64
	// StateAt is the time of the newest item change the restored data
	// holds (what the backup is "of"); zero when it holds no item.
	StateAt time.Time
	// RestoredAt is when the restore was done.
	RestoredAt time.Time
}

func serverRestoreOf(m *api.RestoreMark) ServerRestore {
	r := ServerRestore{Generation: m.Generation, RestoredAt: time.UnixMilli(m.RestoredAt).UTC()}
	if m.StateAt > 0 {
		r.StateAt = time.UnixMilli(m.StateAt).UTC()
	}
	return r
}

// LostItem is an item this device holds, verified, that the restored
// server lost: it does not have it, or has it at an older revision.
type LostItem struct {
	ID      string
	VaultID string
	Vault   string // the vault's label, as commands show it
	Type    string
	Name    string
	// Revision is the revision held here, ServerRevision the server's
	// (0: the server does not have the item).
	Revision       uint64
	ServerRevision uint64
	Trashed        bool
	// Reason says why AcceptRestore did not upload it (empty: uploaded).
	Reason string
}

// RestoredError is the answer of a sync that found a restore declared
// that this device has not accepted (errors.Is ErrServerRestored, never
// ErrTampered). Lost lists what the device holds that the server lost.
type RestoredError struct {
	Restore ServerRestore
	Lost    []LostItem
}

func (e *RestoredError) Is(target error) bool { return target == ErrServerRestored }

func (e *RestoredError) Error() string {
	var b strings.Builder
	b.WriteString("the server was restored from a backup")
	if !e.Restore.StateAt.IsZero() {
		b.WriteString(" of " + e.Restore.StateAt.Format("2006-01-02 15:04 MST"))
	}
	b.WriteString(" (restored " + e.Restore.RestoredAt.Format("2006-01-02 15:04 MST") + "); ")
	switch len(e.Lost) {
	case 0:
		b.WriteString("this device holds nothing that the server lost")
	default:
		fmt.Fprintf(&b, "this device holds %d item(s) changed since then that the server lost: ", len(e.Lost))
		for i, l := range e.Lost {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q (%s)", sanitize(l.Name, 80), sanitize(l.Vault, 80))
		}
	}
	b.WriteString(". Nothing was changed here: accept the restore to upload them again and continue from the restored server")
	return b.String()
}

// restoreDeclared is syncFrom's answer to a declared restore not yet
// accepted: syncLocked says what it lost.
type restoreDeclared struct{ mark *api.RestoreMark }

func (e *restoreDeclared) Error() string { return ErrServerRestored.Error() }

// checkRestoreMark refuses (restoreDeclared) an answer that declares a
// restore newer than the one this device accepted. A device that holds
// nothing yet (a log-in) has nothing to lose: it takes the declaration.
func (s *Session) checkRestoreMark(m *api.RestoreMark) error {
	if m == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.Generation <= s.restoreSeen {
		return nil
	}
	if s.freshLocked() {
		s.restoreSeen = m.Generation
		s.cacheChangedLocked()
		return nil
	}
	return &restoreDeclared{m}
}

// freshLocked: the session holds no state and no mark.
func (s *Session) freshLocked() bool {
	return s.cursor == 0 && s.lazy == nil && len(s.items) == 0 && len(s.seen) == 0 && len(s.manifestSeen) == 0 &&
		len(s.rosterSeen) == 0 && s.keyringSeen == 0 && len(s.recordSeen) == 0
}

// restoredError reads the server's whole state (ids and head revisions
// only: nothing of it is applied) and lists the items held here that it
// lost. The caller holds s.op.
func (s *Session) restoredError(ctx context.Context, m *api.RestoreMark) error {
	lost, mark, err := s.findLost(ctx)
	if err != nil {
		return err
	}
	if mark == nil {
		mark = m
	}
	return &RestoredError{Restore: serverRestoreOf(mark), Lost: lost}
}

// findLost lists the items held here that the server does not have, or
// has at an older revision, and the restore the server declares (nil:
// none). The caller holds s.op.
func (s *Session) findLost(ctx context.Context) ([]LostItem, *api.RestoreMark, error) {
	stream, err := s.t.openSync(ctx, 0)
	if err != nil {
		return nil, nil, err
	}
	defer stream.close()
	server := map[string]uint64{}
	for {
		items, _, err := stream.next(batchSize)
		if err != nil {
			return nil, nil, err
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			server[it.ID] = it.Head
		}
	}
	// The vaults' names are not checked here (nothing of the answer is
	// applied): a personal vault is My Vault; an organisation vault the
	// session has not opened is named by its id.
	servedKind := map[string]string{}
	for _, v := range stream.head.Vaults {
		servedKind[v.ID] = v.Kind
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.materializeLocked()
	var lost []LostItem
	for id, it := range s.items {
		if head, ok := server[id]; ok && head >= it.Revision {
			continue
		}
		l := LostItem{ID: id, VaultID: it.VaultID, Vault: it.VaultID, Type: it.Type, Name: it.Content.Name,
			Revision: it.Revision, ServerRevision: server[id], Trashed: it.Trashed}
		if v, ok := s.vaults[it.VaultID]; ok {
			l.Vault = v.Label()
		} else if servedKind[it.VaultID] == "personal" {
			l.Vault = (&Vault{Kind: "personal"}).Label()
		}
		lost = append(lost, l)
	}
	sort.Slice(lost, func(i, j int) bool {
		if lost[i].Vault != lost[j].Vault {
			return lost[i].Vault < lost[j].Vault
		}
		if lost[i].Name != lost[j].Name {
			return lost[i].Name < lost[j].Name
		}
		return lost[i].ID < lost[j].ID
	})
	return lost, stream.head.Restore, nil
}

// RestoreReport is what AcceptRestore did.
type RestoreReport struct {
	Restore ServerRestore
	// Accepted is false when the server declares no restore newer than
	// the one accepted already: AcceptRestore only synced.
	Accepted bool
	// Uploaded are the items given back to the server; NotUploaded the
	// ones it could not give back, each with its Reason.
	Uploaded, NotUploaded []LostItem
}

// keptItem is a lost item's verified content, taken from the device's
// state before its marks are reset.
type keptItem struct {
	LostItem
	content Content
}

// AcceptRestore is the person's acceptance of the restore the server
// declares: the items this device holds that the server lost are opened
// from its verified state (the device cache), the device's high-water
// marks are reset to the restored state, a full sync verifies everything
// the server serves (every signature, as a log-in does), and the lost
// items are written back as new revisions signed by this account — under
// their own ids, in their own vaults, where the account can still write.
// An item changed on the server since the restore, or whose vault is gone
// or read-only, is not uploaded (NotUploaded says why). If the sync or an
// upload fails, the device keeps its earlier state (the restore is still
// to accept) and the error is returned.
func (s *Session) AcceptRestore(ctx context.Context) (*RestoreReport, error) {
	s.op.Lock()
	lost, mark, err := s.findLost(ctx)
	if err != nil {
		s.op.Unlock()
		return nil, err
	}
	s.mu.Lock()
	if mark == nil || mark.Generation <= s.restoreSeen {
		s.mu.Unlock()
		s.op.Unlock()
		return &RestoreReport{}, s.Sync(ctx)
	}
	report := &RestoreReport{Restore: serverRestoreOf(mark), Accepted: true}
	held := map[string]*Item{}
	for _, l := range lost {
		held[l.ID] = s.items[l.ID]
	}
	before := s.resetForRestoreLocked(mark.Generation)
	s.mu.Unlock()
	err = s.syncLocked(ctx)
	var kept []keptItem
	if err == nil || IsQuarantine(err) {
		// The items held are opened from the device's verified state
		// (their records verify again: item key, revision signature and
		// hash) with the vault keys the sync opened.
		s.mu.Lock()
		for _, l := range lost {
			it := held[l.ID]
			if it.sealed {
				var oerr error
				if it, oerr = s.openRecordLocked(it, false); oerr != nil {
					l.Reason = "it no longer opens on this device: " + oerr.Error()
					if _, ok := s.vaults[l.VaultID]; !ok {
						l.Reason = "its vault is no longer readable by this account"
					}
					report.NotUploaded = append(report.NotUploaded, l)
					continue
				}
			}
			kept = append(kept, keptItem{l, it.Content})
		}
		s.mu.Unlock()
	}
	s.op.Unlock()
	if err == nil || IsQuarantine(err) {
		err = s.giveBack(ctx, kept, report)
	}
	if err != nil {
		s.op.Lock()
		s.mu.Lock()
		before()
		s.mu.Unlock()
		s.op.Unlock()
		return nil, err
	}
	return report, nil
}

// resetForRestoreLocked forgets the session's synced state and marks
// (the restored server is older than all of them), keeping the cache
// generation, and accepts restore generation gen; the function it returns
// puts everything back.
func (s *Session) resetForRestoreLocked(gen uint64) (undo func()) {
	type saved struct {
		cursor                                     int64
		items                                      map[string]*Item
		lazy                                       *lazyState
		seen, manifestSeen, rosterSeen, recordSeen map[string]uint64
		keyringSeen, restoreSeen                   uint64
		manifests                                  map[string]crypto.Manifest
		itemVault                                  map[string]string
		itemTrashed                                map[string]bool
		auditSeen                                  map[string]AuditMark
		chains                                     map[string]*chain
		recordCursor                               map[string]int64
		matched                                    map[string]api.Manifest
		state                                      syncState
		cache                                      deviceCache
	}
	b := saved{s.cursor, s.items, s.lazy, s.seen, s.manifestSeen, s.rosterSeen, s.recordSeen, s.keyringSeen, s.restoreSeen,
		s.manifests, s.itemVault, s.itemTrashed, s.auditSeen, s.chains, s.recordCursor, s.matched, s.stateLocked(), deviceCache{}}
	if s.cache != nil {
		b.cache = *s.cache
	}
	s.cursor, s.items, s.lazy = 0, map[string]*Item{}, nil
	s.seen, s.manifestSeen, s.rosterSeen, s.keyringSeen = map[string]uint64{}, map[string]uint64{}, map[string]uint64{}, 0
	s.chains, s.recordCursor, s.recordSeen = nil, nil, nil
	if b.recordSeen != nil {
		s.chains, s.recordCursor, s.recordSeen = map[string]*chain{}, map[string]int64{}, map[string]uint64{}
	}
	s.manifests, s.itemVault, s.itemTrashed = map[string]crypto.Manifest{}, map[string]string{}, map[string]bool{}
	s.auditSeen, s.matched = map[string]AuditMark{}, map[string]api.Manifest{}
	s.restoreSeen = gen
	if s.cache != nil {
		// A new record file: the old state is not read again, and is
		// replaced by the next save.
		s.cache.dirty, s.cache.loaded, s.cache.fileID, s.cache.fileEnd = true, false, "", 0
	}
	return func() {
		s.cursor, s.items, s.lazy = b.cursor, b.items, b.lazy
		s.seen, s.manifestSeen, s.rosterSeen, s.recordSeen = b.seen, b.manifestSeen, b.rosterSeen, b.recordSeen
		s.keyringSeen, s.restoreSeen = b.keyringSeen, b.restoreSeen
		s.manifests, s.itemVault, s.itemTrashed, s.auditSeen = b.manifests, b.itemVault, b.itemTrashed, b.auditSeen
		s.chains, s.recordCursor, s.matched = b.chains, b.recordCursor, b.matched
		s.restoreLocked(b.state)
		s.items = b.items
		if s.cache != nil {
			*s.cache = b.cache
		}
	}
}

// giveBack writes the kept items back to the restored server.
func (s *Session) giveBack(ctx context.Context, kept []keptItem, report *RestoreReport) error {
	for _, k := range kept {
		s.mu.Lock()
		now := s.items[k.ID]
		v, ok := s.vaults[k.VaultID]
		var err error
		if now != nil {
			now, err = s.openCachedLocked(now)
		}
		s.mu.Unlock()
		if err != nil {
			return err
		}
		l := k.LostItem
		switch {
		case !ok:
			l.Reason = "its vault is no longer readable by this account"
		case !v.Writable():
			l.Reason = "this account may only view its vault"
		case now != nil && sameContent(now.Content, k.content) && now.Trashed == k.Trashed:
			continue // the server has it (another device gave it back)
		case now != nil && now.Revision >= k.Revision:
			l.Reason = fmt.Sprintf("changed on the server since the restore (revision %d); the server's version is kept", now.Revision)
		}
		if l.Reason != "" {
			report.NotUploaded = append(report.NotUploaded, l)
			continue
		}
		if err := s.giveBackOne(ctx, now, k); err != nil {
			return fmt.Errorf("giving %q back to the server: %w", sanitize(k.Name, 80), err)
		}
		report.Uploaded = append(report.Uploaded, l)
	}
	return nil
}

func (s *Session) giveBackOne(ctx context.Context, now *Item, k keptItem) error {
	var err error
	if now == nil {
		now, err = s.createItem(ctx, k.ID, k.VaultID, k.Type, k.content)
	} else {
		if now.Trashed {
			if now, err = s.RestoreItem(ctx, now); err != nil {
				return err
			}
		}
		if !sameContent(now.Content, k.content) {
			now, err = s.UpdateItem(ctx, now, k.content)
		}
	}
	if err == nil && k.Trashed {
		_, err = s.TrashItem(ctx, now)
	}
	return err
}

// sameContent compares two items' contents, leaving out what a revision
// says it did (a rollback, a move).
func sameContent(a, b Content) bool {
	a.Change, b.Change = nil, nil
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
