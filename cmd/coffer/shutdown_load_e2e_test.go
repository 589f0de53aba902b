package main_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
)

// TestGracefulShutdownUnderLoad (issue 28): SIGTERM while four devices
// write flat out and a fifth watches live. A request the server had taken
// is answered; what comes after the listener closed finds nobody there
// (connection refused: the client says the server cannot be reached) —
// never a reset, a cut-off answer or a 5xx. The server exits 0; started
// again on the same data and address, the writers go on and the watcher's
// live stream comes back by itself and sees their writes.
func TestGracefulShutdownUnderLoad(t *testing.T) {
	addr := freeAddr(t)
	data := t.TempDir()
	srv := startServerIn(t, data, "--addr", addr)
	url := srv.url
	const email, pw = "shutdown@load.example", "shutdown load master pw"
	if _, err := client.Signup(context.Background(), url, email, "Load", []byte(pw), client.Options{}); err != nil {
		t.Fatal(err)
	}
	login := func() *client.Session {
		s, err := client.Login(context.Background(), url, email, []byte(pw), client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The watcher: counts connections and changes.
	watcher := login()
	var connects atomic.Int64
	changes := make(chan struct{}, 1<<12)
	watchDone := make(chan error, 1)
	go func() {
		watchDone <- watcher.Watch(ctx, client.WatchOptions{OnConnect: func(int64) { connects.Add(1) }, MaxBackoff: 200 * time.Millisecond},
			func(client.Change) {
				select {
				case changes <- struct{}{}:
				default:
				}
			})
	}()

	// The writers: each acknowledged write is a token; an error is kept
	// unless it says the server could not be reached at all.
	acks := make(chan struct{}, 1<<16)
	var mu sync.Mutex
	var bad []error
	var refused atomic.Int64
	// up is closed while a server listens: a writer that found nobody
	// waits for it instead of knocking again at once.
	var up atomic.Pointer[chan struct{}]
	open := make(chan struct{})
	close(open)
	up.Store(&open)
	var wg sync.WaitGroup
	for i := range 4 {
		s := login()
		v, err := s.PersonalVault()
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				_, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: fmt.Sprintf("w%d-%d", i, n)})
				switch {
				case err == nil:
					acks <- struct{}{}
				case ctx.Err() != nil:
				case errors.Is(err, syscall.ECONNREFUSED):
					refused.Add(1)
					select {
					case <-*up.Load():
					case <-ctx.Done():
					}
				default:
					mu.Lock()
					bad = append(bad, err)
					mu.Unlock()
				}
			}
		})
	}
	waitN := func(ch chan struct{}, n int, what string) {
		t.Helper()
		guard := time.After(60 * time.Second)
		for range n {
			select {
			case <-ch:
			case <-guard:
				t.Fatalf("no %s for 60 s", what)
			}
		}
	}
	waitN(acks, 40, "acknowledged write")
	down := make(chan struct{})
	up.Store(&down)
	srv.stop(t) // SIGTERM; exit 0 within the shutdown timeout
	for len(changes) > 0 {
		<-changes
	}
	srv = startServerIn(t, data, "--addr", addr)
	close(down)
	waitN(acks, 40, "acknowledged write after the restart")
	waitN(changes, 1, "live change after the restart")
	if connects.Load() < 2 {
		t.Fatalf("the live stream connected %d times", connects.Load())
	}
	cancel()
	wg.Wait()
	<-watchDone
	mu.Lock()
	defer mu.Unlock()
	for _, err := range bad {
		if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			t.Errorf("a request the server had taken was cut: %v", err)
		} else {
			t.Errorf("a writer failed: %v", err)
		}
	}
	t.Logf("%d writes refused while the server was away (connection refused)", refused.Load())
}
