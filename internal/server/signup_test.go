package server_test

// Issue 27: who may sign up. Each mode of the server's sign-up policy,
// admitted and refused over HTTP with the refusal's status, code and
// words; an invitation cancelled before a mailed sign-up is completed.

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// policyServer starts a server with policy p and the administrator
// admin@example.com, and an organisation (its owner made in the store);
// invite invites an address to it and returns the invitation's id.
func policyServer(t *testing.T, cfg server.Config, p server.SignupPolicy) (f *fixture, invite func(email string) string) {
	t.Helper()
	cfg.Signup = p
	cfg.Admins = []string{"admin@example.com"}
	env := testserver.Start(t, &cfg, nil)
	f = &fixture{env: env, hc: env.HTTP.Client()}
	now := time.Now()
	owner := store.Account{ID: uuid.NewString(), Email: "owner@org.example", Name: "Owner",
		KDF:      store.KDF{Algorithm: "argon2id", Time: 3, Memory: 65536, Threads: 4, Salt: []byte("0123456789abcdef")},
		AuthHash: []byte("h"), AuthSalt: []byte("s"), SignPub: []byte("sp"), KEMPub: []byte("kp"), PublicKeysSig: []byte("ps"),
		WrappedAccountKey: []byte("w"), PrivateKeys: []byte("p"), CreatedAt: now}
	v := store.Vault{ID: uuid.NewString(), Kind: store.VaultPersonal, OwnerID: owner.ID, Epoch: 1, CreatedAt: now}
	w := store.VaultKeyWrap{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}
	if err := env.Store.CreateAccount(bg, owner, v, w, store.Manifest{VaultID: v.ID, Version: 1, ItemsHash: make([]byte, 32), SignerID: owner.ID, Time: now.UnixMilli(), Sig: []byte("s")}); err != nil {
		t.Fatal(err)
	}
	o := store.Org{ID: uuid.NewString(), OwnerID: owner.ID, Meta: []byte("m"), KeyEpoch: 1, RosterVersion: 1, Roster: []byte("[]"), RosterSig: []byte("s"), CreatedAt: now}
	if err := env.Store.CreateOrg(bg, o, store.KeyWrap{ObjectID: o.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return f, func(email string) string {
		t.Helper()
		b := store.InviteBatch{ID: uuid.NewString(), OrgID: o.ID, VerifierHash: []byte("vh"), OrgTag: []byte("t"), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: time.Now(), InviterID: owner.ID}
		inv := store.Invitation{ID: uuid.NewString(), Email: email}
		if err := env.Store.CreateInvitations(bg, b, []store.Invitation{inv}); err != nil {
			t.Fatal(err)
		}
		return inv.ID
	}
}

// signupAs signs a fresh account up with email over HTTP.
func (f *fixture) signupAs(t *testing.T, email string) reply {
	t.Helper()
	req := newSignup(t)
	req.Email = email
	return f.send(t, "POST", "/accounts", "", req)
}

func (f *fixture) admitted(t *testing.T, email string) {
	t.Helper()
	if r := f.signupAs(t, email); r.status != http.StatusCreated {
		t.Fatalf("sign-up of %s: %d %s, want 201", email, r.status, r.body)
	}
}

func (f *fixture) refused(t *testing.T, email, code string, msg ...string) {
	t.Helper()
	wantError(t, f.signupAs(t, email), http.StatusForbidden, code, msg...)
	if _, err := f.env.Store.AccountByEmail(bg, email); err == nil {
		t.Fatalf("the refused sign-up of %s left an account", email)
	}
}

func TestSignupOpenByDefault(t *testing.T) {
	f, _ := policyServer(t, testConfig(), server.SignupPolicy{})
	f.admitted(t, "anyone@anywhere.example")
}

func TestSignupByInvitation(t *testing.T) {
	f, invite := policyServer(t, testConfig(), server.SignupPolicy{Invitation: true})
	f.refused(t, "stranger@example.com", api.CodeSignupRefused, "only from invited addresses", "ask an organisation owner to invite you")
	// The administrator --admin names: an invitation-only server's first
	// account.
	f.admitted(t, "admin@example.com")
	// Stored lower-cased, matched in any letter case.
	invite("Invitee@Example.com")
	f.admitted(t, "INVITEE@example.COM")
	// A cancelled invitation admits nobody.
	cancelled := invite("gone@example.com")
	if err := f.env.Store.CancelInvitation(bg, cancelled, time.Now()); err != nil {
		t.Fatal(err)
	}
	f.refused(t, "gone@example.com", api.CodeSignupRefused, "invite you")
	// An invitation to another address admits no look-alike.
	invite("bob@example.com")
	f.refused(t, "bob@example.co", api.CodeSignupRefused)
	// A malformed address is refused as such, not by the policy.
	wantError(t, f.signupAs(t, "a@@example.com"), http.StatusBadRequest, api.CodeBadRequest, "plain e-mail address")
}

func TestSignupByDomain(t *testing.T) {
	f, invite := policyServer(t, testConfig(), server.SignupPolicy{Domains: []string{"Example.COM", "bücher.example"}})
	f.admitted(t, "a@example.com")
	f.admitted(t, "B@EXAMPLE.com")
	f.admitted(t, "c@BÜCHER.example")
	// Full-width letters fold to the same domain (NFKC).
	f.admitted(t, "d@ｅｘａｍｐｌｅ.com")
	for _, email := range []string{"e@sub.example.com", "e@evilexample.com", "e@example.com.evil.example", "e@example.co", "e@xn--bcher-kva.example"} {
		f.refused(t, email, api.CodeSignupRefused, "only for addresses at example.com, bücher.example")
	}
	// Without --signup invitation an invitation does not help.
	invite("invited@elsewhere.example")
	f.refused(t, "invited@elsewhere.example", api.CodeSignupRefused)
}

func TestSignupByDomainOrInvitation(t *testing.T) {
	f, invite := policyServer(t, testConfig(), server.SignupPolicy{Invitation: true, Domains: []string{"example.com"}})
	f.admitted(t, "staff@example.com")
	invite("partner@elsewhere.example")
	f.admitted(t, "partner@elsewhere.example")
	f.refused(t, "stranger@elsewhere.example", api.CodeSignupRefused, "only for addresses at example.com, or invited ones", "ask an organisation owner to invite you")
}

func TestSignupSSOOnlyDomain(t *testing.T) {
	f, invite := policyServer(t, testConfig(), server.SignupPolicy{SSOOnlyDomains: []string{"corp.example"}})
	for _, email := range []string{"alice@corp.example", "ALICE2@Corp.Example", "bob@eu.corp.example", "carol@ｃｏｒｐ.example"} {
		f.refused(t, email, api.CodeSSORequired, "addresses at corp.example sign in with the company's single sign-on")
	}
	// An invitation does not open the password way either.
	invite("dave@corp.example")
	f.refused(t, "dave@corp.example", api.CodeSSORequired)
	// Other domains, look-alikes included, sign up as before.
	f.admitted(t, "eve@evilcorp.example")
	f.admitted(t, "frank@corp.example.org")
}

func TestSignupPolicyIsChecked(t *testing.T) {
	for _, p := range []server.SignupPolicy{
		{Domains: []string{"@example.com"}},
		{Domains: []string{"exa mple.com"}},
		{Domains: []string{""}},
		{SSOOnlyDomains: []string{"[10.0.0.1]"}},
		{Domains: []string{"eu.corp.example"}, SSOOnlyDomains: []string{"corp.example"}},
	} {
		if _, err := p.Normalized(); err == nil {
			t.Errorf("%+v: no error", p)
		}
	}
	p, err := server.SignupPolicy{Domains: []string{" Example.com ", "example.COM"}, SSOOnlyDomains: []string{"CORP.example"}}.Normalized()
	if err != nil || len(p.Domains) != 1 || p.Domains[0] != "example.com" || p.SSOOnlyDomains[0] != "corp.example" {
		t.Fatalf("Normalized = %+v, %v", p, err)
	}
}

// A mailed sign-up is decided again when its code comes back: the
// invitation it rested on was cancelled in between.
func TestSignupByInvitationMailed(t *testing.T) {
	m := startSMTP(t)
	f, invite := policyServer(t, m.config(t), server.SignupPolicy{Invitation: true})
	f.refused(t, "stranger@example.com", api.CodeSignupRefused, "invite you")
	if got := m.To("stranger@example.com", ""); len(got) != 0 {
		t.Fatalf("a refused sign-up was mailed: %v", got)
	}
	inv := invite("late@example.com")
	req := newSignup(t)
	req.Email = "late@example.com"
	if r := f.send(t, "POST", "/accounts", "", req); r.status != http.StatusAccepted {
		t.Fatalf("sign-up: %d %s", r.status, r.body)
	}
	code := m.code(t, "late@example.com", 1)
	if err := f.env.Store.CancelInvitation(bg, inv, time.Now()); err != nil {
		t.Fatal(err)
	}
	wantError(t, f.send(t, "POST", "/accounts/"+req.UserID+"/verify", "", api.VerifyEmailRequest{Code: code}),
		http.StatusForbidden, api.CodeSignupRefused, "invite you")
	if _, err := f.env.Store.AccountByEmail(bg, "late@example.com"); err == nil {
		t.Fatal("the completion made an account without an invitation")
	}
	// Invited again, the same code completes it.
	invite("late@example.com")
	if r := f.send(t, "POST", "/accounts/"+req.UserID+"/verify", "", api.VerifyEmailRequest{Code: code}); r.status != http.StatusNoContent {
		t.Fatalf("completion after a new invitation: %d %s", r.status, r.body)
	}
}
