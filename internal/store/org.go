package store

import (
	"context"
	"fmt"
	"time"
)

// Invitation states.
const (
	InviteInvited   = "invited"
	InviteJoined    = "joined"
	InviteConfirmed = "confirmed"
	InviteCancelled = "cancelled"
)

// Org roles.
const (
	RoleOwner  = "owner"
	RoleMember = "member"
)

// Org is an organisation with its current owner-signed roster.
type Org struct {
	ID            string
	OwnerID       string
	Meta          []byte
	KeyEpoch      uint64
	RosterVersion uint64
	Roster        []byte
	RosterSig     []byte
	CreatedAt     time.Time
	// RequireTwoFactor: the owner requires two-factor log-in of the
	// members (docs/protocol.md §8.3).
	RequireTwoFactor bool
}

// KeyWrap is a signed HPKE wrap of an organisation or group key to a member.
type KeyWrap struct {
	ObjectID  string // organisation or group
	Epoch     uint64
	MemberID  string
	SignerID  string
	Wrap      []byte
	Sig       []byte
	CreatedAt time.Time
}

// OrgAccess is an organisation as one confirmed member sees it.
type OrgAccess struct {
	Org
	Role  string
	Wraps []KeyWrap // the organisation key wraps addressed to the member
	// PendingRotations counts the rotations the organisation owes (§18.2).
	PendingRotations int
	// Transfers are the accepted ownership transfers, oldest first; Offer
	// the open offer (without its wraps), if any (§18.5).
	Transfers []OwnerTransfer
	Offer     *OwnerTransfer
}

// Member is a confirmed member with their public keys.
type Member struct {
	UserID        string
	Email         string
	Name          string
	Role          string
	SignPub       []byte
	KEMPub        []byte
	PublicKeysSig []byte
	ConfirmedAt   time.Time
}

// InviteBatch is one invitation operation and its code-derived values.
type InviteBatch struct {
	ID           string
	OrgID        string
	VerifierHash []byte
	OrgTag       []byte
	Details      []byte
	SealedCode   []byte
	CreatedAt    time.Time
	InviterID    string // the account that invited
	// Budget, if set, is the invitation mail budget the batch must fit,
	// checked inside CreateInvitations' transaction (not stored).
	Budget *InviteBudget
}

// InviteBudget bounds the invitations (each one e-mail) made since Since:
// PerInviter by the inviting account in any organisation, PerOrg in the
// batch's organisation. Checked where the batch is written, under the
// lock every CreateInvitations takes, so that it holds across every
// instance on the database (issue 27), not once per process.
type InviteBudget struct {
	Since      time.Time
	PerInviter int
	PerOrg     int
}

// InviteBudgetError: the batch does not fit its InviteBudget; nothing
// was stored.
type InviteBudgetError struct {
	ByOrg      bool // the organisation's budget, else the inviter's
	Max, Used  int
	BatchCount int
}

func (e *InviteBudgetError) Error() string {
	who := "the inviting account"
	if e.ByOrg {
		who = "the organisation"
	}
	return fmt.Sprintf("invitation mail budget: %s has %d of %d left, the batch has %d", who, max(0, e.Max-e.Used), e.Max, e.BatchCount)
}

// Invitation is one invited address.
type Invitation struct {
	ID             string
	OrgID          string
	BatchID        string
	Email          string
	State          string
	UserID         string // set at join
	JoinMAC        []byte
	FailedAttempts int
	CreatedAt      time.Time
	UpdatedAt      time.Time // for a locked invitation: its last attempt
	// Replaces, for CreateInvitations only: the id of this address's open
	// invitation in the same organisation, in state invited, that the new
	// one replaces (a re-issue).
	Replaces string
}

// Group is an organisation group or a private group.
type Group struct {
	ID        string
	OrgID     string
	ManagerID string
	// KeysSignerID signed the group's public keys (its creator); the
	// manager can change, the signature does not.
	KeysSignerID      string
	Private           bool
	DefaultPermission Permission
	Meta              []byte
	SignPub           []byte
	KEMPub            []byte
	KeysSig           []byte
	Epoch             uint64
	VaultID           string // a private group's own vault
	ExportMyVaultOnly bool   // its members export My Vault only (issue 26)
	CreatedAt         time.Time
	Members           []string // user ids, filled by GroupsInOrg
}

// Grant gives a user or group a permission on a vault.
type Grant struct {
	VaultID     string
	GranteeKind string // "user" or "group"
	GranteeID   string
	Permission  Permission
	CreatedAt   time.Time
}

