package main_test

// Issue 27, who may sign up: the real CLI against a real coffer serve in
// each mode of the sign-up policy, set by flags and by the config file;
// a refusal is one readable line that says what to do, exit code 7.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// signupRun runs coffer signup for email on a fresh device.
func signupRun(t *testing.T, srv *serverProc, email string) result {
	t.Helper()
	return newCLI(t).run(masterPW+"\n", "signup", "--server", srv.url, "--email", email, "--name", "N", "--password-stdin")
}

// refusedSignup checks that the CLI's sign-up of email is refused with
// exit code 7 and a one-line message containing each of msg.
func refusedSignup(t *testing.T, srv *serverProc, email string, msg ...string) {
	t.Helper()
	stderr := newCLI(t).fails(exitDenied, masterPW+"\n", "signup", "--server", srv.url, "--email", email, "--name", "N", "--password-stdin")
	for _, m := range msg {
		if !strings.Contains(stderr, m) {
			t.Errorf("signup %s said %q, which does not say %q", email, stderr, m)
		}
	}
}

// exitDenied is the CLI's exit code for a refusal by the server (README.md).
const exitDenied = 7

func TestSignupPolicyEndToEnd(t *testing.T) {
	t.Run("open", func(t *testing.T) {
		srv := startServer(t)
		if r := signupRun(t, srv, "anyone@anywhere.example"); r.code != 0 {
			t.Fatalf("open sign-up: %d %s", r.code, r.stderr)
		}
	})

	t.Run("invitation", func(t *testing.T) {
		srv := startServer(t, "--signup", "invitation", "--admin", "owner@example.com")
		refusedSignup(t, srv, "stranger@example.com", "invited addresses", "ask an organisation owner to invite you")
		// The administrator is the first account; their invitation admits
		// the next, and a cancelled one admits nobody.
		owner := user(t, srv, "owner@example.com")
		owner.ok("", "org", "create", "Contoso")
		owner.inviteCode("Contoso", "Ann@Example.com", "bob@example.com")
		user(t, srv, "ann@example.com")
		owner.ok("", "org", "cancel", "Contoso", "bob@example.com")
		refusedSignup(t, srv, "bob@example.com", "ask an organisation owner to invite you")
	})

	t.Run("domains", func(t *testing.T) {
		srv := startServer(t, "--signup-domain", "example.com", "--signup-domain", "Example.ORG")
		user(t, srv, "a@example.com")
		user(t, srv, "b@EXAMPLE.org")
		for _, email := range []string{"c@evilexample.com", "c@sub.example.com", "c@example.com.evil.example"} {
			refusedSignup(t, srv, email, "only for addresses at example.com, example.org")
		}
	})

	t.Run("domains-or-invitation-from-config-file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "coffer.json")
		if err := os.WriteFile(file, []byte(`{"admins": ["owner@example.com"], "signup": "invitation", "signup_domains": ["example.com"], "sso_only_domains": ["corp.example"]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		srv := startServer(t, "--config-file", file)
		owner := user(t, srv, "owner@example.com")
		user(t, srv, "staff@example.com")
		refusedSignup(t, srv, "partner@elsewhere.example", "only for addresses at example.com, or invited ones")
		owner.ok("", "org", "create", "Contoso")
		owner.inviteCode("Contoso", "partner@elsewhere.example", "alice@corp.example")
		user(t, srv, "partner@elsewhere.example")
		// Invited or not, an SSO-only address does not sign up with a
		// master password.
		refusedSignup(t, srv, "alice@corp.example", "addresses at corp.example sign in with the company's single sign-on")
	})

	t.Run("sso-only", func(t *testing.T) {
		srv := startServer(t, "--sso-only-domain", "corp.example")
		refusedSignup(t, srv, "alice@corp.example", "addresses at corp.example sign in with the company's single sign-on")
		refusedSignup(t, srv, "bob@eu.corp.example", "addresses at corp.example sign in")
		user(t, srv, "eve@evilcorp.example")
	})

	t.Run("bad-settings", func(t *testing.T) {
		for _, args := range [][]string{
			{"--signup", "closed"},
			{"--signup-domain", "@example.com"},
			{"--signup-domain", "eu.corp.example", "--sso-only-domain", "corp.example"},
		} {
			r := newCLI(t).run("", append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, args...)...)
			if r.code != 2 || !strings.HasPrefix(r.stderr, "coffer: ") {
				t.Errorf("serve %v: exit %d, stderr %q; want a usage error", args, r.code, r.stderr)
			}
		}
		file := filepath.Join(t.TempDir(), "coffer.json")
		os.WriteFile(file, []byte(`{"signup": "invitation", "signup_domain": ["example.com"]}`), 0o600)
		if r := newCLI(t).run("", "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--config-file", file); r.code != 2 || !strings.Contains(r.stderr, "signup_domain") {
			t.Errorf("a misspelt key: exit %d, stderr %q", r.code, r.stderr)
		}
	})
}
