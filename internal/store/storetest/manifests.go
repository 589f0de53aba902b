package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "ManifestsFollowWrites", fn: testManifests},
		namedTest{name: "ConcurrentWritersSerialiseOnManifest", fn: testConcurrentManifests},
		namedTest{name: "CreateItemsIsAllOrNothing", fn: testCreateItems},
		namedTest{name: "ChangesEachPagesOneSnapshot", fn: testChangesEach, twoConns: true},
		namedTest{name: "RepairManifest", fn: testRepairManifest},
	)
}

// manifest is a stand-in manifest: the store checks versions and vaults,
// never signatures (readers do).
func manifest(vaultID string, version uint64, signer string) store.Manifest {
	return store.Manifest{VaultID: vaultID, Version: version, Count: version - 1, ItemsHash: []byte(fmt.Sprintf("hash %s %d", vaultID, version)),
		SignerID: signer, Time: now.UnixMilli(), Sig: []byte(fmt.Sprintf("sig %d", version))}
}

// manifestOf returns the vault's stored manifest as the user's sync sees it.
func manifestOf(t *testing.T, s store.Store, userID, vaultID string) (store.Manifest, bool) {
	t.Helper()
	_, ms, _, err := s.Changes(ctx, userID, 0)
	if err != nil {
		t.Fatalf("Changes: %v", err)
	}
	for _, m := range ms {
		if m.VaultID == vaultID {
			return m, true
		}
	}
	return store.Manifest{}, false
}

func wantManifest(t *testing.T, s store.Store, userID, vaultID string, version uint64) {
	t.Helper()
	m, ok := manifestOf(t, s, userID, vaultID)
	if !ok || m.Version != version || string(m.Sig) != fmt.Sprintf("sig %d", version) || m.Count != version-1 {
		t.Fatalf("manifest of %s = %+v (found %v), want version %d", vaultID, m, ok, version)
	}
}

func wantManifestConflict(t *testing.T, err error, vaultID string, stored uint64) {
	t.Helper()
	var mc *store.ManifestConflictError
	if !errors.As(err, &mc) || mc.VaultID != vaultID || mc.Version != stored {
		t.Fatalf("err = %v, want a manifest conflict on %s at version %d", err, vaultID, stored)
	}
}

