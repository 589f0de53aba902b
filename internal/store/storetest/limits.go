package storetest

import (
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// Limits that must hold under concurrency, on every engine (issue 23).

func init() {
	extraTests = append(extraTests,
		namedTest{name: "JoinAttemptsCountedBeforeComparing", fn: testJoinAttemptsCounted},
		namedTest{name: "RecoveryRequestsBoundedUnderRace", fn: testRecoveryRequestsBounded},
	)
}

// testJoinAttemptsCounted races 40 attempts at one invitation's code:
// exactly 5 are counted (numbered 1 to 5, once each), the others are
// refused without counting, and so is every later one. A joined
// invitation counts no attempt.
func testJoinAttemptsCounted(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	guest, _ := newAccount(t, s, "guest@example.com")
	o := newOrg(t, s, owner)
	b := store.InviteBatch{ID: id(), OrgID: o.ID, VerifierHash: []byte("vh"), OrgTag: []byte("t"), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: now}
	inv, other := store.Invitation{ID: id(), Email: guest.Email}, store.Invitation{ID: id(), Email: "other@example.com"}
	if err := s.CreateInvitations(ctx, b, []store.Invitation{inv, other}); err != nil {
		t.Fatal(err)
	}
	const limit, racers = 5, 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	var counted []int
	refused := 0
	start := make(chan struct{})
	for range racers {
		wg.Go(func() {
			<-start
			n, err := s.CountJoinAttempt(ctx, inv.ID, limit, now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				counted = append(counted, n)
			case errors.Is(err, store.ErrNotFound):
				refused++
			default:
				t.Errorf("CountJoinAttempt: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	sort.Ints(counted)
	if len(counted) != limit || refused != racers-limit {
		t.Fatalf("%d racing attempts: counted %v, refused %d; want exactly %d counted", racers, counted, refused, limit)
	}
	for i, n := range counted {
		if n != i+1 {
			t.Fatalf("counts %v, want 1..%d once each", counted, limit)
		}
	}
	if _, err := s.CountJoinAttempt(ctx, inv.ID, limit, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("attempt after the limit: %v, want ErrNotFound", err)
	}
	if got, err := s.Invitation(ctx, inv.ID); err != nil || got.FailedAttempts != limit || got.State != store.InviteInvited {
		t.Fatalf("locked invitation = %+v, %v", got, err)
	}
	// Another invitation of the batch has its own count; once joined,
	// nothing more is counted.
	if n, err := s.CountJoinAttempt(ctx, other.ID, limit, now); err != nil || n != 1 {
		t.Fatalf("other invitation: %d, %v", n, err)
	}
	if err := s.JoinInvitation(ctx, other.ID, guest.ID, []byte("mac"), now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CountJoinAttempt(ctx, other.ID, limit, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("attempt at a joined invitation: %v, want ErrNotFound", err)
	}
	if _, err := s.CountJoinAttempt(ctx, id(), limit, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("attempt at an unknown invitation: %v, want ErrNotFound", err)
	}
}

// testRecoveryRequestsBounded races 30 recovery requests for one account
// (anyone may ask in a member's name): exactly 5 are kept, the others are
// refused with ErrLimit — none pushes a kept one out — and a request
// granted or expired no longer takes a place.
func testRecoveryRequestsBounded(t *testing.T, s store.Store) {
	m, _ := newAccount(t, s, "member@example.com")
	const keep, racers = 5, 30
	var wg sync.WaitGroup
	var mu sync.Mutex
	var kept []string
	limited := 0
	start := make(chan struct{})
	for i := range racers {
		wg.Go(func() {
			<-start
			at := now.Add(time.Duration(i) * time.Millisecond)
			q := store.RecoveryRequest{ID: id(), UserID: m.ID, SignPub: []byte("qs"), KEMPub: []byte("qk"), CreatedAt: at, ExpiresAt: at.Add(72 * time.Hour)}
			err := s.CreateRecoveryRequest(ctx, q, keep)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				kept = append(kept, q.ID)
			case errors.Is(err, store.ErrLimit):
				limited++
			default:
				t.Errorf("CreateRecoveryRequest: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if len(kept) != keep || limited != racers-keep {
		t.Fatalf("%d racing requests: %d kept, %d refused; want exactly %d kept", racers, len(kept), limited, keep)
	}
	_, stored, err := s.RecoveryForMember(ctx, m.ID)
	if err != nil || len(stored) != keep {
		t.Fatalf("stored requests: %d, %v", len(stored), err)
	}
	for _, q := range stored {
		found := false
		for _, k := range kept {
			found = found || k == q.ID
		}
		if !found {
			t.Fatalf("request %s is stored but was refused", q.ID)
		}
	}
	// Once the kept ones expired, a new request takes a place.
	later := now.Add(73 * time.Hour)
	q := store.RecoveryRequest{ID: id(), UserID: m.ID, SignPub: []byte("qs"), KEMPub: []byte("qk"), CreatedAt: later, ExpiresAt: later.Add(72 * time.Hour)}
	if err := s.CreateRecoveryRequest(ctx, q, keep); err != nil {
		t.Fatalf("a request after the others expired: %v", err)
	}
	if _, stored, _ := s.RecoveryForMember(ctx, m.ID); len(stored) != 1 {
		t.Fatalf("expired requests were not dropped: %d stored", len(stored))
	}
}
