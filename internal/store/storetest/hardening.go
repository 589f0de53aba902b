package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

// Conformance tests for issue 13's hardening: who shares an organisation,
// a file belongs to one item.
func init() {
	extraTests = append(extraTests,
		namedTest{"SharesOrg", testSharesOrg},
		namedTest{"FileBelongsToOneItem", testFileBelongsToOneItem},
		namedTest{"ConcurrentLinksOfOneFile", testConcurrentFileLinks},
	)
}

func testSharesOrg(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	member, _ := newAccount(t, s, "member@example.com")
	outsider, _ := newAccount(t, s, "outsider@example.com")
	o := newOrg(t, s, owner)
	shares := func(a, b store.Account) bool {
		t.Helper()
		ok, err := s.SharesOrg(ctx, a.ID, b.ID)
		if err != nil {
			t.Fatalf("SharesOrg: %v", err)
		}
		return ok
	}
	if shares(owner, member) || shares(member, owner) {
		t.Fatal("accounts share an organisation before the member was confirmed")
	}
	o = confirm(t, s, o, member)
	if !shares(owner, member) || !shares(member, owner) {
		t.Fatal("owner and confirmed member do not share the organisation")
	}
	if shares(outsider, owner) || shares(member, outsider) {
		t.Fatal("an outsider shares an organisation")
	}
	o.RosterVersion++
	if err := s.RemoveMember(ctx, o, member.ID); err != nil {
		t.Fatal(err)
	}
	if shares(owner, member) {
		t.Fatal("a removed member still shares the organisation")
	}
}

// uploaded stores a complete one-chunk file in vault.
func uploaded(t *testing.T, s store.Store, creator, vault string) store.File {
	t.Helper()
	f := store.File{ID: id(), VaultID: vault, Size: 1, ChunkCount: 1, CreatorID: creator, CreatedAt: now}
	if err := s.CreateFile(ctx, f); err != nil {
		t.Fatalf("CreateFile: %v", err)
	}
	if err := s.PutChunk(ctx, f.ID, 0, []byte("x")); err != nil {
		t.Fatalf("PutChunk: %v", err)
	}
	return f
}

func withFiles(r store.Revision, ids ...string) store.Revision {
	r.FileIDs = ids
	return r
}

func wantFiles(t *testing.T, s store.Store, itemID string, want ...string) {
	t.Helper()
	got, err := s.ItemFiles(ctx, itemID)
	if err != nil || len(got) != len(want) {
		t.Fatalf("ItemFiles(%s) = %v, %v; want %v", itemID, got, err, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ItemFiles(%s) = %v, want %v", itemID, got, want)
		}
	}
}

