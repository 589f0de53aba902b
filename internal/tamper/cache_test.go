package tamper_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/cachetest"
	"github.com/coffer-pm/coffer/internal/tamper"
)

// The device cache (docs/protocol.md §16, issue 14): a device that kept
// its verified state is sent and verifies only what changed; a cache that
// does not open is discarded and rebuilt, never used; and rollback
// protection does not depend on it.

// cacheRig is one account with a filled vault and a device that keeps a
// cache between "runs" (sessions that share its store and marks).
type cacheRig struct {
	h      *tamper.Harness
	email  string
	owner  *client.Session
	vault  string
	store  *cachetest.Store
	marks  client.Marks
	served int // items in the last sync answer
}

func newCacheRig(t *testing.T, email string, items int) *cacheRig {
	h := tamper.Start(t, nil)
	r := &cacheRig{h: h, email: email, owner: signup(t, h, email), store: &cachetest.Store{}}
	mine, err := r.owner.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	r.vault = mine.ID
	for i := range items {
		c := client.Content{Name: fmt.Sprint("site-", i), Login: &client.LoginFields{Username: fmt.Sprint("user", i), Password: fmt.Sprint("pw-", i)}}
		if _, err := r.owner.CreateItem(ctx, mine.ID, "login", c); err != nil {
			t.Fatal(err)
		}
	}
	h.MutateJSON("GET", `/sync$`, func(b any) any {
		r.served = len(b.(map[string]any)["items"].([]any))
		return b
	})
	return r
}

// run is one command on the device: a new session with the device's
// marks and cache, synced; done saves both, as the CLI does at exit.
func (r *cacheRig) run(t *testing.T) (s *client.Session, warning string, syncErr error) {
	t.Helper()
	s = login(t, r.h, r.email)
	s.SetMarks(r.marks)
	warning, err := s.UseCache(r.store)
	if err != nil {
		t.Fatal(err)
	}
	r.served = -1
	return s, warning, s.Sync(ctx)
}

func (r *cacheRig) done(t *testing.T, s *client.Session) {
	t.Helper()
	if err := s.SaveCache(); err != nil {
		t.Fatal(err)
	}
	r.marks = s.Marks()
}

func mustPassword(t *testing.T, s *client.Session, name, want string) {
	t.Helper()
	it, err := s.FindItem(name, false)
	if err != nil || it.Content.Login == nil || it.Content.Login.Password != want {
		t.Fatalf("%s: %+v, %v", name, it, err)
	}
}