// OrgStore is the organisation part of Store.
type OrgStore interface {
	TransferStore

	// CreateOrg stores an organisation, its owner as first member and the
	// owner's organisation key wrap.
	CreateOrg(ctx context.Context, o Org, ownerWrap KeyWrap) error
	Org(ctx context.Context, id string) (Org, error)
	// OrgRole returns the user's role, or "" if they are not a confirmed member.
	OrgRole(ctx context.Context, orgID, userID string) (string, error)
	OrgsForUser(ctx context.Context, userID string) ([]OrgAccess, error)
	OrgMembers(ctx context.Context, orgID string) ([]Member, error)
	// SharesOrg reports whether two accounts are confirmed members of at
	// least one common organisation.
	SharesOrg(ctx context.Context, userA, userB string) (bool, error)

	// CreateInvitations stores a batch and its invitations atomically;
	// ErrExists if an address already has an open invitation. An
	// invitation with Replaces cancels the invitation it names in the same
	// transaction, which must be of the batch's organisation, of the same
	// address and in state invited: else ErrNotFound and nothing is
	// stored. With b.Budget set, a batch that does not fit it returns
	// *InviteBudgetError and nothing is stored.
	CreateInvitations(ctx context.Context, b InviteBatch, invs []Invitation) error
	Invitation(ctx context.Context, id string) (Invitation, error)
	InviteBatch(ctx context.Context, id string) (InviteBatch, error)
	// InvitationsSince counts the invitations made since t in the
	// organisation and by the inviting account (any organisation).
	InvitationsSince(ctx context.Context, orgID, inviterID string, t time.Time) (byOrg, byInviter int, err error)
	OrgInvitations(ctx context.Context, orgID string) ([]Invitation, error)
	// OpenInvitationsFor returns an address's invitations that are invited
	// or joined (waiting for the owner's confirmation).
	OpenInvitationsFor(ctx context.Context, email string) ([]Invitation, error)
	// CountJoinAttempt counts one attempt at an invitation's code before
	// the code is compared, and returns the new count: atomically, and
	// only while the invitation is invited and has had fewer than limit
	// attempts — else ErrNotFound and nothing is counted. So concurrent
	// attempts get at most limit comparisons, a right code included.
	CountJoinAttempt(ctx context.Context, id string, limit int, at time.Time) (int, error)
	// NoteInvitationLocked tells the owner of the invitation's
	// organisation, alone, that it is locked (EventInvitationLocked).
	NoteInvitationLocked(ctx context.Context, id string) error
	// JoinInvitation moves an invited invitation to joined; ErrNotFound if
	// it is not in state invited.
	JoinInvitation(ctx context.Context, id, userID string, mac []byte, at time.Time) error
	// ConfirmMember confirms a joined invitation: the member joins the
	// organisation, the roster moves from version o.RosterVersion-1 to
	// o.RosterVersion (else *ConflictError), and the member's key wrap is
	// stored, with the earlier epochs' wraps. The organisation key's epoch
	// must still be wrap.Epoch (else *RecordConflict: a rotation came
	// first, and the member would miss its new key). While the
	// organisation requires two-factor log-in, an invitee without it is
	// refused with ErrTwoFactorRequired — read in the transaction, so a
	// concurrent disable or change of the requirement cannot slip past.
	ConfirmMember(ctx context.Context, invitationID string, o Org, wrap KeyWrap, at time.Time, earlier ...KeyWrap) error
	// CancelInvitation cancels an invited or joined invitation.
	CancelInvitation(ctx context.Context, id string, at time.Time) error
	// RemoveMember removes a member from the organisation with a new
	// roster; store.ErrOwner for the owner, ErrNotFound for a non-member. Groups the member managed get the organisation's owner as
	// their manager, in the same transaction: a group never points at a
	// non-member.
	// roster: their groups, direct grants and key wraps in it go too.
	// resigned holds the owner's new signature of the keys of every group
	// the member signed the keys of; those groups' keys signer becomes the
	// owner.
	//
	// It returns the groups whose keys the member signed and that resigned
	// does not cover (created after the owner's client listed them): they
	// keep the former member as keys signer until the owner re-signs them
	// with ResignGroupKeys. A removal therefore never depends on a list
	// the member can keep growing (issue 23, finding 2).
	RemoveMember(ctx context.Context, o Org, userID string, resigned map[string][]byte) (left []string, err error)
	// ResignGroupKeys stores the owner's signature of a group's unchanged
	// keys, if their signer is formerSigner and no longer a member of the
	// organisation; ErrNotFound otherwise.
	ResignGroupKeys(ctx context.Context, orgID, groupID, formerSigner, ownerID string, sig []byte) error

	// CreateGroup stores a group with its manager's group key wrap; for a
	// private group also its vault, vault key wraps and grants. The creator
	// of a private group is its first member; an organisation group starts
	// empty (its manager holds the key without being a member).
	CreateGroup(ctx context.Context, g Group, managerWrap KeyWrap, vault *Vault, vaultWraps []VaultKeyWrap, grants []Grant, ms ...Manifest) error
	Group(ctx context.Context, id string) (Group, error)
	GroupsInOrg(ctx context.Context, orgID string) ([]Group, error)
	// GroupsForUser returns the groups the user is in or manages, with the
	// group key wraps addressed to them.
	GroupsForUser(ctx context.Context, userID string) ([]Group, []KeyWrap, error)
	AddGroupMembers(ctx context.Context, groupID string, wraps []KeyWrap) error
	RemoveGroupMember(ctx context.Context, groupID, userID string) error

	// CreateVault stores an organisation vault with its wraps and grants.
	CreateVault(ctx context.Context, v Vault, wraps []VaultKeyWrap, grants []Grant, ms ...Manifest) error
	// GrantVault adds or changes a grant and stores the grantee's wraps.
	GrantVault(ctx context.Context, g Grant, wraps []VaultKeyWrap) error
	RevokeGrant(ctx context.Context, vaultID, granteeKind, granteeID string) error
	VaultGrants(ctx context.Context, vaultID string) ([]Grant, error)
	// VaultKeyWraps returns every wrap of a vault's keys (all recipients).
	VaultKeyWraps(ctx context.Context, vaultID string) ([]VaultKeyWrap, error)

	// MoveItem is UpdateItem that also moves the item to vault toVault.
	MoveItem(ctx context.Context, itemID string, baseRev uint64, toVault string, rev Revision, wraps []ItemKeyWrap, ms ...Manifest) (ItemState, error)

	// Keyring returns the account's sealed keyring (version 0 if none).
	Keyring(ctx context.Context, userID string) (uint64, []byte, error)
	// PutKeyring stores version baseVersion+1; *ConflictError if the
	// stored version is not baseVersion.
	PutKeyring(ctx context.Context, userID string, baseVersion uint64, box []byte, at time.Time) error
}

