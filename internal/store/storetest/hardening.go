package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// Conformance tests for issue 13's hardening: who shares an organisation,
// a file belongs to one item, storage quotas and the expiry of uploads.
func init() {
	extraTests = append(extraTests,
		namedTest{name: "SharesOrg", fn: testSharesOrg},
		namedTest{name: "FileBelongsToOneItem", fn: testFileBelongsToOneItem},
		namedTest{name: "ConcurrentLinksOfOneFile", fn: testConcurrentFileLinks},
		namedTest{name: "QuotaAndExpiry", fn: testQuotaAndExpiry},
		namedTest{name: "ConcurrentUploadsStayWithinQuota", fn: testConcurrentQuota},
		namedTest{name: "ConcurrentSweepsFreeEachUploadOnce", fn: testConcurrentSweeps},
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
	if _, err := s.RemoveMember(ctx, o, member.ID, nil); err != nil {
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

func wantQuotaError(t *testing.T, err error, limit string) {
	t.Helper()
	var qe *store.QuotaError
	if !errors.As(err, &qe) || qe.Limit != limit {
		t.Fatalf("err = %v, want a %q QuotaError", err, limit)
	}
}

func testQuotaAndExpiry(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "a@example.com")
	b, _ := newAccount(t, s, "b@example.com")
	rc := store.RevisionCost(10) // the one revision of a's
	q := store.Quota{MaxBytes: 990 + rc, MaxPendingFiles: 2, MaxPendingBytes: 500, ExpiredBefore: now.Add(-time.Hour)}
	file := func(size int64) store.File {
		return store.File{ID: id(), VaultID: v.ID, Size: size, ChunkCount: 1, CreatorID: a.ID, CreatedAt: now}
	}
	usage := func(before time.Time) store.Usage {
		t.Helper()
		u, err := s.Usage(ctx, a.ID, before)
		if err != nil {
			t.Fatalf("Usage: %v", err)
		}
		return u
	}
	f1, f2 := file(200), file(200)
	for _, f := range []store.File{f1, f2} {
		if err := s.CreateFileWithin(ctx, f, q); err != nil {
			t.Fatalf("CreateFileWithin: %v", err)
		}
	}
	f3 := file(50)
	wantQuotaError(t, s.CreateFileWithin(ctx, f3, q), "pending files")
	if _, err := s.File(ctx, f3.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("refused upload was stored: %v", err)
	}
	if u := usage(q.ExpiredBefore); u != (store.Usage{Bytes: 400, PendingFiles: 2, PendingBytes: 400}) {
		t.Fatalf("usage = %+v", u)
	}

	// Attached, f1 stops being pending but still counts, and so does the blob.
	it := store.Item{ID: id(), VaultID: v.ID, Type: "file", CreatedAt: now}
	rev := withFiles(revision(a.ID, v.ID, "0123456789"), f1.ID)
	if _, err := s.CreateItem(ctx, it, rev, []store.ItemKeyWrap{{KeyVault: v.ID, KeyEpoch: 1, WrapVault: v.ID, WrapEpoch: 1, Wrap: []byte("ikw")}}); err != nil {
		t.Fatal(err)
	}
	if u := usage(q.ExpiredBefore); u != (store.Usage{Bytes: 400 + rc, PendingFiles: 1, PendingBytes: 200}) {
		t.Fatalf("usage after attaching = %+v", u)
	}
	wantQuotaError(t, s.CreateFileWithin(ctx, file(301), q), "pending bytes")
	f5 := file(300)
	if err := s.CreateFileWithin(ctx, f5, q); err != nil {
		t.Fatalf("CreateFileWithin up to the pending limit: %v", err)
	}
	wantQuotaError(t, s.CreateFileWithin(ctx, file(291), q), "storage")
	if u, _ := s.Usage(ctx, b.ID, q.ExpiredBefore); u != (store.Usage{}) {
		t.Fatalf("another account's usage = %+v", u)
	}

	// Once expired, unattached uploads count for nothing; the sweep then
	// deletes them with their chunks, and only them.
	if err := s.PutChunk(ctx, f2.ID, 0, []byte("chunk")); err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Millisecond)
	if u := usage(later); u != (store.Usage{Bytes: 700 + rc}) {
		t.Fatalf("usage after expiry = %+v, want nothing pending, the bytes until swept", u)
	}
	if n, err := s.DeleteExpiredUploads(ctx, now); err != nil || n != 0 {
		t.Fatalf("sweep before expiry deleted %d, %v", n, err)
	}
	fresh := store.File{ID: id(), VaultID: v.ID, Size: 1, ChunkCount: 1, CreatorID: b.ID, CreatedAt: later}
	if err := s.CreateFile(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpiredUploads(ctx, later); err != nil || n != 2 {
		t.Fatalf("sweep deleted %d, %v; want 2", n, err)
	}
	for _, f := range []store.File{f2, f5} {
		if _, err := s.File(ctx, f.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired upload survived the sweep: %v", err)
		}
	}
	if _, err := s.Chunk(ctx, f2.ID, 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired upload's chunk survived the sweep: %v", err)
	}
	for _, f := range []store.File{f1, fresh} {
		if _, err := s.File(ctx, f.ID); err != nil {
			t.Fatalf("the sweep deleted an attached or fresh file: %v", err)
		}
	}
	if u := usage(later); u != (store.Usage{Bytes: 200 + rc}) {
		t.Fatalf("usage after the sweep = %+v, want the attached file and the revision", u)
	}
	if n, err := s.UsageBytes(ctx, a.ID); err != nil || n != 200+rc {
		t.Fatalf("UsageBytes = %d, %v; want %d", n, err, 200+rc)
	}
	if n, err := s.UsageBytes(ctx, id()); err != nil || n != 0 {
		t.Fatalf("UsageBytes of an account that stored nothing = %d, %v", n, err)
	}
	if n, err := s.DeleteExpiredUploads(ctx, later); err != nil || n != 0 {
		t.Fatalf("second sweep deleted %d, %v", n, err)
	}
	if u := usage(later); u != (store.Usage{Bytes: 200 + rc}) {
		t.Fatalf("usage after a second sweep = %+v, want the attached file and the revision", u)
	}

	// Revisions count against their author; purging the item gives every
	// author back its revisions' bytes, and the uploader its file's.
	if _, err := s.UpdateItem(ctx, it.ID, 1, revision(b.ID, v.ID, "abcde"), nil); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.Usage(ctx, b.ID, later); u.Bytes != 1+store.RevisionCost(5) {
		t.Fatalf("b's usage after writing a revision = %+v, want its upload and the revision's cost", u)
	}
	if _, err := s.SetItemTrashed(ctx, it.ID, true, later); err != nil {
		t.Fatal(err)
	}
	if err := s.PurgeItem(ctx, it.ID, later); err != nil {
		t.Fatal(err)
	}
	if u := usage(later); u != (store.Usage{}) {
		t.Fatalf("a's usage after the purge = %+v, want nothing", u)
	}
	if u, _ := s.Usage(ctx, b.ID, later); u.Bytes != 1 {
		t.Fatalf("b's usage after the purge = %+v, want 1 byte (its upload)", u)
	}
}

// testConcurrentQuota: uploads racing against one quota never exceed it.
func testConcurrentQuota(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "a@example.com")
	q := store.Quota{MaxPendingFiles: 3}
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.CreateFileWithin(ctx, store.File{ID: id(), VaultID: v.ID, Size: 1, ChunkCount: 1, CreatorID: a.ID, CreatedAt: now}, q)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantQuotaError(t, err, "pending files")
		}
	}
	if u, _ := s.Usage(ctx, a.ID, time.Time{}); ok != 3 || u.PendingFiles != 3 {
		t.Fatalf("%d uploads accepted, %d pending; want 3", ok, u.PendingFiles)
	}
}

// testConcurrentSweeps: instances sweeping at once delete each expired
// upload once and give its bytes back once.
func testConcurrentSweeps(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "a@example.com")
	const files = 450 // more than two batches
	for range files {
		if err := s.CreateFile(ctx, store.File{ID: id(), VaultID: v.ID, Size: 10, ChunkCount: 1, CreatorID: a.ID, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if u, _ := s.Usage(ctx, a.ID, now); u.Bytes != files*10 || u.PendingFiles != files {
		t.Fatalf("usage before the sweeps = %+v", u)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.DeleteExpiredUploads(ctx, now.Add(time.Second))
			if err != nil {
				t.Errorf("DeleteExpiredUploads: %v", err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if u, _ := s.Usage(ctx, a.ID, now); total != files || u != (store.Usage{}) {
		t.Fatalf("sweeps deleted %d in all (want %d); usage after = %+v, want nothing", total, files, u)
	}
}
