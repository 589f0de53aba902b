package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// insider is a member acting through the raw API with their own session
// and keys, as a client other than coffer's could.
type insider struct {
	t      *testing.T
	url    string
	token  string
	userID string
	id     *crypto.Identity
}

func newInsider(t *testing.T, srv *serverProc, email string) *insider {
	t.Helper()
	s, err := client.Login(context.Background(), srv.url, email, []byte(masterPW), client.Options{})
	if err != nil {
		t.Fatalf("insider login: %v", err)
	}
	in := &insider{t: t, url: srv.url, token: s.Token(), userID: s.Profile.UserID}
	var acct api.Account
	in.do("GET", "/account", nil, &acct)
	kdf := crypto.KDFParams{Algorithm: acct.KDF.Algorithm, Time: acct.KDF.Time, Memory: acct.KDF.Memory, Threads: acct.KDF.Threads, Salt: acct.KDF.Salt}
	mk, err := crypto.DeriveMasterKeys([]byte(masterPW), email, kdf)
	if err != nil {
		t.Fatal(err)
	}
	ak, err := crypto.UnwrapAccountKey(mk.KEK, acct.Keys.WrappedAccountKey, acct.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if in.id, err = crypto.OpenPrivateKeys(ak, acct.Keys.PrivateKeys, acct.UserID, crypto.PublicKeys{Sign: acct.Keys.SignPub, KEM: acct.Keys.KEMPub}); err != nil {
		t.Fatal(err)
	}
	return in
}

// do sends one request and returns the status; out, if set, takes a 2xx body.
func (in *insider) do(method, path string, body, out any) int {
	in.t.Helper()
	return in.doStated(method, path, "", body, out)
}

// statement is the insider's signed audit statement (api.StatementHeader)
// for action on target in orgID: an organisation action needs one
// (protocol §18.7), whatever else the request does.
func (in *insider) statement(orgID, action string, target api.AuditTarget) string {
	now := uint64(time.Now().UnixMilli())
	return api.FormatStatement(now, in.id.Sign(crypto.AuditStatement(orgID, action, in.userID, now, target.JSON())))
}

// doStated is do with a statement header (if not empty).
func (in *insider) doStated(method, path, stmt string, body, out any) int {
	in.t.Helper()
	var r *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, in.url+api.Prefix+path, r)
	req.Header.Set("Authorization", "Bearer "+in.token)
	req.Header.Set("Content-Type", "application/json")
	if stmt != "" {
		req.Header.Set(api.StatementHeader, stmt)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			in.t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// vault returns a vault the insider can read, with its manifest, by id.
func (in *insider) vault(id string) api.Vault {
	in.t.Helper()
	var s api.Sync
	in.do("GET", "/sync", nil, &s)
	for _, v := range s.Vaults {
		if v.ID == id {
			return v
		}
	}
	in.t.Fatalf("vault %s not visible to the insider", id)
	return api.Vault{}
}

// manifest signs a manifest of vault v as the insider, over whatever
// count and items hash they like.
func (in *insider) manifest(v api.Vault, version, count uint64, itemsHash []byte) api.Manifest {
	now := time.Now().UnixMilli()
	sig, err := crypto.SignManifest(in.id, crypto.Manifest{OrgID: v.OrgID, VaultID: v.ID, Version: version, Count: count, ItemsHash: itemsHash,
		SignerID: in.userID, Time: uint64(now)})
	if err != nil {
		in.t.Fatal(err)
	}
	return api.Manifest{VaultID: v.ID, Version: version, Count: count, ItemsHash: itemsHash, SignerID: in.userID, Time: now, Sig: sig}
}

// idOf returns the id of the vault or item named name in a --json list.
func idOf(t *testing.T, listJSON, name string) string {
	t.Helper()
	var list []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(listJSON), &list); err != nil {
		t.Fatalf("%v in %q", err, listJSON)
	}
	for _, x := range list {
		if x.Name == name {
			return x.ID
		}
	}
	t.Fatalf("%q not in %s", name, listJSON)
	return ""
}

// TestInsiderCannotBrickASharedVault is issue 13's finding 2 with the real
// binary. A member with edit rights trashes an item through the raw API
// with a manifest whose signature is random bytes: the server refuses it
// (400) and nothing moves. They then sign a manifest over the wrong items
// validly, which the server cannot tell: every reader quarantines that
// vault alone — My Vault and the other vault read normally, `item list`
// lists the rest and exits 5 naming the quarantined vault and who signed
// it, `vault list` marks it — members who only view or edit cannot repair
// it, the owner repairs it with `coffer vault repair`, and every reader
// sees it again.
func TestInsiderCannotBrickASharedVault(t *testing.T) {
	srv := startServer(t)
	admin := user(t, srv, "admin@acme.example")
	mallory := user(t, srv, "mallory@acme.example")
	reader := user(t, srv, "reader@acme.example")
	const org = "Acme"
	admin.ok("", "org", "create", org)
	code := admin.inviteCode(org, "mallory@acme.example", "reader@acme.example")
	mallory.ok("", "org", "join", org, "--code", code)
	reader.ok("", "org", "join", org, "--code", code)
	admin.ok("", "org", "confirm", org, "mallory@acme.example", "reader@acme.example")
	admin.ok("", "vault", "create", org, "Ops")
	admin.ok("", "vault", "create", org, "Other")
	admin.ok("", "vault", "grant", "Acme/Ops", "--user", "mallory@acme.example", "--permission", "edit")
	admin.ok("", "vault", "grant", "Acme/Ops", "--user", "reader@acme.example", "--permission", "view")
	admin.ok("", "vault", "grant", "Acme/Other", "--user", "reader@acme.example", "--permission", "view")
	admin.ok("", "item", "add", "--vault", "Acme/Ops", "--type", "login", "--name", "db-prod", "--password", "pw-db-prod")
	admin.ok("", "item", "add", "--vault", "Acme/Other", "--type", "note", "--name", "other-note", "--note", "still here")
	reader.ok("", "item", "add", "--type", "login", "--name", "reader-own", "--password", "pw-reader-own")
	opsID := idOf(t, admin.ok("", "vault", "list", "--json"), "Acme/Ops")
	dbID := idOf(t, admin.ok("", "item", "list", "--vault", "Acme/Ops", "--json"), "db-prod")

	// The attack as reported: random signature bytes. Refused, nothing moves.
	m := newInsider(t, srv, "mallory@acme.example")
	ops := m.vault(opsID)
	forged := m.manifest(ops, ops.Manifest.Version+1, ops.Manifest.Count, ops.Manifest.ItemsHash)
	forged.Sig = bytes.Repeat([]byte{0x5a}, 64)
	trash := m.statement(ops.OrgID, api.AuditItemTrash, api.TargetItem(opsID, dbID, 0, ""))
	if st := m.doStated("POST", "/items/"+dbID+"/trash", trash, api.ManifestRequest{Manifest: forged}, nil); st != http.StatusBadRequest {
		t.Fatalf("trash with a random-signature manifest: HTTP %d, want 400", st)
	}
	for _, c := range []*cli{reader, admin} {
		if r := c.run("", "item", "list"); r.code != 0 || !strings.Contains(r.stdout, "db-prod") || r.stderr != "" {
			t.Fatalf("after the refused attack: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	}

	// Validly signed over made-up items: the server cannot tell.
	bad := m.manifest(ops, ops.Manifest.Version+1, 9, bytes.Repeat([]byte{0xab}, 32))
	if st := m.doStated("POST", "/items/"+dbID+"/trash", trash, api.ManifestRequest{Manifest: bad}, nil); st != http.StatusOK {
		t.Fatalf("trash with a validly signed wrong manifest: HTTP %d", st)
	}

	// My Vault and the other vault read normally, with a warning.
	r := reader.run("", "item", "get", "reader-own", "--field", "password")
	if r.code != 0 || r.stdout != "pw-reader-own\n" || !strings.Contains(r.stderr, "quarantined") || !strings.Contains(r.stderr, "mallory@acme.example") {
		t.Fatalf("My Vault after the attack: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := reader.run("", "item", "get", "other-note", "--field", "note"); r.code != 0 || r.stdout != "still here\n" {
		t.Fatalf("the other vault after the attack: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// item list lists the rest and says which vault is quarantined.
	r = reader.run("", "item", "list")
	if r.code != 5 || !strings.Contains(r.stdout, "reader-own") || !strings.Contains(r.stdout, "other-note") || strings.Contains(r.stdout, "db-prod") ||
		!strings.Contains(r.stderr, `vault "Acme/Ops" is quarantined`) || !strings.Contains(r.stderr, "mallory@acme.example") {
		t.Fatalf("item list after the attack: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("item list: the error is not one line: %q", r.stderr)
	}
	if out := reader.ok("", "vault", "list"); !strings.Contains(out, "Acme/Ops [QUARANTINED]") {
		t.Fatalf("vault list after the attack:\n%s", out)
	}
	// Its data is never shown.
	if msg := reader.fails(5, "", "item", "get", "db-prod", "--field", "password"); strings.Contains(msg, "pw-db-prod") || !strings.Contains(msg, "quarantined") {
		t.Fatalf("item get in the quarantined vault: %q", msg)
	}

	// A viewer cannot repair. The owner's device saw db-prod out of the
	// trash: the repair names the change and needs --accept-changes.
	if msg := reader.fails(7, "", "vault", "repair", "Acme/Ops"); !strings.Contains(msg, "edit permission") {
		t.Fatalf("repair by a viewer: %q", msg)
	}
	if msg := admin.fails(5, "", "vault", "repair", "Acme/Ops"); !strings.Contains(msg, `"db-prod" now in the trash`) || !strings.Contains(msg, "--accept-changes") {
		t.Fatalf("owner's repair over a trash state it did not see: %q", msg)
	}
	if out := admin.ok("", "vault", "repair", "Acme/Ops", "--accept-changes"); !strings.Contains(out, "Repaired vault") || !strings.Contains(out, "1 verified item(s)") {
		t.Fatalf("owner's repair: %q", out)
	}
	for _, c := range []*cli{reader, admin, mallory} {
		if r := c.run("", "item", "list", "--trash"); r.code != 0 || !strings.Contains(r.stdout, "db-prod") || r.stderr != "" {
			t.Fatalf("after the repair: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	}
	admin.ok("", "item", "restore", "db-prod")
	if got := reader.ok("", "item", "get", "db-prod", "--field", "password"); got != "pw-db-prod\n" {
		t.Fatalf("db-prod after the repair: %q", got)
	}
}

// TestRemovedGroupManagerLocksNobodyOut is issue 13's finding 1 with the
// real binary: the owner removes the member who manages a private group;
// the group's other members go on reading everything — My Vault, the
// group's shared login and its history — with no warning, the group is
// managed by the owner, and the removed member reads nothing of it.
func TestRemovedGroupManagerLocksNobodyOut(t *testing.T) {
	srv := startServer(t)
	admin := user(t, srv, "sysadmin@northwind.example")
	laura := user(t, srv, "laura@northwind.example")
	intern := user(t, srv, "intern@northwind.example")
	coord := user(t, srv, "coordinator@northwind.example")
	const org = "Northwind Traders"
	admin.ok("", "org", "create", org)
	code := admin.inviteCode(org, "laura@northwind.example", "intern@northwind.example", "coordinator@northwind.example")
	for _, c := range []*cli{laura, intern, coord} {
		c.ok("", "org", "join", org, "--code", code)
	}
	admin.ok("", "org", "confirm", org, "laura@northwind.example", "intern@northwind.example", "coordinator@northwind.example")
	laura.ok("", "group", "create", org, "Marketing", "--private")
	laura.ok("", "group", "add", org, "Marketing", "intern@northwind.example", "coordinator@northwind.example")
	laura.ok("", "item", "add", "--type", "login", "--name", "Social media platform", "--password", "Soc!al-2026")
	laura.ok("", "share", "Social media platform", "--group", "Marketing", "--permission", "view")
	intern.ok("", "item", "add", "--type", "note", "--name", "intern-own", "--note", "mine")

	admin.ok("", "org", "remove", org, "laura@northwind.example")

	for _, c := range []*cli{intern, coord} {
		r := c.run("", "item", "get", "Social media platform", "--field", "password")
		if r.code != 0 || r.stdout != "Soc!al-2026\n" || r.stderr != "" {
			t.Fatalf("a group member after the manager left: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if r := c.run("", "item", "list"); r.code != 0 || r.stderr != "" {
			t.Fatalf("item list after the manager left: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		var hist []struct{ Revision int }
		if err := json.Unmarshal([]byte(c.ok("", "item", "history", "Social media platform", "--json")), &hist); err != nil || len(hist) != 2 {
			t.Fatalf("history after the manager left: %d %v", len(hist), err)
		}
	}
	if got := intern.ok("", "item", "get", "intern-own", "--field", "note"); got != "mine\n" {
		t.Fatalf("My Vault after the manager left: %q", got)
	}
	var groups []struct {
		Name, Manager string
		Members       []string
	}
	if err := json.Unmarshal([]byte(admin.ok("", "group", "list", org, "--json")), &groups); err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].Manager != "sysadmin@northwind.example" || len(groups[0].Members) != 2 {
		t.Fatalf("groups after the manager left: %+v", groups)
	}
	laura.fails(6, "", "item", "get", "Social media platform")
}
