package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// MarkRestored records a restore from a backup (docs/protocol.md §9.1).
func (s *Store) MarkRestored(ctx context.Context, at time.Time) (store.RestoreMark, error) {
	var m store.RestoreMark
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var last, stateAt sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(generation) FROM server_restores`).Scan(&last); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT max(updated_at) FROM items`).Scan(&stateAt); err != nil {
			return err
		}
		gen := uint64(max(ms(at), last.Int64+1, 1))
		m = store.RestoreMark{Generation: gen, RestoredAt: fromMS(ms(at)), StateAt: fromMS(stateAt.Int64)}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO server_restores (generation, restored_at, state_at) VALUES (?, ?, ?)`), int64(gen), ms(at), stateAt.Int64)
		return err
	})
	return m, err
}

// LastRestore is the newest restore recorded.
func (s *Store) LastRestore(ctx context.Context) (store.RestoreMark, error) {
	var gen, restoredAt, stateAt int64
	err := s.r.QueryRowContext(ctx, `SELECT generation, restored_at, state_at FROM server_restores ORDER BY generation DESC LIMIT 1`).Scan(&gen, &restoredAt, &stateAt)
	if errors.Is(err, sql.ErrNoRows) {
		return store.RestoreMark{}, nil
	}
	if err != nil {
		return store.RestoreMark{}, err
	}
	return store.RestoreMark{Generation: uint64(gen), RestoredAt: fromMS(restoredAt), StateAt: fromMS(stateAt)}, nil
}
