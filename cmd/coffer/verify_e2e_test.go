package main_test

// Issue 13, findings 5-7 through the real binary: `coffer serve` with a
// real SMTP server on loopback.

import (
	"regexp"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/internal/mail/mailtest"
)

func startSMTP(t *testing.T) *mailtest.Mailbox { return mailtest.Start(t) }

func smtpFlags(smtp *mailtest.Mailbox) []string {
	return []string{"--smtp-url", smtp.URL("coffer@contoso.example"), "--public-url", "https://vault.contoso.example"}
}

// waitMails waits for n mails to addr and returns them, header and
// decoded body.
func waitMails(t *testing.T, smtp *mailtest.Mailbox, addr string, n int) []string {
	t.Helper()
	var out []string
	for _, m := range smtp.Wait(t, addr, "", n) {
		out = append(out, m.Head+"\n\n"+m.Body)
	}
	return out
}

var mailCodeRe = regexp.MustCompile(`coffer account verify (\d{4}-\d{4})`)

// verifiedUser signs up through the CLI on a server that sends mail,
// enters the mailed code with `coffer account verify` and unlocks.
func verifiedUser(t *testing.T, srv *serverProc, smtp *mailtest.Mailbox, email string) *cli {
	t.Helper()
	c := newCLI(t)
	before := len(smtp.To(email, ""))
	r := c.run(masterPW+"\n", "signup", "--server", srv.url, "--email", email, "--name", strings.Split(email, "@")[0], "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stderr, "coffer account verify CODE") {
		t.Fatalf("signup: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// No account yet: unlocking or logging in is refused.
	c.fails(3, masterPW+"\n", "unlock", "--password-stdin")
	msgs := waitMails(t, smtp, email, before+1)
	m := mailCodeRe.FindStringSubmatch(msgs[len(msgs)-1])
	if m == nil {
		t.Fatalf("no code in mail:\n%s", msgs[len(msgs)-1])
	}
	c.fails(3, masterPW+"\n", "account", "verify", "0000-0000", "--password-stdin")
	out := c.ok(masterPW+"\n", "account", "verify", m[1], "--password-stdin")
	if !exportRe.MatchString(out) {
		t.Fatalf("account verify printed %q", out)
	}
	c.unlock(masterPW)
	return c
}

// TestIssue13MailThroughCLI: `serve --smtp-url` refuses to start without
// --public-url; sign-up for a taken address looks like any other and mails
// the owner; invitation mail names the owner's address; a locked
// invitation is shown and re-issued with `org invite --reissue`.
func TestIssue13MailThroughCLI(t *testing.T) {
	smtp := startSMTP(t)
	r := newCLI(t).run("", "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--smtp-url", smtpFlags(smtp)[1])
	if r.code != 2 || !strings.Contains(r.stderr, "--public-url") {
		t.Fatalf("serve without --public-url: exit %d\n%s", r.code, r.stderr)
	}
	srv := startServer(t, smtpFlags(smtp)...)
	owner := verifiedUser(t, srv, smtp, "owner@contoso.example")
	// A second sign-up for the owner's address: same answer, a notice mail.
	other := newCLI(t)
	r = other.run(masterPW+"\n", "signup", "--server", srv.url, "--email", "owner@contoso.example", "--name", "Eve", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stderr, "coffer account verify CODE") {
		t.Fatalf("signup for a taken address: exit %d\n%s", r.code, r.stderr)
	}
	notice := waitMails(t, smtp, "owner@contoso.example", 2)[1]
	if !strings.Contains(notice, "already has one") || mailCodeRe.MatchString(notice) {
		t.Fatalf("notice:\n%s", notice)
	}

	invitee := verifiedUser(t, srv, smtp, "new@contoso.example")
	owner.ok("", "org", "create", "Contoso")
	first := owner.inviteCode("Contoso", "new@contoso.example")
	mail := waitMails(t, smtp, "new@contoso.example", 2)[1]
	if !strings.Contains(mail, "The Coffer account owner@contoso.example invited you") || !strings.Contains(mail, "https://vault.contoso.example/join?") {
		t.Fatalf("invitation mail:\n%s", mail)
	}
	var org string
	if m := regexp.MustCompile(`coffer org join (\S+) --code`).FindStringSubmatch(mail); m != nil {
		org = m[1]
	}
	for i := 0; i < 5; i++ {
		invitee.fails(2, "", "org", "join", org, "--code", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	}
	if out := owner.ok("", "org", "members", "Contoso"); !strings.Contains(out, "locked") {
		t.Fatalf("members:\n%s", out)
	}
	second := owner.inviteCode("Contoso", "--reissue", "new@contoso.example")
	if second == first {
		t.Fatal("re-issue kept the code")
	}
	invitee.fails(2, "", "org", "join", org, "--code", first)
	invitee.ok("", "org", "join", org, "--code", second)
	owner.ok("", "org", "confirm", "Contoso", "new@contoso.example")
}
