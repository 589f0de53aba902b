package server

import (
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

// TestLiveQueueIsBounded: a connection that does not take its batches
// holds at most liveQueue of them; beyond, they are dropped and the
// connection is told to catch up from the database.
func TestLiveQueueIsBounded(t *testing.T) {
	h := newHub()
	cfg := DefaultConfig()
	c, err := h.add(cfg, store.Session{ID: "s", UserID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(0); i < liveQueue; i++ {
		h.deliver(newBatch(i, i+1, nil))
	}
	if b, overflow := c.take(); len(b) != liveQueue || overflow {
		t.Fatalf("took %d batches, overflow %v; want %d, false", len(b), overflow, liveQueue)
	}
	for i := int64(0); i <= liveQueue; i++ {
		h.deliver(newBatch(i, i+1, nil))
	}
	c.mu.Lock()
	held := len(c.batches)
	c.mu.Unlock()
	if b, overflow := c.take(); !overflow || len(b) > liveQueue || held > liveQueue {
		t.Fatalf("after %d batches: held %d, overflow %v", liveQueue+1, held, overflow)
	}
	h.remove(c)
	h.remove(c) // twice is harmless
	if len(h.perSession) != 0 || len(h.perUser) != 0 || h.count() != 0 {
		t.Fatalf("counts not released: %v %v %d", h.perSession, h.perUser, h.count())
	}
}
