package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

const orgColumns = `o.id, o.owner_id, o.meta, o.key_epoch, o.roster_version, o.roster, o.roster_sig, o.created_at, o.require_two_factor`

func scanOrg(row interface{ Scan(...any) error }, extra ...any) (store.Org, error) {
	var o store.Org
	var created, require2FA int64
	err := row.Scan(append([]any{&o.ID, &o.OwnerID, &o.Meta, &o.KeyEpoch, &o.RosterVersion, &o.Roster, &o.RosterSig, &created, &require2FA}, extra...)...)
	o.CreatedAt, o.RequireTwoFactor = fromMS(created), require2FA != 0
	return o, err
}

func (s *Store) insertKeyWrap(ctx context.Context, tx *sql.Tx, table, idColumn string, w store.KeyWrap) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO `+table+` (`+idColumn+`, epoch, member_id, signer_id, wrap, sig, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), w.ObjectID, w.Epoch, w.MemberID, w.SignerID, w.Wrap, w.Sig, ms(w.CreatedAt))
	return err
}

func (s *Store) CreateOrg(ctx context.Context, o store.Org, ownerWrap store.KeyWrap) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockSeq(ctx, tx); err != nil {
			return err
		}
		if err := s.within(ctx, tx, store.MaxOrgsPerOwner, "organisations owned by one account",
			`SELECT COUNT(*) FROM orgs WHERE owner_id = ?`, o.OwnerID); err != nil {
			return err
		}
		seq, err := s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventOrgCreated, OrgID: o.ID, TargetUser: o.OwnerID})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO orgs (id, owner_id, meta, key_epoch, roster_version, roster, roster_sig, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), o.ID, o.OwnerID, o.Meta, o.KeyEpoch, o.RosterVersion, o.Roster, o.RosterSig, ms(o.CreatedAt)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO org_members (org_id, user_id, role, confirmed_at, seq) VALUES (?, ?, 'owner', ?, ?)`),
			o.ID, o.OwnerID, ms(o.CreatedAt), seq); err != nil {
			return err
		}
		return s.insertKeyWrap(ctx, tx, "org_key_wraps", "org_id", ownerWrap)
	})
}

func (s *Store) Org(ctx context.Context, id string) (store.Org, error) {
	o, err := scanOrg(s.r.QueryRowContext(ctx, s.q(`SELECT `+orgColumns+` FROM orgs o WHERE o.id = ?`), id))
	return o, s.wrap(err)
}

func (s *Store) OrgRole(ctx context.Context, orgID, userID string) (string, error) {
	var role string
	err := s.r.QueryRowContext(ctx, s.q(`SELECT role FROM org_members WHERE org_id = ? AND user_id = ?`), orgID, userID).Scan(&role)
	if err == sql.ErrNoRows {
		if _, err := s.Org(ctx, orgID); err != nil {
			return "", err
		}
		return "", nil
	}
	return role, s.wrap(err)
}

func (s *Store) OrgsForUser(ctx context.Context, userID string) ([]store.OrgAccess, error) {
	var out []store.OrgAccess
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+orgColumns+`, m.role FROM orgs o JOIN org_members m ON m.org_id = o.id
			WHERE m.user_id = ? ORDER BY o.created_at, o.id`), userID)
		if err != nil {
			return err
		}
		index := map[string]int{}
		for rows.Next() {
			var role string
			o, err := scanOrg(rows, &role)
			if err != nil {
				rows.Close()
				return err
			}
			index[o.ID] = len(out)
			out = append(out, store.OrgAccess{Org: o, Role: role})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		wraps, err := s.keyWraps(ctx, tx, `SELECT org_id, epoch, member_id, signer_id, wrap, sig, created_at FROM org_key_wraps WHERE member_id = ?`, userID)
		if err != nil {
			return err
		}
		for _, w := range wraps {
			if i, ok := index[w.ObjectID]; ok {
				out[i].Wraps = append(out[i].Wraps, w)
			}
		}
		// Ownership transfers, accepted and open (§18.5), without wraps.
		trows, err := tx.QueryContext(ctx, s.q(`SELECT t.org_id, t.roster_version, t.old_owner_id, t.new_owner_id, t.new_owner_fp, t.record_heads, t.sig, NULL, t.offered_at, t.accepted_at
			FROM org_transfers t JOIN org_members m ON m.org_id = t.org_id WHERE m.user_id = ? ORDER BY t.org_id, t.roster_version`), userID)
		if err != nil {
			return err
		}
		for trows.Next() {
			t, err := scanTransfer(trows)
			if err != nil {
				trows.Close()
				return err
			}
			i, ok := index[t.OrgID]
			switch {
			case !ok:
			case t.Open():
				out[i].Offer = &t
			default:
				out[i].Transfers = append(out[i].Transfers, t)
			}
		}
		trows.Close()
		if err := trows.Err(); err != nil {
			return err
		}
		// How many rotations each organisation owes: a client that can do
		// some does them after its sync (§18.2).
		rows, err = tx.QueryContext(ctx, s.q(`SELECT p.org_id, COUNT(*) FROM pending_rotations p JOIN org_members m ON m.org_id = p.org_id
			WHERE m.user_id = ? GROUP BY p.org_id`), userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			if i, ok := index[id]; ok {
				out[i].PendingRotations = n
			}
		}
		return rows.Err()
	})
	return out, err
}

func (s *Store) keyWraps(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]store.KeyWrap, error) {
	rows, err := tx.QueryContext(ctx, s.q(query+` ORDER BY 1, 2, 3`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.KeyWrap
	for rows.Next() {
		var w store.KeyWrap
		var created int64
		if err := rows.Scan(&w.ObjectID, &w.Epoch, &w.MemberID, &w.SignerID, &w.Wrap, &w.Sig, &created); err != nil {
			return nil, err
		}
		w.CreatedAt = fromMS(created)
		out = append(out, w)
	}
	return out, rows.Err()
}

func (s *Store) OrgMembers(ctx context.Context, orgID string) ([]store.Member, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT a.id, a.email, a.name, m.role, a.sign_pub, a.kem_pub, a.public_keys_sig, m.confirmed_at
		FROM org_members m JOIN accounts a ON a.id = m.user_id WHERE m.org_id = ? ORDER BY a.email`), orgID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.Member
	for rows.Next() {
		var m store.Member
		var confirmed int64
		if err := rows.Scan(&m.UserID, &m.Email, &m.Name, &m.Role, &m.SignPub, &m.KEMPub, &m.PublicKeysSig, &confirmed); err != nil {
			return nil, s.wrap(err)
		}
		m.ConfirmedAt = fromMS(confirmed)
		out = append(out, m)
	}
	return out, s.wrap(rows.Err())
}

