package server_test

import (
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestVerifyMailBudgetIsPerNetwork: a stranger who signs up with someone's
// address again and again uses up the verification-mail budget of their own
// network only; the owner, from another network (::1 here), still gets a
// code. Found in review: keyed by address alone, the stranger kept the
// owner from ever signing up.
func TestVerifyMailBudgetIsPerNetwork(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	env := startFloodEnv(t, cfg)
	var vn *client.VerificationNeededError
	for i := range cfg.VerifyMailsPerAddress {
		if _, err := client.Signup(bg, env.URL, "victim@example.com", "Stranger", []byte("stranger's pw"), client.Options{}); !errors.As(err, &vn) {
			t.Fatalf("stranger's sign-up %d: %v", i, err)
		}
	}
	if _, err := client.Signup(bg, env.URL, "victim@example.com", "Stranger", []byte("stranger's pw"), client.Options{}); errors.As(err, &vn) {
		t.Fatal("one network got more verification mails to an address than its budget")
	}
	if _, err := client.Signup(bg, env.v6URL, "victim@example.com", "Victim", pw("victim@example.com"), client.Options{}); !errors.As(err, &vn) {
		t.Fatalf("the owner's own sign-up from another network: %v", err)
	}
}

// TestReverificationNeedsTheOwnersSession: a re-verification code (for an
// account made before the server sent e-mail) is keyed by the account id,
// which colleagues see; only the account's own session may try it. Found
// in review: a stranger burnt its attempts through the public endpoint.
func TestReverificationNeedsTheOwnersSession(t *testing.T) {
	m := startSMTP(t)
	old := testserver.Start(t, nil, nil)
	signupClient(t, old.URL, "legacy@example.com")
	signupClient(t, old.URL, "stranger@example.com")
	cfg := m.config(t)
	env := testserver.StartStore(t, old.Store, &cfg, nil)
	legacy, err := client.Login(bg, env.URL, "legacy@example.com", pw("legacy@example.com"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := legacy.RequestVerification(bg); err != nil {
		t.Fatal(err)
	}
	code := m.code(t, "legacy@example.com", 1)
	stranger, err := client.Login(bg, env.URL, "stranger@example.com", pw("stranger@example.com"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 8 {
		if err := client.VerifySignup(bg, env.URL, legacy.Profile.UserID, "0000-0000", client.Options{}); err == nil {
			t.Fatal("a stranger's guess was accepted")
		}
		// Another account's session is no better.
		if err := stranger.VerifyEmail(bg, "0000-0000"); err == nil {
			t.Fatal("a guess for the stranger's own account was accepted")
		}
	}
	if err := client.VerifySignup(bg, env.URL, legacy.Profile.UserID, code, client.Options{}); err == nil {
		t.Fatal("the right code without the owner's session was accepted")
	}
	if err := legacy.VerifyEmail(bg, code); err != nil {
		t.Fatalf("the owner's right code after a stranger's guesses: %v", err)
	}
}
