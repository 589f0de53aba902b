package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

const orgRecoveryColumns = `org_id, version, enabled, sign_pub, kem_pub, keys_sig, sealed_private, updated_at`

func scanOrgRecovery(row interface{ Scan(...any) error }) (store.OrgRecovery, error) {
	var r store.OrgRecovery
	var enabled int
	var updated int64
	err := row.Scan(&r.OrgID, &r.Version, &enabled, &r.SignPub, &r.KEMPub, &r.KeysSig, &r.SealedPrivate, &updated)
	r.Enabled, r.UpdatedAt = enabled == 1, fromMS(updated)
	return r, err
}

func (s *Store) EnableRecovery(ctx context.Context, r store.OrgRecovery) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var version uint64
		var enabled int
		err := tx.QueryRowContext(ctx, s.q(`SELECT version, enabled FROM org_recovery WHERE org_id = ?`), r.OrgID).Scan(&version, &enabled)
		switch {
		case err == sql.ErrNoRows:
			if r.Version != 1 {
				return store.ErrExists
			}
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO org_recovery (`+orgRecoveryColumns+`) VALUES (?, ?, 1, ?, ?, ?, ?, ?)`),
				r.OrgID, r.Version, r.SignPub, r.KEMPub, r.KeysSig, r.SealedPrivate, ms(r.UpdatedAt))
			return err
		case err != nil:
			return err
		case enabled == 1 || r.Version != version+1:
			return store.ErrExists
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE org_recovery SET version = ?, enabled = 1, sign_pub = ?, kem_pub = ?, keys_sig = ?,
			sealed_private = ?, updated_at = ? WHERE org_id = ? AND version = ? AND enabled = 0`),
			r.Version, r.SignPub, r.KEMPub, r.KeysSig, r.SealedPrivate, ms(r.UpdatedAt), r.OrgID, version)
		return err
	})
}

