package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// Security keys (issue 27, docs/protocol.md §8.2): webauthn_credentials
// holds an account's registered keys, webauthn_challenges the ceremonies
// between their begin and their finish.

func (s *Store) RecoveryCodeHashes(ctx context.Context, userID string) ([][]byte, error) {
	var out [][]byte
	err := s.readTx(ctx, func(tx *sql.Tx) error {
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
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, s.wrap(err)
}

func (s *Store) AddWebAuthnCredential(ctx context.Context, c store.WebAuthnCredential, recoveryHashes [][]byte) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.liveAccount(ctx, tx, c.UserID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM webauthn_credentials WHERE user_id = ? AND credential_id = ?`), c.UserID, c.CredentialID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return store.ErrExists
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO webauthn_credentials (id, user_id, credential_id, public_key, sign_count, aaguid, transports, flags, rp_id, name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), c.ID, c.UserID, c.CredentialID, c.PublicKey, int64(c.SignCount), nonNil(c.AAGUID),
			strings.Join(c.Transports, ","), int64(c.Flags), c.RPID, c.Name, ms(c.CreatedAt)); err != nil {
			return err
		}
		if recoveryHashes == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM two_factor_recovery_codes WHERE user_id = ?`), c.UserID); err != nil {
			return err
		}
		for _, h := range recoveryHashes {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO two_factor_recovery_codes (user_id, code_hash) VALUES (?, ?)`), c.UserID, h); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) WebAuthnCredentials(ctx context.Context, userID string) ([]store.WebAuthnCredential, error) {
	var out []store.WebAuthnCredential
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id, credential_id, public_key, sign_count, aaguid, transports, flags, rp_id, name, created_at, last_used_at
			FROM webauthn_credentials WHERE user_id = ? ORDER BY created_at, id`), userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := store.WebAuthnCredential{UserID: userID}
			var count, flags, created, used int64
			var transports string
			if err := rows.Scan(&c.ID, &c.CredentialID, &c.PublicKey, &count, &c.AAGUID, &transports, &flags, &c.RPID, &c.Name, &created, &used); err != nil {
				return err
			}
			c.SignCount, c.Flags, c.CreatedAt, c.LastUsedAt = uint32(count), byte(flags), fromMS(created), fromMS(used)
			if transports != "" {
				c.Transports = strings.Split(transports, ",")
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, s.wrap(err)
}

func (s *Store) RemoveWebAuthnCredential(ctx context.Context, userID, id string) error {
	// The change counter first, as DisableTwoFactor: the last second
	// factor cannot go while an organisation the account is in requires
	// one (a confirmation or requirement change is seen or waits).
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		if err := s.oneRow(tx.ExecContext(ctx, s.q(`DELETE FROM webauthn_credentials WHERE id = ? AND user_id = ?`), id, userID)); err != nil {
			return err
		}
		if on, err := s.twoFactorOnTx(ctx, tx, userID); err != nil || on {
			return err
		}
		held, err := s.stringsIn(ctx, tx, `SELECT o.id FROM orgs o JOIN org_members m ON m.org_id = o.id
			WHERE m.user_id = ? AND o.require_two_factor <> 0 ORDER BY o.id`, userID)
		if err != nil {
			return err
		}
		if len(held) > 0 {
			return &store.TwoFactorHeldError{Orgs: held}
		}
		// The last second factor gone: its recovery codes go with it.
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM two_factor_recovery_codes WHERE user_id = ?`), userID)
		return err
	})
}

func (s *Store) UseWebAuthnCredential(ctx context.Context, userID, id string, old, count uint32, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Compare-and-set: of two log-ins that read the same counter, one
		// moves it.
		return s.oneRow(tx.ExecContext(ctx, s.q(`UPDATE webauthn_credentials SET sign_count = ?, last_used_at = ? WHERE id = ? AND user_id = ? AND sign_count = ?`),
			int64(count), ms(at), id, userID, int64(old)))
	})
}

func (s *Store) PutWebAuthnChallenge(ctx context.Context, c store.WebAuthnChallenge, now time.Time, max int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.liveAccount(ctx, tx, c.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM webauthn_challenges WHERE user_id = ? AND expires_at <= ?`), c.UserID, ms(now)); err != nil {
			return err
		}
		// At most max live ones per account: the oldest make room.
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM webauthn_challenges WHERE user_id = ? AND challenge_hash NOT IN
			(SELECT challenge_hash FROM webauthn_challenges WHERE user_id = ? ORDER BY expires_at DESC, challenge_hash LIMIT ?)`), c.UserID, c.UserID, max-1); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO webauthn_challenges (challenge_hash, user_id, ceremony, session, expires_at) VALUES (?, ?, ?, ?, ?)`),
			c.Hash, c.UserID, c.Ceremony, c.Session, ms(c.ExpiresAt))
		return err
	})
}

func (s *Store) TakeWebAuthnChallenge(ctx context.Context, hash []byte, userID, ceremony string, now time.Time) (store.WebAuthnChallenge, error) {
	c := store.WebAuthnChallenge{Hash: hash, UserID: userID, Ceremony: ceremony}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// One conditional DELETE … RETURNING is the claim: a concurrent
		// one with the same challenge waits for the row and deletes none.
		var exp int64
		err := tx.QueryRowContext(ctx, s.q(`DELETE FROM webauthn_challenges WHERE challenge_hash = ? AND user_id = ? AND ceremony = ? AND expires_at > ?
			RETURNING session, expires_at`), hash, userID, ceremony, ms(now)).Scan(&c.Session, &exp)
		c.ExpiresAt = fromMS(exp)
		return err
	})
	return c, s.wrap(err)
}
