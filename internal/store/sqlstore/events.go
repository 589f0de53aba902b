package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// emit records events of the write in tx that took sequence number seq.
// An event with a vault but no organisation gets the vault's organisation.
// On PostgreSQL it also queues a NOTIFY, delivered to every instance when
// the transaction commits.
func (s *Store) emit(ctx context.Context, tx *sql.Tx, seq int64, events ...store.Event) error {
	now := ms(time.Now())
	for i, e := range events {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO events (seq, idx, kind, org_id, vault_id, item_id, target_user, target_group, created_at)
			VALUES (?, ?, ?, CASE WHEN ? = '' THEN COALESCE((SELECT org_id FROM vaults WHERE id = ?), '') ELSE ? END, ?, ?, ?, ?, ?)`),
			seq, i, e.Kind, e.OrgID, e.VaultID, e.OrgID, e.VaultID, e.ItemID, e.TargetUser, e.TargetGroup, now); err != nil {
			return err
		}
	}
	if s.dialect.NotifySQL != "" && len(events) > 0 {
		if _, err := tx.ExecContext(ctx, s.dialect.NotifySQL); err != nil {
			return err
		}
	}
	return nil
}

// seqAndEmit takes the next sequence number and records events with it.
func (s *Store) seqAndEmit(ctx context.Context, tx *sql.Tx, events ...store.Event) (int64, error) {
	seq, err := s.nextSeq(ctx, tx)
	if err != nil {
		return 0, err
	}
	return seq, s.emit(ctx, tx, seq, events...)
}

func (s *Store) EventsSince(ctx context.Context, userID string, since int64, limit int) ([]store.Event, int64, error) {
	var out []store.Event
	var latest int64
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(`SELECT value FROM counters WHERE name = 'change_seq'`)).Scan(&latest); err != nil {
			return err
		}
		// Visible: events of vaults the user can read (the one grants
		// rule), events addressed to the user or to a group they are in,
		// and organisation events (no vault) of organisations they belong to.
		rows, err := tx.QueryContext(ctx, s.q(`SELECT seq, kind, org_id, vault_id, item_id, target_user, target_group, created_at FROM events e
			WHERE e.seq > ? AND e.seq <= ? AND (
				(e.vault_id <> '' AND e.vault_id IN (SELECT vault_id FROM (`+userGrants+`) g))
				OR e.target_user = ?
				OR (e.target_group <> '' AND e.target_group IN (SELECT group_id FROM group_members WHERE user_id = ?))
				OR (e.vault_id = '' AND e.org_id <> '' AND e.org_id IN (SELECT org_id FROM org_members WHERE user_id = ?)))
			ORDER BY e.seq, e.idx LIMIT ?`), since, latest, userID, userID, userID, userID, userID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e store.Event
			var created int64
			if err := rows.Scan(&e.Seq, &e.Kind, &e.OrgID, &e.VaultID, &e.ItemID, &e.TargetUser, &e.TargetGroup, &created); err != nil {
				return err
			}
			e.CreatedAt = fromMS(created)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, latest, err
}
