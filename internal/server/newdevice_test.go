package server_test

import (
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

const newDeviceSubject = "New log-in to Coffer"

// TestNewDeviceNotice (issue 27, docs/security.md 27.8), through a real
// SMTP server: the log-ins of sign-up mail nothing; a log-in from a new
// device mails the account once, with the device, address and time and
// what to do, and no token; the same device again mails nothing; the
// account's budget bounds the notices. Each absence is shown by a later
// mail (one worker, in order), never by waiting a while.
func TestNewDeviceNotice(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	cfg.DeviceMailPerAccount = 2
	env := testserver.Start(t, &cfg, nil)
	const email = "dev@notice.example"
	signupVerified(t, env, m, email, "Dev")
	other := signupVerified(t, env, m, "other@notice.example", "Other")
	login := func(addr, name, id string) *client.Session {
		t.Helper()
		s, err := client.Login(bg, env.URL, addr, pw(addr), client.Options{Description: name, DeviceID: id})
		if err != nil {
			t.Fatalf("log-in from %s: %v", name, err)
		}
		return s
	}
	laptop, phone, tablet := client.NewDeviceID(), client.NewDeviceID(), client.NewDeviceID()
	s := login(email, "Chrome on Linux", laptop)
	got := m.Wait(t, email, newDeviceSubject, 1)[0]
	for _, want := range []string{"New log-in to Coffer: Chrome on Linux from 127.0.0.1 at ", "Change your master password", "Account → Devices", publicURL} {
		if !strings.Contains(got.Body, want) {
			t.Fatalf("the notice lacks %q:\n%s", want, got.Body)
		}
	}
	if strings.Contains(got.Body, s.Token()) || strings.Contains(got.Body, laptop) {
		t.Fatalf("the notice carries the token or the device id:\n%s", got.Body)
	}

	login(email, "Chrome on Linux", laptop) // known: nothing
	login(email, "Firefox on Windows", phone)
	if n := len(m.Wait(t, email, newDeviceSubject, 2)); n != 2 {
		t.Fatalf("%d notices after a known and a new device, want 2", n)
	}
	if msgs := m.To(email, newDeviceSubject); !strings.Contains(msgs[1].Body, "Firefox on Windows") {
		t.Fatalf("the second notice: %s", msgs[1].Body)
	}
	// The budget (2 a day) is spent: a third new device logs in, unmailed;
	// another account's notice, queued after it, shows it was handled.
	login(email, "Safari on macOS", tablet)
	login("other@notice.example", "coffer CLI on host (linux)", client.NewDeviceID())
	m.Wait(t, "other@notice.example", newDeviceSubject, 1)
	if n := len(m.To(email, newDeviceSubject)); n != 2 {
		t.Fatalf("%d notices, want 2 (the budget)", n)
	}
	_ = other
}

// TestNewDeviceNoMailWithoutSMTP: without SMTP log-ins from new devices
// work and nothing is queued or mailed.
func TestNewDeviceNoMailWithoutSMTP(t *testing.T) {
	cfg := testConfig()
	env := testserver.Start(t, &cfg, nil)
	const email = "nosmtp@notice.example"
	signupClient(t, env.URL, email)
	for _, name := range []string{"Chrome on Linux", "Firefox on Windows"} {
		if _, err := client.Login(bg, env.URL, email, pw(email), client.Options{Description: name, DeviceID: client.NewDeviceID()}); err != nil {
			t.Fatalf("log-in from %s without SMTP: %v", name, err)
		}
	}
	if n := env.Server.DeviceQueueLen(); n != 0 {
		t.Fatalf("%d log-ins queued for notices without SMTP", n)
	}
}
