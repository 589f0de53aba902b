package main_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCLIInstanceAdministration is issue 25 with the real binary against a
// real `coffer serve --admin`: an administrator searches accounts, shows
// one's bindings, unbinds a member (whose open `coffer watch` is told at
// once), disables and enables an account; a member leaves; the owner can
// neither leave nor delete their account; a member deletes theirs; an
// administrator is granted and revoked on the server machine.
func TestCLIInstanceAdministration(t *testing.T) {
	srv := startServer(t, "--admin", "Root@Adm.example")
	root := user(t, srv, "root@adm.example")
	owner := user(t, srv, "owner@adm.example")
	mia := user(t, srv, "mia@adm.example")
	nick := user(t, srv, "nick@adm.example")
	const org = "Acme"
	owner.ok("", "org", "create", org)
	code := owner.inviteCode(org, "mia@adm.example", "nick@adm.example")
	mia.ok("", "org", "join", org, "--code", code)
	nick.ok("", "org", "join", org, "--code", code)
	owner.ok("", "org", "confirm", org, "mia@adm.example", "nick@adm.example")
	var orgs []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(owner.ok("", "org", "list", "--json")), &orgs); err != nil || len(orgs) != 1 {
		t.Fatalf("org list: %v %+v", err, orgs)
	}
	orgID := orgs[0].ID

	// Search and bindings: administrators only.
	var found []struct {
		Email string
		Admin bool
	}
	if err := json.Unmarshal([]byte(root.ok("", "admin", "users", "--search", "ADM.example", "--json")), &found); err != nil || len(found) != 4 {
		t.Fatalf("admin users: %v %+v", err, found)
	}
	for _, u := range found {
		if u.Admin != (u.Email == "root@adm.example") {
			t.Fatalf("admin flag of %s = %v", u.Email, u.Admin)
		}
	}
	var detail struct {
		Orgs []struct {
			OrgID      string `json:"org_id"`
			Members    int
			OwnerEmail string `json:"owner_email"`
		} `json:"organisations"`
	}
	json.Unmarshal([]byte(root.ok("", "admin", "user", "mia@adm.example", "--json")), &detail)
	if len(detail.Orgs) != 1 || detail.Orgs[0].OrgID != orgID || detail.Orgs[0].Members != 3 || detail.Orgs[0].OwnerEmail != "owner@adm.example" {
		t.Fatalf("admin user: %+v", detail)
	}
	if out := root.ok("", "admin", "user", "mia@adm.example"); !strings.Contains(out, orgID) || !strings.Contains(out, "owner@adm.example") {
		t.Fatalf("admin user output:\n%s", out)
	}
	for _, args := range [][]string{{"admin", "users"}, {"admin", "user", "mia@adm.example"}, {"admin", "unbind", "nick@adm.example", orgID},
		{"admin", "disable", "nick@adm.example"}, {"admin", "enable", "nick@adm.example"}} {
		if msg := owner.fails(7, "", args...); !strings.Contains(msg, "only instance administrators") {
			t.Fatalf("coffer %v by a non-administrator: %q", args, msg)
		}
	}

	// Unbind: mia's open watch is told at once; the owner never.
	w := mia.watch(t)
	if msg := root.fails(7, "", "admin", "unbind", "owner@adm.example", orgID); !strings.Contains(msg, "transfer ownership first") {
		t.Fatalf("unbinding the owner: %q", msg)
	}
	root.ok("", "admin", "unbind", "mia@adm.example", orgID)
	w.waitLine(t, "you were removed from an organisation")
	if out := mia.ok("", "org", "list"); strings.Contains(out, org) {
		t.Fatalf("mia still lists the organisation:\n%s", out)
	}

	// Leaving: a member can, the owner cannot.
	nick.ok("", "org", "leave", org)
	if out := nick.ok("", "org", "list"); strings.Contains(out, org) {
		t.Fatalf("nick still lists the organisation:\n%s", out)
	}
	if msg := owner.fails(7, "", "org", "leave", org); !strings.Contains(msg, "transfer ownership first") {
		t.Fatalf("owner leaving: %q", msg)
	}
	if out := owner.ok("", "org", "members", org); strings.Contains(out, "roster pending") {
		t.Fatalf("the owner's sync left departures unsigned:\n%s", out)
	}

	// Disable: sessions end, login refused with a clear error; enable
	// restores it. An administrator cannot disable themselves.
	if msg := root.fails(1, "", "admin", "disable", "root@adm.example"); !strings.Contains(msg, "cannot disable their own account") {
		t.Fatalf("self-disable: %q", msg)
	}
	if out := root.ok("", "admin", "disable", "nick@adm.example"); !strings.Contains(out, "1 session(s) ended") {
		t.Fatalf("disable: %q", out)
	}
	nick.fails(3, "", "org", "list")
	if msg := nick.fails(3, masterPW+"\n", "unlock", "--password-stdin"); !strings.Contains(msg, "disabled") {
		t.Fatalf("login of a disabled account: %q", msg)
	}
	root.ok("", "admin", "enable", "nick@adm.example")
	nick.unlock(masterPW)
	nick.ok("", "org", "list")

	// Account deletion: refused for the owner, done for a member.
	if msg := owner.fails(7, masterPW+"\n", "account", "delete", "--password-stdin"); !strings.Contains(msg, "transfer ownership first") {
		t.Fatalf("owner's deletion: %q", msg)
	}
	if msg := mia.fails(3, "wrong password\n", "account", "delete", "--password-stdin"); !strings.Contains(msg, "wrong") {
		t.Fatalf("deletion with a wrong password: %q", msg)
	}
	mia.ok(masterPW+"\n", "account", "delete", "--password-stdin")
	gone := newCLI(t)
	gone.fails(3, masterPW+"\n", "login", "--server", srv.url, "--email", "mia@adm.example", "--password-stdin")
	if out := root.ok("", "admin", "users", "--search", "mia"); strings.Contains(out, "mia@") {
		t.Fatalf("a deleted account is still listed:\n%s", out)
	}

	// On the server machine: grant and revoke, on the running server's
	// database.
	server := newCLI(t)
	server.ok("", "admin", "grant-admin", "owner@adm.example", "--data", srv.data)
	owner.ok("", "admin", "users")
	server.ok("", "admin", "revoke-admin", "owner@adm.example", "--data", srv.data)
	owner.fails(7, "", "admin", "users")
	server.fails(6, "", "admin", "grant-admin", "nobody@adm.example", "--data", srv.data)
}
