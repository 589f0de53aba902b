package storetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "TwoFactor", fn: testTwoFactor},
		namedTest{name: "ResetSecondFactors", fn: testResetSecondFactors},
		namedTest{name: "RaceRecoveryCodeUsedOnce", fn: testRaceRecoveryCodeUsedOnce},
		namedTest{name: "RaceTOTPStepUsedOnce", fn: testRaceTOTPStepUsedOnce},
	)
}

func enrolTwoFactor(t *testing.T, s store.Store, userID string, codes [][]byte) {
	t.Helper()
	if err := s.StartTwoFactor(ctx, userID, []byte("secret-0123456789abc"), now); err != nil {
		t.Fatal(err)
	}
	if err := s.ConfirmTwoFactor(ctx, userID, 100, codes, now); err != nil {
		t.Fatal(err)
	}
}

// testTwoFactor: a pending enrolment, its confirmation, the replay rule
// of time steps, recovery codes used once, disabling, and account
// deletion taking it all.
func testTwoFactor(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "tf@example.com")
	if _, err := s.TwoFactor(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no enrolment: %v", err)
	}
	wantErr(t, "a step without 2FA", s.UseTOTPStep(ctx, a.ID, 5), store.ErrNotFound)
	if err := s.StartTwoFactor(ctx, a.ID, []byte("first"), now); err != nil {
		t.Fatal(err)
	}
	if err := s.StartTwoFactor(ctx, a.ID, []byte("second"), now); err != nil {
		t.Fatalf("a pending enrolment is replaced: %v", err)
	}
	tf, err := s.TwoFactor(ctx, a.ID)
	if err != nil || string(tf.Secret) != "second" || !tf.EnabledAt.IsZero() {
		t.Fatalf("pending: %+v %v", tf, err)
	}
	wantErr(t, "a step while pending", s.UseTOTPStep(ctx, a.ID, 5), store.ErrNotFound)
	if err := s.ConfirmTwoFactor(ctx, a.ID, 100, [][]byte{[]byte("h1"), []byte("h2")}, now); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "a second confirmation", s.ConfirmTwoFactor(ctx, a.ID, 101, nil, now), store.ErrNotFound)
	wantErr(t, "a start while on", s.StartTwoFactor(ctx, a.ID, []byte("third"), now), store.ErrExists)
	tf, err = s.TwoFactor(ctx, a.ID)
	if err != nil || tf.EnabledAt.IsZero() || tf.LastStep != 100 || len(tf.RecoveryCodes) != 2 {
		t.Fatalf("enabled: %+v %v", tf, err)
	}
	wantErr(t, "the confirming step again", s.UseTOTPStep(ctx, a.ID, 100), store.ErrNotFound)
	wantErr(t, "an older step", s.UseTOTPStep(ctx, a.ID, 99), store.ErrNotFound)
	if err := s.UseTOTPStep(ctx, a.ID, 101); err != nil {
		t.Fatal(err)
	}
	if err := s.UseRecoveryCode(ctx, a.ID, []byte("h1")); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "a used recovery code", s.UseRecoveryCode(ctx, a.ID, []byte("h1")), store.ErrNotFound)
	b, _ := newAccount(t, s, "tf2@example.com")
	wantErr(t, "another account's code", s.UseRecoveryCode(ctx, b.ID, []byte("h2")), store.ErrNotFound)
	if err := s.DisableTwoFactor(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TwoFactor(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("disabled: %v", err)
	}
	wantErr(t, "a code after disabling", s.UseRecoveryCode(ctx, a.ID, []byte("h2")), store.ErrNotFound)
	enrolTwoFactor(t, s, b.ID, [][]byte{[]byte("h3")})
	if err := s.DeleteAccount(ctx, b.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TwoFactor(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a deleted account keeps its enrolment: %v", err)
	}
}

// raceOnce runs use in 8 goroutines released together and returns how
// many succeeded; every other one must be ErrNotFound.
func raceOnce(t *testing.T, use func() error) int64 {
	t.Helper()
	var wins int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			<-start
			switch err := use(); {
			case err == nil:
				atomic.AddInt64(&wins, 1)
			case !errors.Is(err, store.ErrNotFound):
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return wins
}

// testRaceRecoveryCodeUsedOnce: concurrent log-ins with one recovery code
// — exactly one uses it, each round.
func testRaceRecoveryCodeUsedOnce(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "race-rc@example.com")
	var codes [][]byte
	for i := range 10 {
		codes = append(codes, fmt.Appendf(nil, "hash-%d", i))
	}
	enrolTwoFactor(t, s, a.ID, codes)
	for _, c := range codes {
		if n := raceOnce(t, func() error { return s.UseRecoveryCode(ctx, a.ID, c) }); n != 1 {
			t.Fatalf("recovery code %s used %d times", c, n)
		}
	}
	if tf, _ := s.TwoFactor(ctx, a.ID); len(tf.RecoveryCodes) != 0 {
		t.Fatalf("%d codes left", len(tf.RecoveryCodes))
	}
}

// testRaceTOTPStepUsedOnce: concurrent log-ins with one TOTP code — one
// is accepted, the others are replays.
func testRaceTOTPStepUsedOnce(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "race-totp@example.com")
	enrolTwoFactor(t, s, a.ID, nil)
	for step := int64(101); step < 111; step++ {
		if n := raceOnce(t, func() error { return s.UseTOTPStep(ctx, a.ID, step) }); n != 1 {
			t.Fatalf("step %d used %d times", step, n)
		}
	}
}

