package sso

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/coffer-pm/coffer/internal/ssotest"
)

const callback = "http://127.0.0.1:1/api/v1/sso/callback"

var people = []ssotest.User{
	{ID: "u1", Username: "alice", Password: "alice-pw", Email: "Alice@Corp.example", EmailVerified: true, FirstName: "Alice", LastName: "Liddell"},
	{ID: "u2", Username: "bob", Password: "bob-pw", Email: "bob@corp.example", EmailVerified: false, FirstName: "Bob", LastName: "B"},
	// The Kelvin sign, which lower-cases to an ASCII k: not kate@.
	{ID: "u3", Username: "kelvin", Password: "kelvin-pw", Email: "\u212Aate@corp.example", EmailVerified: true, FirstName: "K", LastName: "K"},
}

func provider(t *testing.T) *ssotest.Provider {
	p := ssotest.Start(t, people...)
	p.Register("coffer", "coffer-secret", callback)
	p.Register("other-app", "other-secret", callback)
	return p
}

// signIn runs a whole sign-in as rp and returns the code, the PKCE
// verifier and the nonce it used.
func signIn(t *testing.T, rp *RP, user, password string) (code, verifier, nonce string) {
	t.Helper()
	verifier, nonce = oauth2.GenerateVerifier(), "nonce-"+oauth2.GenerateVerifier()
	u, err := rp.AuthURL(context.Background(), "state-1", nonce, verifier)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ssotest.SignIn(context.Background(), u, user, password, callback)
	if err != nil {
		t.Fatal(err)
	}
	if back.Query().Get("state") != "state-1" {
		t.Fatalf("the provider sent back state %q", back.Query().Get("state"))
	}
	return back.Query().Get("code"), verifier, nonce
}

func TestIdentifyAgainstARealProvider(t *testing.T) {
	p := provider(t)
	rp := New(Config{Issuer: p.Issuer, ClientID: "coffer", ClientSecret: "coffer-secret", RedirectURL: callback, Name: "Corp ID"})
	code, verifier, nonce := signIn(t, rp, "alice", "alice-pw")
	id, err := rp.Identify(context.Background(), code, verifier, nonce)
	if err != nil {
		t.Fatal(err)
	}
	if id.Issuer != p.Issuer || id.Subject != "u1" || id.Email != "alice@corp.example" || id.Name != "Alice Liddell" {
		t.Fatalf("identity %+v", id)
	}
	// The code is spent: the provider refuses it again.
	if _, err := rp.Identify(context.Background(), code, verifier, nonce); !errors.Is(err, ErrToken) {
		t.Fatalf("a code used twice: %v", err)
	}
}

func TestIdentifyRefuses(t *testing.T) {
	p := provider(t)
	cfg := Config{Issuer: p.Issuer, ClientID: "coffer", ClientSecret: "coffer-secret", RedirectURL: callback}
	rp := New(cfg)
	ctx := context.Background()

	t.Run("email not verified", func(t *testing.T) {
		code, v, n := signIn(t, rp, "bob", "bob-pw")
		if _, err := rp.Identify(ctx, code, v, n); !errors.Is(err, ErrEmailNotVerified) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("an address that folds into another", func(t *testing.T) {
		code, v, n := signIn(t, rp, "kelvin", "kelvin-pw")
		if _, err := rp.Identify(ctx, code, v, n); !errors.Is(err, ErrNoEmail) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("nonce of another sign-in", func(t *testing.T) {
		code, v, _ := signIn(t, rp, "alice", "alice-pw")
		if _, err := rp.Identify(ctx, code, v, "another-nonce"); !errors.Is(err, ErrToken) || !strings.Contains(err.Error(), "nonce") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("wrong PKCE verifier", func(t *testing.T) {
		code, _, n := signIn(t, rp, "alice", "alice-pw")
		if _, err := rp.Identify(ctx, code, oauth2.GenerateVerifier(), n); !errors.Is(err, ErrToken) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		late := New(Config{Issuer: p.Issuer, ClientID: "coffer", ClientSecret: "coffer-secret", RedirectURL: callback,
			Now: func() time.Time { return time.Now().Add(3 * time.Hour) }})
		code, v, n := signIn(t, late, "alice", "alice-pw")
		_, err := late.Identify(ctx, code, v, n)
		var exp *oidc.TokenExpiredError
		if !errors.Is(err, ErrToken) || !errors.As(err, &exp) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("wrong audience", func(t *testing.T) {
		// A real token the provider issued to another application: it
		// verifies with the provider's keys but is not for Coffer.
		other := New(Config{Issuer: p.Issuer, ClientID: "other-app", ClientSecret: "other-secret", RedirectURL: callback})
		code, v, n := signIn(t, other, "alice", "alice-pw")
		raw := rawIDToken(t, other, code, v)
		pr, _ := rp.discover(ctx)
		if _, err := rp.verify(ctx, pr, raw, n); !errors.Is(err, ErrToken) || !strings.Contains(err.Error(), "audience") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("wrong issuer", func(t *testing.T) {
		// The same provider, keys and all, under another issuer: its
		// signature verifies, its issuer is not the configured one.
		alias := New(Config{Issuer: p.Alias(t), ClientID: "coffer", ClientSecret: "coffer-secret", RedirectURL: callback})
		code, v, n := signIn(t, alias, "alice", "alice-pw")
		raw := rawIDToken(t, alias, code, v)
		pr, _ := rp.discover(ctx)
		if _, err := rp.verify(ctx, pr, raw, n); !errors.Is(err, ErrToken) || !strings.Contains(err.Error(), "issue") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("unreachable provider", func(t *testing.T) {
		gone := New(Config{Issuer: "http://127.0.0.1:1", ClientID: "coffer", ClientSecret: "x", RedirectURL: callback})
		if _, err := gone.AuthURL(ctx, "s", "n", "v"); err == nil || !strings.Contains(err.Error(), "cannot be reached") {
			t.Fatalf("got %v", err)
		}
	})
}

func rawIDToken(t *testing.T, rp *RP, code, verifier string) string {
	t.Helper()
	pr, err := rp.discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := rp.oauth(pr).Exchange(rp.ctx(context.Background()), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return tok.Extra("id_token").(string)
}

func TestConfigCheck(t *testing.T) {
	ok := Config{Issuer: "https://id.corp.example", ClientID: "c", ClientSecret: "s", RedirectURL: "https://vault.example/api/v1/sso/callback"}
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]Config{
		"no client id":  {Issuer: ok.Issuer, ClientSecret: "s", RedirectURL: ok.RedirectURL},
		"no secret":     {Issuer: ok.Issuer, ClientID: "c", RedirectURL: ok.RedirectURL},
		"no public url": {Issuer: ok.Issuer, ClientID: "c", ClientSecret: "s"},
		"plain http":    {Issuer: "http://id.corp.example", ClientID: "c", ClientSecret: "s", RedirectURL: ok.RedirectURL},
	} {
		if c.Check() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestVectors checks the values docs/protocol.md §8.4 gives.
func TestVectors(t *testing.T) {
	if got := Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("challenge %s (RFC 7636 appendix B)", got)
	}
	if got := hex.EncodeToString(TicketHash("ticket", "cst1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")); got != "03b4a0c63486b65dc2422c231f3222765fa1f097a9ac63a308ac688c4398a420" {
		t.Fatalf("ticket hash %s", got)
	}
}