func (s *Store) DisableRecovery(ctx context.Context, orgID string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE org_recovery SET enabled = 0, sign_pub = NULL, kem_pub = NULL, keys_sig = NULL,
			sealed_private = NULL, updated_at = ? WHERE org_id = ? AND enabled = 1`), ms(at), orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		// Approvals given and not yet used go too (protocol §17.2).
		for _, q := range []string{`DELETE FROM recovery_enrolments WHERE org_id = ?`, `DELETE FROM recovery_requests WHERE grant_org = ?`} {
			if _, err := tx.ExecContext(ctx, s.q(q), orgID); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) OrgRecovery(ctx context.Context, orgID string) (store.OrgRecovery, error) {
	r, err := scanOrgRecovery(s.r.QueryRowContext(ctx, s.q(`SELECT `+orgRecoveryColumns+` FROM org_recovery WHERE org_id = ?`), orgID))
	return r, s.wrap(err)
}

const enrolmentColumns = `org_id, user_id, version, wrap, sig, created_at`

func scanEnrolment(row interface{ Scan(...any) error }) (store.RecoveryEnrolment, error) {
	var e store.RecoveryEnrolment
	var created int64
	err := row.Scan(&e.OrgID, &e.UserID, &e.Version, &e.Wrap, &e.Sig, &created)
	e.CreatedAt = fromMS(created)
	return e, err
}

func (s *Store) RecoveryForMember(ctx context.Context, userID string) ([]store.MemberRecovery, []store.RecoveryRequest, error) {
	var out []store.MemberRecovery
	var reqs []store.RecoveryRequest
	q := s.r
	err := func() error {
		rows, err := q.QueryContext(ctx, s.q(`SELECT r.org_id, r.version, r.enabled, r.sign_pub, r.kem_pub, r.keys_sig, r.sealed_private, r.updated_at, o.owner_id
			FROM org_recovery r JOIN orgs o ON o.id = r.org_id JOIN org_members m ON m.org_id = r.org_id
			WHERE m.user_id = ? AND m.role = 'member' AND r.enabled = 1 ORDER BY r.org_id`), userID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m store.MemberRecovery
			var enabled int
			var updated int64
			if err := rows.Scan(&m.OrgID, &m.Version, &enabled, &m.SignPub, &m.KEMPub, &m.KeysSig, &m.SealedPrivate, &updated, &m.OwnerID); err != nil {
				rows.Close()
				return err
			}
			m.Enabled, m.UpdatedAt, m.SealedPrivate = true, fromMS(updated), nil // the owner's sealed key is the owner's business
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			e, err := scanEnrolment(q.QueryRowContext(ctx, s.q(`SELECT `+enrolmentColumns+` FROM recovery_enrolments
				WHERE org_id = ? AND user_id = ? AND version = ?`), out[i].OrgID, userID, out[i].Version))
			if err == nil {
				out[i].Enrolment = &e
			} else if err != sql.ErrNoRows {
				return err
			}
		}
		reqs, err = s.requestsWhere(ctx, q, `user_id = ? ORDER BY created_at DESC, id`, userID)
		return err
	}()
	return out, reqs, s.wrap(err)
}

func (s *Store) Enrol(ctx context.Context, e store.RecoveryEnrolment) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// The membership row stays locked until commit, so a removal
		// running at the same time either comes first (and this fails) or
		// waits and then deletes this enrolment with the membership.
		var member string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT user_id FROM org_members WHERE org_id = ? AND user_id = ? AND role = 'member'`+s.dialect.ForUpdate),
			e.OrgID, e.UserID).Scan(&member); err != nil {
			return err
		}
		var ok int
		err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM org_recovery WHERE org_id = ? AND enabled = 1 AND version = ?`), e.OrgID, e.Version).Scan(&ok)
		if err != nil {
			return err
		}
		if ok == 0 {
			return sql.ErrNoRows
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM recovery_enrolments WHERE org_id = ? AND user_id = ?`), e.OrgID, e.UserID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO recovery_enrolments (`+enrolmentColumns+`) VALUES (?, ?, ?, ?, ?, ?)`),
			e.OrgID, e.UserID, e.Version, e.Wrap, e.Sig, ms(e.CreatedAt))
		return err
	})
}

func (s *Store) Unenrol(ctx context.Context, orgID, userID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM recovery_enrolments WHERE org_id = ? AND user_id = ?`), orgID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		// An approval this organisation gave and the member did not use
		// goes with the enrolment.
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM recovery_requests WHERE user_id = ? AND grant_org = ?`), userID, orgID)
		return err
	})
}

func (s *Store) CancelRecoveryRequests(ctx context.Context, userID string) (int, error) {
	res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM recovery_requests WHERE user_id = ?`), userID)
	if err != nil {
		return 0, s.wrap(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func (s *Store) Enrolments(ctx context.Context, orgID string) ([]store.RecoveryEnrolment, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT e.org_id, e.user_id, e.version, e.wrap, e.sig, e.created_at
		FROM recovery_enrolments e JOIN org_recovery r ON r.org_id = e.org_id AND r.version = e.version AND r.enabled = 1
		WHERE e.org_id = ? ORDER BY e.user_id`), orgID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.RecoveryEnrolment
	for rows.Next() {
		e, err := scanEnrolment(rows)
		if err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, e)
	}
	return out, s.wrap(rows.Err())
}

const requestColumns = `id, user_id, sign_pub, kem_pub, created_at, expires_at, grant_org, grant_version, grant_wrap, grant_sig, granted_by, granted_at`

func scanRequest(row interface{ Scan(...any) error }) (store.RecoveryRequest, error) {
	var q store.RecoveryRequest
	var created, expires, granted int64
	err := row.Scan(&q.ID, &q.UserID, &q.SignPub, &q.KEMPub, &created, &expires, &q.GrantOrg, &q.GrantVersion, &q.GrantWrap, &q.GrantSig, &q.GrantedBy, &granted)
	q.CreatedAt, q.ExpiresAt, q.GrantedAt = fromMS(created), fromMS(expires), fromMS(granted)
	return q, err
}

func (s *Store) requestsWhere(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where string, args ...any) ([]store.RecoveryRequest, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT `+requestColumns+` FROM recovery_requests WHERE `+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.RecoveryRequest
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Store) CreateRecoveryRequest(ctx context.Context, r store.RecoveryRequest, keep int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// The account row stays locked until commit, so concurrent requests
		// for one account are counted one after another (PostgreSQL; SQLite
		// has one writer anyway).
		var user string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM accounts WHERE id = ?`+s.dialect.ForUpdate), r.UserID).Scan(&user); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM recovery_requests WHERE user_id = ? AND expires_at <= ?`), r.UserID, ms(r.CreatedAt)); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM recovery_requests WHERE user_id = ? AND grant_org = ''`), r.UserID).Scan(&open); err != nil {
			return err
		}
		if open >= keep {
			return store.ErrLimit
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO recovery_requests (`+requestColumns+`) VALUES (?, ?, ?, ?, ?, ?, '', 0, NULL, NULL, '', 0)`),
			r.ID, r.UserID, r.SignPub, r.KEMPub, ms(r.CreatedAt), ms(r.ExpiresAt))
		return err
	})
}