func testManifests(t *testing.T, s store.Store) {
	a, personal := newAccount(t, s, "alice@example.com")
	b, _ := newAccount(t, s, "bob@example.com")
	wantManifest(t, s, a.ID, personal.ID, 1)
	if _, ok := manifestOf(t, s, b.ID, personal.ID); ok {
		t.Fatal("another account's manifest is handed out")
	}
	wraps := func(vault string) []store.ItemKeyWrap {
		return []store.ItemKeyWrap{{KeyVault: vault, KeyEpoch: 1, WrapVault: vault, WrapEpoch: 1, Wrap: []byte("ikw")}}
	}
	_, _, cursor, _ := s.Changes(ctx, a.ID, 0)

	it := store.Item{ID: id(), VaultID: personal.ID, Type: "login", CreatedAt: now}
	if _, err := s.CreateItem(ctx, it, revision(a.ID, personal.ID, "r1"), wraps(personal.ID), manifest(personal.ID, 2, a.ID)); err != nil {
		t.Fatalf("CreateItem: %v", err)
	}
	wantManifest(t, s, a.ID, personal.ID, 2)

	// Same version again (a writer that did not see the first write):
	// refused, and nothing of the write is stored.
	lost := store.Item{ID: id(), VaultID: personal.ID, Type: "login", CreatedAt: now}
	_, err := s.CreateItem(ctx, lost, revision(a.ID, personal.ID, "x"), wraps(personal.ID), manifest(personal.ID, 2, a.ID))
	wantManifestConflict(t, err, personal.ID, 2)
	if _, err := s.ItemState(ctx, lost.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("refused item was stored: %v", err)
	}
	// Skipping a version is refused too.
	_, err = s.CreateItem(ctx, lost, revision(a.ID, personal.ID, "x"), wraps(personal.ID), manifest(personal.ID, 4, a.ID))
	wantManifestConflict(t, err, personal.ID, 2)
	// A manifest for a vault the write does not touch.
	org := newOrg(t, s, a)
	ov := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: org.ID, CreatorID: a.ID, Epoch: 1, CreatedAt: now}
	if err := s.CreateVault(ctx, ov, nil, []store.Grant{{VaultID: ov.ID, GranteeKind: "user", GranteeID: a.ID, Permission: store.PermManage}}, manifest(ov.ID, 1, a.ID)); err != nil {
		t.Fatalf("CreateVault: %v", err)
	}
	wantManifest(t, s, a.ID, ov.ID, 1)
	_, err = s.CreateItem(ctx, lost, revision(a.ID, personal.ID, "x"), wraps(personal.ID), manifest(ov.ID, 2, a.ID))
	wantManifestConflict(t, err, ov.ID, 0)
	if _, err := s.ItemState(ctx, lost.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("refused item was stored: %v", err)
	}

	// An edit: a stale base is an item conflict, reported as such, and the
	// manifest does not move.
	if got, err := s.UpdateItem(ctx, it.ID, 1, revision(a.ID, personal.ID, "r2"), nil, manifest(personal.ID, 3, a.ID)); err != nil {
		t.Fatalf("UpdateItem: %v", err)
	} else {
		sameAsStored(t, s, got)
	}
	var ce *store.ConflictError
	if _, err := s.UpdateItem(ctx, it.ID, 1, revision(a.ID, personal.ID, "r2'"), nil, manifest(personal.ID, 4, a.ID)); !errors.As(err, &ce) {
		t.Fatalf("stale edit: %v, want an item conflict", err)
	}
	_, err = s.UpdateItem(ctx, it.ID, 2, revision(a.ID, personal.ID, "r3"), nil, manifest(personal.ID, 3, a.ID))
	wantManifestConflict(t, err, personal.ID, 3)
	if st, _ := s.ItemState(ctx, it.ID); st.Head != 2 {
		t.Fatalf("head after refused edit = %d", st.Head)
	}

	// Trash: the flag does not change without the manifest.
	_, err = s.SetItemTrashed(ctx, it.ID, true, now, manifest(personal.ID, 3, a.ID))
	wantManifestConflict(t, err, personal.ID, 3)
	if st, _ := s.ItemState(ctx, it.ID); st.Trashed {
		t.Fatal("item trashed by a refused write")
	}
	if got, err := s.SetItemTrashed(ctx, it.ID, true, now, manifest(personal.ID, 4, a.ID)); err != nil {
		t.Fatalf("SetItemTrashed: %v", err)
	} else {
		sameAsStored(t, s, got)
	}

	// Move: both vaults' manifests, each in step, or nothing moves.
	_, err = s.MoveItem(ctx, it.ID, 2, ov.ID, revision(a.ID, ov.ID, "m"), wraps(ov.ID), manifest(personal.ID, 5, a.ID), manifest(ov.ID, 3, a.ID))
	wantManifestConflict(t, err, ov.ID, 1)
	if st, _ := s.ItemState(ctx, it.ID); st.VaultID != personal.ID || st.Head != 2 {
		t.Fatalf("item after refused move: %+v", st.Item)
	}
	wantManifest(t, s, a.ID, personal.ID, 4)
	if got, err := s.MoveItem(ctx, it.ID, 2, ov.ID, revision(a.ID, ov.ID, "m"), wraps(ov.ID), manifest(personal.ID, 5, a.ID), manifest(ov.ID, 2, a.ID)); err != nil {
		t.Fatalf("MoveItem: %v", err)
	} else {
		sameAsStored(t, s, got)
	}
	wantManifest(t, s, a.ID, personal.ID, 5)
	wantManifest(t, s, a.ID, ov.ID, 2)

	// Purge.
	err = s.PurgeItem(ctx, it.ID, now, manifest(ov.ID, 2, a.ID))
	wantManifestConflict(t, err, ov.ID, 2)
	if _, err := s.ItemState(ctx, it.ID); err != nil {
		t.Fatalf("item purged by a refused write: %v", err)
	}
	if err := s.PurgeItem(ctx, it.ID, now, manifest(ov.ID, 3, a.ID)); err != nil {
		t.Fatalf("PurgeItem: %v", err)
	}
	wantManifest(t, s, a.ID, ov.ID, 3)

	// Refused writes consumed no change sequence numbers beyond the
	// accepted ones: every accepted write is one step (create, edit,
	// trash, move, purge, plus the organisation's and the vault's creation).
	_, _, after, _ := s.Changes(ctx, a.ID, cursor)
	if after-cursor != 7 {
		t.Fatalf("cursor moved by %d, want 7", after-cursor)
	}
}

