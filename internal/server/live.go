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

// The live event stream. One goroutine per instance (the hub's fetcher)
// reads each commit's events once, for everyone; every connection filters
// them in memory with its user's store.Viewer — the same rule the stored
// backlog uses — so a write costs one query however many streams are
// open. Connections are counted per session, per account and per
// instance, and refused before the upgrade beyond the configured limits.

const (
	liveWriteTimeout = 10 * time.Second
	// liveSpan bounds one fetch: at most this many change numbers.
	liveSpan = 1000
	// liveQueue bounds the batches waiting for one connection; a
	// connection further behind drops them and catches up from the
	// database (the backlog path), so its memory stays bounded.
	liveQueue = 64
	// liveRetry is how long the fetcher waits after a database error.
	liveRetry = time.Second
)

// liveBatch is every event with from < seq <= upto, shared read-only by
// all connections.
type liveBatch struct {
	from, upto int64
	events     []store.Event
	frames     [][]byte // events[i] as a message, encoded once for all connections
}

func newBatch(from, upto int64, evs []store.Event) *liveBatch {
	b := &liveBatch{from: from, upto: upto, events: evs, frames: make([][]byte, len(evs))}
	for i, e := range evs {
		b.frames[i], _ = json.Marshal(liveEvent(e))
	}
	return b
}

// liveConn is one open stream as the hub sees it.
type liveConn struct {
	userID, sessionID string
	wake              chan struct{} // one slot: any number of batches coalesce into one wake

	mu       sync.Mutex
	batches  []*liveBatch
	overflow bool // batches were dropped: catch up from the database
}

// take returns the waiting batches and whether some were dropped.
func (c *liveConn) take() ([]*liveBatch, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, o := c.batches, c.overflow
	c.batches, c.overflow = nil, false
	return b, o
}

// hub holds this instance's live connections and hands them every batch
// of committed events. Waking never blocks a writer: a commit (here or, via
// the store's Notifier, on another instance) only kicks the fetcher.
type hub struct {
	kick chan struct{}

	mu         sync.Mutex
	conns      map[*liveConn]struct{}
	perSession map[string]int
	perUser    map[string]int
	// changed is closed (and replaced) whenever a connection is added or
	// removed, so that a test can wait for the count it expects instead
	// of polling it.
	changed chan struct{}
}

func newHub() *hub {
	return &hub{kick: make(chan struct{}, 1), conns: map[*liveConn]struct{}{},
		perSession: map[string]int{}, perUser: map[string]int{}, changed: make(chan struct{})}
}

// changedLocked wakes whoever waits for the count to change. The caller
// holds h.mu.
func (h *hub) changedLocked() {
	close(h.changed)
	h.changed = make(chan struct{})
}

func (h *hub) wake() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// add registers a connection unless a limit is reached; counting and
// registering happen under one lock, so no race lets more through.
func (h *hub) add(cfg Config, sess store.Session) (*liveConn, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case len(h.conns) >= cfg.LiveMaxStreams:
		return nil, &httpError{http.StatusServiceUnavailable, api.CodeUnavailable,
			"this server has too many live connections; try again later", 0}
	case h.perSession[sess.ID] >= cfg.LivePerSession:
		return nil, &httpError{http.StatusTooManyRequests, api.CodeRateLimited,
			"too many live streams for this session (at most " + strconv.Itoa(cfg.LivePerSession) + "); close one first", 0}
	case h.perUser[sess.UserID] >= cfg.LivePerAccount:
		return nil, &httpError{http.StatusTooManyRequests, api.CodeRateLimited,
			"too many live streams for this account (at most " + strconv.Itoa(cfg.LivePerAccount) + "); close one first", 0}
	}
	c := &liveConn{userID: sess.UserID, sessionID: sess.ID, wake: make(chan struct{}, 1)}
	h.conns[c] = struct{}{}
	h.perSession[sess.ID]++
	h.perUser[sess.UserID]++
	h.changedLocked()
	return c, nil
}

