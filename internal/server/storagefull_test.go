package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store/sqlstore"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestSQLiteDiskFullIsNamed (issue 28, docs/security.md 28.3): with the
// SQLite database unable to grow (its page limit set to its size, as a
// full disk would leave it) writes get 507 storage_full saying the
// server's disk is full, log-ins that must write a session get the same,
// /healthz is not 200, reads go on, the database passes SQLite's
// integrity check, and once there is room again the same server writes.
func TestSQLiteDiskFullIsNamed(t *testing.T) {
	var mu sync.Mutex
	var loginBody []byte
	capture := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "POST" && r.URL.Path == api.Prefix+"/sessions" {
				b, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(b))
				mu.Lock()
				loginBody = b
				mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	}
	cfg := testConfig()
	env := testserver.Start(t, &cfg, capture)
	ctx := context.Background()
	alice := signupClient(t, env.URL, "full@example.com")
	vault := personalVault(t, alice)
	if _, err := alice.CreateItem(ctx, vault, "note", client.Content{Name: "before", Notes: "kept"}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Login(ctx, env.URL, "full@example.com", []byte("pw of full@example.com"), client.Options{}); err != nil {
		t.Fatal(err)
	}

	st := env.Store.(*sqlstore.Store)
	// The page limit cannot go below the file's size: 1 means "no more".
	if err := st.ExecWrite(ctx, "PRAGMA max_page_count = 1"); err != nil {
		t.Fatal(err)
	}
	isFull := func(what string, err error) {
		t.Helper()
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusInsufficientStorage || ae.Code != api.CodeStorageFull || !strings.Contains(ae.Message, "server's disk is full") {
			t.Fatalf("%s on a full disk: %v, want 507 %s", what, err, api.CodeStorageFull)
		}
	}
	// A write needing new pages fails (one may still fit in pages that
	// had room).
	var err error
	for i := 0; err == nil; i++ {
		if i == 200 {
			t.Fatal("200 writes went into a database that cannot grow")
		}
		_, err = alice.CreateItem(ctx, vault, "note", client.Content{Name: "big", Notes: strings.Repeat("n", 3000)})
	}
	isFull("a write", err)
	health := func() int {
		t.Helper()
		resp, err := http.Get(env.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode == http.StatusServiceUnavailable && (body["database"] != "full" || resp.Header.Get("Retry-After") == "") {
			t.Fatalf("healthz on a full disk: %v %v", body, resp.Header)
		}
		return resp.StatusCode
	}
	if got := health(); got != http.StatusServiceUnavailable {
		t.Fatalf("healthz on a full disk: %d", got)
	}

	// Log-ins write a session each: the same log-in again and again fills
	// what room the sessions' pages had left, then is refused by name.
	mu.Lock()
	body := loginBody
	mu.Unlock()
	for i := 0; ; i++ {
		resp, err := http.Post(env.URL+api.Prefix+"/sessions", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var e api.Error
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode == http.StatusInsufficientStorage {
			if e.Code != api.CodeStorageFull {
				t.Fatalf("log-in on a full disk: %d %+v", resp.StatusCode, e)
			}
			break
		}
		if resp.StatusCode != http.StatusCreated || i == 500 {
			t.Fatalf("log-in %d on a full disk: %d %+v", i, resp.StatusCode, e)
		}
	}
	_, err = client.Login(ctx, env.URL, "full@example.com", []byte("pw of full@example.com"), client.Options{})
	isFull("a log-in", err)

	// What was written stays readable, and the file is whole.
	if err := alice.Sync(ctx); err != nil {
		t.Fatalf("sync on a full disk: %v", err)
	}
	db, err := sql.Open("sqlite", "file:"+env.DBPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}

	// Room again: the same server writes, and says it is healthy.
	if err := st.ExecWrite(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.CreateItem(ctx, vault, "note", client.Content{Name: "big", Notes: strings.Repeat("n", 3000)}); err != nil {
		t.Fatalf("write once there is room: %v", err)
	}
	if got := health(); got != http.StatusOK {
		t.Fatalf("healthz once there is room: %d", got)
	}
	if _, err := client.Login(ctx, env.URL, "full@example.com", []byte("pw of full@example.com"), client.Options{}); err != nil {
		t.Fatalf("log-in once there is room: %v", err)
	}
}

// TestSQLiteReadOnlyIsNamed (issue 28): a database SQLite cannot write
// (here the writer's connection made query-only, as a read-only file or
// file system would leave it) answers writes 503 with Retry-After and a
// message that says so; once writable again the same server writes.
func TestSQLiteReadOnlyIsNamed(t *testing.T) {
	var mu sync.Mutex
	var retryAfter []string // of each 503
	watch := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			if rec.status == http.StatusServiceUnavailable {
				mu.Lock()
				retryAfter = append(retryAfter, w.Header().Get("Retry-After"))
				mu.Unlock()
			}
		})
	}
	cfg := testConfig()
	env := testserver.Start(t, &cfg, watch)
	ctx := context.Background()
	alice := signupClient(t, env.URL, "ro@example.com")
	vault := personalVault(t, alice)
	st := env.Store.(*sqlstore.Store)
	if err := st.ExecWrite(ctx, "PRAGMA query_only = 1"); err != nil {
		t.Fatal(err)
	}
	_, err := alice.CreateItem(ctx, vault, "note", client.Content{Name: "refused"})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.Code != api.CodeUnavailable || !strings.Contains(ae.Message, "read-only") {
		t.Fatalf("a write to a read-only database: %v, want 503 naming it", err)
	}
	mu.Lock()
	if len(retryAfter) == 0 || slices.Contains(retryAfter, "") {
		t.Fatalf("503s without Retry-After: %q", retryAfter)
	}
	mu.Unlock()
	if err := st.ExecWrite(ctx, "PRAGMA query_only = 0"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.CreateItem(ctx, vault, "note", client.Content{Name: "written"}); err != nil {
		t.Fatalf("write once writable: %v", err)
	}
}

// statusWriter notes the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
