package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// Issue 27: under a server's invitation policy a sign-up needs a pending
// invitation for its address when it commits (store.Requirement.Invited),
// not only when the handler looked.

func init() {
	extraTests = append(extraTests,
		namedTest{name: "SignupNeedsInvitation", fn: testSignupNeedsInvitation},
		namedTest{name: "RaceSignupAgainstCancel", fn: testRaceSignupAgainstCancel},
	)
}

// signupParts is what a sign-up stores for email.
func signupParts(email string) (store.Account, store.Vault, store.VaultKeyWrap, store.Manifest) {
	a := store.Account{
		ID: id(), Email: email, Name: "Name of " + email,
		KDF:      store.KDF{Algorithm: "argon2id", Time: 3, Memory: 65536, Threads: 4, Salt: []byte("0123456789abcdef")},
		AuthHash: []byte("hash"), AuthSalt: []byte("salt"), SignPub: []byte("sign"), KEMPub: []byte("kem"),
		PublicKeysSig: []byte("sig"), WrappedAccountKey: []byte("wak"), PrivateKeys: []byte("pk"), CreatedAt: now,
	}
	v := store.Vault{ID: id(), Kind: store.VaultPersonal, OwnerID: a.ID, Epoch: 1, CreatedAt: now}
	w := store.VaultKeyWrap{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: a.ID, SignerID: a.ID, Wrap: []byte("wrap"), Sig: []byte("wsig"), CreatedAt: now}
	return a, v, w, manifest(v.ID, 1, a.ID)
}

// inviteOne invites email into o and returns the invitation's id.
func inviteOne(t *testing.T, s store.Store, o store.Org, email string) string {
	t.Helper()
	b := store.InviteBatch{ID: id(), OrgID: o.ID, VerifierHash: []byte("vh"), OrgTag: []byte("tag"), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: now, InviterID: o.OwnerID}
	inv := store.Invitation{ID: id(), Email: email}
	if err := s.CreateInvitations(ctx, b, []store.Invitation{inv}); err != nil {
		t.Fatalf("CreateInvitations: %v", err)
	}
	return inv.ID
}

func testSignupNeedsInvitation(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)

	// No invitation: refused, nothing stored.
	a, v, w, m := signupParts("stranger@example.com")
	err := s.CreateAccount(as(store.Requirement{UserID: a.ID, Invited: a.Email}), a, v, w, m)
	if !errors.Is(err, store.ErrNoLongerAllowed) {
		t.Fatalf("sign-up without an invitation: %v", err)
	}
	if _, err := s.AccountByEmail(ctx, a.Email); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused sign-up left an account: %v", err)
	}

	// A pending invitation, matched in any letter case.
	inviteOne(t, s, o, "invited@example.com")
	a, v, w, m = signupParts("invited@example.com")
	if err := s.CreateAccount(as(store.Requirement{UserID: a.ID, Invited: "Invited@Example.com"}), a, v, w, m); err != nil {
		t.Fatalf("sign-up with an invitation: %v", err)
	}

	// A cancelled invitation is no invitation.
	cancelled := inviteOne(t, s, o, "cancelled@example.com")
	if err := s.CancelInvitation(ctx, cancelled, now); err != nil {
		t.Fatal(err)
	}
	a, v, w, m = signupParts("cancelled@example.com")
	if err := s.CreateAccount(as(store.Requirement{UserID: a.ID, Invited: a.Email}), a, v, w, m); !errors.Is(err, store.ErrNoLongerAllowed) {
		t.Fatalf("sign-up with a cancelled invitation: %v", err)
	}

	// The mailed sign-up's completion re-checks too, and a refusal keeps
	// the verification (a re-invited person can still finish).
	a, v, w, m = signupParts("cancelled@example.com")
	ev := store.EmailVerification{ID: a.ID, Email: a.Email, Signup: []byte(`{}`), CodeHash: []byte("h"), ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	if err := s.PutEmailVerification(ctx, ev, false, now); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteSignup(as(store.Requirement{UserID: a.ID, Invited: a.Email}), a.ID, a, v, w, m); !errors.Is(err, store.ErrNoLongerAllowed) {
		t.Fatalf("completed sign-up with a cancelled invitation: %v", err)
	}
	if _, err := s.EmailVerification(ctx, a.ID); err != nil {
		t.Fatalf("the refused completion took the verification: %v", err)
	}
	inviteOne(t, s, o, "cancelled@example.com")
	if err := s.CompleteSignup(as(store.Requirement{UserID: a.ID, Invited: a.Email}), a.ID, a, v, w, m); err != nil {
		t.Fatalf("completed sign-up after a new invitation: %v", err)
	}
}

// testRaceSignupAgainstCancel races, round after round, a sign-up that
// found the invitation (as the handler does before it writes) against the
// invitation's cancel, which starts once the sign-up has looked: the
// window a check before the transaction leaves open. Whatever the order,
// a sign-up may succeed only if it committed while the invitation was
// pending: so an account the canceller does not see right after its
// cancel committed must not exist at the end, and a sign-up that started
// its write after the cancel returned must be refused.
func testRaceSignupAgainstCancel(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	const rounds = 60
	var signedUp, refused int
	for round := range rounds {
		email := fmt.Sprintf("racer%d@example.com", round)
		inv := inviteOne(t, s, o, email)
		a, v, w, m := signupParts(email)
		var (
			wg                       sync.WaitGroup
			looked                   = make(chan struct{})
			mu                       sync.Mutex
			cancelDone, seenAtCancel bool
			startedAfter             bool
			signupErr, cancelErr     error
		)
		wg.Go(func() {
			open, err := s.OpenInvitationsFor(ctx, email)
			close(looked)
			if err != nil || len(open) != 1 {
				signupErr = fmt.Errorf("the handler's look: %d invitations, %v", len(open), err)
				return
			}
			if round%2 == 1 {
				// More looks widen the window for the cancel, so
				// that both orders are seen on every engine.
				s.OpenInvitationsFor(ctx, email)
				s.OpenInvitationsFor(ctx, email)
			}
			mu.Lock()
			startedAfter = cancelDone
			mu.Unlock()
			signupErr = s.CreateAccount(as(store.Requirement{UserID: a.ID, Invited: email}), a, v, w, m)
		})
		wg.Go(func() {
			<-looked
			cancelErr = s.CancelInvitation(ctx, inv, now)
			_, err := s.AccountByEmail(ctx, email)
			mu.Lock()
			cancelDone, seenAtCancel = true, err == nil
			mu.Unlock()
		})
		wg.Wait()
		if cancelErr != nil {
			t.Fatalf("round %d: cancel: %v", round, cancelErr)
		}
		_, err := s.AccountByEmail(ctx, email)
		exists := err == nil
		switch {
		case signupErr == nil:
			signedUp++
			if !exists {
				t.Fatalf("round %d: the sign-up succeeded and left no account", round)
			}
			if !seenAtCancel {
				t.Fatalf("round %d: the sign-up committed after the cancel did", round)
			}
			if startedAfter {
				t.Fatalf("round %d: a sign-up that started after the cancel went through", round)
			}
		case errors.Is(signupErr, store.ErrNoLongerAllowed):
			refused++
			if exists {
				t.Fatalf("round %d: a refused sign-up left an account", round)
			}
		default:
			t.Fatalf("round %d: sign-up: %v", round, signupErr)
		}
	}
	t.Logf("%d rounds: %d sign-ups committed before the cancel, %d refused in their transaction", rounds, signedUp, refused)
}
