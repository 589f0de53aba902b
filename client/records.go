package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Epoch records (docs/protocol.md §18.1): the signed state of a vault,
// group or organisation — its key epoch and key, its sealed name and who
// holds it. A client signs the next record with every change it makes to
// that state; the server stores it in the change's own transaction.

// recordState is what a new record states: the object, its key epoch and
// the key's commitment, the sealed name and the epoch that sealed it, and
// the holders.
type recordState struct {
	orgID, kind, objectID string
	epoch                 uint64
	keyCommit             []byte
	metaEpoch             uint64
	meta                  []byte
	recipients            []crypto.RecordRecipient
}

// signRecord signs version (prev.Version+1, or 1 without prev) of st.
func (s *Session) signRecord(st recordState, prev *api.EpochRecord, prevHash []byte) (api.EpochRecord, error) {
	rh, err := crypto.RecipientsHash(st.recipients)
	if err != nil {
		return api.EpochRecord{}, err
	}
	cr := crypto.EpochRecord{OrgID: st.orgID, Kind: st.kind, ObjectID: st.objectID, Version: 1, Epoch: st.epoch, KeyCommit: st.keyCommit,
		MetaEpoch: st.metaEpoch, MetaHash: crypto.MetaHash(st.meta), RecipientsHash: rh, PrevHash: crypto.ZeroHash(),
		SignerID: s.Profile.UserID, Time: uint64(s.opt.now().UnixMilli())}
	if prev != nil {
		cr.Version, cr.PrevHash = prev.Version+1, prevHash
	}
	sig, err := crypto.SignEpochRecord(s.id, cr)
	if err != nil {
		return api.EpochRecord{}, err
	}
	recipients := make([]api.RecordRecipient, 0, len(st.recipients))
	for _, r := range crypto.SortRecipients(st.recipients) {
		recipients = append(recipients, api.RecordRecipient{Kind: r.Kind, ID: r.ID, Fingerprint: r.Fingerprint, Permission: r.Permission})
	}
	return api.EpochRecord{OrgID: cr.OrgID, Kind: cr.Kind, ObjectID: cr.ObjectID, Version: cr.Version, Epoch: cr.Epoch, KeyCommit: cr.KeyCommit,
		MetaEpoch: cr.MetaEpoch, MetaHash: cr.MetaHash, Recipients: recipients, PrevHash: cr.PrevHash, SignerID: cr.SignerID, TimeMS: cr.Time, Sig: sig}, nil
}

// firstRecord signs version 1 of a new object.
func (s *Session) firstRecord(st recordState) (api.EpochRecord, error) {
	st.epoch, st.metaEpoch = 1, 1
	return s.signRecord(st, nil, nil)
}

// userRecipient is a user holding an epoch with a permission (0 for a
// group's member).
func userRecipient(id string, keys crypto.PublicKeys, perm string) crypto.RecordRecipient {
	return crypto.RecordRecipient{Kind: crypto.RecipientUser, ID: id, Fingerprint: keys.Fingerprint(), Permission: permLevel(perm)}
}

// groupRecipient is a group holding a vault's epoch at its current keys.
func groupRecipient(id string, keys crypto.PublicKeys, perm string) crypto.RecordRecipient {
	return crypto.RecordRecipient{Kind: crypto.RecipientGroup, ID: id, Fingerprint: keys.Fingerprint(), Permission: permLevel(perm)}
}

// permLevel is a permission's level in a record: view 1, edit 2, manage
// 3, none (a group's member) 0.
func permLevel(perm string) uint8 {
	switch perm {
	case "view":
		return 1
	case "edit":
		return 2
	case "manage":
		return 3
	}
	return 0
}

// latestRecord fetches an object's newest record and its hash (nil for an
// object made before records were signed: its next record is version 1).
func (s *Session) latestRecord(ctx context.Context, orgID, objectID string) (*api.EpochRecord, []byte, error) {
	var resp api.Records
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(orgID)+"/records?object="+url.QueryEscape(objectID), nil, &resp); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == 404 {
			return nil, nil, nil // no records yet (a new object): its next is version 1
		}
		return nil, nil, err
	}
	var latest *api.EpochRecord
	for i, r := range resp.Records {
		if r.ObjectID == objectID && (latest == nil || r.Version > latest.Version) {
			latest = &resp.Records[i]
		}
	}
	if latest == nil {
		return nil, nil, nil
	}
	cr, err := latest.Signed()
	if err != nil {
		return nil, nil, tampered("epoch record of %s", objectID)
	}
	return latest, crypto.EpochRecordHash(cr, latest.Sig), nil
}

