package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "KnownDevices", fn: testKnownDevices},
		namedTest{name: "RaceNewDeviceSaidOnce", fn: testRaceNewDeviceSaidOnce},
	)
}

// testKnownDevices: an account's first device is not new; the same
// device again is not; another is, once; another account's devices are
// its own; account deletion takes them.
func testKnownDevices(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "kd-a@example.com")
	b, _ := newAccount(t, s, "kd-b@example.com")
	see := func(who store.Account, dev string, want bool) {
		t.Helper()
		got, err := s.SeeDevice(ctx, who.ID, []byte(dev), now.Add(time.Minute))
		if err != nil || got != want {
			t.Fatalf("SeeDevice(%s, %s) = %v %v, want %v", who.Email, dev, got, err, want)
		}
	}
	see(a, "laptop", false) // the first
	see(a, "laptop", false)
	see(a, "phone", true)
	see(a, "phone", false)
	see(b, "phone", false) // b's first: a's devices are a's
	see(b, "laptop", true)
	if err := s.DeleteAccount(ctx, b.ID, now); err != nil {
		t.Fatal(err)
	}
}

// testRaceNewDeviceSaidOnce: 8 concurrent log-ins from one new device
// say it is new exactly once.
func testRaceNewDeviceSaidOnce(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "kd-race@example.com")
	if _, err := s.SeeDevice(ctx, a.ID, []byte("first"), now); err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			<-start
			isNew, err := s.SeeDevice(ctx, a.ID, []byte("new"), now)
			if err != nil {
				t.Error(err)
			}
			if isNew {
				n.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if n.Load() != 1 {
		t.Fatalf("a new device said new %d times, want 1", n.Load())
	}
}
