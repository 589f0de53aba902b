package client_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// rawPost sends one authenticated API request as s, as an insider with the
// raw API would, and returns the status.
func rawPost(t *testing.T, url string, s *client.Session, path string, body any, statement ...string) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url+api.Prefix+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+s.Token())
	for _, st := range statement {
		req.Header.Set(api.StatementHeader, st) // an audited action (§18.7)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// insiderTeam is an organisation "Acme" of admin (owner), mallory (edit on
// vault Ops) and reader (view on Ops), addresses at domain.
type insiderTeam struct {
	env                    *testserver.Env
	admin, mallory, reader *client.Session
	org                    *client.Org
	ops                    *client.Vault
}

func newInsiderTeam(t *testing.T, domain string) *insiderTeam {
	t.Helper()
	tm := &insiderTeam{env: testserver.Start(t, nil, nil)}
	tm.admin = signup(t, tm.env.URL, "admin@"+domain)
	tm.mallory = signup(t, tm.env.URL, "mallory@"+domain)
	tm.reader = signup(t, tm.env.URL, "reader@"+domain)
	tm.org = company(t, tm.admin, "Acme", tm.mallory, tm.reader)
	var err error
	if tm.ops, err = tm.admin.CreateVault(ctx, tm.org.ID, "Ops"); err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct{ email, perm string }{{"mallory@" + domain, "edit"}, {"reader@" + domain, "view"}} {
		if err := tm.admin.GrantUser(ctx, tm.ops, g.email, g.perm); err != nil {
			t.Fatal(err)
		}
	}
	return tm
}

// mustQuarantine syncs s and wants exactly the vault vaultID quarantined.
func mustQuarantine(t *testing.T, s *client.Session, vaultID string) client.Quarantine {
	t.Helper()
	err := s.Sync(ctx)
	if !client.IsQuarantine(err) || !errors.Is(err, client.ErrTampered) {
		t.Fatalf("%s: Sync = %v, want a quarantine", s.Profile.Email, err)
	}
	qs := s.Quarantined()
	if len(qs) != 1 || qs[0].ID != vaultID || qs[0].Kind != client.KindVault {
		t.Fatalf("%s: quarantined %+v, want vault %s alone", s.Profile.Email, qs, vaultID)
	}
	return qs[0]
}

// TestInsiderManifestQuarantinedAndRepaired is issue 13's finding 2 with a
// validly signed but wrong manifest (the server cannot check its items
// hash): an edit member trashes an item with a manifest over made-up
// items. Every reader quarantines that vault alone — My Vault and the
// other vaults keep working, the bad vault's items are not shown — and
// says what failed and who signed it. View and edit members cannot repair;
// the owner, who manages the vault, repairs it by signing a new manifest
// over the items as they verified, and every reader sees the vault again.
func TestInsiderManifestQuarantinedAndRepaired(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	admin := signup(t, env.URL, "admin@acme.example")
	mallory := signup(t, env.URL, "mallory@acme.example")
	reader := signup(t, env.URL, "reader@acme.example")
	o := company(t, admin, "Acme", mallory, reader)
	ops, err := admin.CreateVault(ctx, o.ID, "Ops")
	if err != nil {
		t.Fatal(err)
	}
	other, err := admin.CreateVault(ctx, o.ID, "Other")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		v     *client.Vault
		email string
		perm  string
	}{{ops, "mallory@acme.example", "edit"}, {ops, "reader@acme.example", "view"}, {other, "reader@acme.example", "view"}} {
		if err := admin.GrantUser(ctx, g.v, g.email, g.perm); err != nil {
			t.Fatalf("GrantUser: %v", err)
		}
	}
	db, err := admin.CreateItem(ctx, ops.ID, "login", client.Content{Name: "db-prod", Login: &client.LoginFields{Password: "pw-db"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateItem(ctx, other.ID, "note", client.Content{Name: "other-note"}); err != nil {
		t.Fatal(err)
	}
	addLogin(t, reader, "reader-own", "pw-own")
	for _, s := range []*client.Session{mallory, reader} {
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// The attack: trash db-prod with a manifest that mallory signs validly
	// over made-up items.
	next := client.ManifestVersion(mallory, ops.ID) + 1
	bad := client.SignManifestAs(mallory, o.ID, ops.ID, next, 7, bytes.Repeat([]byte{0xab}, 32))
	if st := rawPost(t, env.URL, mallory, "/items/"+db.ID+"/trash", api.ManifestRequest{Manifest: bad}, client.Statement(mallory, o.ID, api.AuditItemTrash, api.TargetItem(ops.ID, db.ID, 0, ""))); st != http.StatusOK {
		t.Fatalf("the insider's trash: HTTP %d", st)
	}

	for _, s := range []*client.Session{reader, admin} {
		q := mustQuarantine(t, s, ops.ID)
		if !q.Repairable || q.Signer != "mallory@acme.example" || q.Name != "Ops" {
			t.Errorf("%s: quarantine %+v, want repairable, named Ops, signed by mallory", s.Profile.Email, q)
		}
		if _, err := s.FindItem("db-prod", false); !errors.Is(err, client.ErrTampered) {
			t.Errorf("%s: db-prod in the quarantined vault: %v", s.Profile.Email, err)
		}
		if _, err := s.FindItem("db-prod", true); !errors.Is(err, client.ErrTampered) {
			t.Errorf("%s: db-prod in the trash of the quarantined vault: %v", s.Profile.Email, err)
		}
		for _, v := range s.Vaults() {
			if v.ID == ops.ID {
				t.Errorf("%s: the quarantined vault is listed", s.Profile.Email)
			}
		}
		if _, err := s.FindItem("other-note", false); err != nil {
			t.Errorf("%s: another organisation vault stopped working: %v", s.Profile.Email, err)
		}
	}
	if it, err := reader.FindItem("reader-own", false); err != nil || it.Content.Login.Password != "pw-own" {
		t.Fatalf("My Vault stopped working: %v", err)
	}
	// My Vault keeps taking writes.
	addLogin(t, reader, "reader-new", "pw-new")

	// A viewer cannot repair. The owner's device saw db-prod out of the
	// trash: its repair names the change and goes ahead only when told the
	// trash was done on purpose.
	if _, err := reader.RepairVault(ctx, ops.ID, client.RepairOptions{AcceptChanges: true}); !errors.Is(err, client.ErrReadOnly) {
		t.Fatalf("a viewer repairs: %v, want refused", err)
	}
	if _, err := admin.RepairVault(ctx, "Acme/Ops", client.RepairOptions{}); !errors.Is(err, client.ErrTampered) || !strings.Contains(err.Error(), `"db-prod" now in the trash`) {
		t.Fatalf("owner's repair over a trash state it did not see: %v, want refused naming it", err)
	}
	res, err := admin.RepairVault(ctx, "Acme/Ops", client.RepairOptions{AcceptChanges: true})
	if err != nil || res.Items != 1 || len(res.Purged) != 0 {
		t.Fatalf("owner's repair: %+v, %v", res, err)
	}
	for _, s := range []*client.Session{admin, reader, mallory} {
		if err := s.Sync(ctx); err != nil {
			t.Fatalf("%s after the repair: %v", s.Profile.Email, err)
		}
		it, err := s.FindItem("db-prod", true)
		if err != nil || it.Content.Login.Password != "pw-db" {
			t.Fatalf("%s: db-prod after the repair: %v", s.Profile.Email, err)
		}
	}
	// A repaired vault takes writes again.
	if _, err := admin.RestoreItem(ctx, mustFind(t, admin, "db-prod", true)); err != nil {
		t.Fatalf("restore after the repair: %v", err)
	}
	if err := reader.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.FindItem("db-prod", false); err != nil {
		t.Fatal(err)
	}
}

func mustFind(t *testing.T, s *client.Session, name string, trashed bool) *client.Item {
	t.Helper()
	it, err := s.FindItem(name, trashed)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// TestInsiderUnreadableItemIsScoped: an edit member's modified client
// stores a validly signed, well-encrypted revision whose content is not
// what Coffer writes. Readers quarantine that vault (naming the author,
// whose signature verified) and keep everything else; nobody's whole sync
// fails; a repair goes around the item only by purging it for everyone
// (DropFailing), which a viewer cannot do and the owner can.
func TestInsiderUnreadableItemIsScoped(t *testing.T) {
	tm := newInsiderTeam(t, "n.example")
	admin, mallory, reader, ops := tm.admin, tm.mallory, tm.reader, tm.ops
	addLogin(t, reader, "reader-own", "pw-own-123")
	if err := mallory.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := client.CreateRawItem(ctx, mallory, ops.ID, []byte("not json")); err != nil {
		t.Fatalf("the insider's write: %v", err)
	}
	for _, s := range []*client.Session{reader, admin} {
		q := mustQuarantine(t, s, ops.ID)
		if !q.SignerVerified || q.Signer != "mallory@n.example" {
			t.Errorf("%s: %+v, want signed (verified) by mallory", s.Profile.Email, q)
		}
		if s == reader {
			continue // a viewer cannot repair at all (below)
		}
		if _, err := s.RepairVault(ctx, ops.ID, client.RepairOptions{AcceptChanges: true}); !errors.Is(err, client.ErrTampered) || !strings.Contains(err.Error(), "fail verification") {
			t.Errorf("%s: a repair around an unreadable item without dropping it: %v", s.Profile.Email, err)
		}
	}
	if _, err := reader.FindItem("reader-own", false); err != nil {
		t.Fatalf("My Vault after the insider's item: %v", err)
	}
	// The owner repairs the vault by purging the item for everyone; nobody
	// else may (the reader only views).
	if _, err := reader.RepairVault(ctx, ops.ID, client.RepairOptions{DropFailing: true}); !errors.Is(err, client.ErrReadOnly) {
		t.Fatalf("a viewer's repair: %v", err)
	}
	if _, err := admin.RepairVault(ctx, ops.ID, client.RepairOptions{DropFailing: true}); err != nil {
		t.Fatalf("the owner's repair dropping the failing item: %v", err)
	}
	for _, s := range []*client.Session{reader, admin, mallory} {
		if err := s.Sync(ctx); err != nil {
			t.Fatalf("%s after the repair: %v", s.Profile.Email, err)
		}
		if len(s.List(false)) == 0 && s != reader {
			continue
		}
	}
	if _, err := admin.CreateItem(ctx, ops.ID, "note", client.Content{Name: "after the repair"}); err != nil {
		t.Fatalf("a write after the repair: %v", err)
	}
	if err := reader.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.FindItem("after the repair", false); err != nil {
		t.Fatalf("the reader after the repair: %v", err)
	}
}

// TestWatchReportsQuarantineAndGoesOn: an insider's validly signed wrong
// manifest arrives while a reader watches: the watch tells of the
// quarantine once, with who signed it, and goes on reporting changes
// elsewhere; the repair brings the vault back.
func TestWatchReportsQuarantineAndGoesOn(t *testing.T) {
	tm := newInsiderTeam(t, "w.example")
	env, admin, mallory, reader, o, ops := tm.env, tm.admin, tm.mallory, tm.reader, tm.org, tm.ops
	db, err := admin.CreateItem(ctx, ops.ID, "note", client.Content{Name: "db-notes"})
	if err != nil {
		t.Fatal(err)
	}
	if err := mallory.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	w := startWatch(t, reader)
	next := client.ManifestVersion(mallory, ops.ID) + 1
	bad := client.SignManifestAs(mallory, o.ID, ops.ID, next, 3, bytes.Repeat([]byte{0xcd}, 32))
	if st := rawPost(t, env.URL, mallory, "/items/"+db.ID+"/trash", api.ManifestRequest{Manifest: bad}, client.Statement(mallory, o.ID, api.AuditItemTrash, api.TargetItem(ops.ID, db.ID, 0, ""))); st != http.StatusOK {
		t.Fatalf("the insider's trash: HTTP %d", st)
	}
	c := w.waitFor(t, "quarantined")
	if c.Kind != "quarantine" || c.VaultID != ops.ID || !strings.Contains(c.Text, "mallory@w.example") {
		t.Fatalf("quarantine change %+v", c)
	}
	// The watch goes on: a change in My Vault is reported.
	addLogin(t, reader, "after the quarantine", "pw-after-q")
	w.waitFor(t, "after the quarantine")
	if err := admin.Sync(ctx); !client.IsQuarantine(err) {
		t.Fatalf("owner: %v", err)
	}
	if _, err := admin.RepairVault(ctx, ops.ID, client.RepairOptions{AcceptChanges: true}); err != nil {
		t.Fatal(err)
	}
	w.waitFor(t, "Ops: a manager repaired this vault; it verifies again")
	if _, err := reader.FindItem("db-notes", true); err != nil {
		t.Fatalf("the reader after the repair, while watching: %v", err)
	}
}