// nextRecord signs the record after prev for st: the key commitment and
// the name's epoch carry over unless st changes them (a rotation, a
// rename).
func (s *Session) nextRecord(ctx context.Context, st recordState, renamed bool) (api.EpochRecord, error) {
	prev, prevHash, err := s.latestRecord(ctx, st.orgID, st.objectID)
	if err != nil {
		return api.EpochRecord{}, err
	}
	if prev == nil {
		if st.epoch != 1 {
			return api.EpochRecord{}, fmt.Errorf("%s %s has no epoch record to rotate from", st.kind, st.objectID)
		}
		st.metaEpoch = 1
		return s.signRecord(st, nil, nil)
	}
	if st.epoch == prev.Epoch {
		st.keyCommit = prev.KeyCommit
	}
	if !renamed {
		st.metaEpoch = prev.MetaEpoch
	} else {
		st.metaEpoch = st.epoch
	}
	st.kind = prev.Kind
	return s.signRecord(st, prev, prevHash)
}

// vaultRecipients are a vault's grants as the server lists them, each
// grantee's keys checked (members against the roster, groups against
// their signer), with change applied.
func (s *Session) vaultRecipients(ctx context.Context, v *Vault, change func(map[string]crypto.RecordRecipient) error) ([]crypto.RecordRecipient, error) {
	var resp api.VaultAccess
	if err := s.t.do(ctx, "GET", "/vaults/"+url.PathEscape(v.ID)+"/access", nil, &resp); err != nil {
		return nil, err
	}
	members := s.memberKeys(v.OrgID)
	out := map[string]crypto.RecordRecipient{}
	for _, g := range resp.Grants {
		switch g.GranteeKind {
		case crypto.RecipientUser:
			m, ok := members[g.GranteeID]
			if !ok {
				continue // a departed member whose removal the roster has not caught up with
			}
			out["user:"+g.GranteeID] = userRecipient(g.GranteeID, m.Keys, g.Permission)
		case crypto.RecipientGroup:
			grp, err := s.findGrantableGroup(ctx, v.OrgID, g.GranteeID)
			if err != nil {
				return nil, err
			}
			out["group:"+g.GranteeID] = groupRecipient(g.GranteeID, grp.keys, g.Permission)
		}
	}
	// The server can take holders away (a removal needs no record) but
	// never add one or raise a permission: only who the newest verified
	// record lists stays, at its permission (review finding: a server
	// listing a revoked grantee made the rotation wrap the new key to them).
	s.mu.Lock()
	if c := s.chains[v.ID]; c != nil && c.err == nil {
		signed := map[string]uint8{}
		for _, r := range c.recipients {
			signed[r.Kind+":"+r.ID] = r.Permission
		}
		for k, r := range out {
			perm, ok := signed[k]
			if !ok {
				delete(out, k)
				continue
			}
			r.Permission = perm
			out[k] = r
		}
	}
	s.mu.Unlock()
	if change != nil {
		if err := change(out); err != nil {
			return nil, err
		}
	}
	list := make([]crypto.RecordRecipient, 0, len(out))
	for _, r := range out {
		list = append(list, r)
	}
	return list, nil
}

// vaultState is a vault's record state at its current epoch.
func (s *Session) vaultState(v *Vault, recipients []crypto.RecordRecipient) recordState {
	kind := crypto.RecordVault
	s.mu.Lock()
	if synced, ok := s.vaults[v.ID]; ok {
		v = synced // a vault value from before the last sync may be stale (a rename, a rotation)
	}
	vk := s.vaultKeys[epochKey{v.ID, v.Epoch}]
	for _, g := range s.groups {
		if g.VaultID == v.ID {
			kind = crypto.RecordGroupVault
		}
	}
	s.mu.Unlock()
	return recordState{orgID: v.OrgID, kind: kind, objectID: v.ID, epoch: v.Epoch, keyCommit: crypto.EpochKeyCommit(vk), meta: v.meta, recipients: recipients}
}

// groupState is a group's record state at its current epoch, its members
// (as last synced) changed by add and drop.
func (s *Session) groupState(g *Group, add []Member, drop string) recordState {
	s.mu.Lock()
	if synced, ok := s.groups[g.ID]; ok {
		g = synced // a group value from before the last sync may be stale
	}
	s.mu.Unlock()
	members := s.memberKeys(g.OrgID)
	// Members the server lists, but only those the newest verified record
	// lists too: the server can take members away, never add one.
	s.mu.Lock()
	var signed map[string]bool
	if c := s.chains[g.ID]; c != nil && c.err == nil {
		signed = map[string]bool{}
		for _, r := range c.recipients {
			signed[r.ID] = true
		}
	}
	s.mu.Unlock()
	var rs []crypto.RecordRecipient
	for _, id := range g.Members {
		if m, ok := members[id]; ok && id != drop && (signed == nil || signed[id]) {
			rs = append(rs, userRecipient(id, m.Keys, ""))
		}
	}
	for _, m := range add {
		rs = append(rs, userRecipient(m.UserID, m.Keys, ""))
	}
	kind := crypto.RecordGroup
	if g.Private {
		kind = crypto.RecordPrivateGroup
	}
	return recordState{orgID: g.OrgID, kind: kind, objectID: g.ID, epoch: g.epoch, keyCommit: g.keys.Fingerprint(), meta: g.meta, recipients: rs}
}
