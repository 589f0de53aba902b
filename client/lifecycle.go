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

// Renaming and deleting organisations, vaults and groups (issue 15). Names
// are sealed, so uniqueness is the client's to check among the names it
// can read: an owner's organisations, an organisation's vaults and groups
// as this account sees them.

// ErrNotEmpty: a delete without force would purge items; nothing changed.
var ErrNotEmpty = errors.New("not empty")

func (s *Session) uniqueOrgName(name, except string) error {
	for _, o := range s.Orgs() {
		if o.ID != except && o.OwnerID == s.Profile.UserID && strings.EqualFold(o.Name, name) {
			return fmt.Errorf("%w: you already own an organisation called %q (%s)", ErrExists, sanitize(o.Name, 100), o.ID)
		}
	}
	return nil
}

func (s *Session) uniqueVaultName(orgID, name, except string) error {
	for _, v := range s.Vaults() {
		if v.ID != except && v.OrgID == orgID && strings.EqualFold(v.Name, name) {
			return fmt.Errorf("%w: the organisation already has a vault called %q (%s)", ErrExists, sanitize(v.Name, 100), v.ID)
		}
	}
	return nil
}

func (s *Session) uniqueGroupName(ctx context.Context, o *Org, name, except string) error {
	groups, err := s.ListGroups(ctx, o.ID)
	if err != nil {
		return err
	}
	for _, g := range groups {
		if g.ID != except && strings.EqualFold(g.Name, name) {
			return fmt.Errorf("%w: %s already has a group called %q (%s)", ErrExists, sanitize(o.Name, 100), sanitize(g.Name, 100), g.ID)
		}
	}
	return nil
}

// RenameOrg renames an organisation the caller owns.
func (s *Session) RenameOrg(ctx context.Context, orgRef, name string) error {
	o, err := s.requireOwner(orgRef)
	if err != nil {
		return err
	}
	if name, err = cleanName("organisation", name); err != nil {
		return err
	}
	if err := s.uniqueOrgName(name, o.ID); err != nil {
		return err
	}
	// A name is sealed under the newest epoch's key (§18.1) and named by
	// the organisation's next record.
	box, err := sealMeta(o.key, name, crypto.MetaAD("coffer/v1/org-meta", o.keyEpoch, o.ID))
	if err != nil {
		return err
	}
	rec, err := s.nextRecord(ctx, recordState{orgID: o.ID, kind: crypto.RecordOrg, objectID: o.ID, epoch: o.keyEpoch, keyCommit: crypto.EpochKeyCommit(o.key), meta: box}, true)
	if err != nil {
		return err
	}
	stmt := s.statement(o.ID, api.AuditRename, api.TargetObject(api.ObjectOrg, o.ID, false))
	if err := s.t.doStated(ctx, "PUT", "/orgs/"+url.PathEscape(o.ID)+"/meta", stmt, api.MetaRequest{Meta: box, Record: rec}, nil); err != nil {
		return forbidden(err)
	}
	return s.refresh(ctx)
}

// RenameVault renames an organisation vault the caller manages.
func (s *Session) RenameVault(ctx context.Context, vaultRef, name string) error {
	v, err := s.FindVault(vaultRef)
	if err != nil {
		return err
	}
	if v.Kind != "org" {
		return fmt.Errorf("%w: My Vault keeps its name", ErrNotAllowed)
	}
	if name, err = cleanName("vault", name); err != nil {
		return err
	}
	if err := s.uniqueVaultName(v.OrgID, name, v.ID); err != nil {
		return err
	}
	s.mu.Lock()
	vk := s.vaultKeys[epochKey{v.ID, v.Epoch}]
	err = s.writableEpochLocked(v.ID, v.Epoch)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if vk == nil {
		return fmt.Errorf("%w: this device holds no key of the vault's current epoch, which seals its name", ErrNotAllowed)
	}
	box, err := sealMeta(vk, name, crypto.MetaAD("coffer/v1/vault-meta", v.Epoch, v.OrgID, v.ID))
	if err != nil {
		return err
	}
	rs, err := s.vaultRecipients(ctx, v, nil)
	if err != nil {
		return err
	}
	st := s.vaultState(v, rs)
	st.meta = box
	rec, err := s.nextRecord(ctx, st, true)
	if err != nil {
		return err
	}
	stmt := s.statement(v.OrgID, api.AuditRename, api.TargetObject(api.ObjectVault, v.ID, false))
	if err := s.t.doStated(ctx, "PUT", "/vaults/"+url.PathEscape(v.ID)+"/meta", stmt, api.MetaRequest{Meta: box, Record: rec}, nil); err != nil {
		return forbidden(err)
	}
	return s.refresh(ctx)
}