// OwnerTransfer is an ownership offer (docs/protocol.md §18.5): open until
// the new owner accepts it (AcceptedAt set) or the owner withdraws or
// replaces it. Sig is the old owner's signature of crypto.TransferOffer
// over OrgID, RosterVersion, OldOwnerID, NewOwnerID and
// NewOwnerFingerprint. An open offer carries the keys the old owner
// wrapped to the new owner (each wrap's ObjectID is its organisation or
// group); an accepted one keeps none.
type OwnerTransfer struct {
	OrgID               string
	RosterVersion       uint64
	OldOwnerID          string
	NewOwnerID          string
	NewOwnerFingerprint []byte
	RecordHeads         []byte
	Sig                 []byte
	OrgWraps            []KeyWrap
	GroupWraps          []KeyWrap
	VaultWraps          []VaultKeyWrap
	OfferedAt           time.Time
	AcceptedAt          time.Time // zero while open
}

// Open reports whether the offer is still open.
func (t OwnerTransfer) Open() bool { return t.AcceptedAt.IsZero() }

// TransferStore is the ownership-transfer part of OrgStore.
type TransferStore interface {
	// OfferTransfer stores t as the organisation's open offer, replacing
	// any open one, and the roster as next (its RosterVersion is
	// t.RosterVersion), in one transaction that checks that t.OldOwnerID
	// still owns the organisation, t.NewOwnerID is a confirmed member and
	// the roster is still at the version before (else *ConflictError with
	// the stored version); ErrNotFound if the new owner is not a member.
	OfferTransfer(ctx context.Context, t OwnerTransfer, next Org) error
	// WithdrawTransfer deletes the open offer and stores next's roster
	// (the version after the stored one) in one transaction; ErrNotFound
	// if there is no open offer.
	WithdrawTransfer(ctx context.Context, next Org) error
	// OpenTransfer returns the organisation's open offer, with its wraps;
	// ErrNotFound if there is none.
	OpenTransfer(ctx context.Context, orgID string) (OwnerTransfer, error)
	// Transfers returns the organisation's accepted transfers, oldest
	// first.
	Transfers(ctx context.Context, orgID string) ([]OwnerTransfer, error)
	// TransferredVaults lists the vaults an open offer hands to its new
	// owner as a manager: the organisation's vaults (not private groups')
	// the offer wraps the current epoch of.
	TransferredVaults(ctx context.Context, t OwnerTransfer) ([]Vault, error)
	// AcceptTransfer makes the offer's new owner the owner, in one
	// transaction, only if offerSig is still the open offer's signature
	// and the roster still at its version (o.RosterVersion - 1; else
	// *ConflictError): o (the new roster, signed by the new owner, with
	// o.OwnerID the new owner) is stored; the old owner becomes a member;
	// the offered wraps are stored (those the new owner holds already are
	// kept); the new owner gets a manage grant on every transferred vault
	// (TransferredVaults) and manages every organisation group (not
	// private ones); account recovery is turned off (the recovery key was
	// the old owner's: enrolments and open requests go); the offer is kept
	// as accepted. It refuses (*RecordConflict) if the organisation
	// changed so that the offered keys fall short — the new owner must
	// end up holding every epoch of the organisation key, of every
	// organisation group's key and of every organisation vault's key that
	// the old owner holds directly — or if a transferred vault that has
	// epoch records has no record attached to the request. While the
	// organisation requires two-factor log-in, a new owner without it is
	// refused with ErrTwoFactorRequired, read in the transaction (a
	// concurrent disable of theirs cannot slip past).
	AcceptTransfer(ctx context.Context, o Org, offerSig []byte, at time.Time) error
}
