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
	// The change counter first (takingTx), as ConfirmMember and
	// SetOrgRequireTwoFactor take it: a confirmation into a requiring
	// organisation commits before this reads the memberships (and is
	// seen), or waits and then finds two-factor log-in off.
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		// A pending enrolment (never on) is dropped whatever holds; so is
		// TOTP while a security key stays a second factor.
		held, err := s.stringsIn(ctx, tx, `SELECT o.id FROM orgs o JOIN org_members m ON m.org_id = o.id
			WHERE m.user_id = ? AND o.require_two_factor <> 0
			AND EXISTS (SELECT 1 FROM two_factor t WHERE t.user_id = m.user_id AND t.enabled_at <> 0)
			AND NOT EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = m.user_id) ORDER BY o.id`, userID)
		if err != nil {
			return err
		}
		if len(held) > 0 {
			return &store.TwoFactorHeldError{Orgs: held}
		}
		// Recovery codes stay while a security key is a second factor.
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM two_factor_recovery_codes WHERE user_id = ?
			AND NOT EXISTS (SELECT 1 FROM webauthn_credentials WHERE user_id = ?)`), userID, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM two_factor WHERE user_id = ?`), userID)
		return err
	})
}

// twoFactorOnTx reads, in tx, whether the account's two-factor log-in is
// on, sharing the row (a concurrent disable waits).
// secondFactorOn is true for an account (the ? twice) with a second
// factor: TOTP on, or a security key.
const secondFactorOn = `(EXISTS (SELECT 1 FROM two_factor WHERE user_id = ? AND enabled_at <> 0)
	OR EXISTS (SELECT 1 FROM webauthn_credentials WHERE user_id = ?))`

func (s *Store) twoFactorOnTx(ctx context.Context, tx *sql.Tx, userID string) (bool, error) {
	var on bool
	err := tx.QueryRowContext(ctx, s.q(`SELECT `+secondFactorOn), userID, userID).Scan(&on)
	return on, err
}

func (s *Store) TwoFactorOn(ctx context.Context, userIDs []string) (map[string]bool, error) {
	out := make(map[string]bool, len(userIDs))
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		for _, id := range userIDs {
			on, err := s.twoFactorOnTx(ctx, tx, id)
			if err != nil {
				return err
			}
			out[id] = on
		}
		return nil
	})
	return out, s.wrap(err)
}

func (s *Store) SetOrgRequireTwoFactor(ctx context.Context, orgID string, on bool) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		var owner string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT owner_id FROM orgs WHERE id = ?`+s.dialect.ForUpdate), orgID).Scan(&owner); err != nil {
			return err
		}
		if on {
			// The owner is held by the requirement too: their own
			// two-factor log-in must be on.
			if ok, err := s.twoFactorOnTx(ctx, tx, owner); err != nil {
				return err
			} else if !ok {
				return store.ErrTwoFactorRequired
			}
		}
		v := 0
		if on {
			v = 1
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE orgs SET require_two_factor = ? WHERE id = ?`), v, orgID); err != nil {
			return err
		}
		_, err := s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventOrgChanged, OrgID: orgID})
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

func (s *Store) ResetSecondFactors(ctx context.Context, userID string, notice store.AccountNotice) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var had bool
		if err := tx.QueryRowContext(ctx, s.q(`SELECT `+secondFactorOn), userID, userID).Scan(&had); err != nil {
			return err
		}
		if !had {
			return store.ErrNotFound
		}
		for _, q := range []string{
			`DELETE FROM two_factor_recovery_codes WHERE user_id = ?`,
			`DELETE FROM two_factor WHERE user_id = ?`,
			`DELETE FROM webauthn_credentials WHERE user_id = ?`,
			`DELETE FROM webauthn_challenges WHERE user_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), userID); err != nil {
				return err
			}
		}
		// The trace the account's user is shown: written with the reset or
		// not at all.
		notice.UserID = userID
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO account_notices (`+noticeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`),
			notice.ID, notice.UserID, notice.Kind, notice.OrgID, notice.ActorID, notice.ActorEmail, ms(notice.ApprovedAt), notice.ClientAddr, ms(notice.CreatedAt))
		return err
	})
}

func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var on bool
		if err := tx.QueryRowContext(ctx, s.q(`SELECT `+secondFactorOn), userID, userID).Scan(&on); err != nil {
			return err
		}
		if !on {
			return store.ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM two_factor_recovery_codes WHERE user_id = ?`), userID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO two_factor_recovery_codes (user_id, code_hash) VALUES (?, ?)`), userID, h); err != nil {
				return err
			}
		}
		return nil
	})
}