// testConcurrentManifests: writers racing on one vault's manifest version
// get one winner per version; the losers' items are not stored.
func testConcurrentManifests(t *testing.T, s store.Store) {
	a, personal := newAccount(t, s, "alice@example.com")
	const writers, rounds = 8, 3
	var mu sync.Mutex
	won, conflicts := 0, 0
	for round := range rounds {
		version := uint64(2 + won)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				it := store.Item{ID: id(), VaultID: personal.ID, Type: "login", CreatedAt: now}
				_, err := s.CreateItem(ctx, it, revision(a.ID, personal.ID, fmt.Sprintf("r%d-%d", round, w)),
					[]store.ItemKeyWrap{{KeyVault: personal.ID, KeyEpoch: 1, WrapVault: personal.ID, WrapEpoch: 1, Wrap: []byte("ikw")}},
					manifest(personal.ID, version, a.ID))
				var mc *store.ManifestConflictError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case errors.As(err, &mc):
					conflicts++
				default:
					t.Errorf("CreateItem: %v", err)
				}
			}()
		}
		wg.Wait()
	}
	if won != rounds || conflicts != rounds*(writers-1) {
		t.Fatalf("%d writes won, %d conflicts; want %d and %d", won, conflicts, rounds, rounds*(writers-1))
	}
	states, _, _, _ := s.Changes(ctx, a.ID, 0)
	if len(states) != rounds {
		t.Fatalf("%d items stored, want %d", len(states), rounds)
	}
	wantManifest(t, s, a.ID, personal.ID, 1+rounds)
}