// TestCachedDeviceIsSentAndVerifiesOnlyChanges: a second run is sent the
// one item that changed, not the vault, and opens only what it shows.
func TestCachedDeviceIsSentAndVerifiesOnlyChanges(t *testing.T) {
	r := newCacheRig(t, "delta@cache.example", 150)
	s, warning, err := r.run(t)
	if err != nil || warning != "" || r.served != 150 {
		t.Fatalf("first run: %d served, %q, %v", r.served, warning, err)
	}
	r.done(t, s)
	if r.store.Empty() {
		t.Fatal("nothing was cached")
	}

	it, err := r.owner.FindItem("site-7", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.owner.UpdateItem(ctx, it, client.Content{Name: "site-7", Login: &client.LoginFields{Password: "changed"}}); err != nil {
		t.Fatal(err)
	}
	s, warning, err = r.run(t)
	if err != nil || warning != "" || r.served != 1 {
		t.Fatalf("run after one change: %d items served (want 1), %q, %v", r.served, warning, err)
	}
	mustPassword(t, s, "site-7", "changed")
	mustPassword(t, s, "site-42", "pw-42") // from the cache
	if got := len(s.List(false)); got != 150 {
		t.Fatalf("listed %d items", got)
	}
	var found bool
	for _, sum := range s.List(false) {
		found = found || sum.Name == "site-99" && sum.Username == "user99"
	}
	if !found {
		t.Fatal("the list lacks site-99's summary")
	}
	r.done(t, s)

	s, _, err = r.run(t)
	if err != nil || r.served != 0 {
		t.Fatalf("run with nothing changed: %d items served, %v", r.served, err)
	}
	mustPassword(t, s, "site-7", "changed")
	r.done(t, s)

	// Writes from the device itself: one delta, not a full sync.
	v, err := s.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateItem(ctx, v.ID, "login", client.Content{Name: "new one", Login: &client.LoginFields{Password: "fresh"}}); err != nil {
		t.Fatal(err)
	}
	r.done(t, s)
	s, _, err = r.run(t)
	if err != nil || r.served > 1 {
		t.Fatalf("run after the device's own write: %d items served, %v", r.served, err)
	}
	mustPassword(t, s, "new one", "fresh")
}

// TestDamagedCacheIsDiscardedAndRebuilt: a cache flipped, cut, of another
// account, or an older copy is never used: the run warns, syncs in full
// and shows the right data; the run after that uses the rebuilt cache.
func TestDamagedCacheIsDiscardedAndRebuilt(t *testing.T) {
	r := newCacheRig(t, "damaged@cache.example", 70)
	s, _, err := r.run(t)
	if err != nil {
		t.Fatal(err)
	}
	r.done(t, s)
	older := r.store.Copy()
	it, _ := r.owner.FindItem("site-3", false)
	if _, err := r.owner.UpdateItem(ctx, it, client.Content{Name: "site-3", Login: &client.LoginFields{Password: "newer"}}); err != nil {
		t.Fatal(err)
	}
	s, _, err = r.run(t)
	if err != nil {
		t.Fatal(err)
	}
	r.done(t, s)

	// Another account's cache, at a generation this device has not
	// reached (so that only the key can refuse it).
	other := newCacheRig(t, "other@cache.example", 5)
	for i := range 12 {
		os, _, err := other.run(t)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			other.owner.CreateItem(ctx, other.vault, "note", client.Content{Name: fmt.Sprint("n", i)})
		}
		other.done(t, os)
	}

	cases := []struct {
		name, why string
		damage    func()
	}{
		{"bit flip", "does not open", func() { r.store.Edit(func(b []byte) []byte { b[len(b)/2] ^= 1; return b }) }},
		{"cut", "does not open", func() { r.store.Edit(func(b []byte) []byte { return b[:len(b)-10] }) }},
		{"generation edited", "does not open", func() { r.store.Edit(func(b []byte) []byte { b[15]++; return b }) }},
		{"not a cache", "not a cache", func() { r.store.Edit(func([]byte) []byte { return []byte("{}") }) }},
		{"records cut", "records", func() { r.store.EditRecords(func(f []byte) []byte { return f[:len(f)/2] }) }},
		{"another account's", "does not open", func() { *r.store = *other.store.Copy() }},
		{"an older copy", "older copy", func() { *r.store = *older.Copy() }},
	}
	for _, c := range cases {
		c.damage()
		s, warning, err := r.run(t)
		if err != nil || !strings.Contains(warning, "discarded") || !strings.Contains(warning, c.why) || r.served != 70 {
			t.Fatalf("%s: warning %q, %d served, %v", c.name, warning, r.served, err)
		}
		mustPassword(t, s, "site-3", "newer")
		mustPassword(t, s, "site-60", "pw-60")
		r.done(t, s)
		s, warning, err = r.run(t)
		if err != nil || warning != "" || r.served != 0 {
			t.Fatalf("%s: the rebuilt cache: warning %q, %d served, %v", c.name, warning, r.served, err)
		}
		mustPassword(t, s, "site-3", "newer")
		r.done(t, s)
	}
}

// TestDamagedRecordIsNotUsed: a flipped record is found when its item is
// opened; the session discards the cache, syncs in full and shows the
// right data.
func TestDamagedRecordIsNotUsed(t *testing.T) {
	r := newCacheRig(t, "record@cache.example", 20)
	s, _, err := r.run(t)
	if err != nil {
		t.Fatal(err)
	}
	r.done(t, s)
	r.store.EditRecords(func(f []byte) []byte {
		for i := 40; i < len(f); i += 97 {
			f[i] ^= 0x10
		}
		return f
	})
	s, warning, err := r.run(t)
	if err != nil || warning != "" {
		t.Fatalf("the state still opens: %q, %v", warning, err)
	}
	_, err = s.FindItem("site-11", false)
	if !errors.Is(err, client.ErrCacheDamaged) {
		t.Fatalf("a flipped record: %v", err)
	}
	if err := s.DiscardCache(); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx); err != nil || r.served != 20 {
		t.Fatalf("full sync after discarding: %d served, %v", r.served, err)
	}
	mustPassword(t, s, "site-11", "pw-11")
	r.done(t, s)
}

