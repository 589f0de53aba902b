package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server/authz"
	"github.com/coffer-pm/coffer/internal/store"
)

// Renaming and deleting organisations, vaults and groups (issue 15).
// Names are sealed, so a rename swaps sealed bytes the server cannot read
// (the client checks for duplicates among the names it can read). A
// delete that would purge items needs ?force=true; without it the answer
// is 409 not_empty with the count, and nothing changes.

func forceParam(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("force") {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, errBadRequest("force must be true or false")
}

func deleteError(err error, what string) error {
	var ne *store.NotEmptyError
	if errors.As(err, &ne) {
		return &httpError{http.StatusConflict, api.CodeNotEmpty,
			fmt.Sprintf("the %s holds %d item(s) (the trash included), which would be purged; delete with force to purge them too", what, ne.Items), 0}
	}
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound(what)
	}
	return err
}

func (s *Server) renameOrg(w http.ResponseWriter, r *http.Request) error {
	var req api.MetaRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ManageOrg)
	if err != nil {
		return err
	}
	if err := checkMeta("meta", req.Meta); err != nil {
		return err
	}
	if err := s.attachRecord(r, req.Record, o.ID, o.ID, crypto.RecordOrg); err != nil {
		return err
	}
	if err := s.audit(r, o.ID, api.AuditRename, api.TargetObject(api.ObjectOrg, o.ID, false)); err != nil {
		return err
	}
	if err := s.store.SetOrgMeta(r.Context(), o.ID, req.Meta); err != nil {
		return deleteError(err, "organisation")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteOrg(w http.ResponseWriter, r *http.Request) error {
	force, err := forceParam(r)
	if err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ManageOrg)
	if err != nil {
		return err
	}
	// Recorded, then deleted with the log in the same transaction: the
	// statement is still required, so that a delete is the owner's own.
	if err := s.audit(r, o.ID, api.AuditDelete, api.TargetObject(api.ObjectOrg, o.ID, force)); err != nil {
		return err
	}
	if err := s.store.DeleteOrg(r.Context(), o.ID, force, s.now()); err != nil {
		return deleteError(err, "organisation")
	}
	s.log.InfoContext(r.Context(), "organisation deleted", "org", o.ID, "by", s.userID(r), "force", force)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// orgVaultFor is vaultFor(ManageVault) for an organisation vault.
func (s *Server) orgVaultFor(r *http.Request) (store.Vault, error) {
	v, err := s.vaultFor(r, r.PathValue("vault"), authz.ManageVault)
	if err != nil {
		return v, err
	}
	if v.Kind != store.VaultOrg {
		return v, errBadRequest("My Vault is always there and always called My Vault")
	}
	return v, nil
}

func (s *Server) renameVault(w http.ResponseWriter, r *http.Request) error {
	var req api.MetaRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	v, err := s.orgVaultFor(r)
	if err != nil {
		return err
	}
	if err := checkMeta("meta", req.Meta); err != nil {
		return err
	}
	if err := s.attachRecord(r, req.Record, v.OrgID, v.ID, crypto.RecordVault, crypto.RecordGroupVault); err != nil {
		return err
	}
	if err := s.audit(r, v.OrgID, api.AuditRename, api.TargetObject(api.ObjectVault, v.ID, false)); err != nil {
		return err
	}
	if err := s.store.SetVaultMeta(r.Context(), v.ID, req.Meta); err != nil {
		return deleteError(err, "vault")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteVault(w http.ResponseWriter, r *http.Request) error {
	force, err := forceParam(r)
	if err != nil {
		return err
	}
	v, err := s.orgVaultFor(r)
	if err != nil {
		return err
	}
	// Managing a vault's grants is not owning it: only its creator or the
	// organisation's owner deletes it.
	if me := s.userID(r); me != v.CreatorID {
		if role, err := s.store.OrgRole(r.Context(), v.OrgID, me); err != nil {
			return err
		} else if role != store.RoleOwner {
			return errForbidden("only the vault's creator or the organisation's owner may delete it")
		}
	}
	if err := s.audit(r, v.OrgID, api.AuditDelete, api.TargetObject(api.ObjectVault, v.ID, force)); err != nil {
		return err
	}
	err = s.store.DeleteVault(r.Context(), v.ID, force, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return errConflict("this is a private group's own vault: it goes when the group is deleted", 0)
	}
	if err != nil {
		return deleteError(err, "vault")
	}
	s.log.InfoContext(r.Context(), "vault deleted", "vault", v.ID, "org", v.OrgID, "by", s.userID(r), "force", force)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) renameGroup(w http.ResponseWriter, r *http.Request) error {
	var req api.MetaRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	g, err := s.groupFor(r, true)
	if err != nil {
		return err
	}
	if err := checkMeta("meta", req.Meta); err != nil {
		return err
	}
	if err := s.attachRecord(r, req.Record, g.OrgID, g.ID, crypto.RecordGroup, crypto.RecordPrivateGroup); err != nil {
		return err
	}
	if err := s.audit(r, g.OrgID, api.AuditRename, api.TargetObject(api.ObjectGroup, g.ID, false)); err != nil {
		return err
	}
	if err := s.store.SetGroupMeta(r.Context(), g.ID, req.Meta); err != nil {
		return deleteError(err, "group")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	force, err := forceParam(r)
	if err != nil {
		return err
	}
	g, err := s.groupFor(r, true)
	if err != nil {
		return err
	}
	if err := s.audit(r, g.OrgID, api.AuditDelete, api.TargetObject(api.ObjectGroup, g.ID, force)); err != nil {
		return err
	}
	if err := s.store.DeleteGroup(r.Context(), g.ID, force, s.now()); err != nil {
		return deleteError(err, "group")
	}
	s.log.InfoContext(r.Context(), "group deleted", "group", g.ID, "org", g.OrgID, "by", s.userID(r), "force", force)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
