package storetest

import (
	"database/sql"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/migrations"
)

// Migration9 checks migration 00009 on data written before it: links that
// gave one file to two items (finding 12) are reduced to the item created
// first, and the storage totals are filled in from what accounts already
// stored. open opens the store (running every migration, once per call);
// raw opens the same database directly, of engine.
func Migration9(t *testing.T, open func() store.Store, raw func() *sql.DB, engine migrations.Engine) {
	s := open()
	a, v := newAccount(t, s, "a@example.com")
	b, bv := newAccount(t, s, "b@example.com")
	wraps := []store.ItemKeyWrap{{KeyVault: v.ID, KeyEpoch: 1, WrapVault: v.ID, WrapEpoch: 1, Wrap: []byte("ikw")}}
	f := store.File{ID: id(), VaultID: v.ID, Size: 1000, ChunkCount: 1, CreatorID: a.ID, CreatedAt: now}
	pending := store.File{ID: id(), VaultID: v.ID, Size: 70, ChunkCount: 1, CreatorID: b.ID, CreatedAt: now}
	for _, x := range []store.File{f, pending} {
		if err := s.CreateFile(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	first := store.Item{ID: id(), VaultID: v.ID, Type: "file", CreatedAt: now}
	if _, err := s.CreateItem(ctx, first, withFiles(revision(a.ID, v.ID, "12345"), f.ID), wraps); err != nil {
		t.Fatal(err)
	}
	later := store.Item{ID: id(), VaultID: v.ID, Type: "file", CreatedAt: now.Add(time.Minute)}
	if _, err := s.CreateItem(ctx, later, revision(b.ID, v.ID, "1234567"), wraps); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// The state before the fix: the later item also links the file, and
	// there are no totals yet.
	db := raw()
	if err := migrations.DownTo(ctx, db, engine, 8); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO item_files (item_id, file_id) VALUES ('` + later.ID + `', '` + f.ID + `')`); err != nil {
		t.Fatal(err)
	}
	// ... and carried it off: moved to b's vault, the file with it.
	for _, q := range []string{
		`UPDATE items SET vault_id = '` + bv.ID + `' WHERE id = '` + later.ID + `'`,
		`UPDATE files SET vault_id = '` + bv.ID + `' WHERE id = '` + f.ID + `'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s = open()
	defer s.Close()
	if ids, err := s.ItemFiles(ctx, first.ID); err != nil || len(ids) != 1 || ids[0] != f.ID {
		t.Fatalf("first item's files after the migration = %v, %v; want the file", ids, err)
	}
	if ids, err := s.ItemFiles(ctx, later.ID); err != nil || len(ids) != 0 {
		t.Fatalf("later item's files after the migration = %v, %v; want none", ids, err)
	}
	// Migration 12 then counts each revision with its overhead.
	if n, err := s.UsageBytes(ctx, a.ID); err != nil || n != 1000+store.RevisionCost(5) {
		t.Fatalf("a's usage after the migrations = %d, %v; want %d", n, err, 1000+store.RevisionCost(5))
	}
	if n, err := s.UsageBytes(ctx, b.ID); err != nil || n != 70+store.RevisionCost(7) {
		t.Fatalf("b's usage after the migrations = %d, %v; want %d", n, err, 70+store.RevisionCost(7))
	}
	if got, err := s.File(ctx, f.ID); err != nil || got.VaultID != v.ID {
		t.Fatalf("after the migration the file is in vault %s (%v), want its item's vault %s: a carried-off file must come back", got.VaultID, err, v.ID)
	}
	if err := s.LinkFiles(ctx, later.ID, []string{f.ID}); err == nil {
		t.Fatal("after the migration a second item can link the file")
	}
}
