package main_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
)

// TestFailedLoginsSharedAcrossInstances (issue 27): two `coffer serve`
// processes on one PostgreSQL count one account's failed logins together.
// Ten wrong keys spread over both instances, then the eleventh is refused
// by either, and so is the right one; another account is unaffected.
func TestFailedLoginsSharedAcrossInstances(t *testing.T) {
	dbURL := pgtest.URL(t)
	one := startServer(t, "--database", dbURL)
	two := startServer(t, "--database", dbURL)
	ctx := context.Background()
	for _, email := range []string{"locked@example.com", "other@example.com"} {
		if _, err := client.Signup(ctx, one.url, email, "L", []byte(masterPW), client.Options{}); err != nil {
			t.Fatal(err)
		}
	}

	wrong := func(url, email string) *http.Response {
		t.Helper()
		key := make([]byte, 32)
		rand.Read(key)
		body, _ := json.Marshal(api.LoginRequest{Email: email, AuthKey: key})
		resp, err := http.Post(url+api.Prefix+"/sessions", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range 10 {
		url := []string{one.url, two.url}[i%2]
		if resp := wrong(url, "locked@example.com"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong key %d: %s, want 401", i+1, resp.Status)
		}
	}
	for _, url := range []string{one.url, two.url} {
		resp := wrong(url, "locked@example.com")
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("11th wrong key on %s: %s (Retry-After %q), want 429 with Retry-After", url, resp.Status, resp.Header.Get("Retry-After"))
		}
		// While the window lasts, not even the right password is checked.
		if _, err := client.Login(ctx, url, "locked@example.com", []byte(masterPW), client.Options{}); err == nil {
			t.Fatalf("the right password was checked on %s during the lockout", url)
		}
	}

	// Another account's window is its own, on both instances.
	if resp := wrong(two.url, "other@example.com"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("another account's wrong key: %s, want 401", resp.Status)
	}
	for _, url := range []string{one.url, two.url} {
		if _, err := client.Login(ctx, url, "other@example.com", []byte(masterPW), client.Options{}); err != nil {
			t.Fatalf("another account on %s: %v", url, err)
		}
	}
}
