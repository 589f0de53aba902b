package storetest

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "SetPasswordIsCompareAndSet", fn: testSetPassword},
		namedTest{name: "SetPasswordRevokesOtherSessions", fn: testSetPasswordRevokes})
}

func newPassword(tag string) store.PasswordChange {
	return store.PasswordChange{
		KDF:      store.KDF{Algorithm: "argon2id", Time: 4, Memory: 131072, Threads: 4, Salt: []byte("salt of " + tag)},
		AuthHash: []byte("hash of " + tag), AuthSalt: []byte("asalt " + tag), WrappedAccountKey: []byte("wak " + tag),
	}
}

// testSetPassword: the change applies only over the hash it names, all
// fields at once; a second change naming the old hash changes nothing;
// of concurrent changes naming one hash exactly one wins.
func testSetPassword(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "pw@example.com")
	other, _ := newAccount(t, s, "other@example.com")
	c := newPassword("one")
	if _, err := s.SetPassword(ctx, a.ID, a.AuthHash, c, false, "", now); err != nil {
		t.Fatal(err)
	}
	got, _ := s.AccountByID(ctx, a.ID)
	if got.KDF.Time != 4 || got.KDF.Memory != 131072 || !bytes.Equal(got.KDF.Salt, c.KDF.Salt) || !bytes.Equal(got.AuthHash, c.AuthHash) ||
		!bytes.Equal(got.AuthSalt, c.AuthSalt) || !bytes.Equal(got.WrappedAccountKey, c.WrappedAccountKey) ||
		!bytes.Equal(got.PrivateKeys, a.PrivateKeys) || !bytes.Equal(got.SignPub, a.SignPub) {
		t.Fatalf("after SetPassword: %+v", got)
	}
	if _, err := s.SetPassword(ctx, a.ID, a.AuthHash, newPassword("stale"), false, "", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a change over a stale hash: %v, want ErrNotFound", err)
	}
	if got, _ := s.AccountByID(ctx, a.ID); !bytes.Equal(got.AuthHash, c.AuthHash) {
		t.Fatal("a stale change was applied")
	}
	if o, _ := s.AccountByID(ctx, other.ID); !bytes.Equal(o.AuthHash, other.AuthHash) || !bytes.Equal(o.WrappedAccountKey, other.WrappedAccountKey) {
		t.Fatal("another account changed")
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.SetPassword(ctx, a.ID, c.AuthHash, newPassword(string(rune('a'+i))), false, "", now)
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, store.ErrNotFound) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d of 4 concurrent changes over one hash won, want 1", wins)
	}
}

// testSetPasswordRevokes: with revoke, every other live session of the
// account is revoked (the kept one and other accounts' stay), and the
// account's live connections are woken.
func testSetPasswordRevokes(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "pw@example.com")
	other, _ := newAccount(t, s, "other@example.com")
	mk := func(user, id string) {
		if err := s.CreateSession(ctx, store.Session{ID: id, UserID: user, TokenHash: []byte("th" + id), CreatedAt: now, LastUsedAt: now,
			ExpiresAt: now.Add(time.Hour), MaxExpires: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	mk(a.ID, "keep")
	mk(a.ID, "s2")
	mk(a.ID, "s3")
	mk(other.ID, "o1")
	if err := s.RevokeSession(ctx, a.ID, "s3", now); err != nil {
		t.Fatal(err)
	}
	_, before, _, _ := s.EventsSince(ctx, a.ID, 0, 1)
	n, err := s.SetPassword(ctx, a.ID, a.AuthHash, newPassword("x"), true, "keep", now.Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("SetPassword revoked %d, %v; want 1 (s3 was revoked already)", n, err)
	}
	revoked := map[string]bool{}
	for _, u := range []string{a.ID, other.ID} {
		list, _ := s.ListSessions(ctx, u)
		for _, x := range list {
			revoked[x.ID] = !x.RevokedAt.IsZero()
		}
	}
	if revoked["keep"] || !revoked["s2"] || !revoked["s3"] || revoked["o1"] {
		t.Fatalf("revoked after the change: %v", revoked)
	}
	if _, after, _, _ := s.EventsSince(ctx, a.ID, 0, 1); after <= before {
		t.Fatal("no event woke the account's live connections")
	}
	// Revoking all (a recovery): keep nothing.
	n, err = s.SetPassword(ctx, a.ID, newPassword("x").AuthHash, newPassword("y"), true, "", now)
	if err != nil || n != 1 {
		t.Fatalf("revoking all: %d, %v", n, err)
	}
}
