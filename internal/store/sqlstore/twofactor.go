package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// Two-factor log-in (issue 27): two_factor holds an account's TOTP
// secret and the last time step used, two_factor_recovery_codes the
// hashes of its unused recovery codes.

func (s *Store) StartTwoFactor(ctx context.Context, userID string, secret []byte, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.liveAccount(ctx, tx, userID); err != nil {
			return err
		}
		var enabled int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT enabled_at FROM two_factor WHERE user_id = ?`+s.dialect.ForUpdate), userID).Scan(&enabled)
		switch {
		case err == nil && enabled != 0:
			return store.ErrExists
		case err != nil && err != sql.ErrNoRows:
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM two_factor WHERE user_id = ?`), userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO two_factor (user_id, secret, created_at) VALUES (?, ?, ?)`), userID, secret, ms(at))
		return err
	})
}

func (s *Store) TwoFactor(ctx context.Context, userID string) (store.TwoFactor, error) {
	var t store.TwoFactor
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var enabled, created int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT secret, enabled_at, last_step, created_at FROM two_factor WHERE user_id = ?`), userID).
			Scan(&t.Secret, &enabled, &t.LastStep, &created); err != nil {
			return err
		}
		t.EnabledAt, t.CreatedAt = fromMS(enabled), fromMS(created)
		rows, err := tx.QueryContext(ctx, s.q(`SELECT code_hash FROM two_factor_recovery_codes WHERE user_id = ?`), userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h []byte
			if err := rows.Scan(&h); err != nil {
				return err
			}
			t.RecoveryCodes = append(t.RecoveryCodes, h)
		}
		return rows.Err()
	})
	return t, s.wrap(err)
}

func (s *Store) ConfirmTwoFactor(ctx context.Context, userID string, step int64, recoveryHashes [][]byte, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE two_factor SET enabled_at = ?, last_step = ? WHERE user_id = ? AND enabled_at = 0`), ms(at), step, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return store.ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM two_factor_recovery_codes WHERE user_id = ?`), userID); err != nil {
			return err
		}
		for _, h := range recoveryHashes {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO two_factor_recovery_codes (user_id, code_hash) VALUES (?, ?)`), userID, h); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// One statement: of two log-ins with the same code one updates
		// the row, the other finds last_step already at step.
		return s.oneRow(tx.ExecContext(ctx, s.q(`UPDATE two_factor SET last_step = ? WHERE user_id = ? AND enabled_at <> 0 AND last_step < ?`), step, userID, step))
	})
}

func (s *Store) UseRecoveryCode(ctx context.Context, userID string, hash []byte) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// The DELETE is the claim: a concurrent one with the same code
		// waits for this row's lock and then deletes nothing.
		return s.oneRow(tx.ExecContext(ctx, s.q(`DELETE FROM two_factor_recovery_codes WHERE user_id = ? AND code_hash = ?`), userID, hash))
	})
}

func (s *Store) DisableTwoFactor(ctx context.Context, userID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Recovery codes stay while a security key is a second factor.
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM two_factor_recovery_codes WHERE user_id = ?
			AND NOT EXISTS (SELECT 1 FROM webauthn_credentials WHERE user_id = ?)`), userID, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM two_factor WHERE user_id = ?`), userID)
		return err
	})
}

// oneRow is ErrNotFound unless the statement changed exactly one row.
func (s *Store) oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return store.ErrNotFound
	}
	return nil
}
