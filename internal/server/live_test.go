package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

func dialEvents(t *testing.T, env *testserver.Env, token, query string) *websocket.Conn {
	t.Helper()
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	c, _, err := websocket.Dial(context.Background(), strings.Replace(env.URL, "http", "ws", 1)+"/api/v1/events"+query, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// readMsg reads the stream's next message; the guard only turns a hang
// into a failure.
func readMsg(t *testing.T, c *websocket.Conn) api.LiveMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m api.LiveMessage
	json.Unmarshal(data, &m)
	return m
}

// TestLiveBacklogResyncAndShutdown: a client resuming from too far behind is
// told to resync instead of being replayed an unbounded backlog; a client
// within the backlog gets every event; shutdown closes streams with
// "going away".
func TestLiveBacklogResyncAndShutdown(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.LiveBacklog = 5
	env := testserver.Start(t, &cfg, nil)
	s, err := client.Signup(context.Background(), env.URL, "live@example.com", "L", []byte("live password"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Sync(context.Background())
	v, _ := s.PersonalVault()
	for i := 0; i < 8; i++ {
		if _, err := s.CreateItem(context.Background(), v.ID, "note", client.Content{Name: "n"}); err != nil {
			t.Fatal(err)
		}
	}
	far := dialEvents(t, env, s.Token(), "?since=0")
	if m := readMsg(t, far); m.Type != api.LiveReady || m.Cursor != 0 {
		t.Fatalf("first message %+v", m)
	}
	if m := readMsg(t, far); m.Type != api.LiveResync || m.Cursor < 8 {
		t.Fatalf("far-behind client got %+v, want resync", m)
	}
	near := dialEvents(t, env, s.Token(), "?since=6")
	readMsg(t, near) // ready
	for want := int64(7); want <= 8; want++ {
		if m := readMsg(t, near); m.Type != api.LiveEvent || m.Seq != want || m.Kind != "item.changed" {
			t.Fatalf("event %d: %+v", want, m)
		}
	}
	// Unknown cursor forms are refused before upgrading.
	if status := rawStatus(t, env, s.Token(), "?since=-1"); status != http.StatusBadRequest {
		t.Fatalf("bad cursor: %d", status)
	}
	if status := rawStatus(t, env, "cs1_nope", ""); status != http.StatusUnauthorized {
		t.Fatalf("bad token: %d", status)
	}
	env.Server.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // only turns a hang into a failure
	defer cancel()
	_, _, err = near.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway {
		t.Fatalf("after shutdown: %v, want going away", err)
	}
}

func rawStatus(t *testing.T, env *testserver.Env, token, query string) int {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	_, resp, err := websocket.Dial(context.Background(), strings.Replace(env.URL, "http", "ws", 1)+"/api/v1/events"+query, &websocket.DialOptions{HTTPHeader: h})
	if err == nil || resp == nil {
		t.Fatalf("dial succeeded or gave no response: %v", err)
	}
	return resp.StatusCode
}
