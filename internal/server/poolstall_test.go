package server_test

// Issue 23: concurrent syncs stalled the whole server. A sync held one
// pooled connection (its snapshot) and asked the same pool for a second;
// once every connection was held by a waiting sync, nothing was answered.
// These tests race many syncs against a small pool on both engines while
// an honest client keeps reading and writing; every request must be
// answered. They wait for the answers (bounded by a generous deadline that
// only a stall reaches), never for time.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/pgtest"
	"github.com/coffer-pm/coffer/internal/store/postgres"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/testserver"
)

func TestConcurrentSyncsNeverStallSQLite(t *testing.T) {
	st, err := sqlite.Open(bg, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raceSyncs(t, st)
}

func TestConcurrentSyncsNeverStallPostgres(t *testing.T) {
	st, err := postgres.Open(bg, pgtest.URL(t), postgres.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raceSyncs(t, st)
}

// stallDeadline bounds every request of the race: an honest server answers
// each in well under a second; only a stall (or a machine that is not
// running the test at all) reaches it.
const stallDeadline = 60 * time.Second

// raceSyncs runs 16 loops of full syncs (since=0) of a 400-item account
// while another account writes items and syncs; each request must be
// answered 200, and /healthz must stay 200 throughout.
func raceSyncs(t *testing.T, st store.Store) {
	const items = 400
	env, heavy := syncServer(t, st, items)
	writer := signupClient(t, env.URL, "writer@example.com")
	wv := personalVault(t, writer)

	ctx, cancel := context.WithTimeout(bg, stallDeadline)
	defer cancel()
	hc := &http.Client{}
	get := func(path, token string) (int, []byte, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", env.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, body, err
	}

	const loops, rounds = 16, 6
	var wg sync.WaitGroup
	errs := make(chan error, loops*rounds+100)
	for range loops {
		wg.Go(func() {
			for range rounds {
				status, body, err := get("/api/v1/sync?since=0", heavy.Token())
				if err != nil || status != http.StatusOK {
					errs <- fmt.Errorf("sync: %d %v", status, err)
					return
				}
				var out struct{ Items []json.RawMessage }
				if err := json.Unmarshal(body, &out); err != nil || len(out.Items) != items {
					errs <- fmt.Errorf("sync answered %d items (%v), want %d", len(out.Items), err, items)
					return
				}
			}
		})
	}
	// Meanwhile an honest client writes, reads and asks /healthz; each
	// must be answered while the syncs run.
	wg.Go(func() {
		for i := range 10 {
			wctx, wcancel := context.WithTimeout(ctx, stallDeadline)
			_, err := writer.CreateItem(wctx, wv, "note", client.Content{Name: fmt.Sprint("note ", i)})
			if err == nil {
				err = writer.Sync(wctx)
			}
			wcancel()
			if err != nil {
				errs <- fmt.Errorf("honest write %d: %v", i, err)
				return
			}
			if status, body, err := get("/healthz", ""); err != nil || status != http.StatusOK {
				errs <- fmt.Errorf("healthz: %d %s %v", status, body, err)
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestSlowSyncReadersHoldNoConnection: clients that ask for a big sync and
// never read it do not keep the database: honest syncs, writes and
// /healthz are answered while they hang on (on both engines, with pools of
// two connections). Their receive buffers are small and the answer is
// several megabytes, so each non-reader's answer cannot leave the server.
func TestSlowSyncReadersHoldNoConnection(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		st, err := sqlite.OpenWith(bg, filepath.Join(t.TempDir(), sqlite.FileName), sqlite.Options{MaxReaders: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		slowReaders(t, st)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		st, err := postgres.Open(bg, pgtest.URL(t), postgres.Options{MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		slowReaders(t, st)
	})
}

func slowReaders(t *testing.T, st store.Store) {
	cfg := testConfig()
	cfg.MaxBodyBytes = 8 << 20
	cfg.SyncSpoolMemory = 64 << 10 // the rest of each answer goes to disk
	env := testserver.StartStore(t, st, &cfg, nil)
	heavy := signupClient(t, env.URL, "big@example.com")
	v := personalVault(t, heavy)
	batch := make([]client.NewItem, 1500)
	for i := range batch {
		batch[i] = client.NewItem{Type: "note", Content: client.Content{Name: fmt.Sprint("note ", i), Notes: strings.Repeat("x", 3000)}}
	}
	if _, err := heavy.CreateItems(bg, v, batch); err != nil {
		t.Fatal(err)
	}
	// Eight connections that ask and never read.
	for range 8 {
		d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
			return c.Control(smallReceiveBuffer)
		}}
		conn, err := d.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		fmt.Fprintf(conn, "GET /api/v1/sync?since=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", heavy.Token())
	}
	ctx, cancel := context.WithTimeout(bg, stallDeadline)
	defer cancel()
	other := signupClient(t, env.URL, "other@example.com")
	ov := personalVault(t, other)
	for i := range 5 {
		if _, err := other.CreateItem(ctx, ov, "note", client.Content{Name: fmt.Sprint("n", i)}); err != nil {
			t.Fatalf("write while slow readers hang on: %v", err)
		}
		if err := heavy.Sync(ctx); err != nil {
			t.Fatalf("sync while slow readers hang on: %v", err)
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", env.URL+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("healthz while slow readers hang on: %v %v", resp, err)
		}
		resp.Body.Close()
	}
}

// TestHealthzTellsStarvedPoolFromUnreachableDatabase: with every
// connection held, /healthz says the database is busy (not unreachable),
// and ok again once one is free. (Unreachable: unavailable_test.go.)
func TestHealthzTellsStarvedPoolFromUnreachableDatabase(t *testing.T) {
	for _, engine := range []string{"SQLite", "PostgreSQL"} {
		t.Run(engine, func(t *testing.T) {
			var st store.Store
			var err error
			if engine == "SQLite" {
				st, err = sqlite.OpenWith(bg, filepath.Join(t.TempDir(), sqlite.FileName), sqlite.Options{MaxReaders: 1})
			} else {
				st, err = postgres.Open(bg, pgtest.URL(t), postgres.Options{MaxOpenConns: 1})
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			env := testserver.StartStore(t, st, nil, nil)
			a := signupClient(t, env.URL, "held@example.com")
			health := func() (int, map[string]string) {
				resp, err := http.Get(env.URL + "/healthz")
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]string
				json.NewDecoder(resp.Body).Decode(&out)
				return resp.StatusCode, out
			}
			// A snapshot held open holds the one (reader) connection.
			held, release := make(chan struct{}), make(chan struct{})
			done := make(chan error, 1)
			go func() {
				done <- st.ChangesEach(bg, a.Profile.UserID, 0, func(store.ChangesHead) error {
					close(held)
					<-release
					return nil
				}, func([]store.ItemState) error { return nil })
			}()
			<-held
			if status, out := health(); status != http.StatusServiceUnavailable || out["database"] != "busy" || !strings.Contains(out["detail"], "connections") {
				t.Errorf("healthz with the pool held = %d %v, want 503 busy", status, out)
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if status, out := health(); status != http.StatusOK {
				t.Errorf("healthz after = %d %v", status, out)
			}
		})
	}
}

// syncServer starts a server on st with an account holding n notes.
func syncServer(t testing.TB, st store.Store, n int) (*testserver.Env, *client.Session) {
	cfg := testConfig()
	cfg.MaxBodyBytes = 4 << 20
	env := testserver.StartStore(t, st, &cfg, nil)
	heavy := signupClient(t, env.URL, "heavy@example.com")
	v := personalVault(t, heavy)
	batch := make([]client.NewItem, n)
	for i := range batch {
		batch[i] = client.NewItem{Type: "note", Content: client.Content{Name: fmt.Sprintf("site-%d", i), Notes: "a note of some length to make the item realistic"}}
	}
	if _, err := heavy.CreateItems(bg, v, batch); err != nil {
		t.Fatal(err)
	}
	return env, heavy
}
