package main_test

// Issue 13, findings 5-7 through the real binary: `coffer serve` with a
// real SMTP server on loopback.

import (
	"fmt"
	"io"
	"mime/quotedprintable"
	"regexp"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"
)

func startSMTP(t *testing.T) *smtpmock.Server {
	t.Helper()
	smtp := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	if err := smtp.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smtp.Stop() })
	return smtp
}

func smtpFlags(smtp *smtpmock.Server) []string {
	return []string{"--smtp-url", fmt.Sprintf("smtp://127.0.0.1:%d?from=coffer@contoso.example&tls=none", smtp.PortNumber()),
		"--public-url", "https://vault.contoso.example"}
}

// mailsTo returns the decoded bodies of the messages to addr.
func mailsTo(smtp *smtpmock.Server, addr string) []string {
	var out []string
	for _, m := range smtp.Messages() {
		rc := m.RcpttoRequestResponse()
		if len(rc) == 0 || !strings.Contains(strings.ToLower(rc[0][0]), "<"+addr+">") {
			continue
		}
		head, body, _ := strings.Cut(m.MsgRequest(), "\r\n\r\n")
		if strings.Contains(strings.ToLower(head), "quoted-printable") {
			if b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body))); err == nil {
				body = string(b)
			}
		}
		out = append(out, head+"\n\n"+strings.ReplaceAll(body, "\r\n", "\n"))
	}
	return out
}

func waitMails(t *testing.T, smtp *smtpmock.Server, addr string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := mailsTo(smtp, addr); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d mails to %s", n, addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var mailCodeRe = regexp.MustCompile(`coffer account verify (\d{4}-\d{4})`)

// verifiedUser signs up through the CLI on a server that sends mail,
// enters the mailed code with `coffer account verify` and unlocks.
func verifiedUser(t *testing.T, srv *serverProc, smtp *smtpmock.Server, email string) *cli {
	t.Helper()
	c := newCLI(t)
	before := len(mailsTo(smtp, email))
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
		invitee.fails(3, "", "org", "join", org, "--code", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
	}
	if out := owner.ok("", "org", "members", "Contoso"); !strings.Contains(out, "locked") {
		t.Fatalf("members:\n%s", out)
	}
	second := owner.inviteCode("Contoso", "--reissue", "new@contoso.example")
	if second == first {
		t.Fatal("re-issue kept the code")
	}
	invitee.fails(3, "", "org", "join", org, "--code", first)
	invitee.ok("", "org", "join", org, "--code", second)
	owner.ok("", "org", "confirm", "Contoso", "new@contoso.example")
}
