package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

const groupColumns = `g.id, g.org_id, g.manager_id, g.keys_signer_id, g.private, g.default_permission, g.meta, g.sign_pub, g.kem_pub, g.keys_sig, g.epoch, COALESCE(g.vault_id, ''), g.created_at,
	(SELECT COUNT(*) FROM group_export_policy p WHERE p.group_id = g.id)`

func scanGroup(row interface{ Scan(...any) error }) (store.Group, error) {
	var g store.Group
	var private, perm, exportPolicy int
	var created int64
	err := row.Scan(&g.ID, &g.OrgID, &g.ManagerID, &g.KeysSignerID, &private, &perm, &g.Meta, &g.SignPub, &g.KEMPub, &g.KeysSig, &g.Epoch, &g.VaultID, &created, &exportPolicy)
	g.Private, g.DefaultPermission, g.CreatedAt, g.ExportMyVaultOnly = private != 0, store.Permission(perm), fromMS(created), exportPolicy > 0
	return g, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Store) CreateGroup(ctx context.Context, g store.Group, managerWrap store.KeyWrap, vault *store.Vault, vaultWraps []store.VaultKeyWrap, grants []store.Grant, manifests ...store.Manifest) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockSeq(ctx, tx); err != nil {
			return err
		}
		if g.Private {
			if err := s.within(ctx, tx, store.MaxPrivateGroupsPerOwner, "private groups one member manages in an organisation",
				`SELECT COUNT(*) FROM org_groups WHERE org_id = ? AND manager_id = ? AND private <> 0`, g.OrgID, g.ManagerID); err != nil {
				return err
			}
		}
		if err := s.within(ctx, tx, store.MaxGroupsPerOrg, "groups in one organisation",
			`SELECT COUNT(*) FROM org_groups WHERE org_id = ?`, g.OrgID); err != nil {
			return err
		}
		if vault != nil {
			if err := s.within(ctx, tx, store.MaxVaultsPerOrg, "vaults in one organisation",
				`SELECT COUNT(*) FROM vaults WHERE org_id = ?`, g.OrgID); err != nil {
				return err
			}
		}
		events := []store.Event{{Kind: store.EventGroupChanged, OrgID: g.OrgID, TargetGroup: g.ID}}
		if vault != nil {
			events = append(events, store.Event{Kind: store.EventVaultCreated, VaultID: vault.ID, TargetUser: g.ManagerID})
		}
		seq, err := s.seqAndEmit(ctx, tx, events...)
		if err != nil {
			return err
		}
		if vault != nil {
			if err := s.insertVault(ctx, tx, *vault); err != nil {
				return err
			}
			if err := s.putManifests(ctx, tx, []string{vault.ID}, manifests); err != nil {
				return err
			}
		}
		var vaultID any
		if g.VaultID != "" {
			vaultID = g.VaultID
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO org_groups (id, org_id, manager_id, keys_signer_id, private, default_permission, meta, sign_pub, kem_pub, keys_sig, epoch, vault_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), g.ID, g.OrgID, g.ManagerID, g.ManagerID, boolInt(g.Private), int(g.DefaultPermission), g.Meta,
			g.SignPub, g.KEMPub, g.KeysSig, g.Epoch, vaultID, ms(g.CreatedAt)); err != nil {
			return err
		}
		// The creator of a private group is its first member. The owner
		// managing an organisation group holds its key (to add members)
		// without being a member: an organisation group starts empty.
		if g.Private {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO group_members (group_id, user_id, seq, created_at) VALUES (?, ?, ?, ?)`),
				g.ID, managerWrap.MemberID, seq, ms(g.CreatedAt)); err != nil {
				return err
			}
		}
		if err := s.insertKeyWrap(ctx, tx, "group_key_wraps", "group_id", managerWrap); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO group_keys (group_id, epoch, sign_pub, kem_pub, keys_sig, signer_id) VALUES (?, ?, ?, ?, ?, ?)`),
			g.ID, g.Epoch, g.SignPub, g.KEMPub, g.KeysSig, g.ManagerID); err != nil {
			return err
		}
		return s.insertGrants(ctx, tx, seq, vaultWraps, grants)
	})
}

