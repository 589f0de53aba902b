package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// Rate counters (issue 27): one row per key and fixed window.

// hitCounterSQL counts one event in one statement, so that the row's lock
// serialises concurrent hits on both engines and no read-then-write race
// can count more than max. Every SET expression sees the row as it was
// before this statement: a window that has ended (window_end <= now)
// starts again at now with this event; otherwise the event is counted
// only while n < max. counted records which of the two happened, for
// RETURNING, which only sees the new row.
const hitCounterSQL = `INSERT INTO rate_counters (name, window_start, window_end, n, counted) VALUES (?, ?, ?, 1, 1)
ON CONFLICT (name) DO UPDATE SET
	counted = CASE WHEN rate_counters.window_end <= excluded.window_start OR rate_counters.n < ? THEN 1 ELSE 0 END,
	n = CASE WHEN rate_counters.window_end <= excluded.window_start THEN 1
		WHEN rate_counters.n < ? THEN rate_counters.n + 1 ELSE rate_counters.n END,
	window_start = CASE WHEN rate_counters.window_end <= excluded.window_start THEN excluded.window_start ELSE rate_counters.window_start END,
	window_end = CASE WHEN rate_counters.window_end <= excluded.window_start THEN excluded.window_end ELSE rate_counters.window_end END
RETURNING n, window_start, window_end, counted`

func (s *Store) HitCounter(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (store.CounterHit, error) {
	if key == "" || len(key) > store.MaxCounterKey {
		return store.CounterHit{}, fmt.Errorf("rate counter key of %d bytes (at most %d)", len(key), store.MaxCounterKey)
	}
	if window <= 0 {
		return store.CounterHit{}, fmt.Errorf("rate counter window %s", window)
	}
	start := ms(now)
	end := start + max(window.Milliseconds(), 1)
	if limit <= 0 {
		// A limit of nothing: the insert below would count its first
		// event, so refuse without writing.
		return store.CounterHit{Start: fromMS(start), End: fromMS(end)}, nil
	}
	var n, ws, we, counted int64
	err := s.w.QueryRowContext(ctx, s.q(hitCounterSQL), key, start, end, limit, limit).Scan(&n, &ws, &we, &counted)
	if err != nil {
		return store.CounterHit{}, s.wrap(err)
	}
	return store.CounterHit{OK: counted == 1, N: int(n), Start: fromMS(ws), End: fromMS(we)}, nil
}

func (s *Store) RefundCounter(ctx context.Context, key string, start time.Time) error {
	_, err := s.w.ExecContext(ctx, s.q(`UPDATE rate_counters SET n = n - 1 WHERE name = ? AND window_start = ? AND n > 0`), key, ms(start))
	return s.wrap(err)
}

func (s *Store) PruneCounters(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM rate_counters WHERE window_end <= ?`), ms(now))
	if err != nil {
		return 0, s.wrap(err)
	}
	return res.RowsAffected()
}