// testResetSecondFactors: an administrator's reset takes TOTP, recovery
// codes and security keys in one go and leaves the account's user a
// notice; an account without a second factor is ErrNotFound, and gets no
// notice.
func testResetSecondFactors(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "reset-2fa@example.com")
	notice := store.AccountNotice{ID: "notice-reset-1", Kind: store.NoticeSecondFactorReset, ActorID: "admin-1", ActorEmail: "admin@example.com", ClientAddr: "192.0.2.1", CreatedAt: now}
	wantErr(t, "a reset without 2FA", s.ResetSecondFactors(ctx, a.ID, notice), store.ErrNotFound)
	enrolTwoFactor(t, s, a.ID, [][]byte{[]byte("code-hash")})
	if err := s.AddWebAuthnCredential(ctx, store.WebAuthnCredential{ID: "key-1", UserID: a.ID, CredentialID: []byte("cred"), PublicKey: []byte("pk"), RPID: "example.com", Name: "Key", CreatedAt: now}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.ResetSecondFactors(ctx, a.ID, notice); err != nil {
		t.Fatal(err)
	}
	if on, err := s.TwoFactorOn(ctx, []string{a.ID}); err != nil || on[a.ID] {
		t.Fatalf("after the reset: %v, %v", on, err)
	}
	if keys, _ := s.WebAuthnCredentials(ctx, a.ID); len(keys) != 0 {
		t.Fatalf("%d keys left", len(keys))
	}
	if codes, _ := s.RecoveryCodeHashes(ctx, a.ID); len(codes) != 0 {
		t.Fatalf("%d recovery codes left", len(codes))
	}
	ns, err := s.AccountNotices(ctx, a.ID, 10)
	if err != nil || len(ns) != 1 || ns[0].Kind != store.NoticeSecondFactorReset || ns[0].ActorEmail != "admin@example.com" {
		t.Fatalf("notices %+v, %v", ns, err)
	}
	notice.ID = "notice-reset-2"
	wantErr(t, "new recovery codes without 2FA", s.ReplaceRecoveryCodes(ctx, a.ID, [][]byte{[]byte("x")}), store.ErrNotFound)
	enrolTwoFactor(t, s, a.ID, [][]byte{[]byte("old-1"), []byte("old-2")})
	if err := s.ReplaceRecoveryCodes(ctx, a.ID, [][]byte{[]byte("new-1")}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "an old recovery code", s.UseRecoveryCode(ctx, a.ID, []byte("old-1")), store.ErrNotFound)
	if err := s.UseRecoveryCode(ctx, a.ID, []byte("new-1")); err != nil {
		t.Fatalf("a new recovery code: %v", err)
	}
	if err := s.DisableTwoFactor(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "a second reset", s.ResetSecondFactors(ctx, a.ID, notice), store.ErrNotFound)
}
