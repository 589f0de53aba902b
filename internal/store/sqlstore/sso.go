package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// Single sign-on (issue 27, docs/protocol.md §8.4): sso_states are
// sign-ins under way, sso_tickets the ones a provider proved, sso_links
// which account a provider's subject is. States and tickets live minutes;
// each insert first deletes the expired ones, so neither table grows with
// abandoned sign-ins.

func (s *Store) CreateSSOState(ctx context.Context, st store.SSOState, now time.Time, max int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM sso_states WHERE expires_at <= ?`), ms(now)); err != nil {
			return err
		}
		// Starts need no account: a cap on the live ones bounds what a
		// flood from many networks can make the table hold.
		var live int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM sso_states`)).Scan(&live); err != nil {
			return err
		}
		if live >= max {
			return store.ErrLimit
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO sso_states (state_hash, nonce, verifier, challenge, return_to, expires_at) VALUES (?, ?, ?, ?, ?, ?)`),
			st.Hash, st.Nonce, st.Verifier, st.Challenge, st.ReturnTo, ms(st.ExpiresAt))
		return err
	})
}

func (s *Store) TakeSSOState(ctx context.Context, hash []byte, now time.Time) (store.SSOState, error) {
	var st store.SSOState
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var exp int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT nonce, verifier, challenge, return_to, expires_at FROM sso_states WHERE state_hash = ?`+s.dialect.ForUpdate), hash).
			Scan(&st.Nonce, &st.Verifier, &st.Challenge, &st.ReturnTo, &exp); err != nil {
			return err
		}
		// The DELETE is the claim: a concurrent take of the same state
		// waits for the row and then deletes nothing.
		if err := s.oneRow(tx.ExecContext(ctx, s.q(`DELETE FROM sso_states WHERE state_hash = ?`), hash)); err != nil {
			return err
		}
		st.Hash, st.ExpiresAt = hash, fromMS(exp)
		if !now.Before(st.ExpiresAt) {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return store.SSOState{}, s.wrap(err)
	}
	return st, nil
}

func (s *Store) CreateSSOTicket(ctx context.Context, t store.SSOTicket, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM sso_tickets WHERE expires_at <= ?`), ms(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO sso_tickets (ticket_hash, challenge, issuer, subject, email, name, user_id, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			t.Hash, t.Challenge, t.Issuer, t.Subject, t.Email, t.Name, t.UserID, ms(t.ExpiresAt))
		return err
	})
}

func (s *Store) SSOTicket(ctx context.Context, hash []byte, now time.Time) (store.SSOTicket, error) {
	t := store.SSOTicket{Hash: hash}
	var exp int64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT challenge, issuer, subject, email, name, user_id, expires_at FROM sso_tickets WHERE ticket_hash = ?`), hash).
		Scan(&t.Challenge, &t.Issuer, &t.Subject, &t.Email, &t.Name, &t.UserID, &exp)
	if err != nil {
		return store.SSOTicket{}, s.wrap(err)
	}
	t.ExpiresAt = fromMS(exp)
	if !now.Before(t.ExpiresAt) {
		return store.SSOTicket{}, store.ErrNotFound
	}
	return t, nil
}

func (s *Store) RedeemSSOTicket(ctx context.Context, hash []byte, userID string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var issuer, subject string
		var exp int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT issuer, subject, expires_at FROM sso_tickets WHERE ticket_hash = ?`+s.dialect.ForUpdate), hash).
			Scan(&issuer, &subject, &exp); err != nil {
			return err
		}
		if err := s.oneRow(tx.ExecContext(ctx, s.q(`DELETE FROM sso_tickets WHERE ticket_hash = ?`), hash)); err != nil {
			return err
		}
		if !now.Before(fromMS(exp)) {
			return store.ErrNotFound
		}
		var linked string
		err := tx.QueryRowContext(ctx, s.q(`SELECT user_id FROM sso_links WHERE issuer = ? AND subject = ?`+s.dialect.ForUpdate), issuer, subject).Scan(&linked)
		switch {
		case err == nil && linked == userID:
			return nil
		case err == nil:
			return store.ErrExists // the identity is another account's
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		// A concurrent link of the same identity or account fails on the
		// table's keys (ErrExists).
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO sso_links (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)`), issuer, subject, userID, ms(now))
		return err
	})
}

func (s *Store) SSOLink(ctx context.Context, issuer, subject string) (string, error) {
	var userID string
	err := s.r.QueryRowContext(ctx, s.q(`SELECT user_id FROM sso_links WHERE issuer = ? AND subject = ?`), issuer, subject).Scan(&userID)
	return userID, s.wrap(err)
}