func (s *Store) DiscardRecoveryRequest(ctx context.Context, orgID, id string) error {
	res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM recovery_requests WHERE id = ? AND grant_org = '' AND user_id IN (
		SELECT e.user_id FROM recovery_enrolments e JOIN org_recovery r ON r.org_id = e.org_id AND r.version = e.version AND r.enabled = 1
		WHERE e.org_id = ?)`), id, orgID)
	if err != nil {
		return s.wrap(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (s *Store) RecoveryRequest(ctx context.Context, id string) (store.RecoveryRequest, error) {
	r, err := scanRequest(s.r.QueryRowContext(ctx, s.q(`SELECT `+requestColumns+` FROM recovery_requests WHERE id = ?`), id))
	return r, s.wrap(err)
}

func (s *Store) OpenRecoveryRequests(ctx context.Context, orgID string, now time.Time) ([]store.RecoveryRequest, error) {
	out, err := s.requestsWhere(ctx, s.r, `grant_org = '' AND expires_at > ? AND user_id IN (
		SELECT e.user_id FROM recovery_enrolments e JOIN org_recovery r ON r.org_id = e.org_id AND r.version = e.version AND r.enabled = 1
		WHERE e.org_id = ?) ORDER BY created_at, id`, ms(now), orgID)
	return out, s.wrap(err)
}

func (s *Store) GrantRecovery(ctx context.Context, g store.RecoveryRequest, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE recovery_requests SET grant_org = ?, grant_version = ?, grant_wrap = ?, grant_sig = ?, granted_by = ?, granted_at = ?
			WHERE id = ? AND grant_org = '' AND expires_at > ? AND user_id IN (
				SELECT e.user_id FROM recovery_enrolments e JOIN org_recovery r ON r.org_id = e.org_id AND r.version = e.version AND r.enabled = 1
				JOIN org_members m ON m.org_id = e.org_id AND m.user_id = e.user_id AND m.role = 'member'
				WHERE e.org_id = ? AND e.version = ?)`),
			g.GrantOrg, g.GrantVersion, g.GrantWrap, g.GrantSig, g.GrantedBy, ms(g.GrantedAt), g.ID, ms(now), g.GrantOrg, g.GrantVersion)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		return nil
	})
}

func (s *Store) CompleteRecovery(ctx context.Context, id, userID string, prevAuthHash []byte, c store.PasswordChange, notice store.AccountNotice, now time.Time) (int, error) {
	revoked := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// The approval counts only while the member is still enrolled at
		// the version it was given for and recovery is on.
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM recovery_requests WHERE id = ? AND user_id = ? AND grant_org <> '' AND expires_at > ?
			AND EXISTS (SELECT 1 FROM recovery_enrolments e JOIN org_recovery r ON r.org_id = e.org_id AND r.version = e.version AND r.enabled = 1
				JOIN org_members m ON m.org_id = e.org_id AND m.user_id = e.user_id AND m.role = 'member'
				WHERE e.org_id = recovery_requests.grant_org AND e.user_id = recovery_requests.user_id AND e.version = recovery_requests.grant_version)`),
			id, userID, ms(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM recovery_requests WHERE user_id = ?`), userID); err != nil {
			return err
		}
		if revoked, err = s.setPassword(ctx, tx, userID, prevAuthHash, c, true, "", now); err != nil {
			return err
		}
		// The trace the account's user is shown (protocol §17.3): written
		// with the new password or not at all.
		notice.UserID = userID
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO account_notices (`+noticeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`),
			notice.ID, notice.UserID, notice.Kind, notice.OrgID, notice.ActorID, notice.ActorEmail, ms(notice.ApprovedAt), notice.ClientAddr, ms(notice.CreatedAt))
		return err
	})
	if err != nil {
		return 0, err
	}
	return revoked, nil
}

const noticeColumns = `id, user_id, kind, org_id, actor_id, actor_email, approved_at, client_addr, created_at, seen_at`

func (s *Store) AccountNotices(ctx context.Context, userID string, limit int) ([]store.AccountNotice, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+noticeColumns+` FROM account_notices WHERE user_id = ?
		ORDER BY created_at DESC, id LIMIT ?`), userID, limit)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.AccountNotice
	for rows.Next() {
		var n store.AccountNotice
		var approved, created, seen int64
		if err := rows.Scan(&n.ID, &n.UserID, &n.Kind, &n.OrgID, &n.ActorID, &n.ActorEmail, &approved, &n.ClientAddr, &created, &seen); err != nil {
			return nil, s.wrap(err)
		}
		n.ApprovedAt, n.CreatedAt, n.SeenAt = fromMS(approved), fromMS(created), fromMS(seen)
		out = append(out, n)
	}
	return out, s.wrap(rows.Err())
}

func (s *Store) MarkNoticeSeen(ctx context.Context, userID, id string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE account_notices SET seen_at = ? WHERE id = ? AND user_id = ? AND seen_at = 0`), ms(at), id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		var one int
		// Seen before: that stays as it was; not the user's: not found.
		return tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM account_notices WHERE id = ? AND user_id = ?`), id, userID).Scan(&one)
	})
}
