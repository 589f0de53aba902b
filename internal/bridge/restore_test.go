package bridge_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/bridge"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestBridgeAcceptRestore (docs/protocol.md §9.1, docs/web.md): after a
// declared restore of the server from a backup, a sync fails with
// server-restored, an unlock keeps the session with the device's own
// state and says so (restored), and acceptRestore gives back what the
// device holds that the server lost, in the core's words.
func TestBridgeAcceptRestore(t *testing.T) {
	ctx := context.Background()
	var handler atomic.Pointer[http.Handler]
	env := testserver.Start(t, nil, func(h http.Handler) http.Handler {
		handler.Store(&h)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*handler.Load()).ServeHTTP(w, r) })
	})
	p := signedUp(t, env.URL, "rita@example.com")
	p.call(nil, "create", "note", `{"name":"kept","notes":"first"}`)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := sqlite.Backup(ctx, env.DBPath, backup); err != nil {
		t.Fatal(err)
	}
	p.call(nil, "create", "note", `{"name":"lost","notes":"only here"}`)

	st, err := sqlite.Open(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.MarkRestored(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(ctx, server.DefaultConfig(), st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	var h http.Handler = srv
	handler.Store(&h)

	if err := p.fails("server-restored", "sync"); !strings.Contains(err.Error(), `"lost" (My Vault)`) {
		t.Fatalf("sync: %v", err)
	}
	var list []view.Summary
	p.call(&list, "list", "", "")
	if len(list) != 2 {
		t.Fatalf("the device's own state, kept: %+v", list)
	}
	p.call(nil, "lock")
	var u bridge.Unlocked
	p.call(&u, "unlock", pw)
	if !strings.Contains(u.Restored, "restored from a backup") || !strings.Contains(u.Restored, `"lost" (My Vault)`) || u.Email != "rita@example.com" {
		t.Fatalf("unlock answered %+v", u)
	}

	var r bridge.RestoreAccepted
	p.call(&r, "acceptRestore")
	if !r.Accepted || len(r.GivenBack) != 1 || len(r.NotGivenBack) != 0 || r.GivenBack[0].Text != "Given back: “lost” (My Vault)." ||
		!strings.HasSuffix(r.Text, ": 1 item(s) given back, 0 could not be.") {
		t.Fatalf("acceptRestore answered %+v", r)
	}
	p.call(nil, "sync")
	p.call(&list, "list", "", "")
	if len(list) != 2 {
		t.Fatalf("after accepting: %+v", list)
	}
	p.call(&r, "acceptRestore")
	if r.Accepted || r.Text != "The server declares no restore this device has not accepted; synced." || r.GivenBack == nil || r.NotGivenBack == nil {
		t.Fatalf("acceptRestore again answered %+v", r)
	}
	p.call(nil, "lock")
	u = bridge.Unlocked{}
	p.call(&u, "unlock", pw)
	if u.Restored != "" {
		t.Fatalf("unlock after accepting still says %q", u.Restored)
	}
}
