package view

import (
	"context"
	"slices"
	"strings"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
)

// OrgPolicy is an organisation's policies as `coffer org policy --json`
// prints them and the web app's settings show them: each group's export
// policy, and what this account may export of the organisation.
type OrgPolicy struct {
	Org    string              `json:"org"`
	Groups []GroupExportPolicy `json:"groups"`
	// YouMayExport: this account may export the organisation's vaults.
	YouMayExport bool   `json:"you_may_export"`
	Note         string `json:"note,omitempty"`
	// CanSet: this account may change the groups' policies (the owner).
	CanSet bool `json:"can_set"`
	// RequireTwoFactor: the organisation requires two-factor log-in of
	// its members (docs/protocol.md §8.3); TwoFactor says it in words
	// (two-factor-required or two-factor-not-required).
	RequireTwoFactor bool   `json:"require_two_factor"`
	TwoFactor        string `json:"two_factor"`
}

// GroupExportPolicy is one group's export policy.
type GroupExportPolicy struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Export string `json:"export"` // my-vault-only or all
}

// OrgPolicyOf reads organisation orgRef's policies.
func OrgPolicyOf(ctx context.Context, s *client.Session, orgRef string) (OrgPolicy, error) {
	o, err := s.FindOrg(orgRef)
	if err != nil {
		return OrgPolicy{}, err
	}
	groups, err := s.ListGroups(ctx, o.ID)
	if err != nil {
		return OrgPolicy{}, err
	}
	p, err := s.ExportPolicy(ctx)
	if err != nil {
		return OrgPolicy{}, err
	}
	out := OrgPolicy{Org: o.Name, Groups: []GroupExportPolicy{}, CanSet: o.OwnerID == s.Profile.UserID,
		RequireTwoFactor: o.RequireTwoFactor, TwoFactor: api.TwoFactorPolicyName(o.RequireTwoFactor),
		YouMayExport: !p.MyVaultOnly && !slices.Contains(p.RestrictedOrgs, o.ID)}
	if !out.YouMayExport {
		out.Note = p.Note()
	}
	for _, g := range groups {
		out.Groups = append(out.Groups, GroupExportPolicy{ID: g.ID, Name: g.Name, Export: api.ExportPolicyName(g.ExportMyVaultOnly)})
	}
	return out, nil
}

// ExportLimits says what the export policy can and cannot stop
// (docs/protocol.md §19.4), wherever it is set or shown: whoever sets it
// must not take it for more than it is. The web app has it as
// TEXTS.export_limits (core/types.gen.ts), not from the core: static
// words cost the first load nothing there.
const ExportLimits = "The policy stops Coffer's own apps from exporting, and the audit log shows every export they make. It does not stop reading: someone who can read an item can still copy it — by hand, with a screenshot, or with a modified client. To limit what someone can read, change their vault access."

// GroupExportNote and AccountExportNote say what the policy does where it
// is set (docs/protocol.md §19.4); the web app has them as TEXTS, like
// ExportLimits.
const (
	GroupExportNote   = "When a group allows export of My Vault only, its members export no vault of this organisation; My Vault, and their other organisations' vaults, stay exportable."
	AccountExportNote = "An account that may export My Vault only has every organisation vault left out of its exports; My Vault always stays exportable."
)

// ExportPolicyWords says what an account's policy lets it export, as
// its administrator reads it ("May export: …").
func ExportPolicyWords(myVaultOnly bool) string {
	if myVaultOnly {
		return "My Vault only"
	}
	return "everything they can read"
}

// MyExportPolicy is what this account may export, as the web app shows
// it (Account → Profile; the export screen).
type MyExportPolicy struct {
	_ [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	// MyVaultOnly: an instance administrator restricts the account.
	MyVaultOnly bool `json:"my_vault_only"`
	// RestrictedOrgs names the organisations none of whose vaults it may
	// export (a group it is in is restricted); empty when MyVaultOnly.
	RestrictedOrgs []string `json:"restricted_orgs"`
	// MayExport says it in words: "everything you can read", "My Vault
	// only", or everything but some organisations' vaults.
	MayExport string `json:"may_export"`
	// Note is the sentence an export shows when something is held back
	// ("" when nothing is).
	Note string `json:"note,omitempty"`
}

// MyExportPolicyOf asks the server what this account may export.
func MyExportPolicyOf(ctx context.Context, s *client.Session) (MyExportPolicy, error) {
	p, err := s.ExportPolicy(ctx)
	if err != nil {
		return MyExportPolicy{}, err
	}
	out := MyExportPolicy{MyVaultOnly: p.MyVaultOnly, RestrictedOrgs: []string{}, Note: p.Note(), MayExport: "everything you can read"}
	if p.MyVaultOnly {
		out.MayExport = "My Vault only"
		return out, nil
	}
	for _, id := range p.RestrictedOrgs {
		// An organisation this account does not hold (it just left) by
		// its id: its name is sealed to its members.
		name := id
		if o, err := s.FindOrg(id); err == nil {
			name = o.Name
		}
		out.RestrictedOrgs = append(out.RestrictedOrgs, name)
	}
	if len(out.RestrictedOrgs) > 0 {
		out.MayExport = "everything you can read except the vaults of " + strings.Join(out.RestrictedOrgs, ", ")
	}
	return out, nil
}
