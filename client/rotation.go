package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Rotation (docs/protocol.md §18.2): after someone loses access, every key
// they could open gets a new epoch, wrapped only to those who keep access,
// and a signed record saying so. Nothing is re-encrypted: old revisions
// keep their keys, new ones are written under the new epoch.

// PendingRotation is a rotation the server says an organisation owes.
type PendingRotation struct {
	_        [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	OrgID    string
	Kind     string // org, group or vault
	ObjectID string
	Name     string // as this account can name it; "" if it cannot
	Epoch    uint64
	Reason   string    // removed, left, unbound, deleted, group or revoked
	Since    time.Time // when it became owed (the server's clock)
}

// PendingRotations lists what the organisation owes.
func (s *Session) PendingRotations(ctx context.Context, orgID string) ([]PendingRotation, error) {
	var resp []api.PendingRotation
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(orgID)+"/rotations", nil, &resp); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PendingRotation, 0, len(resp))
	for _, p := range resp {
		pr := PendingRotation{OrgID: orgID, Kind: p.Kind, ObjectID: p.ObjectID, Epoch: p.Epoch, Reason: p.Reason, Since: p.Since}
		switch {
		case p.Kind == "org" && s.orgs[p.ObjectID] != nil:
			pr.Name = s.orgs[p.ObjectID].Name
		case p.Kind == "group" && s.groups[p.ObjectID] != nil:
			pr.Name = s.groups[p.ObjectID].Name
		case p.Kind == "vault" && s.vaults[p.ObjectID] != nil:
			pr.Name = s.vaults[p.ObjectID].Name
		}
		out = append(out, pr)
	}
	return append(out, s.owedHereOnlyLocked(orgID, out)...), nil
}

// ReasonUntrustedKey: a rotation this device sees owed though the server
// lists none (owedHereLocked): its current key was made by someone who no
// longer holds it, or its newest record names a former member.
const ReasonUntrustedKey = "untrusted-key"

// owedHereOnlyLocked lists the organisation's groups and vaults this
// device sees owing a rotation that listed does not name. Derived from
// verified records and the signed roster, a server cannot hide them.
func (s *Session) owedHereOnlyLocked(orgID string, listed []PendingRotation) []PendingRotation {
	named := map[string]bool{}
	for _, p := range listed {
		named[p.ObjectID] = true
	}
	var out []PendingRotation
	add := func(kind, id, name string) {
		if c := s.chains[id]; !named[id] && s.owedHereLocked(orgID, id) {
			out = append(out, PendingRotation{OrgID: orgID, Kind: kind, ObjectID: id, Name: name, Epoch: c.latest.Epoch, Reason: ReasonUntrustedKey})
		}
	}
	for _, g := range s.groups {
		if g.OrgID == orgID {
			add("group", g.ID, g.Name)
		}
	}
	for _, v := range s.vaults {
		if v.OrgID == orgID && v.Kind == "org" {
			add("vault", v.ID, v.Name)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ObjectID < out[j].ObjectID })
	return out
}

// owesHere: the organisation has something owedHereLocked.
func (s *Session) owesHere(orgID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.owedHereOnlyLocked(orgID, nil)) > 0
}

// CompleteRotations does every owed rotation of the user's organisations
// that this account can do — groups first (a vault's new key is wrapped to
// its groups' new keys), then organisation keys, then vaults — and
// returns how many it did. A rotation it cannot do yet (a vault whose
// group someone else must rotate first) stays pending for the next key
// holder; only unexpected failures are errors.
func (s *Session) CompleteRotations(ctx context.Context) (int, error) {
	return s.completeRotations(ctx, s.refresh, false)
}

// completeRotations is CompleteRotations with sync as the way to see what
// a rotation made (a caller holding s.op passes syncLocked). With
// onlyOwed it asks only organisations whose listing says they owe some,
// and skips what it already tried at the same epoch this session (a
// rotation someone else must do is not asked for at every sync).
func (s *Session) completeRotations(ctx context.Context, sync func(context.Context) error, onlyOwed bool) (int, error) {
	done := 0
	for _, o := range s.Orgs() {
		if onlyOwed && o.pendingRotations == 0 && !s.owesHere(o.ID) {
			continue
		}
		pending, err := s.PendingRotations(ctx, o.ID)
		if err != nil {
			return done, err
		}
		// (sort, not slices: see crypto.SortRecipients)
		sort.SliceStable(pending, func(i, j int) bool { return rotationOrder(pending[i].Kind) < rotationOrder(pending[j].Kind) })
		// Groups still owing a rotation hold back the vaults granted to
		// them (the server would answer rotation_order).
		waiting := map[string]bool{}
		for _, p := range pending {
			if p.Kind == "group" {
				waiting[p.ObjectID] = true
			}
		}
		for _, p := range pending {
			s.mu.Lock()
			tried := s.rotationTried[p.ObjectID] == p.Epoch
			s.mu.Unlock()
			if onlyOwed && tried {
				continue
			}
			did, err := s.rotateOwed(ctx, o, p, waiting)
			if did || err != nil {
				// Tried: a sync does not try again at this epoch.
				s.mu.Lock()
				if s.rotationTried == nil {
					s.rotationTried = map[string]uint64{}
				}
				s.rotationTried[p.ObjectID] = p.Epoch
				s.mu.Unlock()
			}
			var ae *APIError
			if errors.As(err, &ae) && (ae.Code == api.CodeRotationOrder || ae.Code == api.CodeRecordConflict || ae.Status == 403 || ae.Status == 404) {
				continue // someone else's to do, or done meanwhile
			}
			if err != nil {
				return done, fmt.Errorf("rotating %s %s: %w", p.Kind, p.ObjectID, err)
			}
			if did {
				done++
				delete(waiting, p.ObjectID)
				// The next rotation wraps to what this one made.
				if err := sync(ctx); err != nil && !IsQuarantine(err) {
					return done, err
				}
			}
		}
	}
	return done, nil
}

