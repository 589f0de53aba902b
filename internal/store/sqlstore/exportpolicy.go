package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// Export policy (issue 26): a row in account_export_policy or
// group_export_policy restricts exports to My Vault.

func (s *Store) SetAccountExportPolicy(ctx context.Context, userID string, myVaultOnly bool, setBy string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Under the change counter's lock, as every export's record is
		// (it carries an audit entry): a record decided before this
		// commits, or sees it.
		if err := s.lockSeq(ctx, tx); err != nil {
			return err
		}
		if err := s.liveAccount(ctx, tx, userID); err != nil {
			return err
		}
		return s.setPolicy(ctx, tx, "account_export_policy", "user_id", userID, myVaultOnly, setBy, at)
	})
}

func (s *Store) SetGroupExportPolicy(ctx context.Context, groupID string, myVaultOnly bool, setBy string, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var orgID string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT org_id FROM org_groups WHERE id = ?`+s.dialect.ForUpdate), groupID).Scan(&orgID); err != nil {
			return err
		}
		if err := s.setPolicy(ctx, tx, "group_export_policy", "group_id", groupID, myVaultOnly, setBy, at); err != nil {
			return err
		}
		_, err := s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventGroupChanged, OrgID: orgID, TargetGroup: groupID})
		return err
	})
}

func (s *Store) setPolicy(ctx context.Context, tx *sql.Tx, table, column, id string, on bool, setBy string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+table+` WHERE `+column+` = ?`), id); err != nil {
		return err
	}
	if !on {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO `+table+` (`+column+`, set_by, created_at) VALUES (?, ?, ?)`), id, setBy, ms(at))
	return err
}

func (s *Store) ExportPolicy(ctx context.Context, userID string) (store.ExportPolicy, error) {
	var p store.ExportPolicy
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM account_export_policy WHERE user_id = ?`), userID).Scan(&n); err != nil {
			return err
		}
		p.MyVaultOnly = n > 0
		var err error
		p.RestrictedOrgs, err = s.stringsIn(ctx, tx, `SELECT DISTINCT g.org_id FROM org_groups g
			JOIN group_export_policy p ON p.group_id = g.id
			JOIN group_members m ON m.group_id = g.id
			WHERE m.user_id = ? ORDER BY g.org_id`, userID)
		return err
	})
	return p, s.wrap(err)
}

func (s *Store) RecordExport(ctx context.Context, orgID, userID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Serialised with every policy change (they take the same lock),
		// whether or not an audit entry rides along with this record.
		if err := s.lockSeq(ctx, tx); err != nil {
			return err
		}
		var n int
		err := tx.QueryRowContext(ctx, s.q(`SELECT (SELECT COUNT(*) FROM account_export_policy WHERE user_id = ?) +
			(SELECT COUNT(*) FROM group_export_policy p JOIN org_groups g ON g.id = p.group_id
			 JOIN group_members m ON m.group_id = g.id WHERE g.org_id = ? AND m.user_id = ?)`), userID, orgID, userID).Scan(&n)
		if err != nil {
			return err
		}
		if n > 0 {
			return store.ErrExportRestricted
		}
		return nil
	})
}