// RenameGroup renames a group the caller manages.
func (s *Session) RenameGroup(ctx context.Context, orgRef, groupRef, name string) error {
	o, err := s.FindOrg(orgRef)
	if err != nil {
		return err
	}
	g, err := s.FindGroup(o.ID, groupRef)
	if err != nil {
		return err
	}
	if g.ManagerID != s.Profile.UserID {
		return fmt.Errorf("%w: only the group's manager renames it", ErrNotAllowed)
	}
	if name, err = cleanName("group", name); err != nil {
		return err
	}
	if err := s.uniqueGroupName(ctx, o, name, g.ID); err != nil {
		return err
	}
	box, err := sealMeta(o.key, name, crypto.MetaAD("coffer/v1/group-meta", o.keyEpoch, o.ID, g.ID))
	if err != nil {
		return err
	}
	st := s.groupState(g, nil, "")
	st.meta = box
	rec, err := s.nextRecord(ctx, st, true)
	if err != nil {
		return err
	}
	stmt := s.statement(o.ID, api.AuditRename, api.TargetObject(api.ObjectGroup, g.ID, false))
	if err := s.t.doStated(ctx, "PUT", "/groups/"+url.PathEscape(g.ID)+"/meta", stmt, api.MetaRequest{Meta: box, Record: rec}, nil); err != nil {
		return forbidden(err)
	}
	return s.refresh(ctx)
}

// deleted maps a delete's answer: 409 not_empty is ErrNotEmpty with the
// server's count.
func deleted(err error) error {
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == api.CodeNotEmpty {
		return fmt.Errorf("%w: %s", ErrNotEmpty, sanitize(ae.Message, 200))
	}
	return forbidden(err)
}

func forceQuery(force bool) string {
	if force {
		return "?force=true"
	}
	return ""
}

// DeleteOrg deletes an organisation the caller owns, with its vaults,
// groups and memberships. Without force it refuses (ErrNotEmpty) when any
// of its vaults — private groups' too — holds an item; with force those
// items are purged. Nothing is ever moved anywhere.
func (s *Session) DeleteOrg(ctx context.Context, orgRef string, force bool) error {
	o, err := s.requireOwner(orgRef)
	if err != nil {
		return err
	}
	stmt := s.statement(o.ID, api.AuditDelete, api.TargetObject(api.ObjectOrg, o.ID, force))
	if err := s.t.doStated(ctx, "DELETE", "/orgs/"+url.PathEscape(o.ID)+forceQuery(force), stmt, nil, nil); err != nil {
		return deleted(err)
	}
	return s.refresh(ctx)
}

// DeleteVault deletes an organisation vault the caller manages; with
// items, only with force, which purges them.
func (s *Session) DeleteVault(ctx context.Context, vaultRef string, force bool) error {
	v, err := s.FindVault(vaultRef)
	if err != nil {
		return err
	}
	if v.Kind != "org" {
		return fmt.Errorf("%w: My Vault cannot be deleted", ErrNotAllowed)
	}
	stmt := s.statement(v.OrgID, api.AuditDelete, api.TargetObject(api.ObjectVault, v.ID, force))
	if err := s.t.doStated(ctx, "DELETE", "/vaults/"+url.PathEscape(v.ID)+forceQuery(force), stmt, nil, nil); err != nil {
		return deleted(err)
	}
	return s.refresh(ctx)
}

// DeleteGroup deletes a group the caller manages, its grants, and a
// private group's own vault (with items, only with force).
func (s *Session) DeleteGroup(ctx context.Context, orgRef, groupRef string, force bool) error {
	o, err := s.FindOrg(orgRef)
	if err != nil {
		return err
	}
	g, err := s.FindGroup(o.ID, groupRef)
	if err != nil {
		return err
	}
	if g.ManagerID != s.Profile.UserID {
		return fmt.Errorf("%w: only the group's manager deletes it", ErrNotAllowed)
	}
	stmt := s.statement(o.ID, api.AuditDelete, api.TargetObject(api.ObjectGroup, g.ID, force))
	if err := s.t.doStated(ctx, "DELETE", "/groups/"+url.PathEscape(g.ID)+forceQuery(force), stmt, nil, nil); err != nil {
		return deleted(err)
	}
	return s.refresh(ctx)
}