func (s *Store) insertGrants(ctx context.Context, tx *sql.Tx, seq int64, wraps []store.VaultKeyWrap, grants []store.Grant) error {
	for _, w := range wraps {
		if err := s.insertVaultKeyWrap(ctx, tx, w); err != nil {
			return err
		}
	}
	for _, g := range grants {
		// Upsert: granting again changes the permission (and counts as new
		// access for delta sync).
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO vault_grants (vault_id, grantee_kind, grantee_id, permission, seq, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (vault_id, grantee_kind, grantee_id) DO UPDATE SET permission = excluded.permission, seq = excluded.seq`),
			g.VaultID, g.GranteeKind, g.GranteeID, int(g.Permission), seq, ms(g.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Group(ctx context.Context, id string) (store.Group, error) {
	g, err := scanGroup(s.r.QueryRowContext(ctx, s.q(`SELECT `+groupColumns+` FROM org_groups g WHERE g.id = ?`), id))
	if err != nil {
		return g, s.wrap(err)
	}
	g.Members, err = s.groupMembers(ctx, id)
	return g, err
}

func (s *Store) groupMembers(ctx context.Context, groupID string) ([]string, error) {
	return s.strings(ctx, `SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id`, groupID)
}

func (s *Store) groups(ctx context.Context, where string, args ...any) ([]store.Group, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+groupColumns+` FROM org_groups g WHERE `+where+` ORDER BY g.created_at, g.id`), args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	var out []store.Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			rows.Close()
			return nil, s.wrap(err)
		}
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err)
	}
	for i := range out {
		if out[i].Members, err = s.groupMembers(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) GroupsInOrg(ctx context.Context, orgID string) ([]store.Group, error) {
	return s.groups(ctx, `g.org_id = ?`, orgID)
}

func (s *Store) GroupsForUser(ctx context.Context, userID string) ([]store.Group, []store.KeyWrap, error) {
	// Only in organisations the user still belongs to: a removed member
	// keeps neither the groups they were in nor those they managed.
	groups, err := s.groups(ctx, `(g.id IN (SELECT group_id FROM group_members WHERE user_id = ?) OR g.manager_id = ?)
		AND g.org_id IN (SELECT org_id FROM org_members WHERE user_id = ?)`, userID, userID, userID)
	if err != nil {
		return nil, nil, err
	}
	var wraps []store.KeyWrap
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		wraps, err = s.keyWraps(ctx, tx, `SELECT group_id, epoch, member_id, signer_id, wrap, sig, created_at FROM group_key_wraps WHERE member_id = ?`, userID)
		return err
	})
	return groups, wraps, err
}

func (s *Store) AddGroupMembers(ctx context.Context, groupID string, wraps []store.KeyWrap) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var orgID string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT org_id FROM org_groups WHERE id = ?`), groupID).Scan(&orgID); err != nil {
			return err
		}
		events := []store.Event{{Kind: store.EventGroupChanged, OrgID: orgID, TargetGroup: groupID}}
		for _, w := range wraps {
			events = append(events, store.Event{Kind: store.EventGroupMemberAdded, OrgID: orgID, TargetUser: w.MemberID, TargetGroup: groupID})
		}
		seq, err := s.seqAndEmit(ctx, tx, events...)
		if err != nil {
			return err
		}
		for _, w := range wraps {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO group_members (group_id, user_id, seq, created_at) VALUES (?, ?, ?, ?)`),
				groupID, w.MemberID, seq, ms(w.CreatedAt)); err != nil {
				return err
			}
			// A manager who holds the key already keeps their wrap.
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM group_key_wraps WHERE group_id = ? AND epoch = ? AND member_id = ?`),
				groupID, w.Epoch, w.MemberID); err != nil {
				return err
			}
			if err := s.insertKeyWrap(ctx, tx, "group_key_wraps", "group_id", w); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) RemoveGroupMember(ctx context.Context, groupID, userID string) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		var orgID string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT org_id FROM org_groups WHERE id = ?`), groupID).Scan(&orgID); err != nil {
			return err
		}
		if _, err := s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventGroupMemberLeft, OrgID: orgID, TargetUser: userID, TargetGroup: groupID},
			store.Event{Kind: store.EventGroupChanged, OrgID: orgID, TargetGroup: groupID}); err != nil {
			return err
		}
		// What they can open before, to record what they lose (§18.6).
		before, err := s.exposureBefore(ctx, tx, orgID, []string{userID})
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM group_members WHERE group_id = ? AND user_id = ?`), groupID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		// They held the group's key and, through it, its vaults' keys: all
		// of them are rotated (§18.2).
		if err := s.markRotationsForGroupMember(ctx, tx, groupID, ms(time.Now())); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, s.q(`DELETE FROM group_key_wraps WHERE group_id = ? AND member_id = ?`), groupID, userID); err != nil {
			return err
		}
		return s.exposeLost(ctx, tx, orgID, store.RotateGroup, time.Now(), before)
	})
}

