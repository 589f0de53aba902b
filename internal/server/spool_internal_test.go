package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// The spool hands on every byte, in order, across memory and its file,
// while the writer never waits for the reader.
func TestSpoolKeepsOrderAcrossMemoryAndFile(t *testing.T) {
	sp := newSpool(t.TempDir(), 1000)
	defer sp.release()
	var want, got bytes.Buffer
	gate := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		<-gate // the reader starts only once everything is written
		done <- sp.drain(func(b []byte) error { got.Write(b); return nil })
	}()
	for i := range 2000 {
		chunk := []byte(fmt.Sprintf("chunk %d %s|", i, bytes.Repeat([]byte{'a' + byte(i%26)}, i%300)))
		want.Write(chunk)
		if _, err := sp.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if sp.f == nil {
		t.Fatal("nothing was spilled to the file")
	}
	sp.Close(nil)
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("the reader got %d bytes, want %d, or another order", got.Len(), want.Len())
	}
}

// A writer's error stops the reader at once; a reader's error makes the
// writer's next write fail.
func TestSpoolErrorsStopTheOtherSide(t *testing.T) {
	sp := newSpool(t.TempDir(), 10)
	sp.Write([]byte("head"))
	boom := errors.New("boom")
	sp.Close(boom)
	if err := sp.drain(func([]byte) error { return nil }); !errors.Is(err, boom) {
		t.Fatalf("drain after a failed write = %v", err)
	}
	sp.release()

	sp = newSpool(t.TempDir(), 10)
	defer sp.release()
	sp.Write([]byte("head"))
	gone := errors.New("client went away")
	if err := sp.drain(func([]byte) error { return gone }); !errors.Is(err, gone) {
		t.Fatalf("drain = %v", err)
	}
	if _, err := sp.Write([]byte("more")); !errors.Is(err, errReaderGone) {
		t.Fatalf("write after the reader stopped = %v", err)
	}
}

type poolsOnly struct {
	store.Store
	max int
}

func (p poolsOnly) Pools() []store.PoolStats {
	return []store.PoolStats{{Name: "pool", MaxOpen: p.max}}
}

// An account has at most SyncsPerAccount syncs in flight; slots are half
// the pool and a wait for one ends with 503.
func TestSyncGate(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SyncsPerAccount, cfg.SyncWait = 2, 10*time.Millisecond
	g := newSyncGate(cfg, poolsOnly{max: 4})
	if cap(g.slots) != 2 {
		t.Fatalf("slots = %d, want half of 4", cap(g.slots))
	}
	l1, err1 := g.enter("a")
	l2, err2 := g.enter("a")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	var he *httpError
	if _, err := g.enter("a"); !errors.As(err, &he) || he.status != http.StatusTooManyRequests {
		t.Fatalf("third sync of one account = %v, want 429", err)
	}
	if l, err := g.enter("b"); err != nil {
		t.Fatalf("another account = %v", err)
	} else {
		l()
	}
	l1()
	if l, err := g.enter("a"); err != nil {
		t.Fatalf("after one ended = %v", err)
	} else {
		l()
	}
	l2()
	if len(g.byUser) != 0 {
		t.Fatalf("counts left behind: %v", g.byUser)
	}
	f1, _ := g.slot(context.Background())
	f2, _ := g.slot(context.Background())
	if _, err := g.slot(context.Background()); !errors.As(err, &he) || he.status != http.StatusServiceUnavailable {
		t.Fatalf("slot with all taken = %v, want 503", err)
	}
	f1()
	f3, err := g.slot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f2()
	f3()
}
