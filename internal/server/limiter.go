package server

import (
	"sync"
	"time"
)

// limiter counts events per key in fixed windows. It is per process: with
// several instances each enforces its own share, which still bounds guessing.
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

// blocked reports whether key has used up its events in the current window.
func (l *limiter) blocked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.counts[key]
	return w != nil && now.Sub(w.start) < l.window && w.n >= l.max
}

// add records one event for key and reports whether it was within the limit.
func (l *limiter) add(key string, now time.Time) bool {
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
	return w.n <= l.max
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.counts, key)
	l.mu.Unlock()
}

func (l *limiter) sweep(now time.Time) {
	for k, w := range l.counts {
		if now.Sub(w.start) >= l.window {
			delete(l.counts, k)
		}
	}
}