func (s *Store) CreateVault(ctx context.Context, v store.Vault, wraps []store.VaultKeyWrap, grants []store.Grant, manifests ...store.Manifest) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockSeq(ctx, tx); err != nil {
			return err
		}
		if err := s.within(ctx, tx, store.MaxVaultsPerOrg, "vaults in one organisation",
			`SELECT COUNT(*) FROM vaults WHERE org_id = ?`, v.OrgID); err != nil {
			return err
		}
		seq, err := s.nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.insertVault(ctx, tx, v); err != nil {
			return err
		}
		if err := s.emit(ctx, tx, seq, store.Event{Kind: store.EventVaultCreated, VaultID: v.ID, TargetUser: v.CreatorID}); err != nil {
			return err
		}
		if err := s.putManifests(ctx, tx, []string{v.ID}, manifests); err != nil {
			return err
		}
		return s.insertGrants(ctx, tx, seq, wraps, grants)
	})
}

func (s *Store) GrantVault(ctx context.Context, g store.Grant, wraps []store.VaultKeyWrap) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		seq, err := s.seqAndEmit(ctx, tx, grantEvent(store.EventVaultGranted, g.VaultID, g.GranteeKind, g.GranteeID))
		if err != nil {
			return err
		}
		// Wraps the grantee already has (same epoch) are kept.
		for _, w := range wraps {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM vault_key_wraps WHERE vault_id = ? AND epoch = ? AND recipient_kind = ? AND recipient_id = ?`),
				w.VaultID, w.Epoch, w.RecipientKind, w.RecipientID); err != nil {
				return err
			}
		}
		return s.insertGrants(ctx, tx, seq, wraps, []store.Grant{g})
	})
}

// grantEvent addresses a grant change to its grantee (a user, or a
// group's members) as well as to the vault's readers.
func grantEvent(kind, vaultID, granteeKind, granteeID string) store.Event {
	e := store.Event{Kind: kind, VaultID: vaultID}
	if granteeKind == "group" {
		e.TargetGroup = granteeID
	} else {
		e.TargetUser = granteeID
	}
	return e
}

func (s *Store) RevokeGrant(ctx context.Context, vaultID, kind, id string) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		// The event is recorded while the grantee can still see it.
		if _, err := s.seqAndEmit(ctx, tx, grantEvent(store.EventVaultRevoked, vaultID, kind, id)); err != nil {
			return err
		}
		// Who may lose the vault: the user, or the group's key holders;
		// what they can open before, to record what they lose (§18.6).
		orgID, users, err := s.revokeAffects(ctx, tx, vaultID, kind, id)
		if err != nil {
			return err
		}
		before, err := s.exposureBefore(ctx, tx, orgID, users)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM vault_grants WHERE vault_id = ? AND grantee_kind = ? AND grantee_id = ?`), vaultID, kind, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		// The server stops handing out the wraps; the vault's rotation,
		// owed from now on, closes its future content to the grantee.
		if err := s.markRotationForVault(ctx, tx, vaultID, ms(time.Now())); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, s.q(`DELETE FROM vault_key_wraps WHERE vault_id = ? AND recipient_kind = ? AND recipient_id = ?`), vaultID, kind, id); err != nil {
			return err
		}
		return s.exposeLost(ctx, tx, orgID, store.RotateRevoked, time.Now(), before)
	})
}

func (s *Store) VaultGrants(ctx context.Context, vaultID string) ([]store.Grant, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT vault_id, grantee_kind, grantee_id, permission, created_at FROM vault_grants
		WHERE vault_id = ? ORDER BY grantee_kind, grantee_id`), vaultID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.Grant
	for rows.Next() {
		var g store.Grant
		var perm int
		var created int64
		if err := rows.Scan(&g.VaultID, &g.GranteeKind, &g.GranteeID, &perm, &created); err != nil {
			return nil, s.wrap(err)
		}
		g.Permission, g.CreatedAt = store.Permission(perm), fromMS(created)
		out = append(out, g)
	}
	return out, s.wrap(rows.Err())
}

func (s *Store) VaultKeyWraps(ctx context.Context, vaultID string) ([]store.VaultKeyWrap, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT vault_id, epoch, recipient_kind, recipient_id, signer_id, wrap, sig, created_at
		FROM vault_key_wraps WHERE vault_id = ? ORDER BY epoch, recipient_kind, recipient_id`), vaultID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.VaultKeyWrap
	for rows.Next() {
		var w store.VaultKeyWrap
		var created int64
		if err := rows.Scan(&w.VaultID, &w.Epoch, &w.RecipientKind, &w.RecipientID, &w.SignerID, &w.Wrap, &w.Sig, &created); err != nil {
			return nil, s.wrap(err)
		}
		w.CreatedAt = fromMS(created)
		out = append(out, w)
	}
	return out, s.wrap(rows.Err())
}
