package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/coffer-pm/coffer/internal/store"
)

// recheck re-checks, inside a write transaction, every requirement the
// request registered (store.Require). On PostgreSQL the reads lock the
// rows the decision rests on (FOR SHARE): a removal, revoke, group removal
// or permission change that commits first is seen; one that comes later
// waits for this transaction, and a removal then sees what it wrote
// (RemoveMember locks the member's row first). SQLite runs one writer at a
// time.
func (s *Store) recheck(ctx context.Context, tx *sql.Tx) error {
	rs := store.Required(ctx)
	if len(rs) == 0 {
		return nil
	}
	if err := s.lockSeq(ctx, tx); err != nil {
		return err
	}
	for _, r := range rs {
		if err := s.holds(ctx, tx, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) holds(ctx context.Context, tx *sql.Tx, r store.Requirement) error {
	if r.Invited != "" {
		// The invitation's row stays shared until the sign-up commits: a
		// cancel (or a re-issue, or the organisation's deletion) that
		// commits first is seen, one that comes later waits.
		var id string
		err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM invitations WHERE email = ? AND state = 'invited' LIMIT 1`+s.dialect.ForShare), strings.ToLower(r.Invited)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNoLongerAllowed
		}
		if err != nil {
			return err
		}
	}
	orgID := r.OrgID
	if r.VaultID != "" && orgID == "" {
		err := tx.QueryRowContext(ctx, s.q(`SELECT org_id FROM vaults WHERE id = ?`), r.VaultID).Scan(&orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNoLongerAllowed
		}
		if err != nil {
			return err
		}
	}
	if r.GroupID != "" && orgID == "" {
		err := tx.QueryRowContext(ctx, s.q(`SELECT org_id FROM org_groups WHERE id = ?`), r.GroupID).Scan(&orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNoLongerAllowed
		}
		if err != nil {
			return err
		}
	}
	if orgID != "" {
		var role string
		err := tx.QueryRowContext(ctx, s.q(`SELECT role FROM org_members WHERE org_id = ? AND user_id = ?`+s.dialect.ForShare), orgID, r.UserID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && r.Owner && role != store.RoleOwner) {
			return store.ErrNoLongerAllowed
		}
		if err != nil {
			return err
		}
	}
	if r.GroupID != "" {
		var manager string
		err := tx.QueryRowContext(ctx, s.q(`SELECT manager_id FROM org_groups WHERE id = ?`+s.dialect.ForShare), r.GroupID).Scan(&manager)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && manager != r.UserID) {
			return store.ErrNoLongerAllowed
		}
		if err != nil {
			return err
		}
	}
	if r.VaultID != "" && r.Perm > store.PermNone {
		perm, err := s.lockedPermission(ctx, tx, r.UserID, r.VaultID)
		if err != nil {
			return err
		}
		if perm < r.Perm {
			return store.ErrNoLongerAllowed
		}
	}
	return nil
}

// lockedPermission is the user's permission on a vault, read with the
// grant and group-membership rows it comes from locked.
func (s *Store) lockedPermission(ctx context.Context, tx *sql.Tx, userID, vaultID string) (store.Permission, error) {
	best := store.PermNone
	for _, q := range []string{
		`SELECT permission FROM vault_grants WHERE vault_id = ? AND grantee_kind = 'user' AND grantee_id = ?` + s.dialect.ForShare,
		`SELECT g.permission FROM vault_grants g JOIN group_members m ON g.grantee_kind = 'group' AND g.grantee_id = m.group_id
			WHERE g.vault_id = ? AND m.user_id = ?` + s.dialect.ForShare,
	} {
		rows, err := tx.QueryContext(ctx, s.q(q), vaultID, userID)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var p store.Permission
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return 0, err
			}
			best = max(best, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	return best, nil
}

// lockSeq takes the change counter's row lock at the start of a
// transaction (PostgreSQL; SQLite's writers are serialised anyway). Locks
// are taken in one order: the counter first — every write of
// organisations and items takes it anyway (nextSeq) — then the rows the
// write reads or changes. A revoke that deleted a grant and then waited
// for the counter, while a write held the counter and waited to share the
// grant, deadlocked otherwise.
func (s *Store) lockSeq(ctx context.Context, tx *sql.Tx) error {
	if s.dialect.ForUpdate == "" {
		return nil
	}
	var v int64
	return tx.QueryRowContext(ctx, s.q(`SELECT value FROM counters WHERE name = 'change_seq'`+s.dialect.ForUpdate)).Scan(&v)
}

// takingTx is tx for writes that take access away (a removal, a revoke, a
// delete): the counter first, in the order every re-checking write takes
// its locks.
func (s *Store) takingTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockSeq(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// within returns a *store.LimitError when the count query (one integer)
// is at max already: a create would pass it. It runs inside the creating
// transaction, after the locks that serialise such creates (the change
// counter on PostgreSQL; SQLite's single writer).
func (s *Store) within(ctx context.Context, tx *sql.Tx, max int, what, query string, args ...any) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q(query), args...).Scan(&n); err != nil {
		return err
	}
	if n >= max {
		return &store.LimitError{What: what, Max: max}
	}
	return nil
}
