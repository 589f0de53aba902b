package server_test

// The gate in front of the server's slow hash (issue 13, finding 4), on the
// real server over loopback. The hash is observed (counted or held) through
// server.ObserveAuthHash; it still runs the real crypto.AuthHash.

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server"
)

// TestHashGateBoundsHashesInFlight: with the per-network cap out of the
// way (as for a flood from many networks), 100 concurrent logins never
// have more than HashSlots hashes running; those that find the queue full
// get 503 unavailable with Retry-After at once, without a hash.
func TestHashGateBoundsHashesInFlight(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RequestsPerAddr = 1 << 20
	cfg.HashSlots, cfg.HashQueue, cfg.HashPerNetwork, cfg.HashWait = 2, 5, 1000, time.Minute
	env := startFloodEnv(t, cfg)
	var running, peak, hashed atomic.Int64
	server.ObserveAuthHash(env.Server, func(next func(k, s []byte) []byte, k, s []byte) []byte {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		defer running.Add(-1)
		hashed.Add(1)
		return next(k, s)
	})
	const flood = 100
	answers := make([]answer, flood)
	var wg sync.WaitGroup
	for i := range flood {
		wg.Go(func() { answers[i] = postFrom(t, floodSource(i), env.URL, "/sessions", madeUpLogin()) })
	}
	wg.Wait()
	if p := peak.Load(); p > int64(cfg.HashSlots) {
		t.Fatalf("%d hashes ran at once, want at most %d", p, cfg.HashSlots)
	}
	evaluated, busy := 0, 0
	for _, a := range answers {
		switch {
		case a.status == http.StatusUnauthorized:
			evaluated++
		case a.status == http.StatusServiceUnavailable && a.code == api.CodeUnavailable:
			busy++
			if s, err := strconv.Atoi(a.retryAfter); err != nil || s < 1 {
				t.Errorf("503 with Retry-After %q, want whole seconds >= 1", a.retryAfter)
			}
		default:
			t.Errorf("unexpected answer %+v", a)
		}
	}
	if int64(evaluated) != hashed.Load() || busy == 0 || evaluated < cfg.HashSlots+cfg.HashQueue {
		t.Fatalf("401: %d, 503: %d, hashes: %d; want every 401 hashed, every 503 not, and at least %d hashed",
			evaluated, busy, hashed.Load(), cfg.HashSlots+cfg.HashQueue)
	}
}

// holdHashes makes the server's hashes wait until release is called;
// started receives one value per hash that began.
func holdHashes(t *testing.T, s *server.Server) (started chan struct{}, release func()) {
	started = make(chan struct{}, 100)
	gate := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	server.ObserveAuthHash(s, func(next func(k, s []byte) []byte, k, s []byte) []byte {
		started <- struct{}{}
		<-gate
		return next(k, s)
	})
	return started, release
}

// TestHashGateKeepsPlaceForOtherNetworks: one network (127.0.0.0/8) that
// floods holds at most HashPerNetwork running and waiting places; the rest
// of its requests get 429 with Retry-After at once; a login from another
// network (::1) still gets a place and succeeds.
func TestHashGateKeepsPlaceForOtherNetworks(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RequestsPerAddr = 1 << 20
	cfg.HashSlots, cfg.HashQueue, cfg.HashPerNetwork, cfg.HashWait = 1, 8, 2, time.Minute
	env := startFloodEnv(t, cfg)
	honest := newSignup(t)
	if a := postFrom(t, "", env.v6URL, "/accounts", honest); a.status != http.StatusCreated {
		t.Fatalf("sign-up: %+v", a)
	}
	started, release := holdHashes(t, env.Server)

	const flood = 10
	answers := make(chan answer, flood)
	for i := range flood {
		go func() { answers <- postFrom(t, floodSource(i), env.URL, "/sessions", madeUpLogin()) }()
	}
	// All but HashPerNetwork are refused at once, while the others hold
	// the one slot (its hash is held) and one place in the queue.
	for range flood - cfg.HashPerNetwork {
		a := recv(t, answers)
		if a.status != http.StatusTooManyRequests || a.code != api.CodeRateLimited || a.retryAfter != "1" {
			t.Fatalf("flood login beyond the network's share: %+v, want 429 rate_limited, Retry-After 1", a)
		}
	}
	recv(t, started)
	honestDone := make(chan answer, 1)
	go func() {
		honestDone <- postFrom(t, "::1", env.v6URL, "/sessions", api.LoginRequest{Email: honest.Email, AuthKey: honest.AuthKey})
	}()
	// The honest login queues behind the flood's one waiting request.
	waitForQueue(t, env.Server, 2)
	release()
	if h := recv(t, honestDone); h.status != http.StatusCreated {
		t.Fatalf("honest login from ::1 during the flood: %+v, want 201", h)
	}
	for range cfg.HashPerNetwork {
		if a := recv(t, answers); a.status != http.StatusUnauthorized {
			t.Fatalf("flood login that held a place: %+v, want 401", a)
		}
	}
}

