package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// liveAccount locks a live (not deleted) account's row for update inside
// tx; sql.ErrNoRows if there is none.
func (s *Store) liveAccount(ctx context.Context, tx *sql.Tx, userID string) error {
	var deleted int64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT deleted_at FROM accounts WHERE id = ?`+s.dialect.ForUpdate), userID).Scan(&deleted); err != nil {
		return err
	}
	if deleted != 0 {
		return sql.ErrNoRows
	}
	return nil
}

func (s *Store) GrantAdmin(ctx context.Context, userID string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.liveAccount(ctx, tx, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO instance_admins (user_id, granted_at) VALUES (?, ?) ON CONFLICT DO NOTHING`), userID, ms(at))
		return err
	})
}

func (s *Store) RevokeAdmin(ctx context.Context, userID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM instance_admins WHERE user_id = ?`), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		return nil
	})
}

func (s *Store) IsGrantedAdmin(ctx context.Context, userID string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM instance_admins WHERE user_id = ?`), userID).Scan(&n)
	return n > 0, s.wrap(err)
}

// likePattern escapes text for a LIKE … ESCAPE '\' that finds it anywhere.
func likePattern(text string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(text)) + "%"
}

func (s *Store) SearchAccounts(ctx context.Context, text string, limit int) ([]store.AccountSummary, error) {
	p := likePattern(text)
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT a.id, a.email, a.name, a.created_at, a.disabled_at,
			(SELECT COUNT(*) FROM instance_admins g WHERE g.user_id = a.id),
			(SELECT COUNT(*) FROM org_members m WHERE m.user_id = a.id)
		FROM accounts a
		WHERE a.deleted_at = 0 AND (LOWER(a.email) LIKE ? ESCAPE '\' OR LOWER(a.name) LIKE ? ESCAPE '\')
		ORDER BY a.email LIMIT ?`), p, p, limit)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.AccountSummary
	for rows.Next() {
		var a store.AccountSummary
		var created, disabled int64
		var granted int
		if err := rows.Scan(&a.ID, &a.Email, &a.Name, &created, &disabled, &granted, &a.Orgs); err != nil {
			return nil, s.wrap(err)
		}
		a.CreatedAt, a.DisabledAt, a.Granted = fromMS(created), fromMS(disabled), granted > 0
		out = append(out, a)
	}
	return out, s.wrap(rows.Err())
}

func (s *Store) AccountBindings(ctx context.Context, userID string) (store.Bindings, error) {
	var b store.Bindings
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT m.org_id, m.role, o.owner_id,
				CASE WHEN a.deleted_at = 0 THEN a.email ELSE a.former_email END,
				(SELECT COUNT(*) FROM org_members x WHERE x.org_id = m.org_id)
			FROM org_members m JOIN orgs o ON o.id = m.org_id JOIN accounts a ON a.id = o.owner_id
			WHERE m.user_id = ? ORDER BY m.org_id`), userID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var o store.OrgBinding
			if err := rows.Scan(&o.OrgID, &o.Role, &o.OwnerID, &o.OwnerEmail, &o.Members); err != nil {
				rows.Close()
				return err
			}
			b.Orgs = append(b.Orgs, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT g.id, g.org_id, g.private,
				(SELECT COUNT(*) FROM group_members x WHERE x.group_id = g.id),
				(SELECT COUNT(*) FROM group_members x WHERE x.group_id = g.id AND x.user_id = ?),
				g.manager_id
			FROM org_groups g
			WHERE g.manager_id = ? OR g.id IN (SELECT group_id FROM group_members WHERE user_id = ?)
			ORDER BY g.org_id, g.id`), userID, userID, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var g store.GroupBinding
			var private, member int
			var manager string
			if err := rows.Scan(&g.GroupID, &g.OrgID, &private, &g.Members, &member, &manager); err != nil {
				return err
			}
			g.Private, g.Member, g.Manager = private == 1, member > 0, manager == userID
			b.Groups = append(b.Groups, g)
		}
		return rows.Err()
	})
	return b, err
}

func (s *Store) SetDisabled(ctx context.Context, userID string, disabled bool, at time.Time) (int, error) {
	revoked := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.liveAccount(ctx, tx, userID); err != nil {
			return err
		}
		if !disabled {
			_, err := tx.ExecContext(ctx, s.q(`UPDATE accounts SET disabled_at = 0 WHERE id = ?`), userID)
			return err
		}
		// A login that read the account before this holds its row shared
		// (CreateSession) until its session is stored; this update waits
		// for it, and the revocation below then finds that session too.
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE accounts SET disabled_at = ? WHERE id = ? AND disabled_at = 0`), ms(at), userID); err != nil {
			return err
		}
		var err error
		revoked, err = s.revokeAllSessions(ctx, tx, userID, at)
		return err
	})
	return revoked, err
}

