package server

import (
	"net/http"
	"testing"
)

// TestBodyBudgetReserveKeepsSmallBodiesIn (finding 23.5): once big bodies
// hold the whole main budget, a small body (log-in, sign-up, item write)
// still gets in through the reserve and a big one does not; each caller's
// share covers both pools; releasing gives everything back.
func TestBodyBudgetReserveKeepsSmallBodiesIn(t *testing.T) {
	b := newBodyBudget(8<<20, 1<<20, 4<<20)
	status := func(err error) int {
		if err == nil {
			return 0
		}
		return err.(*httpError).status
	}
	var big []*bodyHold
	for i := range 2 {
		h := &bodyHold{b: b, key: "user:big" + string(rune('a'+i))}
		if err := h.grow(4 << 20); err != nil {
			t.Fatalf("big body %d: %v", i, err)
		}
		big = append(big, h)
	}
	late := &bodyHold{b: b, key: "user:late"}
	if got := status(late.grow(1)); got != http.StatusServiceUnavailable {
		t.Fatalf("a big body with the main budget full: %d, want 503", got)
	}
	small := &bodyHold{b: b, key: "net:192.0.2.0/24", small: true}
	if err := small.grow(60 << 10); err != nil {
		t.Fatalf("a small body with the main budget full: %v", err)
	}
	if got := status(big[0].grow(1)); got != http.StatusTooManyRequests {
		t.Fatalf("a caller beyond its share: %d, want 429", got)
	}
	// The reserve is bounded too.
	full := false
	for range 20 {
		h := &bodyHold{b: b, key: "net:198.51.100.0/24", small: true}
		if err := h.grow(60 << 10); err != nil {
			if status(err) != http.StatusServiceUnavailable {
				t.Fatalf("reserve full: %v, want 503", err)
			}
			full = true
			break
		}
		defer h.release()
	}
	if !full {
		t.Fatal("20 small bodies of 60 KiB fit in a reserve of 1 MiB")
	}
	if got := b.heldBytes(); got > 8<<20+1<<20 {
		t.Fatalf("held %d bytes, more than budget and reserve", got)
	}
	small.release()
	small.release() // twice is harmless
	for _, h := range big {
		h.release()
	}
	if err := late.grow(4 << 20); err != nil {
		t.Fatalf("after the big bodies left: %v", err)
	}
	late.release()
}
