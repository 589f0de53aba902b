package storetest

import (
	"errors"
	"sort"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

// Limits that must hold under concurrency, on every engine (issue 23).

func init() {
	extraTests = append(extraTests,
		namedTest{"JoinAttemptsCountedBeforeComparing", testJoinAttemptsCounted},
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
