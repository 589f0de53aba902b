package server

import (
	"errors"
	"net/http"
	"slices"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server/authz"
	"github.com/coffer-pm/coffer/internal/store"
)

// "Allow export of My Vault only" (issue 26, docs/protocol.md §19.4). The
// client holds the data, so it is the client that keeps the policy; the
// server keeps the flags, tells each account its own, and refuses to
// record an export the policy does not allow — which an honest client
// records before it writes a byte.

// myExportPolicy: GET /account/export-policy.
func (s *Server) myExportPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := s.store.ExportPolicy(r.Context(), s.userID(r))
	if err != nil {
		return err
	}
	out := api.MyExportPolicy{MyVaultOnly: p.MyVaultOnly, RestrictedOrgs: p.RestrictedOrgs}
	if out.RestrictedOrgs == nil {
		out.RestrictedOrgs = []string{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// adminExportPolicy: PUT /admin/accounts/{user}/export-policy.
func (s *Server) adminExportPolicy(w http.ResponseWriter, r *http.Request) error {
	var req api.ExportPolicy
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	a, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	if err := s.store.SetAccountExportPolicy(r.Context(), a.ID, req.MyVaultOnly, s.userID(r), s.now()); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "export policy set", "user", a.ID, "admin", s.userID(r), "policy", api.ExportPolicyName(req.MyVaultOnly))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// groupExportPolicy: PUT /groups/{id}/export-policy (the owner).
func (s *Server) groupExportPolicy(w http.ResponseWriter, r *http.Request) error {
	var req api.ExportPolicy
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	g, err := s.groupFor(r, false)
	if err != nil {
		return err
	}
	if _, _, err := s.orgFor(r, g.OrgID, authz.SetExportPolicy); err != nil {
		return err
	}
	if err := s.audit(r, g.OrgID, api.AuditExportPolicy, api.TargetExportPolicy(g.ID, req.MyVaultOnly)); err != nil {
		return err
	}
	if err := s.store.SetGroupExportPolicy(r.Context(), g.ID, req.MyVaultOnly, s.userID(r), s.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound("group")
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// recordExport: POST /orgs/{org}/exports — the audit entry of an export
// of the organisation's vaults, refused when the caller's policy does
// not allow it or a vault is not one of the organisation's they can read.
func (s *Server) recordExport(w http.ResponseWriter, r *http.Request) error {
	var req api.ExportRecord
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.RecordExport)
	if err != nil {
		return err
	}
	if len(req.Vaults) == 0 || len(req.Vaults) > store.MaxVaultsPerOrg {
		return errBadRequest("vaults must name 1 to %d of the organisation's vaults", store.MaxVaultsPerOrg)
	}
	if len(req.Format) == 0 || len(req.Format) > 32 {
		return errBadRequest("format must name the file's format")
	}
	me := s.userID(r)
	p, err := s.store.ExportPolicy(r.Context(), me)
	if err != nil {
		return err
	}
	if p.MyVaultOnly || slices.Contains(p.RestrictedOrgs, o.ID) {
		return errExportRestricted()
	}
	for _, id := range req.Vaults {
		if err := checkID("vault id", id); err != nil {
			return err
		}
		v, err := s.store.Vault(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && v.OrgID != o.ID) {
			return errNotFound("vault")
		}
		if err != nil {
			return err
		}
		perm, err := s.store.VaultPermission(r.Context(), me, id)
		if err != nil {
			return err
		}
		if perm == store.PermNone {
			return errNotFound("vault")
		}
	}
	if err := s.audit(r, o.ID, api.AuditExport, api.TargetExport(req.Vaults, req.Format)); err != nil {
		return err
	}
	if err := s.store.RecordExport(r.Context(), o.ID, me); err != nil {
		if errors.Is(err, store.ErrExportRestricted) {
			return errExportRestricted()
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func errExportRestricted() error {
	return &httpError{http.StatusForbidden, api.CodeExportRestricted, "your export policy allows exporting My Vault only", 0}
}
