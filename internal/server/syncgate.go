package server

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
)

// syncGate bounds what syncs take of the instance (issue 23):
//
//   - slots: how many syncs read their snapshot at once. A sync holds a
//     pooled connection while it reads; the rest of the pool stays free for
//     writes, log-ins and every other request, however many clients sync
//     at the same moment (a live event makes all of them sync at once).
//     A sync waits for a slot (holding nothing) at most wait, then 503.
//   - perAccount: syncs of one account in flight, from the request to the
//     last byte sent. What a slow reader has not taken yet is spooled
//     (spool.go); this bounds the spool one account can make the server
//     hold. More get 429.
type syncGate struct {
	slots      chan struct{}
	wait       time.Duration
	perAccount int

	mu     sync.Mutex
	byUser map[string]int
}

// defaultSyncSlots is half the connections syncs read with, at least one.
func defaultSyncSlots(st store.Store) int {
	pools := st.Pools()
	n := pools[0].MaxOpen // the readers (SQLite) or the one pool (PostgreSQL)
	if n <= 0 {
		n = 8
	}
	return max(1, n/2)
}

func newSyncGate(cfg Config, st store.Store) *syncGate {
	slots := cfg.SyncSlots
	if slots <= 0 {
		slots = defaultSyncSlots(st)
	}
	return &syncGate{slots: make(chan struct{}, slots), wait: cfg.SyncWait, perAccount: cfg.SyncsPerAccount, byUser: map[string]int{}}
}

// enter counts a sync of userID in flight; the returned function ends it.
func (g *syncGate) enter(userID string) (func(), error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.perAccount > 0 && g.byUser[userID] >= g.perAccount {
		return nil, &httpError{http.StatusTooManyRequests, api.CodeRateLimited,
			"too many syncs at once for this account (at most " + strconv.Itoa(g.perAccount) + "); retry when one has finished", 0}
	}
	g.byUser[userID]++
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.byUser[userID]--; g.byUser[userID] == 0 {
			delete(g.byUser, userID)
		}
	}, nil
}

// slot waits for a slot to read a snapshot in; the returned function gives
// it back.
func (g *syncGate) slot(ctx context.Context) (func(), error) {
	// A free slot is taken without a timer: in one select with a timer
	// that has already fired (a goroutine descheduled for longer than the
	// wait, on a loaded machine), Go picks either case at random, and a
	// free slot could be refused with 503.
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, &httpError{http.StatusServiceUnavailable, api.CodeUnavailable, "the server is busy; retry shortly", 0}
	}
}
