package main_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/ssotest"
)

// ssoServer runs a real OpenID Connect provider (internal/ssotest) and a
// coffer serve that uses it as "Corp ID", people at corp.example on
// single sign-on only. Coffer's address must be known before it starts
// (the provider sends browsers back to PUBLIC_URL/api/v1/sso/callback),
// so it listens on a port the kernel just gave out.
func ssoServer(t *testing.T, extra ...string) (*serverProc, *ssotest.Provider) {
	t.Helper()
	idp := ssotest.Start(t,
		ssotest.User{ID: "sub-alice", Username: "alice", Password: "idp-alice-pw", Email: "alice@corp.example", EmailVerified: true, FirstName: "Alice", LastName: "Archer"},
		ssotest.User{ID: "sub-bob", Username: "bob", Password: "idp-bob-pw", Email: "bob@corp.example", EmailVerified: false, FirstName: "Bob", LastName: "Baker"},
	)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	public := "http://" + addr
	idp.Register("coffer", "corp-id-client-secret", public+"/api/v1/sso/callback")
	t.Setenv("COFFER_OIDC_CLIENT_SECRET", "corp-id-client-secret")
	srv := startServer(t, append([]string{"--addr", addr, "--public-url", public, "--oidc-issuer", idp.Issuer,
		"--oidc-client-id", "coffer", "--oidc-name", "Corp ID", "--sso-only-domain", "corp.example"}, extra...)...)
	return srv, idp
}

var ssoURLRe = regexp.MustCompile(`(?m)^  (http://127\.0\.0\.1:\d+/\S+)$`)

// loginSSO runs coffer login --sso with stdin, signs in at the provider
// as a browser would when the address appears, and returns the result.
func (c *cli) loginSSO(srv *serverProc, user, password, stdin string) result {
	c.t.Helper()
	cmd := exec.Command(cofferBin, "login", "--sso", "--server", srv.url, "--password-stdin")
	cmd.Env = append(os.Environ(), "COFFER_CONFIG_DIR="+c.config)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	errb := newLockedBuffer()
	cmd.Stdout, cmd.Stderr = &out, errb
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	errb.waitFor(c.t, "Waiting for the sign-in")
	m := ssoURLRe.FindStringSubmatch(errb.String())
	if m == nil {
		c.t.Fatalf("no address printed:\n%s", errb.String())
	}
	// The browser: the provider's login form, then back to Coffer, then
	// to the CLI's loopback page.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := ssotest.SignIn(ctx, m[1], user, password, ""); err != nil {
		c.t.Fatal(err)
	}
	err := cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	if m := exportRe.FindStringSubmatch(out.String()); m != nil {
		c.session = m[1]
	}
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// TestCLILoginSSO (issue 27): coffer login --sso against a real provider —
// the first sign-in creates the account with the master password chosen
// then, the next logs in with it, the password alone is refused for the
// SSO-only domain, and an address the provider did not verify is refused.
func TestCLILoginSSO(t *testing.T) {
	srv, _ := ssoServer(t)
	const pw = "alice's own master password"
	alice := newCLI(t)
	r := alice.loginSSO(srv, "alice", "idp-alice-pw", pw+"\n")
	if r.code != 0 || !strings.Contains(r.stderr, "Signed in with Corp ID as alice@corp.example") ||
		!strings.Contains(r.stderr, "has no Coffer account yet") || !strings.Contains(r.stderr, "Account alice@corp.example created") {
		t.Fatalf("first sign-in: %+v", r)
	}
	alice.ok("", "item", "add", "--type", "login", "--name", "Corp VPN", "--username", "alice", "--password", "vpn-secret-9")

	// Another device: SSO, then the master password.
	laptop := newCLI(t)
	r = laptop.loginSSO(srv, "alice", "idp-alice-pw", pw+"\n")
	if r.code != 0 || !strings.Contains(r.stderr, "Logged in as alice@corp.example") {
		t.Fatalf("second sign-in: %+v", r)
	}
	if out := laptop.ok("", "item", "get", "Corp VPN", "--field", "password"); strings.TrimSpace(out) != "vpn-secret-9" {
		t.Fatalf("item read back %q", out)
	}
	// The wrong master password after a good SSO: exit 3.
	if r := newCLI(t).loginSSO(srv, "alice", "idp-alice-pw", "not alice's password\n"); r.code != 3 {
		t.Fatalf("wrong master password: %+v", r)
	}
	// The password alone: refused for corp.example, and told how.
	msg := newCLI(t).fails(7, pw+"\n", "login", "--server", srv.url, "--email", "alice@corp.example", "--password-stdin")
	if !strings.Contains(msg, "Log in with Corp ID") || !strings.Contains(msg, "--sso") {
		t.Fatalf("password log-in refused with %q", msg)
	}
	// An address the provider does not vouch for.
	r = newCLI(t).loginSSO(srv, "bob", "idp-bob-pw", "bob's master password\n")
	if r.code == 0 || !strings.Contains(r.stderr, "verified") {
		t.Fatalf("unverified address: %+v", r)
	}
	// Nothing secret in the server's log: no ticket, no code, no secret.
	for _, s := range []string{"cst1_", "corp-id-client-secret", pw, "code="} {
		if strings.Contains(srv.stderr.String(), s) {
			t.Fatalf("the server log holds %q", s)
		}
	}
}

// TestWebAppSSO (issue 27): web/e2e/sso.mjs in Chromium against the real
// provider — the log-in page's "Log in with Corp ID", the provider's own
// log-in page, back to choose (then enter) the master password; the
// e-mail form refused for corp.example; an unverified address refused.
func TestWebAppSSO(t *testing.T) {
	webTools(t)
	srv, _ := ssoServer(t)
	runScenario(t, "sso.mjs", srv.url, "COFFER_PASSWORD="+masterPW)
}
