package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store"
)

// Epoch records (docs/protocol.md §18.1). A request attaches the records
// of what it changes (store.AttachRecord); the write's own transaction
// stores them after the change, checked against what the change left —
// so a record can never describe a state that a concurrent write made
// false, and a change that needs a record cannot land without it.

const recordColumns = `object_id, version, org_id, kind, epoch, key_commit, meta_epoch, meta_hash, recipients, prev_hash, signer_id, time_ms, sig, hash, seq`

func scanRecord(row interface{ Scan(...any) error }) (store.EpochRecord, error) {
	var r store.EpochRecord
	var recipients []byte
	err := row.Scan(&r.ObjectID, &r.Version, &r.OrgID, &r.Kind, &r.Epoch, &r.KeyCommit, &r.MetaEpoch, &r.MetaHash, &recipients,
		&r.PrevHash, &r.SignerID, &r.TimeMS, &r.Sig, &r.Hash, &r.Seq)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(recipients, &r.Recipients); err != nil {
		return r, fmt.Errorf("stored recipients of %s v%d: %w", r.ObjectID, r.Version, err)
	}
	return r, nil
}

func (s *Store) Records(ctx context.Context, orgID string, afterSeq int64, limit int) ([]store.EpochRecord, error) {
	return s.queryRecords(ctx, `WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT ?`, orgID, afterSeq, limit)
}

func (s *Store) ObjectRecords(ctx context.Context, objectID string) ([]store.EpochRecord, error) {
	return s.queryRecords(ctx, `WHERE object_id = ? ORDER BY version`, objectID)
}

