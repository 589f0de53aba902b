package main_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIExposureReport (issue 25, §18.6) with the real binary: after a
// member's removal the owner's `coffer org exposure` names exactly the
// items they could read — not those of a vault they never had, nor one
// written after — says plainly what to do, and prints the same as JSON;
// a member is refused (exit 7).
func TestCLIExposureReport(t *testing.T) {
	srv := startServer(t)
	owner := user(t, srv, "owner@exp-cli.example")
	mia := user(t, srv, "mia@exp-cli.example")
	pat := user(t, srv, "pat@exp-cli.example")
	owner.orgWith("Acme", mia, pat)
	owner.ok("", "vault", "create", "Acme", "Ops")
	owner.ok("", "vault", "create", "Acme", "Closed")
	owner.ok("", "vault", "grant", "Acme/Ops", "--user", "mia@exp-cli.example", "--permission", "view")
	owner.ok("", "item", "add", "--type", "login", "--vault", "Acme/Ops", "--name", "Router", "--password", "r1")
	owner.ok("", "item", "add", "--type", "note", "--vault", "Acme/Ops", "--name", "Door code")
	owner.ok("", "item", "add", "--type", "login", "--vault", "Acme/Closed", "--name", "Payroll", "--password", "p1")
	owner.ok("", "org", "remove", "Acme", "mia@exp-cli.example")
	owner.ok("", "item", "add", "--type", "login", "--vault", "Acme/Ops", "--name", "Written after", "--password", "w1")

	out := owner.ok("", "org", "exposure", "Acme", "mia@exp-cli.example")
	for _, want := range []string{"removed from the organisation", "2 item(s) they could read in 1 vault(s)", "Router", "Door code",
		"Acme/Ops", "they may have copied", "change these passwords"} {
		if !strings.Contains(out, want) {
			t.Fatalf("exposure output lacks %q:\n%s", want, out)
		}
	}
	for _, never := range []string{"Payroll", "Written after"} {
		if strings.Contains(out, never) {
			t.Fatalf("exposure output names %q:\n%s", never, out)
		}
	}
	var r struct {
		Notice  string `json:"notice"`
		Records []struct {
			How   string `json:"how"`
			Items []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Vault string `json:"vault"`
			} `json:"items"`
			Hidden int `json:"hidden"`
		} `json:"records"`
	}
	if err := json.Unmarshal([]byte(owner.ok("", "org", "exposure", "Acme", "mia@exp-cli.example", "--json")), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Records) != 1 || r.Records[0].How != "removed" || len(r.Records[0].Items) != 2 || r.Records[0].Hidden != 0 || r.Notice == "" {
		t.Fatalf("--json: %+v", r)
	}
	if it := r.Records[0].Items[0]; it.Name != "Door code" || it.Type != "note" || it.Vault != "Acme/Ops" {
		t.Fatalf("first item: %+v", it)
	}
	pat.fails(7, "", "org", "exposure", "Acme", "mia@exp-cli.example")
	owner.fails(6, "", "org", "exposure", "Acme", "nobody@exp-cli.example")
}

// TestCLIAdminAudit (issue 25, §18.7) with the real binary: an instance
// administrator reads an organisation's verified log by its id — the
// member's signed leave and their own unbinding among it; a
// non-administrator is refused (exit 7); an entry edited in the database
// makes it exit 5.
func TestCLIAdminAudit(t *testing.T) {
	srv := startServer(t, "--admin", "root@adm-audit.example")
	root := user(t, srv, "root@adm-audit.example")
	owner := user(t, srv, "owner@adm-audit.example")
	una := user(t, srv, "una@adm-audit.example")
	leo := user(t, srv, "leo@adm-audit.example")
	owner.orgWith("Acme", una, leo)
	var orgs []struct{ ID string }
	if err := json.Unmarshal([]byte(owner.ok("", "org", "list", "--json")), &orgs); err != nil || len(orgs) != 1 {
		t.Fatalf("org list: %v %+v", err, orgs)
	}
	orgID := orgs[0].ID
	leo.ok("", "org", "leave", "Acme")
	root.ok("", "admin", "unbind", "una@adm-audit.example", orgID)

	out := root.ok("", "admin", "audit", orgID, "--json")
	var actions []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Actor  string `json:"actor"`
			Action string `json:"action"`
			Signed bool   `json:"signed"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("not one JSON object per line: %q", l)
		}
		actions = append(actions, e.Action+"/"+e.Actor)
		if (e.Action == "leave" && !e.Signed) || (e.Action == "unbind" && e.Signed) {
			t.Fatalf("entry %+v", e)
		}
	}
	if got := strings.Join(actions, " "); got != "invite/owner@adm-audit.example join/una@adm-audit.example join/leo@adm-audit.example confirm/owner@adm-audit.example confirm/owner@adm-audit.example leave/leo@adm-audit.example unbind/root@adm-audit.example" {
		t.Fatalf("actions: %s", got)
	}
	if msg := owner.fails(7, "", "admin", "audit", orgID); !strings.Contains(msg, "only instance administrators") {
		t.Fatalf("a non-administrator: %q", msg)
	}
	// The owner reads the same log and remembers it too.
	owner.ok("", "org", "audit", "Acme")

	srv.editAuditEntry(t, 6, "remove")
	if msg := root.fails(5, "", "admin", "audit", orgID); !strings.Contains(msg, "entry 6") {
		t.Fatalf("tampered log: %q", msg)
	}
	// A log cut back below what the administrator saw is caught by the
	// head remembered in their keyring.
	srv.editAuditEntry(t, 6, "leave")
	srv.dropAuditFrom(t, 7)
	if msg := root.fails(5, "", "admin", "audit", orgID); !strings.Contains(msg, "7") {
		t.Fatalf("shortened log: %q", msg)
	}
}

// dropAuditFrom deletes the log's entries from seq on, in the server's
// SQLite file.
func (srv *serverProc) dropAuditFrom(t *testing.T, seq int) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(srv.data, "coffer.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM audit_log WHERE seq >= ?`, seq); err != nil {
		t.Fatal(err)
	}
}
