package server_test

// Issue 13, findings 3 and 4: concurrent logins against the real server on
// loopback. The flood comes from many addresses of 127.0.0.0/8 (one
// network); an honest client comes from ::1 (another network).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// floodEnv is a real server on 127.0.0.1 and on [::1].
type floodEnv struct {
	*testserver.Env
	v6URL string
}

func startFloodEnv(t testing.TB, cfg server.Config) *floodEnv {
	t.Helper()
	env := testserver.Start(t, &cfg, nil)
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	hs := httptest.NewUnstartedServer(env.Server)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	return &floodEnv{Env: env, v6URL: hs.URL}
}

// answer is one reply of a raw POST.
type answer struct {
	status     int
	code, msg  string
	retryAfter string
	took       time.Duration
}

// postFrom POSTs body as JSON to base+api.Prefix+path over a fresh
// connection from the local address src ("" for any).
func postFrom(t testing.TB, src, base, path string, body any) answer {
	t.Helper()
	d := &net.Dialer{}
	if src != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(src)}
	}
	// The timeout only turns a hang (a broken gate holding a request) into
	// a failure; no answer takes anywhere near it.
	hc := &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}, Timeout: time.Minute}
	b, err := json.Marshal(body)
	if err != nil {
		t.Error(err)
		return answer{}
	}
	start := time.Now()
	resp, err := hc.Post(base+api.Prefix+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Errorf("POST %s from %s: %v", path, src, err)
		return answer{}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), took: time.Since(start)}
	var e api.Error
	if json.Unmarshal(data, &e) == nil {
		a.code, a.msg = e.Code, e.Error
	}
	return a
}

// madeUpLogin is a login for an address that has no account.
func madeUpLogin() api.LoginRequest {
	return api.LoginRequest{Email: "nobody-" + uuid.NewString()[:8] + "@example.com", AuthKey: crypto.NewKey()}
}

// floodSource is the i-th address of the flood, all in 127.0.0.0/8.
func floodSource(i int) string { return fmt.Sprintf("127.0.%d.%d", i/250, 1+i%250) }

// TestLoginLockoutCannotBeRaced (finding 3): 60 concurrent wrong logins for
// one account get at most LoginAttempts evaluations (401); all others are
// refused without a hash, and then even the right key is refused, with a
// Retry-After that says when the window ends.
func TestLoginLockoutCannotBeRaced(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RequestsPerAddr = 1 << 20 // the per-network rate is not under test here
	env := startFloodEnv(t, cfg)
	acct := newSignup(t)
	if a := postFrom(t, "", env.URL, "/accounts", acct); a.status != http.StatusCreated {
		t.Fatalf("sign-up: %+v", a)
	}
	wrong := func() answer {
		return postFrom(t, "", env.URL, "/sessions", api.LoginRequest{Email: acct.Email, AuthKey: crypto.NewKey()})
	}
	const burst = 60
	answers := make([]answer, burst)
	var wg sync.WaitGroup
	for i := range burst {
		wg.Go(func() { answers[i] = wrong() })
	}
	wg.Wait()
	evaluated := 0
	for _, a := range answers {
		switch {
		case a.status == http.StatusUnauthorized:
			evaluated++
		case a.status == http.StatusTooManyRequests || a.status == http.StatusServiceUnavailable:
			if a.retryAfter == "" {
				t.Errorf("refusal without Retry-After: %+v", a)
			}
		default:
			t.Errorf("unexpected answer %+v", a)
		}
	}
	if evaluated > cfg.LoginAttempts {
		t.Fatalf("%d of %d concurrent wrong logins were evaluated (401), want at most %d", evaluated, burst, cfg.LoginAttempts)
	}
	// Whatever the burst left unused can still be spent, one by one, and
	// then the account is locked: exactly LoginAttempts evaluations.
	for evaluated < cfg.LoginAttempts {
		a := wrong()
		if a.status != http.StatusUnauthorized {
			t.Fatalf("wrong login %d: %+v, want 401", evaluated+1, a)
		}
		evaluated++
	}
	for _, key := range [][]byte{crypto.NewKey(), acct.AuthKey} {
		a := postFrom(t, "", env.URL, "/sessions", api.LoginRequest{Email: acct.Email, AuthKey: key})
		if a.status != http.StatusTooManyRequests || !strings.Contains(a.msg, "too many failed logins") {
			t.Fatalf("login after the lockout: %+v, want 429 too many failed logins", a)
		}
		if a.retryAfter == "" || a.retryAfter == "0" {
			t.Errorf("lockout without Retry-After: %+v", a)
		}
	}
}

// TestLoginFloodMemoryBounded (finding 4): 200 concurrent logins for made-up
// addresses, from 200 addresses of 127.0.0.0/8, with the default limits.
// The server's heap stays within a small multiple of the hashes it may run
// at once (19 MiB each) instead of 200 of them; every refusal is quick and
// says when to retry; an honest login from another network (::1) gets in
// while the flood runs.
func TestLoginFloodMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("floods the server")
	}
	env := startFloodEnv(t, server.DefaultConfig())
	honest := newSignup(t)
	if a := postFrom(t, "", env.v6URL, "/accounts", honest); a.status != http.StatusCreated {
		t.Fatalf("sign-up: %+v", a)
	}

	stop := sampleHeap()
	const flood = 200
	answers := make([]answer, flood)
	var wg sync.WaitGroup
	for i := range flood {
		wg.Go(func() {
			answers[i] = postFrom(t, floodSource(i), env.URL, "/sessions", madeUpLogin())
		})
	}
	h := postFrom(t, "::1", env.v6URL, "/sessions", api.LoginRequest{Email: honest.Email, AuthKey: honest.AuthKey})
	wg.Wait()
	grown := stop()

	if h.status != http.StatusCreated {
		t.Errorf("honest login from ::1 during the flood: %+v, want 201", h)
	}
	for _, a := range answers {
		switch a.status {
		case http.StatusUnauthorized:
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			if a.retryAfter == "" {
				t.Errorf("refusal without Retry-After: %+v", a)
			}
		default:
			t.Errorf("unexpected answer %+v", a)
		}
	}
	// The default gate runs one hash per core (at most 16). Allow for the
	// garbage collector's slack (the heap may reach twice the live heap)
	// and the rest of the server: 4 × 19 MiB per core + 64 MiB.
	limit := uint64(4*19*min(runtime.GOMAXPROCS(0), 16)+64) << 20
	t.Logf("heap grew by at most %d MiB during the flood (limit %d MiB); honest login took %v", grown>>20, limit>>20, h.took)
	if grown > limit {
		t.Fatalf("heap grew by %d MiB during a flood of %d logins, want at most %d MiB", grown>>20, flood, limit>>20)
	}
}

