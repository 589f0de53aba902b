package client_test

import (
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/cachetest"
	"github.com/coffer-pm/coffer/internal/testserver"
)

func names(items []*client.Item) string {
	var n []string
	for _, it := range items {
		n = append(n, it.Content.Name+"="+it.Content.Login.Password)
	}
	return strings.Join(n, " ")
}

// TestVaultItems: VaultItems gives the chosen vaults' items, opened, by
// name (the trash apart) — and opens no other vault's: from a device
// cache whose records are all damaged, an empty vault's list still comes,
// and a deferred check is settled for the chosen vault's items only.
func TestVaultItems(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@v.example")
	addLogin(t, owner, "mine", "pw-mine")
	o, err := owner.CreateOrg(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	servers, err := owner.CreateVault(ctx, o.ID, "Servers")
	if err != nil {
		t.Fatal(err)
	}
	empty, err := owner.CreateVault(ctx, o.ID, "Empty")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"s2", "s1", "s3"} {
		it, err := owner.CreateItem(ctx, servers.ID, "login", client.Content{Name: name, Login: &client.LoginFields{Password: "pw-" + name}})
		if err != nil {
			t.Fatal(err)
		}
		if name == "s3" {
			if _, err := owner.TrashItem(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
	}
	check := func(s *client.Session, what string) {
		t.Helper()
		got, err := s.VaultItems(false, servers.ID)
		if err != nil || names(got) != "s1=pw-s1 s2=pw-s2" {
			t.Fatalf("%s: Servers = %q, %v", what, names(got), err)
		}
		if got, err := s.VaultItems(true, servers.ID); err != nil || names(got) != "s3=pw-s3" {
			t.Fatalf("%s: Servers' trash = %q, %v", what, names(got), err)
		}
		if got, err := s.VaultItems(false, servers.ID, empty.ID, servers.ID); err != nil || len(got) != 2 {
			t.Fatalf("%s: Servers and Empty = %d, %v", what, len(got), err)
		}
	}
	check(owner, "synced")

	// A deferring session settles the checks of what it opens only.
	d := deferredLogin(t, env.URL, "owner@v.example")
	if err := d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	left := d.DeferredLeft()
	if _, err := d.VaultItems(false, servers.ID); err != nil || d.DeferredLeft() != left-2 {
		t.Fatalf("deferred checks %d → %d, want 2 fewer: %v", left, d.DeferredLeft(), err)
	}

	// From a device cache, built lazily.
	s, err := client.Login(ctx, env.URL, "owner@v.example", []byte("pw of owner@v.example"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store := &cachetest.Store{}
	if _, err := s.UseCache(store); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCache(); err != nil || !store.Written() {
		t.Fatalf("SaveCache: %v", err)
	}
	fromCache := func() *client.Session {
		t.Helper()
		c, err := s.Profile.Unlock([]byte("pw of owner@v.example"), client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		c.SetMarks(s.Marks())
		if warning, err := c.UseCache(store); warning != "" || err != nil {
			t.Fatalf("UseCache: %q, %v", warning, err)
		}
		// A delta sync (nothing new) gives the vaults; the items stay
		// as the cache holds them.
		if err := c.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		return c
	}
	check(fromCache(), "from the cache")
	store.EditRecords(func(f []byte) []byte {
		for i := range f {
			f[i] ^= 0xff
		}
		return f
	})
	c := fromCache()
	if got, err := c.VaultItems(false, empty.ID); err != nil || len(got) != 0 {
		t.Fatalf("an empty vault beside damaged records: %d, %v", len(got), err)
	}
	if _, err := c.VaultItems(false, servers.ID); err == nil {
		t.Fatal("damaged records opened")
	}
	if _, err := c.Items(false); err == nil {
		t.Fatal("Items opened damaged records") // what VaultItems spares an export
	}
}