func (h *hub) remove(c *liveConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[c]; !ok {
		return
	}
	delete(h.conns, c)
	if h.perSession[c.sessionID]--; h.perSession[c.sessionID] <= 0 {
		delete(h.perSession, c.sessionID)
	}
	if h.perUser[c.userID]--; h.perUser[c.userID] <= 0 {
		delete(h.perUser, c.userID)
	}
	h.changedLocked()
}

func (h *hub) count() int {
	n, _ := h.countAndChange()
	return n
}

// countAndChange returns the number of connections and a channel that is
// closed at the next change of it.
func (h *hub) countAndChange() (int, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns), h.changed
}

// deliver queues b for every connection and wakes it.
func (h *hub) deliver(b *liveBatch) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		c.mu.Lock()
		if len(c.batches) >= liveQueue {
			c.batches, c.overflow = nil, true
		} else {
			c.batches = append(c.batches, b)
		}
		c.mu.Unlock()
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// fetch reads what was committed after cursor, once for all connections,
// and returns the new cursor. It reads even without connections: one that
// registers meanwhile may have read its starting cursor before these
// events, and must get them.
func (h *hub) fetch(ctx context.Context, st store.EventStore, cursor int64) (int64, error) {
	for {
		evs, latest, err := st.EventsAfter(ctx, cursor, liveSpan)
		if err != nil {
			return cursor, err
		}
		upto := min(latest, cursor+liveSpan)
		if upto > cursor {
			h.deliver(newBatch(cursor, upto, evs))
			cursor = upto
		}
		if cursor >= latest {
			return cursor, nil
		}
	}
}

// Connections returns how many live connections this instance holds.
func (s *Server) Connections() int { return s.hub.count() }

// startLive wires commits to the hub: in-process commits always, other
// instances' commits when the store can listen (PostgreSQL).
func (s *Server) startLive() {
	if oc, ok := s.store.(interface{ OnCommit(func()) }); ok {
		oc.OnCommit(func() {
			s.storageFull.Store(false) // a write went through: there is room again
			s.hub.wake()
		})
	}
	if n, ok := s.store.(store.Notifier); ok {
		go n.Listen(s.base, s.hub.wake)
	}
	go s.fetchLoop()
}

// fetchLoop runs the hub's fetcher until the server closes.
func (s *Server) fetchLoop() {
	cursor := int64(-1)
	for {
		var err error
		if cursor < 0 {
			// Start from now: connections read anything older themselves.
			_, cursor, err = s.store.EventsAfter(s.base, 0, 0)
			if err != nil {
				cursor = -1
			}
		} else {
			cursor, err = s.hub.fetch(s.base, s.store, cursor)
		}
		if err != nil {
			if s.base.Err() != nil {
				return
			}
			s.log.Warn("live events: cannot read the change log; retrying", "error", err)
			select {
			case <-s.base.Done():
				return
			case <-time.After(liveRetry):
			}
			s.hub.wake()
			continue
		}
		select {
		case <-s.base.Done():
			return
		case <-s.hub.kick:
		}
	}
}

// Close ends live connections (going away) and stops listening. Call it
// when shutting down, before the store is closed.
func (s *Server) Close() {
	s.cancel()
}

// events serves the live event stream of one session: events visible to
// the user after the cursor (query parameter since; default: from now),
// then whatever is committed while connected. A client too far behind is
// told to resync; a client that does not read is dropped (it reconnects
// with its cursor). The session is checked again when one of the user's
// sessions is revoked, when it would expire and on every heartbeat.
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
	// Registered before anything is read, so no batch is missed: every
	// batch from now on starts at or before the cursor read below.
	lc, err := s.hub.add(s.cfg, sess)
	if err != nil {
		return limited(r, err, "live_streams")
	}
	defer s.hub.remove(lc)
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"coffer.v1"}})
	if err != nil {
		return nil // Accept has answered the request
	}
	defer c.CloseNow()
	// CloseRead handles control frames and ends ctx when the peer goes. It
	// must not hang off s.base: cancelling its context drops the
	// connection without a close frame; shutdown is watched separately.
	ctx := c.CloseRead(context.Background())
	st := &stream{s: s, c: c, ctx: ctx, sess: sess}
	st.run(lc, cursor)
	return nil
}

