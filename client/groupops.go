package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// wrapVaultKeys wraps every epoch of a vault key the user holds to one
// recipient, signed by the user.
func (s *Session) wrapVaultKeys(v *Vault, kind, id string, recipient crypto.PublicKeys) ([]api.VaultKeyWrap, error) {
	var out []api.VaultKeyWrap
	for e := uint64(1); e <= v.Epoch; e++ {
		s.mu.Lock()
		vk, ok := s.vaultKeys[epochKey{v.ID, e}]
		s.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("you do not hold epoch %d of vault %q's key", e, v.Name)
		}
		w, err := s.wrapVaultKey(v.OrgID, v.ID, e, kind, id, recipient, vk)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

func (s *Session) wrapVaultKey(orgID, vaultID string, epoch uint64, kind, id string, recipient crypto.PublicKeys, vk []byte) (api.VaultKeyWrap, error) {
	c := crypto.VaultKeyContext(orgID, vaultID, epoch, kind, id, recipient)
	wrap, sig, err := crypto.WrapKey(s.id, s.Profile.UserID, c, vk)
	return api.VaultKeyWrap{VaultID: vaultID, Epoch: epoch, RecipientKind: kind, RecipientID: id, SignerID: s.Profile.UserID, Wrap: wrap, Sig: sig}, err
}

// CreateGroup creates an organisation group (owner only) or, with private,
// a private group of any confirmed member, which comes with its own vault
// named like the group. defaultPerm is "view", "edit" or "manage" (empty:
// view).
func (s *Session) CreateGroup(ctx context.Context, orgID, name string, private bool, defaultPerm string) (*Group, error) {
	o, err := s.FindOrg(orgID)
	if err != nil {
		return nil, err
	}
	if name, err = cleanName("group", name); err != nil {
		return nil, err
	}
	if err := s.uniqueGroupName(ctx, o, name, ""); err != nil {
		return nil, err
	}
	if !private && o.OwnerID != s.Profile.UserID {
		return nil, fmt.Errorf("%w: only the organisation's owner creates organisation groups; create a private group with --private", ErrNotAllowed)
	}
	gid, err := crypto.NewIdentity()
	if err != nil {
		return nil, err
	}
	me := s.Profile.UserID
	g := &Group{ID: newID(), OrgID: o.ID, Name: name, ManagerID: me, Private: private, keys: gid.Public(), epoch: 1, id: gid}
	metaBox, err := sealMeta(o.key, name, crypto.MetaAD("coffer/v1/group-meta", o.keyEpoch, o.ID, g.ID))
	if err != nil {
		return nil, err
	}
	g.meta = metaBox
	seeds := gid.PrivateSeeds()
	defer clear(seeds)
	c := crypto.KeyWrapContext{Kind: crypto.KindGroupKey, OrgID: o.ID, ObjectID: g.ID, Epoch: 1, RecipientKind: crypto.RecipientUser, RecipientID: me, Recipient: s.id.Public()}
	wrap, sig, err := crypto.WrapKey(s.id, me, c, seeds)
	if err != nil {
		return nil, err
	}
	req := api.CreateGroupRequest{ID: g.ID, Private: private, DefaultPermission: defaultPerm, Meta: metaBox,
		SignPub: gid.Public().Sign, KEMPub: gid.Public().KEM, KeysSig: s.id.SignPublicKeys(crypto.RecipientGroup, g.ID, gid.Public()),
		KeyWrap: api.KeyWrap{Epoch: 1, MemberID: me, SignerID: me, Wrap: wrap, Sig: sig}}
	// Version 1 of the group's records: a private group's creator is its
	// first member; an organisation group starts empty.
	gst := recordState{orgID: o.ID, kind: crypto.RecordGroup, objectID: g.ID, keyCommit: gid.Public().Fingerprint(), meta: metaBox}
	if private {
		gst.kind, gst.recipients = crypto.RecordPrivateGroup, []crypto.RecordRecipient{userRecipient(me, s.id.Public(), "")}
	}
	if req.Record, err = s.firstRecord(gst); err != nil {
		return nil, err
	}
	if private {
		vaultID, vk := newID(), crypto.NewKey()
		vmeta, err := sealMeta(vk, name, metaAD("coffer/v1/vault-meta", o.ID, vaultID))
		if err != nil {
			return nil, err
		}
		toMe, err := s.wrapVaultKey(o.ID, vaultID, 1, crypto.RecipientUser, me, s.id.Public(), vk)
		if err != nil {
			return nil, err
		}
		toGroup, err := s.wrapVaultKey(o.ID, vaultID, 1, crypto.RecipientGroup, g.ID, gid.Public(), vk)
		if err != nil {
			return nil, err
		}
		m, err := firstManifest(s.id, me, o.ID, vaultID, s.opt.now().UnixMilli())
		if err != nil {
			return nil, err
		}
		perm := defaultPerm
		if perm == "" {
			perm = "view"
		}
		vrec, err := s.firstRecord(recordState{orgID: o.ID, kind: crypto.RecordGroupVault, objectID: vaultID, keyCommit: crypto.EpochKeyCommit(vk), meta: vmeta,
			recipients: []crypto.RecordRecipient{userRecipient(me, s.id.Public(), "manage"), groupRecipient(g.ID, gid.Public(), perm)}})
		if err != nil {
			return nil, err
		}
		req.Vault = &api.NewVault{ID: vaultID, Meta: vmeta, Wraps: []api.VaultKeyWrap{toMe, toGroup}, Manifest: m, Record: vrec}
		g.VaultID = vaultID
		s.mu.Lock()
		s.vaultKeys[epochKey{vaultID, 1}] = vk // the creator keeps the key it made
		s.mu.Unlock()
	}
	stmt := s.statement(o.ID, api.AuditGroupCreate, api.TargetGroupCreate(g.ID, g.VaultID))
	if err := s.t.doStated(ctx, "POST", "/orgs/"+url.PathEscape(o.ID)+"/groups", stmt, req, nil); err != nil {
		return nil, err
	}
	return g, s.refresh(ctx)
}

// AddGroupMembers adds confirmed members, by e-mail, to a group the user
// manages: one wrap of the group key each, whatever the group can open.
func (s *Session) AddGroupMembers(ctx context.Context, g *Group, emails []string) error {
	if g.ManagerID != s.Profile.UserID || g.id == nil {
		return fmt.Errorf("%w: only the group's manager can add members", ErrNotAllowed)
	}
	seeds := g.id.PrivateSeeds()
	defer clear(seeds)
	var wraps []api.KeyWrap
	var added []Member
	for _, email := range emails {
		m, err := s.memberByEmail(g.OrgID, email)
		if err != nil {
			return err
		}
		added = append(added, m)
		c := crypto.KeyWrapContext{Kind: crypto.KindGroupKey, OrgID: g.OrgID, ObjectID: g.ID, Epoch: g.epoch, RecipientKind: crypto.RecipientUser, RecipientID: m.UserID, Recipient: m.Keys}
		wrap, sig, err := crypto.WrapKey(s.id, s.Profile.UserID, c, seeds)
		if err != nil {
			return err
		}
		wraps = append(wraps, api.KeyWrap{Epoch: g.epoch, MemberID: m.UserID, SignerID: s.Profile.UserID, Wrap: wrap, Sig: sig})
	}
	rec, err := s.nextRecord(ctx, s.groupState(g, added, ""), false)
	if err != nil {
		return err
	}
	addedIDs := make([]string, len(wraps))
	for i, w := range wraps {
		addedIDs[i] = w.MemberID
	}
	stmt := s.statement(g.OrgID, api.AuditGroupAdd, api.TargetGroupMembers(g.ID, addedIDs...))
	if err := s.t.doStated(ctx, "POST", "/groups/"+url.PathEscape(g.ID)+"/members", stmt, api.AddGroupMembersRequest{Wraps: wraps, Record: rec}, nil); err != nil {
		return err
	}
	return s.refresh(ctx)
}

// RemoveGroupMember removes a member from a group the user manages.
func (s *Session) RemoveGroupMember(ctx context.Context, g *Group, email string) error {
	m, err := s.memberByEmail(g.OrgID, email)
	if err != nil {
		return err
	}
	stmt := s.statement(g.OrgID, api.AuditGroupRemove, api.TargetGroupMembers(g.ID, m.UserID))
	// The group's next record no longer lists them: its rotation can
	// never add them back (§18.1).
	rec, err := s.nextRecord(ctx, s.groupState(g, nil, m.UserID), false)
	if err != nil {
		return err
	}
	if err := s.t.doStated(ctx, "DELETE", "/groups/"+url.PathEscape(g.ID)+"/members/"+url.PathEscape(m.UserID), stmt, api.RecordRequest{Record: rec}, nil); err != nil {
		return err
	}
	if err := s.refresh(ctx); err != nil {
		return err
	}
	return s.rotateAfter(ctx, m.Email+" was removed from the group")
}

// CreateVault creates an organisation vault (owner only).
func (s *Session) CreateVault(ctx context.Context, orgID, name string) (*Vault, error) {
	o, err := s.requireOwner(orgID)
	if err != nil {
		return nil, err
	}
	if name, err = cleanName("vault", name); err != nil {
		return nil, err
	}
	if err := s.uniqueVaultName(o.ID, name, ""); err != nil {
		return nil, err
	}
	id, vk := newID(), crypto.NewKey()
	metaBox, err := sealMeta(vk, name, metaAD("coffer/v1/vault-meta", o.ID, id))
	if err != nil {
		return nil, err
	}
	toMe, err := s.wrapVaultKey(o.ID, id, 1, crypto.RecipientUser, s.Profile.UserID, s.id.Public(), vk)
	if err != nil {
		return nil, err
	}
	m, err := firstManifest(s.id, s.Profile.UserID, o.ID, id, s.opt.now().UnixMilli())
	if err != nil {
		return nil, err
	}
	rec, err := s.firstRecord(recordState{orgID: o.ID, kind: crypto.RecordVault, objectID: id, keyCommit: crypto.EpochKeyCommit(vk), meta: metaBox,
		recipients: []crypto.RecordRecipient{userRecipient(s.Profile.UserID, s.id.Public(), "manage")}})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.vaultKeys[epochKey{id, 1}] = vk
	s.mu.Unlock()
	stmt := s.statement(o.ID, api.AuditVaultCreate, api.TargetObject(api.ObjectVault, id, false))
	if err := s.t.doStated(ctx, "POST", "/orgs/"+url.PathEscape(o.ID)+"/vaults", stmt,
		api.CreateVaultRequest{NewVault: api.NewVault{ID: id, Meta: metaBox, Wraps: []api.VaultKeyWrap{toMe}, Manifest: m, Record: rec}}, nil); err != nil {
		return nil, err
	}
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	return s.FindVault(id)
}

// GrantGroup grants a vault to a group; permission "" uses the group's
// default. The group's keys are checked against its manager's signature.
func (s *Session) GrantGroup(ctx context.Context, v *Vault, groupRef, permission string) error {
	g, err := s.wrapTargetGroup(ctx, v.OrgID, groupRef)
	if err != nil {
		return err
	}
	wraps, err := s.wrapVaultKeys(v, crypto.RecipientGroup, g.ID, g.keys)
	if err != nil {
		return err
	}
	if permission == "" {
		// Said explicitly: the signed statement names the permission
		// granted (api.TargetGrant), and the record names it too.
		permission = g.DefaultPermission
	}
	return s.grant(ctx, v, api.GrantRequest{GranteeKind: crypto.RecipientGroup, GranteeID: g.ID, Permission: permission, Wraps: wraps},
		groupRecipient(g.ID, g.keys, permission))
}

// wrapTargetGroup is findGrantableGroup for wrapping a vault key to the
// group's keys: refused while those keys wait for a rotation (finding
// 25.13: a former holder may have chosen them).
func (s *Session) wrapTargetGroup(ctx context.Context, orgID, ref string) (*Group, error) {
	g, err := s.findGrantableGroup(ctx, orgID, ref)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return g, s.writableEpochLocked(g.ID, g.epoch)
}

// findGrantableGroup finds any group of the organisation the user can see
// (not only their own) and checks its keys against its manager.
func (s *Session) findGrantableGroup(ctx context.Context, orgID, ref string) (*Group, error) {
	if g, err := s.FindGroup(orgID, ref); err == nil {
		return g, nil
	}
	var resp []api.Group
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(orgID)+"/groups", nil, &resp); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[orgID]
	var found []*Group
	for _, ag := range resp {
		name, err := o.openName(ag.Meta, "coffer/v1/group-meta", o.ID, ag.ID)
		if err != nil {
			return nil, tampered("name of group %s", ag.ID)
		}
		if ag.ID != ref && !strings.EqualFold(name, ref) {
			continue
		}
		keys, err := s.groupKeysLocked(orgID, ag)
		if err != nil {
			return nil, err
		}
		found = append(found, &Group{ID: ag.ID, OrgID: orgID, Name: name, ManagerID: ag.ManagerID, Private: ag.Private,
			DefaultPermission: ag.DefaultPermission, Members: ag.Members, VaultID: ag.VaultID, keys: keys, epoch: ag.Epoch, meta: ag.Meta})
	}
	return one("group", ref, found, "", groupID)
}

