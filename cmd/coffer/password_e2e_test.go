package main_test

import (
	"strings"
	"testing"
)

// TestCLIChangeMasterPassword (issue 15): a master password change on one
// device re-wraps the account key; every item stays readable; the old
// password no longer logs in nor unlocks anywhere — not even on a second
// device whose profile still holds the old wrap; the new one does; with
// --revoke-sessions the other device's server session ends.
func TestCLIChangeMasterPassword(t *testing.T) {
	const next = "a completely different passphrase 7"
	srv := startServer(t)
	laptop := user(t, srv, "pw@example.com")
	laptop.ok("", "item", "add", "--type", "login", "--name", "Bank", "--password", itemPass)
	desk := newCLI(t)
	desk.ok(masterPW+"\n", "login", "--server", srv.url, "--email", "pw@example.com", "--password-stdin")
	desk.unlock(masterPW)
	deskBefore := desk.session

	// Wrong current password: refused, nothing changed.
	msg := laptop.fails(3, "not the password at all\n"+next+"\n", "account", "password", "--password-stdin")
	if !strings.Contains(msg, "wrong master password") || strings.Contains(msg, next) {
		t.Fatalf("wrong current password: %q", msg)
	}
	// Too short a new one: a usage error before anything is sent.
	laptop.fails(2, masterPW+"\nshort\n", "account", "password", "--password-stdin")
	desk.unlock(masterPW)

	r := laptop.run(masterPW+"\n"+next+"\n", "account", "password", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stderr, "Master password changed") {
		t.Fatalf("account password: %+v", r)
	}
	// This device's open session goes on; a new unlock needs the new one.
	if got := laptop.ok("", "item", "get", "Bank", "--field", "password"); got != itemPass+"\n" {
		t.Fatalf("after the change: %q", got)
	}
	laptop.fails(3, masterPW+"\n", "unlock", "--password-stdin")
	laptop.unlock(next)

	// The other device: its profile still holds the old wrap, which the
	// old password opens — but the server says the password changed.
	msg = desk.fails(3, masterPW+"\n", "unlock", "--password-stdin")
	if !strings.Contains(msg, "changed on another device") {
		t.Fatalf("old password on the other device: %q", msg)
	}
	r = desk.run(next+"\n", "unlock", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stderr, "changed on another device") {
		t.Fatalf("new password on the other device: %+v", r)
	}
	desk.session = exportRe.FindStringSubmatch(r.stdout)[1]
	if got := desk.ok("", "item", "get", "Bank", "--field", "password"); got != itemPass+"\n" {
		t.Fatalf("the other device after the change: %q", got)
	}
	desk.fails(3, masterPW+"\n", "unlock", "--password-stdin") // and stays so
	// Log in from scratch: only the new password.
	fresh := newCLI(t)
	fresh.fails(3, masterPW+"\n", "login", "--server", srv.url, "--email", "pw@example.com", "--password-stdin")
	fresh.ok(next+"\n", "login", "--server", srv.url, "--email", "pw@example.com", "--password-stdin")

	// Back again, ending every other session: the desk's sessions (its
	// old shell too) lose the server and must log in again.
	r = laptop.run(next+"\n"+masterPW+"\n", "account", "password", "--password-stdin", "--revoke-sessions")
	if r.code != 0 || !strings.Contains(r.stderr, "other session(s) of your account were ended") {
		t.Fatalf("account password --revoke-sessions: %+v", r)
	}
	laptop.ok("", "item", "get", "Bank") // the caller's own session stays
	for _, key := range []string{desk.session, deskBefore} {
		desk.session = key
		desk.fails(3, "", "item", "list")
	}
	desk.fails(3, next+"\n", "unlock", "--password-stdin")
	desk.unlock(masterPW)
	desk.ok("", "item", "get", "Bank")
	assertNoPlaintext(t, laptop.config, masterPW, next, itemPass)
	assertNoPlaintext(t, desk.config, masterPW, next, itemPass)
}

// TestCLIRaiseKDF (issue 15): raising the Argon2id parameters keeps the
// password, reaches every device, and cannot go down.
func TestCLIRaiseKDF(t *testing.T) {
	srv := startServer(t)
	a := user(t, srv, "kdf@example.com")
	a.ok("", "item", "add", "--type", "note", "--name", "n", "--note", "kept")
	b := newCLI(t)
	b.ok(masterPW+"\n", "login", "--server", srv.url, "--email", "kdf@example.com", "--password-stdin")
	a.fails(2, "", "account", "kdf")
	if msg := a.fails(2, masterPW+"\n", "account", "kdf", "--memory", "1024", "--password-stdin"); !strings.Contains(msg, "only be raised") {
		t.Fatalf("lowering: %q", msg)
	}
	r := a.run(masterPW+"\n", "account", "kdf", "--memory", "131072", "--time", "4", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stderr, "t=4 m=131072 KiB p=4") {
		t.Fatalf("account kdf: %+v", r)
	}
	a.unlock(masterPW)
	r = b.run(masterPW+"\n", "unlock", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stderr, "changed on another device") {
		t.Fatalf("the other device after the KDF change: %+v", r)
	}
	b.session = exportRe.FindStringSubmatch(r.stdout)[1]
	if got := b.ok("", "item", "get", "n", "--field", "notes"); got != "kept\n" {
		t.Fatalf("after the KDF change: %q", got)
	}
	if msg := a.fails(2, masterPW+"\n", "account", "kdf", "--time", "3", "--password-stdin"); !strings.Contains(msg, "now t=4 m=131072") {
		t.Fatalf("lowering after the raise: %q", msg)
	}
}
