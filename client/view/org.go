package view

import (
	"context"
	"strconv"
	"time"

	"github.com/coffer-pm/coffer/client"
)

// Org is an organisation this account is a confirmed member of, with
// what its role lets it do. The capabilities follow the client core's
// rules (the owner invites, confirms, removes, creates organisation
// groups and vaults; any member creates private groups); the server
// refuses the rest all the same.
type Org struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Role       string    `json:"role"` // owner or member
	OwnerEmail string    `json:"owner_email"`
	// CanInvite: invite, re-issue and cancel invitations, confirm joined
	// invitees.
	CanInvite bool `json:"can_invite"`
	// CanManageMembers: remove members; see every member's and
	// invitation's details and fingerprint.
	CanManageMembers bool `json:"can_manage_members"`
	// CanManageGroups: create organisation groups (any member creates
	// private groups of their own: CanCreatePrivateGroup).
	CanManageGroups       bool `json:"can_manage_groups"`
	CanCreatePrivateGroup bool `json:"can_create_private_group"`
	CanCreateVault        bool `json:"can_create_vault"`
	// CanGrant: change who opens at least one of its vaults (this
	// account manages it).
	CanGrant bool `json:"can_grant"`
	// CanRename, CanDelete: the organisation itself.
	CanRename bool `json:"can_rename"`
	CanDelete bool `json:"can_delete"`
	// CanAudit: read the organisation's audit log and what key rotations
	// it owes (the owner).
	CanAudit bool `json:"can_audit"`
	// CanLeave: leave the organisation (a member); else LeaveRefusal says
	// why, in the client core's words (the owner: transfer ownership
	// first).
	CanLeave     bool   `json:"can_leave"`
	LeaveRefusal string `json:"leave_refusal,omitempty"`
	// OfferedTo is the address of the member the owner offered the
	// organisation to (an open ownership offer, docs/protocol.md §18.5),
	// shown to the owner and to that member; OfferedToYou: that member is
	// this account, which may accept (CanAcceptOwnership).
	OfferedTo          string     `json:"offered_to,omitempty"`
	OfferedAt          *time.Time `json:"offered_at,omitempty"`
	OfferedToYou       bool       `json:"offered_to_you,omitempty"`
	CanTransfer        bool       `json:"can_transfer,omitempty"`
	CanAcceptOwnership bool       `json:"can_accept_ownership,omitempty"`
	// TransferNote says what an accepted transfer changes, shown with the
	// offer (to the owner making it, and to the member offered it).
	TransferNote string `json:"transfer_note,omitempty"`
	// RequireTwoFactor: the owner requires two-factor log-in of the
	// members (docs/protocol.md §8.3); every member sees it.
	// CanSetTwoFactorPolicy: this account may change it (the owner), and
	// TwoFactorNote says what it does where it is set.
	RequireTwoFactor      bool   `json:"require_two_factor"`
	CanSetTwoFactorPolicy bool   `json:"can_set_two_factor_policy"`
	TwoFactorNote         string `json:"two_factor_note,omitempty"`
}

// TwoFactorRequirementNote is what the organisation's two-factor
// requirement does, where the owner sets it (the CLI and the web app).
const TwoFactorRequirementNote = "While two-factor log-in is required, you cannot confirm anyone who has not turned it on, and members cannot turn theirs off. Members who lack it now stay until you remove them: the list shows who they are. Turning it on needs your own two-factor log-in."

// Two-factor labels of a member, as the owner's members list shows them.
const (
	TwoFactorOnLabel  = "Two-factor on"
	TwoFactorOffLabel = "No two-factor"
)

// ConfirmNeedsTwoFactor is why a joined invitee cannot be confirmed
// while the organisation requires two-factor log-in.
const ConfirmNeedsTwoFactor = "This organisation requires two-factor log-in: ask them to turn on two-factor log-in in Account → Security, then confirm them."