// GrantUser grants a vault directly to a confirmed member.
func (s *Session) GrantUser(ctx context.Context, v *Vault, email, permission string) error {
	m, err := s.memberByEmail(v.OrgID, email)
	if err != nil {
		return err
	}
	wraps, err := s.wrapVaultKeys(v, crypto.RecipientUser, m.UserID, m.Keys)
	if err != nil {
		return err
	}
	return s.grant(ctx, v, api.GrantRequest{GranteeKind: crypto.RecipientUser, GranteeID: m.UserID, Permission: permission, Wraps: wraps},
		userRecipient(m.UserID, m.Keys, permission))
}

// grant grants a vault with the vault's next record, which names the
// grantee (to) among its holders.
func (s *Session) grant(ctx context.Context, v *Vault, req api.GrantRequest, to crypto.RecordRecipient) error {
	if v.Kind != "org" {
		return errors.New("My Vault is never shared; move the item into an organisation vault instead")
	}
	if to.Permission == 0 {
		return fmt.Errorf("permission must be view, edit or manage")
	}
	rs, err := s.vaultRecipients(ctx, v, func(m map[string]crypto.RecordRecipient) error {
		m[to.Kind+":"+to.ID] = to
		return nil
	})
	if err != nil {
		return err
	}
	if req.Record, err = s.nextRecord(ctx, s.vaultState(v, rs), false); err != nil {
		return err
	}
	stmt := s.statement(v.OrgID, api.AuditGrant, api.TargetGrant(v.ID, req.GranteeKind, req.GranteeID, req.Permission))
	if err := s.t.doStated(ctx, "POST", "/vaults/"+url.PathEscape(v.ID)+"/grants", stmt, req, nil); err != nil {
		return err
	}
	return s.refresh(ctx)
}

