package client_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// restorable is a test server whose database can be backed up and then
// restored from that backup (docs/protocol.md §9.1) under the same
// address: the devices keep talking to the same URL, which from then on
// is served from the backup.
type restorable struct {
	*testserver.Env
	handler atomic.Pointer[http.Handler]
	backup  string
}

func restorableServer(t *testing.T) *restorable {
	t.Helper()
	r := &restorable{}
	r.Env = testserver.Start(t, nil, func(h http.Handler) http.Handler {
		r.handler.Store(&h)
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { (*r.handler.Load()).ServeHTTP(w, req) })
	})
	return r
}

// takeBackup copies the database as it is now (coffer admin backup).
func (r *restorable) takeBackup(t *testing.T) {
	t.Helper()
	r.backup = filepath.Join(t.TempDir(), "backup.db")
	if err := sqlite.Backup(ctx, r.DBPath, r.backup); err != nil {
		t.Fatal(err)
	}
}

// restore serves the backup from now on; declared records the restore
// as coffer admin restore does, else the backup was put back by hand.
func (r *restorable) restore(t *testing.T, declared bool) {
	t.Helper()
	st, err := sqlite.Open(ctx, r.backup)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if declared {
		if _, err := st.MarkRestored(ctx, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := server.New(ctx, server.DefaultConfig(), st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	var h http.Handler = srv
	r.handler.Store(&h)
}

// state is what a device holds: every item (trash too), with its
// revision, vault and content, in a stable order.
func state(t *testing.T, s *client.Session) string {
	t.Helper()
	var lines []string
	for _, trashed := range []bool{false, true} {
		items, err := s.Items(trashed)
		if err != nil {
			t.Fatalf("Items: %v", err)
		}
		for _, it := range items {
			c := it.Content
			c.Change = nil
			lines = append(lines, it.ID+" "+it.VaultID+" "+it.Content.Name+" r"+strconv.FormatUint(it.Revision, 10)+" "+contentOf(c)+" trashed="+boolText(it.Trashed))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func boolText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func contentOf(c client.Content) string {
	var v []string
	for _, x := range c.Values() {
		v = append(v, x.Name+"="+x.Value)
	}
	return strings.Join(v, ";")
}

func lostNames(lost []client.LostItem) string {
	var n []string
	for _, l := range lost {
		n = append(n, l.Name)
	}
	sort.Strings(n)
	return strings.Join(n, " ")
}

func login(t *testing.T, url, email string) *client.Session {
	t.Helper()
	s, err := client.Login(ctx, url, email, []byte("pw of "+email), client.Options{})
	if err != nil {
		t.Fatalf("Login(%s): %v", email, err)
	}
	return s
}

// TestRestoreFreshDeviceTakesItSilently: a device that holds nothing yet
// (a log-in after the restore) has nothing to lose: it takes the declared
// restore without asking, and sees the restored state.
func TestRestoreFreshDeviceTakesItSilently(t *testing.T) {
	srv := restorableServer(t)
	a := signup(t, srv.URL, "fresh@restore.example")
	addLogin(t, a, "kept", "pw-kept-1")
	srv.takeBackup(t)
	addLogin(t, a, "lost", "pw-lost-1")
	srv.restore(t, true)

	fresh := login(t, srv.URL, "fresh@restore.example")
	if err := fresh.Sync(ctx); err != nil {
		t.Fatalf("a fresh device's sync after a declared restore: %v", err)
	}
	if got := names(mustItems(t, fresh)); got != "kept=pw-kept-1" {
		t.Fatalf("the fresh device holds %q, want the restored state", got)
	}
	if err := fresh.Sync(ctx); err != nil {
		t.Fatalf("again: %v", err)
	}
}

func mustItems(t *testing.T, s *client.Session) []*client.Item {
	t.Helper()
	items, err := s.Items(false)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Content.Name < items[j].Content.Name })
	return items
}

// TestRestoreUndeclaredRollbackIsTampering: the backup put back without
// a declaration is an older state the device must refuse, as tampering.
func TestRestoreUndeclaredRollbackIsTampering(t *testing.T) {
	srv := restorableServer(t)
	a := signup(t, srv.URL, "undeclared@restore.example")
	addLogin(t, a, "kept", "pw-kept-1")
	srv.takeBackup(t)
	addLogin(t, a, "lost", "pw-lost-1")
	srv.restore(t, false)

	err := a.Sync(ctx)
	if !errors.Is(err, client.ErrTampered) || errors.Is(err, client.ErrServerRestored) || client.KindOf(err) != "tampered" {
		t.Fatalf("sync after an undeclared rollback = %v (kind %q); want tampering", err, client.KindOf(err))
	}
	// Accepting is no way around it: the server declares nothing.
	if r, err := a.AcceptRestore(ctx); err == nil || !errors.Is(err, client.ErrTampered) {
		t.Fatalf("AcceptRestore without a declaration = %+v, %v; want tampering", r, err)
	}
}

// TestRestoreDeclaredChangesNothingUntilAccepted: a device that holds
// newer data than the backup applies nothing, says what the server lost
// (not tampering), and says it again at every sync.
func TestRestoreDeclaredChangesNothingUntilAccepted(t *testing.T) {
	srv := restorableServer(t)
	a := signup(t, srv.URL, "declared@restore.example")
	kept := addLogin(t, a, "kept", "pw-kept-1")
	srv.takeBackup(t)
	addLogin(t, a, "x", "pw-x-lost")
	addLogin(t, a, "y", "pw-y-lost")
	c := kept.Content
	c.Login = &client.LoginFields{Username: "alice", Password: "pw-kept-2"}
	if _, err := a.UpdateItem(ctx, kept, c); err != nil {
		t.Fatal(err)
	}
	before := state(t, a)
	srv.restore(t, true)

	for i := range 2 {
		err := a.Sync(ctx)
		var re *client.RestoredError
		if !errors.As(err, &re) || !errors.Is(err, client.ErrServerRestored) || errors.Is(err, client.ErrTampered) || client.KindOf(err) != "server-restored" {
			t.Fatalf("sync %d after a declared restore = %v (kind %q)", i, err, client.KindOf(err))
		}
		if got := lostNames(re.Lost); got != "kept x y" {
			t.Fatalf("sync %d: lost %q, want kept x y", i, got)
		}
		for _, l := range re.Lost {
			want := map[string][2]uint64{"kept": {2, 1}, "x": {1, 0}, "y": {1, 0}}[l.Name]
			if l.Revision != want[0] || l.ServerRevision != want[1] || l.Vault != "My Vault" || l.Reason != "" {
				t.Fatalf("lost %+v", l)
			}
		}
		for _, want := range []string{"restored from a backup", "3 item(s)", `"x" (My Vault)`, "Nothing was changed here"} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("the sentence %q lacks %q", err.Error(), want)
			}
		}
		if got := state(t, a); got != before {
			t.Fatalf("sync %d changed the device's state:\n%s\nwant\n%s", i, got, before)
		}
	}
}

// TestRestoreAcceptGivesBackWhatWasLost: accepting uploads what the
// device held that the server lost, under the same ids; every device
// then sees it; accepting again only syncs.
func TestRestoreAcceptGivesBackWhatWasLost(t *testing.T) {
	srv := restorableServer(t)
	a := signup(t, srv.URL, "accept@restore.example")
	kept := addLogin(t, a, "kept", "pw-kept-1")
	srv.takeBackup(t)
	x := addLogin(t, a, "x", "pw-x-lost")
	y := addLogin(t, a, "y", "pw-y-lost")
	if _, err := a.TrashItem(ctx, y); err != nil {
		t.Fatal(err)
	}
	c := kept.Content
	c.Login = &client.LoginFields{Username: "alice", Password: "pw-kept-2"}
	if _, err := a.UpdateItem(ctx, kept, c); err != nil {
		t.Fatal(err)
	}
	held := state(t, a)
	srv.restore(t, true)

	r, err := a.AcceptRestore(ctx)
	if err != nil {
		t.Fatalf("AcceptRestore: %v", err)
	}
	if !r.Accepted || lostNames(r.Uploaded) != "kept x y" || len(r.NotUploaded) != 0 || r.Restore.Generation == 0 {
		t.Fatalf("report %+v", r)
	}
	if err := a.Sync(ctx); err != nil {
		t.Fatalf("sync after accepting: %v", err)
	}
	other := login(t, srv.URL, "accept@restore.example")
	if err := other.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*client.Session{a, other} {
		if got := names(mustItems(t, s)); got != "kept=pw-kept-2 x=pw-x-lost" {
			t.Fatalf("after accepting: %q", got)
		}
		if it := mustFind(t, s, "x", false); it.ID != x.ID {
			t.Fatalf("x came back as %s, want its id %s", it.ID, x.ID)
		}
		trash, err := s.Items(true)
		if err != nil || len(trash) != 1 || trash[0].ID != y.ID || trash[0].Content.Login.Password != "pw-y-lost" {
			t.Fatalf("the trash after accepting: %v, %v", trash, err)
		}
	}
	// The same items, contents and places (new revisions).
	strip := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			f := strings.Fields(l)
			out = append(out, strings.Join(append(f[:3:3], f[4:]...), " "))
		}
		return strings.Join(out, "\n")
	}
	if got := strip(state(t, other)); got != strip(held) {
		t.Fatalf("the server holds\n%s\nwant\n%s", got, strip(held))
	}
	if r, err := a.AcceptRestore(ctx); err != nil || r.Accepted || len(r.Uploaded) != 0 {
		t.Fatalf("accepting again = %+v, %v; want a sync only", r, err)
	}
}