const invitationColumns = `id, org_id, batch_id, email, state, COALESCE(user_id, ''), join_mac, failed_attempts, created_at, updated_at`

func scanInvitation(row interface{ Scan(...any) error }) (store.Invitation, error) {
	var in store.Invitation
	var created, updated int64
	err := row.Scan(&in.ID, &in.OrgID, &in.BatchID, &in.Email, &in.State, &in.UserID, &in.JoinMAC, &in.FailedAttempts, &created, &updated)
	in.CreatedAt, in.UpdatedAt = fromMS(created), fromMS(updated)
	return in, err
}

func (s *Store) invitations(ctx context.Context, where string, args ...any) ([]store.Invitation, error) {
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT `+invitationColumns+` FROM invitations WHERE `+where+` ORDER BY created_at, email`), args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []store.Invitation
	for rows.Next() {
		in, err := scanInvitation(rows)
		if err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, in)
	}
	return out, s.wrap(rows.Err())
}

func (s *Store) CreateInvitations(ctx context.Context, b store.InviteBatch, invs []store.Invitation) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockSeq(ctx, tx); err != nil {
			return err
		}
		// A re-issue first cancels what it replaces: only an invitation of
		// this organisation, for the same address, still invited (a
		// concurrent join or cancel makes it ErrNotFound, nothing stored).
		for _, in := range invs {
			if in.Replaces == "" {
				continue
			}
			res, err := tx.ExecContext(ctx, s.q(`UPDATE invitations SET state = 'cancelled', updated_at = ?
				WHERE id = ? AND org_id = ? AND email = ? AND state = 'invited'`), ms(b.CreatedAt), in.Replaces, b.OrgID, strings.ToLower(in.Email))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return sql.ErrNoRows
			}
		}
		// The mail budget, under the change counter's lock taken above:
		// concurrent batches through any instances are counted one after
		// the other, so together they never pass it.
		if bu := b.Budget; bu != nil {
			var byOrg, byInviter int
			if err := tx.QueryRowContext(ctx, s.q(invitationsSinceSQL), b.OrgID, ms(bu.Since), b.InviterID, ms(bu.Since)).Scan(&byOrg, &byInviter); err != nil {
				return err
			}
			if byInviter+len(invs) > bu.PerInviter {
				return &store.InviteBudgetError{Max: bu.PerInviter, Used: byInviter, BatchCount: len(invs)}
			}
			if byOrg+len(invs) > bu.PerOrg {
				return &store.InviteBudgetError{ByOrg: true, Max: bu.PerOrg, Used: byOrg, BatchCount: len(invs)}
			}
		}
		if err := s.within(ctx, tx, store.MaxOpenInvitationsPerOrg-len(invs)+1, "open invitations in one organisation (confirm or cancel some first)",
			`SELECT COUNT(*) FROM invitations WHERE org_id = ? AND state IN ('invited', 'joined')`, b.OrgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO invite_batches (id, org_id, verifier_hash, org_tag, details, sealed_code, created_at, inviter_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), b.ID, b.OrgID, b.VerifierHash, b.OrgTag, b.Details, b.SealedCode, ms(b.CreatedAt), b.InviterID); err != nil {
			return err
		}
		for _, in := range invs {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO invitations (id, org_id, batch_id, email, state, created_at, updated_at)
				VALUES (?, ?, ?, ?, 'invited', ?, ?)`), in.ID, b.OrgID, b.ID, strings.ToLower(in.Email), ms(b.CreatedAt), ms(b.CreatedAt)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) Invitation(ctx context.Context, id string) (store.Invitation, error) {
	in, err := scanInvitation(s.r.QueryRowContext(ctx, s.q(`SELECT `+invitationColumns+` FROM invitations WHERE id = ?`), id))
	return in, s.wrap(err)
}