// Revoke removes a group's or member's grant on a vault.
func (s *Session) Revoke(ctx context.Context, v *Vault, kind, ref string) error {
	var id string
	switch kind {
	case crypto.RecipientUser:
		m, err := s.memberByEmail(v.OrgID, ref)
		if err != nil {
			return err
		}
		id = m.UserID
	case crypto.RecipientGroup:
		g, err := s.findGrantableGroup(ctx, v.OrgID, ref)
		if err != nil {
			return err
		}
		id = g.ID
	default:
		return fmt.Errorf("grantee kind must be user or group")
	}
	stmt := s.statement(v.OrgID, api.AuditRevoke, api.TargetGrant(v.ID, kind, id, ""))
	// The vault's next record no longer lists the grantee: its rotation
	// can never add them back (§18.1).
	rs, err := s.vaultRecipients(ctx, v, func(m map[string]crypto.RecordRecipient) error {
		delete(m, kind+":"+id)
		return nil
	})
	if err != nil {
		return err
	}
	rec, err := s.nextRecord(ctx, s.vaultState(v, rs), false)
	if err != nil {
		return err
	}
	if err := s.t.doStated(ctx, "DELETE", "/vaults/"+url.PathEscape(v.ID)+"/grants/"+kind+"/"+url.PathEscape(id), stmt, api.RecordRequest{Record: rec}, nil); err != nil {
		return err
	}
	if err := s.refresh(ctx); err != nil {
		return err
	}
	return s.rotateAfter(ctx, "the grant was revoked")
}

