// Package authz is the one place that decides what a vault permission
// allows. Handlers ask it; they never compare permissions themselves.
package authz

import "github.com/coffer-pm/coffer/internal/store"

// Action is something a user may try on a vault.
type Action int

const (
	// ReadVault: list items, get items, read history and key wraps.
	ReadVault Action = iota
	// WriteItems: create, edit, trash and restore items.
	WriteItems
	// ManageGrants: change who can open the vault.
	ManageGrants
	// RepairManifest: sign a new manifest over a quarantined vault
	// (docs/protocol.md §7.6), purging items that fail verification: no
	// more than an edit member can do with writes, each of which signs the
	// vault's whole manifest, and trash and purge.
	RepairManifest
	// ManageVault: rename or delete an organisation vault.
	ManageVault
)

// Allows reports whether permission p allows action a.
func Allows(p store.Permission, a Action) bool {
	switch a {
	case ReadVault:
		return p >= store.PermView
	case WriteItems, RepairManifest:
		return p >= store.PermEdit
	case ManageGrants, ManageVault:
		return p >= store.PermManage
	}
	return false
}

// Needs is the lowest permission that allows a.
func Needs(a Action) store.Permission {
	for p := store.PermView; p <= store.PermManage; p++ {
		if Allows(p, a) {
			return p
		}
	}
	return store.PermManage + 1 // nothing allows it
}

// NeedsOwner reports whether only the owner may do a.
func NeedsOwner(a OrgAction) bool { return !AllowsOrg(store.RoleMember, a) }

// OrgAction is something a user may try in an organisation.
type OrgAction int

const (
	// SeeOrg: read the roster, members and groups; a confirmed member.
	SeeOrg OrgAction = iota
	// CreatePrivateGroup: any confirmed member (MySafe).
	CreatePrivateGroup
	// Invite, confirm or cancel invitations, remove members, create
	// organisation groups and vaults: the owner only.
	Invite
	ConfirmMembers
	RemoveMembers
	CreateOrgGroup
	CreateOrgVault
	// SeeInvitations: the owner only.
	SeeInvitations
	// ManageOrg: rename or delete the organisation — the owner only.
	ManageOrg
	// ManageRecovery: turn account recovery on or off, see enrolments and
	// open requests, approve a recovery — the owner only.
	ManageRecovery
	// EnrolRecovery: enrol one's own account key in (or leave) the
	// organisation's recovery — a confirmed member who is not the owner
	// (the owner holds the recovery key; enrolling would mean nothing).
	EnrolRecovery
	// ReadAudit: read the organisation's audit log (docs/protocol.md
	// §18.7) — the owner only.
	ReadAudit
	// TransferOwnership: offer the organisation to a member, or withdraw
	// the offer — the owner only. Accepting is for the member the open
	// offer names (checked against the offer, not by role).
	TransferOwnership
	// ReadExposure: read what a person could read when they lost access
	// (docs/protocol.md §18.6) — the owner only.
	ReadExposure
	// SetExportPolicy: restrict a group's members to exporting My Vault
	// only (issue 26) — the owner only.
	SetExportPolicy
	// RecordExport: record an export of the organisation's vaults in its
	// audit log — a confirmed member (whose export policy allows it).
	RecordExport
	// SetTwoFactorPolicy: require two-factor log-in of the members, or
	// stop requiring it (protocol §8.3) — the owner only.
	SetTwoFactorPolicy
	// SeeTwoFactor: see whether each member and joined invitee has
	// two-factor log-in on — the owner only, who enforces the
	// requirement; members do not learn it of each other.
	SeeTwoFactor
)

// AllowsOrg reports whether an organisation role ("owner", "member" or ""
// for anyone else) allows action a.
func AllowsOrg(role string, a OrgAction) bool {
	switch a {
	case SeeOrg, CreatePrivateGroup, RecordExport:
		return role == store.RoleOwner || role == store.RoleMember
	case Invite, ConfirmMembers, RemoveMembers, CreateOrgGroup, CreateOrgVault, SeeInvitations, ManageRecovery, ManageOrg, ReadAudit, ReadExposure, TransferOwnership, SetExportPolicy,
		SetTwoFactorPolicy, SeeTwoFactor:
		return role == store.RoleOwner
	case EnrolRecovery:
		return role == store.RoleMember
	}
	return false
}

// ManagesGroup reports whether userID manages group g (adds and removes
// its members): the group's manager only.
func ManagesGroup(g store.Group, userID string) bool { return g.ManagerID == userID }