// stream is one connection's state while it runs.
type stream struct {
	s      *Server
	c      *websocket.Conn
	ctx    context.Context
	sess   store.Session
	viewer *store.Viewer
	cursor int64
}

func (st *stream) send(m api.LiveMessage) error {
	data, _ := json.Marshal(m)
	return st.write(data)
}

func (st *stream) write(frame []byte) error {
	wctx, cancel := context.WithTimeout(st.ctx, liveWriteTimeout)
	defer cancel()
	return st.c.Write(wctx, websocket.MessageText, frame)
}

// errLiveClosed means the stream was closed (the reason is sent already).
var errLiveClosed = errors.New("live stream closed")

func (st *stream) fail(code websocket.StatusCode, reason string) error {
	st.c.Close(code, reason)
	return errLiveClosed
}

// sendAll sends events (frames, if given, are their encodings), or a
// resync if there are too many to replay.
func (st *stream) sendAll(evs []store.Event, frames [][]byte, more bool, upto int64) error {
	if more || len(evs) >= st.s.cfg.LiveBacklog {
		// Too far behind to replay: start over from a full sync.
		if err := st.send(api.LiveMessage{Type: api.LiveResync, Cursor: upto}); err != nil {
			return errLiveClosed
		}
		st.s.metrics.liveResyncs.Inc()
	} else {
		for i, e := range evs {
			var err error
			if frames != nil {
				err = st.write(frames[i])
			} else {
				err = st.send(liveEvent(e))
			}
			if err != nil {
				// A consumer that does not keep up is dropped; it
				// reconnects with its cursor.
				return st.fail(websocket.StatusTryAgainLater, "too slow; reconnect and resume")
			}
			st.s.metrics.liveEvents.Inc()
		}
	}
	st.cursor = upto
	return nil
}

// catchUp replays from the database what the user may see after the
// cursor (the backlog path) and reloads the viewer.
func (st *stream) catchUp() error {
	v, err := st.s.store.Viewer(st.ctx, st.sess.UserID)
	if err != nil {
		return st.unavailable()
	}
	st.viewer = v
	// A cursor far behind is not replayed: the backlog query would walk
	// every event since (of everyone), once per connection, and the answer
	// would be a resync anyway.
	_, latest, err := st.s.store.EventsAfter(st.ctx, 0, 0)
	if err != nil {
		return st.unavailable()
	}
	if latest-st.cursor > int64(maxReplaySpan*st.s.cfg.LiveBacklog) {
		return st.sendAll(nil, nil, true, latest)
	}
	evs, latest, more, err := st.s.store.EventsSince(st.ctx, st.sess.UserID, st.cursor, st.s.cfg.LiveBacklog)
	if err != nil {
		return st.unavailable()
	}
	return st.sendAll(evs, nil, more, latest)
}

// maxReplaySpan: a stream whose cursor is more than this many times
// LiveBacklog changes behind (everyone's changes, not only its user's) is
// told to resync without a backlog query.
const maxReplaySpan = 10

func (st *stream) unavailable() error {
	if st.ctx.Err() != nil {
		return errLiveClosed
	}
	return st.fail(websocket.StatusTryAgainLater, "database unavailable; reconnect")
}

