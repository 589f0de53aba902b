package server

import (
	"errors"
	"net/http"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server/authz"
	"github.com/coffer-pm/coffer/internal/store"
)

func groupToAPI(g store.Group, wraps []store.KeyWrap) api.Group {
	out := api.Group{ID: g.ID, OrgID: g.OrgID, ManagerID: g.ManagerID, KeysSignerID: g.KeysSignerID, Private: g.Private, DefaultPermission: g.DefaultPermission.String(),
		Meta: g.Meta, SignPub: g.SignPub, KEMPub: g.KEMPub, KeysSig: g.KeysSig, Epoch: g.Epoch, VaultID: g.VaultID, Members: g.Members, ExportMyVaultOnly: g.ExportMyVaultOnly}
	if out.Members == nil {
		out.Members = []string{}
	}
	for _, w := range wraps {
		if w.ObjectID == g.ID {
			out.Wraps = append(out.Wraps, keyWrapToAPI(w))
		}
	}
	return out
}

func groupKeys(g store.Group) crypto.PublicKeys {
	return crypto.PublicKeys{Sign: g.SignPub, KEM: g.KEMPub}
}

// checkVaultWraps validates the wraps of one epoch of a vault key to the
// given recipients, signed by the caller.
func (s *Server) checkVaultWraps(r *http.Request, v store.Vault, wraps []api.VaultKeyWrap, recipients map[string]crypto.PublicKeys) ([]store.VaultKeyWrap, error) {
	me := s.userID(r)
	out := make([]store.VaultKeyWrap, 0, len(wraps))
	for _, w := range wraps {
		pub, ok := recipients[w.RecipientKind+":"+w.RecipientID]
		if !ok || w.VaultID != v.ID || w.SignerID != me || w.Epoch == 0 || w.Epoch > v.Epoch {
			return nil, errBadRequest("wraps must be signed by you, for this vault's epochs, and only to the grantee")
		}
		c := crypto.VaultKeyContext(v.OrgID, v.ID, w.Epoch, w.RecipientKind, w.RecipientID, pub)
		if err := s.checkKeyWrap(r.Context(), me, c, w.Wrap, w.Sig, vaultWrapSize); err != nil {
			return nil, err
		}
		out = append(out, store.VaultKeyWrap{VaultID: v.ID, Epoch: w.Epoch, RecipientKind: w.RecipientKind, RecipientID: w.RecipientID,
			SignerID: me, Wrap: w.Wrap, Sig: w.Sig, CreatedAt: s.now()})
	}
	return out, nil
}

