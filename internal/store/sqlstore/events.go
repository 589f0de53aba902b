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

// eventColumns reads an event with whether its target group is private; a
// group the store does not know counts as private.
const eventColumns = `e.seq, e.kind, e.org_id, e.vault_id, e.item_id, e.target_user, e.target_group,
	CASE WHEN e.target_group = '' THEN 0 ELSE COALESCE(eg.private, 1) END, e.created_at
	FROM events e LEFT JOIN org_groups eg ON eg.id = e.target_group`

func scanEvents(rows *sql.Rows) ([]store.Event, error) {
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		var private int
		var created int64
		if err := rows.Scan(&e.Seq, &e.Kind, &e.OrgID, &e.VaultID, &e.ItemID, &e.TargetUser, &e.TargetGroup, &private, &created); err != nil {
			return nil, err
		}
		e.GroupPrivate, e.CreatedAt = private != 0, fromMS(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *Store) latestSeq(ctx context.Context, tx *sql.Tx) (int64, error) {
	var latest int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT value FROM counters WHERE name = 'change_seq'`)).Scan(&latest)
	return latest, err
}

func (s *Store) Viewer(ctx context.Context, userID string) (*store.Viewer, error) {
	var v *store.Viewer
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		v, err = s.viewer(ctx, tx, userID)
		return err
	})
	return v, err
}

// viewer loads userID's memberships and access: organisations, groups,
// managed groups, and readable vaults by the one grants rule (userGrants).
func (s *Store) viewer(ctx context.Context, tx *sql.Tx, userID string) (*store.Viewer, error) {
	v := &store.Viewer{UserID: userID, Orgs: map[string]store.Membership{}, Groups: map[string]int64{},
		Manages: map[string]bool{}, Vaults: map[string]int64{}}
	each := func(query string, scan func(id string, n int64, flag string), args ...any) error {
		rows, err := tx.QueryContext(ctx, s.q(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, flag string
			var n int64
			if err := rows.Scan(&id, &n, &flag); err != nil {
				return err
			}
			scan(id, n, flag)
		}
		return rows.Err()
	}
	if err := each(`SELECT org_id, seq, role FROM org_members WHERE user_id = ?`, func(id string, n int64, role string) {
		v.Orgs[id] = store.Membership{Since: n, Owner: role == store.RoleOwner}
	}, userID); err != nil {
		return nil, err
	}
	if err := each(`SELECT group_id, seq, '' FROM group_members WHERE user_id = ?`, func(id string, n int64, _ string) {
		v.Groups[id] = n
	}, userID); err != nil {
		return nil, err
	}
	if err := each(`SELECT id, 0, '' FROM org_groups WHERE manager_id = ?`, func(id string, _ int64, _ string) {
		v.Manages[id] = true
	}, userID); err != nil {
		return nil, err
	}
	// A vault reached by several grants is readable since the earliest.
	if err := each(`SELECT g.vault_id, MIN(g.seq), '' FROM (`+userGrants+`) g GROUP BY g.vault_id`, func(id string, n int64, _ string) {
		v.Vaults[id] = n
	}, grantArgs(userID)...); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Store) EventsSince(ctx context.Context, userID string, since int64, limit int) ([]store.Event, int64, bool, error) {
	var out []store.Event
	var latest int64
	var more bool
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		if latest, err = s.latestSeq(ctx, tx); err != nil {
			return err
		}
		v, err := s.viewer(ctx, tx, userID)
		if err != nil {
			return err
		}
		// Candidates: a superset of what the viewer sees, narrowed by the
		// indexes; Viewer.Sees then decides (the one rule). The limit is
		// on candidates, so more is never missed.
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+eventColumns+`
			WHERE e.seq > ? AND e.seq <= ? AND (
				e.target_user = ?
				OR (e.vault_id <> '' AND e.vault_id IN (SELECT vault_id FROM (`+userGrants+`) g))
				OR (e.target_group <> '' AND e.target_group IN (SELECT group_id FROM group_members WHERE user_id = ?))
				OR (e.vault_id = '' AND e.org_id <> '' AND e.org_id IN (SELECT org_id FROM org_members m WHERE m.user_id = ? AND m.seq <= e.seq)))
			ORDER BY e.seq, e.idx LIMIT ?`), since, latest, userID, userID, userID, userID, userID, limit)
		if err != nil {
			return err
		}
		cands, err := scanEvents(rows)
		if err != nil {
			return err
		}
		more = len(cands) >= limit
		for _, e := range cands {
			if v.Sees(e) {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, latest, more, err
}

func (s *Store) EventsAfter(ctx context.Context, since, span int64) ([]store.Event, int64, error) {
	var out []store.Event
	var latest int64
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		if latest, err = s.latestSeq(ctx, tx); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+eventColumns+` WHERE e.seq > ? AND e.seq <= ? ORDER BY e.seq, e.idx`),
			since, min(latest, since+span))
		if err != nil {
			return err
		}
		out, err = scanEvents(rows)
		return err
	})
	return out, latest, err
}

// pruneChunk bounds one pruning transaction: a first prune of a large log
// must not hold the writer for long.
const pruneChunk = 10000

func (s *Store) PruneEvents(ctx context.Context, before int64) (int64, error) {
	var total int64
	for {
		var oldest sql.NullInt64
		if err := s.w.QueryRowContext(ctx, s.q(`SELECT MIN(seq) FROM events`)).Scan(&oldest); err != nil {
			return total, s.wrap(err)
		}
		if !oldest.Valid || oldest.Int64 >= before {
			return total, nil
		}
		upto := min(before, oldest.Int64+pruneChunk)
		res, err := s.w.ExecContext(ctx, s.q(`DELETE FROM events WHERE seq < ?`), upto)
		if err != nil {
			return total, s.wrap(err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
}
