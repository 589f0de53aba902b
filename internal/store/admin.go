package store

import (
	"context"
	"errors"
	"time"
)

var (
	// ErrOwner: the organisation's owner cannot leave it, be removed or
	// unbound from it. Nothing was written.
	ErrOwner = errors.New("the organisation's owner cannot leave or be removed; transfer ownership first")
	// ErrOwnsOrgs: an account that owns an organisation cannot be
	// deleted. Nothing was written.
	ErrOwnsOrgs = errors.New("the account owns an organisation; transfer ownership first")
	// ErrDisabled: the account is disabled by an instance administrator.
	ErrDisabled = errors.New("the account is disabled")
)

// How a member left an organisation without the owner (docs/protocol.md
// §18.4).
const (
	DepartLeft    = "left"    // the member left
	DepartUnbound = "unbound" // an instance administrator unbound them
	DepartDeleted = "deleted" // the member deleted their account
)

// Departure marks a member whose access is gone but whom the signed roster
// still lists: the owner's client signs the next roster version with them
// as a former member (roster pending).
type Departure struct {
	OrgID  string
	UserID string
	How    string // DepartLeft, DepartUnbound or DepartDeleted
	At     time.Time
}

// AccountSummary is an account as an instance administrator's search shows
// it: no key material.
type AccountSummary struct {
	ID         string
	Email      string
	Name       string
	CreatedAt  time.Time
	DisabledAt time.Time // zero when enabled
	Granted    bool      // made administrator on the server machine
	Orgs       int       // organisations it is a confirmed member of
}

// OrgBinding is one organisation an account belongs to. Names are sealed:
// the server knows ids, sizes and the owner.
type OrgBinding struct {
	OrgID      string
	Role       string
	Members    int
	OwnerID    string
	OwnerEmail string
}

// GroupBinding is one group an account is in or manages.
type GroupBinding struct {
	GroupID string
	OrgID   string
	Private bool
	Members int
	Member  bool // a member (else only its manager)
	Manager bool
}

// Bindings are an account's organisations and groups.
type Bindings struct {
	Orgs   []OrgBinding
	Groups []GroupBinding
}

// AdminStore is what instance administrators and leaving need
// (docs/protocol.md §18.4, §18.8). Every way a member loses access to an
// organisation — the owner's removal, leaving, unbinding, account
// deletion — drops the same rows and emits the same events.
type AdminStore interface {
	// GrantAdmin makes an account an instance administrator;
	// ErrNotFound if there is no such (live) account. Granting twice is
	// no error.
	GrantAdmin(ctx context.Context, userID string, at time.Time) error
	// RevokeAdmin takes a grant away; ErrNotFound if there was none.
	RevokeAdmin(ctx context.Context, userID string) error
	// IsGrantedAdmin reports whether GrantAdmin made the account an
	// administrator.
	IsGrantedAdmin(ctx context.Context, userID string) (bool, error)
	// SearchAccounts lists live accounts whose address or name contains
	// text (any letter case; all of them for ""), by address, at most
	// limit.
	SearchAccounts(ctx context.Context, text string, limit int) ([]AccountSummary, error)
	// AccountBindings lists the account's organisations and groups.
	AccountBindings(ctx context.Context, userID string) (Bindings, error)
	// SetDisabled disables (revoking every session of the account and
	// waking its live streams, which then close) or enables an account,
	// and returns how many sessions it revoked. ErrNotFound if there is no
	// live account.
	SetDisabled(ctx context.Context, userID string, disabled bool, at time.Time) (revoked int, err error)
	// Depart cuts a member's access to an organisation without a new
	// roster (they left, or an administrator unbound them) and marks the
	// roster pending. ErrNotFound if they are not a confirmed member,
	// ErrOwner for the owner.
	Depart(ctx context.Context, orgID, userID, how string, at time.Time) error
	// Departures lists an organisation's pending departures, oldest first.
	Departures(ctx context.Context, orgID string) ([]Departure, error)
	// CompleteDeparture stores the owner's roster o (the next version,
	// listing the departed member as former) and the owner's signatures
	// of group keys the member signed (as RemoveMember does), and clears
	// the mark; ErrNotFound if there is no pending departure of userID.
	// It returns the groups whose keys the member signed that resigned
	// does not cover.
	CompleteDeparture(ctx context.Context, o Org, userID string, resigned map[string][]byte) (left []string, err error)
	// DeleteAccount deletes an account that owns no organisation
	// (ErrOwnsOrgs): it departs every organisation (DepartDeleted),
	// deletes its sessions, My Vault with its items and files, keyring,
	// recovery requests, notices and administrator grant, wipes its
	// password material and frees its address, keeping a tombstone with
	// its public keys (Account.DeletedAt). ErrNotFound if there is no live
	// account. The entry AuditEachOrg registered, if any, is appended to
	// the audit log of each organisation it departs, in the transaction.
	DeleteAccount(ctx context.Context, userID string, at time.Time) error
}
