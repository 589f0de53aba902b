package view

import "github.com/coffer-pm/coffer/client"

// Vault is a vault this account opens, with what it may do there.
type Vault struct {
	ID    string `json:"id"`
	Label string `json:"label"` // My Vault, or ORG/NAME
	Name  string `json:"name"`  // its name in its organisation
	Kind  string `json:"kind"`  // personal or org
	OrgID string `json:"org_id,omitempty"`
	Org   string `json:"org,omitempty"`
	// Permission is this account's: owner (My Vault), manage, edit or view.
	Permission string `json:"permission"`
	CanCreate  bool   `json:"can_create"` // add, edit, trash and move its items
	CanManage  bool   `json:"can_manage"` // see and change who opens it (grant, revoke, access)
	// Access is who opens it, by grant (OrgDetail only, when CanManage).
	Access []client.Access `json:"access,omitempty"`
	// Openers are who open it, each grant to a group expanded to its
	// members (OrgDetail only, when CanManage).
	Openers []Opener `json:"openers,omitempty"`
}

// VaultOf is v as this account sees it.
func VaultOf(v *client.Vault) Vault {
	return Vault{ID: v.ID, Label: v.Label(), Name: v.Name, Kind: v.Kind, OrgID: v.OrgID, Org: v.OrgName,
		Permission: permissionOf(v), CanCreate: v.Writable(), CanManage: v.Manageable()}
}

// Vaults are every vault the account opens, My Vault first.
func Vaults(s *client.Session) []Vault {
	out := []Vault{}
	for _, v := range s.Vaults() {
		out = append(out, VaultOf(v))
	}
	return out
}