func rotationOrder(kind string) int {
	switch kind {
	case "group":
		return 0
	case "org":
		return 1
	}
	return 2
}

// rotateOwed does one owed rotation if it is this account's to do: the
// organisation key the owner's, a group's keys its manager's, a vault's
// key its managers' — or, when no current member manages the vault any
// more (a private group's vault whose creator left), any of its holders'.
// So one client, not every member online, answers a removal, and a
// vault waits until the groups it is granted to (waiting) have new keys.
func (s *Session) rotateOwed(ctx context.Context, o *Org, p PendingRotation, waiting map[string]bool) (bool, error) {
	me := s.Profile.UserID
	s.mu.Lock()
	g, v := s.groups[p.ObjectID], s.vaults[p.ObjectID]
	vaultMine := v != nil && (v.Permission == "manage" || !s.managedLocked(o.ID, p.ObjectID))
	blocked := false
	if c := s.chains[p.ObjectID]; c != nil {
		for _, r := range c.recipients {
			blocked = blocked || (r.Kind == crypto.RecipientGroup && waiting[r.ID])
		}
	}
	s.mu.Unlock()
	switch {
	case p.Kind == "org" && o.OwnerID == me:
		return true, s.rotateOrg(ctx, o)
	case p.Kind == "group" && g != nil && g.ManagerID == me:
		return true, s.rotateGroup(ctx, g)
	case p.Kind == "vault" && vaultMine && !blocked:
		return true, s.rotateVault(ctx, v)
	}
	return false, nil
}

// managedLocked: a current member of the organisation manages the vault,
// directly or through a group, as its newest record says.
func (s *Session) managedLocked(orgID, vaultID string) bool {
	c := s.chains[vaultID]
	if c == nil {
		return true // unknown: leave it to those who know
	}
	for _, r := range c.recipients {
		if r.Permission < 3 {
			continue
		}
		if _, member := s.members[orgID][r.ID]; r.Kind == crypto.RecipientUser && member {
			return true
		}
		if r.Kind == crypto.RecipientGroup {
			if gc := s.chains[r.ID]; gc != nil {
				for _, m := range gc.recipients {
					if _, member := s.members[orgID][m.ID]; member {
						return true
					}
				}
			}
		}
	}
	return false
}

// RotateVault gives a vault's key a new epoch, wrapped to every grantee
// the vault keeps (users at their roster keys, groups at their newest).
func (s *Session) RotateVault(ctx context.Context, v *Vault) error {
	if err := s.rotateVault(ctx, v); err != nil {
		return err
	}
	return s.refresh(ctx)
}

// RotateGroup gives a group new keys as its next epoch, wrapped to its
// remaining members and its manager.
func (s *Session) RotateGroup(ctx context.Context, g *Group) error {
	if err := s.rotateGroup(ctx, g); err != nil {
		return err
	}
	return s.refresh(ctx)
}

// RotateOrg gives the organisation key a new epoch, wrapped to every
// current member (the owner only).
func (s *Session) RotateOrg(ctx context.Context, o *Org) error {
	if err := s.rotateOrg(ctx, o); err != nil {
		return err
	}
	return s.refresh(ctx)
}