func hasEpochFor(wraps []store.VaultKeyWrap, kind, id string, epoch uint64) bool {
	for _, w := range wraps {
		if w.RecipientKind == kind && w.RecipientID == id && w.Epoch == epoch {
			return true
		}
	}
	return false
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) error {
	var req api.CreateGroupRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	action := authz.CreateOrgGroup
	if req.Private {
		action = authz.CreatePrivateGroup
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), action)
	if err != nil {
		return err
	}
	me := s.userID(r)
	if err := checkID("id", req.ID); err != nil {
		return err
	}
	if err := checkMeta("meta", req.Meta); err != nil {
		return err
	}
	perm := store.PermView
	if req.DefaultPermission != "" {
		if perm, err = store.ParsePermission(req.DefaultPermission); err != nil {
			return errBadRequest("default_permission: %v", err)
		}
	}
	pub := crypto.PublicKeys{Sign: req.SignPub, KEM: req.KEMPub}
	myKeys, err := s.callerKeys(r)
	if err != nil {
		return err
	}
	if crypto.VerifyPublicKeys(crypto.RecipientGroup, req.ID, pub, myKeys, req.KeysSig) != nil {
		return errBadRequest("the group's public keys are malformed or not signed by you")
	}
	kw := req.KeyWrap
	if kw.Epoch != 1 || kw.MemberID != me || kw.SignerID != me {
		return errBadRequest("key_wrap must be your own wrap of the group key, epoch 1")
	}
	c := crypto.KeyWrapContext{Kind: crypto.KindGroupKey, OrgID: o.ID, ObjectID: req.ID, Epoch: 1, RecipientKind: crypto.RecipientUser, RecipientID: me, Recipient: myKeys}
	if err := s.checkKeyWrap(r.Context(), me, c, kw.Wrap, kw.Sig, groupWrapSize); err != nil {
		return err
	}
	now := s.now()
	g := store.Group{ID: req.ID, OrgID: o.ID, ManagerID: me, Private: req.Private, DefaultPermission: perm, Meta: req.Meta,
		SignPub: req.SignPub, KEMPub: req.KEMPub, KeysSig: req.KeysSig, Epoch: 1, CreatedAt: now}
	var vault *store.Vault
	var vaultWraps []store.VaultKeyWrap
	var grants []store.Grant
	var manifests []store.Manifest
	switch {
	case req.Private && req.Vault == nil:
		return errBadRequest("a private group comes with its own vault: vault is required")
	case !req.Private && req.Vault != nil:
		return errBadRequest("only private groups come with a vault; the owner creates organisation vaults")
	case req.Private:
		if err := checkID("vault.id", req.Vault.ID); err != nil {
			return err
		}
		if err := checkMeta("vault.meta", req.Vault.Meta); err != nil {
			return err
		}
		vault = &store.Vault{ID: req.Vault.ID, Kind: store.VaultOrg, OrgID: o.ID, CreatorID: me, Meta: req.Vault.Meta, Epoch: 1, CreatedAt: now}
		g.VaultID = vault.ID
		vaultWraps, err = s.checkVaultWraps(r, *vault, req.Vault.Wraps, map[string]crypto.PublicKeys{"user:" + me: myKeys, "group:" + g.ID: pub})
		if err != nil {
			return err
		}
		if !hasEpochFor(vaultWraps, crypto.RecipientUser, me, 1) || !hasEpochFor(vaultWraps, crypto.RecipientGroup, g.ID, 1) {
			return errBadRequest("vault.wraps must wrap the vault key to you and to the group")
		}
		m, err := s.signedManifest(r, "vault.manifest", req.Vault.Manifest, *vault, true)
		if err != nil {
			return err
		}
		manifests = append(manifests, m)
		// The creator manages the group's vault; members get the group's
		// default permission.
		grants = []store.Grant{
			{VaultID: vault.ID, GranteeKind: crypto.RecipientUser, GranteeID: me, Permission: store.PermManage, CreatedAt: now},
			{VaultID: vault.ID, GranteeKind: crypto.RecipientGroup, GranteeID: g.ID, Permission: perm, CreatedAt: now},
		}
	}
	groupKind := crypto.RecordGroup
	if g.Private {
		groupKind = crypto.RecordPrivateGroup
	}
	if err := s.attachRecord(r, req.Record, o.ID, g.ID, groupKind); err != nil {
		return err
	}
	if vault != nil {
		if err := s.attachRecord(r, req.Vault.Record, o.ID, vault.ID, crypto.RecordGroupVault); err != nil {
			return err
		}
	}
	wrap := store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: me, SignerID: me, Wrap: kw.Wrap, Sig: kw.Sig, CreatedAt: now}
	if err := s.audit(r, o.ID, api.AuditGroupCreate, api.TargetGroupCreate(g.ID, g.VaultID)); err != nil {
		return err
	}
	if err := s.store.CreateGroup(r.Context(), g, wrap, vault, vaultWraps, grants, manifests...); err != nil {
		if errors.Is(err, store.ErrExists) {
			return &httpError{http.StatusConflict, api.CodeExists, "a group or vault with this id already exists", 0}
		}
		return err
	}
	s.log.InfoContext(r.Context(), "group created", "org", o.ID, "group", g.ID, "private", g.Private)
	w.WriteHeader(http.StatusCreated)
	return nil
}