// sampleHeap samples the heap in use (runtime/metrics: object bytes plus
// free space in in-use spans, i.e. MemStats.HeapInuse, read without
// stopping the world) every millisecond until stop is called; stop returns
// the largest growth over the heap at the start.
func sampleHeap() (stop func() uint64) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	heap := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64() + samples[1].Value.Uint64()
	}
	runtime.GC()
	base := heap()
	var max uint64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if h := heap(); h > base && h-base > max {
				max = h - base
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { cancel(); <-done; return max }
}

// TestRateLimitCountsNetworks (finding 4): the per-address rate limit
// counts a client's network, not its single address: 127.0.0.0/8 is one,
// ::1 another.
func TestRateLimitCountsNetworks(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RequestsPerAddr = 3
	env := startFloodEnv(t, cfg)
	pre := api.PreloginRequest{Email: "someone@example.com"}
	for i, src := range []string{"127.0.0.1", "127.0.0.2", "127.9.8.7"} {
		if a := postFrom(t, src, env.URL, "/prelogin", pre); a.status != http.StatusOK {
			t.Fatalf("prelogin %d from %s: %+v", i+1, src, a)
		}
	}
	a := postFrom(t, "127.200.0.1", env.URL, "/prelogin", pre)
	if a.status != http.StatusTooManyRequests || a.code != api.CodeRateLimited {
		t.Fatalf("4th prelogin from 127.0.0.0/8: %+v, want 429 rate_limited", a)
	}
	if a := postFrom(t, "::1", env.v6URL, "/prelogin", pre); a.status != http.StatusOK {
		t.Fatalf("prelogin from ::1: %+v, want 200 (another network)", a)
	}
}

// TestSuccessfulLoginKeepsFailures (finding 3): a successful login does not
// clear the window's failures, so an attacker's budget is LoginAttempts
// guesses per window, not LoginAttempts per login of the victim.
func TestSuccessfulLoginKeepsFailures(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RequestsPerAddr = 1 << 20
	cfg.LoginAttempts = 3
	env := startFloodEnv(t, cfg)
	acct := newSignup(t)
	if a := postFrom(t, "", env.URL, "/accounts", acct); a.status != http.StatusCreated {
		t.Fatalf("sign-up: %+v", a)
	}
	login := func(key []byte) answer {
		return postFrom(t, "", env.URL, "/sessions", api.LoginRequest{Email: acct.Email, AuthKey: key})
	}
	// wrong, right, wrong, right, …: LoginAttempts wrong keys in all.
	for k := range cfg.LoginAttempts {
		if a := login(crypto.NewKey()); a.status != http.StatusUnauthorized {
			t.Fatalf("wrong key %d: %+v, want 401", k+1, a)
		}
		if k < cfg.LoginAttempts-1 {
			if a := login(acct.AuthKey); a.status != http.StatusCreated {
				t.Fatalf("right key after %d wrong ones: %+v, want 201", k+1, a)
			}
		}
	}
	if a := login(crypto.NewKey()); a.status != http.StatusTooManyRequests {
		t.Fatalf("wrong key after %d failures interleaved with successful logins: %+v, want 429", cfg.LoginAttempts, a)
	}
}

// TestPublicBodyLimit (finding 4): the unauthenticated endpoints read at
// most 64 KiB of body (not the 4 MiB of the others), so a flood of large
// bodies cannot make the server hold much before any limit applies; a real
// sign-up is far below it.
func TestPublicBodyLimit(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RequestsPerAddr = 1 << 20
	env := startFloodEnv(t, cfg)
	signup := newSignup(t)
	if n := len(mustJSON(t, signup)); n > 16<<10 {
		t.Fatalf("a sign-up is %d bytes, want well under the 64 KiB limit", n)
	}
	big := api.LoginRequest{Email: "someone@example.com", AuthKey: crypto.NewKey(), Description: strings.Repeat("x", 64<<10)}
	for _, c := range []struct {
		path string
		body any
	}{{"/sessions", big}, {"/prelogin", map[string]string{"email": strings.Repeat("x", 64<<10)}}} {
		a := postFrom(t, "", env.URL, c.path, c.body)
		if a.status != http.StatusRequestEntityTooLarge || a.code != api.CodeTooLarge || !strings.Contains(a.msg, "65536 bytes") {
			t.Fatalf("POST %s with a body over 64 KiB: %+v, want 413 too_large naming 65536 bytes", c.path, a)
		}
	}
	if a := postFrom(t, "", env.URL, "/accounts", signup); a.status != http.StatusCreated {
		t.Fatalf("sign-up: %+v", a)
	}
}
