package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func (s *Store) PutEmailVerification(ctx context.Context, v store.EmailVerification, replace bool, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM email_verifications WHERE expires_at < ?`), ms(now)); err != nil {
			return err
		}
		if replace {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM email_verifications WHERE id = ?`), v.ID); err != nil {
				return err
			}
		}
		signup := v.Signup
		if signup == nil {
			signup = []byte{}
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO email_verifications (id, email, signup, code_hash, failed_attempts, expires_at, created_at)
			VALUES (?, ?, ?, ?, 0, ?, ?)`), v.ID, strings.ToLower(v.Email), signup, v.CodeHash, ms(v.ExpiresAt), ms(v.CreatedAt))
		return err
	})
}

func (s *Store) EmailVerification(ctx context.Context, id string) (store.EmailVerification, error) {
	var v store.EmailVerification
	var exp, created int64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT id, email, signup, code_hash, failed_attempts, expires_at, created_at
		FROM email_verifications WHERE id = ?`), id).Scan(&v.ID, &v.Email, &v.Signup, &v.CodeHash, &v.FailedAttempts, &exp, &created)
	v.ExpiresAt, v.CreatedAt = fromMS(exp), fromMS(created)
	return v, s.wrap(err)
}

func (s *Store) DeleteEmailVerification(ctx context.Context, id string) error {
	_, err := s.w.ExecContext(ctx, s.q(`DELETE FROM email_verifications WHERE id = ?`), id)
	return s.wrap(err)
}

func (s *Store) CountVerificationAttempt(ctx context.Context, id string) (int, error) {
	var n int
	err := s.w.QueryRowContext(ctx, s.q(`UPDATE email_verifications SET failed_attempts = failed_attempts + 1 WHERE id = ? RETURNING failed_attempts`), id).Scan(&n)
	return n, s.wrap(err)
}

// takeVerification deletes verification id inside tx; sql.ErrNoRows if it
// was already gone (a concurrent request used it).
func (s *Store) takeVerification(ctx context.Context, tx *sql.Tx, id string) error {
	res, err := tx.ExecContext(ctx, s.q(`DELETE FROM email_verifications WHERE id = ?`), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

func (s *Store) CompleteSignup(ctx context.Context, id string, a store.Account, v store.Vault, w store.VaultKeyWrap, manifests ...store.Manifest) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.takeVerification(ctx, tx, id); err != nil {
			return err
		}
		return s.createAccount(ctx, tx, a, v, w, manifests)
	})
}

func (s *Store) VerifyAccountEmail(ctx context.Context, id string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.takeVerification(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE accounts SET email_verified_at = ? WHERE id = ?`), ms(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		return nil
	})
}
