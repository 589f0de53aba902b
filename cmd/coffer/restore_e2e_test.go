package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRestoreIsSaidAndGivesBackWhatWasLost (issue 28, docs/protocol.md
// §9.1, docs/security.md 28.5): after coffer admin restore, a device that
// holds newer data than the backup applies nothing, says in plain words
// that the server was restored and which items it holds that the server
// lost (exit 8, not tampering); coffer sync --accept-restore gives them
// back, and another device of the account sees them after accepting too.
// A restore declared without any loss (coffer admin mark-restored) asks
// the same and uploads nothing; a rollback without a declaration is
// still tampering (exit 5).
func TestRestoreIsSaidAndGivesBackWhatWasLost(t *testing.T) {
	data := t.TempDir()
	srv := startServerIn(t, data)
	addr := strings.TrimPrefix(srv.url, "http://")
	const email = "restored@example.com"
	a := user(t, srv, email)
	a.ok("", "item", "add", "--type", "note", "--name", "kept-a", "--note", "first")
	b := newCLI(t)
	b.ok(masterPW+"\n", "login", "--server", srv.url, "--email", email, "--password-stdin")
	b.unlock(masterPW)
	b.ok("", "item", "add", "--type", "note", "--name", "kept-b", "--note", itemNote)

	backup := filepath.Join(t.TempDir(), "backup.db")
	a.ok("", "admin", "backup", "--data", data, "--out", backup)
	a.ok("", "item", "add", "--type", "note", "--name", "x", "--note", "lost x")
	a.ok("", "item", "add", "--type", "login", "--name", "y", "--password", "lost-y-password")
	a.ok("", "item", "edit", "kept-a", "--note", "second")

	srv.stop(t)
	a.ok("", "admin", "restore", backup, "--data", data)
	srv = startServerIn(t, data, "--addr", addr)

	r := a.run("", "item", "list")
	if r.code != 8 || strings.Contains(r.stderr, "tamper") || strings.Contains(r.stderr, "authentication") {
		t.Fatalf("after the restore: exit %d, stderr %q; want 8 and no tampering", r.code, r.stderr)
	}
	for _, want := range []string{"restored from a backup of", "3 item(s) changed since then that the server lost", `"kept-a" (My Vault)`, `"x" (My Vault)`, `"y" (My Vault)`, "coffer sync --accept-restore"} {
		if !strings.Contains(r.stderr, want) {
			t.Fatalf("after the restore, stderr %q lacks %q", r.stderr, want)
		}
	}
	// Nothing changed on the device: the same again.
	if r2 := a.run("", "item", "get", "x"); r2.code != 8 {
		t.Fatalf("again: exit %d, stderr %q", r2.code, r2.stderr)
	}

	out := a.ok("", "sync", "--accept-restore")
	for _, want := range []string{`Uploaded "x" (My Vault)`, `Uploaded "y" (My Vault)`, `Uploaded "kept-a" (My Vault)`} {
		if !strings.Contains(out, want) {
			t.Fatalf("accept-restore said:\n%s\nwant %q", out, want)
		}
	}
	if got := a.ok("", "item", "get", "y", "--field", "password"); got != "lost-y-password\n" {
		t.Fatalf("y after the restore = %q", got)
	}

	// B never held x or y: it is asked too, has nothing to give back, and
	// then sees what A gave back.
	if r := b.run("", "item", "list"); r.code != 8 || !strings.Contains(r.stderr, "this device holds nothing that the server lost") {
		t.Fatalf("B after the restore: exit %d, stderr %q", r.code, r.stderr)
	}
	if out := b.ok("", "sync", "--accept-restore"); !strings.Contains(out, "nothing to upload") {
		t.Fatalf("B accept-restore said:\n%s", out)
	}
	list := b.ok("", "item", "list")
	for _, want := range []string{"kept-b", "x", "y"} {
		if !strings.Contains(list, want) {
			t.Fatalf("B's list lacks %q:\n%s", want, list)
		}
	}
	if got := b.ok("", "item", "get", "kept-a", "--field", "notes"); got != "second\n" {
		t.Fatalf("kept-a on B = %q", got)
	}
	b.ok("", "item", "list") // accepted once: no question again

	// A restore declared without any loss (or falsely): asked, nothing
	// to upload, nothing lost.
	a.ok("", "admin", "mark-restored", "--data", data)
	if r := a.run("", "item", "list"); r.code != 8 || !strings.Contains(r.stderr, "this device holds nothing that the server lost") {
		t.Fatalf("after a declaration without loss: exit %d, stderr %q", r.code, r.stderr)
	}
	if out := a.ok("", "sync", "--accept-restore"); !strings.Contains(out, "nothing to upload") {
		t.Fatalf("accepting a declaration without loss said:\n%s", out)
	}
	if list := a.ok("", "item", "list"); !strings.Contains(list, "x") || !strings.Contains(list, "kept-b") {
		t.Fatalf("A's list after accepting:\n%s", list)
	}

	// The old backup put in place by hand: no restore declared, so the
	// older state is tampering, as before.
	srv.stop(t)
	for _, f := range []string{"coffer.db", "coffer.db-wal", "coffer.db-shm"} {
		os.Remove(filepath.Join(data, f))
	}
	a.ok("", "admin", "backup", "--database", "sqlite:"+backup, "--out", filepath.Join(data, "coffer.db"))
	srv = startServerIn(t, data, "--addr", addr)
	if r := a.run("", "item", "list"); r.code != 5 || strings.Contains(r.stderr, "restored") {
		t.Fatalf("a rollback without a declared restore: exit %d, stderr %q; want 5", r.code, r.stderr)
	}
}
