package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func (s *Store) setMeta(ctx context.Context, table, id string, meta []byte, ev store.Event) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE `+table+` SET meta = ? WHERE id = ?`), meta, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		_, err = s.seqAndEmit(ctx, tx, ev)
		return err
	})
}

func (s *Store) SetOrgMeta(ctx context.Context, orgID string, meta []byte) error {
	return s.setMeta(ctx, "orgs", orgID, meta, store.Event{Kind: store.EventOrgChanged, OrgID: orgID})
}

func (s *Store) SetVaultMeta(ctx context.Context, vaultID string, meta []byte) error {
	var orgID string
	if err := s.r.QueryRowContext(ctx, s.q(`SELECT org_id FROM vaults WHERE id = ? AND kind = 'org'`), vaultID).Scan(&orgID); err != nil {
		return s.wrap(err)
	}
	return s.setMeta(ctx, "vaults", vaultID, meta, store.Event{Kind: store.EventVaultChanged, OrgID: orgID, VaultID: vaultID})
}

func (s *Store) SetGroupMeta(ctx context.Context, groupID string, meta []byte) error {
	var orgID string
	if err := s.r.QueryRowContext(ctx, s.q(`SELECT org_id FROM org_groups WHERE id = ?`), groupID).Scan(&orgID); err != nil {
		return s.wrap(err)
	}
	return s.setMeta(ctx, "org_groups", groupID, meta, store.Event{Kind: store.EventGroupChanged, OrgID: orgID, TargetGroup: groupID})
}

// lockWrites takes the change counter's row lock before a delete reads what
// it will delete: every writer takes it (nextSeq) before committing, so
// no item can move into or out of the doomed vaults between the read and
// the delete (PostgreSQL runs at READ COMMITTED; SQLite serialises writes
// anyway).
func (s *Store) lockWrites(ctx context.Context, tx *sql.Tx) error {
	var v int64
	return tx.QueryRowContext(ctx, s.q(`SELECT value FROM counters WHERE name = 'change_seq'`+s.dialect.ForUpdate)).Scan(&v)
}

// countItems counts the live and trashed items of the vaults a query
// selects.
func (s *Store) countItems(ctx context.Context, tx *sql.Tx, vaults string, args ...any) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM items WHERE vault_id IN (`+vaults+`)`), args...).Scan(&n)
	return n, err
}

// deleteVaultTx purges a vault's items and deletes it with everything
// that hangs off it. Each grantee is told first, with the event a revoke
// sends, while they can still see it.
func (s *Store) deleteVaultTx(ctx context.Context, tx *sql.Tx, vaultID string, at time.Time) error {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT grantee_kind, grantee_id FROM vault_grants WHERE vault_id = ? ORDER BY grantee_kind, grantee_id`), vaultID)
	if err != nil {
		return err
	}
	var events []store.Event
	for rows.Next() {
		var kind, id string
		if err := rows.Scan(&kind, &id); err != nil {
			rows.Close()
			return err
		}
		events = append(events, grantEvent(store.EventVaultRevoked, vaultID, kind, id))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	items, err := s.stringsIn(ctx, tx, `SELECT id FROM items WHERE vault_id = ? ORDER BY id`, vaultID)
	if err != nil {
		return err
	}
	for _, it := range items {
		events = append(events, store.Event{Kind: store.EventItemPurged, VaultID: vaultID, ItemID: it})
	}
	if len(events) > 0 {
		seq, err := s.seqAndEmit(ctx, tx, events...)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := s.purgeItemTx(ctx, tx, it, vaultID, seq, at); err != nil {
				return err
			}
		}
	}
	// Uploads no item links: their announced bytes go back to the
	// uploaders' totals.
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE account_usage SET file_bytes = file_bytes -
			(SELECT COALESCE(SUM(f.size), 0) FROM files f WHERE f.vault_id = ? AND f.creator_id = account_usage.user_id)
		WHERE user_id IN (SELECT creator_id FROM files WHERE vault_id = ?)`), vaultID, vaultID); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM files WHERE vault_id = ?`,
		`DELETE FROM vault_grants WHERE vault_id = ?`,
		`DELETE FROM vault_key_wraps WHERE vault_id = ?`,
		`DELETE FROM vault_manifests WHERE vault_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, s.q(q), vaultID); err != nil {
			return err
		}
	}
	// Items that moved out earlier keep revisions written here, and their
	// history names this vault and its organisation (bound in each
	// revision's signature): the row stays, with no grant, key or item —
	// nobody can open it, and its id cannot be taken again.
	_, err = tx.ExecContext(ctx, s.q(`DELETE FROM vaults WHERE id = ? AND NOT EXISTS (SELECT 1 FROM revisions WHERE vault_id = ?)`), vaultID, vaultID)
	return err
}

