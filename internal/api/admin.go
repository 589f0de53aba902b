package api

import "time"

// AdminAccount is an account as an instance administrator's search shows
// it (GET /admin/accounts): no key material.
type AdminAccount struct {
	_          [0]func()  // not comparable: no equality function in core.wasm (docs/performance.md)
	UserID     string     `json:"user_id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	Disabled   bool       `json:"disabled"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	Admin      bool       `json:"admin"`
	Orgs       int        `json:"orgs"`
	// TwoFactor: the account has two-factor log-in (TOTP or a security
	// key); only in an account's detail (POST …/reset-2fa turns it off).
	TwoFactor bool `json:"two_factor,omitempty"`
}

// AdminOrgBinding is one organisation an account belongs to. Names are
// sealed: the server shows ids, sizes and the owner's address.
type AdminOrgBinding struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	OrgID      string    `json:"org_id"`
	Role       string    `json:"role"`
	Members    int       `json:"members"`
	OwnerID    string    `json:"owner_id"`
	OwnerEmail string    `json:"owner_email"`
}

// AdminGroupBinding is one group an account is in or manages.
type AdminGroupBinding struct {
	_       [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	GroupID string    `json:"group_id"`
	OrgID   string    `json:"org_id"`
	Private bool      `json:"private"`
	Members int       `json:"members"`
	Member  bool      `json:"member"`
	Manager bool      `json:"manager"`
}

// AdminAccountDetail answers GET /admin/accounts/{user}.
type AdminAccountDetail struct {
	AdminAccount
	Orgs   []AdminOrgBinding   `json:"organisations"`
	Groups []AdminGroupBinding `json:"groups"`
	// ExportMyVaultOnly: an administrator restricted the account to
	// exporting My Vault only (issue 26).
	ExportMyVaultOnly bool `json:"export_my_vault_only"`
}

// AdminDisabled answers POST /admin/accounts/{user}/disable.
type AdminDisabled struct {
	RevokedSessions int `json:"revoked_sessions"`
}

// Departure is a member who left an organisation, was unbound from it or
// deleted their account, whom the signed roster still lists: the owner's
// client signs the next roster with them as a former member (protocol
// §18.4). Until then clients wrap nothing to them.
type Departure struct {
	_      [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	UserID string    `json:"user_id"`
	How    string    `json:"how"` // "left", "unbound" or "deleted"
	At     time.Time `json:"at"`
}

// DeleteAccountRequest proves the master password afresh (protocol §4).
type DeleteAccountRequest struct {
	AuthKey []byte `json:"auth_key"`
}

// AdminOrgRoster answers GET /admin/orgs/{org}/roster: an organisation's
// owner-signed roster and the public keys of every account it lists
// (without names), what an instance administrator's client verifies the
// organisation's audit log against (protocol §18.7).
type AdminOrgRoster struct {
	OrgID   string       `json:"org_id"`
	OwnerID string       `json:"owner_id"`
	Roster  Roster       `json:"roster"`
	Keys    []PublicKeys `json:"keys"`
}