func (s *Store) InviteBatch(ctx context.Context, id string) (store.InviteBatch, error) {
	var b store.InviteBatch
	var created int64
	err := s.r.QueryRowContext(ctx, s.q(`SELECT id, org_id, verifier_hash, org_tag, details, sealed_code, created_at, inviter_id FROM invite_batches WHERE id = ?`), id).
		Scan(&b.ID, &b.OrgID, &b.VerifierHash, &b.OrgTag, &b.Details, &b.SealedCode, &created, &b.InviterID)
	b.CreatedAt = fromMS(created)
	return b, s.wrap(err)
}

// invitationsSinceSQL counts the invitations since a time in one
// organisation and by one inviter: the invitation mail budget.
const invitationsSinceSQL = `SELECT
	(SELECT COUNT(*) FROM invitations WHERE org_id = ? AND created_at >= ?),
	(SELECT COUNT(*) FROM invitations i JOIN invite_batches b ON b.id = i.batch_id WHERE b.inviter_id = ? AND b.created_at >= ?)`

func (s *Store) InvitationsSince(ctx context.Context, orgID, inviterID string, t time.Time) (int, int, error) {
	var byOrg, byInviter int
	err := s.r.QueryRowContext(ctx, s.q(invitationsSinceSQL), orgID, ms(t), inviterID, ms(t)).Scan(&byOrg, &byInviter)
	return byOrg, byInviter, s.wrap(err)
}

func (s *Store) OrgInvitations(ctx context.Context, orgID string) ([]store.Invitation, error) {
	return s.invitations(ctx, `org_id = ?`, orgID)
}

func (s *Store) OpenInvitationsFor(ctx context.Context, email string) ([]store.Invitation, error) {
	return s.invitations(ctx, `email = ? AND state IN ('invited', 'joined')`, strings.ToLower(email))
}

func (s *Store) CountJoinAttempt(ctx context.Context, id string, limit int, at time.Time) (int, error) {
	// One statement: the check and the increment cannot be separated by a
	// concurrent attempt (SQLite has one writer; PostgreSQL re-checks the
	// WHERE on the row a concurrent update committed).
	var n int
	err := s.w.QueryRowContext(ctx, s.q(`UPDATE invitations SET failed_attempts = failed_attempts + 1, updated_at = ?
		WHERE id = ? AND state = 'invited' AND failed_attempts < ? RETURNING failed_attempts`), ms(at), id, limit).Scan(&n)
	return n, s.wrap(err)
}

