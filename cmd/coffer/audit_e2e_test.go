package main_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIAuditLog (issue 25, docs/protocol.md §18.7) with the real
// binary: the owner reads the organisation's verified audit log, as a
// table and as JSON lines; a member is refused; an entry edited in the
// server's SQLite file makes `coffer org audit` exit 5.
func TestCLIAuditLog(t *testing.T) {
	srv := startServer(t)
	owner := user(t, srv, "owner@audit-cli.example")
	member := user(t, srv, "member@audit-cli.example")
	owner.orgWith("Acme", member)
	owner.ok("", "vault", "create", "Acme", "Ops")
	owner.ok("", "org", "rename", "Acme", "Acme2")

	out := owner.ok("", "org", "audit", "Acme2", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var actions []string
	for _, l := range lines {
		var e struct {
			Seq    uint64 `json:"seq"`
			Actor  string `json:"actor"`
			Action string `json:"action"`
			Source string `json:"source"`
			Signed bool   `json:"signed"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("not one JSON object per line: %q", l)
		}
		actions = append(actions, e.Action)
		if e.Source != "127.0.0.1" || (e.Action == "join") == e.Signed {
			t.Fatalf("entry %+v", e)
		}
	}
	if got := strings.Join(actions, " "); got != "invite join confirm vault-create rename" {
		t.Fatalf("actions: %s", got)
	}
	if out := owner.ok("", "org", "audit", "Acme2", "--action", "join"); !strings.Contains(out, "member@audit-cli.example") || strings.Contains(out, "vault-create") {
		t.Fatalf("filtered table:\n%s", out)
	}
	member.fails(7, "", "org", "audit", "Acme2")

	srv.editAuditEntry(t, 4, "delete")
	if msg := owner.fails(5, "", "org", "audit", "Acme2"); !strings.Contains(msg, "entry 4") {
		t.Fatalf("tampered log: %q", msg)
	}
}

// editAuditEntry changes an entry's action in the server's SQLite file,
// leaving its stored hash: what someone with the database would do.
func (srv *serverProc) editAuditEntry(t *testing.T, seq int, action string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(srv.data, "coffer.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE audit_log SET action = ? WHERE seq = ?`, action, seq)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%d rows edited", n)
	}
}