// TestSignupHashIsGated: sign-up runs the same slow hash under the same
// gate; a sign-up refused by it writes nothing.
func TestSignupHashIsGated(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RequestsPerAddr = 1 << 20
	cfg.HashSlots, cfg.HashQueue, cfg.HashPerNetwork, cfg.HashWait = 1, 8, 1, time.Minute
	env := startFloodEnv(t, cfg)
	started, release := holdHashes(t, env.Server)
	first, second := newSignup(t), newSignup(t)
	done := make(chan answer, 1)
	go func() { done <- postFrom(t, "127.0.0.1", env.URL, "/accounts", first) }()
	recv(t, started)
	a := postFrom(t, "127.0.0.2", env.URL, "/accounts", second)
	if a.status != http.StatusTooManyRequests || a.code != api.CodeRateLimited || a.retryAfter == "" {
		t.Fatalf("second concurrent sign-up from 127.0.0.0/8: %+v, want 429 with Retry-After", a)
	}
	release()
	if a := recv(t, done); a.status != http.StatusCreated {
		t.Fatalf("first sign-up: %+v", a)
	}
	if _, err := env.Store.AccountByEmail(bg, second.Email); err == nil {
		t.Fatal("the refused sign-up created an account")
	}
	if a := postFrom(t, "127.0.0.2", env.URL, "/accounts", second); a.status != http.StatusCreated {
		t.Fatalf("the same sign-up once the gate is free: %+v, want 201", a)
	}
}

// TestGateRefusalIsNotAFailedLogin: logins refused by the gate (no hash
// ran) do not count against the account, so a flood cannot lock an
// account out by having its own requests refused.
func TestGateRefusalIsNotAFailedLogin(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RequestsPerAddr = 1 << 20
	cfg.LoginAttempts = 2
	cfg.HashSlots, cfg.HashQueue, cfg.HashPerNetwork, cfg.HashWait = 1, 8, 1, time.Minute
	env := startFloodEnv(t, cfg)
	acct := newSignup(t)
	if a := postFrom(t, "", env.URL, "/accounts", acct); a.status != http.StatusCreated {
		t.Fatalf("sign-up: %+v", a)
	}
	started, release := holdHashes(t, env.Server)
	done := make(chan answer, 1)
	go func() { done <- postFrom(t, "127.0.0.1", env.URL, "/sessions", madeUpLogin()) }()
	recv(t, started)
	for range 5 {
		a := postFrom(t, "127.0.0.3", env.URL, "/sessions", api.LoginRequest{Email: acct.Email, AuthKey: crypto.NewKey()})
		if a.status != http.StatusTooManyRequests || a.code != api.CodeRateLimited {
			t.Fatalf("wrong login while the network's place is taken: %+v, want 429", a)
		}
	}
	release()
	recv(t, done)
	if a := postFrom(t, "", env.URL, "/sessions", api.LoginRequest{Email: acct.Email, AuthKey: acct.AuthKey}); a.status != http.StatusCreated {
		t.Fatalf("right key after refused wrong logins: %+v, want 201", a)
	}
}

