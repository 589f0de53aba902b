package main_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCLIRecoveryLeavesATrace (issue 23, finding 10), with the real
// binary and `coffer serve --smtp-url` mailing a real SMTP server on
// loopback: the owner approves a recovery of Laura's account and it is
// completed on another device. Laura's address is mailed at the approval
// and at the completion. Whoever logs in or unlocks the account next is
// warned — the completing device, then Laura's own laptop with the new
// password — naming the organisation, the owner and that every session
// was signed out, on every unlock (and in --json) until the account
// acknowledges it with `coffer account notices ack`; then no more, and the
// recovery stays in `coffer account recovery status` and `coffer account
// notices`.
func TestCLIRecoveryLeavesATrace(t *testing.T) {
	const newPW = "the member's fresh password 9"
	smtp := startSMTP(t)
	srv := startServer(t, smtpFlags(smtp)...)
	owner := verifiedUser(t, srv, smtp, "boss@trace.example")
	laura := verifiedUser(t, srv, smtp, "laura@trace.example")
	owner.orgWith("Northwind", laura)
	owner.ok("", "org", "recovery", "Northwind", "enable")
	laura.ok("", "account", "recovery", "enrol", "Northwind")
	if out := laura.ok("", "account", "notices"); !strings.Contains(out, "No notices") {
		t.Fatalf("notices before any recovery:\n%s", out)
	}

	phone := newCLI(t)
	out := phone.ok(newPW+"\n"+newPW+"\n", "account", "recovery", "request", "--server", srv.url, "--email", "laura@trace.example", "--password-stdin")
	code := recoveryCodeRe.FindStringSubmatch(out)[1]
	approval := approvalCodeRe.FindStringSubmatch(owner.ok("", "org", "recover", "Northwind", "laura@trace.example", "--code", code))[1]
	approved := smtp.Wait(t, "laura@trace.example", "was approved", 1)[0]
	if !strings.Contains(approved.Body, "boss@trace.example") || strings.Contains(approved.Body, code) || strings.Contains(approved.Body, approval) {
		t.Fatalf("the approval mail:\n%s", approved.Body)
	}

	// Whoever completes is told too: this is what a legitimate member
	// expects to read.
	r := phone.run(newPW+"\n", "account", "recovery", "complete", "--password-stdin", "--code", approval)
	if r.code != 0 {
		t.Fatalf("complete: %+v", r)
	}
	wantWarning := func(what, stderr string) {
		t.Helper()
		for _, want := range []string{"coffer: warning: Your account was recovered through the organisation \"Northwind\"", "its owner boss@trace.example approved it",
			"every session was signed out", "If you did not", "coffer account notices ack"} {
			if !strings.Contains(stderr, want) {
				t.Fatalf("%s: stderr lacks %q:\n%s", what, want, stderr)
			}
		}
	}
	wantWarning("recovery complete", r.stderr)
	done := smtp.Wait(t, "laura@trace.example", "was recovered", 1)[0]
	if !strings.Contains(done.Body, "Every session of your account was signed out") || strings.Contains(done.Body, newPW) || strings.Contains(done.Body, approval) {
		t.Fatalf("the completion mail:\n%s", done.Body)
	}

	// Laura's laptop: the old session was revoked; with the new password
	// the next unlock shows the notice, and so does the one after.
	laura.fails(3, "", "item", "list")
	for i := range 2 {
		r := laura.run(newPW+"\n", "unlock", "--password-stdin")
		if r.code != 0 || !exportRe.MatchString(r.stdout) {
			t.Fatalf("unlock %d: %+v", i+1, r)
		}
		laura.session = exportRe.FindStringSubmatch(r.stdout)[1]
		wantWarning("unlock", r.stderr)
	}
	r = laura.run(newPW+"\n", "unlock", "--password-stdin", "--json")
	var unlocked struct {
		Session string `json:"session"`
		Notices []struct {
			ID, Kind, Org, Approver, Text string
			Seen                          bool
		} `json:"notices"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &unlocked) != nil || unlocked.Session == "" || len(unlocked.Notices) != 1 ||
		unlocked.Notices[0].Kind != "recovered" || unlocked.Notices[0].Org != "Northwind" || unlocked.Notices[0].Approver != "boss@trace.example" || unlocked.Notices[0].Seen {
		t.Fatalf("unlock --json: %+v\n%s", r, r.stdout)
	}
	if out := laura.ok("", "account", "recovery", "status"); !strings.Contains(out, `through "Northwind", approved by boss@trace.example`) {
		t.Fatalf("recovery status names no recovery:\n%s", out)
	}
	if out := laura.ok("", "account", "notices"); !strings.Contains(out, "NEW") || !strings.Contains(out, unlocked.Notices[0].ID) {
		t.Fatalf("notices:\n%s", out)
	}

	// Acknowledged: no more warnings; the history keeps it.
	if out := laura.ok("", "account", "notices", "ack"); !strings.Contains(out, "Acknowledged 1 notice(s)") {
		t.Fatalf("ack: %q", out)
	}
	r = laura.run(newPW+"\n", "unlock", "--password-stdin", "--json")
	if r.code != 0 || strings.Contains(r.stderr, "warning") || !strings.Contains(r.stdout, `"notices": []`) {
		t.Fatalf("unlock after the acknowledgement: %+v", r)
	}
	r = newCLI(t).run(newPW+"\n", "login", "--server", srv.url, "--email", "laura@trace.example", "--password-stdin")
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Fatalf("login after the acknowledgement: %+v", r)
	}
	if out := laura.ok("", "account", "notices"); !strings.Contains(out, "acknowledged ") || strings.Contains(out, "NEW") {
		t.Fatalf("notices after the acknowledgement:\n%s", out)
	}
	if out := laura.ok("", "account", "recovery", "status", "--json"); !strings.Contains(out, `"recoveries": [`) || !strings.Contains(out, `"seen": true`) {
		t.Fatalf("recovery status --json:\n%s", out)
	}
	// The owner has no notice, and cannot acknowledge hers.
	owner.fails(6, "", "account", "notices", "ack", unlocked.Notices[0].ID)
}
