package client_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestWritersToOneVaultRetryOnManifestConflict: two devices of one account
// and a colleague write to the same vaults at once. Every write lands (a
// writer that lost the race for the manifest version syncs and retries),
// and every device's next sync verifies the manifests.
func TestWritersToOneVaultRetryOnManifestConflict(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@race.example")
	colleague := signup(t, env.URL, "colleague@race.example")
	o := company(t, owner, "Race", colleague)
	shared, err := owner.CreateVault(ctx, o.ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, shared, "colleague@race.example", "edit"); err != nil {
		t.Fatal(err)
	}
	laptop, err := client.Login(ctx, env.URL, "owner@race.example", []byte("pw of owner@race.example"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*client.Session{owner, laptop, colleague} {
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	personal, _ := owner.PersonalVault()
	const each = 5
	var wg sync.WaitGroup
	errs := make(chan error, 3*2*each)
	for n, s := range []*client.Session{owner, laptop, colleague} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := s.CreateItem(ctx, shared.ID, "note", client.Content{Name: fmt.Sprintf("shared %d-%d", n, i)}); err != nil {
					errs <- err
				}
				if s == colleague {
					continue
				}
				if _, err := s.CreateItem(ctx, personal.ID, "note", client.Content{Name: fmt.Sprintf("mine %d-%d", n, i)}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("write: %v", err)
	}
	fresh, err := client.Login(ctx, env.URL, "owner@race.example", []byte("pw of owner@race.example"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.Sync(ctx); err != nil {
		t.Fatalf("fresh device: %v", err)
	}
	if n := len(fresh.List(false)); n != 3*each+2*each {
		t.Fatalf("%d items, want %d", n, 5*each)
	}
	for _, s := range []*client.Session{owner, laptop, colleague} {
		if err := s.Sync(ctx); err != nil {
			t.Fatalf("%s: %v", s.Profile.Email, err)
		}
	}
	if m := fresh.Marks().Manifests[shared.ID]; m != 1+3*each {
		t.Fatalf("shared vault at manifest %d, want %d", m, 1+3*each)
	}
}

// TestDeltaSyncAfterItemLeftView: an item moves to a vault this member
// cannot read. The member's cached copy no longer matches the old vault's
// manifest; the delta sync falls back to a full one, which matches, and
// the item is gone from the member's view.
func TestDeltaSyncAfterItemLeftView(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@left.example")
	member := signup(t, env.URL, "member@left.example")
	o := company(t, owner, "Left", member)
	open, err := owner.CreateVault(ctx, o.ID, "Open")
	if err != nil {
		t.Fatal(err)
	}
	closed, err := owner.CreateVault(ctx, o.ID, "Closed")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, open, "member@left.example", "view"); err != nil {
		t.Fatal(err)
	}
	it, err := owner.CreateItem(ctx, open.ID, "login", client.Content{Name: "moving"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateItem(ctx, open.ID, "login", client.Content{Name: "staying"}); err != nil {
		t.Fatal(err)
	}
	if err := member.Sync(ctx); err != nil || len(member.List(false)) != 2 {
		t.Fatalf("member sync: %v", err)
	}
	if _, err := owner.MoveItem(ctx, it, closed.ID); err != nil {
		t.Fatal(err)
	}
	if err := member.Sync(ctx); err != nil {
		t.Fatalf("delta sync after the move: %v", err)
	}
	items := member.List(false)
	if len(items) != 1 || items[0].Name != "staying" {
		t.Fatalf("member sees %d items", len(items))
	}
}

// TestOneSessionSharedByGoroutines: a session used by several goroutines at
// once (a UI writing while live updates sync) never mistakes its own
// concurrent writes for a rollback.
func TestOneSessionSharedByGoroutines(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	s := signup(t, env.URL, "shared@race.example")
	v, _ := s.PersonalVault()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 6 {
				it, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: fmt.Sprintf("n %d-%d", w, i)})
				if err == nil && i%2 == 0 {
					_, err = s.TrashItem(ctx, it)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 12 {
			if err := s.Sync(ctx); err != nil {
				errs <- err
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("%v", err)
	}
	if err := s.Sync(ctx); err != nil || len(s.List(false)) != 12 || len(s.List(true)) != 12 {
		t.Fatalf("after: %v, %d live, %d trashed", err, len(s.List(false)), len(s.List(true)))
	}
}
