// Package testserver starts a real Coffer server in-process on a random
// loopback port, for tests: on a fresh SQLite database (Start) or on a
// store the test opened (StartStore).
package testserver

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
)

// Env is a running test server.
type Env struct {
	URL    string
	DBPath string // SQLite file, when Start made one
	Store  store.Store
	Server *server.Server
	HTTP   *httptest.Server
}

// Start runs a server on a fresh SQLite database with cfg (or defaults if
// nil). If wrap is non-nil it wraps the server's handler (a tampering
// proxy, say).
func Start(t testing.TB, cfg *server.Config, wrap func(http.Handler) http.Handler) *Env {
	t.Helper()
	return StartLog(t, cfg, wrap, nil)
}

// StartLog is Start with the server logging to log (nil: nowhere).
func StartLog(t testing.TB, cfg *server.Config, wrap func(http.Handler) http.Handler, log *slog.Logger) *Env {
	t.Helper()
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	env := startStore(t, st, cfg, wrap, log)
	env.DBPath = path
	return env
}

// Recorded is one request a client sent to any test server.
type Recorded struct {
	Method, Path, Query string
	Body                []byte
}

var (
	recordMu sync.Mutex
	// RecordAll makes every test server log every request (see Log); a
	// test binary's TestMain turns it on to check, across all its tests,
	// that no request carries plaintext.
	RecordAll bool
	recorded  []Recorded
)

// Log returns every request recorded while RecordAll was on.
func Log() []Recorded {
	recordMu.Lock()
	defer recordMu.Unlock()
	return append([]Recorded(nil), recorded...)
}

func record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if RecordAll {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			recordMu.Lock()
			recorded = append(recorded, Recorded{r.Method, r.URL.Path, r.URL.RawQuery, body})
			recordMu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// StartStore runs a server over st; the caller closes st.
func StartStore(t testing.TB, st store.Store, cfg *server.Config, wrap func(http.Handler) http.Handler) *Env {
	t.Helper()
	return startStore(t, st, cfg, wrap, nil)
}

func startStore(t testing.TB, st store.Store, cfg *server.Config, wrap func(http.Handler) http.Handler, log *slog.Logger) *Env {
	t.Helper()
	c := server.DefaultConfig()
	if cfg != nil {
		c = *cfg
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv, err := server.New(context.Background(), c, st, log)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(srv)
	}
	hs := httptest.NewServer(record(h)) // listens on 127.0.0.1:0
	t.Cleanup(func() {
		srv.Close() // ends live connections first
		hs.Close()
	})
	return &Env{URL: hs.URL, Store: st, Server: srv, HTTP: hs}
}
