package server_test

// Helpers for the issue 13 e-mail tests (findings 5-7): a real SMTP server
// on loopback (go-smtp-mock) and a real server.Server over SQLite that
// mails through it.

import (
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"regexp"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/mail"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

const publicURL = "https://vault.example.test"

type mailbox struct{ srv *smtpmock.Server }

func startSMTP(t *testing.T) *mailbox {
	t.Helper()
	srv := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return &mailbox{srv}
}

// config is testConfig with mail through the mailbox and a public URL.
func (m *mailbox) config(t *testing.T) server.Config {
	t.Helper()
	sender, err := mail.ParseURL(fmt.Sprintf("smtp://127.0.0.1:%d?from=coffer@example.test&tls=none", m.srv.PortNumber()))
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Mailer, cfg.PublicURL = sender, publicURL
	return cfg
}

type message struct{ to, subject, body string }

// all returns every message received so far, decoded.
func (m *mailbox) all() []message {
	var out []message
	for _, msg := range m.srv.Messages() {
		raw := msg.MsgRequest()
		head, body, _ := strings.Cut(raw, "\r\n\r\n")
		if strings.Contains(strings.ToLower(head), "quoted-printable") {
			if b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body))); err == nil {
				body = string(b)
			}
		}
		var to string
		if rc := msg.RcpttoRequestResponse(); len(rc) > 0 {
			to = strings.ToLower(rc[0][0])
		}
		subject := ""
		if _, rest, ok := strings.Cut(head, "\r\nSubject: "); ok {
			subject, _, _ = strings.Cut(strings.ReplaceAll(rest, "\r\n ", " "), "\r\n")
		}
		out = append(out, message{to: to, subject: subject, body: strings.ReplaceAll(body, "\r\n", "\n")})
	}
	return out
}

// to returns the messages to addr whose subject contains subject.
func (m *mailbox) to(addr, subject string) []message {
	var out []message
	for _, msg := range m.all() {
		if strings.Contains(msg.to, "<"+strings.ToLower(addr)+">") && strings.Contains(msg.subject, subject) {
			out = append(out, msg)
		}
	}
	return out
}

// wait waits until addr has n messages with subject and returns them.
func (m *mailbox) wait(t *testing.T, addr, subject string, n int) []message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := m.to(addr, subject)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails %q to %s, want %d; all: %+v", len(got), subject, addr, n, m.all())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var verifyCodeRe = regexp.MustCompile(`\b(\d{4}-\d{4})\b`)

// code returns the verification code in the newest code mail to addr.
func (m *mailbox) code(t *testing.T, addr string, n int) string {
	t.Helper()
	msgs := m.wait(t, addr, "verification code", n)
	c := verifyCodeRe.FindStringSubmatch(msgs[len(msgs)-1].body)
	if c == nil {
		t.Fatalf("no code in %q", msgs[len(msgs)-1].body)
	}
	return c[1]
}

func pw(email string) []byte { return []byte("pw of " + email) }

// signupVerified signs up with the client core, proves the address with
// the mailed code and logs in.
func signupVerified(t *testing.T, env *testserver.Env, m *mailbox, email, name string) *client.Session {
	t.Helper()
	before := len(m.to(email, "verification code"))
	_, err := client.Signup(bg, env.URL, email, name, pw(email), client.Options{})
	var vn *client.VerificationNeededError
	if !errors.As(err, &vn) {
		t.Fatalf("Signup %s: want a verification, got %v", email, err)
	}
	if err := client.VerifySignup(bg, env.URL, vn.UserID, m.code(t, email, before+1), client.Options{}); err != nil {
		t.Fatalf("VerifySignup %s: %v", email, err)
	}
	s, err := client.Login(bg, env.URL, email, pw(email), client.Options{})
	if err != nil {
		t.Fatalf("Login %s: %v", email, err)
	}
	return s
}

func apiStatus(err error) int {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}
