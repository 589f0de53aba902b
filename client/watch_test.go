package client_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testproxy"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// watcher collects changes from a background Watch.
type watcher struct {
	mu       sync.Mutex
	changes  []client.Change
	arrived  chan struct{} // closed (and replaced) when a change arrives
	connects int
	cancel   context.CancelFunc
	done     chan error
}

func startWatch(t *testing.T, s *client.Session) *watcher {
	w := &watcher{done: make(chan error, 1), arrived: make(chan struct{})}
	ctx, cancel := context.WithCancel(ctx)
	w.cancel = cancel
	connected := make(chan struct{}, 16)
	go func() {
		w.done <- s.Watch(ctx, client.WatchOptions{MaxBackoff: 200 * time.Millisecond, OnConnect: func(int64) {
			w.mu.Lock()
			w.connects++
			w.mu.Unlock()
			connected <- struct{}{}
		}}, func(c client.Change) {
			w.mu.Lock()
			w.changes = append(w.changes, c)
			close(w.arrived)
			w.arrived = make(chan struct{})
			w.mu.Unlock()
		})
	}()
	t.Cleanup(func() { cancel(); <-w.done })
	select {
	case <-connected:
	case <-time.After(time.Minute): // only turns a hang into a failure
		t.Fatal("watch did not connect")
	}
	return w
}

// waitFor waits until a change whose text contains want arrives: it looks
// again at each change that arrives. The guard only turns a hang into a
// failure.
func (w *watcher) waitFor(t *testing.T, want string) client.Change {
	t.Helper()
	guard := time.After(time.Minute)
	for {
		w.mu.Lock()
		for _, c := range w.changes {
			if strings.Contains(c.Text, want) {
				w.mu.Unlock()
				return c
			}
		}
		arrived := w.arrived
		w.mu.Unlock()
		select {
		case <-arrived:
		case <-guard:
			w.mu.Lock()
			defer w.mu.Unlock()
			t.Fatalf("no change %q; got %+v", want, w.changes)
			return client.Change{}
		}
	}
}

func (w *watcher) texts() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, c := range w.changes {
		out = append(out, c.Text)
	}
	return out
}

func TestWatchSeesChangesGrantsAndRevokes(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@live.example")
	a := signup(t, env.URL, "a@live.example")
	b := signup(t, env.URL, "b@live.example")
	o := company(t, owner, "Live", a, b)
	v, _ := owner.CreateVault(ctx, o.ID, "Shared")
	owner.GrantUser(ctx, v, "b@live.example", "edit")
	b.Sync(ctx)
	it, err := b.CreateItem(ctx, v.ID, "login", client.Content{Name: "Router", Login: &client.LoginFields{Password: "p1"}})
	if err != nil {
		t.Fatal(err)
	}
	w := startWatch(t, a)

	// A grant makes the vault appear in A's stream, with its changes.
	if err := owner.GrantUser(ctx, mustVault(t, owner, v.ID), "a@live.example", "view"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(t, "Shared: you can open this vault (view)")
	c := it.Content
	c.Login = &client.LoginFields{Password: "p2"}
	if it, err = b.UpdateItem(ctx, it, c); err != nil {
		t.Fatal(err)
	}
	got := w.waitFor(t, "Shared/Router: password changed by b@live.example")
	if len(got.Fields) != 1 || got.Fields[0] != "password" {
		t.Fatalf("change = %+v", got)
	}
	// Revoking stops A's events for the vault.
	if err := owner.Revoke(ctx, mustVault(t, owner, v.ID), "user", "a@live.example"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(t, "your access was revoked")
	c.Login = &client.LoginFields{Password: "p3"}
	if _, err = b.UpdateItem(ctx, it, c); err != nil {
		t.Fatal(err)
	}
	// Removal from the organisation: A hears of it, then nothing more.
	if err := owner.RemoveMember(ctx, o.ID, "a@live.example"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(t, "you were removed")
	if _, err := owner.CreateGroup(ctx, o.ID, "After", false, ""); err != nil {
		t.Fatal(err)
	}
	// A barrier instead of a pause: a change A sees for sure, made after
	// everything A must not see. One stream delivers in commit order, so
	// once it arrived, anything before it that A's stream would carry has
	// arrived too.
	aDevice, err := client.Login(ctx, env.URL, "a@live.example", []byte("pw of a@live.example"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := aDevice.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	mine, err := aDevice.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := aDevice.CreateItem(ctx, mine.ID, "note", client.Content{Name: "Barrier"}); err != nil {
		t.Fatal(err)
	}
	w.waitFor(t, "My Vault/Barrier: created")
	for _, txt := range w.texts() {
		if strings.Contains(txt, "p3") || strings.Contains(txt, "Router: password changed") && strings.Count(strings.Join(w.texts(), "\n"), "password changed") > 1 {
			t.Fatalf("A saw a change after the revoke: %v", w.texts())
		}
		if strings.Contains(txt, "groups changed") {
			t.Fatalf("a removed member saw organisation events: %v", w.texts())
		}
	}
}

// TestWatchCatchesUpAfterDisconnect: the connection is cut mid-stream;
// changes made meanwhile arrive after the automatic reconnection, none lost.
func TestWatchCatchesUpAfterDisconnect(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	proxy := testproxy.New(t, strings.TrimPrefix(env.URL, "http://"))
	owner := signup(t, env.URL, "owner@resume.example")
	watcherSession, err := client.Login(ctx, "http://"+proxy.Addr, "owner@resume.example", []byte("pw of owner@resume.example"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := startWatch(t, watcherSession)
	v, _ := owner.PersonalVault()
	owner.CreateItem(ctx, v.ID, "note", client.Content{Name: "before"})
	w.waitFor(t, "My Vault/before: created")

	proxy.Stop() // the watcher's connection dies and cannot come back yet
	for _, name := range []string{"during-1", "during-2", "during-3"} {
		if _, err := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	proxy.Start()
	for _, name := range []string{"during-1", "during-2", "during-3"} {
		w.waitFor(t, "My Vault/"+name+": created")
	}
	w.mu.Lock()
	connects := w.connects
	w.mu.Unlock()
	if connects < 2 {
		t.Fatalf("watch connected %d times; want a reconnection", connects)
	}
}