func (s *Store) queryRecords(ctx context.Context, where string, args ...any) ([]store.EpochRecord, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+recordColumns+` FROM epoch_records `+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.EpochRecord
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Store) LatestRecord(ctx context.Context, objectID string) (store.EpochRecord, error) {
	r, err := scanRecord(s.r.QueryRowContext(ctx, s.q(`SELECT `+recordColumns+` FROM epoch_records WHERE object_id = ? ORDER BY version DESC LIMIT 1`), objectID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, store.ErrNotFound
	}
	return r, err
}

// putRecords stores the records attached to the request, each checked
// against the transaction's view after the change (checkRecord).
func (s *Store) putRecords(ctx context.Context, tx *sql.Tx, recs []store.EpochRecord) error {
	if len(recs) == 0 {
		return nil
	}
	seq, err := s.nextSeq(ctx, tx)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := s.checkRecord(ctx, tx, r); err != nil {
			return err
		}
		recipients, _ := json.Marshal(r.Recipients)
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO epoch_records (`+recordColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.ObjectID, r.Version, r.OrgID, r.Kind, r.Epoch, r.KeyCommit, r.MetaEpoch, r.MetaHash, recipients, r.PrevHash, r.SignerID,
			r.TimeMS, r.Sig, r.Hash, seq); err != nil {
			if s.dialect.IsUniqueViolation != nil && s.dialect.IsUniqueViolation(err) {
				return &store.RecordConflict{Reason: "another change stored this version first"}
			}
			return err
		}
	}
	return nil
}

// objectState is what a record must describe: the object's organisation,
// record kind, current epoch and sealed name.
type objectState struct {
	orgID string
	kind  string
	epoch uint64
	meta  []byte
}

func (s *Store) objectState(ctx context.Context, tx *sql.Tx, kind, id string) (objectState, error) {
	var st objectState
	var err error
	switch kind {
	case crypto.RecordVault, crypto.RecordGroupVault:
		var groups int
		err = tx.QueryRowContext(ctx, s.q(`SELECT v.org_id, v.epoch, v.meta, (SELECT COUNT(*) FROM org_groups g WHERE g.vault_id = v.id)
			FROM vaults v WHERE v.id = ? AND v.kind = 'org'`+s.dialect.ForUpdate), id).Scan(&st.orgID, &st.epoch, &st.meta, &groups)
		st.kind = crypto.RecordVault
		if groups > 0 {
			st.kind = crypto.RecordGroupVault
		}
	case crypto.RecordGroup, crypto.RecordPrivateGroup:
		var private int
		err = tx.QueryRowContext(ctx, s.q(`SELECT org_id, epoch, meta, private FROM org_groups WHERE id = ?`+s.dialect.ForUpdate), id).Scan(&st.orgID, &st.epoch, &st.meta, &private)
		st.kind = crypto.RecordGroup
		if private != 0 {
			st.kind = crypto.RecordPrivateGroup
		}
	case crypto.RecordOrg:
		err = tx.QueryRowContext(ctx, s.q(`SELECT id, key_epoch, meta FROM orgs WHERE id = ?`+s.dialect.ForUpdate), id).Scan(&st.orgID, &st.epoch, &st.meta)
		st.kind = crypto.RecordOrg
	default:
		return st, &store.RecordConflict{Reason: "unknown record kind " + kind}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return st, &store.RecordConflict{Reason: "the record's object does not exist"}
	}
	return st, err
}

// checkRecord refuses a record that does not follow the stored chain or
// does not describe the object as the transaction leaves it.
func (s *Store) checkRecord(ctx context.Context, tx *sql.Tx, r store.EpochRecord) error {
	st, err := s.objectState(ctx, tx, r.Kind, r.ObjectID)
	if err != nil {
		return err
	}
	conflict := func(format string, a ...any) error { return &store.RecordConflict{Reason: fmt.Sprintf(format, a...)} }
	if st.kind != r.Kind || st.orgID != r.OrgID {
		return conflict("the object is a %s of another organisation or kind", st.kind)
	}
	prev, err := scanRecord(tx.QueryRowContext(ctx, s.q(`SELECT `+recordColumns+` FROM epoch_records WHERE object_id = ? ORDER BY version DESC LIMIT 1`+s.dialect.ForUpdate), r.ObjectID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if r.Version != 1 {
			return conflict("the object has no record yet: version 1 is next")
		}
	case err != nil:
		return err
	case r.Version != prev.Version+1 || !bytes.Equal(r.PrevHash, prev.Hash):
		return conflict("version %d follows version %d", prev.Version+1, prev.Version)
	case r.Epoch == prev.Epoch && !bytes.Equal(r.KeyCommit, prev.KeyCommit):
		return conflict("a record changed the key of epoch %d", r.Epoch)
	case r.Epoch != prev.Epoch && r.Epoch != prev.Epoch+1:
		return conflict("epoch %d cannot follow epoch %d", r.Epoch, prev.Epoch)
	}
	if r.Epoch != st.epoch {
		return conflict("the object's key epoch is %d", st.epoch)
	}
	metaHash := sha256.Sum256(st.meta)
	if !bytes.Equal(r.MetaHash, metaHash[:]) {
		return conflict("the record names another sealed name than the object has")
	}
	renamed := r.Version == 1 || !bytes.Equal(r.MetaHash, prev.MetaHash)
	if (renamed && r.MetaEpoch != r.Epoch) || (!renamed && r.MetaEpoch != prev.MetaEpoch) {
		return conflict("a name is sealed under the epoch current when it was set")
	}
	have, err := s.recipientsOf(ctx, tx, r.Kind, r.ObjectID)
	if err != nil {
		return err
	}
	if !sameRecipients(have, r.Recipients) {
		return conflict("the record's recipients are not the %s's grants or members", r.Kind)
	}
	return nil
}

// recipientsOf reads the holders a record of the object must list: a
// vault's grantees with their keys' fingerprints, a group's members, no
// one for an organisation (its roster lists them).
func (s *Store) recipientsOf(ctx context.Context, tx *sql.Tx, kind, id string) ([]store.RecordRecipient, error) {
	var query string
	args := []any{id}
	switch kind {
	case crypto.RecordVault, crypto.RecordGroupVault:
		query = `SELECT 'user', a.id, a.sign_pub, a.kem_pub, g.permission FROM vault_grants g JOIN accounts a ON a.id = g.grantee_id
				WHERE g.vault_id = ? AND g.grantee_kind = 'user'
			UNION ALL SELECT 'group', o.id, o.sign_pub, o.kem_pub, g.permission FROM vault_grants g JOIN org_groups o ON o.id = g.grantee_id
				WHERE g.vault_id = ? AND g.grantee_kind = 'group'`
		args = append(args, id)
	case crypto.RecordGroup, crypto.RecordPrivateGroup:
		query = `SELECT 'user', a.id, a.sign_pub, a.kem_pub, 0 FROM group_members m JOIN accounts a ON a.id = m.user_id
			WHERE m.group_id = ?`
	default:
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.RecordRecipient
	for rows.Next() {
		var r store.RecordRecipient
		var pk crypto.PublicKeys
		var perm int
		if err := rows.Scan(&r.Kind, &r.ID, &pk.Sign, &pk.KEM, &perm); err != nil {
			return nil, err
		}
		r.Fingerprint, r.Permission = pk.Fingerprint(), uint8(perm)
		out = append(out, r)
	}
	return out, rows.Err()
}

func sameRecipients(a, b []store.RecordRecipient) bool {
	order := func(x, y store.RecordRecipient) int {
		if c := strings.Compare(x.Kind, y.Kind); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, order)
	slices.SortFunc(b, order)
	return slices.EqualFunc(a, b, func(x, y store.RecordRecipient) bool {
		return x.Kind == y.Kind && x.ID == y.ID && x.Permission == y.Permission && bytes.Equal(x.Fingerprint, y.Fingerprint)
	})
}

func (s *Store) PendingRotations(ctx context.Context, orgID string) ([]store.PendingRotation, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT org_id, kind, object_id, epoch, reason, since FROM pending_rotations WHERE org_id = ? ORDER BY since, object_id`), orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PendingRotation
	for rows.Next() {
		var p store.PendingRotation
		if err := rows.Scan(&p.OrgID, &p.Kind, &p.ObjectID, &p.Epoch, &p.Reason, &p.Since); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Store) CountPendingRotations(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM pending_rotations`).Scan(&n)
	return n, s.wrap(err)
}

func (s *Store) GroupKeyHistory(ctx context.Context, groupID string) ([]store.GroupKeys, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT group_id, epoch, sign_pub, kem_pub, keys_sig, signer_id FROM group_keys WHERE group_id = ? ORDER BY epoch`), groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.GroupKeys
	for rows.Next() {
		var k store.GroupKeys
		if err := rows.Scan(&k.GroupID, &k.Epoch, &k.SignPub, &k.KEMPub, &k.KeysSig, &k.SignerID); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// markPending records rotations owed (the earliest reason stays).
func (s *Store) markPending(ctx context.Context, tx *sql.Tx, reason string, since int64, query string, args ...any) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO pending_rotations (object_id, org_id, kind, epoch, reason, since)
		SELECT p.object_id, p.org_id, p.kind, p.epoch, ?, ? FROM (`+query+`) p WHERE 1 = 1
		ON CONFLICT (object_id) DO NOTHING`), append([]any{reason, since}, args...)...)
	return err
}

// heldGroups selects the groups whose key a user holds (three ? for the
// user): as a member, as the manager (the owner manages organisation
// groups without being a member), or through any wrap of any epoch (an
// owner who handed the organisation on keeps the wraps they had).
const heldGroups = `SELECT group_id FROM group_members WHERE user_id = ?
	UNION SELECT id FROM org_groups WHERE manager_id = ?
	UNION SELECT group_id FROM group_key_wraps WHERE member_id = ?`

// markRotationsForMember marks what a member leaving the organisation could
// open: the organisation key, their groups and every vault whose key they
// held, directly or through a group (§18.2). Run before their wraps go.
func (s *Store) markRotationsForMember(ctx context.Context, tx *sql.Tx, orgID, userID, reason string, since int64) error {
	return s.markPending(ctx, tx, reason, since, `
		SELECT o.id AS object_id, o.id AS org_id, 'org' AS kind, o.key_epoch AS epoch FROM orgs o WHERE o.id = ?
		UNION SELECT g.id, g.org_id, 'group', g.epoch FROM org_groups g WHERE g.org_id = ? AND g.id IN (`+heldGroups+`)
		UNION SELECT v.id, v.org_id, 'vault', v.epoch FROM vaults v WHERE v.org_id = ? AND v.id IN (
			SELECT w.vault_id FROM vault_key_wraps w WHERE w.recipient_kind = 'user' AND w.recipient_id = ?
			UNION SELECT w.vault_id FROM vault_key_wraps w WHERE w.recipient_kind = 'group' AND w.recipient_id IN (`+heldGroups+`))`,
		orgID, orgID, userID, userID, userID, orgID, userID, userID, userID, userID)
}

// markRotationsForGroupMember marks a group and the vaults granted to it
// when a member leaves the group.
func (s *Store) markRotationsForGroupMember(ctx context.Context, tx *sql.Tx, groupID string, since int64) error {
	return s.markPending(ctx, tx, store.RotateGroup, since, `
		SELECT g.id AS object_id, g.org_id AS org_id, 'group' AS kind, g.epoch AS epoch FROM org_groups g WHERE g.id = ?
		UNION SELECT v.id, v.org_id, 'vault', v.epoch FROM vaults v JOIN vault_key_wraps w ON w.vault_id = v.id
			WHERE w.recipient_kind = 'group' AND w.recipient_id = ?`, groupID, groupID)
}

// markRotationForVault marks a vault after a revoked grant.
func (s *Store) markRotationForVault(ctx context.Context, tx *sql.Tx, vaultID string, since int64) error {
	return s.markPending(ctx, tx, store.RotateRevoked, since, `
		SELECT v.id AS object_id, v.org_id AS org_id, 'vault' AS kind, v.epoch AS epoch FROM vaults v WHERE v.id = ? AND v.kind = 'org'`, vaultID)
}

// exactly checks that the wraps of a rotation go to exactly want (ids)
// and to no one else.
func exactly(want []string, got []string, what string) error {
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		return &store.RecordConflict{Reason: "the new epoch must be wrapped to exactly the " + what + " (they changed meanwhile?)"}
	}
	return nil
}

// stillOwed: a holder's rotation of an object (holds: they still hold it)
// goes ahead only while the object owes one — re-checked in the
// rotation's transaction, so a removal or a rotation that commits first
// is seen.
func (s *Store) stillOwed(ctx context.Context, tx *sql.Tx, objectID string, holds bool) error {
	if !holds {
		return store.ErrNoLongerAllowed
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM pending_rotations WHERE object_id = ?`), objectID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return &store.RecordConflict{Reason: "the rotation is no longer owed (done meanwhile)"}
	}
	return nil
}