// listGroups shows the organisation's groups to its members. Private groups
// are shown only to the owner (who sees that they exist and who is in them)
// and to their members.
func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) error {
	o, role, err := s.orgFor(r, r.PathValue("org"), authz.SeeOrg)
	if err != nil {
		return err
	}
	groups, err := s.store.GroupsInOrg(r.Context(), o.ID)
	if err != nil {
		return err
	}
	me := s.userID(r)
	out := []api.Group{}
	for _, g := range groups {
		if g.Private && role != store.RoleOwner && !contains(g.Members, me) {
			continue
		}
		out = append(out, groupToAPI(g, nil))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// groupFor loads a group the caller can see and, if manage is set, manages.
func (s *Server) groupFor(r *http.Request, manage bool) (store.Group, error) {
	id := r.PathValue("id")
	if err := checkID("group id", id); err != nil {
		return store.Group{}, err
	}
	g, err := s.store.Group(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return g, errNotFound("group")
	}
	if err != nil {
		return g, err
	}
	me := s.userID(r)
	role, err := s.store.OrgRole(r.Context(), g.OrgID, me)
	if err != nil {
		return g, err
	}
	visible := role == store.RoleOwner || (role != "" && (!g.Private || contains(g.Members, me)))
	if !visible {
		return g, errNotFound("group")
	}
	if manage && !authz.ManagesGroup(g, me) {
		return g, errForbidden("only the group's manager may change its members")
	}
	req := store.Requirement{UserID: me, OrgID: g.OrgID}
	if manage {
		req.GroupID = g.ID
	}
	store.Require(r.Context(), req)
	return g, nil
}

func (s *Server) addGroupMembers(w http.ResponseWriter, r *http.Request) error {
	var req api.AddGroupMembersRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	g, err := s.groupFor(r, true)
	if err != nil {
		return err
	}
	if len(req.Wraps) == 0 || len(req.Wraps) > maxGroupWraps {
		return errBadRequest("add 1 to %d members at a time", maxGroupWraps)
	}
	me := s.userID(r)
	seen := map[string]bool{}
	wraps := make([]store.KeyWrap, 0, len(req.Wraps))
	for _, kw := range req.Wraps {
		if err := checkID("member_id", kw.MemberID); err != nil {
			return err
		}
		if seen[kw.MemberID] || contains(g.Members, kw.MemberID) {
			return errConflict("user "+kw.MemberID+" is already in the group (or listed twice)", 0)
		}
		seen[kw.MemberID] = true
		role, err := s.store.OrgRole(r.Context(), g.OrgID, kw.MemberID)
		if err != nil {
			return err
		}
		if role == "" {
			return errBadRequest("user %s is not a confirmed member of the organisation", kw.MemberID)
		}
		store.Require(r.Context(), store.Requirement{UserID: kw.MemberID, OrgID: g.OrgID})
		_, pub, err := s.accountKeys(r.Context(), kw.MemberID)
		if err != nil {
			return err
		}
		if kw.Epoch != g.Epoch || kw.SignerID != me {
			return errBadRequest("wraps must be of the group's current epoch and signed by you")
		}
		c := crypto.KeyWrapContext{Kind: crypto.KindGroupKey, OrgID: g.OrgID, ObjectID: g.ID, Epoch: g.Epoch, RecipientKind: crypto.RecipientUser, RecipientID: kw.MemberID, Recipient: pub}
		if err := s.checkKeyWrap(r.Context(), me, c, kw.Wrap, kw.Sig, groupWrapSize); err != nil {
			return err
		}
		wraps = append(wraps, store.KeyWrap{ObjectID: g.ID, Epoch: g.Epoch, MemberID: kw.MemberID, SignerID: me, Wrap: kw.Wrap, Sig: kw.Sig, CreatedAt: s.now()})
	}
	groupKind := crypto.RecordGroup
	if g.Private {
		groupKind = crypto.RecordPrivateGroup
	}
	if err := s.attachRecord(r, req.Record, g.OrgID, g.ID, groupKind); err != nil {
		return err
	}
	added := make([]string, len(wraps))
	for i, kw := range wraps {
		added[i] = kw.MemberID
	}
	if err := s.audit(r, g.OrgID, api.AuditGroupAdd, api.TargetGroupMembers(g.ID, added...)); err != nil {
		return err
	}
	if err := s.store.AddGroupMembers(r.Context(), g.ID, wraps); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) removeGroupMember(w http.ResponseWriter, r *http.Request) error {
	g, err := s.groupFor(r, true)
	if err != nil {
		return err
	}
	user := r.PathValue("user")
	if err := checkID("user id", user); err != nil {
		return err
	}
	if err := s.audit(r, g.OrgID, api.AuditGroupRemove, api.TargetGroupMembers(g.ID, user)); err != nil {
		return err
	}
	// The group's next record, without them (§18.1).
	var req api.RecordRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	groupKind := crypto.RecordGroup
	if g.Private {
		groupKind = crypto.RecordPrivateGroup
	}
	if err := s.attachRecord(r, req.Record, g.OrgID, g.ID, groupKind); err != nil {
		return err
	}
	if err := s.store.RemoveGroupMember(r.Context(), g.ID, user); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound("group member")
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) createOrgVault(w http.ResponseWriter, r *http.Request) error {
	var req api.CreateVaultRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.CreateOrgVault)
	if err != nil {
		return err
	}
	me := s.userID(r)
	if err := checkID("id", req.ID); err != nil {
		return err
	}
	if err := checkMeta("meta", req.Meta); err != nil {
		return err
	}
	myKeys, err := s.callerKeys(r)
	if err != nil {
		return err
	}
	now := s.now()
	v := store.Vault{ID: req.ID, Kind: store.VaultOrg, OrgID: o.ID, CreatorID: me, Meta: req.Meta, Epoch: 1, CreatedAt: now}
	wraps, err := s.checkVaultWraps(r, v, req.Wraps, map[string]crypto.PublicKeys{"user:" + me: myKeys})
	if err != nil {
		return err
	}
	if !hasEpochFor(wraps, crypto.RecipientUser, me, 1) {
		return errBadRequest("wraps must wrap the vault key to you")
	}
	m, err := s.signedManifest(r, "manifest", req.Manifest, v, true)
	if err != nil {
		return err
	}
	if err := s.attachRecord(r, req.Record, o.ID, v.ID, crypto.RecordVault); err != nil {
		return err
	}
	if err := s.audit(r, o.ID, api.AuditVaultCreate, api.TargetObject(api.ObjectVault, v.ID, false)); err != nil {
		return err
	}
	err = s.store.CreateVault(r.Context(), v, wraps, []store.Grant{{VaultID: v.ID, GranteeKind: crypto.RecipientUser, GranteeID: me, Permission: store.PermManage, CreatedAt: now}}, m)
	if errors.Is(err, store.ErrExists) {
		return &httpError{http.StatusConflict, api.CodeExists, "a vault with this id already exists", 0}
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (s *Server) vaultAccess(w http.ResponseWriter, r *http.Request) error {
	v, err := s.vaultFor(r, r.PathValue("vault"), authz.ReadVault)
	if err != nil {
		return err
	}
	grants, err := s.store.VaultGrants(r.Context(), v.ID)
	if err != nil {
		return err
	}
	out := api.VaultAccess{VaultID: v.ID, Grants: make([]api.Grant, 0, len(grants))}
	for _, g := range grants {
		out.Grants = append(out.Grants, api.Grant{GranteeKind: g.GranteeKind, GranteeID: g.GranteeID, Permission: g.Permission.String(), CreatedAt: g.CreatedAt})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) grantVault(w http.ResponseWriter, r *http.Request) error {
	var req api.GrantRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	v, err := s.vaultFor(r, r.PathValue("vault"), authz.ManageGrants)
	if err != nil {
		return err
	}
	if v.Kind != store.VaultOrg {
		return errBadRequest("My Vault is never shared; move the item into an organisation vault instead")
	}
	if err := checkID("grantee_id", req.GranteeID); err != nil {
		return err
	}
	if req.GranteeKind == crypto.RecipientUser && req.GranteeID == v.CreatorID {
		return errConflict("the vault's creator keeps manage access", 0)
	}
	var pub crypto.PublicKeys
	var perm store.Permission
	switch req.GranteeKind {
	case crypto.RecipientUser:
		role, err := s.store.OrgRole(r.Context(), v.OrgID, req.GranteeID)
		if err != nil {
			return err
		}
		if role == "" {
			return errBadRequest("vaults can be shared only with confirmed members of their organisation")
		}
		store.Require(r.Context(), store.Requirement{UserID: req.GranteeID, OrgID: v.OrgID})
		if _, pub, err = s.accountKeys(r.Context(), req.GranteeID); err != nil {
			return err
		}
	case crypto.RecipientGroup:
		g, err := s.store.Group(r.Context(), req.GranteeID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && g.OrgID != v.OrgID) {
			return errBadRequest("no such group in this vault's organisation")
		}
		if err != nil {
			return err
		}
		if len(g.Members) == 0 {
			return errBadRequest("the group has no members; add at least one member before granting it a vault")
		}
		pub, perm = groupKeys(g), g.DefaultPermission
	default:
		return errBadRequest("grantee_kind must be user or group")
	}
	if req.Permission != "" {
		if perm, err = store.ParsePermission(req.Permission); err != nil {
			return errBadRequest("permission: %v", err)
		}
	}
	if perm == store.PermNone {
		return errBadRequest("permission is required (view, edit or manage)")
	}
	wraps, err := s.checkVaultWraps(r, v, req.Wraps, map[string]crypto.PublicKeys{req.GranteeKind + ":" + req.GranteeID: pub})
	if err != nil {
		return err
	}
	for e := uint64(1); e <= v.Epoch; e++ {
		if !hasEpochFor(wraps, req.GranteeKind, req.GranteeID, e) {
			return errBadRequest("wraps must deliver every key epoch of the vault (1 to %d)", v.Epoch)
		}
	}
	if err := s.attachRecord(r, req.Record, v.OrgID, v.ID, crypto.RecordVault, crypto.RecordGroupVault); err != nil {
		return err
	}
	g := store.Grant{VaultID: v.ID, GranteeKind: req.GranteeKind, GranteeID: req.GranteeID, Permission: perm, CreatedAt: s.now()}
	if err := s.audit(r, v.OrgID, api.AuditGrant, api.TargetGrant(v.ID, g.GranteeKind, g.GranteeID, perm.String())); err != nil {
		return err
	}
	if err := s.store.GrantVault(r.Context(), g, wraps); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "vault granted", "vault", v.ID, "grantee", req.GranteeKind+":"+req.GranteeID, "permission", perm.String())
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) revokeGrant(w http.ResponseWriter, r *http.Request) error {
	v, err := s.vaultFor(r, r.PathValue("vault"), authz.ManageGrants)
	if err != nil {
		return err
	}
	kind, id := r.PathValue("kind"), r.PathValue("id")
	if kind != crypto.RecipientUser && kind != crypto.RecipientGroup {
		return errBadRequest("grantee kind must be user or group")
	}
	if err := checkID("grantee id", id); err != nil {
		return err
	}
	if v.Kind != store.VaultOrg {
		return errBadRequest("My Vault is never shared, so it has no grants to revoke")
	}
	if kind == crypto.RecipientUser && id == v.CreatorID {
		return errConflict("the vault's creator keeps manage access", 0)
	}
	if err := s.audit(r, v.OrgID, api.AuditRevoke, api.TargetGrant(v.ID, kind, id, "")); err != nil {
		return err
	}
	// The vault's next record, without the grantee (§18.1).
	var req api.RecordRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if err := s.attachRecord(r, req.Record, v.OrgID, v.ID, crypto.RecordVault, crypto.RecordGroupVault); err != nil {
		return err
	}
	if err := s.store.RevokeGrant(r.Context(), v.ID, kind, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound("grant")
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getKeyring(w http.ResponseWriter, r *http.Request) error {
	v, box, err := s.store.Keyring(r.Context(), s.userID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.Keyring{Version: v, Box: box})
	return nil
}

func (s *Server) putKeyring(w http.ResponseWriter, r *http.Request) error {
	var req api.PutKeyringRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if len(req.Box) < 41 || len(req.Box) > 1<<20 {
		return errBadRequest("box must be a sealed keyring of at most 1 MiB")
	}
	if err := s.store.PutKeyring(r.Context(), s.userID(r), req.BaseVersion, req.Box, s.now()); err != nil {
		var ce *store.ConflictError
		if errors.As(err, &ce) {
			return &httpError{http.StatusConflict, api.CodeConflict, "the keyring changed meanwhile; reload it and retry", ce.Head}
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