// TestNetworkKey: how client addresses are grouped into networks.
func TestNetworkKey(t *testing.T) {
	for _, c := range []struct{ addr, want string }{
		{"127.0.0.1:5000", "127.0.0.0/8"},
		{"127.255.3.4:1", "127.0.0.0/8"},
		{"192.0.2.77:443", "192.0.2.0/24"},
		{"[::ffff:192.0.2.9]:80", "192.0.2.0/24"},
		{"[::1]:80", "::/56"},
		{"[2001:db8:1:2ff:aaaa::1]:80", "2001:db8:1:200::/56"},
		{"[2001:db8:1:2aa::5]:80", "2001:db8:1:200::/56"},
		{"[2001:db8:1:300::5]:80", "2001:db8:1:300::/56"},
		{"[fe80::1%eth0]:80", "fe80::/56"},
		{"@", "@"},
	} {
		if got := server.NetworkKey(c.addr); got != c.want {
			t.Errorf("NetworkKey(%q) = %q, want %q", c.addr, got, c.want)
		}
	}
}

// waitForQueue waits until n requests wait for a hash slot (the server
// notices a request, or a client that left, a little after the client):
// it checks again at each change of the gate, which the gate signals. The
// guard only turns a hang into a failure.
func waitForQueue(t *testing.T, s *server.Server, n int) {
	t.Helper()
	guard := time.After(time.Minute)
	for {
		_, w, changed := server.HashGateChange(s)
		if w == n {
			return
		}
		select {
		case <-changed:
		case <-guard:
			t.Fatalf("%d requests wait for a hash slot, want %d", w, n)
		}
	}
}

// TestHashGateWaitIsBounded: a request waits at most HashWait for a slot,
// then gets 503 with Retry-After; a client that leaves gives up its place.
func TestHashGateWaitIsBounded(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RequestsPerAddr = 1 << 20
	cfg.HashSlots, cfg.HashQueue, cfg.HashPerNetwork, cfg.HashWait = 1, 8, 8, 300*time.Millisecond
	env := startFloodEnv(t, cfg)
	started, release := holdHashes(t, env.Server)
	done := make(chan answer, 1)
	go func() { done <- postFrom(t, "127.0.0.1", env.URL, "/sessions", madeUpLogin()) }()
	recv(t, started)
	a := postFrom(t, "127.0.0.2", env.URL, "/sessions", madeUpLogin())
	if a.status != http.StatusServiceUnavailable || a.code != api.CodeUnavailable || a.retryAfter != "1" {
		t.Fatalf("login that waited longer than HashWait: %+v, want 503 unavailable, Retry-After 1", a)
	}
	waitForQueue(t, env.Server, 0)
	release()
	if a := recv(t, done); a.status != http.StatusUnauthorized {
		t.Fatalf("the held login: %+v, want 401", a)
	}

	// A client that leaves gives up its place. On a gate whose wait is
	// long, so that leaving, not the wait running out, is what empties the
	// queue: with the 300 ms above, a loaded machine could see the place
	// given up by the timer, or miss the request in the queue altogether.
	cfg.HashWait = time.Minute
	env = startFloodEnv(t, cfg)
	started, release = holdHashes(t, env.Server)
	go func() { done <- postFrom(t, "127.0.0.1", env.URL, "/sessions", madeUpLogin()) }()
	recv(t, started)

	ctx, cancel := context.WithCancel(bg)
	req := mustRequest(t, ctx, env.URL+api.Prefix+"/sessions", madeUpLogin())
	left := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		left <- err
	}()
	waitForQueue(t, env.Server, 1)
	cancel()
	<-left
	waitForQueue(t, env.Server, 0)
	release()
	if a := recv(t, done); a.status != http.StatusUnauthorized {
		t.Fatalf("the held login: %+v, want 401", a)
	}
	if running, waiting := server.HashGateState(env.Server); running != 0 || waiting != 0 {
		t.Fatalf("gate after all requests: %d running, %d waiting; want none", running, waiting)
	}
}

func mustRequest(t *testing.T, ctx context.Context, url string, body any) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(mustJSON(t, body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

// recv receives from ch; the guard only turns a hang (a broken gate) into
// a failure.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Minute):
		t.Fatal("nothing arrived within a minute")
		panic("unreachable")
	}
}
