package server_test

// Helpers for the issue 13 e-mail tests (findings 5-7): a real SMTP server
// on loopback (go-smtp-mock) and a real server.Server over SQLite that
// mails through it.

import (
	"errors"
	"regexp"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/mail"
	"github.com/coffer-pm/coffer/internal/mail/mailtest"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

const publicURL = "https://vault.example.test"

// mailbox is a real SMTP server on loopback (mailtest).
type mailbox struct{ *mailtest.Mailbox }

func startSMTP(t *testing.T) *mailbox { return &mailbox{mailtest.Start(t)} }

// config is testConfig with mail through the mailbox and a public URL.
func (m *mailbox) config(t *testing.T) server.Config {
	t.Helper()
	sender, err := mail.ParseURL(m.URL("coffer@example.test"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Mailer, cfg.PublicURL = sender, publicURL
	return cfg
}

var verifyCodeRe = regexp.MustCompile(`\b(\d{4}-\d{4})\b`)

// code returns the verification code in the newest code mail to addr.
func (m *mailbox) code(t *testing.T, addr string, n int) string {
	t.Helper()
	msgs := m.Wait(t, addr, "verification code", n)
	c := verifyCodeRe.FindStringSubmatch(msgs[len(msgs)-1].Body)
	if c == nil {
		t.Fatalf("no code in %q", msgs[len(msgs)-1].Body)
	}
	return c[1]
}

func pw(email string) []byte { return []byte("pw of " + email) }

// signupVerified signs up with the client core, proves the address with
// the mailed code and logs in.
func signupVerified(t *testing.T, env *testserver.Env, m *mailbox, email, name string) *client.Session {
	t.Helper()
	before := len(m.To(email, "verification code"))
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
