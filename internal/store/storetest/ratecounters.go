package storetest

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "RateCounters", fn: testRateCounters},
		namedTest{name: "RaceRateCounter", fn: testRaceRateCounter},
	)
}

// testRateCounters: a window counts up to its limit and refuses beyond,
// keys are independent, a refund gives one event back only within its
// own window, an ended window starts again, pruning deletes ended windows
// only, and an overlong key is refused.
func testRateCounters(t *testing.T, s store.Store) {
	const window = 15 * time.Minute
	t0 := time.UnixMilli(now.UnixMilli()).UTC()
	hit := func(key string, limit int, at time.Time) store.CounterHit {
		t.Helper()
		h, err := s.HitCounter(ctx, key, limit, window, at)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	for i := 1; i <= 3; i++ {
		h := hit("login:a", 3, t0.Add(time.Duration(i)*time.Second))
		if !h.OK || h.N != i || !h.Start.Equal(t0.Add(time.Second)) || !h.End.Equal(t0.Add(time.Second+window)) {
			t.Fatalf("hit %d = %+v", i, h)
		}
	}
	h := hit("login:a", 3, t0.Add(time.Minute))
	if h.OK || h.N != 3 || !h.End.Equal(t0.Add(time.Second+window)) {
		t.Fatalf("4th hit = %+v, want refused until the window ends", h)
	}
	if h := hit("login:b", 3, t0.Add(time.Minute)); !h.OK || h.N != 1 {
		t.Fatalf("another key = %+v", h)
	}

	// A refund of this window frees one place; one of another window
	// (an earlier start) gives nothing.
	if err := s.RefundCounter(ctx, "login:a", t0); err != nil {
		t.Fatal(err)
	}
	if h := hit("login:a", 3, t0.Add(time.Minute)); h.OK {
		t.Fatalf("a refund of another window freed a place: %+v", h)
	}
	if err := s.RefundCounter(ctx, "login:a", t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if h := hit("login:a", 3, t0.Add(2*time.Minute)); !h.OK || h.N != 3 {
		t.Fatalf("after a refund = %+v", h)
	}
	// A refund of an unknown key is no error.
	if err := s.RefundCounter(ctx, "login:none", t0); err != nil {
		t.Fatal(err)
	}

	// The window ends at its stored end: a hit then starts a new one.
	end := t0.Add(time.Second + window)
	if h := hit("login:a", 3, end.Add(-time.Millisecond)); h.OK {
		t.Fatalf("a millisecond before the end = %+v", h)
	}
	if h := hit("login:a", 3, end); !h.OK || h.N != 1 || !h.Start.Equal(end) {
		t.Fatalf("at the end = %+v, want a new window", h)
	}

	// A limit of nothing refuses and writes nothing.
	if h := hit("login:zero", 0, t0); h.OK {
		t.Fatalf("limit 0 = %+v", h)
	}

	// Pruning at t0+window+1m deletes login:b (ended at t0+1m+window)
	// but not login:a (its new window started at end).
	n, err := s.PruneCounters(ctx, t0.Add(window+time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("PruneCounters = %d, %v; want 1", n, err)
	}
	if h := hit("login:a", 3, end.Add(time.Second)); !h.OK || h.N != 2 {
		t.Fatalf("a pruning deleted a live window: %+v", h)
	}
	if h := hit("login:b", 3, t0.Add(window+2*time.Minute)); !h.OK || h.N != 1 {
		t.Fatalf("after pruning = %+v", h)
	}

	if _, err := s.HitCounter(ctx, strings.Repeat("k", store.MaxCounterKey+1), 3, window, t0); err == nil {
		t.Fatal("an overlong key was counted")
	}
	if _, err := s.HitCounter(ctx, "", 3, window, t0); err == nil {
		t.Fatal("an empty key was counted")
	}
}

// testRaceRateCounter: many concurrent hits on one key (a new key, so
// they also race to create its row) count exactly the limit.
func testRaceRateCounter(t *testing.T, s store.Store) {
	const limit, hits = 10, 40
	at := time.UnixMilli(now.UnixMilli()).UTC()
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for range hits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := s.HitCounter(ctx, "login:race", limit, time.Hour, at)
			if err != nil {
				t.Error(err)
				return
			}
			if h.OK {
				ok.Add(1)
			} else {
				refused.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != limit || refused.Load() != hits-limit {
		t.Fatalf("%d counted, %d refused; want %d and %d", ok.Load(), refused.Load(), limit, hits-limit)
	}
}
