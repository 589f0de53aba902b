package main_test

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type histEntry struct {
	Revision uint64 `json:"revision"`
	Author   string `json:"author"`
	Changes  []struct {
		Field string `json:"field"`
		Old   string `json:"old"`
		New   string `json:"new"`
	} `json:"changes"`
}

func history(t *testing.T, c *cli, item string, extra ...string) []histEntry {
	t.Helper()
	var h []histEntry
	if err := json.Unmarshal([]byte(c.ok("", append([]string{"item", "history", item, "--json"}, extra...)...)), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestSharedHistoryAndRollback: two editors change different fields in
// turn; history names both authors and each field's old → new value;
// restore-field and rollback make new revisions; a view-only member sees
// the history but cannot roll back.
func TestSharedHistoryAndRollback(t *testing.T) {
	srv := startServer(t)
	owner := user(t, srv, "owner@hist.example")
	ed1 := user(t, srv, "ed1@hist.example")
	ed2 := user(t, srv, "ed2@hist.example")
	viewer := user(t, srv, "viewer@hist.example")
	owner.ok("", "org", "create", "Hist")
	code := owner.inviteCode("Hist", "ed1@hist.example", "ed2@hist.example", "viewer@hist.example")
	for _, c := range []*cli{ed1, ed2, viewer} {
		c.ok("", "org", "join", "Hist", "--code", code)
	}
	owner.ok("", "org", "confirm", "Hist", "ed1@hist.example", "ed2@hist.example", "viewer@hist.example")
	owner.ok("", "vault", "create", "Hist", "Shared")
	owner.ok("", "vault", "grant", "Hist/Shared", "--user", "ed1@hist.example", "--permission", "edit")
	owner.ok("", "vault", "grant", "Hist/Shared", "--user", "ed2@hist.example", "--permission", "edit")
	owner.ok("", "vault", "grant", "Hist/Shared", "--user", "viewer@hist.example", "--permission", "view")

	ed1.ok("", "item", "add", "--type", "login", "--vault", "Hist/Shared", "--name", "Router", "--username", "admin", "--password", "first-pass")
	ed2.ok("", "item", "edit", "Router", "--username", "root")        // revision 2, by ed2
	ed1.ok("", "item", "edit", "Router", "--password", "second-pass") // revision 3, by ed1
	ed2.ok("", "item", "edit", "Router", "--url", "https://10.0.0.1") // revision 4, by ed2

	h := history(t, viewer, "Router", "--reveal")
	if len(h) != 4 {
		t.Fatalf("history: %+v", h)
	}
	want := []struct {
		author, field, old, new string
	}{
		{"ed1@hist.example", "password", "", "first-pass"},
		{"ed2@hist.example", "username", "admin", "root"},
		{"ed1@hist.example", "password", "first-pass", "second-pass"},
		{"ed2@hist.example", "url", "", "https://10.0.0.1"},
	}
	for i, w := range want {
		e := h[i]
		if e.Author != w.author {
			t.Fatalf("revision %d by %s, want %s", i+1, e.Author, w.author)
		}
		found := false
		for _, c := range e.Changes {
			if c.Field == w.field && c.Old == w.old && c.New == w.new {
				found = true
			}
		}
		if !found {
			t.Fatalf("revision %d changes %+v lack %s: %q → %q", i+1, e.Changes, w.field, w.old, w.new)
		}
	}
	// Without --reveal, secret values are masked.
	for _, e := range history(t, viewer, "Router") {
		for _, c := range e.Changes {
			if strings.Contains(c.Old+c.New, "pass") {
				t.Fatalf("history without --reveal shows %+v", c)
			}
		}
	}

	// restore-field: the password of revision 1, other fields unchanged.
	ed2.ok("", "item", "restore-field", "Router", "--field", "password", "--revision", "1")
	if got := ed1.ok("", "item", "get", "Router", "--field", "password"); got != "first-pass\n" {
		t.Fatalf("after restore-field: %q", got)
	}
	if got := ed1.ok("", "item", "get", "Router", "--field", "username"); got != "root\n" {
		t.Fatalf("restore-field changed the username: %q", got)
	}
	// rollback to revision 2: everything as it was then.
	ed1.ok("", "item", "rollback", "Router", "--to", "2")
	for field, want := range map[string]string{"username": "root", "password": "first-pass"} {
		if got := ed2.ok("", "item", "get", "Router", "--field", field); got != want+"\n" {
			t.Fatalf("after rollback %s = %q", field, got)
		}
	}
	ed2.fails(6, "", "item", "get", "Router", "--field", "url")
	if h := history(t, owner, "Router"); len(h) != 6 {
		t.Fatalf("%d revisions after restore-field and rollback, want 6", len(h))
	}
	// The view-only member sees the history but cannot roll back.
	if msg := viewer.fails(7, "", "item", "rollback", "Router", "--to", "1"); !strings.Contains(msg, "403") {
		t.Fatalf("view-only rollback: %q", msg)
	}
	viewer.fails(7, "", "item", "restore-field", "Router", "--field", "username", "--revision", "1")
	if h := history(t, owner, "Router"); len(h) != 6 {
		t.Fatalf("a refused rollback wrote a revision")
	}
}

// TestDeviceRefusesRollbackAcrossRuns: a device that saw revision 2 keeps
// that mark; a server (here, an edited database) that later serves
// revision 1 as the head is refused.
func TestDeviceRefusesRollbackAcrossRuns(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "marks@example.com")
	c.ok("", "item", "add", "--type", "note", "--name", "diary", "--note", "one")
	c.ok("", "item", "edit", "diary", "--note", "two")
	db, err := sql.Open("sqlite", filepath.Join(srv.data, "coffer.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM revisions WHERE revision = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE items SET head = 1, head_json = NULL`); err != nil {
		t.Fatal(err)
	}
	if msg := c.fails(5, "", "item", "get", "diary"); !strings.Contains(msg, "rollback") {
		t.Fatalf("rolled-back head: %q", msg)
	}
}

// TestFilesThroughCLI: attach, download (verified) and a file item.
func TestFilesThroughCLI(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "files@example.com")
	dir := t.TempDir()
	src := filepath.Join(dir, "report.pdf")
	data := make([]byte, 3<<20+77)
	rand.Read(data)
	os.WriteFile(src, data, 0o600)
	c.ok("", "item", "add", "--type", "file", "--name", "Report", "--file", src)
	c.ok("", "item", "add", "--type", "note", "--name", "Contract", "--note", "see attachment")
	c.ok("", "item", "attach", "Contract", "--file", src)
	for _, item := range []string{"Report", "Contract"} {
		out := filepath.Join(dir, item+".out")
		c.ok("", "item", "download", item, "--out", out)
		got, _ := os.ReadFile(out)
		if !bytes.Equal(got, data) {
			t.Fatalf("%s: downloaded file differs", item)
		}
	}
	if out := c.ok("", "item", "get", "Contract"); !strings.Contains(out, "report.pdf") {
		t.Fatalf("item get does not list the attachment:\n%s", out)
	}
	assertNoPlaintext(t, srv.data, "report.pdf", string(data[1000:1032]))
	// Purge: only from the trash; the file goes with the item.
	c.fails(6, "", "item", "purge", "Report")
	c.ok("", "item", "rm", "Report")
	c.ok("", "item", "purge", "Report")
	c.fails(6, "", "item", "restore", "Report")
}

// TestRunInjectsSecrets: `coffer run -- env` gives the child the secrets
// and coffer itself prints none; the child's exit status comes back.
func TestRunInjectsSecrets(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "ci@example.com")
	c.ok("", "item", "add", "--type", "secret", "--name", "Deploy keys", "--field", "AWS_ACCESS_KEY_ID=AKIAEXAMPLE123", "--field", "aws-secret.key=s3cr3t/value")
	c.ok("", "item", "add", "--type", "login", "--name", "DB", "--password", "db-pass-999")
	r := c.runEnv([]string{"DB_PASSWORD=coffer://My%20Vault/DB/password"}, "", "run", "--item", "Deploy keys", "--", "env")
	if r.code != 0 {
		t.Fatalf("coffer run: %+v", r)
	}
	for _, want := range []string{"AWS_ACCESS_KEY_ID=AKIAEXAMPLE123\n", "aws_secret_key=s3cr3t/value\n", "DB_PASSWORD=db-pass-999\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("child env lacks %q", want)
		}
	}
	if strings.Contains(r.stdout, "COFFER_SESSION=") {
		t.Fatal("the child received the vault session")
	}
	if r.stderr != "" {
		t.Fatalf("coffer printed on stderr: %q", r.stderr)
	}
	// The child's exit status is coffer's.
	if r := c.run("", "run", "--item", "Deploy keys", "--", "sh", "-c", "exit 42"); r.code != 42 || r.stderr != "" {
		t.Fatalf("exit status: %+v", r)
	}
	// A clash with the environment is an error unless --override.
	if r := c.runEnv([]string{"AWS_ACCESS_KEY_ID=already"}, "", "run", "--item", "Deploy keys", "--", "true"); r.code != 2 || !strings.Contains(r.stderr, "--override") {
		t.Fatalf("clash: %+v", r)
	}
	if r := c.runEnv([]string{"AWS_ACCESS_KEY_ID=already"}, "", "run", "--override", "--item", "Deploy keys", "--", "env"); !strings.Contains(r.stdout, "AWS_ACCESS_KEY_ID=AKIAEXAMPLE123") {
		t.Fatalf("--override: %+v", r)
	}
	assertNoPlaintext(t, c.config, "AKIAEXAMPLE123", "s3cr3t/value", "db-pass-999")
}