func (s *Store) NoteInvitationLocked(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var ownerID string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT o.owner_id FROM orgs o JOIN invitations i ON i.org_id = o.id WHERE i.id = ?`), id).Scan(&ownerID); err != nil {
			return err
		}
		// No organisation id: no other member receives it.
		_, err := s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventInvitationLocked, TargetUser: ownerID})
		return err
	})
}

// setInvitationState moves an invitation from one of the states in from to
// state to; ErrNotFound if it is in none of them.
func (s *Store) setInvitationState(ctx context.Context, tx *sql.Tx, id, to string, at time.Time, from ...string) error {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE invitations SET state = ?, updated_at = ? WHERE id = ? AND state IN (?`+strings.Repeat(", ?", len(from)-1)+`)`),
		append([]any{to, ms(at), id}, stringsToAny(from)...)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (s *Store) JoinInvitation(ctx context.Context, id, userID string, mac []byte, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.setInvitationState(ctx, tx, id, store.InviteJoined, at, store.InviteInvited); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE invitations SET user_id = ?, join_mac = ? WHERE id = ?`), userID, mac, id); err != nil {
			return err
		}
		// The owner's open pages learn that someone waits for them in
		// Members. Addressed to the owner alone (no organisation id: no
		// other member receives it).
		var ownerID string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT o.owner_id FROM orgs o JOIN invitations i ON i.org_id = o.id WHERE i.id = ?`), id).Scan(&ownerID); err != nil {
			return err
		}
		_, err := s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventMemberJoined, TargetUser: ownerID})
		return err
	})
}

// setRoster moves the organisation's roster to o.RosterVersion, which must
// be exactly one more than the stored version.
func (s *Store) setRoster(ctx context.Context, tx *sql.Tx, o store.Org) error {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE orgs SET roster_version = ?, roster = ?, roster_sig = ? WHERE id = ? AND roster_version = ?`),
		o.RosterVersion, o.Roster, o.RosterSig, o.ID, o.RosterVersion-1)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var cur uint64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT roster_version FROM orgs WHERE id = ?`), o.ID).Scan(&cur); err != nil {
			return err
		}
		return &store.ConflictError{Head: cur}
	}
	return nil
}

