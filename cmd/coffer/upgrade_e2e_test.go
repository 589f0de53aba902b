package main_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/store/migrations"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
)

// The upgrade path (issue 28): a database an earlier release made is
// migrated forward by the current coffer serve and everything in it is
// served and verifies. There is no earlier release's binary here, so the
// earlier database is made by writing through the current server and
// then taking the schema back with the migrations' own Down steps to
// version 20 — before rate counters, two-factor log-in, single sign-on,
// security keys and the organisation two-factor requirement (00021–00025
// and any newer); the Down steps drop exactly what those added, which is
// what a database of that release holds.
const upgradeFrom = 20

func TestUpgradeFromAnEarlierSchemaSQLite(t *testing.T) {
	data := t.TempDir()
	raw := func() *sql.DB {
		db, err := sql.Open("sqlite", filepath.Join(data, "coffer.db"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	addr := freeAddr(t) // the same address after the upgrade, for the device from before
	testUpgrade(t, func() *serverProc { return startServerIn(t, data, "--addr", addr) }, raw, migrations.SQLite)
}

func TestUpgradeFromAnEarlierSchemaPostgres(t *testing.T) {
	dbURL := pgtest.URL(t)
	raw := func() *sql.DB {
		db, err := sql.Open("pgx", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	addr := freeAddr(t)
	testUpgrade(t, func() *serverProc { return startServer(t, "--database", dbURL, "--addr", addr) }, raw, migrations.Postgres)
}

func schemaVersion(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var v int64
	if err := db.QueryRow(`SELECT max(version_id) FROM goose_db_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func testUpgrade(t *testing.T, start func() *serverProc, raw func() *sql.DB, engine migrations.Engine) {
	if migrations.Newest() <= upgradeFrom {
		t.Fatalf("newest migration %d: nothing to upgrade from %d", migrations.Newest(), upgradeFrom)
	}
	ctx := context.Background()
	srv := start()
	email := "upgrade@example.com"
	s, err := client.Signup(ctx, srv.url, email, "Up", []byte(masterPW), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	org, err := s.CreateOrg(ctx, "Upgrade Org")
	if err != nil {
		t.Fatal(err)
	}
	ov, err := s.CreateVault(ctx, org.ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	pv, err := s.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	l := newLedger()
	var items []*client.Item
	for i, v := range []string{pv.ID, pv.ID, ov.ID} {
		it, err := s.CreateItem(ctx, v, "note", client.Content{Name: "item " + string(rune('A'+i)), Notes: "first"})
		if err != nil {
			t.Fatal(err)
		}
		l.ack(ackedWrite{item: it.ID, rev: it.Revision, vault: it.VaultID, hash: contentHash(it.Content), kind: "create"})
		items = append(items, it)
	}
	it, err := s.UpdateItem(ctx, items[0], client.Content{Name: items[0].Content.Name, Notes: "second"})
	if err != nil {
		t.Fatal(err)
	}
	l.ack(ackedWrite{item: it.ID, rev: it.Revision, vault: it.VaultID, hash: contentHash(it.Content), kind: "edit"})
	if it, err = s.MoveItem(ctx, items[1], ov.ID); err != nil {
		t.Fatal(err)
	}
	l.ack(ackedWrite{item: it.ID, rev: it.Revision, vault: it.VaultID, hash: contentHash(it.Content), kind: "move"})
	srv.stop(t)

	// The database as the earlier release left it.
	db := raw()
	if err := migrations.DownTo(ctx, db, engine, upgradeFrom); err != nil {
		t.Fatal(err)
	}
	if v := schemaVersion(t, db); v != upgradeFrom {
		t.Fatalf("schema version %d after DownTo, want %d", v, upgradeFrom)
	}
	if _, err := db.Exec(`SELECT count(*) FROM known_devices`); err == nil {
		t.Fatal("known_devices (00025) is still there at version 20")
	}
	db.Close()

	// The current coffer serve migrates it forward and serves it.
	srv = start()
	db = raw()
	if v := schemaVersion(t, db); v != migrations.Newest() {
		t.Fatalf("schema version %d after coffer serve, want %d", v, migrations.Newest())
	}
	db.Close()
	// The device from before the upgrade syncs on (its marks would catch
	// anything older) ...
	if err := s.Sync(ctx); err != nil {
		t.Fatalf("the earlier device after the upgrade: %v", err)
	}
	if q := s.Quarantined(); len(q) > 0 {
		t.Fatalf("quarantined after the upgrade: %+v", q)
	}
	// ... a fresh device verifies every write from before it ...
	verifyLedger(t, srv.url, email, l, 0)
	// ... and writing goes on, the newer features too.
	if _, err := s.CreateItem(ctx, pv.ID, "note", client.Content{Name: "after the upgrade"}); err != nil {
		t.Fatalf("write after the upgrade: %v", err)
	}
	c := newCLI(t)
	c.ok(masterPW+"\n", "login", "--server", srv.url, "--email", email, "--password-stdin")
	c.unlock(masterPW)
	if out := c.ok("", "org", "policy", "Upgrade Org", "--require-2fa", "off"); !strings.Contains(out, "Two-factor log-in: not required.") {
		t.Fatalf("org policy after the upgrade: %q", out)
	}
}