// apply filters queued batches with the viewer and sends what it sees.
// An event that may change the user's access reloads the viewer first.
func (st *stream) apply(batches []*liveBatch) error {
	var evs []store.Event
	var frames [][]byte
	upto, reload, checkSession := st.cursor, false, false
	for _, b := range batches {
		if b.upto <= upto {
			continue
		}
		for i, e := range b.events {
			if e.Seq <= st.cursor {
				continue
			}
			reload = reload || st.viewer.Reloads(e)
			checkSession = checkSession || (e.Kind == store.EventSessionRevoked && e.TargetUser == st.sess.UserID)
			evs, frames = append(evs, e), append(frames, b.frames[i])
		}
		upto = b.upto
	}
	if checkSession {
		if err := st.checkSession(); err != nil {
			return err
		}
	}
	if reload {
		v, err := st.s.store.Viewer(st.ctx, st.sess.UserID)
		if err != nil {
			return st.unavailable()
		}
		st.viewer = v
	}
	visible, vframes := evs[:0], frames[:0]
	for i, e := range evs {
		if st.viewer.Sees(e) {
			visible, vframes = append(visible, e), append(vframes, frames[i])
		}
	}
	return st.sendAll(visible, vframes, false, upto)
}

func (st *stream) run(lc *liveConn, since int64) {
	s := st.s
	if since < 0 {
		_, latest, err := s.store.EventsAfter(st.ctx, 0, 0)
		if err != nil {
			st.unavailable()
			return
		}
		st.cursor = latest
		v, err := s.store.Viewer(st.ctx, st.sess.UserID)
		if err != nil {
			st.unavailable()
			return
		}
		st.viewer = v
		if st.send(api.LiveMessage{Type: api.LiveReady, Cursor: st.cursor}) != nil {
			return
		}
	} else {
		st.cursor = since
		if st.send(api.LiveMessage{Type: api.LiveReady, Cursor: since}) != nil {
			return
		}
		if st.catchUp() != nil {
			return
		}
	}
	// A revocation that committed after the request's session check but
	// before this stream's cursor was read is in no batch this stream will
	// see: check the session once more now, or the stream would stay open
	// until the next heartbeat.
	if st.checkSession() != nil {
		return
	}
	heartbeat := time.NewTicker(s.cfg.Heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-st.ctx.Done():
			return
		case <-s.base.Done():
			st.c.Close(websocket.StatusGoingAway, "server shutting down")
			return
		case <-lc.wake:
			batches, overflow := lc.take()
			var err error
			if overflow {
				err = st.catchUp()
			} else {
				err = st.apply(batches)
			}
			if err != nil {
				return
			}
		case <-heartbeat.C:
			// Revocation arrives as an event; expiry is checked here, and
			// only once the session's known expiry has passed (using the
			// session elsewhere pushes it forward).
			if !s.now().Before(st.expires()) {
				if st.checkSession() != nil {
					return
				}
			}
			pctx, cancel := context.WithTimeout(st.ctx, liveWriteTimeout)
			err := st.c.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		}
	}
}

// expires is when the stream's session expires as last read.
func (st *stream) expires() time.Time {
	if st.sess.MaxExpires.Before(st.sess.ExpiresAt) {
		return st.sess.MaxExpires
	}
	return st.sess.ExpiresAt
}

// checkSession re-reads the session and closes the stream if it was
// revoked or has expired.
func (st *stream) checkSession() error {
	cur, err := st.s.store.SessionByTokenHash(st.ctx, st.sess.TokenHash)
	now := st.s.now()
	switch {
	case errors.Is(err, store.ErrNotFound), err == nil && !cur.RevokedAt.IsZero():
		return st.fail(websocket.StatusPolicyViolation, "session revoked")
	case err == nil && (!now.Before(cur.ExpiresAt) || !now.Before(cur.MaxExpires)):
		return st.fail(websocket.StatusPolicyViolation, "session expired")
	case err == nil:
		st.sess = cur
	}
	return nil
}

func liveEvent(e store.Event) api.LiveMessage {
	return api.LiveMessage{Type: api.LiveEvent, Seq: e.Seq, Kind: e.Kind, OrgID: e.OrgID, VaultID: e.VaultID,
		ItemID: e.ItemID, UserID: e.TargetUser, GroupID: e.TargetGroup}
}