// TestCLIDetectsItemsHiddenInTheDatabase: whoever controls the server's
// database takes an item out of the trash, or deletes one outright. The
// signed vault manifest no longer matches: the CLI refuses (exit 5) on this
// device and on a fresh one, and lists nothing from that answer.
func TestCLIDetectsItemsHiddenInTheDatabase(t *testing.T) {
	srv := startServer(t)
	c := user(t, srv, "hidden@example.com")
	c.ok("", "item", "add", "--type", "note", "--name", "kept", "--note", "k")
	c.ok("", "item", "add", "--type", "note", "--name", "evidence", "--note", "e")
	c.ok("", "item", "add", "--type", "note", "--name", "binned", "--note", "b")
	c.ok("", "item", "rm", "binned")
	db, err := sql.Open("sqlite", filepath.Join(srv.data, "coffer.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var binned string
	var trashedAt int64
	if err := db.QueryRow(`SELECT id, trashed_at FROM items WHERE trashed_at <> 0`).Scan(&binned, &trashedAt); err != nil {
		t.Fatal(err)
	}

	// Out of the trash, behind the user's back.
	if _, err := db.Exec(`UPDATE items SET trashed_at = 0 WHERE id = ?`, binned); err != nil {
		t.Fatal(err)
	}
	if msg := c.fails(5, "", "item", "list"); !strings.Contains(msg, "manifest") {
		t.Fatalf("un-trashed item: %q", msg)
	}
	if _, err := db.Exec(`UPDATE items SET trashed_at = ? WHERE id = ?`, trashedAt, binned); err != nil {
		t.Fatal(err)
	}
	if out := c.ok("", "item", "list"); !strings.Contains(out, "evidence") {
		t.Fatalf("after putting it back: %q", out)
	}

	// One item deleted with everything that belongs to it.
	var id string
	if err := db.QueryRow(`SELECT id FROM items WHERE id <> ? ORDER BY created_at DESC LIMIT 1`, binned).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM item_key_wraps WHERE item_id = ?`, `DELETE FROM revisions WHERE item_id = ?`, `DELETE FROM items WHERE id = ?`} {
		if _, err := db.Exec(q, id); err != nil {
			t.Fatal(err)
		}
	}
	// A device with a device cache holds the verified item: a delta that
	// leaves it out changes nothing there, and the server cannot take it
	// back (nor make it look deleted).
	if out := c.ok("", "item", "get", "kept"); !strings.Contains(out, "kept") {
		t.Fatalf("cached device after the deletion: %q", out)
	}
	// Without its cache, the same device syncs in full and refuses.
	if err := os.RemoveAll(filepath.Join(c.config, "cache")); err != nil {
		t.Fatal(err)
	}
	r := c.run("", "item", "list")
	if r.code != 5 || !strings.Contains(r.stderr, "manifest") || strings.Contains(r.stdout, "kept") {
		t.Fatalf("deleted item: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	fresh := newCLI(t)
	fresh.ok(masterPW+"\n", "login", "--server", srv.url, "--email", "hidden@example.com", "--password-stdin")
	fresh.unlock(masterPW)
	if msg := fresh.fails(5, "", "item", "list"); !strings.Contains(msg, "manifest") {
		t.Fatalf("fresh device: %q", msg)
	}
}
