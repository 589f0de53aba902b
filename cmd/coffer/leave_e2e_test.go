package main_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLeaveManagementStory is the seeds' leave management with the real
// binary (issue 25): Dana is in two organisations, and in Acme in an
// organisation group and in Erin's private group. An instance
// administrator unbinds her from Acme: her open `coffer watch` is told at
// once, she keeps My Vault and Beta; the owner's next command signs her
// out of the roster and rotates what it holds the keys of; the private
// group and its vault stay pending until Erin, its manager, next runs a
// command; the exposure report lists exactly the items she could read.
func TestLeaveManagementStory(t *testing.T) {
	srv := startServer(t, "--admin", "root@story.example")
	root := user(t, srv, "root@story.example")
	acme := user(t, srv, "owner@acme.example")
	beta := user(t, srv, "owner@beta.example")
	dana := user(t, srv, "dana@story.example")
	erin := user(t, srv, "erin@acme.example")
	frank := user(t, srv, "frank@acme.example")
	acme.orgWith("Acme", dana, erin, frank)
	beta.orgWith("Beta", dana)

	// Acme: a vault for the Ops group (Dana, Frank), a vault Dana never
	// had, and Erin's private group with Dana in it.
	acme.ok("", "vault", "create", "Acme", "Servers")
	acme.ok("", "vault", "create", "Acme", "Finance")
	acme.ok("", "group", "create", "Acme", "Ops")
	acme.ok("", "group", "add", "Acme", "Ops", "dana@story.example", "frank@acme.example")
	acme.ok("", "vault", "grant", "Acme/Servers", "--group", "Ops", "--permission", "view")
	acme.ok("", "item", "add", "--type", "login", "--vault", "Acme/Servers", "--name", "router", "--password", "r0uter")
	acme.ok("", "item", "add", "--type", "note", "--vault", "Acme/Finance", "--name", "payroll", "--note", "salaries")
	erin.ok("", "group", "create", "Acme", "Launch", "--private")
	erin.ok("", "group", "add", "Acme", "Launch", "dana@story.example")
	erin.ok("", "item", "add", "--type", "note", "--vault", "Acme/Launch", "--name", "launch-codes", "--note", "0000")
	beta.ok("", "vault", "create", "Beta", "Docs")
	beta.ok("", "vault", "grant", "Beta/Docs", "--user", "dana@story.example", "--permission", "view")
	beta.ok("", "item", "add", "--type", "note", "--vault", "Beta/Docs", "--name", "beta-handbook", "--note", "welcome")
	dana.ok("", "item", "add", "--type", "login", "--name", "my-bank", "--password", "b4nk")
	for _, name := range []string{"router", "launch-codes", "beta-handbook", "my-bank"} {
		if out := dana.ok("", "item", "list"); !strings.Contains(out, name) {
			t.Fatalf("before: dana does not list %s:\n%s", name, out)
		}
	}
	acmeID := orgID(t, acme, "Acme")

	// The administrator unbinds her; her watch hears of it.
	w := dana.watch(t)
	root.ok("", "admin", "unbind", "dana@story.example", acmeID)
	w.waitLine(t, "you were removed from an organisation")
	if out := dana.ok("", "org", "list"); strings.Contains(out, "Acme") || !strings.Contains(out, "Beta") {
		t.Fatalf("after the unbind dana lists:\n%s", out)
	}
	out := dana.ok("", "item", "list")
	for _, name := range []string{"beta-handbook", "my-bank"} {
		if !strings.Contains(out, name) {
			t.Fatalf("dana lost %s:\n%s", name, out)
		}
	}
	for _, name := range []string{"router", "launch-codes"} {
		if strings.Contains(out, name) {
			t.Fatalf("dana still lists %s:\n%s", name, out)
		}
	}
	pending := srv.pendingRotations(t, acmeID)
	if len(pending) != 5 {
		t.Fatalf("pending after the unbind: %v (want the organisation, Ops, Launch and their two vaults)", pending)
	}

	// The owner's next command signs the roster and rotates what its keys
	// reach; the private group waits for Erin.
	acme.ok("", "org", "members", "Acme")
	if got := srv.pendingRotations(t, acmeID); len(got) != 2 || !slices.Contains(got, "group") || !slices.Contains(got, "vault") {
		t.Fatalf("pending after the owner's command: %v (want the private group and its vault)", got)
	}
	if out := acme.ok("", "org", "members", "Acme"); strings.Contains(out, "dana@story.example") && !strings.Contains(out, "former") {
		t.Fatalf("the owner still lists dana as a member:\n%s", out)
	}
	erin.ok("", "item", "list")
	if got := srv.pendingRotations(t, acmeID); len(got) != 0 {
		t.Fatalf("pending after erin's command: %v", got)
	}
	// Everyone who stays keeps working at the new epochs.
	erin.ok("", "item", "add", "--type", "note", "--vault", "Acme/Launch", "--name", "launch-codes-2", "--note", "1111")
	frank.ok("", "item", "get", "router")
	acme.ok("", "item", "add", "--type", "login", "--vault", "Acme/Servers", "--name", "router-2", "--password", "new")
	frank.ok("", "item", "get", "router-2")

	// The audit log tells it: the administrator's unbind (the server's
	// word: an administrator is in no roster), then the rotations, each
	// signed by whoever did it.
	var unbind, rotations int
	for _, line := range strings.Split(strings.TrimSpace(acme.ok("", "org", "audit", "Acme", "--json")), "\n") {
		var e struct{ Actor, Action string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		switch e.Action {
		case "unbind":
			unbind++
			if !strings.HasPrefix(e.Actor, "instance administrator ") {
				t.Fatalf("the unbind's actor is %q", e.Actor)
			}
		case "rotate":
			rotations++
			if e.Actor != "owner@acme.example" && e.Actor != "erin@acme.example" {
				t.Fatalf("a rotation by %q", e.Actor)
			}
		}
	}
	if unbind != 1 || rotations != 5 {
		t.Fatalf("audit: %d unbind, %d rotate entries; want 1 and 5", unbind, rotations)
	}

	// The exposure report: exactly what she could read.
	var report struct {
		Records []struct {
			How   string `json:"how"`
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
			Hidden int `json:"hidden"`
		} `json:"records"`
	}
	if err := json.Unmarshal([]byte(acme.ok("", "org", "exposure", "Acme", "dana@story.example", "--json")), &report); err != nil {
		t.Fatal(err)
	}
	if len(report.Records) != 1 || report.Records[0].How != "unbound" {
		t.Fatalf("exposure records: %+v", report.Records)
	}
	var names []string
	for _, it := range report.Records[0].Items {
		names = append(names, it.Name)
	}
	// The owner names what it can open (router); the private group's item
	// is counted, not named; payroll and everything written since are not
	// there.
	if strings.Join(names, ",") != "router" || report.Records[0].Hidden != 1 {
		t.Fatalf("exposure: items %v, hidden %d; want router and 1 hidden", names, report.Records[0].Hidden)
	}
	if text := acme.ok("", "org", "exposure", "Acme", "dana@story.example"); !strings.Contains(text, "router") || !strings.Contains(strings.ToLower(text), "copied") {
		t.Fatalf("exposure text:\n%s", text)
	}
}

func orgID(t *testing.T, c *cli, name string) string {
	t.Helper()
	var orgs []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(c.ok("", "org", "list", "--json")), &orgs); err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Name == name {
			return o.ID
		}
	}
	t.Fatalf("no organisation %s in %+v", name, orgs)
	return ""
}

// pendingRotations reads the kinds of the organisation's owed rotations
// from the server's database.
func (srv *serverProc) pendingRotations(t *testing.T, orgID string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(srv.data, "coffer.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT kind FROM pending_rotations WHERE org_id = ? ORDER BY kind`, orgID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var kinds []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
	}
	return kinds
}
