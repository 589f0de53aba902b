package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/coffer-pm/coffer/internal/api"
)

// "Allow export of My Vault only" (issue 26, docs/protocol.md §19.4). An
// instance administrator sets it on an account, an organisation's owner
// on a group: the account (or the group's members) exports My Vault only
// — for a group, no vault of that organisation. The client holds the
// data, so it is the client that keeps the policy; it records every
// export of an organisation's vaults in the organisation's audit log
// before it writes, and the server refuses that record when the policy
// does not allow the export. Someone who can read an item can still copy
// it by hand: the policy stops exports, not reading.

// ExportPolicy is what this account may export.
type ExportPolicy struct {
	_ [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	// MyVaultOnly: an instance administrator restricts the account.
	MyVaultOnly bool
	// RestrictedOrgs: organisations none of whose vaults the account may
	// export (a group it is in is restricted).
	RestrictedOrgs []string
}

// Allows says whether vault v may be exported. My Vault always may.
func (p ExportPolicy) Allows(v *Vault) bool {
	if v.Kind == "personal" {
		return true
	}
	return !p.MyVaultOnly && !slices.Contains(p.RestrictedOrgs, v.OrgID)
}

// ExportPolicyNote says the policy in words ("" when it restricts
// nothing).
func (p ExportPolicy) Note() string {
	switch {
	case p.MyVaultOnly:
		return "Your administrator allows exporting My Vault only."
	case len(p.RestrictedOrgs) > 0:
		return "Your organisation allows exporting My Vault only: its vaults are left out of exports."
	}
	return ""
}

// ErrExportRestricted: the export policy does not allow exporting a
// vault. It is ErrNotAllowed's kind (exit 7 in the CLI).
var ErrExportRestricted = fmt.Errorf("%w: your export policy allows exporting My Vault only", ErrNotAllowed)

// ExportPolicy asks the server what this account may export.
func (s *Session) ExportPolicy(ctx context.Context) (ExportPolicy, error) {
	var resp api.MyExportPolicy
	if err := s.t.do(ctx, "GET", "/account/export-policy", nil, &resp); err != nil {
		return ExportPolicy{}, err
	}
	return ExportPolicy{MyVaultOnly: resp.MyVaultOnly, RestrictedOrgs: resp.RestrictedOrgs}, nil
}

// RecordExport writes an export of vaultIDs (vaults of organisation
// orgID) in the organisation's audit log, signed by this account; the
// server refuses it (ErrExportRestricted) when the policy does not allow
// it. Called before the file is written.
func (s *Session) RecordExport(ctx context.Context, orgID string, vaultIDs []string, format string) error {
	t := api.TargetExport(vaultIDs, format)
	stmt := s.statement(orgID, api.AuditExport, t)
	err := s.t.doStated(ctx, "POST", "/orgs/"+url.PathEscape(orgID)+"/exports", stmt, api.ExportRecord{Vaults: t.Vaults, Format: format}, nil)
	return exportRestricted(err)
}

// SetGroupExportPolicy restricts (or frees) a group's members' exports
// (the organisation's owner).
func (s *Session) SetGroupExportPolicy(ctx context.Context, orgID, groupID string, myVaultOnly bool) error {
	stmt := s.statement(orgID, api.AuditExportPolicy, api.TargetExportPolicy(groupID, myVaultOnly))
	return s.t.doStated(ctx, "PUT", "/groups/"+url.PathEscape(groupID)+"/export-policy", stmt, api.ExportPolicy{MyVaultOnly: myVaultOnly}, nil)
}

// AdminSetExportPolicy restricts (or frees) an account's exports (an
// instance administrator; the account by address or id).
func (s *Session) AdminSetExportPolicy(ctx context.Context, ref string, myVaultOnly bool) error {
	return s.t.do(ctx, "PUT", adminPath(ref)+"/export-policy", api.ExportPolicy{MyVaultOnly: myVaultOnly}, nil)
}

func exportRestricted(err error) error {
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == api.CodeExportRestricted {
		return ErrExportRestricted
	}
	return err
}
