package client_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestRemovalDuringASyncIsNoTampering: a sync reads the organisation's
// signed roster with its answer and the member list right after. When the
// owner removes someone in between, the list names them as a former
// member while the roster the sync read still has them: that is no sign
// of tampering, and the organisation must not be quarantined (found while
// hunting issue 23's flaky browser test).
func TestRemovalDuringASyncIsNoTampering(t *testing.T) {
	var (
		mu     sync.Mutex
		token  string // the honest member's
		remove func()
	)
	between := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			run := remove
			if r.Method == "GET" && strings.HasSuffix(r.URL.Path, "/members") && r.Header.Get("Authorization") == "Bearer "+token && run != nil {
				remove = nil
			} else {
				run = nil
			}
			mu.Unlock()
			if run != nil {
				run() // the removal commits between the sync's answer and this list
			}
			next.ServeHTTP(w, r)
		})
	}
	env := testserver.Start(t, nil, between)
	owner := signup(t, env.URL, "owner@roster.example")
	honest := signup(t, env.URL, "honest@roster.example")
	leaving := signup(t, env.URL, "leaving@roster.example")
	o := company(t, owner, "Roster", honest, leaving)
	if err := honest.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	removed := make(chan error, 1)
	mu.Lock()
	token = honest.Token()
	remove = func() { removed <- owner.RemoveMember(ctx, o.ID, "leaving@roster.example") }
	mu.Unlock()
	if err := honest.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-removed; err != nil {
		t.Fatalf("the removal: %v", err)
	}
	if q := honest.Quarantined(); len(q) != 0 {
		t.Fatalf("a removal during the sync was taken for tampering: %+v", q)
	}
	// The next sync sees the new roster: the removed member is former.
	if err := honest.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if q := honest.Quarantined(); len(q) != 0 {
		t.Fatalf("quarantined after: %+v", q)
	}
	if email := honest.MemberEmail(leaving.Profile.UserID); email != "" {
		t.Fatalf("the removed member is still a member: %s", email)
	}
}
