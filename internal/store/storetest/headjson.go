package storetest

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/migrations"
)

func init() {
	extraTests = append(extraTests, namedTest{name: "SyncHeadIsTheHeadAsRead", fn: testSyncHead})
}

// apiHead is a head revision's API encoding, as the server encodes one it
// reads (the sync's answer before items kept their head's encoding).
func apiHead(t testing.TB, r store.Revision) []byte {
	t.Helper()
	b, err := json.Marshal(api.Revision{Revision: r.Revision, VaultID: r.VaultID, OrgID: r.OrgID, KeyEpoch: r.KeyEpoch, Type: r.Type,
		AuthorID: r.AuthorID, Time: r.Time, PrevHash: r.PrevHash, Blob: r.Blob, Sig: r.Sig, CreatedAt: r.CreatedAt})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkSyncHeads: every item a full sync of userID hands on carries, as
// HeadJSON, the encoding of its head revision as ItemState reads it now,
// and Changes gives that revision back; want items in all.
func checkSyncHeads(t *testing.T, s store.Store, userID string, want int) {
	t.Helper()
	var sent []store.ItemState
	err := s.ChangesEach(ctx, userID, 0, func(store.ChangesHead) error { return nil }, func(page []store.ItemState) error {
		sent = append(sent, page...) // the store is not called while it reads
		return nil
	})
	if err != nil || len(sent) != want {
		t.Fatalf("ChangesEach: %d items, want %d, %v", len(sent), want, err)
	}
	for _, st := range sent {
		now, err := s.ItemState(ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := st.HeadJSON, apiHead(t, now.HeadRevision); !bytes.Equal(got, want) || st.Head != now.Head {
			t.Errorf("item %s head %d/%d:\n got %s\nwant %s", st.ID, st.Head, now.Head, got, want)
		}
	}
	states, _, _, err := s.Changes(ctx, userID, 0)
	if err != nil || len(states) != want {
		t.Fatalf("Changes: %d items, %v", len(states), err)
	}
	for _, st := range states {
		now, _ := s.ItemState(ctx, st.ID)
		if !bytes.Equal(apiHead(t, st.HeadRevision), apiHead(t, now.HeadRevision)) {
			t.Errorf("Changes: item %s head revision %+v, want %+v", st.ID, st.HeadRevision, now.HeadRevision)
		}
	}
}

// testSyncHead: the head encoding a sync sends is the head revision as
// stored, after a batch create, a single create, edits, a move and the
// trash; an empty hash and a type that JSON escapes included.
func testSyncHead(t *testing.T, s store.Store) {
	a, v := newAccount(t, s, "heads@example.com")
	wraps := func(vault string) []store.ItemKeyWrap {
		return []store.ItemKeyWrap{{KeyVault: vault, KeyEpoch: 1, WrapVault: vault, WrapEpoch: 1, Wrap: []byte("ikw")}}
	}
	var batch []store.NewItem
	for i := range 3 {
		r := revision(a.ID, v.ID, "batch")
		if i == 2 {
			r.PrevHash = []byte{}
		}
		batch = append(batch, store.NewItem{Item: store.Item{ID: id(), VaultID: v.ID, Type: "note<&>\u2028é", CreatedAt: now}, Rev: r, Wraps: wraps(v.ID)})
	}
	created, err := s.CreateItems(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	single := newItem(t, s, a.ID, v.ID, "single")
	r2 := revision(a.ID, v.ID, "edited")
	r2.CreatedAt = now.Add(1234567 * time.Microsecond)
	if _, err := s.UpdateItem(ctx, single.ID, 1, r2, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateItem(ctx, created[0].ID, 1, revision(a.ID, v.ID, "edited"), nil); err != nil {
		t.Fatal(err)
	}
	// A stale edit changes nothing.
	if _, err := s.UpdateItem(ctx, created[0].ID, 1, revision(a.ID, v.ID, "stale"), nil); err == nil {
		t.Fatal("a stale edit was stored")
	}
	if _, err := s.SetItemTrashed(ctx, created[1].ID, true, now); err != nil {
		t.Fatal(err)
	}
	checkSyncHeads(t, s, a.ID, 4)
}

// HeadJSONMigration checks migration 27 on items written before it (no
// stored head encoding) and on heads changed behind the store's back: a
// sync reads and encodes their heads as before, and an item whose head
// revision is missing is not sent. open opens the store; raw opens the
// same database directly.
func HeadJSONMigration(t *testing.T, open func() store.Store, raw func() *sql.DB, engine migrations.Engine) {
	s := open()
	a, v := newAccount(t, s, "old@example.com")
	var items []store.Item
	for _, blob := range []string{"one", "two", "three", "four"} {
		items = append(items, newItem(t, s, a.ID, v.ID, blob))
	}
	if _, err := s.UpdateItem(ctx, items[1].ID, 1, revision(a.ID, v.ID, "two, edited"), nil); err != nil {
		t.Fatal(err)
	}
	s.Close()

	db := raw()
	if err := migrations.DownTo(ctx, db, engine, 26); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s = open()
	defer s.Close()
	db = raw()
	defer db.Close()
	// Written before migration 27: no stored encoding.
	var null int
	if err := db.QueryRow(`SELECT COUNT(*) FROM items WHERE head_json IS NULL`).Scan(&null); err != nil || null != 4 {
		t.Fatalf("items without a stored head after migrating: %d, %v", null, err)
	}
	// One edited since has one again.
	if _, err := s.UpdateItem(ctx, items[2].ID, 1, revision(a.ID, v.ID, "three, edited"), nil); err != nil {
		t.Fatal(err)
	}
	// An item whose head revision is gone is not sent (as before).
	if _, err := db.Exec(`DELETE FROM revisions WHERE item_id = '` + items[3].ID + `'`); err != nil {
		t.Fatal(err)
	}
	checkSyncHeads(t, s, a.ID, 3)
}