// rotating locks an object's row and checks its epoch is still fromEpoch.
func (s *Store) rotating(ctx context.Context, tx *sql.Tx, query, id string, fromEpoch uint64) (orgID string, err error) {
	var epoch uint64
	err = tx.QueryRowContext(ctx, s.q(query+s.dialect.ForUpdate), id).Scan(&orgID, &epoch)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.ErrNotFound
	}
	if err == nil && epoch != fromEpoch {
		err = &store.RecordConflict{Reason: fmt.Sprintf("epoch %d is no longer current (it is %d): rotated meanwhile", fromEpoch, epoch)}
	}
	return orgID, err
}

func (s *Store) RotateVault(ctx context.Context, vaultID string, fromEpoch uint64, wraps []store.VaultKeyWrap, owedBy string) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.rotating(ctx, tx, `SELECT org_id, epoch FROM vaults WHERE kind = 'org' AND id = ?`, vaultID, fromEpoch); err != nil {
			return err
		}
		if owedBy != "" {
			perm, err := s.lockedPermission(ctx, tx, owedBy, vaultID)
			if err != nil {
				return err
			}
			if err := s.stillOwed(ctx, tx, vaultID, perm > store.PermNone); err != nil {
				return err
			}
		}
		var waiting int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM vault_grants g JOIN pending_rotations p ON p.object_id = g.grantee_id
			WHERE g.vault_id = ? AND g.grantee_kind = 'group'`), vaultID).Scan(&waiting); err != nil {
			return err
		}
		if waiting > 0 {
			return &store.RecordConflict{Reason: "rotation_order: a group this vault is granted to owes its rotation first"}
		}
		grantees, err := s.stringsIn(ctx, tx, `SELECT grantee_kind || ':' || grantee_id FROM vault_grants WHERE vault_id = ?`, vaultID)
		if err != nil {
			return err
		}
		got := make([]string, 0, len(wraps))
		for _, w := range wraps {
			if w.VaultID != vaultID || w.Epoch != fromEpoch+1 {
				return &store.RecordConflict{Reason: "a wrap of another vault or epoch"}
			}
			got = append(got, w.RecipientKind+":"+w.RecipientID)
		}
		if err := exactly(grantees, got, "vault's grantees"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE vaults SET epoch = ? WHERE id = ?`), fromEpoch+1, vaultID); err != nil {
			return err
		}
		for _, w := range wraps {
			if err := s.insertVaultKeyWrap(ctx, tx, w); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM pending_rotations WHERE object_id = ?`), vaultID); err != nil {
			return err
		}
		_, err = s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventVaultChanged, VaultID: vaultID})
		return err
	})
}

func (s *Store) RotateGroup(ctx context.Context, groupID string, fromEpoch uint64, keys store.GroupKeys, wraps []store.KeyWrap, owedBy string) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		orgID, err := s.rotating(ctx, tx, `SELECT org_id, epoch FROM org_groups WHERE id = ?`, groupID, fromEpoch)
		if err != nil {
			return err
		}
		if owedBy != "" {
			var n int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM group_members WHERE group_id = ? AND user_id = ?`+s.dialect.ForShare), groupID, owedBy).Scan(&n); err != nil {
				return err
			}
			if err := s.stillOwed(ctx, tx, groupID, n > 0); err != nil {
				return err
			}
		}
		holders, err := s.stringsIn(ctx, tx, `SELECT user_id FROM group_members WHERE group_id = ?
			UNION SELECT manager_id FROM org_groups WHERE id = ?`, groupID, groupID)
		if err != nil {
			return err
		}
		got := make([]string, 0, len(wraps))
		for _, w := range wraps {
			if w.ObjectID != groupID || w.Epoch != fromEpoch+1 {
				return &store.RecordConflict{Reason: "a wrap of another group or epoch"}
			}
			got = append(got, w.MemberID)
		}
		if err := exactly(holders, got, "group's members and manager"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE org_groups SET sign_pub = ?, kem_pub = ?, keys_sig = ?, keys_signer_id = ?, epoch = ? WHERE id = ?`),
			keys.SignPub, keys.KEMPub, keys.KeysSig, keys.SignerID, fromEpoch+1, groupID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO group_keys (group_id, epoch, sign_pub, kem_pub, keys_sig, signer_id) VALUES (?, ?, ?, ?, ?, ?)`),
			groupID, fromEpoch+1, keys.SignPub, keys.KEMPub, keys.KeysSig, keys.SignerID); err != nil {
			return err
		}
		for _, w := range wraps {
			if err := s.insertKeyWrap(ctx, tx, "group_key_wraps", "group_id", w); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM pending_rotations WHERE object_id = ?`), groupID); err != nil {
			return err
		}
		_, err = s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventGroupChanged, OrgID: orgID, TargetGroup: groupID})
		return err
	})
}

func (s *Store) RotateOrg(ctx context.Context, orgID string, fromEpoch uint64, wraps []store.KeyWrap) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.rotating(ctx, tx, `SELECT id, key_epoch FROM orgs WHERE id = ?`, orgID, fromEpoch); err != nil {
			return err
		}
		members, err := s.stringsIn(ctx, tx, `SELECT user_id FROM org_members WHERE org_id = ?`, orgID)
		if err != nil {
			return err
		}
		got := make([]string, 0, len(wraps))
		for _, w := range wraps {
			if w.ObjectID != orgID || w.Epoch != fromEpoch+1 {
				return &store.RecordConflict{Reason: "a wrap of another organisation or epoch"}
			}
			got = append(got, w.MemberID)
		}
		if err := exactly(members, got, "organisation's members"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE orgs SET key_epoch = ? WHERE id = ?`), fromEpoch+1, orgID); err != nil {
			return err
		}
		for _, w := range wraps {
			if err := s.insertKeyWrap(ctx, tx, "org_key_wraps", "org_id", w); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM pending_rotations WHERE object_id = ?`), orgID); err != nil {
			return err
		}
		_, err = s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventOrgChanged, OrgID: orgID})
		return err
	})
}