// testRepairManifest: a repairing manifest alone follows the same
// compare-and-set as writes, and readers of the vault hear of it.
func testRepairManifest(t *testing.T, s store.Store) {
	a, personal := newAccount(t, s, "repairer@example.com")
	_, _, cursor, err := s.Changes(ctx, a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []uint64{1, 3, 5} {
		wantManifestConflict(t, s.RepairManifest(ctx, manifest(personal.ID, v, a.ID), nil, now), personal.ID, 1)
	}
	wantManifest(t, s, a.ID, personal.ID, 1)
	if err := s.RepairManifest(ctx, manifest(personal.ID, 2, a.ID), nil, now); err != nil {
		t.Fatalf("RepairManifest: %v", err)
	}
	wantManifest(t, s, a.ID, personal.ID, 2)
	wantManifestConflict(t, s.RepairManifest(ctx, manifest(personal.ID, 2, a.ID), nil, now), personal.ID, 2)
	evs, _, _, err := s.EventsSince(ctx, a.ID, cursor, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Kind != store.EventVaultRepaired || evs[0].VaultID != personal.ID {
		t.Fatalf("events after a repair: %+v", evs)
	}
	b, bv := newAccount(t, s, "stranger@example.com")
	if evs, _, _, err := s.EventsSince(ctx, b.ID, cursor, 100); err != nil || len(evs) != 0 {
		t.Fatalf("a stranger hears of the repair: %+v %v", evs, err)
	}

	// A repair can purge items of its vault (ones that fail verification),
	// in the same transaction; an item of another vault is refused and
	// nothing moves.
	wraps := func(v string) []store.ItemKeyWrap {
		return []store.ItemKeyWrap{{KeyVault: v, KeyEpoch: 1, WrapVault: v, WrapEpoch: 1, Wrap: []byte("ikw")}}
	}
	bad := store.Item{ID: id(), VaultID: personal.ID, Type: "note", CreatedAt: now}
	keep := store.Item{ID: id(), VaultID: personal.ID, Type: "note", CreatedAt: now}
	foreign := store.Item{ID: id(), VaultID: bv.ID, Type: "note", CreatedAt: now}
	for _, it := range []store.Item{bad, keep, foreign} {
		if _, err := s.CreateItem(ctx, it, revision(a.ID, it.VaultID, "blob"), wraps(it.VaultID)); err != nil {
			t.Fatal(err)
		}
	}
	_, _, cursor, _ = s.Changes(ctx, a.ID, 0)
	if err := s.RepairManifest(ctx, manifest(personal.ID, 3, a.ID), []string{bad.ID, foreign.ID}, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a repair purging another vault's item: %v, want not found", err)
	}
	wantManifest(t, s, a.ID, personal.ID, 2)
	for _, it := range []store.Item{bad, foreign} {
		if _, err := s.Item(ctx, it.ID); err != nil {
			t.Fatalf("an item went with a refused repair: %v", err)
		}
	}
	if err := s.RepairManifest(ctx, manifest(personal.ID, 3, a.ID), []string{bad.ID}, now); err != nil {
		t.Fatalf("a repair purging a failing item: %v", err)
	}
	wantManifest(t, s, a.ID, personal.ID, 3)
	if _, err := s.Item(ctx, bad.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the purged item: %v", err)
	}
	if _, err := s.Item(ctx, keep.ID); err != nil {
		t.Fatalf("the other item: %v", err)
	}
	_, _, latest, _ := s.Changes(ctx, a.ID, cursor)
	if purged, err := s.PurgedSince(ctx, a.ID, cursor, latest); err != nil || len(purged) != 1 || purged[0] != bad.ID {
		t.Fatalf("tombstones after the repair: %v %v", purged, err)
	}
}

// testCreateItems: a batch is stored whole with the vault's next manifest,
// under one change sequence; a batch with one bad item (an id that exists)
// or a stale manifest stores none of its items.
func testCreateItems(t *testing.T, s store.Store) {
	a, personal := newAccount(t, s, "batch@example.com")
	wraps := []store.ItemKeyWrap{{KeyVault: personal.ID, KeyEpoch: 1, WrapVault: personal.ID, WrapEpoch: 1, Wrap: []byte("ikw")}}
	_, _, cursor, _ := s.Changes(ctx, a.ID, 0)
	batch := func(n int, ids ...string) []store.NewItem {
		var out []store.NewItem
		for i := range n {
			it := store.Item{ID: id(), VaultID: personal.ID, Type: "login", CreatedAt: now}
			if i < len(ids) {
				it.ID = ids[i]
			}
			out = append(out, store.NewItem{Item: it, Rev: revision(a.ID, personal.ID, "r"), Wraps: wraps})
		}
		return out
	}
	first := batch(50)
	got, err := s.CreateItems(ctx, first, manifest(personal.ID, 2, a.ID))
	if err != nil || len(got) != 50 {
		t.Fatalf("CreateItems: %d, %v", len(got), err)
	}
	for i, st := range got {
		if st.ID != first[i].Item.ID {
			t.Fatalf("CreateItems answered item %d out of order", i)
		}
		sameAsStored(t, s, st)
	}
	wantManifest(t, s, a.ID, personal.ID, 2)
	items, _, next, err := s.Changes(ctx, a.ID, cursor)
	if err != nil || len(items) != 50 || next != cursor+1 {
		t.Fatalf("changes after a batch: %d items, cursor %d → %d, %v", len(items), cursor, next, err)
	}
	for _, it := range got {
		if it.Head != 1 || it.Seq != next {
			t.Fatalf("stored item %+v", it)
		}
	}

	// One id that exists: nothing of the batch is stored.
	bad := batch(10, got[3].ID)
	if _, err := s.CreateItems(ctx, bad, manifest(personal.ID, 3, a.ID)); !errors.Is(err, store.ErrExists) {
		t.Fatalf("a batch with an existing id: %v", err)
	}
	// A stale manifest: nothing stored either.
	stale := batch(10)
	_, err = s.CreateItems(ctx, stale, manifest(personal.ID, 2, a.ID))
	wantManifestConflict(t, err, personal.ID, 2)
	for _, n := range append(bad[1:], stale...) {
		if _, err := s.ItemState(ctx, n.Item.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an item of a refused batch was stored: %v", err)
		}
	}
	wantManifest(t, s, a.ID, personal.ID, 2)
}

// testChangesEach: a sync of more items than a page is handed on in pages,
// every item once, by sequence; a write that commits while the pages are
// read is not in them (one snapshot, with the manifest read at its start),
// and is in the next delta.
func testChangesEach(t *testing.T, s store.Store) {
	a, personal := newAccount(t, s, "pages@example.com")
	wraps := []store.ItemKeyWrap{{KeyVault: personal.ID, KeyEpoch: 1, WrapVault: personal.ID, WrapEpoch: 1, Wrap: []byte("ikw")}}
	version := uint64(1)
	add := func(n int) {
		var batch []store.NewItem
		for range n {
			batch = append(batch, store.NewItem{Item: store.Item{ID: id(), VaultID: personal.ID, Type: "note", CreatedAt: now},
				Rev: revision(a.ID, personal.ID, "r"), Wraps: wraps})
		}
		version++
		if _, err := s.CreateItems(ctx, batch, manifest(personal.ID, version, a.ID)); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		add(401) // 1,203 items: three pages and a bit
	}
	seen := map[string]bool{}
	var pages int
	var cursor int64
	var lastSeq int64
	wrote := false
	err := s.ChangesEach(ctx, a.ID, 0, func(h store.ChangesHead) error {
		ms, c := h.Manifests, h.Cursor
		cursor = c
		if len(ms) != 1 || ms[0].Version != version {
			t.Fatalf("manifests at the start: %+v", ms)
		}
		return nil
	}, func(page []store.ItemState) error {
		pages++
		if !wrote {
			add(5) // commits between pages
			wrote = true
		}
		for _, st := range page {
			if seen[st.ID] || st.Seq < lastSeq || st.Seq > cursor || len(st.KeyWraps) != 1 {
				t.Fatalf("item %s: twice %v, seq %d after %d, cursor %d, %d wraps", st.ID, seen[st.ID], st.Seq, lastSeq, cursor, len(st.KeyWraps))
			}
			seen[st.ID], lastSeq = true, st.Seq
		}
		return nil
	})
	if err != nil || len(seen) != 1203 || pages < 3 {
		t.Fatalf("ChangesEach: %d items in %d pages, %v", len(seen), pages, err)
	}
	later, _, _, err := s.Changes(ctx, a.ID, cursor)
	if err != nil || len(later) != 5 {
		t.Fatalf("the write made during the pages: %d in the next delta, %v", len(later), err)
	}
	stop := errors.New("stop")
	if err := s.ChangesEach(ctx, a.ID, 0, func(store.ChangesHead) error { return nil },
		func([]store.ItemState) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("an error from each: %v", err)
	}
}
