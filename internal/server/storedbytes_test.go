package server_test

// Issue 23, finding 6: one account grew the database by 104 MB in 11 s
// while its quota counted 4,000 bytes — 64 key wraps of made-up keys per
// item and 1-byte items through the batch create. What an account makes
// the server store, measured on the database, must stay within a small
// factor of what its quota counts.

import (
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/testserver"
)

func TestStoredBytesStayNearWhatTheQuotaCounts(t *testing.T) {
	cfg := testConfig()
	cfg.MaxBodyBytes = 8 << 20
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), sqlite.FileName)
		st, err := sqlite.Open(bg, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		size := func() int64 {
			// Everything written so far into the main file, then its size.
			if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			return fi.Size()
		}
		storedVersusCounted(t, newFixtureOn(t, testserver.StartStore(t, st, &cfg, nil)), size)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		url := pgtest.URL(t)
		st, err := postgres.Open(bg, url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		size := func() int64 {
			var n int64
			if err := db.QueryRow(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
				JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		storedVersusCounted(t, newFixtureOn(t, testserver.StartStore(t, st, &cfg, nil)), size)
	})
}

// storedVersusCounted writes 2,000 items with the smallest blobs a revision
// can have, each also offering 63 key wraps of made-up keys (refused now,
// stored before), and edits 500 of them; the database may grow at most
// four times what Bob's usage grew.
func storedVersusCounted(t *testing.T, f *fixture, dbSize func() int64) {
	token := f.bob.Token()
	userID, id := f.signer(t, token)
	v := personalVault(t, f.bob)
	usage := func() int64 {
		u, err := f.env.Store.UsageBytes(bg, userID)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	tiny := func(itemID string, n uint64, prev []byte) api.NewRevision {
		nr := api.NewRevision{KeyEpoch: 1, Time: 1_800_000_000_000, PrevHash: prev}
		ik := crypto.NewKey()
		h := crypto.RevisionHeader{VaultID: v, ItemID: itemID, Revision: n, KeyEpoch: 1, Type: "note", AuthorID: userID, Time: uint64(nr.Time), PrevHash: prev}
		var err error
		if nr.Blob, nr.Sig, _, err = crypto.SealRevision(id, ik, h, []byte{1}); err != nil {
			t.Fatal(err)
		}
		nr.KeyCommit = crypto.ItemKeyCommitment(ik)
		return nr
	}
	wraps := func(withMadeUp bool) []api.ItemKeyWrap {
		ws := []api.ItemKeyWrap{{KeyVault: v, KeyEpoch: 1, WrapVault: v, WrapEpoch: 1, Wrap: randBytes(73)}}
		for i := 0; withMadeUp && i < 63; i++ {
			ws = append(ws, api.ItemKeyWrap{KeyVault: uuid.NewString(), KeyEpoch: 1, WrapVault: v, WrapEpoch: 1, Wrap: randBytes(73)})
		}
		return ws
	}
	beforeDB, beforeUsage := dbSize(), usage()
	var created []api.Item
	for range 4 {
		req := api.CreateItemsRequest{}
		for range 500 {
			itemID := uuid.NewString()
			req.Items = append(req.Items, api.NewItem{ID: itemID, Type: "note", Revision: tiny(itemID, 1, crypto.ZeroHash()), KeyWraps: wraps(true)})
		}
		req.Manifest = f.nextManifest(t, token, v)
		r := f.send(t, "POST", "/vaults/"+v+"/items/batch", token, req)
		if r.status == http.StatusBadRequest {
			// Made-up keys are refused: the same batch with the item's own key.
			for i := range req.Items {
				req.Items[i].KeyWraps = wraps(false)
			}
			r = f.send(t, "POST", "/vaults/"+v+"/items/batch", token, req)
		}
		var out api.Items
		r.decodeOK(t, http.StatusCreated, &out)
		created = append(created, out.Items...)
	}
	m := f.nextManifest(t, token, v)
	for i, it := range created[:500] {
		req := api.UpdateItemRequest{BaseRevision: 1, Revision: tiny(it.ID, 2, randBytes(32)), KeyWraps: wraps(true)[1:]}
		if i > 0 {
			m.Version++
			m = signedManifest(t, id, userID, "", m)
		}
		req.Manifest = m
		r := f.send(t, "PUT", "/items/"+it.ID, token, req)
		if r.status == http.StatusBadRequest {
			req.KeyWraps = nil
			r = f.send(t, "PUT", "/items/"+it.ID, token, req)
		}
		r.decodeOK(t, http.StatusOK, nil)
	}
	grew, counted := dbSize()-beforeDB, usage()-beforeUsage
	t.Logf("the database grew %d bytes; the quota counted %d (%.2f×)", grew, counted, float64(grew)/float64(counted))
	if counted <= 0 || grew > 4*counted {
		t.Fatalf("the database grew %d bytes while the quota counted %d", grew, counted)
	}
}