// TestRestoreSkipsWhatTheServerHas: what another device gave back
// already is not uploaded again (nor reported as not uploaded).
func TestRestoreSkipsWhatTheServerHas(t *testing.T) {
	srv := restorableServer(t)
	a := signup(t, srv.URL, "skip@restore.example")
	k := addLogin(t, a, "k", "pw-k-1")
	b := login(t, srv.URL, "skip@restore.example") // its session is in the backup
	srv.takeBackup(t)
	addLogin(t, a, "y", "pw-y-lost")
	for _, pw := range []string{"pw-k-2", "pw-k-3"} {
		c := k.Content
		c.Login = &client.LoginFields{Username: "alice", Password: pw}
		var err error
		if k, err = a.UpdateItem(ctx, k, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	srv.restore(t, true)

	ra, err := a.AcceptRestore(ctx)
	if err != nil || lostNames(ra.Uploaded) != "k y" {
		t.Fatalf("A's acceptance = %+v, %v", ra, err)
	}
	kOnServer := mustFind(t, a, "k", false).Revision
	rb, err := b.AcceptRestore(ctx)
	if err != nil || !rb.Accepted || len(rb.Uploaded) != 0 || len(rb.NotUploaded) != 0 {
		t.Fatalf("B's acceptance = %+v, %v; want nothing uploaded", rb, err)
	}
	if got := names(mustItems(t, b)); got != "k=pw-k-3 y=pw-y-lost" {
		t.Fatalf("B after accepting: %q", got)
	}
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := mustFind(t, a, "k", false).Revision; got != kOnServer {
		t.Fatalf("k went from revision %d to %d: B uploaded it again", kOnServer, got)
	}
}

// TestRestoreViewOnlyVaultIsReported: an item the device holds in a
// vault its account may only view is not uploaded, and the report says
// why.
func TestRestoreViewOnlyVaultIsReported(t *testing.T) {
	srv := restorableServer(t)
	owner := signup(t, srv.URL, "owner@restore.example")
	viewer := signup(t, srv.URL, "viewer@restore.example")
	o := company(t, owner, "Acme", viewer)
	v, err := owner.CreateVault(ctx, o.ID, "Servers")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, v, viewer.Profile.Email, "view"); err != nil {
		t.Fatal(err)
	}
	addLogin(t, viewer, "mine", "pw-mine-1")
	if err := viewer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	srv.takeBackup(t)
	if _, err := owner.CreateItem(ctx, v.ID, "login", client.Content{Name: "Team ledger", Login: &client.LoginFields{Password: "pw-shared-lost"}}); err != nil {
		t.Fatal(err)
	}
	addLogin(t, viewer, "mine-lost", "pw-mine-lost")
	if err := viewer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if it := mustFind(t, viewer, "Team ledger", false); it.VaultID != v.ID {
		t.Fatalf("the shared item is in %s", it.VaultID)
	}
	srv.restore(t, true)

	r, err := viewer.AcceptRestore(ctx)
	if err != nil {
		t.Fatalf("AcceptRestore: %v", err)
	}
	if !r.Accepted || lostNames(r.Uploaded) != "mine-lost" || lostNames(r.NotUploaded) != "Team ledger" {
		t.Fatalf("report %+v", r)
	}
	if l := r.NotUploaded[0]; l.Reason != "this account may only view its vault" || l.VaultID != v.ID || l.Vault == v.ID {
		t.Fatalf("not uploaded: %+v", l)
	}
	if _, err := viewer.FindItem("Team ledger", false); err == nil {
		t.Fatal("the viewer still shows shared: it follows the restored server")
	}
	// The owner holds it too, may write there, and gives it back.
	ro, err := owner.AcceptRestore(ctx)
	if err != nil || lostNames(ro.Uploaded) != "Team ledger" || len(ro.NotUploaded) != 0 {
		t.Fatalf("the owner's acceptance = %+v, %v", ro, err)
	}
	if err := viewer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if it := mustFind(t, viewer, "Team ledger", false); it.Content.Login.Password != "pw-shared-lost" {
		t.Fatalf("the shared item = %+v", it.Content)
	}
}
