package storetest

import (
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "FilesAndChunks", fn: testFiles},
		namedTest{name: "PurgeLeavesTombstone", fn: testPurge},
	)
}

func testFiles(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "a@example.com")
	f := store.File{ID: id(), VaultID: v.ID, Size: 10, ChunkCount: 2, CreatorID: a.ID, CreatedAt: now}
	if err := s.CreateFile(ctx, f); err != nil {
		t.Fatal(err)
	}
	if err := s.PutChunk(ctx, f.ID, 0, []byte("c0")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutChunk(ctx, f.ID, 0, []byte("again")); !errors.Is(err, store.ErrExists) {
		t.Fatalf("chunk stored twice: %v", err)
	}
	got, err := s.File(ctx, f.ID)
	if err != nil || got.Uploaded != 1 || got.ChunkCount != 2 || got.VaultID != v.ID {
		t.Fatalf("File = %+v, %v", got, err)
	}
	if data, err := s.Chunk(ctx, f.ID, 0); err != nil || string(data) != "c0" {
		t.Fatalf("Chunk = %q, %v", data, err)
	}
	if _, err := s.Chunk(ctx, f.ID, 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing chunk: %v", err)
	}
	it := newItem(t, s, a.ID, v.ID, "r1")
	if err := s.LinkFiles(ctx, it.ID, []string{f.ID, f.ID}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.ItemFiles(ctx, it.ID); len(ids) != 1 || ids[0] != f.ID {
		t.Fatalf("ItemFiles = %v", ids)
	}
}

func testPurge(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "a@example.com")
	b, _ := newAccount(t, s, "b@example.com")
	it := newItem(t, s, a.ID, v.ID, "r1")
	f := store.File{ID: id(), VaultID: v.ID, Size: 1, ChunkCount: 1, CreatorID: a.ID, CreatedAt: now}
	s.CreateFile(ctx, f)
	s.PutChunk(ctx, f.ID, 0, []byte("x"))
	s.LinkFiles(ctx, it.ID, []string{f.ID})
	var ce *store.ConflictError
	if err := s.PurgeItem(ctx, it.ID, now); !errors.As(err, &ce) {
		t.Fatalf("purge of a live item: %v", err)
	}
	_, _, cursor, _ := s.Changes(ctx, a.ID, 0)
	if _, err := s.SetItemTrashed(ctx, it.ID, true, now); err != nil {
		t.Fatal(err)
	}
	if err := s.PurgeItem(ctx, it.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Item(ctx, it.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("purged item still there: %v", err)
	}
	if _, err := s.File(ctx, f.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("purged item's file still there: %v", err)
	}
	_, _, until, _ := s.Changes(ctx, a.ID, 0)
	if ids, err := s.PurgedSince(ctx, a.ID, cursor, until); err != nil || len(ids) != 1 || ids[0] != it.ID {
		t.Fatalf("PurgedSince = %v, %v", ids, err)
	}
	if ids, _ := s.PurgedSince(ctx, b.ID, 0, until); len(ids) != 0 {
		t.Fatalf("another user learns of the purge: %v", ids)
	}
	// A sync reads the purges in its own snapshot, with the cursor.
	var head store.ChangesHead
	if err := s.ChangesEach(ctx, a.ID, cursor, func(h store.ChangesHead) error { head = h; return nil },
		func([]store.ItemState) error { return nil }); err != nil || head.Cursor != until || len(head.Purged) != 1 || head.Purged[0] != it.ID {
		t.Fatalf("ChangesEach head = %+v, %v", head, err)
	}
	if err := s.ChangesEach(ctx, b.ID, 0, func(h store.ChangesHead) error { head = h; return nil },
		func([]store.ItemState) error { return nil }); err != nil || len(head.Purged) != 0 {
		t.Fatalf("another user's sync learns of the purge: %+v, %v", head, err)
	}
	if err := s.PurgeItem(ctx, it.ID, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second purge: %v", err)
	}
}