// Access is one grant on a vault, with the grantee's name resolved.
type Access struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Kind       string    `json:"kind"`
	ID         string    `json:"id"`
	Name       string    `json:"name"` // member e-mail or group name
	Permission string    `json:"permission"`
}

// VaultAccess lists who can open a vault and with which permission.
func (s *Session) VaultAccess(ctx context.Context, v *Vault) ([]Access, error) {
	var resp api.VaultAccess
	if err := s.t.do(ctx, "GET", "/vaults/"+url.PathEscape(v.ID)+"/access", nil, &resp); err != nil {
		return nil, err
	}
	names := map[string]string{}
	if v.Kind == "org" {
		for id, m := range s.memberKeys(v.OrgID) {
			names["user:"+id] = m.Email
		}
		if groups, err := s.ListGroups(ctx, v.OrgID); err == nil {
			for _, g := range groups {
				names["group:"+g.ID] = g.Name
			}
		}
	} else {
		names["user:"+s.Profile.UserID] = s.Profile.Email
	}
	out := make([]Access, 0, len(resp.Grants))
	for _, g := range resp.Grants {
		name := names[g.GranteeKind+":"+g.GranteeID]
		if name == "" {
			name = "(unknown " + g.GranteeKind + " " + g.GranteeID + ")"
		}
		out = append(out, Access{Kind: g.GranteeKind, ID: g.GranteeID, Name: name, Permission: g.Permission})
	}
	return out, nil
}

