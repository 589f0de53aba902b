package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
)

// hub wakes every live connection of this instance when something was
// committed — here or, through the store's Notifier, on another instance.
// Waking never blocks: each connection has a one-slot wake channel, so any
// number of commits while a connection is busy coalesce into one wake.
type hub struct {
	mu    sync.Mutex
	conns map[chan struct{}]struct{}
}

func newHub() *hub { return &hub{conns: map[chan struct{}]struct{}{}} }

func (h *hub) wake() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

func (h *hub) add() chan struct{} {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	h.conns[c] = struct{}{}
	h.mu.Unlock()
	return c
}

func (h *hub) remove(c chan struct{}) {
	h.mu.Lock()
	delete(h.conns, c)
	h.mu.Unlock()
}

// Connections returns how many live connections this instance holds.
func (s *Server) Connections() int {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return len(s.hub.conns)
}

// startLive wires commits to the hub: in-process commits always, other
// instances' commits when the store can listen (PostgreSQL).
func (s *Server) startLive() {
	if oc, ok := s.store.(interface{ OnCommit(func()) }); ok {
		oc.OnCommit(s.hub.wake)
	}
	if n, ok := s.store.(store.Notifier); ok {
		go n.Listen(s.base, s.hub.wake)
	}
}

// Close ends live connections (going away) and stops listening. Call it
// when shutting down, before the store is closed.
func (s *Server) Close() {
	s.cancel()
}

const liveWriteTimeout = 10 * time.Second

// events serves the live event stream of one session: events visible to
// the user after the cursor (query parameter since; default: from now),
// then whatever is committed while connected. A client too far behind is
// told to resync; a client that does not read is dropped (it reconnects
// with its cursor). The session is checked again on every wake, so a
// revoked or expired session is disconnected.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	sess := callerFrom(r.Context()).session
	cursor := int64(-1)
	if q := r.URL.Query().Get("since"); q != "" {
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil || n < 0 {
			return errBadRequest("since must be a non-negative integer cursor")
		}
		cursor = n
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"coffer.v1"}})
	if err != nil {
		return nil // Accept has answered the request
	}
	defer c.CloseNow()
	// CloseRead handles control frames and ends ctx when the peer goes. It
	// must not hang off s.base: cancelling its context drops the
	// connection without a close frame; shutdown is watched separately.
	ctx := c.CloseRead(context.Background())
	wake := s.hub.add()
	defer s.hub.remove(wake)

	send := func(m api.LiveMessage) error {
		data, _ := json.Marshal(m)
		wctx, cancel := context.WithTimeout(ctx, liveWriteTimeout)
		defer cancel()
		return c.Write(wctx, websocket.MessageText, data)
	}
	if cursor < 0 {
		_, latest, err := s.store.EventsSince(ctx, sess.UserID, 1<<62, 1)
		if err != nil {
			c.Close(websocket.StatusInternalError, "database unavailable")
			return nil
		}
		cursor = latest
	}
	if err := send(api.LiveMessage{Type: api.LiveReady, Cursor: cursor}); err != nil {
		return nil
	}
	heartbeat := time.NewTicker(s.cfg.Heartbeat)
	defer heartbeat.Stop()
	for {
		// Catch up: everything visible after the cursor.
		if reason := s.sessionGone(ctx, sess); reason != "" {
			c.Close(websocket.StatusPolicyViolation, reason)
			return nil
		}
		evs, latest, err := s.store.EventsSince(ctx, sess.UserID, cursor, s.cfg.LiveBacklog)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			c.Close(websocket.StatusTryAgainLater, "database unavailable; reconnect")
			return nil
		}
		if len(evs) >= s.cfg.LiveBacklog {
			// Too far behind to replay: start over from a full sync.
			if err := send(api.LiveMessage{Type: api.LiveResync, Cursor: latest}); err != nil {
				return nil
			}
		} else {
			for _, e := range evs {
				if err := send(liveEvent(e)); err != nil {
					// A consumer that does not keep up is dropped; it
					// reconnects with its cursor.
					c.Close(websocket.StatusTryAgainLater, "too slow; reconnect and resume")
					return nil
				}
			}
		}
		cursor = latest
		select {
		case <-ctx.Done():
			return nil
		case <-s.base.Done():
			c.Close(websocket.StatusGoingAway, "server shutting down")
			return nil
		case <-wake:
		case <-heartbeat.C:
			pctx, cancel := context.WithTimeout(ctx, liveWriteTimeout)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				return nil
			}
		}
	}
	return nil
}

// sessionGone re-reads the session: "" if it is still valid.
func (s *Server) sessionGone(ctx context.Context, sess store.Session) string {
	cur, err := s.store.SessionByTokenHash(ctx, sess.TokenHash)
	switch {
	case errors.Is(err, store.ErrNotFound), err == nil && !cur.RevokedAt.IsZero():
		return "session revoked"
	case err == nil && (!s.now().Before(cur.ExpiresAt) || !s.now().Before(cur.MaxExpires)):
		return "session expired"
	}
	return ""
}

func liveEvent(e store.Event) api.LiveMessage {
	return api.LiveMessage{Type: api.LiveEvent, Seq: e.Seq, Kind: e.Kind, OrgID: e.OrgID, VaultID: e.VaultID,
		ItemID: e.ItemID, UserID: e.TargetUser, GroupID: e.TargetGroup}
}