// TransferNote is what an accepted ownership transfer changes, in the CLI
// and the web app alike.
const TransferNote = "When the offer is accepted, the new owner manages the organisation, its groups and vaults; the previous owner stays an ordinary member (keeping their grants) and can then leave. Account recovery is turned off and every enrolment dropped (the new owner turns it on again, members enrol again); open invitations are cancelled (the new owner invites again). Until then, a new offer replaces this one and the owner can withdraw it."

// Accepted is what accepting an organisation's ownership changed
// (client.TransferResult), with the sentence that says it.
type Accepted struct {
	_                 [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Org               string    `json:"org"`
	Name              string    `json:"name"`
	Vaults            int       `json:"vaults"`
	RecoveryTurnedOff bool      `json:"recovery_turned_off"`
	Message           string    `json:"message"`
}

// AcceptedOf says what an accepted transfer changed.
func AcceptedOf(r *client.TransferResult) Accepted {
	msg := "You own " + r.OrgName + " now (you manage its " + strconv.Itoa(r.Vaults) + " organisation vault(s) and its groups). Invitations the previous owner left open were cancelled: invite those addresses again."
	if r.RecoveryWasOn {
		msg += " Account recovery was on with the previous owner's key: it is off now and every enrolment was dropped; turn it on again (members then enrol again)."
	}
	return Accepted{Org: r.OrgID, Name: r.OrgName, Vaults: r.Vaults, RecoveryTurnedOff: r.RecoveryWasOn, Message: msg}
}

// OrgOf is o as this account sees it.
func OrgOf(s *client.Session, o *client.Org) Org {
	owner := o.OwnerID == s.Profile.UserID
	email := s.MemberEmail(o.OwnerID)
	if owner {
		email = s.Profile.Email
	}
	out := Org{ID: o.ID, Name: o.Name, Role: o.Role, OwnerEmail: email, CanInvite: owner, CanManageMembers: owner,
		CanManageGroups: owner, CanCreatePrivateGroup: true, CanCreateVault: owner, CanRename: owner, CanDelete: owner, CanTransfer: owner, CanAudit: owner}
	if err := s.LeaveRefusal(o); err != nil {
		out.LeaveRefusal = err.Error()
	} else {
		out.CanLeave = true
	}
	if o.OfferedTo != "" {
		at := o.OfferedAt
		out.OfferedTo, out.OfferedAt = s.MemberEmail(o.OfferedTo), &at
		out.OfferedToYou = o.OfferedTo == s.Profile.UserID
		out.CanAcceptOwnership = out.OfferedToYou
	}
	if owner || out.OfferedToYou {
		out.TransferNote = TransferNote
	}
	out.RequireTwoFactor, out.CanSetTwoFactorPolicy = o.RequireTwoFactor, owner
	if owner {
		out.TwoFactorNote = TwoFactorRequirementNote
	}
	for _, v := range s.Vaults() {
		if v.OrgID == o.ID && v.Manageable() {
			out.CanGrant = true
		}
	}
	return out
}

// Orgs are the organisations this account is a confirmed member of.
func Orgs(s *client.Session) []Org {
	out := []Org{}
	for _, o := range s.Orgs() {
		out = append(out, OrgOf(s, o))
	}
	return out
}

// Member is a member of an organisation, or (for its owner) an
// invitation, with what this account may do about them.
type Member struct {
	Email  string `json:"email"`
	Name   string `json:"name,omitempty"`    // as they chose it, made Displayable
	UserID string `json:"user_id,omitempty"` // the owner's view only
	// State: owner, confirmed; for the owner also joined, invited,
	// cancelled.
	State string `json:"state"`
	// Fingerprint is the roster-verified key fingerprint (of a joined
	// invitee: of the keys their MAC under the code vouches for, to compare
	// before confirming), given where this account has a reason to compare
	// it: see Members.
	Fingerprint string `json:"fingerprint,omitempty"`
	// KeyMismatch: a joined invitee whose keys, as the server presents
	// them, are not the ones they joined with (the owner's view).
	KeyMismatch bool       `json:"key_mismatch,omitempty"`
	Locked      bool       `json:"locked,omitempty"` // invited, wrong-code attempts used up: re-issue
	LockedAt    *time.Time `json:"locked_at,omitempty"`
	Me          bool       `json:"me,omitempty"`
	// OfferedOwnership: the owner offered the organisation to them (the
	// owner's view, and their own).
	OfferedOwnership bool `json:"offered_ownership,omitempty"`
	CanConfirm       bool `json:"can_confirm"`
	CanCancel        bool `json:"can_cancel"`
	CanReissue       bool `json:"can_reissue"`
	CanRemove        bool `json:"can_remove"`
	CanCompare       bool `json:"can_compare"` // a fingerprint to compare with theirs, read aloud
	// TwoFactor: whether their two-factor log-in is on, with its label
	// (the owner's view of members and joined invitees: nil, "" else).
	TwoFactor      *bool  `json:"two_factor,omitempty"`
	TwoFactorLabel string `json:"two_factor_label,omitempty"`
	// ConfirmRefusal: a joined invitee the owner cannot confirm yet, and
	// why (CanConfirm is false).
	ConfirmRefusal string `json:"confirm_refusal,omitempty"`
	// Opens are the vaults they open that this account manages (OrgDetail).
	Opens []Opens `json:"opens,omitempty"`
}

// Members lists an organisation's members as this account may see them.
// The owner sees everyone, every invitation and every fingerprint. A
// member sees the confirmed members (whom they may add to a private
// group) and a fingerprint only where they have a reason to compare
// one: the owner's, their own, and those of the members of the groups
// they are in or manage — not every member's (issue 24).
func Members(ctx context.Context, s *client.Session, orgID string) ([]Member, error) {
	o, err := s.FindOrg(orgID)
	if err != nil {
		return nil, err
	}
	list, err := s.MembersAndInvitations(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	owner := o.OwnerID == s.Profile.UserID
	near := map[string]bool{o.OwnerID: true, s.Profile.UserID: true}
	for _, g := range s.Groups(o.ID) {
		near[g.ManagerID] = true
		for _, id := range g.Members {
			near[id] = true
		}
	}
	out := []Member{}
	for _, m := range list {
		confirmed := m.State == "owner" || m.State == "confirmed"
		if !owner && !confirmed {
			continue // invitations are the owner's business
		}
		v := Member{Email: m.Email, Name: client.Displayable(m.Name, client.MaxDisplayName), State: m.State,
			Locked: m.Locked, LockedAt: m.LockedAt, Me: m.UserID == s.Profile.UserID && m.UserID != ""}
		if owner || near[m.UserID] {
			v.Fingerprint = m.Fingerprint
		}
		v.OfferedOwnership = m.UserID != "" && m.UserID == o.OfferedTo
		if owner {
			v.UserID = m.UserID
			v.KeyMismatch = m.KeyMismatch
			v.CanConfirm = m.State == "joined"
			if m.TwoFactor != nil {
				on := *m.TwoFactor
				v.TwoFactor, v.TwoFactorLabel = &on, TwoFactorOffLabel
				if on {
					v.TwoFactorLabel = TwoFactorOnLabel
				}
			}
			if v.CanConfirm && o.RequireTwoFactor && m.TwoFactor != nil && !*m.TwoFactor {
				v.CanConfirm, v.ConfirmRefusal = false, ConfirmNeedsTwoFactor
			}
			v.CanCancel = m.State == "joined" || m.State == "invited"
			v.CanReissue = m.Locked
			v.CanRemove = m.State == "confirmed"
		}
		v.CanCompare = v.Fingerprint != "" && !v.Me
		out = append(out, v)
	}
	return out, nil
}

// Group is a group of an organisation as this account sees it.
type Group struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Private           bool     `json:"private"`
	DefaultPermission string   `json:"default_permission"`
	Members           []string `json:"members"` // e-mail addresses
	VaultID           string   `json:"vault_id,omitempty"`
	Manager           string   `json:"manager"` // e-mail
	Manages           bool     `json:"manages"` // this account manages it
	CanAddMembers     bool     `json:"can_add_members"`
	CanRemoveMembers  bool     `json:"can_remove_members"`
	// CanGrant: give the group access to a vault (an organisation group,
	// by the owner, to a vault the owner manages).
	CanGrant bool `json:"can_grant"`
	// ExportMyVaultOnly: "Allow export of My Vault only" — its members
	// export no vault of the organisation (docs/protocol.md §19.4);
	// every member who sees the group sees it. CanSetExportPolicy: this
	// account may change it (the owner, any group of theirs).
	ExportMyVaultOnly  bool `json:"export_my_vault_only"`
	CanSetExportPolicy bool `json:"can_set_export_policy"`
	// Opens are the vaults granted to it that this account manages
	// (OrgDetail).
	Opens []Opens `json:"opens,omitempty"`
}

// Groups lists the groups of an organisation this account may see
// (private groups only to their members and the owner).
func Groups(ctx context.Context, s *client.Session, orgID string) ([]Group, error) {
	o, err := s.FindOrg(orgID)
	if err != nil {
		return nil, err
	}
	list, err := s.ListGroups(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	owner := o.OwnerID == s.Profile.UserID
	out := []Group{}
	for _, g := range list {
		members := []string{}
		for _, id := range g.Members {
			members = append(members, s.MemberEmail(id))
		}
		manages := g.ManagerID == s.Profile.UserID
		out = append(out, Group{ID: g.ID, Name: g.Name, Private: g.Private, DefaultPermission: g.DefaultPermission, Members: members,
			VaultID: g.VaultID, Manager: s.MemberEmail(g.ManagerID), Manages: manages, CanAddMembers: manages, CanRemoveMembers: manages,
			CanGrant: owner && !g.Private, ExportMyVaultOnly: g.ExportMyVaultOnly, CanSetExportPolicy: owner})
	}
	return out, nil
}

// OrgDetail is the organisations screen of one organisation: the
// organisation, its members, groups and vaults as this account may see
// them, and who opens what among the vaults it manages.
type OrgDetail struct {
	Org     Org      `json:"org"`
	Members []Member `json:"members"`
	Groups  []Group  `json:"groups"`
	Vaults  []Vault  `json:"vaults"` // of this organisation, that this account opens
	// Roster are the confirmed members' addresses: whom a group or a
	// grant can name.
	Roster []string `json:"roster"`
	// Former are the former members' addresses (the owner's view): whose
	// exposure report the owner reads (ExposureOf).
	Former []string `json:"former,omitempty"`
}

// OrgDetailOf gathers OrgDetail.
func OrgDetailOf(ctx context.Context, s *client.Session, orgID string) (*OrgDetail, error) {
	o, err := s.FindOrg(orgID)
	if err != nil {
		return nil, err
	}
	members, err := Members(ctx, s, o.ID)
	if err != nil {
		return nil, err
	}
	groups, err := Groups(ctx, s, o.ID)
	if err != nil {
		return nil, err
	}
	var vaults []*client.Vault
	for _, v := range s.Vaults() {
		if v.OrgID == o.ID {
			vaults = append(vaults, v)
		}
	}
	access, err := newAccessMap(ctx, s, o.ID, vaults)
	if err != nil {
		return nil, err
	}
	d := &OrgDetail{Org: OrgOf(s, o), Members: members, Groups: groups, Vaults: []Vault{}, Roster: []string{}}
	if d.Org.CanAudit {
		d.Former = s.FormerMembers(o.ID)
	}
	for i, m := range d.Members {
		if m.State == "owner" || m.State == "confirmed" {
			d.Members[i].Opens = access.opensOfMember(m.Email)
			d.Roster = append(d.Roster, m.Email)
		}
	}
	for i, g := range d.Groups {
		d.Groups[i].Opens = access.opensOfGroup(g.ID)
	}
	for _, v := range vaults {
		x := VaultOf(v)
		if x.CanManage {
			x.Access = append([]client.Access{}, access.grants[v.ID]...)
			x.Openers = access.openers(v.ID, s.Profile.Email)
		}
		d.Vaults = append(d.Vaults, x)
	}
	return d, nil
}
