package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

// Ownership transfer (docs/protocol.md §18.5).

// transferWraps is the stored form of an open offer's wraps.
type transferWraps struct {
	Org   []store.KeyWrap      `json:"org,omitempty"`
	Group []store.KeyWrap      `json:"group,omitempty"`
	Vault []store.VaultKeyWrap `json:"vault,omitempty"`
}

const transferColumns = `org_id, roster_version, old_owner_id, new_owner_id, new_owner_fp, record_heads, sig, wraps, offered_at, accepted_at`

func scanTransfer(row interface{ Scan(...any) error }) (store.OwnerTransfer, error) {
	var t store.OwnerTransfer
	var wraps []byte
	var offered, accepted int64
	if err := row.Scan(&t.OrgID, &t.RosterVersion, &t.OldOwnerID, &t.NewOwnerID, &t.NewOwnerFingerprint, &t.RecordHeads, &t.Sig, &wraps, &offered, &accepted); err != nil {
		return t, err
	}
	t.OfferedAt = fromMS(offered)
	if accepted != 0 {
		t.AcceptedAt = fromMS(accepted)
	}
	if len(wraps) > 0 {
		var w transferWraps
		if err := json.Unmarshal(wraps, &w); err != nil {
			return t, err
		}
		t.OrgWraps, t.GroupWraps, t.VaultWraps = w.Org, w.Group, w.Vault
	}
	return t, nil
}

