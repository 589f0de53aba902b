package server

import (
	"context"
	"net/http"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
)

// Each run of crypto.AuthHash (login and sign-up) takes 19 MiB and a core
// for tens of milliseconds. Unbounded, a few hundred concurrent
// unauthenticated requests take gigabytes. The hash gate bounds them:
//
//   - at most Config.HashSlots hashes run at once;
//   - at most Config.HashQueue more wait, each at most Config.HashWait;
//     a request that finds the queue full gets 503 with Retry-After at
//     once, one that waited too long gets it then, neither with a hash;
//   - one client network (see networkKey) holds at most
//     Config.HashPerNetwork of the running and waiting places together;
//     beyond that the answer is 429 with Retry-After. With the defaults
//     the cap is well below HashSlots+HashQueue, so a network that floods
//     cannot take every place from everyone else, and the queue is first
//     come, first served, so another network's request waits behind at
//     most that many of the flood's.
//
// Memory for hashing is therefore at most HashSlots × 19 MiB, whatever the
// number of requests; a waiting request holds only its goroutine and its
// (small, see publicBodyLimit) body.
type hashGate struct {
	slots, queueMax, perNet int
	wait                    time.Duration

	mu      sync.Mutex
	running int
	queue   []*hashWaiter
	perKey  map[string]int // running + waiting, per network
	// changed is closed (and replaced) whenever running or the queue
	// changes, so that a test can wait for the state it expects instead
	// of polling it.
	changed chan struct{}
}

type hashWaiter struct {
	ready   chan struct{}
	granted bool // set under mu when a released slot is handed over
}

func newHashGate(slots, queue, perNet int, wait time.Duration) *hashGate {
	return &hashGate{slots: slots, queueMax: queue, perNet: perNet, wait: wait, perKey: map[string]int{}, changed: make(chan struct{})}
}

// changedLocked wakes whoever waits for the gate's state to change. The
// caller holds g.mu.
func (g *hashGate) changedLocked() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// state returns how many hashes run and how many requests wait, and a
// channel that is closed at the next change of either.
func (g *hashGate) state() (running, waiting int, changed <-chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.running, len(g.queue), g.changed
}

// Errors of the gate, answered with Retry-After (see retryAfter).
var (
	errNetworkBusy = &httpError{http.StatusTooManyRequests, api.CodeRateLimited,
		"too many logins and sign-ups in progress from your network; retry in a second", 0}
	errQueueFull = &httpError{http.StatusServiceUnavailable, api.CodeUnavailable,
		"the server is busy with other logins and sign-ups; retry in a second", 0}
	errWaitedTooLong = &httpError{http.StatusServiceUnavailable, api.CodeUnavailable,
		"the server is busy with other logins and sign-ups; retry in a few seconds", 0}
)