func (s *Store) DeleteVault(ctx context.Context, vaultID string, force bool, at time.Time) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockWrites(ctx, tx); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM vaults v WHERE v.id = ? AND v.kind = 'org'
			AND NOT EXISTS (SELECT 1 FROM org_groups g WHERE g.vault_id = v.id)
			AND EXISTS (SELECT 1 FROM vault_grants x WHERE x.vault_id = v.id)`), vaultID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return sql.ErrNoRows
		}
		if !force {
			if items, err := s.countItems(ctx, tx, `?`, vaultID); err != nil || items > 0 {
				return notEmpty(items, err)
			}
		}
		return s.deleteVaultTx(ctx, tx, vaultID, at)
	})
}

func notEmpty(items int, err error) error {
	if err != nil {
		return err
	}
	return &store.NotEmptyError{Items: items}
}

// deleteGroupTx deletes a group with its own vault (a private group's),
// its members, wraps and the grants made to it.
func (s *Store) deleteGroupTx(ctx context.Context, tx *sql.Tx, orgID, groupID string, private bool, vaultID sql.NullString, at time.Time) error {
	// Events are filtered when read, and by then the group and its
	// members are gone: each member (and the manager) is told by name —
	// that they left the group, and lost each vault it could open.
	people, err := s.stringsIn(ctx, tx, `SELECT user_id FROM group_members WHERE group_id = ?
		UNION SELECT manager_id FROM org_groups WHERE id = ? ORDER BY 1`, groupID, groupID)
	if err != nil {
		return err
	}
	granted, err := s.stringsIn(ctx, tx, `SELECT vault_id FROM vault_grants WHERE grantee_kind = 'group' AND grantee_id = ? ORDER BY vault_id`, groupID)
	if err != nil {
		return err
	}
	events := []store.Event{{Kind: store.EventGroupChanged, OrgID: orgID, TargetGroup: groupID, GroupPrivate: private}}
	for _, p := range people {
		events = append(events, store.Event{Kind: store.EventGroupMemberLeft, OrgID: orgID, TargetGroup: groupID, TargetUser: p})
		for _, v := range granted {
			events = append(events, store.Event{Kind: store.EventVaultRevoked, VaultID: v, TargetUser: p})
		}
	}
	if _, err := s.seqAndEmit(ctx, tx, events...); err != nil {
		return err
	}
	if vaultID.Valid && vaultID.String != "" {
		if err := s.deleteVaultTx(ctx, tx, vaultID.String, at); err != nil {
			return err
		}
	}
	for _, q := range []string{
		`DELETE FROM vault_grants WHERE grantee_kind = 'group' AND grantee_id = ?`,
		`DELETE FROM vault_key_wraps WHERE recipient_kind = 'group' AND recipient_id = ?`,
		`DELETE FROM group_key_wraps WHERE group_id = ?`,
		`DELETE FROM group_members WHERE group_id = ?`,
		`DELETE FROM org_groups WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, s.q(q), groupID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) DeleteGroup(ctx context.Context, groupID string, force bool, at time.Time) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockWrites(ctx, tx); err != nil {
			return err
		}
		var orgID string
		var private int
		var vaultID sql.NullString
		if err := tx.QueryRowContext(ctx, s.q(`SELECT org_id, private, vault_id FROM org_groups WHERE id = ?`), groupID).Scan(&orgID, &private, &vaultID); err != nil {
			return err
		}
		if !force && vaultID.Valid {
			if items, err := s.countItems(ctx, tx, `?`, vaultID.String); err != nil || items > 0 {
				return notEmpty(items, err)
			}
		}
		return s.deleteGroupTx(ctx, tx, orgID, groupID, private == 1, vaultID, at)
	})
}

func (s *Store) DeleteOrg(ctx context.Context, orgID string, force bool, at time.Time) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockWrites(ctx, tx); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM orgs WHERE id = ?`), orgID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return sql.ErrNoRows
		}
		if !force {
			if items, err := s.countItems(ctx, tx, `SELECT id FROM vaults WHERE org_id = ? AND kind = 'org'`, orgID); err != nil || items > 0 {
				return notEmpty(items, err)
			}
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id, private, vault_id FROM org_groups WHERE org_id = ? ORDER BY id`), orgID)
		if err != nil {
			return err
		}
		type group struct {
			id      string
			private int
			vault   sql.NullString
		}
		var groups []group
		for rows.Next() {
			var g group
			if err := rows.Scan(&g.id, &g.private, &g.vault); err != nil {
				rows.Close()
				return err
			}
			groups = append(groups, g)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, g := range groups {
			if err := s.deleteGroupTx(ctx, tx, orgID, g.id, g.private == 1, g.vault, at); err != nil {
				return err
			}
		}
		vaults, err := s.stringsIn(ctx, tx, `SELECT id FROM vaults WHERE org_id = ? AND kind = 'org' ORDER BY id`, orgID)
		if err != nil {
			return err
		}
		for _, v := range vaults {
			if err := s.deleteVaultTx(ctx, tx, v, at); err != nil {
				return err
			}
		}
		// Every member, the owner too, is told they left it.
		members, err := s.stringsIn(ctx, tx, `SELECT user_id FROM org_members WHERE org_id = ? ORDER BY user_id`, orgID)
		if err != nil {
			return err
		}
		var events []store.Event
		for _, m := range members {
			events = append(events, store.Event{Kind: store.EventMemberRemoved, TargetUser: m})
		}
		if len(events) > 0 {
			if _, err := s.seqAndEmit(ctx, tx, events...); err != nil {
				return err
			}
		}
		// Approvals of account recovery it gave go too (recovery_requests
		// names the organisation without a foreign key).
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM recovery_requests WHERE grant_org = ?`), orgID); err != nil {
			return err
		}
		// Its audit log goes with it, the entry of this delete included:
		// only the owner reads a log, through the organisation
		// (docs/protocol.md §18.7).
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM audit_log WHERE org_id = ?`), orgID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM orgs WHERE id = ?`), orgID)
		return err
	})
}