// TestRestoredCacheDoesNotAllowReplay: a device that saw revision 2 and
// then gets its older cache back (a restored backup) still refuses a
// server that replays revision 1: the marks outside the cache hold.
func TestRestoredCacheDoesNotAllowReplay(t *testing.T) {
	r := newCacheRig(t, "replay@cache.example", 3)
	s, _, err := r.run(t)
	if err != nil {
		t.Fatal(err)
	}
	r.done(t, s)
	older := r.store.Copy()
	var old any
	r.h.MutateJSON("GET", `/sync$`, func(b any) any {
		if old == nil {
			old = b // the state before the edit, to replay
		}
		r.served = len(b.(map[string]any)["items"].([]any))
		return b
	})
	if _, _, err := r.run(t); err != nil { // records the answer to replay
		t.Fatal(err)
	}
	it, _ := r.owner.FindItem("site-1", false)
	if _, err := r.owner.UpdateItem(ctx, it, client.Content{Name: "site-1", Login: &client.LoginFields{Password: "two"}}); err != nil {
		t.Fatal(err)
	}
	s, _, err = r.run(t)
	if err != nil {
		t.Fatal(err)
	}
	mustPassword(t, s, "site-1", "two")
	r.done(t, s)

	*r.store = *older.Copy()
	r.h.MutateJSON("GET", `/sync$`, func(any) any { return old })
	s, warning, err := r.run(t)
	if !strings.Contains(warning, "older copy") || !errors.Is(err, client.ErrTampered) || !strings.Contains(err.Error(), "rollback") {
		t.Fatalf("replay after an older cache was restored: warning %q, %v", warning, err)
	}
	if _, err := s.FindItem("site-1", false); err == nil {
		t.Fatal("the replayed vault is shown")
	}
}

// TestStreamedSyncAnswers: the sync answer is streamed (items last, a page
// at a time); an answer cut short, or with anything after its end, or with
// its members in another order, leaves the device's verified state as it
// was or reads the same, and an answer with an item twice in different
// pages is refused whole.
func TestStreamedSyncAnswers(t *testing.T) {
	r := newCacheRig(t, "stream@cache.example", 1200) // three server pages
	s, _, err := r.run(t)
	if err != nil || len(s.List(false)) != 1200 {
		t.Fatalf("full streamed sync: %d items, %v", len(s.List(false)), err)
	}
	r.done(t, s)
	it, _ := r.owner.FindItem("site-1", false)
	if _, err := r.owner.UpdateItem(ctx, it, client.Content{Name: "site-1", Login: &client.LoginFields{Password: "after"}}); err != nil {
		t.Fatal(err)
	}

	// Cut in the middle of the items: nothing of it is applied.
	r.h.Mutate("GET", `/sync$`, func(b []byte) []byte { return b[:len(b)*2/3] })
	if err := s.Sync(ctx); err == nil {
		t.Fatal("a cut answer was taken")
	}
	mustPassword(t, s, "site-1", "pw-1")
	// Something after the answer's end.
	r.h.Clear()
	r.h.Mutate("GET", `/sync$`, func(b []byte) []byte { return append(b, []byte(`{"cursor":1}`)...) })
	if err := s.Sync(ctx); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("data after the answer: %v", err)
	}
	mustPassword(t, s, "site-1", "pw-1")
	// One item twice.
	r.h.Clear()
	r.h.MutateJSON("GET", `/sync$`, func(b any) any {
		m := b.(map[string]any)
		items := m["items"].([]any)
		if len(items) > 0 {
			m["items"] = append(items, items[0])
		}
		return m
	})
	if err := s.Sync(ctx); !errors.Is(err, client.ErrTampered) || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("an item twice: %v", err)
	}
	// Members in another order (items first): the same answer.
	r.h.Clear()
	r.h.MutateJSON("GET", `/sync$`, func(b any) any { return b })
	if err := s.Sync(ctx); err != nil {
		t.Fatalf("members reordered: %v", err)
	}
	mustPassword(t, s, "site-1", "after")

	// A fresh device through reordered members: every item, verified.
	fresh := login(t, r.h, r.email)
	if err := fresh.Sync(ctx); err != nil || len(fresh.List(false)) != 1200 {
		t.Fatalf("full sync with members reordered: %d items, %v", len(fresh.List(false)), err)
	}
}

// TestCachedDeviceRefusesShortHistory: a device whose items come from its
// cache (not built yet) still refuses a history cut short of the head it
// holds.
func TestCachedDeviceRefusesShortHistory(t *testing.T) {
	r := newCacheRig(t, "history@cache.example", 3)
	it, _ := r.owner.FindItem("site-2", false)
	if _, err := r.owner.UpdateItem(ctx, it, client.Content{Name: "site-2", Login: &client.LoginFields{Password: "second"}}); err != nil {
		t.Fatal(err)
	}
	s, _, err := r.run(t)
	if err != nil {
		t.Fatal(err)
	}
	r.done(t, s)
	s, _, err = r.run(t)
	if err != nil {
		t.Fatal(err)
	}
	held, err := s.FindItem("site-2", false)
	if err != nil || held.Revision != 2 {
		t.Fatalf("held item: %+v, %v", held, err)
	}
	r.h.MutateJSON("GET", `/items/[^/]+/revisions$`, func(b any) any {
		m := b.(map[string]any)
		m["revisions"] = m["revisions"].([]any)[:1]
		return m
	})
	if _, err := s.History(ctx, held); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("a history cut to revision 1 of 2: %v", err)
	}
}