func (s *Store) ConfirmMember(ctx context.Context, invitationID string, o store.Org, wrap store.KeyWrap, at time.Time, earlier ...store.KeyWrap) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// The change counter first (PostgreSQL): a requirement change or a
		// disable of two-factor log-in (which take it too) commits wholly
		// before this reads, or waits for this to commit (twofactor.go).
		if err := s.lockSeq(ctx, tx); err != nil {
			return err
		}
		var epoch uint64
		var require2FA int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT key_epoch, require_two_factor FROM orgs WHERE id = ?`+s.dialect.ForUpdate), o.ID).Scan(&epoch, &require2FA); err != nil {
			return err
		}
		if epoch != wrap.Epoch {
			return &store.RecordConflict{Reason: "the organisation key was rotated meanwhile"}
		}
		var userID string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(user_id, '') FROM invitations WHERE id = ? AND org_id = ? AND state = 'joined'`),
			invitationID, o.ID).Scan(&userID); err != nil {
			return err
		}
		if require2FA != 0 {
			if on, err := s.twoFactorOnTx(ctx, tx, userID); err != nil {
				return err
			} else if !on {
				return store.ErrTwoFactorRequired
			}
		}
		for _, w := range earlier {
			if err := s.insertKeyWrap(ctx, tx, "org_key_wraps", "org_id", w); err != nil {
				return err
			}
		}
		if err := s.setInvitationState(ctx, tx, invitationID, store.InviteConfirmed, at, store.InviteJoined); err != nil {
			return err
		}
		if err := s.setRoster(ctx, tx, o); err != nil {
			return err
		}
		seq, err := s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventMemberConfirmed, OrgID: o.ID, TargetUser: userID})
		if err != nil {
			return err
		}
		// The member's events of the organisation start with this change.
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO org_members (org_id, user_id, role, confirmed_at, seq) VALUES (?, ?, 'member', ?, ?)`),
			o.ID, userID, ms(at), seq); err != nil {
			return err
		}
		return s.insertKeyWrap(ctx, tx, "org_key_wraps", "org_id", wrap)
	})
}

func (s *Store) CancelInvitation(ctx context.Context, id string, at time.Time) error {
	return s.takingTx(ctx, func(tx *sql.Tx) error {
		return s.setInvitationState(ctx, tx, id, store.InviteCancelled, at, store.InviteInvited, store.InviteJoined)
	})
}

func (s *Store) RemoveMember(ctx context.Context, o store.Org, userID string, resigned map[string][]byte) ([]string, error) {
	var left []string
	err := s.takingTx(ctx, func(tx *sql.Tx) error {
		// The member's row first (detachMember locks it): a write of
		// theirs that re-checks their membership (requirements.go) holds
		// it shared until it commits, so everything below sees what such
		// a write did, and any later one finds them gone.
		if err := s.detachMember(ctx, tx, o.ID, userID, store.RotateRemoved, time.Now()); err != nil {
			return err
		}
		if err := s.setRoster(ctx, tx, o); err != nil {
			return err
		}
		var err error
		left, err = s.resignGroups(ctx, tx, o, userID, resigned)
		return err
	})
	return left, err
}

// detachMember cuts userID's access to orgID on the server, inside tx: it
// locks and deletes their membership (refusing the owner: store.ErrOwner;
// sql.ErrNoRows if they are not a confirmed member), hands the groups they
// managed to the owner, and drops their group memberships, group and
// organisation key wraps, direct grants and vault key wraps, recovery
// enrolment and approvals, and open invitations; it emits
// EventMemberRemoved (to them and every member, so their open sessions
// drop the organisation at once) and EventGroupChanged for each group
// handed over.
//
// It is the one place every loss of organisation access goes through —
// the owner's removal, leaving, an administrator's unbinding and account
// deletion (docs/protocol.md §18.4) — so they all drop the same rows;
// work that must follow every such loss (marking rotations pending,
// §18.2; the exposure record, §18.6) belongs here. It signs nothing: the
// caller stores a new roster or marks it pending.
func (s *Store) detachMember(ctx context.Context, tx *sql.Tx, orgID, userID, reason string, at time.Time) error {
	var role, ownerID string
	if err := tx.QueryRowContext(ctx, s.q(`SELECT role FROM org_members WHERE org_id = ? AND user_id = ?`+s.dialect.ForUpdate), orgID, userID).Scan(&role); err != nil {
		return err
	}
	if role == store.RoleOwner {
		return store.ErrOwner
	}
	if err := tx.QueryRowContext(ctx, s.q(`SELECT owner_id FROM orgs WHERE id = ?`), orgID).Scan(&ownerID); err != nil {
		return err
	}
	// The owner takes over the groups the member managed.
	managed, err := s.stringsIn(ctx, tx, `SELECT id FROM org_groups WHERE org_id = ? AND manager_id = ? ORDER BY id`, orgID, userID)
	if err != nil {
		return err
	}
	events := []store.Event{{Kind: store.EventMemberRemoved, OrgID: orgID, TargetUser: userID}}
	for _, g := range managed {
		events = append(events, store.Event{Kind: store.EventGroupChanged, OrgID: orgID, TargetGroup: g})
	}
	if _, err := s.seqAndEmit(ctx, tx, events...); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM org_members WHERE org_id = ? AND user_id = ? AND role = 'member'`), orgID, userID); err != nil {
		return err
	}
	// Everything they could open is rotated (§18.2): marked before their
	// memberships, the groups they managed and their wraps go, which say
	// what that was.
	if err := s.markRotationsForMember(ctx, tx, orgID, userID, reason, ms(time.Now())); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE org_groups SET manager_id = ? WHERE org_id = ? AND manager_id = ?`), ownerID, orgID, userID); err != nil {
		return err
	}
	// And what they could read is recorded (§18.6), from the same rows.
	if err := s.exposeMember(ctx, tx, orgID, userID, reason, at); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM group_members WHERE user_id = ? AND group_id IN (SELECT id FROM org_groups WHERE org_id = ?)`,
		`DELETE FROM group_key_wraps WHERE member_id = ? AND group_id IN (SELECT id FROM org_groups WHERE org_id = ?)`,
		`DELETE FROM vault_grants WHERE grantee_kind = 'user' AND grantee_id = ? AND vault_id IN (SELECT id FROM vaults WHERE org_id = ?)`,
		`DELETE FROM vault_key_wraps WHERE recipient_kind = 'user' AND recipient_id = ? AND vault_id IN (SELECT id FROM vaults WHERE org_id = ?)`,
		`DELETE FROM org_key_wraps WHERE member_id = ? AND org_id = ?`,
		// A removed member's account key is no longer the owner's to recover.
		`DELETE FROM recovery_enrolments WHERE user_id = ? AND org_id = ?`,
		`DELETE FROM recovery_requests WHERE user_id = ? AND grant_org = ?`,
	} {
		if _, err := tx.ExecContext(ctx, s.q(q), userID, orgID); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE invitations SET state = 'cancelled' WHERE org_id = ? AND user_id = ? AND state IN ('invited', 'joined')`), orgID, userID)
	return err
}

// resignGroups stores the owner's new signatures of the keys of groups
// the former member signed, and returns the groups they signed that
// resigned does not cover (read after detachMember, under the member's
// lock: no group of theirs can appear after this).
func (s *Store) resignGroups(ctx context.Context, tx *sql.Tx, o store.Org, userID string, resigned map[string][]byte) ([]string, error) {
	for groupID, sig := range resigned {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE org_groups SET keys_sig = ?, keys_signer_id = ? WHERE id = ? AND org_id = ? AND keys_signer_id = ?`),
			sig, o.OwnerID, groupID, o.ID, userID); err != nil {
			return nil, err
		}
	}
	return s.stringsIn(ctx, tx, `SELECT id FROM org_groups WHERE org_id = ? AND keys_signer_id = ? ORDER BY id`, o.ID, userID)
}

