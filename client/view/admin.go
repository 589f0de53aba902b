package view

import (
	"context"
	"time"

	"github.com/coffer-pm/coffer/client"
)

// The Administrator Portal (docs/protocol.md §18.8): accounts as an
// instance administrator sees them — routing metadata only. An
// administrator holds no key of anyone's: organisation and group names
// are sealed, so the server shows ids, sizes and the owner's address.

// SealedNote says, once, why the portal shows ids instead of names.
const SealedNote = "Organisation and group names are end-to-end encrypted: the server, and so this portal, sees only their ids, sizes and owners."

// AdminUser is an account in an administrator's search.
type AdminUser struct {
	_          [0]func()  // not comparable: no equality function in core.wasm (docs/performance.md)
	UserID     string     `json:"user_id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"` // as they chose it, made Displayable
	CreatedAt  time.Time  `json:"created_at"`
	State      string     `json:"state"` // active or disabled
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	Admin      bool       `json:"admin"` // an instance administrator too
	OrgCount   int        `json:"orgs"`
	Me         bool       `json:"me,omitempty"` // the administrator's own account
	// CanDisable: an active account, not the administrator's own (the
	// server refuses that: the instance could be left without one).
	CanDisable bool `json:"can_disable"`
	CanEnable  bool `json:"can_enable"`
	// TwoFactor: the account has two-factor log-in (in an account's
	// detail); CanResetTwoFactor offers the reset for someone who lost
	// their codes and keys.
	TwoFactor         bool `json:"two_factor"`
	CanResetTwoFactor bool `json:"can_reset_two_factor"`
}

// AdminOrg is an organisation an account is bound to.
type AdminOrg struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	OrgID      string    `json:"org_id"`
	Role       string    `json:"role"` // owner or member
	Members    int       `json:"members"`
	OwnerEmail string    `json:"owner_email"`
	// CanUnbind: a member (never the owner); else UnbindRefusal says why.
	CanUnbind     bool   `json:"can_unbind"`
	UnbindRefusal string `json:"unbind_refusal,omitempty"`
}

// AdminGroup is a group an account is in or manages.
type AdminGroup struct {
	_       [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	GroupID string    `json:"group_id"`
	OrgID   string    `json:"org_id"`
	Private bool      `json:"private"`
	Members int       `json:"members"`
	Member  bool      `json:"member"`
	Manager bool      `json:"manager"`
}

// AdminUserDetail is one account's page: what it is bound to.
type AdminUserDetail struct {
	AdminUser
	Orgs   []AdminOrg   `json:"organisations"`
	Groups []AdminGroup `json:"groups"`
	Sealed string       `json:"sealed"` // SealedNote
	// ExportMyVaultOnly: the account may export My Vault only ("Allow
	// export of My Vault only", set by an instance administrator);
	// MayExport says it in words (ExportPolicyWords).
	ExportMyVaultOnly bool   `json:"export_my_vault_only"`
	MayExport         string `json:"may_export"`
}

// UnbindOwnerRefusal is why an organisation's owner is not offered Unbind.
const UnbindOwnerRefusal = "the owner cannot be unbound: transfer ownership first"

func adminUser(s *client.Session, a client.AdminAccount) AdminUser {
	u := AdminUser{UserID: a.UserID, Email: client.Displayable(a.Email, client.MaxDisplayName), Name: client.Displayable(a.Name, client.MaxDisplayName),
		CreatedAt: a.CreatedAt, State: "active", DisabledAt: a.DisabledAt, Admin: a.Admin, OrgCount: a.Orgs, Me: a.UserID == s.Profile.UserID}
	if a.Disabled {
		u.State = "disabled"
	}
	u.CanDisable = !a.Disabled && !u.Me
	u.CanEnable = a.Disabled
	u.TwoFactor, u.CanResetTwoFactor = a.TwoFactor, a.TwoFactor
	return u
}

// AdminSearch lists the accounts whose address or name contains text
// (every account for "").
func AdminSearch(ctx context.Context, s *client.Session, text string) ([]AdminUser, error) {
	list, err := s.AdminSearch(ctx, text)
	if err != nil {
		return nil, err
	}
	out := []AdminUser{}
	for _, a := range list {
		out = append(out, adminUser(s, a))
	}
	return out, nil
}

// AdminUserOf is an account (by address or id) with what it is bound to.
func AdminUserOf(ctx context.Context, s *client.Session, ref string) (*AdminUserDetail, error) {
	d, err := s.AdminAccount(ctx, ref)
	if err != nil {
		return nil, err
	}
	out := &AdminUserDetail{AdminUser: adminUser(s, d.AdminAccount), Orgs: []AdminOrg{}, Groups: []AdminGroup{}, Sealed: SealedNote,
		ExportMyVaultOnly: d.ExportMyVaultOnly, MayExport: ExportPolicyWords(d.ExportMyVaultOnly)}
	for _, o := range d.Orgs {
		v := AdminOrg{OrgID: o.OrgID, Role: o.Role, Members: o.Members, OwnerEmail: client.Displayable(o.OwnerEmail, client.MaxDisplayName)}
		if o.Role == "owner" || o.OwnerID == d.UserID {
			v.Role, v.UnbindRefusal = "owner", UnbindOwnerRefusal
		} else {
			v.CanUnbind = true
		}
		out.Orgs = append(out.Orgs, v)
	}
	for _, g := range d.Groups {
		out.Groups = append(out.Groups, AdminGroup{GroupID: g.GroupID, OrgID: g.OrgID, Private: g.Private, Members: g.Members, Member: g.Member, Manager: g.Manager})
	}
	return out, nil
}
