package client_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/cachetest"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// deferredLogin logs in as a session that defers signatures (the web app).
func deferredLogin(t *testing.T, url, email string) *client.Session {
	t.Helper()
	s, err := client.Login(ctx, url, email, []byte("pw of "+email), client.Options{DeferSignatures: true})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	return s
}

// TestDeferredSignaturesCatchAnInsider: a vault writer's modified client
// stores an item whose signature is over another key's commitment; every
// other check passes (the server's own, the manifest, the decryption). A
// session that defers signatures lists it after its full sync, but never
// shows it, never signs a manifest over it, and quarantines its vault as
// soon as its background check reaches it; the rest stays usable.
func TestDeferredSignaturesCatchAnInsider(t *testing.T) {
	tm := newInsiderTeam(t, "d.example")
	addLogin(t, tm.reader, "reader-own", "pw-own-123")
	if err := tm.mallory.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := tm.mallory.CreateItem(ctx, tm.ops.ID, "note", client.Content{Name: fmt.Sprintf("honest %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := client.CreateItemSignedOverAnotherKey(ctx, tm.mallory, tm.ops.ID, "planted"); err != nil {
		t.Fatalf("the insider's write: %v", err)
	}

	// Checked inline (the CLI): quarantined at once.
	mustQuarantine(t, tm.admin, tm.ops.ID)

	// Deferred (the web app): the sync passes; the item is listed only.
	admin := deferredLogin(t, tm.env.URL, "admin@d.example")
	store := &cachetest.Store{}
	if _, err := admin.UseCache(store); err != nil {
		t.Fatal(err)
	}
	if err := admin.Sync(ctx); err != nil {
		t.Fatalf("deferred sync: %v", err)
	}
	if n := client.DeferredLeftIn(admin, tm.ops.ID); n != 4 {
		t.Fatalf("checks left in Ops = %d, want 4", n)
	}
	if _, err := admin.FindItem("planted", false); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("opening the planted item before its check: %v, want tampered", err)
	}
	if _, err := admin.FindItem("honest 1", false); err != nil {
		t.Fatalf("an honest item of the same vault: %v", err)
	}
	if _, err := admin.CreateItem(ctx, tm.ops.ID, "note", client.Content{Name: "signed over the planted one"}); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("a write to the vault before its checks: %v, want tampered", err)
	}
	// The check fails, and the full sync that should settle it fails too
	// (here: cancelled; a server could answer 503): the planted item
	// stays unchecked — no write over it, no cache of it.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if left, err := admin.CheckDeferred(cancelled, 1000); err == nil || left == 0 {
		t.Fatalf("CheckDeferred with the settling sync failing = %d, %v", left, err)
	}
	if _, err := admin.CreateItem(ctx, tm.ops.ID, "note", client.Content{Name: "after a failed settle"}); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("a write to the vault after a failed check: %v, want tampered", err)
	}
	if err := admin.SaveCache(); err != nil || store.Written() {
		t.Fatalf("the cache was written with a failed check pending: %v", err)
	}
	left, err := admin.CheckDeferred(ctx, 1000)
	if !client.IsQuarantine(err) || left != 0 {
		t.Fatalf("CheckDeferred = %d, %v, want the vault quarantined", left, err)
	}
	// Found once, found again: later syncs check inline.
	mustQuarantine(t, admin, tm.ops.ID)
	if n := admin.DeferredLeft(); n != 0 {
		t.Fatalf("a later full sync deferred %d checks again", n)
	}
	qs := admin.Quarantined()
	if len(qs) != 1 || qs[0].ID != tm.ops.ID {
		t.Fatalf("quarantined %+v, want Ops alone", qs)
	}
	for _, sum := range admin.List(false) {
		if sum.VaultID == tm.ops.ID {
			t.Fatalf("%q of the quarantined vault is still listed", sum.Name)
		}
	}
	// The write to the vault never happened; the reader's own vault works.
	if err := tm.reader.Sync(ctx); !client.IsQuarantine(err) {
		t.Fatalf("reader: %v", err)
	}
	if _, err := tm.reader.FindItem("signed over the planted one", false); err == nil || !strings.Contains(err.Error(), "was not found") {
		t.Fatalf("the refused write: %v", err)
	}
	if _, err := tm.reader.FindItem("reader-own", false); err != nil {
		t.Fatal(err)
	}
}

// TestDeferredSignaturesCheckedBeforeTheCache: an honest vault's deferred
// checks drain in batches; the device cache is written only once none is
// left, and a session from that cache checks nothing again.
func TestDeferredSignaturesCheckedBeforeTheCache(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@c.example")
	for i := range 10 {
		addLogin(t, owner, fmt.Sprintf("site %d", i), "pw-123-abc")
	}
	s := deferredLogin(t, env.URL, "owner@c.example")
	store := &cachetest.Store{}
	if _, err := s.UseCache(store); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if s.DeferredLeft() != 10 {
		t.Fatalf("left = %d, want 10", s.DeferredLeft())
	}
	if err := s.SaveCache(); err != nil || store.Written() {
		t.Fatalf("cache written with checks left: %v", err)
	}
	if it, err := s.FindItem("site 3", false); err != nil || it.Content.Login.Password != "pw-123-abc" {
		t.Fatalf("FindItem: %v", err)
	}
	if s.DeferredLeft() != 9 {
		t.Fatalf("left after one use = %d, want 9", s.DeferredLeft())
	}
	for want := 5; ; want = max(want-4, 0) {
		left, err := s.CheckDeferred(ctx, 4)
		if err != nil || left != want {
			t.Fatalf("CheckDeferred = %d, %v, want %d left", left, err, want)
		}
		if left == 0 {
			break
		}
	}
	if err := s.SaveCache(); err != nil || !store.Written() {
		t.Fatalf("cache after the checks: %v", err)
	}
	// A write after the checks signs over checked items only.
	if _, err := s.CreateItem(ctx, s.Vaults()[0].ID, "note", client.Content{Name: "after"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCache(); err != nil {
		t.Fatal(err)
	}
	// The next unlock opens that cache: a delta sync, nothing to check.
	again, err := s.Profile.Unlock([]byte("pw of owner@c.example"), client.Options{DeferSignatures: true})
	if err != nil {
		t.Fatal(err)
	}
	again.SetMarks(s.Marks())
	if warning, err := again.UseCache(store); warning != "" || err != nil {
		t.Fatalf("the cache after the checks: %q, %v", warning, err)
	}
	if err := again.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := again.DeferredLeft(); n != 0 || len(again.List(false)) != 11 {
		t.Fatalf("after a warm unlock: %d checks left, %d items", n, len(again.List(false)))
	}
}