// rotateVault is RotateVault without the sync that shows its result.
func (s *Session) rotateVault(ctx context.Context, v *Vault) error {
	if v.Kind != "org" {
		return fmt.Errorf("%w: My Vault has one reader: there is nothing to rotate", ErrNotAllowed)
	}
	s.mu.Lock()
	if synced, ok := s.vaults[v.ID]; ok {
		v = synced // as last synced: its epoch now
	}
	s.mu.Unlock()
	rs, err := s.vaultRecipients(ctx, v, nil)
	if err != nil {
		return err
	}
	key, next := crypto.NewKey(), v.Epoch+1
	members := s.memberKeys(v.OrgID)
	var wraps []api.VaultKeyWrap
	for _, r := range rs {
		keys := members[r.ID].Keys
		if r.Kind == crypto.RecipientGroup {
			g, err := s.wrapTargetGroup(ctx, v.OrgID, r.ID)
			if err != nil {
				return err
			}
			keys = g.keys
		}
		w, err := s.wrapVaultKey(v.OrgID, v.ID, next, r.Kind, r.ID, keys, key)
		if err != nil {
			return err
		}
		wraps = append(wraps, w)
	}
	st := s.vaultState(v, rs)
	st.epoch, st.keyCommit = next, crypto.EpochKeyCommit(key)
	rec, err := s.nextRecord(ctx, st, false)
	if err != nil {
		return err
	}
	stmt := s.statement(v.OrgID, api.AuditRotate, api.TargetRotation(api.ObjectVault, v.ID, next))
	if err := s.t.doStated(ctx, "POST", "/vaults/"+url.PathEscape(v.ID)+"/rotate", stmt, api.RotateVaultRequest{FromEpoch: v.Epoch, Wraps: wraps, Record: rec}, nil); err != nil {
		return err
	}
	s.mu.Lock()
	s.vaultKeys[epochKey{v.ID, next}] = key // the rotator keeps the key it made
	s.mu.Unlock()
	return nil
}

// rotateGroup is RotateGroup without the sync.
func (s *Session) rotateGroup(ctx context.Context, g *Group) error {
	s.mu.Lock()
	if synced, ok := s.groups[g.ID]; ok {
		g = synced
	}
	s.mu.Unlock()
	// The new keys go to exactly the members the record names (the
	// server's list, only as far as the signed records vouch for it) and
	// to the manager.
	st := s.groupState(g, nil, "")
	members := s.memberKeys(g.OrgID)
	holders := map[string]crypto.PublicKeys{}
	for _, r := range st.recipients {
		holders[r.ID] = members[r.ID].Keys
	}
	if m, ok := members[g.ManagerID]; ok {
		holders[g.ManagerID] = m.Keys
	}
	gid, err := crypto.NewIdentity()
	if err != nil {
		return err
	}
	seeds := gid.PrivateSeeds()
	defer clear(seeds)
	next, me := g.epoch+1, s.Profile.UserID
	var wraps []api.KeyWrap
	for id, keys := range holders {
		c := crypto.KeyWrapContext{Kind: crypto.KindGroupKey, OrgID: g.OrgID, ObjectID: g.ID, Epoch: next, RecipientKind: crypto.RecipientUser, RecipientID: id, Recipient: keys}
		w, sig, err := crypto.WrapKey(s.id, me, c, seeds)
		if err != nil {
			return err
		}
		wraps = append(wraps, api.KeyWrap{Epoch: next, MemberID: id, SignerID: me, Wrap: w, Sig: sig})
	}
	st.epoch, st.keyCommit = next, gid.Public().Fingerprint()
	rec, err := s.nextRecord(ctx, st, false)
	if err != nil {
		return err
	}
	req := api.RotateGroupRequest{FromEpoch: g.epoch, SignPub: gid.Public().Sign, KEMPub: gid.Public().KEM,
		KeysSig: s.id.SignPublicKeys(crypto.RecipientGroup, g.ID, gid.Public()), Wraps: wraps, Record: rec}
	stmt := s.statement(g.OrgID, api.AuditRotate, api.TargetRotation(api.ObjectGroup, g.ID, next))
	return s.t.doStated(ctx, "POST", "/groups/"+url.PathEscape(g.ID)+"/rotate", stmt, req, nil)
}

// rotateOrg is RotateOrg without the sync.
func (s *Session) rotateOrg(ctx context.Context, o *Org) error {
	if o.OwnerID != s.Profile.UserID {
		return fmt.Errorf("%w: only the organisation's owner rotates its key", ErrNotAllowed)
	}
	key, next, me := crypto.NewKey(), o.keyEpoch+1, s.Profile.UserID
	var wraps []api.KeyWrap
	for id, m := range s.memberKeys(o.ID) {
		c := crypto.KeyWrapContext{Kind: crypto.KindOrgKey, OrgID: o.ID, ObjectID: o.ID, Epoch: next, RecipientKind: crypto.RecipientUser, RecipientID: id, Recipient: m.Keys}
		w, sig, err := crypto.WrapKey(s.id, me, c, key)
		if err != nil {
			return err
		}
		wraps = append(wraps, api.KeyWrap{Epoch: next, MemberID: id, SignerID: me, Wrap: w, Sig: sig})
	}
	rec, err := s.nextRecord(ctx, recordState{orgID: o.ID, kind: crypto.RecordOrg, objectID: o.ID, epoch: next, keyCommit: crypto.EpochKeyCommit(key), meta: o.meta}, false)
	if err != nil {
		return err
	}
	stmt := s.statement(o.ID, api.AuditRotate, api.TargetRotation(api.ObjectOrg, o.ID, next))
	return s.t.doStated(ctx, "POST", "/orgs/"+url.PathEscape(o.ID)+"/rotate", stmt, api.RotateOrgRequest{FromEpoch: o.keyEpoch, Wraps: wraps, Record: rec}, nil)
}