// ownerAndRoster locks the organisation's row and checks its owner and
// roster version.
func (s *Store) ownerAndRoster(ctx context.Context, tx *sql.Tx, orgID, ownerID string, version uint64) error {
	var owner string
	var cur uint64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT owner_id, roster_version FROM orgs WHERE id = ?`+s.dialect.ForUpdate), orgID).Scan(&owner, &cur); err != nil {
		return err
	}
	if owner != ownerID {
		return store.ErrNoLongerAllowed
	}
	if cur != version {
		return &store.ConflictError{Head: cur}
	}
	return nil
}

func (s *Store) OfferTransfer(ctx context.Context, t store.OwnerTransfer, next store.Org) error {
	if next.ID != t.OrgID || next.RosterVersion != t.RosterVersion || t.RosterVersion < 2 {
		return errors.New("OfferTransfer: the offer must name the next roster")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockSeq(ctx, tx); err != nil {
			return err
		}
		if err := s.ownerAndRoster(ctx, tx, t.OrgID, t.OldOwnerID, t.RosterVersion-1); err != nil {
			return err
		}
		if err := s.setRoster(ctx, tx, next); err != nil {
			return err
		}
		var role string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT role FROM org_members WHERE org_id = ? AND user_id = ?`+s.dialect.ForShare), t.OrgID, t.NewOwnerID).Scan(&role); err != nil {
			return err
		}
		if role != store.RoleMember {
			return sql.ErrNoRows
		}
		wraps, err := json.Marshal(transferWraps{Org: t.OrgWraps, Group: t.GroupWraps, Vault: t.VaultWraps})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM org_transfers WHERE org_id = ? AND accepted_at = 0`), t.OrgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO org_transfers (`+transferColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`),
			t.OrgID, t.RosterVersion, t.OldOwnerID, t.NewOwnerID, t.NewOwnerFingerprint, t.RecordHeads, t.Sig, wraps, ms(t.OfferedAt)); err != nil {
			return err
		}
		_, err = s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventTransferOffered, OrgID: t.OrgID, TargetUser: t.NewOwnerID})
		return err
	})
}

func (s *Store) WithdrawTransfer(ctx context.Context, next store.Org) error {
	orgID := next.ID
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockSeq(ctx, tx); err != nil {
			return err
		}
		var to string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT new_owner_id FROM org_transfers WHERE org_id = ? AND accepted_at = 0`+s.dialect.ForUpdate), orgID).Scan(&to); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM org_transfers WHERE org_id = ? AND accepted_at = 0`), orgID); err != nil {
			return err
		}
		if err := s.setRoster(ctx, tx, next); err != nil {
			return err
		}
		_, err := s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventTransferWithdrawn, OrgID: orgID, TargetUser: to})
		return err
	})
}

func (s *Store) OpenTransfer(ctx context.Context, orgID string) (store.OwnerTransfer, error) {
	t, err := scanTransfer(s.r.QueryRowContext(ctx, s.q(`SELECT `+transferColumns+` FROM org_transfers WHERE org_id = ? AND accepted_at = 0`), orgID))
	return t, s.wrap(err)
}

func (s *Store) Transfers(ctx context.Context, orgID string) ([]store.OwnerTransfer, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+transferColumns+` FROM org_transfers WHERE org_id = ? AND accepted_at <> 0 ORDER BY roster_version`), orgID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.OwnerTransfer
	for rows.Next() {
		t, err := scanTransfer(rows)
		if err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, t)
	}
	return out, s.wrap(rows.Err())
}

// orgVaultOnly selects, as v, an organisation's own vaults: not private
// groups' vaults.
const orgVaultOnly = `v.kind = 'org' AND NOT EXISTS (SELECT 1 FROM org_groups g WHERE g.vault_id = v.id)`

func (s *Store) TransferredVaults(ctx context.Context, t store.OwnerTransfer) ([]store.Vault, error) {
	return s.transferredVaults(ctx, s.r, t)
}

// transferredVaults: the organisation's own vaults whose current epoch the
// offer wraps to the new owner.
func (s *Store) transferredVaults(ctx context.Context, q querier, t store.OwnerTransfer) ([]store.Vault, error) {
	offered := map[string]map[uint64]bool{}
	for _, w := range t.VaultWraps {
		if offered[w.VaultID] == nil {
			offered[w.VaultID] = map[uint64]bool{}
		}
		offered[w.VaultID][w.Epoch] = true
	}
	rows, err := q.QueryContext(ctx, s.q(`SELECT `+vaultColumns+` FROM vaults v WHERE v.org_id = ? AND `+orgVaultOnly+` ORDER BY v.id`), t.OrgID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.Vault
	for rows.Next() {
		v, err := scanVault(rows)
		if err != nil {
			return nil, s.wrap(err)
		}
		if offered[v.ID][v.Epoch] {
			out = append(out, v)
		}
	}
	return out, s.wrap(rows.Err())
}

func (s *Store) AcceptTransfer(ctx context.Context, o store.Org, offerSig []byte, at time.Time) error {
	stale := func(why string) error {
		return &store.RecordConflict{Reason: "the organisation changed since the offer (" + why + "); the owner must offer again"}
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockSeq(ctx, tx); err != nil {
			return err
		}
		t, err := scanTransfer(tx.QueryRowContext(ctx, s.q(`SELECT `+transferColumns+` FROM org_transfers WHERE org_id = ? AND accepted_at = 0`+s.dialect.ForUpdate), o.ID))
		if err != nil {
			return err
		}
		if !bytesEqual(t.Sig, offerSig) || t.NewOwnerID != o.OwnerID || t.RosterVersion+1 != o.RosterVersion {
			return sql.ErrNoRows // not the open offer
		}
		if err := s.ownerAndRoster(ctx, tx, o.ID, t.OldOwnerID, t.RosterVersion); err != nil {
			return err
		}
		var role string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT role FROM org_members WHERE org_id = ? AND user_id = ?`+s.dialect.ForUpdate), o.ID, t.NewOwnerID).Scan(&role); err != nil {
			return err
		}
		if role != store.RoleMember {
			return sql.ErrNoRows
		}
		// An organisation that requires two-factor log-in requires it of
		// its owner too (§8.3): read here, after the change counter, so
		// a concurrent disable (which takes it too) either commits first
		// and is seen or waits and is then held by the new ownership.
		var require2FA int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT require_two_factor FROM orgs WHERE id = ?`), o.ID).Scan(&require2FA); err != nil {
			return err
		}
		if require2FA != 0 {
			if on, err := s.twoFactorOnTx(ctx, tx, t.NewOwnerID); err != nil {
				return err
			} else if !on {
				return store.ErrTwoFactorRequired
			}
		}
		if err := s.within(ctx, tx, store.MaxOrgsPerOwner, "organisations owned by one account",
			`SELECT COUNT(*) FROM orgs WHERE owner_id = ?`, t.NewOwnerID); err != nil {
			return err
		}
		// The offered keys, where the new owner does not hold them yet.
		for _, w := range t.OrgWraps {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO org_key_wraps (org_id, epoch, member_id, signer_id, wrap, sig, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), o.ID, w.Epoch, t.NewOwnerID, w.SignerID, w.Wrap, w.Sig, ms(at)); err != nil {
				return err
			}
		}
		for _, w := range t.GroupWraps {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO group_key_wraps (group_id, epoch, member_id, signer_id, wrap, sig, created_at)
				SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM org_groups WHERE id = ? AND org_id = ? AND private = 0) ON CONFLICT DO NOTHING`),
				w.ObjectID, w.Epoch, t.NewOwnerID, w.SignerID, w.Wrap, w.Sig, ms(at), w.ObjectID, o.ID); err != nil {
				return err
			}
		}
		for _, w := range t.VaultWraps {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO vault_key_wraps (vault_id, epoch, recipient_kind, recipient_id, signer_id, wrap, sig, created_at)
				SELECT ?, ?, 'user', ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM vaults v WHERE v.id = ? AND v.org_id = ? AND `+orgVaultOnly+`) ON CONFLICT DO NOTHING`),
				w.VaultID, w.Epoch, t.NewOwnerID, w.SignerID, w.Wrap, w.Sig, ms(at), w.VaultID, o.ID); err != nil {
				return err
			}
		}
		// The new owner must now hold every key of the owner's role that
		// the old owner holds.
		var missing int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM org_key_wraps w WHERE w.org_id = ? AND w.member_id = ?
			AND NOT EXISTS (SELECT 1 FROM org_key_wraps n WHERE n.org_id = w.org_id AND n.epoch = w.epoch AND n.member_id = ?)`),
			o.ID, t.OldOwnerID, t.NewOwnerID).Scan(&missing); err != nil {
			return err
		}
		if missing > 0 {
			return stale("an organisation key epoch")
		}
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM group_key_wraps w JOIN org_groups g ON g.id = w.group_id
			WHERE g.org_id = ? AND g.private = 0 AND w.member_id = ?
			AND NOT EXISTS (SELECT 1 FROM group_key_wraps n WHERE n.group_id = w.group_id AND n.epoch = w.epoch AND n.member_id = ?)`),
			o.ID, t.OldOwnerID, t.NewOwnerID).Scan(&missing); err != nil {
			return err
		}
		if missing > 0 {
			return stale("a group's keys")
		}
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM vault_key_wraps w JOIN vaults v ON v.id = w.vault_id
			WHERE v.org_id = ? AND `+orgVaultOnly+` AND w.recipient_kind = 'user' AND w.recipient_id = ?
			AND NOT EXISTS (SELECT 1 FROM vault_key_wraps n WHERE n.vault_id = w.vault_id AND n.epoch = w.epoch AND n.recipient_kind = 'user' AND n.recipient_id = ?)`),
			o.ID, t.OldOwnerID, t.NewOwnerID).Scan(&missing); err != nil {
			return err
		}
		if missing > 0 {
			return stale("a vault's keys")
		}
		// Every vault the offer names must be offered at its current epoch.
		offeredVaults := map[string]bool{}
		for _, w := range t.VaultWraps {
			offeredVaults[w.VaultID] = true
		}
		vaults, err := s.transferredVaults(ctx, tx, t)
		if err != nil {
			return err
		}
		if len(vaults) != len(offeredVaults) {
			return stale("a vault's key was rotated or the vault deleted")
		}
		// Each transferred vault: a manage grant to the new owner, and its
		// next epoch record (when it has records) naming it.
		attached := map[string]bool{}
		for _, r := range store.Attached(ctx) {
			attached[r.ObjectID] = true
		}
		events := []store.Event{{Kind: store.EventOwnerChanged, OrgID: o.ID, TargetUser: t.NewOwnerID}}
		for _, v := range vaults {
			var records int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM epoch_records WHERE object_id = ?`), v.ID).Scan(&records); err != nil {
				return err
			}
			if records > 0 && !attached[v.ID] {
				return stale("vault " + v.ID + " needs its next epoch record")
			}
			events = append(events, store.Event{Kind: store.EventVaultGranted, VaultID: v.ID, TargetUser: t.NewOwnerID})
		}
		groups, err := s.stringsIn(ctx, tx, `SELECT id FROM org_groups WHERE org_id = ? AND private = 0 ORDER BY id`, o.ID)
		if err != nil {
			return err
		}
		for _, g := range groups {
			events = append(events, store.Event{Kind: store.EventGroupChanged, OrgID: o.ID, TargetGroup: g})
		}
		seq, err := s.seqAndEmit(ctx, tx, events...)
		if err != nil {
			return err
		}
		grants := make([]store.Grant, 0, len(vaults))
		for _, v := range vaults {
			grants = append(grants, store.Grant{VaultID: v.ID, GranteeKind: "user", GranteeID: t.NewOwnerID, Permission: store.PermManage, CreatedAt: at})
		}
		if err := s.insertGrants(ctx, tx, seq, nil, grants); err != nil {
			return err
		}
		if err := s.setRoster(ctx, tx, o); err != nil {
			return err
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE orgs SET owner_id = ? WHERE id = ?`, []any{t.NewOwnerID, o.ID}},
			{`UPDATE org_members SET role = 'member' WHERE org_id = ? AND user_id = ?`, []any{o.ID, t.OldOwnerID}},
			{`UPDATE org_members SET role = 'owner' WHERE org_id = ? AND user_id = ?`, []any{o.ID, t.NewOwnerID}},
			{`UPDATE org_groups SET manager_id = ? WHERE org_id = ? AND private = 0`, []any{t.NewOwnerID, o.ID}},
			// Invitations the old owner made: their codes are sealed for
			// the old owner, who can no longer confirm anyone.
			{`UPDATE invitations SET state = 'cancelled', updated_at = ? WHERE org_id = ? AND state IN ('invited', 'joined')`, []any{ms(at), o.ID}},
			// Recovery was the old owner's key: it is turned off, and with
			// it every enrolment and unused approval (§17.2, §18.5).
			{`UPDATE org_recovery SET enabled = 0, sign_pub = NULL, kem_pub = NULL, keys_sig = NULL, sealed_private = NULL, updated_at = ?
				WHERE org_id = ? AND enabled = 1`, []any{ms(at), o.ID}},
			{`DELETE FROM recovery_enrolments WHERE org_id = ?`, []any{o.ID}},
			{`DELETE FROM recovery_requests WHERE grant_org = ?`, []any{o.ID}},
			{`UPDATE org_transfers SET accepted_at = ?, wraps = NULL WHERE org_id = ? AND roster_version = ?`, []any{ms(at), o.ID, t.RosterVersion}},
		} {
			if _, err := tx.ExecContext(ctx, s.q(q.sql), q.args...); err != nil {
				return err
			}
		}
		return nil
	})
}

func bytesEqual(a, b []byte) bool { return len(a) == len(b) && string(a) == string(b) }
