package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// tryEvents opens a stream; on refusal it returns the HTTP status and the
// error body.
func tryEvents(env *testserver.Env, token string) (*websocket.Conn, int, api.Error) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	c, resp, err := websocket.Dial(context.Background(), strings.Replace(env.URL, "http", "ws", 1)+"/api/v1/events", &websocket.DialOptions{HTTPHeader: h})
	if err == nil {
		return c, http.StatusSwitchingProtocols, api.Error{}
	}
	var e api.Error
	if resp == nil {
		return nil, 0, e
	}
	if resp.Body != nil {
		body, _ := io.ReadAll(resp.Body)
		json.Unmarshal(body, &e)
	}
	return nil, resp.StatusCode, e
}

// waitConnections waits until the server holds want live connections
// (it notices a closed stream a little after the client): it checks again
// at each change, which the server signals. The guard only turns a hang
// into a failure.
func waitConnections(t *testing.T, env *testserver.Env, want int) {
	t.Helper()
	guard := time.After(time.Minute)
	for {
		n, changed := server.LiveConnections(env.Server)
		if n == want {
			return
		}
		select {
		case <-changed:
		case <-guard:
			t.Fatalf("%d live connections, want %d", n, want)
		}
	}
}

// TestLiveStreamLimits (issue 13, finding 8): a session may open at most
// LivePerSession streams and an account at most LivePerAccount over all
// its sessions; one more is refused with 429 before the upgrade, with a
// message saying which limit; closing a stream frees its place; racing
// opens never get past the limit.
func TestLiveStreamLimits(t *testing.T) {
	cfg := testConfig()
	cfg.LivePerSession, cfg.LivePerAccount = 2, 3
	env := testserver.Start(t, &cfg, nil)
	alice := signupClient(t, env.URL, "alice@limits.example")
	bob := signupClient(t, env.URL, "bob@limits.example")
	second, err := client.Login(bg, env.URL, "alice@limits.example", []byte("pw of alice@limits.example"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	open := func(who, token string) *websocket.Conn {
		t.Helper()
		c, status, e := tryEvents(env, token)
		if c == nil {
			t.Fatalf("%s: stream refused: %d %+v", who, status, e)
		}
		readMsg(t, c)
		return c
	}
	refused := func(who, token, msg string) {
		t.Helper()
		c, status, e := tryEvents(env, token)
		if c != nil {
			c.CloseNow()
			t.Fatalf("%s: stream accepted beyond the limit", who)
		}
		if status != http.StatusTooManyRequests || e.Code != api.CodeRateLimited || !strings.Contains(e.Error, msg) {
			t.Fatalf("%s: refused with %d %+v, want 429 rate_limited %q", who, status, e, msg)
		}
	}
	first := open("session 1, stream 1", alice.Token())
	open("session 1, stream 2", alice.Token())
	refused("session 1, stream 3", alice.Token(), "too many live streams for this session (at most 2)")
	open("session 2, stream 1", second.Token())
	refused("session 2, stream 2", second.Token(), "too many live streams for this account (at most 3)")
	open("another account", bob.Token())

	first.Close(websocket.StatusNormalClosure, "")
	waitConnections(t, env, 3)
	open("session 2 after one closed", second.Token())
	refused("session 1 again, account full", alice.Token(), "too many live streams for this account")

	// Racing opens on a fresh session: exactly the limit gets through.
	carol := signupClient(t, env.URL, "carol@limits.example")
	var wg sync.WaitGroup
	var ok, tooMany atomic.Int32
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, status, _ := tryEvents(env, carol.Token())
			switch {
			case c != nil:
				ok.Add(1)
				t.Cleanup(func() { c.CloseNow() })
			case status == http.StatusTooManyRequests:
				tooMany.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 2 || tooMany.Load() != 10 {
		t.Fatalf("12 racing opens: %d accepted, %d refused; want 2 and 10", ok.Load(), tooMany.Load())
	}
}

// countingStore counts the store calls a live stream could make per write.
type countingStore struct {
	store.Store
	sessions, since, after, viewers atomic.Int64
}

func (c *countingStore) OnCommit(f func()) { c.Store.(interface{ OnCommit(func()) }).OnCommit(f) }

func (c *countingStore) SessionByTokenHash(ctx context.Context, h []byte) (store.Session, error) {
	c.sessions.Add(1)
	return c.Store.SessionByTokenHash(ctx, h)
}

func (c *countingStore) EventsSince(ctx context.Context, userID string, since int64, limit int) ([]store.Event, int64, bool, error) {
	c.since.Add(1)
	return c.Store.EventsSince(ctx, userID, since, limit)
}

func (c *countingStore) EventsAfter(ctx context.Context, since, span int64) ([]store.Event, int64, error) {
	c.after.Add(1)
	return c.Store.EventsAfter(ctx, since, span)
}

func (c *countingStore) Viewer(ctx context.Context, userID string) (*store.Viewer, error) {
	c.viewers.Add(1)
	return c.Store.Viewer(ctx, userID)
}

// TestLiveWriteReadsChangeLogOnce (issue 13, finding 8): a write read by
// many open streams costs one read of the change log for all of them, not
// queries per stream: no stream re-reads its session or its events.
func TestLiveWriteReadsChangeLogOnce(t *testing.T) {
	const streams, writes = 30, 5
	cfg := testConfig()
	cfg.LivePerSession, cfg.LivePerAccount = streams, streams
	st, err := sqlite.Open(bg, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs := &countingStore{Store: st}
	env := testserver.StartStore(t, cs, &cfg, nil)
	s := signupClient(t, env.URL, "many@streams.example")
	if err := s.Sync(bg); err != nil {
		t.Fatal(err)
	}
	v, _ := s.PersonalVault()
	it, err := s.CreateItem(bg, v.ID, "note", client.Content{Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	var conns []*websocket.Conn
	for i := 0; i < streams; i++ {
		c := dialEvents(t, env, s.Token(), "")
		readMsg(t, c)
		conns = append(conns, c)
	}
	cs.sessions.Store(0)
	cs.since.Store(0)
	cs.after.Store(0)
	cs.viewers.Store(0)
	for i := 0; i < writes; i++ {
		if it, err = s.UpdateItem(bg, it, client.Content{Name: "n", Notes: "x"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range conns {
			if m := readMsg(t, c); m.Kind != "item.changed" || m.ItemID != it.ID {
				t.Fatalf("stream got %+v", m)
			}
		}
	}
	// The writes' own requests authenticate (a few session reads each);
	// the streams add nothing.
	if n := cs.sessions.Load(); n >= streams {
		t.Errorf("%d session reads for %d writes with %d streams: the streams re-read their session", n, writes, streams)
	}
	if n := cs.since.Load(); n != 0 {
		t.Errorf("%d per-user event queries for %d writes with %d streams, want none", n, writes, streams)
	}
	if n := cs.viewers.Load(); n != 0 {
		t.Errorf("%d viewer loads for %d item writes, want none", n, writes)
	}
	if n := cs.after.Load(); n < 1 || n > 2*writes {
		t.Errorf("%d change-log reads for %d writes, want at most %d", n, writes, 2*writes)
	}
}

// TestLiveStreamEndsWhenSessionExpires: streams no longer re-read their
// session on every write; expiry is checked on the heartbeat once the
// session's known expiry has passed, and closes the stream with 1008.
//
// The session's lifetime passes on the server's clock, moved on by the
// test once the stream is open — not in real time: a sign-up and a dial
// that took longer than a real lifetime on a loaded machine met an expired
// session before the stream opened.
func TestLiveStreamEndsWhenSessionExpires(t *testing.T) {
	cfg := testConfig()
	cfg.Heartbeat = 50 * time.Millisecond
	cfg.SessionMax = 3 * time.Second // absolute: using the session does not extend it
	env := testserver.Start(t, &cfg, nil)
	// The server's clock stands still until the test moves it.
	t0 := time.Now()
	var skew atomic.Int64
	env.Server.SetClock(func() time.Time { return t0.Add(time.Duration(skew.Load())) })
	s := signupClient(t, env.URL, "expiring@limits.example")
	c := dialEvents(t, env, s.Token(), "")
	if m := readMsg(t, c); m.Type != api.LiveReady {
		t.Fatalf("first message %+v, want ready", m)
	}
	skew.Store(int64(cfg.SessionMax + time.Second)) // the session's lifetime is over
	// The next heartbeat notices; the guard only turns a hang into a
	// failure.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _, err := c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || ce.Reason != "session expired" {
		t.Fatalf("after expiry: %v, want 1008 session expired", err)
	}
}

// TestLiveOldCursorIsNotReplayed: a stream opened with a cursor far behind
// (since=0 on a long change log) is told to resync without a backlog
// query. Found in review: the backlog query walked the whole log — every
// account's events — once per connection.
func TestLiveOldCursorIsNotReplayed(t *testing.T) {
	cfg := testConfig()
	cfg.LiveBacklog = 5
	st, err := sqlite.Open(bg, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs := &countingStore{Store: st}
	env := testserver.StartStore(t, cs, &cfg, nil)
	s := signupClient(t, env.URL, "old@cursor.example")
	other := signupClient(t, env.URL, "busy@cursor.example")
	if err := other.Sync(bg); err != nil {
		t.Fatal(err)
	}
	ov, err := other.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		if _, err := other.CreateItem(bg, ov.ID, "note", client.Content{Name: fmt.Sprint("n", i)}); err != nil {
			t.Fatal(err)
		}
	}
	cs.since.Store(0)
	c := dialEvents(t, env, s.Token(), "?since=0")
	if m := readMsg(t, c); m.Type != api.LiveReady {
		t.Fatalf("first message %+v", m)
	}
	if m := readMsg(t, c); m.Type != api.LiveResync {
		t.Fatalf("a cursor far behind: %+v, want a resync", m)
	}
	if n := cs.since.Load(); n != 0 {
		t.Fatalf("%d backlog queries for a cursor far behind, want none", n)
	}
}
