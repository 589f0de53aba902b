package server

import (
	"sync"
	"time"
)

// limiter counts events per key in fixed windows, in this process. Limits
// that must hold across several instances on one database use a
// storeCounter instead when Config.SharedLimits (counters.go).
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	counts map[string]*window
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(max int, per time.Duration) *limiter {
	return &limiter{max: max, window: per, counts: map[string]*window{}}
}

// add records one event for key and reports whether it was within the
// limit, and if not, how long until the window ends.
func (l *limiter) add(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) > 100_000 {
		l.sweep(now)
	}
	w := l.counts[key]
	if w == nil || now.Sub(w.start) >= l.window {
		w = &window{start: now}
		l.counts[key] = w
	}
	w.n++
	return w.n <= l.max, w.start.Add(l.window).Sub(now)
}

// reserve counts one event for key before the work it limits is done, so
// that concurrent requests cannot all pass a check made before any of them
// is counted. If the window is already full it counts nothing and returns
// false with the time left until the window ends. A reservation whose work
// was not done, or did not count as a failure, is given back with refund.
func (l *limiter) reserve(key string, now time.Time) (res *window, ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) > 100_000 {
		l.sweep(now)
	}
	w := l.counts[key]
	if w == nil || now.Sub(w.start) >= l.window {
		w = &window{start: now}
		l.counts[key] = w
	}
	if w.n >= l.max {
		return nil, false, w.start.Add(l.window).Sub(now)
	}
	w.n++
	return w, true, 0
}

// refund gives back a reservation. It does nothing if the reservation's
// window has ended meanwhile (a new window does not owe it anything).
func (l *limiter) refund(key string, res *window) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.counts[key]; w == res && w.n > 0 {
		if w.n--; w.n == 0 {
			delete(l.counts, key)
		}
	}
}

func (l *limiter) sweep(now time.Time) {
	for k, w := range l.counts {
		if now.Sub(w.start) >= l.window {
			delete(l.counts, k)
		}
	}
}

// orDefault is n, or def when n is not positive (an unset limit).
func orDefault(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}