// MoveItem moves an item into another vault the user can edit: My Vault
// into an organisation vault, or between vaults of one organisation. Every
// item key of its history is re-wrapped under the destination's key, and a
// new revision is written there, so the history moves along and stays
// readable.
func (s *Session) MoveItem(ctx context.Context, it *Item, toVaultID string) (*Item, error) {
	s.op.Lock()
	defer s.op.Unlock()
	from, ok := s.vault(it.VaultID)
	if !ok {
		return nil, fmt.Errorf("vault %q: %w", it.VaultID, ErrNotFound)
	}
	to, ok := s.vault(toVaultID)
	if !ok {
		return nil, fmt.Errorf("vault %q: %w", toVaultID, ErrNotFound)
	}
	if err := CheckMove(it, from, to); err != nil {
		return nil, err
	}
	var st api.Item
	if err := s.t.do(ctx, "GET", "/items/"+url.PathEscape(it.ID), nil, &st); err != nil {
		return nil, err
	}
	var revs api.Revisions
	if err := s.t.do(ctx, "GET", "/items/"+url.PathEscape(it.ID)+"/revisions", nil, &revs); err != nil {
		return nil, err
	}
	s.mu.Lock()
	destKey := s.vaultKeys[epochKey{to.ID, to.Epoch}]
	s.mu.Unlock()
	done := map[epochKey]bool{}
	var wraps []api.ItemKeyWrap
	// An item key is named by (vault, epoch). An item moving back into a
	// vault where it once lived, at the same epoch, takes that key again:
	// a second key under the same name could not be told apart.
	var reuse []byte
	for _, r := range revs.Revisions {
		k := epochKey{r.VaultID, r.KeyEpoch}
		if done[k] {
			continue
		}
		done[k] = true
		s.mu.Lock()
		ik, err := s.itemKey(it.ID, from, r.VaultID, r.KeyEpoch, st.KeyWraps)
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if r.VaultID == to.ID && r.KeyEpoch == to.Epoch {
			reuse = ik
		}
		c := crypto.ItemKeyContext{OrgID: to.OrgID, WrapVault: to.ID, WrapEpoch: to.Epoch, ItemID: it.ID, KeyVault: r.VaultID, KeyEpoch: r.KeyEpoch}
		w, err := crypto.WrapItemKey(destKey, c, ik)
		if err != nil {
			return nil, err
		}
		wraps = append(wraps, api.ItemKeyWrap{KeyVault: r.VaultID, KeyEpoch: r.KeyEpoch, WrapVault: to.ID, WrapEpoch: to.Epoch, Wrap: w})
	}
	next := *it
	next.VaultID, next.itemKey, next.keyVault, next.keyEpoch = to.ID, crypto.NewKey(), to.ID, to.Epoch
	if reuse != nil {
		next.itemKey = reuse
	}
	next.Content = it.Content.Clone()
	next.Content.Change = &RevisionChange{Op: ChangeMove, FromVault: from.ID}
	nr, newWraps, hash, err := s.sealRevision(&next, to, it.Revision+1, it.hash, reuse == nil)
	if err != nil {
		return nil, err
	}
	var out api.Item
	var fromM, toM pendingManifest
	err = s.retryOnManifestConflict(ctx, func() error {
		// The item leaves one vault's manifest and joins the other's.
		if fromM, err = s.nextManifest(from, func(e map[string]crypto.ManifestEntry) { delete(e, it.ID) }); err != nil {
			return err
		}
		if toM, err = s.nextManifest(to, func(e map[string]crypto.ManifestEntry) {
			e[it.ID] = nextHeadEntry(it, hash)
		}); err != nil {
			return err
		}
		return s.t.do(ctx, "POST", "/items/"+url.PathEscape(it.ID)+"/move",
			api.MoveItemRequest{ToVault: to.ID, BaseRevision: it.Revision, Revision: nr, KeyWraps: append(wraps, newWraps...),
				Manifest: fromM.api, ToManifest: toM.api}, &out)
	})
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == api.CodeConflict && ae.Head > 0 {
		return nil, &ConflictError{Base: it.Revision, Head: ae.Head}
	}
	if err != nil {
		return nil, forbidden(err)
	}
	return s.acceptWith(out, fromM, toM)
}