func (s *Store) ResignGroupKeys(ctx context.Context, orgID, groupID, formerSigner, ownerID string, sig []byte) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE org_groups SET keys_sig = ?, keys_signer_id = ?
			WHERE id = ? AND org_id = ? AND keys_signer_id = ?
			AND NOT EXISTS (SELECT 1 FROM org_members WHERE org_id = ? AND user_id = ?)`),
			sig, ownerID, groupID, orgID, formerSigner, orgID, formerSigner)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return sql.ErrNoRows
		}
		_, err = s.seqAndEmit(ctx, tx, store.Event{Kind: store.EventGroupChanged, OrgID: orgID, TargetGroup: groupID})
		return err
	})
}

func (s *Store) Keyring(ctx context.Context, userID string) (uint64, []byte, error) {
	var v uint64
	var box []byte
	err := s.r.QueryRowContext(ctx, s.q(`SELECT version, box FROM keyrings WHERE user_id = ?`), userID).Scan(&v, &box)
	if err == sql.ErrNoRows {
		return 0, nil, nil
	}
	return v, box, s.wrap(err)
}

func (s *Store) PutKeyring(ctx context.Context, userID string, base uint64, box []byte, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		if base == 0 {
			res, err = tx.ExecContext(ctx, s.q(`INSERT INTO keyrings (user_id, version, box, updated_at) VALUES (?, 1, ?, ?) ON CONFLICT DO NOTHING`), userID, box, ms(at))
		} else {
			res, err = tx.ExecContext(ctx, s.q(`UPDATE keyrings SET version = version + 1, box = ?, updated_at = ? WHERE user_id = ? AND version = ?`), box, ms(at), userID, base)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var cur uint64
			tx.QueryRowContext(ctx, s.q(`SELECT version FROM keyrings WHERE user_id = ?`), userID).Scan(&cur)
			return &store.ConflictError{Head: cur}
		}
		return nil
	})
}

func (s *Store) SharesOrg(ctx context.Context, userA, userB string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM org_members a JOIN org_members b ON b.org_id = a.org_id
		WHERE a.user_id = ? AND b.user_id = ?`), userA, userB).Scan(&n)
	return n > 0, s.wrap(err)
}