// testFileBelongsToOneItem: writes link the files their revision names,
// in the same transaction; a file another item has is ErrFileTaken and
// the write stores nothing; a move links too, and moves only its own files.
func testFileBelongsToOneItem(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Epoch: 1, CreatedAt: now}
	w := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Epoch: 1, CreatedAt: now}
	for _, x := range []store.Vault{v, w} {
		if err := s.CreateVault(ctx, x, nil, []store.Grant{{VaultID: x.ID, GranteeKind: "user", GranteeID: owner.ID, Permission: store.PermManage}}); err != nil {
			t.Fatal(err)
		}
	}
	wraps := []store.ItemKeyWrap{{KeyVault: v.ID, KeyEpoch: 1, WrapVault: v.ID, WrapEpoch: 1, Wrap: []byte("ikw")}}
	f := uploaded(t, s, owner.ID, v.ID)

	a := store.Item{ID: id(), VaultID: v.ID, Type: "file", CreatedAt: now}
	if _, err := s.CreateItem(ctx, a, withFiles(revision(owner.ID, v.ID, "a1"), f.ID), wraps); err != nil {
		t.Fatalf("CreateItem with a file: %v", err)
	}
	wantFiles(t, s, a.ID, f.ID)
	if owner, err := s.FileItem(ctx, f.ID); err != nil || owner != a.ID {
		t.Fatalf("FileItem = %q, %v; want %s", owner, err, a.ID)
	}
	// Linking it again from the same item (every revision names its files) is fine.
	if _, err := s.UpdateItem(ctx, a.ID, 1, withFiles(revision(owner.ID, v.ID, "a2"), f.ID), nil); err != nil {
		t.Fatalf("UpdateItem naming its own file: %v", err)
	}

	b := store.Item{ID: id(), VaultID: v.ID, Type: "file", CreatedAt: now}
	if _, err := s.CreateItem(ctx, b, withFiles(revision(owner.ID, v.ID, "b1"), f.ID), wraps); !errors.Is(err, store.ErrFileTaken) {
		t.Fatalf("CreateItem with another item's file: %v, want ErrFileTaken", err)
	}
	if _, err := s.Item(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("refused item was stored: %v", err)
	}
	c := newItem(t, s, owner.ID, v.ID, "c1")
	if _, err := s.UpdateItem(ctx, c.ID, 1, withFiles(revision(owner.ID, v.ID, "c2"), f.ID), nil); !errors.Is(err, store.ErrFileTaken) {
		t.Fatalf("UpdateItem with another item's file: %v, want ErrFileTaken", err)
	}
	if got, _ := s.Item(ctx, c.ID); got.Head != 1 {
		t.Fatalf("refused update was stored: head %d", got.Head)
	}
	if err := s.LinkFiles(ctx, c.ID, []string{f.ID}); !errors.Is(err, store.ErrFileTaken) {
		t.Fatalf("LinkFiles with another item's file: %v, want ErrFileTaken", err)
	}
	wmove := []store.ItemKeyWrap{{KeyVault: v.ID, KeyEpoch: 1, WrapVault: w.ID, WrapEpoch: 1, Wrap: []byte("rw")}}
	if _, err := s.MoveItem(ctx, c.ID, 1, w.ID, withFiles(revision(owner.ID, w.ID, "c2"), f.ID), wmove); !errors.Is(err, store.ErrFileTaken) {
		t.Fatalf("MoveItem with another item's file: %v, want ErrFileTaken", err)
	}
	if got, _ := s.File(ctx, f.ID); got.VaultID != v.ID {
		t.Fatalf("the file moved with a refused move: %+v", got)
	}
	wantFiles(t, s, c.ID)

	// A move links the files it names (one already in the destination).
	g := uploaded(t, s, owner.ID, w.ID)
	if owner, err := s.FileItem(ctx, g.ID); err != nil || owner != "" {
		t.Fatalf("FileItem of an unattached file = %q, %v", owner, err)
	}
	if _, err := s.MoveItem(ctx, c.ID, 1, w.ID, withFiles(revision(owner.ID, w.ID, "c2"), g.ID), wmove); err != nil {
		t.Fatalf("MoveItem with a new file: %v", err)
	}
	wantFiles(t, s, c.ID, g.ID)
	if got, _ := s.File(ctx, f.ID); got.VaultID != v.ID {
		t.Fatalf("another item's file moved: %+v", got)
	}
}

// testConcurrentFileLinks: of writers racing to link one file to
// different items, exactly one wins.
func testConcurrentFileLinks(t *testing.T, s store.Store) {
	owner, v := newAccount(t, s, "owner@example.com")
	f := uploaded(t, s, owner.ID, v.ID)
	wraps := []store.ItemKeyWrap{{KeyVault: v.ID, KeyEpoch: 1, WrapVault: v.ID, WrapEpoch: 1, Wrap: []byte("ikw")}}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			it := store.Item{ID: id(), VaultID: v.ID, Type: "file", CreatedAt: now}
			_, errs[i] = s.CreateItem(ctx, it, withFiles(revision(owner.ID, v.ID, "r"), f.ID), wraps)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrFileTaken):
			t.Fatalf("a losing writer: %v, want ErrFileTaken", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d writers linked the file, want exactly 1", won)
	}
}
