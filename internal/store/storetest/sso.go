package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "SSO", fn: testSSO},
		namedTest{name: "RaceSSOStateTakenOnce", fn: testRaceSSOStateTakenOnce},
		namedTest{name: "RaceSSOTicketRedeemedOnce", fn: testRaceSSOTicketRedeemedOnce},
		namedTest{name: "RaceSSOLinkOnce", fn: testRaceSSOLinkOnce},
	)
}

func ssoTicket(hash, subject, email string) store.SSOTicket {
	return store.SSOTicket{Hash: []byte(hash), Challenge: "ch", Issuer: "https://id.example", Subject: subject,
		Email: email, Name: "N", ExpiresAt: now.Add(5 * time.Minute)}
}

// testSSO: a state is taken once and not after its expiry; tickets are
// read until redeemed, redeemed once, link the identity to the account,
// and a second identity or a second account is refused; expired rows go
// with the next insert.
func testSSO(t *testing.T, s store.Store) {
	st := store.SSOState{Hash: []byte("state-1"), Nonce: "n", Verifier: "v", Challenge: "c", ReturnTo: "http://127.0.0.1:9/cb", ExpiresAt: now.Add(10 * time.Minute)}
	if err := s.CreateSSOState(ctx, st, now, 100); err != nil {
		t.Fatal(err)
	}
	got, err := s.TakeSSOState(ctx, st.Hash, now)
	if err != nil || got.Nonce != "n" || got.Verifier != "v" || got.Challenge != "c" || got.ReturnTo != st.ReturnTo || !got.ExpiresAt.Equal(st.ExpiresAt) {
		t.Fatalf("took %+v, %v", got, err)
	}
	if _, err := s.TakeSSOState(ctx, st.Hash, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("taken twice: %v", err)
	}
	st.Hash = []byte("state-2")
	if err := s.CreateSSOState(ctx, st, now, 100); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeSSOState(ctx, st.Hash, st.ExpiresAt); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an expired state: %v", err)
	}
	// At most max live states (state-2 is one): the next is refused
	// until they expire.
	for i := range 3 {
		st.Hash = fmt.Appendf(nil, "capped-%d", i)
		if err := s.CreateSSOState(ctx, st, now, 4); err != nil {
			t.Fatal(err)
		}
	}
	st.Hash = []byte("capped-over")
	if err := s.CreateSSOState(ctx, st, now, 4); !errors.Is(err, store.ErrLimit) {
		t.Fatalf("a state over the cap: %v", err)
	}
	if err := s.CreateSSOState(ctx, st, st.ExpiresAt, 4); err != nil {
		t.Fatalf("a state once the others expired: %v", err)
	}

	a, _ := newAccount(t, s, "sso-a@example.com")
	b, _ := newAccount(t, s, "sso-b@example.com")
	t1 := ssoTicket("ticket-1", "sub-a", "sso-a@example.com")
	if err := s.CreateSSOTicket(ctx, t1, now); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SSOTicket(ctx, t1.Hash, now); err != nil || got.Subject != "sub-a" || got.Email != t1.Email || got.UserID != "" {
		t.Fatalf("ticket %+v, %v", got, err)
	}
	if _, err := s.SSOTicket(ctx, t1.Hash, t1.ExpiresAt); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an expired ticket: %v", err)
	}
	if _, err := s.SSOLink(ctx, t1.Issuer, "sub-a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a link before the first log-in: %v", err)
	}
	if err := s.RedeemSSOTicket(ctx, t1.Hash, a.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := s.RedeemSSOTicket(ctx, t1.Hash, a.ID, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("redeemed twice: %v", err)
	}
	if id, err := s.SSOLink(ctx, t1.Issuer, "sub-a"); err != nil || id != a.ID {
		t.Fatalf("link %q, %v", id, err)
	}
	// The same identity again: fine. For another account: refused.
	for i, c := range []struct {
		subject, user string
		want          error
	}{{"sub-a", a.ID, nil}, {"sub-a", b.ID, store.ErrExists}, {"sub-other", a.ID, store.ErrExists}} {
		tk := ssoTicket(fmt.Sprintf("ticket-%d", i+2), c.subject, "x@example.com")
		if err := s.CreateSSOTicket(ctx, tk, now); err != nil {
			t.Fatal(err)
		}
		if err := s.RedeemSSOTicket(ctx, tk.Hash, c.user, now); !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
			t.Fatalf("case %d: %v, want %v", i, err, c.want)
		}
	}
	// Deleting the account frees its identity.
	if err := s.DeleteAccount(ctx, a.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SSOLink(ctx, t1.Issuer, "sub-a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a deleted account's link: %v", err)
	}
	// An expired ticket cannot be redeemed, and goes with the next insert.
	old := ssoTicket("ticket-old", "sub-b", "sso-b@example.com")
	if err := s.CreateSSOTicket(ctx, old, now); err != nil {
		t.Fatal(err)
	}
	if err := s.RedeemSSOTicket(ctx, old.Hash, b.ID, old.ExpiresAt); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an expired ticket redeemed: %v", err)
	}
	if err := s.CreateSSOTicket(ctx, ssoTicket("ticket-new", "sub-b", "sso-b@example.com"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SSOLink(ctx, old.Issuer, "sub-b"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an expired ticket linked: %v", err)
	}
}

// testRaceSSOStateTakenOnce: the provider's answer replayed at once —
// one request takes the state, the others find none.
func testRaceSSOStateTakenOnce(t *testing.T, s store.Store) {
	for i := range 5 {
		st := store.SSOState{Hash: fmt.Appendf(nil, "race-state-%d", i), Nonce: "n", Verifier: "v", Challenge: "c", ExpiresAt: now.Add(time.Minute)}
		if err := s.CreateSSOState(ctx, st, now, 100); err != nil {
			t.Fatal(err)
		}
		if n := raceOnce(t, func() error { _, err := s.TakeSSOState(ctx, st.Hash, now); return err }); n != 1 {
			t.Fatalf("state taken %d times", n)
		}
	}
}

// testRaceSSOTicketRedeemedOnce: one ticket, eight log-ins at once —
// one is let in.
func testRaceSSOTicketRedeemedOnce(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "sso-race@example.com")
	for i := range 5 {
		tk := ssoTicket(fmt.Sprintf("race-ticket-%d", i), "sub-race", a.Email)
		if err := s.CreateSSOTicket(ctx, tk, now); err != nil {
			t.Fatal(err)
		}
		if n := raceOnce(t, func() error { return s.RedeemSSOTicket(ctx, tk.Hash, a.ID, now) }); n != 1 {
			t.Fatalf("ticket redeemed %d times", n)
		}
	}
}

// testRaceSSOLinkOnce: one provider identity redeemed for eight accounts
// at once (eight tickets) — it is linked to exactly one of them.
func testRaceSSOLinkOnce(t *testing.T, s store.Store) {
	var users []string
	for i := range 8 {
		a, _ := newAccount(t, s, fmt.Sprintf("sso-link-%d@example.com", i))
		users = append(users, a.ID)
		if err := s.CreateSSOTicket(ctx, ssoTicket(fmt.Sprintf("link-ticket-%d", i), "sub-contested", a.Email), now); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, len(users))
	for i := range users {
		wg.Go(func() {
			<-start
			errs[i] = s.RedeemSSOTicket(ctx, fmt.Appendf(nil, "link-ticket-%d", i), users[i], now)
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrExists):
			t.Fatalf("redemption %d: %v", i, err)
		}
	}
	id, err := s.SSOLink(ctx, "https://id.example", "sub-contested")
	if wins != 1 || err != nil {
		t.Fatalf("%d linked; link %q, %v", wins, id, err)
	}
}
