package server

import (
	"net/http"
	"sync"

	"github.com/coffer-pm/coffer/internal/api"
)

// bodyBudget bounds the request bytes the server holds in memory at once:
// a JSON body is read whole (to check its UTF-8 before decoding) and a file
// chunk too, so without a bound one account sending many large bodies at
// once could make the server hold gigabytes before refusing them. Each
// reading request reserves what it may read (its Content-Length, else the
// limit) from the instance's budget and from its caller's share (an account,
// or a client network for unauthenticated requests); a request that does
// not fit is refused at once, without reading, with 503 or 429 and
// Retry-After.
type bodyBudget struct {
	mu      sync.Mutex
	total   int64 // bytes reserved on the instance
	max     int64
	perKey  int64
	reserve map[string]int64
}

// newBodyBudgetFor sizes the budget from cfg: by default 128 MiB on the
// instance and 16 MiB per caller, and never less than one largest body.
func newBodyBudgetFor(cfg Config) *bodyBudget {
	total, per := cfg.BodyBytesInFlight, cfg.BodyBytesPerCaller
	if total <= 0 {
		total = 128 << 20
	}
	if per <= 0 {
		per = 16 << 20
	}
	floor := max(cfg.MaxBodyBytes, 1<<20+64) // a body, or a file chunk
	return newBodyBudget(max(total, floor), max(per, floor))
}

func newBodyBudget(max, perKey int64) *bodyBudget {
	return &bodyBudget{max: max, perKey: perKey, reserve: map[string]int64{}}
}

// take reserves n bytes for key, or refuses; release gives them back.
func (b *bodyBudget) take(key string, n int64) (release func(), err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.reserve[key]+n > b.perKey:
		return nil, &httpError{http.StatusTooManyRequests, api.CodeRateLimited,
			"too many large requests from you at once; wait for the others to finish", 0}
	case b.total+n > b.max:
		return nil, &httpError{http.StatusServiceUnavailable, api.CodeUnavailable,
			"the server is busy reading other requests; try again in a moment", 0}
	}
	b.total += n
	b.reserve[key] += n
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.total -= n
			if b.reserve[key] -= n; b.reserve[key] <= 0 {
				delete(b.reserve, key)
			}
		})
	}, nil
}

// readBudget reserves what r may read, up to limit bytes, for its caller.
func (s *Server) readBudget(r *http.Request, limit int64) (func(), error) {
	n := limit
	if r.ContentLength >= 0 && r.ContentLength < n {
		n = r.ContentLength // the server reads no more than the declared length
	}
	key := "net:" + networkKey(r.RemoteAddr)
	if c, ok := r.Context().Value(ctxKey{}).(*caller); ok {
		key = "user:" + c.session.UserID
	}
	return s.bodies.take(key, n)
}