// revokeAllSessions revokes every unrevoked session of the account and
// wakes its live streams, which then find their session revoked and close.
func (s *Store) revokeAllSessions(ctx context.Context, tx *sql.Tx, userID string, at time.Time) (int, error) {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0`), ms(at), userID)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if n > 0 {
		if _, err := s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventSessionRevoked, TargetUser: userID}); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}

func (s *Store) Depart(ctx context.Context, orgID, userID, how string, at time.Time) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error { return s.depart(ctx, tx, orgID, userID, how, at) })
}

// depart is detachMember plus the roster-pending mark.
func (s *Store) depart(ctx context.Context, tx *sql.Tx, orgID, userID, how string, at time.Time) error {
	if err := s.detachMember(ctx, tx, orgID, userID, how, at); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO org_departures (org_id, user_id, how, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, user_id) DO UPDATE SET how = excluded.how, at = excluded.at`), orgID, userID, how, ms(at))
	return err
}

func (s *Store) Departures(ctx context.Context, orgID string) ([]store.Departure, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT org_id, user_id, how, at FROM org_departures WHERE org_id = ? ORDER BY at, user_id`), orgID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.Departure
	for rows.Next() {
		var d store.Departure
		var at int64
		if err := rows.Scan(&d.OrgID, &d.UserID, &d.How, &at); err != nil {
			return nil, s.wrap(err)
		}
		d.At = fromMS(at)
		out = append(out, d)
	}
	return out, s.wrap(rows.Err())
}

func (s *Store) CompleteDeparture(ctx context.Context, o store.Org, userID string, resigned map[string][]byte) ([]string, error) {
	var left []string
	err := s.takingTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM org_departures WHERE org_id = ? AND user_id = ?`), o.ID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		if err := s.setRoster(ctx, tx, o); err != nil {
			return err
		}
		left, err = s.resignGroups(ctx, tx, o, userID, resigned)
		return err
	})
	return left, err
}

func (s *Store) DeleteAccount(ctx context.Context, userID string, at time.Time) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		if err := s.liveAccount(ctx, tx, userID); err != nil {
			return err
		}
		var owned int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM orgs WHERE owner_id = ?`), userID).Scan(&owned); err != nil {
			return err
		}
		if owned > 0 {
			return store.ErrOwnsOrgs
		}
		orgs, err := s.stringsIn(ctx, tx, `SELECT org_id FROM org_members WHERE user_id = ? ORDER BY org_id`, userID)
		if err != nil {
			return err
		}
		// Each departure is in its organisation's audit log, in this
		// transaction (store.AuditEachOrg; §18.7).
		entry, audited := store.EachOrgAudit(ctx)
		for _, orgID := range orgs {
			if audited {
				e := entry
				e.OrgID = orgID
				if err := s.appendAuditEntry(ctx, tx, e); err != nil {
					return err
				}
			}
			if err := s.depart(ctx, tx, orgID, userID, store.DepartDeleted, at); err != nil {
				return err
			}
		}
		personal, err := s.stringsIn(ctx, tx, `SELECT id FROM vaults WHERE kind = 'personal' AND owner_id = ? ORDER BY id`, userID)
		if err != nil {
			return err
		}
		for _, v := range personal {
			if err := s.deleteVaultTx(ctx, tx, v, at); err != nil {
				return err
			}
		}
		if _, err := s.revokeAllSessions(ctx, tx, userID, at); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM sessions WHERE user_id = ?`,
			`DELETE FROM keyrings WHERE user_id = ?`,
			`DELETE FROM recovery_requests WHERE user_id = ?`,
			`DELETE FROM account_notices WHERE user_id = ?`,
			`DELETE FROM email_verifications WHERE id = ?`,
			`DELETE FROM instance_admins WHERE user_id = ?`,
			`DELETE FROM two_factor_recovery_codes WHERE user_id = ?`,
			`DELETE FROM two_factor WHERE user_id = ?`,
			`DELETE FROM known_devices WHERE user_id = ?`,
			// A deleted account's provider identity is free again: the
			// person may sign up afresh with single sign-on.
			`DELETE FROM sso_links WHERE user_id = ?`,
			`DELETE FROM sso_tickets WHERE user_id = ?`,
			`DELETE FROM webauthn_credentials WHERE user_id = ?`,
			`DELETE FROM webauthn_challenges WHERE user_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), userID); err != nil {
				return err
			}
		}
		// The tombstone: id and public keys stay (former members' keys in
		// the rosters that list them); the address is freed, kept only as
		// the address those rosters sign; nothing opens the account again.
		_, err = tx.ExecContext(ctx, s.q(`UPDATE accounts SET former_email = email, email = ?, name = '', deleted_at = ?,
			auth_hash = ?, auth_salt = ?, wrapped_account_key = ?, private_keys = ?, kdf_salt = ? WHERE id = ?`),
			"deleted:"+userID, ms(at), []byte{}, []byte{}, []byte{}, []byte{}, []byte{}, userID)
		return err
	})
}
