package sqlstore

import (
	"context"
	"database/sql"

	"github.com/coffer-pm/coffer/internal/store"
)

// userGrants is the one definition of which grants reach a user: the rows
// (vault_id, permission, seq) of every grant to the user directly or to a
// group they are in; seq is when that access began (the later of grant and
// group membership). Its two ? placeholders both take the user id (see
// grantArgs).
const userGrants = `SELECT vault_id, permission, seq FROM vault_grants WHERE grantee_kind = 'user' AND grantee_id = ?
	UNION ALL
	SELECT g.vault_id, g.permission, CASE WHEN g.seq > m.seq THEN g.seq ELSE m.seq END
	FROM vault_grants g JOIN group_members m ON g.grantee_kind = 'group' AND g.grantee_id = m.group_id
	WHERE m.user_id = ?`

func grantArgs(userID string) []any { return []any{userID, userID} }

const vaultColumns = `v.id, v.kind, v.org_id, COALESCE(v.owner_id, ''), COALESCE(v.creator_id, ''), v.meta, v.epoch, v.created_at`

func scanVault(row interface{ Scan(...any) error }, extra ...any) (store.Vault, error) {
	var v store.Vault
	var created int64
	err := row.Scan(append([]any{&v.ID, &v.Kind, &v.OrgID, &v.OwnerID, &v.CreatorID, &v.Meta, &v.Epoch, &created}, extra...)...)
	v.CreatedAt = fromMS(created)
	return v, err
}

func (s *Store) Vault(ctx context.Context, id string) (store.Vault, error) {
	v, err := scanVault(s.r.QueryRowContext(ctx, s.q(`SELECT `+vaultColumns+` FROM vaults v WHERE v.id = ?`), id))
	return v, s.wrap(err)
}

func (s *Store) VaultPermission(ctx context.Context, userID, vaultID string) (store.Permission, error) {
	var exists int
	var perm sql.NullInt64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT
			(SELECT COUNT(*) FROM vaults WHERE id = ?),
			(SELECT MAX(g.permission) FROM (`+userGrants+`) g WHERE g.vault_id = ?)`),
		vaultID, userID, userID, vaultID).Scan(&exists, &perm)
	if err != nil {
		return store.PermNone, s.wrap(err)
	}
	if exists == 0 {
		return store.PermNone, store.ErrNotFound
	}
	return store.Permission(perm.Int64), nil
}

func (s *Store) VaultsForUser(ctx context.Context, userID string) ([]store.VaultAccess, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+vaultColumns+`, MAX(g.permission)
		FROM vaults v JOIN (`+userGrants+`) g ON g.vault_id = v.id
		GROUP BY v.id, v.kind, v.org_id, v.owner_id, v.creator_id, v.meta, v.epoch, v.created_at
		ORDER BY v.created_at, v.id`), grantArgs(userID)...)
	if err != nil {
		return nil, s.wrap(err)
	}
	var out []store.VaultAccess
	index := map[string]int{}
	for rows.Next() {
		var perm int
		v, err := scanVault(rows, &perm)
		if err != nil {
			rows.Close()
			return nil, s.wrap(err)
		}
		index[v.ID] = len(out)
		out = append(out, store.VaultAccess{Vault: v, Permission: store.Permission(perm)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err)
	}
	// Wraps to the user and to the groups they are in: the server hands
	// out only these.
	wraps, err := s.r.QueryContext(ctx, s.q(`SELECT vault_id, epoch, recipient_kind, recipient_id, signer_id, wrap, sig, created_at
		FROM vault_key_wraps WHERE (recipient_kind = 'user' AND recipient_id = ?)
			OR (recipient_kind = 'group' AND recipient_id IN (SELECT group_id FROM group_members WHERE user_id = ?))
		ORDER BY vault_id, epoch, recipient_kind, recipient_id`), userID, userID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer wraps.Close()
	for wraps.Next() {
		var w store.VaultKeyWrap
		var created int64
		if err := wraps.Scan(&w.VaultID, &w.Epoch, &w.RecipientKind, &w.RecipientID, &w.SignerID, &w.Wrap, &w.Sig, &created); err != nil {
			return nil, s.wrap(err)
		}
		w.CreatedAt = fromMS(created)
		if i, ok := index[w.VaultID]; ok {
			out[i].Wraps = append(out[i].Wraps, w)
		}
	}
	return out, s.wrap(wraps.Err())
}
