package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
)

// counter is one fixed-window limit, counted per key. Two implementations:
// limiter (limiter.go), in this process, for a single instance (SQLite);
// and storeCounter, in the database, for several instances on one
// PostgreSQL (Config.SharedLimits), where per-process counts would let N
// instances allow N times the limit (issue 27). Server.New picks one for
// every limit in one place (newCounter).
type counter interface {
	// reserve counts one event for key unless its window is full; then it
	// returns false and the time until the window ends. The ticket gives
	// the event back with refund. An error means nothing could be
	// counted: callers fail closed (refuse, never allow unlimited).
	reserve(ctx context.Context, key string, now time.Time) (ticket any, ok bool, wait time.Duration, err error)
	// refund gives back a reservation; nothing if its window has ended.
	refund(ctx context.Context, key string, ticket any)
}

// localCounter adapts limiter to counter.
type localCounter struct{ *limiter }

func (l localCounter) reserve(_ context.Context, key string, now time.Time) (any, bool, time.Duration, error) {
	res, ok, wait := l.limiter.reserve(key, now)
	if !ok {
		return nil, false, wait, nil
	}
	return res, true, 0, nil
}

func (l localCounter) refund(_ context.Context, key string, ticket any) {
	if w, ok := ticket.(*window); ok {
		l.limiter.refund(key, w)
	}
}

// storeCounter counts in the store's rate_counters, shared by every
// instance on the database. Keys are an HMAC under a server secret of
// what is counted, so the table holds no e-mail address in clear and a
// key's length is fixed (the store bounds it too).
type storeCounter struct {
	st     store.RateCounterStore
	name   string
	secret []byte
	max    int
	window time.Duration
	hits   *atomic.Uint64 // shared by a server's counters: prunes every pruneEvery hits
	log    func(msg string, args ...any)
}

// pruneEvery: besides the sweeper's pass, one hit in this many deletes
// the ended windows, so a burst of new keys (guesses at many addresses)
// does not grow the table until the next sweep.
const pruneEvery = 1024

func (c *storeCounter) key(k string) string {
	m := hmac.New(sha256.New, c.secret)
	m.Write([]byte(c.name + "\x00" + k))
	return c.name + ":" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (c *storeCounter) reserve(ctx context.Context, key string, now time.Time) (any, bool, time.Duration, error) {
	if c.hits.Add(1)%pruneEvery == 0 {
		if _, err := c.st.PruneCounters(ctx, now); err != nil {
			c.log("pruning rate counters", "err", err)
		}
	}
	h, err := c.st.HitCounter(ctx, c.key(key), c.max, c.window, now)
	if err != nil {
		return nil, false, 0, err
	}
	if !h.OK {
		// Clamp: the end was written by an instance whose clock may
		// differ a little from this one's.
		return nil, false, min(max(h.End.Sub(now), time.Second), c.window), nil
	}
	return h.Start, true, 0, nil
}

func (c *storeCounter) refund(ctx context.Context, key string, ticket any) {
	start, ok := ticket.(time.Time)
	if !ok {
		return
	}
	// A refund that fails leaves the event counted: stricter, never
	// looser. It runs even if the request's context has ended, so a
	// client that hangs up before its check ran is not charged for it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.st.RefundCounter(ctx, c.key(key), start); err != nil {
		c.log("refunding a rate counter", "limit", c.name, "err", err)
	}
}

// newCounter returns the named limit: in the database when
// Config.SharedLimits, else in this process.
func (s *Server) newCounter(name string, max int, per time.Duration) counter {
	if !s.cfg.SharedLimits {
		return localCounter{newLimiter(max, per)}
	}
	return &storeCounter{st: s.store, name: name, secret: s.limitSecret, max: max, window: per, hits: &s.counterHits, log: s.log.Error}
}

// errLimitsUnavailable answers a request whose limit could not be
// counted because the database did not answer: fail closed, 503 with a
// Retry-After, never an uncounted guess.
func (s *Server) errLimitsUnavailable(w http.ResponseWriter, limit string, err error) error {
	s.log.Error("counting a rate limit", "limit", limit, "err", err)
	retryAfter(w, 5*time.Second)
	return &httpError{http.StatusServiceUnavailable, api.CodeUnavailable, "the server cannot check its rate limits right now; try again shortly", 0}
}

// PruneCounters deletes the shared rate counters whose window has ended
// (a no-op without shared limits). Several instances may run it at once.
func (s *Server) PruneCounters(ctx context.Context) {
	if !s.cfg.SharedLimits {
		return
	}
	if _, err := s.store.PruneCounters(ctx, s.now()); err != nil {
		s.log.Error("pruning rate counters", "err", err)
	}
}
