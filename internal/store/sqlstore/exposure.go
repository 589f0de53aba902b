package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/store"
)

// The exposure report (docs/protocol.md §18.6): every transaction that
// ends someone's access records, before the rows that say what that
// access was are deleted, the items of every vault they could open.

// openableVaults lists the organisation vaults whose key userID can open
// inside tx: a key wrap to them, or to a group they are a member of or
// hold a key of (an organisation group's manager) — every epoch counts.
func (s *Store) openableVaults(ctx context.Context, tx *sql.Tx, orgID, userID string) ([]string, error) {
	return s.stringsIn(ctx, tx, `SELECT v.id FROM vaults v WHERE v.org_id = ? AND v.kind = 'org' AND v.id IN (
			SELECT w.vault_id FROM vault_key_wraps w WHERE w.recipient_kind = 'user' AND w.recipient_id = ?
			UNION SELECT w.vault_id FROM vault_key_wraps w JOIN group_members m ON w.recipient_kind = 'group' AND w.recipient_id = m.group_id
				WHERE m.user_id = ?
			UNION SELECT w.vault_id FROM vault_key_wraps w JOIN group_key_wraps k ON w.recipient_kind = 'group' AND w.recipient_id = k.group_id
				WHERE k.member_id = ?)
		ORDER BY v.id`, orgID, userID, userID, userID)
}

// recordExposure stores an exposure record of userID in orgID: the vaults
// given and every item in them now, inside tx (before the access goes).
func (s *Store) recordExposure(ctx context.Context, tx *sql.Tx, orgID, userID, how string, at time.Time, vaults []string) error {
	seq, err := s.nextSeq(ctx, tx)
	if err != nil {
		return err
	}
	id := uuid.NewString()
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO exposures (id, org_id, user_id, how, at, seq) VALUES (?, ?, ?, ?, ?, ?)`),
		id, orgID, userID, how, ms(at), seq); err != nil {
		return err
	}
	for _, v := range vaults {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO exposure_vaults (exposure_id, vault_id) VALUES (?, ?)`), id, v); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO exposure_items (exposure_id, item_id, vault_id, revision, time_ms, updated_at, trashed_at)
		SELECT ?, i.id, i.vault_id, i.head, r.time, i.updated_at, i.trashed_at
		FROM items i JOIN revisions r ON r.item_id = i.id AND r.revision = i.head
		WHERE i.vault_id IN (SELECT vault_id FROM exposure_vaults WHERE exposure_id = ?)`), id, id)
	return err
}

// exposeMember records what a member losing the whole organisation could
// open (detachMember; run before their wraps and memberships go).
func (s *Store) exposeMember(ctx context.Context, tx *sql.Tx, orgID, userID, how string, at time.Time) error {
	vaults, err := s.openableVaults(ctx, tx, orgID, userID)
	if err != nil {
		return err
	}
	return s.recordExposure(ctx, tx, orgID, userID, how, at, vaults)
}

// exposureBefore reads, for each user, the vaults they can open before a
// change that may take some away (a revoke, a removal from a group).
func (s *Store) exposureBefore(ctx context.Context, tx *sql.Tx, orgID string, users []string) (map[string][]string, error) {
	before := map[string][]string{}
	for _, u := range users {
		v, err := s.openableVaults(ctx, tx, orgID, u)
		if err != nil {
			return nil, err
		}
		before[u] = v
	}
	return before, nil
}

// exposeLost records, after such a change, for each user the vaults they
// could open before and no longer can, if any. The items are read after
// the change, which moves no item.
func (s *Store) exposeLost(ctx context.Context, tx *sql.Tx, orgID, how string, at time.Time, before map[string][]string) error {
	users := make([]string, 0, len(before))
	for u := range before {
		users = append(users, u)
	}
	slices.Sort(users)
	for _, u := range users {
		after, err := s.openableVaults(ctx, tx, orgID, u)
		if err != nil {
			return err
		}
		var lost []string
		for _, v := range before[u] {
			if !slices.Contains(after, v) {
				lost = append(lost, v)
			}
		}
		if len(lost) == 0 {
			continue
		}
		if err := s.recordExposure(ctx, tx, orgID, u, how, at, lost); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Exposures(ctx context.Context, orgID, userID string) ([]store.Exposure, error) {
	var out []store.Exposure
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id, org_id, user_id, how, at FROM exposures WHERE org_id = ? AND user_id = ? ORDER BY seq DESC`), orgID, userID)
		if err != nil {
			return err
		}
		index := map[string]int{}
		for rows.Next() {
			var e store.Exposure
			var at int64
			if err := rows.Scan(&e.ID, &e.OrgID, &e.UserID, &e.How, &at); err != nil {
				rows.Close()
				return err
			}
			e.At = fromMS(at)
			index[e.ID] = len(out)
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(out) == 0 {
			return err
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT v.exposure_id, v.vault_id FROM exposure_vaults v JOIN exposures e ON e.id = v.exposure_id
			WHERE e.org_id = ? AND e.user_id = ? ORDER BY v.exposure_id, v.vault_id`), orgID, userID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, vault string
			if err := rows.Scan(&id, &vault); err != nil {
				rows.Close()
				return err
			}
			out[index[id]].Vaults = append(out[index[id]].Vaults, vault)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT x.exposure_id, x.item_id, x.vault_id, x.revision, x.time_ms, x.updated_at, x.trashed_at
			FROM exposure_items x JOIN exposures e ON e.id = x.exposure_id
			WHERE e.org_id = ? AND e.user_id = ? ORDER BY x.exposure_id, x.vault_id, x.item_id`), orgID, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var it store.ExposedItem
			var rev, t, updated, trashed int64
			if err := rows.Scan(&id, &it.ItemID, &it.VaultID, &rev, &t, &updated, &trashed); err != nil {
				return err
			}
			it.Revision, it.TimeMS, it.UpdatedAt, it.TrashedAt = uint64(rev), uint64(t), fromMS(updated), fromMS(trashed)
			out[index[id]].Items = append(out[index[id]].Items, it)
		}
		return rows.Err()
	})
	return out, s.wrap(err)
}

// revokeAffects returns the organisation of an organisation vault and who
// a revoke of grantee (kind, id) may cut off: the user, or the group's
// members and key holders. A personal vault ("" organisation) has none.
func (s *Store) revokeAffects(ctx context.Context, tx *sql.Tx, vaultID, kind, id string) (string, []string, error) {
	var orgID sql.NullString
	if err := tx.QueryRowContext(ctx, s.q(`SELECT org_id FROM vaults WHERE id = ? AND kind = 'org'`), vaultID).Scan(&orgID); err != nil {
		if err == sql.ErrNoRows {
			return "", nil, nil
		}
		return "", nil, err
	}
	if !orgID.Valid || orgID.String == "" {
		return "", nil, nil
	}
	if kind == "user" {
		return orgID.String, []string{id}, nil
	}
	users, err := s.stringsIn(ctx, tx, `SELECT user_id FROM group_members WHERE group_id = ?
		UNION SELECT member_id FROM group_key_wraps WHERE group_id = ? ORDER BY 1`, id, id)
	return orgID.String, users, err
}
