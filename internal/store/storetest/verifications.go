package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "EmailVerifications", fn: testEmailVerifications},
		namedTest{name: "InvitationsSince", fn: testInvitationsSince},
	)
}

func testEmailVerifications(t *testing.T, s store.Store) {
	// A pending sign-up becomes an account, verified, in one step.
	v := store.EmailVerification{ID: id(), Email: "New@Example.com", Signup: []byte(`{"x":1}`), CodeHash: []byte("h"), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	if err := s.PutEmailVerification(ctx, v, false, now); err != nil {
		t.Fatal(err)
	}
	if err := s.PutEmailVerification(ctx, v, false, now); !errors.Is(err, store.ErrExists) {
		t.Fatalf("same id twice: %v", err)
	}
	got, err := s.EmailVerification(ctx, v.ID)
	if err != nil || got.Email != "new@example.com" || string(got.Signup) != `{"x":1}` || !got.ExpiresAt.Equal(v.ExpiresAt) {
		t.Fatalf("EmailVerification: %+v %v", got, err)
	}
	for want := 1; want <= 2; want++ {
		if n, err := s.CountVerificationAttempt(ctx, v.ID); err != nil || n != want {
			t.Fatalf("CountVerificationAttempt: %d %v", n, err)
		}
	}
	a := store.Account{ID: v.ID, Email: "new@example.com", Name: "New",
		KDF:      store.KDF{Algorithm: "argon2id", Time: 3, Memory: 65536, Threads: 4, Salt: []byte("0123456789abcdef")},
		AuthHash: []byte("hash"), AuthSalt: []byte("salt"), SignPub: []byte("sign"), KEMPub: []byte("kem"),
		PublicKeysSig: []byte("sig"), WrappedAccountKey: []byte("wak"), PrivateKeys: []byte("pk"), CreatedAt: now, EmailVerifiedAt: now}
	vault := store.Vault{ID: id(), Kind: store.VaultPersonal, OwnerID: a.ID, Epoch: 1, CreatedAt: now}
	w := store.VaultKeyWrap{VaultID: vault.ID, Epoch: 1, RecipientKind: "user", RecipientID: a.ID, SignerID: a.ID, Wrap: []byte("wrap"), Sig: []byte("wsig"), CreatedAt: now}
	if err := s.CompleteSignup(ctx, v.ID, a, vault, w, manifest(vault.ID, 1, a.ID)); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteSignup(ctx, v.ID, a, vault, w, manifest(vault.ID, 1, a.ID)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second CompleteSignup: %v", err)
	}
	if got, err := s.AccountByEmail(ctx, a.Email); err != nil || !got.EmailVerifiedAt.Equal(now) {
		t.Fatalf("account: %+v %v", got.EmailVerifiedAt, err)
	}

	// An existing account (made unverified) proves its address; replace
	// swaps an older code for a new one.
	old, _ := newAccount(t, s, "old@example.com")
	if got, _ := s.AccountByID(ctx, old.ID); !got.EmailVerifiedAt.IsZero() {
		t.Fatal("new account is verified")
	}
	rv := store.EmailVerification{ID: old.ID, Email: old.Email, CodeHash: []byte("1"), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	if err := s.PutEmailVerification(ctx, rv, true, now); err != nil {
		t.Fatal(err)
	}
	rv.CodeHash = []byte("2")
	if err := s.PutEmailVerification(ctx, rv, true, now); err != nil {
		t.Fatal(err)
	}
	if got, err := s.EmailVerification(ctx, old.ID); err != nil || string(got.CodeHash) != "2" || len(got.Signup) != 0 {
		t.Fatalf("replaced verification: %+v %v", got, err)
	}
	later := now.Add(time.Minute)
	if err := s.VerifyAccountEmail(ctx, old.ID, later); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyAccountEmail(ctx, old.ID, later); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second VerifyAccountEmail: %v", err)
	}
	if got, _ := s.AccountByID(ctx, old.ID); !got.EmailVerifiedAt.Equal(later) {
		t.Fatalf("verified at %v", got.EmailVerifiedAt)
	}

	// Expired verifications are swept when a new one is stored.
	gone := store.EmailVerification{ID: id(), Email: "x@example.com", Signup: []byte("{}"), CodeHash: []byte("h"), ExpiresAt: now.Add(time.Minute), CreatedAt: now}
	if err := s.PutEmailVerification(ctx, gone, false, now); err != nil {
		t.Fatal(err)
	}
	fresh := store.EmailVerification{ID: id(), Email: "y@example.com", Signup: []byte("{}"), CodeHash: []byte("h"), ExpiresAt: now.Add(3 * time.Hour), CreatedAt: now.Add(2 * time.Hour)}
	if err := s.PutEmailVerification(ctx, fresh, false, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EmailVerification(ctx, gone.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired verification kept: %v", err)
	}
	if err := s.DeleteEmailVerification(ctx, fresh.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EmailVerification(ctx, fresh.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted verification kept: %v", err)
	}
}

func testInvitationsSince(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o1, o2 := newOrg(t, s, owner), newOrg(t, s, owner)
	batch := func(o store.Org, at time.Time, emails ...string) {
		b := store.InviteBatch{ID: id(), OrgID: o.ID, VerifierHash: []byte("v"), OrgTag: []byte("t"), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: at, InviterID: owner.ID}
		var invs []store.Invitation
		for _, e := range emails {
			invs = append(invs, store.Invitation{ID: id(), Email: e})
		}
		if err := s.CreateInvitations(ctx, b, invs); err != nil {
			t.Fatal(err)
		}
		if got, err := s.InviteBatch(ctx, b.ID); err != nil || got.InviterID != owner.ID {
			t.Fatalf("InviteBatch: %+v %v", got, err)
		}
	}
	batch(o1, now.Add(-48*time.Hour), "a@example.com")
	batch(o1, now, "b@example.com", "c@example.com")
	batch(o2, now.Add(time.Minute), "d@example.com")
	byOrg, byInviter, err := s.InvitationsSince(ctx, o1.ID, owner.ID, now.Add(-24*time.Hour))
	if err != nil || byOrg != 2 || byInviter != 3 {
		t.Fatalf("InvitationsSince = %d, %d, %v; want 2, 3", byOrg, byInviter, err)
	}
}
