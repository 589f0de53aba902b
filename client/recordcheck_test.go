package client_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// insertRecord stores a record straight into the database, as a server
// (or someone with its database) could, bypassing every server check.
func insertRecord(t *testing.T, db *sql.DB, r api.EpochRecord) {
	t.Helper()
	rs, _ := json.Marshal(r.Recipients)
	if _, err := db.Exec(`INSERT INTO epoch_records (object_id, version, org_id, kind, epoch, key_commit, meta_epoch, meta_hash, recipients, prev_hash, signer_id, time_ms, sig, hash, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT value FROM counters WHERE name = 'change_seq') + 1)`,
		r.ObjectID, r.Version, r.OrgID, r.Kind, r.Epoch, r.KeyCommit, r.MetaEpoch, r.MetaHash, rs, r.PrevHash, r.SignerID, r.TimeMS, r.Sig, client.RecordHash(r)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE counters SET value = value + 1 WHERE name = 'change_seq'`); err != nil {
		t.Fatal(err)
	}
}

// quarantinedFor: a sync quarantines id for one of the reasons (any).
func quarantinedFor(t *testing.T, s *client.Session, id string, reasons ...string) {
	t.Helper()
	err := s.Sync(ctx)
	if !errors.Is(err, client.ErrTampered) || !strings.Contains(err.Error(), id) {
		t.Fatalf("sync: %v; want %s quarantined for %q", err, id, reasons)
	}
	for _, r := range reasons {
		if strings.Contains(err.Error(), r) {
			return
		}
	}
	t.Fatalf("sync: %v; want %s quarantined for %q", err, id, reasons)
}

type signedFixture struct {
	env    *testserver.Env
	db     *sql.DB
	owner  *client.Session
	viewer *client.Session
	orgID  string
	vault  string
	meta   []byte // the vault's sealed name as created
}

func newSignedFixture(t *testing.T) *signedFixture {
	t.Helper()
	f := &signedFixture{env: testserver.Start(t, nil, nil)}
	f.owner = signup(t, f.env.URL, "owner@signed.example")
	f.viewer = signup(t, f.env.URL, "viewer@signed.example")
	o := company(t, f.owner, "Signed Inc", f.viewer)
	v, err := f.owner.CreateVault(ctx, o.ID, "Servers")
	if err != nil {
		t.Fatal(err)
	}
	f.orgID, f.vault = o.ID, v.ID
	if err := f.owner.GrantUser(ctx, mustVault(t, f.owner, v.ID), "viewer@signed.example", "view"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*client.Session{f.owner, f.viewer} {
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if f.db, err = sql.Open("sqlite", f.env.DBPath); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	f.meta = f.column(t, "meta")
	return f
}

func (f *signedFixture) latest(t *testing.T) api.EpochRecord {
	t.Helper()
	rs := records(t, f.owner, f.orgID)[f.vault]
	return rs[len(rs)-1]
}

func (f *signedFixture) column(t *testing.T, col string) []byte {
	t.Helper()
	var b []byte
	if err := f.db.QueryRow(`SELECT `+col+` FROM vaults WHERE id = ?`, f.vault).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *signedFixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// TestSignedNamesAndEpochs: names and epochs are the signed records'
// (protocol §18.1).
func TestSignedNamesAndEpochs(t *testing.T) {
	t.Run("a view-only reader cannot plant a name", func(t *testing.T) {
		f := newSignedFixture(t)
		prev := f.latest(t)
		planted := client.SealVaultNameAs(f.viewer, f.vault, 1, "Phishing: enter your password at evil.example")
		next := prev
		next.Version, next.PrevHash, next.MetaHash = prev.Version+1, client.RecordHash(prev), crypto.MetaHash(planted)
		insertRecord(t, f.db, client.SignRecordAs(f.viewer, next))
		f.exec(t, `UPDATE vaults SET meta = ? WHERE id = ?`, planted, f.vault)
		quarantinedFor(t, f.owner, f.vault, "signed by someone who may not change it")
		quarantinedFor(t, relogin(t, f.env.URL, "viewer@signed.example"), f.vault, "signed by someone who may not change it")
	})
	t.Run("a name cannot be unsigned", func(t *testing.T) {
		f := newSignedFixture(t)
		// A name the viewer sealed, without any record: not the newest
		// record's name, on a fresh device too.
		f.exec(t, `UPDATE vaults SET meta = ? WHERE id = ?`, client.SealVaultNameAs(f.viewer, f.vault, 1, "Planted"), f.vault)
		quarantinedFor(t, relogin(t, f.env.URL, "owner@signed.example"), f.vault, "name is not the one its newest signed record names")
	})
	t.Run("an older name cannot come back", func(t *testing.T) {
		f := newSignedFixture(t)
		if err := f.owner.RenameVault(ctx, f.vault, "Servers 2027"); err != nil {
			t.Fatal(err)
		}
		renamed := f.latest(t)
		// Old name and the rename's record dropped: this device saw it.
		f.exec(t, `DELETE FROM epoch_records WHERE object_id = ? AND version = ?`, f.vault, renamed.Version)
		f.exec(t, `UPDATE vaults SET meta = ? WHERE id = ?`, f.meta, f.vault)
		// (The session holding the newer record says the name is not
		// its; a device starting afresh with its marks, that the chain
		// was rolled back.)
		quarantinedFor(t, f.owner, f.vault, "rolled back", "name is not the one its newest signed record names")
		raw, err := f.owner.MarksJSON()
		if err != nil {
			t.Fatal(err)
		}
		var marks client.Marks
		if err := json.Unmarshal(raw, &marks); err != nil || marks.Records[f.vault] != renamed.Version {
			t.Fatalf("the device's marks keep record version %d of the vault, want %d (%v)", marks.Records[f.vault], renamed.Version, err)
		}
		again := relogin(t, f.env.URL, "owner@signed.example")
		again.SetMarks(marks)
		quarantinedFor(t, again, f.vault, "rolled back")
		// The record kept, the old name served: any device sees it.
		insertRecord(t, f.db, renamed)
		quarantinedFor(t, relogin(t, f.env.URL, "viewer@signed.example"), f.vault, "name is not the one its newest signed record names")
	})
	t.Run("a rotation cannot be hidden", func(t *testing.T) {
		f := newSignedFixture(t)
		if err := f.owner.RotateVault(ctx, mustVault(t, f.owner, f.vault)); err != nil {
			t.Fatal(err)
		}
		if r := f.latest(t); r.Epoch != 2 {
			t.Fatalf("after the rotation the newest record is of epoch %d", r.Epoch)
		}
		// The server puts the vault back at epoch 1 and drops the new
		// epoch's wraps: a writer would write under a key anyone who lost
		// access kept.
		f.exec(t, `UPDATE vaults SET epoch = 1 WHERE id = ?`, f.vault)
		f.exec(t, `DELETE FROM vault_key_wraps WHERE vault_id = ? AND epoch = 2`, f.vault)
		quarantinedFor(t, relogin(t, f.env.URL, "viewer@signed.example"), f.vault, "the server says epoch 1, its newest signed record 2")
	})
}

func relogin(t *testing.T, url, email string) *client.Session {
	t.Helper()
	s, err := client.Login(ctx, url, email, []byte("pw of "+email), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRecordsMadeWhileHiddenAreReadOnReturn: a vault revoked from a
// member and granted again gets records (the revoke, the rotation) the
// member's session never saw; on its return the session reads the
// organisation's records whole and opens the vault (it had quarantined
// it as a broken chain: TestWebAppOrganisations).
func TestRecordsMadeWhileHiddenAreReadOnReturn(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@hidden.example")
	fred := signup(t, env.URL, "fred@hidden.example")
	o := company(t, owner, "Hidden", fred)
	v, err := owner.CreateVault(ctx, o.ID, "Servers")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, mustVault(t, owner, v.ID), "fred@hidden.example", "view"); err != nil {
		t.Fatal(err)
	}
	if err := fred.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := owner.Revoke(ctx, mustVault(t, owner, v.ID), "user", "fred@hidden.example"); err != nil {
		t.Fatal(err)
	}
	if err := fred.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, mustVault(t, owner, v.ID), "fred@hidden.example", "edit"); err != nil {
		t.Fatal(err)
	}
	if err := fred.Sync(ctx); err != nil {
		t.Fatalf("the vault granted again: %v", err)
	}
	got, err := fred.FindVault(v.ID)
	if err != nil || got.Epoch != 2 {
		t.Fatalf("fred's vault after the grant: %+v %v (want epoch 2)", got, err)
	}
	if _, err := fred.CreateItem(ctx, v.ID, "note", client.Content{Name: "written at the new epoch"}); err != nil {
		t.Fatal(err)
	}
}

// TestRecordsAreReadAPageAtATime: the server answers an organisation's
// records a page at a time; a device starting afresh reads every page and
// verifies them as one answer (an object's chain spans pages), and a
// writer signs on top of the object's own newest record.
func TestRecordsAreReadAPageAtATime(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RecordsPage = 3
	env := testserver.Start(t, &cfg, nil)
	owner := signup(t, env.URL, "owner@paged.example")
	fred := signup(t, env.URL, "fred@paged.example")
	o := company(t, owner, "Paged", fred)
	var vaults []string
	for _, name := range []string{"One", "Two", "Three", "Four"} {
		v, err := owner.CreateVault(ctx, o.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := owner.GrantUser(ctx, mustVault(t, owner, v.ID), "fred@paged.example", "edit"); err != nil {
			t.Fatal(err)
		}
		if err := owner.RenameVault(ctx, v.ID, name+" (renamed)"); err != nil {
			t.Fatal(err)
		}
		vaults = append(vaults, v.ID)
	}
	var resp api.Records
	if err := client.RawDo(ctx, fred, "GET", "/orgs/"+o.ID+"/records?after=0", nil, &resp); err != nil {
		t.Fatal(err)
	}
	if !resp.More || len(resp.Records) > 3 {
		t.Fatalf("the first page: %d records, more %v", len(resp.Records), resp.More)
	}
	fresh := relogin(t, env.URL, "fred@paged.example")
	if err := fresh.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range vaults {
		v, err := fresh.FindVault(id)
		if err != nil || !strings.HasSuffix(v.Name, "(renamed)") {
			t.Fatalf("vault %s on a fresh device: %+v %v", id, v, err)
		}
		if err := owner.GrantUser(ctx, mustVault(t, owner, id), "fred@paged.example", "view"); err != nil {
			t.Fatalf("a record on top of a paged chain: %v", err)
		}
	}
	if err := fresh.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}