// acquire waits for a hash slot for a request from network key. It returns
// errNetworkBusy or errQueueFull at once when the request cannot wait,
// errWaitedTooLong when the wait ran out, or ctx's error if the client
// left. On success the caller must call release(key).
func (g *hashGate) acquire(ctx context.Context, key string) error {
	g.mu.Lock()
	if g.perKey[key] >= g.perNet {
		g.mu.Unlock()
		return errNetworkBusy
	}
	if g.running < g.slots && len(g.queue) == 0 {
		g.running++
		g.perKey[key]++
		g.changedLocked()
		g.mu.Unlock()
		return nil
	}
	if len(g.queue) >= g.queueMax {
		g.mu.Unlock()
		return errQueueFull
	}
	w := &hashWaiter{ready: make(chan struct{})}
	g.queue = append(g.queue, w)
	g.perKey[key]++
	g.changedLocked()
	g.mu.Unlock()

	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	var err error
	select {
	case <-w.ready:
		return nil
	case <-timer.C:
		err = errWaitedTooLong
	case <-ctx.Done():
		err = ctx.Err()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if w.granted { // a slot was handed over just as we gave up: take it
		return nil
	}
	for i, q := range g.queue {
		if q == w {
			g.queue = append(g.queue[:i], g.queue[i+1:]...)
			break
		}
	}
	g.done(key)
	g.changedLocked()
	return err
}

// release gives a slot back: to the first waiter, or to the pool.
func (g *hashGate) release(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.done(key)
	defer g.changedLocked()
	if len(g.queue) == 0 {
		g.running--
		return
	}
	w := g.queue[0]
	g.queue[0] = nil
	g.queue = g.queue[1:]
	w.granted = true
	close(w.ready)
}

func (g *hashGate) done(key string) {
	if g.perKey[key]--; g.perKey[key] <= 0 {
		delete(g.perKey, key)
	}
}

// hashSlot waits for a place to run the slow hash (s.hash) for a request
// under the hash gate. A refusal sets Retry-After on w and is returned as
// the error to answer. On success the caller must call release once the
// hash is done; calls after the first do nothing, so it can also be
// deferred.
func (s *Server) hashSlot(w http.ResponseWriter, r *http.Request) (release func(), err error) {
	key := s.clientNetwork(r)
	start := time.Now()
	switch err := s.hashes.acquire(r.Context(), key); err {
	case nil:
		s.metrics.hashWait.Observe(time.Since(start).Seconds())
		return sync.OnceFunc(func() { s.hashes.release(key) }), nil
	case errNetworkBusy:
		s.metrics.hashRefused.WithLabelValues("network_busy").Inc()
		noteLimit(r, "hash_network")
		retryAfter(w, time.Second)
		return nil, err
	case errQueueFull:
		s.metrics.hashRefused.WithLabelValues("queue_full").Inc()
		retryAfter(w, time.Second)
		return nil, err
	case errWaitedTooLong:
		s.metrics.hashRefused.WithLabelValues("waited_too_long").Inc()
		retryAfter(w, s.hashes.wait)
		return nil, err
	default: // the client left while waiting: nobody reads this answer
		return nil, &httpError{http.StatusServiceUnavailable, api.CodeUnavailable, "the request was cancelled while it waited", 0}
	}
}

// retryAfter sets the Retry-After header to d, rounded up to whole
// seconds, at least 1.
func retryAfter(w http.ResponseWriter, d time.Duration) {
	secs := int64((d + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
}

// networkKey is the key under which the unauthenticated limits count a
// client: its network rather than its single address, because one party
// usually holds many addresses of one network.
//
//   - IPv4: the /24, the smallest block routed on the Internet;
//   - all of 127.0.0.0/8 is one network (any local process can use any of
//     its addresses);
//   - IPv6: the /56, the usual delegation to one customer site (RIPE-690),
//     in which a single customer can use 2^72 addresses and 256 /64s;
//   - IPv4-mapped IPv6 addresses count as IPv4.
//
// addr is an IP address (clientAddr's answer), with or without a port;
// anything else is used as it is.
func networkKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		ap, perr := netip.ParseAddrPort(addr)
		if perr != nil {
			return addr
		}
		a = ap.Addr()
	}
	a = a.Unmap().WithZone("")
	bits := 56
	switch {
	case a.Is4() && a.IsLoopback():
		bits = 8
	case a.Is4():
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return a.String()
	}
	return p.String()
}

// defaultHashSlots is one hash per core (a hash uses one thread, so more
// would not finish sooner), at most 16 (304 MiB).
func defaultHashSlots() int { return min(max(runtime.GOMAXPROCS(0), 1), 16) }

// newHashGateFor makes the gate of cfg, with defaults for unset values.
func newHashGateFor(cfg Config) *hashGate {
	def := DefaultConfig()
	slots, queue, perNet, wait := cfg.HashSlots, cfg.HashQueue, cfg.HashPerNetwork, cfg.HashWait
	if slots <= 0 {
		slots = def.HashSlots
	}
	if queue <= 0 {
		queue = 16 * slots
	}
	if perNet <= 0 {
		perNet = 2 * slots
	}
	if wait <= 0 {
		wait = def.HashWait
	}
	return newHashGate(slots, queue, perNet, wait)
}