// Share is the MySafe flow: it moves an item into a private group's vault
// and sets the group's permission on it (view, edit or manage; empty keeps
// the group's default).
func (s *Session) Share(ctx context.Context, it *Item, g *Group, permission string) (*Item, error) {
	if g.VaultID == "" {
		return nil, fmt.Errorf("group %q has no vault of its own; grant it an organisation vault instead", g.Name)
	}
	v, ok := s.vault(g.VaultID)
	if !ok {
		return nil, fmt.Errorf("you cannot open the vault of group %q", g.Name)
	}
	var cur string
	if permission != "" {
		// A permission is the group's on its whole vault (keys are per
		// vault): changing it for this item changes it for every item
		// already shared there, so that is refused, never done silently.
		var err error
		if cur, err = s.GroupVaultPermission(ctx, g); err != nil {
			return nil, err
		}
		if permission != cur {
			if others := s.itemsInVault(v.ID, it.ID); others > 0 {
				return nil, fmt.Errorf("%w: the group's permission applies to every item in its vault, and %s holds %d other item(s) that the group can %s; "+
					"sharing this one with %q would change them too. Share it with the vault's permission (leave out --permission), "+
					"or change it for the whole vault: coffer vault grant %q --group %q --permission %s",
					ErrPermissionScope, v.Label(), others, cur, permission, v.Label(), g.Name, permission)
			}
		}
	}
	moved := it
	if it.VaultID != v.ID {
		var err error
		if moved, err = s.MoveItem(ctx, it, v.ID); err != nil {
			return nil, err
		}
	}
	// (The permission asked before the move: one request, not two.)
	if permission != "" && permission != cur {
		if err := s.GrantGroup(ctx, v, g.ID, permission); err != nil {
			return nil, err
		}
	}
	return moved, nil
}

// ErrPermissionScope: a permission asked for one item would change it for
// others, because permissions are per vault.
var ErrPermissionScope = errors.New("permissions are per vault")

// GroupVaultPermission is the group's current permission on its own vault
// ("" when it has none).
func (s *Session) GroupVaultPermission(ctx context.Context, g *Group) (string, error) {
	v, ok := s.vault(g.VaultID)
	if !ok {
		return "", fmt.Errorf("you cannot open the vault of group %q", g.Name)
	}
	access, err := s.VaultAccess(ctx, v)
	if err != nil {
		return "", err
	}
	for _, a := range access {
		if a.Kind == crypto.RecipientGroup && a.ID == g.ID {
			return a.Permission, nil
		}
	}
	return "", nil
}

// itemsInVault counts the items (the trash too) of a vault other than
// except.
func (s *Session) itemsInVault(vaultID, except string) int {
	n := 0
	for _, trashed := range []bool{false, true} {
		for _, sum := range s.Search(trashed, vaultID, "") {
			if sum.ID != except {
				n++
			}
		}
	}
	return n
}
