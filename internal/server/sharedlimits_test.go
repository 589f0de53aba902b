package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// flakyCounters is a store whose rate counters can be made to fail, as
// an unreachable database would.
type flakyCounters struct {
	store.Store
	fail atomic.Bool
}

func (f *flakyCounters) HitCounter(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (store.CounterHit, error) {
	if f.fail.Load() {
		return store.CounterHit{}, store.ErrUnavailable
	}
	return f.Store.HitCounter(ctx, key, limit, window, now)
}

// TestSharedLoginLimit: with Config.SharedLimits the failed-login window
// is counted in the store — ten wrong keys, then refused; right ones are
// given back — and a store that cannot count refuses the check (503 with
// Retry-After), never lets it through uncounted.
func TestSharedLoginLimit(t *testing.T) {
	st, err := sqlite.Open(bg, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fc := &flakyCounters{Store: st}
	cfg := testConfig()
	cfg.SharedLimits = true
	env := testserver.StartStore(t, fc, &cfg, nil)
	signupClient(t, env.URL, "a@example.com")
	signupClient(t, env.URL, "b@example.com")

	post := func(email string) *http.Response {
		t.Helper()
		body, _ := json.Marshal(api.LoginRequest{Email: email, AuthKey: make([]byte, 32)})
		resp, err := http.Post(env.URL+api.Prefix+"/sessions", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	right := func(email string) error {
		_, err := client.Login(bg, env.URL, email, []byte("pw of "+email), client.Options{})
		return err
	}
	// Right passwords are given back: they never fill the window.
	for range 12 {
		if err := right("a@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range cfg.LoginAttempts {
		if resp := post("a@example.com"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong key %d: %s", i+1, resp.Status)
		}
	}
	if resp := post("a@example.com"); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("one wrong key too many: %s", resp.Status)
	}
	if err := right("a@example.com"); err == nil {
		t.Fatal("the right password was checked during the lockout")
	}
	if err := right("b@example.com"); err != nil {
		t.Fatalf("another account: %v", err)
	}

	fc.fail.Store(true)
	resp := post("b@example.com")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("uncountable guess: %s (Retry-After %q), want 503 with Retry-After", resp.Status, resp.Header.Get("Retry-After"))
	}
	var ae *client.APIError
	if err := right("b@example.com"); err == nil || !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable {
		t.Fatalf("a right password with uncountable limits: %v, want 503", err)
	}
	fc.fail.Store(false)
	if err := right("b@example.com"); err != nil {
		t.Fatalf("after the store recovered: %v", err)
	}
}

// TestSharedVerifyMailBudgetPostgres: two servers, each with its own
// connection pool, on one PostgreSQL database spend one address's
// verification-mail budget together: VerifyMailsPerAddress sign-ups
// spread over both, then either refuses the next.
func TestSharedVerifyMailBudgetPostgres(t *testing.T) {
	url := pgtest.URL(t)
	m := startSMTP(t)
	cfg := m.config(t)
	cfg.SharedLimits = true
	var envs []*testserver.Env
	for range 2 {
		st, err := postgres.Open(bg, url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		envs = append(envs, testserver.StartStore(t, st, &cfg, nil))
	}
	var vn *client.VerificationNeededError
	for i := range cfg.VerifyMailsPerAddress {
		if _, err := client.Signup(bg, envs[i%2].URL, "new@example.com", "New", pw("new@example.com"), client.Options{}); !errors.As(err, &vn) {
			t.Fatalf("sign-up %d: %v", i+1, err)
		}
	}
	for i, env := range envs {
		_, err := client.Signup(bg, env.URL, "new@example.com", "New", pw("new@example.com"), client.Options{})
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests {
			t.Fatalf("one sign-up too many on server %d: %v, want 429", i+1, err)
		}
	}
	m.Wait(t, "new@example.com", "verification code", cfg.VerifyMailsPerAddress)
	if n := len(m.To("new@example.com", "verification code")); n != cfg.VerifyMailsPerAddress {
		t.Fatalf("%d code mails, want %d", n, cfg.VerifyMailsPerAddress)
	}
}
