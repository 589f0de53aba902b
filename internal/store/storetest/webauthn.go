package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "WebAuthn", fn: testWebAuthn},
		namedTest{name: "RaceWebAuthnChallengeUsedOnce", fn: testRaceWebAuthnChallengeUsedOnce},
		namedTest{name: "RaceWebAuthnCounter", fn: testRaceWebAuthnCounter},
	)
}

func webauthnKey(userID, id string, credID byte) store.WebAuthnCredential {
	return store.WebAuthnCredential{ID: id, UserID: userID, CredentialID: []byte{credID, 1, 2, 3}, PublicKey: []byte("cose"), SignCount: 5,
		AAGUID: make([]byte, 16), Transports: []string{"usb", "nfc"}, Flags: 1, RPID: "vault.example.com", Name: "key " + id, CreatedAt: now}
}

// testWebAuthn: keys added, listed, used (the counter's compare-and-set),
// removed; the first key's recovery codes and their fate when TOTP or
// the last key goes; challenges bound to account and ceremony, used once,
// expiring, capped per account; account deletion takes it all.
func testWebAuthn(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "wa@example.com")
	b, _ := newAccount(t, s, "wa2@example.com")
	if list, err := s.WebAuthnCredentials(ctx, a.ID); err != nil || len(list) != 0 {
		t.Fatalf("no keys: %v %v", list, err)
	}
	if err := s.AddWebAuthnCredential(ctx, webauthnKey(a.ID, "k1", 1), [][]byte{[]byte("r1"), []byte("r2")}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "the same credential twice", s.AddWebAuthnCredential(ctx, webauthnKey(a.ID, "k1b", 1), nil), store.ErrExists)
	if err := s.AddWebAuthnCredential(ctx, webauthnKey(a.ID, "k2", 2), nil); err != nil {
		t.Fatal(err)
	}
	list, err := s.WebAuthnCredentials(ctx, a.ID)
	if err != nil || len(list) != 2 || list[0].ID != "k1" || list[0].SignCount != 5 || len(list[0].Transports) != 2 || list[0].RPID != "vault.example.com" ||
		list[0].Flags != 1 || !bytes.Equal(list[0].CredentialID, []byte{1, 1, 2, 3}) || !list[0].LastUsedAt.IsZero() || !list[0].CreatedAt.Equal(now) {
		t.Fatalf("keys: %+v %v", list, err)
	}
	if codes, _ := s.RecoveryCodeHashes(ctx, a.ID); len(codes) != 2 {
		t.Fatalf("recovery codes of the first key: %d", len(codes))
	}
	wantErr(t, "a stale counter", s.UseWebAuthnCredential(ctx, a.ID, "k1", 4, 6, now), store.ErrNotFound)
	wantErr(t, "another account's key", s.UseWebAuthnCredential(ctx, b.ID, "k1", 5, 6, now), store.ErrNotFound)
	if err := s.UseWebAuthnCredential(ctx, a.ID, "k1", 5, 6, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	list, _ = s.WebAuthnCredentials(ctx, a.ID)
	if list[0].SignCount != 6 || !list[0].LastUsedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("used: %+v", list[0])
	}
	// TOTP on and off: the codes stay while a key is a second factor.
	enrolTwoFactor(t, s, a.ID, [][]byte{[]byte("r3")})
	if err := s.DisableTwoFactor(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if codes, _ := s.RecoveryCodeHashes(ctx, a.ID); len(codes) != 1 {
		t.Fatalf("recovery codes after TOTP off with keys: %d", len(codes))
	}
	wantErr(t, "another account removes", s.RemoveWebAuthnCredential(ctx, b.ID, "k1"), store.ErrNotFound)
	if err := s.RemoveWebAuthnCredential(ctx, a.ID, "k1"); err != nil {
		t.Fatal(err)
	}
	if codes, _ := s.RecoveryCodeHashes(ctx, a.ID); len(codes) != 1 {
		t.Fatalf("recovery codes with a key left: %d", len(codes))
	}
	if err := s.RemoveWebAuthnCredential(ctx, a.ID, "k2"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "a removed key", s.RemoveWebAuthnCredential(ctx, a.ID, "k2"), store.ErrNotFound)
	if codes, _ := s.RecoveryCodeHashes(ctx, a.ID); len(codes) != 0 {
		t.Fatalf("recovery codes with no second factor: %d", len(codes))
	}

	// Challenges.
	ch := func(h string, user, ceremony string, exp time.Time) store.WebAuthnChallenge {
		return store.WebAuthnChallenge{Hash: []byte(h), UserID: user, Ceremony: ceremony, Session: []byte(`{"challenge":"` + h + `"}`), ExpiresAt: exp}
	}
	if err := s.PutWebAuthnChallenge(ctx, ch("c1", a.ID, "login", now.Add(5*time.Minute)), now, 3); err != nil {
		t.Fatal(err)
	}
	_, err = s.TakeWebAuthnChallenge(ctx, []byte("c1"), b.ID, "login", now)
	wantErr(t, "another account's challenge", err, store.ErrNotFound)
	_, err = s.TakeWebAuthnChallenge(ctx, []byte("c1"), a.ID, "register", now)
	wantErr(t, "another ceremony's challenge", err, store.ErrNotFound)
	_, err = s.TakeWebAuthnChallenge(ctx, []byte("c1"), a.ID, "login", now.Add(5*time.Minute))
	wantErr(t, "an expired challenge", err, store.ErrNotFound)
	got, err := s.TakeWebAuthnChallenge(ctx, []byte("c1"), a.ID, "login", now.Add(time.Minute))
	if err != nil || string(got.Session) != `{"challenge":"c1"}` || !got.ExpiresAt.Equal(now.Add(5*time.Minute)) {
		t.Fatalf("take: %+v %v", got, err)
	}
	_, err = s.TakeWebAuthnChallenge(ctx, []byte("c1"), a.ID, "login", now.Add(time.Minute))
	wantErr(t, "a used challenge", err, store.ErrNotFound)
	// At most 3 live per account: the oldest make room.
	for i := range 5 {
		if err := s.PutWebAuthnChallenge(ctx, ch(fmt.Sprint("d", i), a.ID, "login", now.Add(time.Duration(i+1)*time.Minute)), now, 3); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		_, err := s.TakeWebAuthnChallenge(ctx, []byte(fmt.Sprint("d", i)), a.ID, "login", now)
		if (i >= 2) != (err == nil) {
			t.Fatalf("challenge d%d after the cap: %v", i, err)
		}
	}
	if err := s.PutWebAuthnChallenge(ctx, ch("e", b.ID, "register", now.Add(time.Minute)), now, 3); err != nil {
		t.Fatal(err)
	}
	if err := s.AddWebAuthnCredential(ctx, webauthnKey(b.ID, "k3", 3), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(ctx, b.ID, now); err != nil {
		t.Fatal(err)
	}
	if list, err := s.WebAuthnCredentials(ctx, b.ID); err != nil || len(list) != 0 {
		t.Fatalf("a deleted account keeps its keys: %v %v", list, err)
	}
	if _, err := s.TakeWebAuthnChallenge(ctx, []byte("e"), b.ID, "register", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a deleted account keeps its challenge: %v", err)
	}
}

// testRaceWebAuthnChallengeUsedOnce: 8 concurrent finishes with one
// assertion (so one challenge) — exactly one takes it, each round.
func testRaceWebAuthnChallengeUsedOnce(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "race-wa@example.com")
	for i := range 10 {
		h := fmt.Appendf(nil, "challenge-%d", i)
		if err := s.PutWebAuthnChallenge(ctx, store.WebAuthnChallenge{Hash: h, UserID: a.ID, Ceremony: "login", Session: []byte("{}"), ExpiresAt: now.Add(time.Minute)}, now, 5); err != nil {
			t.Fatal(err)
		}
		if n := raceOnce(t, func() error {
			_, err := s.TakeWebAuthnChallenge(ctx, h, a.ID, "login", now)
			return err
		}); n != 1 {
			t.Fatalf("challenge %d taken %d times", i, n)
		}
	}
}

// testRaceWebAuthnCounter: 8 concurrent log-ins that read one counter —
// one moves it, the others find it moved.
func testRaceWebAuthnCounter(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "race-wac@example.com")
	if err := s.AddWebAuthnCredential(ctx, webauthnKey(a.ID, "k", 9), nil); err != nil {
		t.Fatal(err)
	}
	for c := uint32(5); c < 15; c++ {
		if n := raceOnce(t, func() error { return s.UseWebAuthnCredential(ctx, a.ID, "k", c, c+1, now) }); n != 1 {
			t.Fatalf("counter %d moved %d times", c, n)
		}
	}
}
