package api

import (
	"time"

	"github.com/coffer-pm/coffer/internal/crypto"
)

// KeyWrap is a signed wrap of an organisation or group key to a member.
type KeyWrap struct {
	Epoch    uint64 `json:"epoch"`
	MemberID string `json:"member_id"`
	SignerID string `json:"signer_id"`
	Wrap     []byte `json:"wrap"`
	Sig      []byte `json:"sig"`
}

// RosterMember is one confirmed member as the owner signed it.
type RosterMember struct {
	UserID      string `json:"user_id"`
	Email       string `json:"email"`
	Fingerprint []byte `json:"fingerprint"`
	// Former marks a removed member, kept so that what they signed while
	// a member still verifies (docs/protocol.md §14.2).
	Former bool `json:"former,omitempty"`
}

// Roster is the owner-signed list of confirmed members.
type Roster struct {
	Version uint64         `json:"version"`
	Members []RosterMember `json:"members"`
	Sig     []byte         `json:"sig"`
}

// CreateOrgRequest creates an organisation owned by the caller.
type CreateOrgRequest struct {
	ID      string      `json:"id"`
	Meta    []byte      `json:"meta"`
	Roster  Roster      `json:"roster"`
	KeyWrap KeyWrap     `json:"key_wrap"`
	Record  EpochRecord `json:"record"` // version 1 of the organisation's records
}

// Org is an organisation as a confirmed member sees it.
type Org struct {
	ID       string    `json:"id"`
	OwnerID  string    `json:"owner_id"`
	Role     string    `json:"role"`
	Meta     []byte    `json:"meta"`
	KeyEpoch uint64    `json:"key_epoch"`
	Roster   Roster    `json:"roster"`
	Wraps    []KeyWrap `json:"wraps"`
	// PendingRotations counts the rotations the organisation owes after a
	// loss of access (protocol §18.2); clients that can do some do them.
	PendingRotations int `json:"pending_rotations,omitempty"`
	// Transfers are the organisation's accepted ownership transfers,
	// oldest first (protocol §18.5): a member whose keyring pins an
	// earlier owner accepts the roster of a later one only through them.
	Transfers []OwnerTransfer `json:"transfers,omitempty"`
	// Offer is the open ownership offer, shown to the owner and to the
	// member it is offered to.
	Offer *OwnerTransfer `json:"offer,omitempty"`
	// RequireTwoFactor: the owner requires two-factor log-in of the
	// members (protocol §8.3).
	RequireTwoFactor bool `json:"require_two_factor,omitempty"`
}

// OwnerTransfer is an ownership offer, open or accepted (protocol §18.5):
// Sig is the old owner's signature of
// tuple("coffer/v1/owner-transfer", org_id, u64(roster_version),
// old_owner_id, new_owner_id, new_owner_fingerprint).
type OwnerTransfer struct {
	RosterVersion       uint64 `json:"roster_version"`
	OldOwnerID          string `json:"old_owner_id"`
	NewOwnerID          string `json:"new_owner_id"`
	NewOwnerFingerprint []byte `json:"new_owner_fingerprint"`
	RecordHeads         []byte `json:"record_heads"` // crypto.TransferHeads of the vaults handed over
	Sig                 []byte `json:"sig"`
	// NewOwner holds the new owner's public keys (the server's word: a
	// client takes them only if their fingerprint is the signed one).
	NewOwner   PublicKeys `json:"new_owner"`
	OfferedAt  time.Time  `json:"offered_at"`
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
}

// GroupKeyWrap is a group key wrap naming its group.
type GroupKeyWrap struct {
	GroupID string `json:"group_id"`
	KeyWrap
}

// TransferOfferRequest offers the organisation to a confirmed member
// (PUT /orgs/{org}/transfer), replacing any open offer. The wraps give the
// new owner, signed by the owner, every key of the owner's role: every
// epoch of the organisation key, of every organisation group's key and of
// every organisation vault's key (not private groups') the owner holds.
type TransferOfferRequest struct {
	NewOwnerID string `json:"new_owner_id"`
	// Roster is the next roster, its members unchanged, signed by the
	// owner: every offer (and every withdrawal) moves the roster on, so an
	// earlier offer names a version members who saw this one refuse.
	Roster              Roster         `json:"roster"`
	RosterVersion       uint64         `json:"roster_version"` // Roster's
	NewOwnerFingerprint []byte         `json:"new_owner_fingerprint"`
	RecordHeads         []byte         `json:"record_heads"`
	Sig                 []byte         `json:"sig"`
	OrgWraps            []KeyWrap      `json:"org_wraps"`
	GroupWraps          []GroupKeyWrap `json:"group_wraps"`
	VaultWraps          []VaultKeyWrap `json:"vault_wraps"`
}

// WithdrawTransferRequest withdraws the open offer (DELETE
// /orgs/{org}/transfer) with the next roster, its members unchanged, so
// that the withdrawn offer names a version behind it.
type WithdrawTransferRequest struct {
	Roster Roster `json:"roster"`
}

// Offer is the signed form of an offer of organisation orgID.
func (t OwnerTransfer) Offer(orgID string) crypto.TransferOffer {
	return crypto.TransferOffer{OrgID: orgID, RosterVersion: t.RosterVersion, OldOwnerID: t.OldOwnerID, NewOwnerID: t.NewOwnerID,
		NewOwnerFingerprint: t.NewOwnerFingerprint, RecordHeads: t.RecordHeads}
}

// TransferOffer answers GET /orgs/{org}/transfer: the open offer with its
// wraps and, for the member it is offered to, each vault the acceptance
// hands them (a manage grant) with its sealed name and newest epoch
// record, which the acceptance's record for it follows.
type TransferOffer struct {
	Offer      OwnerTransfer   `json:"offer"`
	OrgWraps   []KeyWrap       `json:"org_wraps"`
	GroupWraps []GroupKeyWrap  `json:"group_wraps"`
	VaultWraps []VaultKeyWrap  `json:"vault_wraps"`
	Vaults     []TransferVault `json:"vaults"`
}

// TransferVault is a vault an acceptance hands to the new owner.
type TransferVault struct {
	ID     string       `json:"id"`
	Epoch  uint64       `json:"epoch"`
	Meta   []byte       `json:"meta"`
	Record *EpochRecord `json:"record,omitempty"` // newest; none for a vault made before records
}

// AcceptTransferRequest accepts the open offer (POST
// /orgs/{org}/transfer/accept): the roster of the offer's version + 1,
// signed by the new owner as owner, listing exactly the members and
// former members of the offer's version; OfferSig names the offer
// accepted; Records hold, for each transferred vault with epoch records,
// its next record with the new owner as a manage recipient.
type AcceptTransferRequest struct {
	Roster   Roster        `json:"roster"`
	OfferSig []byte        `json:"offer_sig"`
	Records  []EpochRecord `json:"records"`
}

// Member is a confirmed member with public keys.
type Member struct {
	PublicKeys
	Role        string    `json:"role"`
	ConfirmedAt time.Time `json:"confirmed_at"`
	// TwoFactor: whether the member's two-factor log-in is on — in the
	// owner's answer only (protocol §8.3), absent in a member's.
	TwoFactor *bool `json:"two_factor,omitempty"`
}

// Invitation is an invitation as the owner sees it. For joined ones it
// carries the invitee's MAC and the public keys the server holds for them.
type Invitation struct {
	ID         string      `json:"id"`
	BatchID    string      `json:"batch_id"`
	Email      string      `json:"email"`
	State      string      `json:"state"`
	UserID     string      `json:"user_id,omitempty"`
	JoinMAC    []byte      `json:"join_mac,omitempty"`
	MemberKeys *PublicKeys `json:"member_keys,omitempty"`
	SealedCode []byte      `json:"sealed_code,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	// Locked: the invitee used up the wrong-code attempts; the owner
	// re-issues it (invites the address again, replacing it). LockedAt is
	// when the last attempt was made.
	Locked   bool       `json:"locked,omitempty"`
	LockedAt *time.Time `json:"locked_at,omitempty"`
	// TwoFactor: of a joined invitee, whether their two-factor log-in is
	// on (protocol §8.3).
	TwoFactor *bool `json:"two_factor,omitempty"`
}

// Members is the answer to GET /orgs/{org}/members.
type Members struct {
	Members []Member `json:"members"`
	// Former are the roster's former members, with their public keys, so
	// that clients can verify what they signed while members.
	// and of departed members (Departed) the roster still lists.
	Former      []PublicKeys `json:"former,omitempty"`
	Invitations []Invitation `json:"invitations,omitempty"` // owner only
	// Departed are the roster's members who left, were unbound or deleted
	// their account since it was signed (roster pending, protocol §18.4).
	Departed []Departure `json:"departed,omitempty"`
}

// NewInvitation is one address of an invite batch.
type NewInvitation struct {
	_     [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID    string    `json:"id"`
	Email string    `json:"email"`
	// Replaces re-issues: the id of this address's open invitation in
	// this organisation (invited, not joined; locked or not) that the new
	// one replaces. It is cancelled in the transaction that stores the
	// new one.
	Replaces string `json:"replaces,omitempty"`
}

// InviteRequest invites 1–50 addresses with one confirmation code.
type InviteRequest struct {
	BatchID      string          `json:"batch_id"`
	VerifierHash []byte          `json:"verifier_hash"`
	OrgTag       []byte          `json:"org_tag"`
	Details      []byte          `json:"details"`
	SealedCode   []byte          `json:"sealed_code"`
	Invitations  []NewInvitation `json:"invitations"`
	// JoinURL is ignored (accepted for older clients): links in e-mail
	// are built only from the server's configured --public-url.
	JoinURL string `json:"join_url,omitempty"`
}

// Mail delivery outcomes of an invitation.
const (
	MailSent          = "sent"
	MailNotConfigured = "not_configured"
	MailFailed        = "failed"
)

// InviteResponse answers an invite.
type InviteResponse struct {
	_       [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	BatchID string    `json:"batch_id"`
	Mail    string    `json:"mail"`
}

// PendingInvitation is an open invitation as the invitee sees it.
type PendingInvitation struct {
	ID      string     `json:"id"`
	OrgID   string     `json:"org_id"`
	BatchID string     `json:"batch_id"`
	Email   string     `json:"email"`
	State   string     `json:"state"` // "invited", or "joined": waiting for the owner's confirmation
	OrgTag  []byte     `json:"org_tag"`
	Details []byte     `json:"details"`
	Owner   PublicKeys `json:"owner"`
	// Locked: too many wrong codes were tried; only the owner's re-issue
	// (a new invitation) lets the address join.
	Locked bool `json:"locked,omitempty"`
}

// JoinRequest proves knowledge of the code.
type JoinRequest struct {
	Verifier []byte `json:"verifier"`
	JoinMAC  []byte `json:"join_mac"`
}

// ConfirmRequest confirms a joined member with a new roster and their
// organisation key wrap.
type ConfirmRequest struct {
	Roster  Roster  `json:"roster"`
	KeyWrap KeyWrap `json:"key_wrap"` // the organisation key's current epoch
	// EarlierWraps deliver the organisation key's earlier epochs (after a
	// rotation): names sealed under them stay readable to the new member.
	EarlierWraps []KeyWrap `json:"earlier_wraps,omitempty"`
}

// RemoveMemberRequest removes a member with a new roster.
type RemoveMemberRequest struct {
	Roster Roster `json:"roster"`
	// GroupKeys re-sign, by the owner, the public keys of every group whose
	// keys the removed member signed (its creator): once they leave, a
	// former member's signature no longer vouches for group keys.
	GroupKeys []GroupKeysSig `json:"group_keys,omitempty"`
}

// RemoveMemberResult answers a removal: the groups whose keys the removed
// member signed that the request's group_keys did not cover (made while
// the owner's client listed them). The owner's client re-signs each with
// PUT /orgs/{org}/groups/{id}/keys-sig.
type RemoveMemberResult struct {
	Resign []string `json:"resign"`
}

// GroupKeysSig is a new signature of a group's unchanged public keys.
type GroupKeysSig struct {
	GroupID string `json:"group_id"`
	KeysSig []byte `json:"keys_sig"`
}

// NewVault is a vault created with a group or by the owner.
type NewVault struct {
	ID       string         `json:"id"`
	Meta     []byte         `json:"meta"`
	Wraps    []VaultKeyWrap `json:"wraps"`
	Manifest Manifest       `json:"manifest"` // version 1, no items, signed by the creator
	Record   EpochRecord    `json:"record"`   // version 1 of the vault's records
}

// CreateGroupRequest creates a group; a private group brings its vault.
type CreateGroupRequest struct {
	ID                string      `json:"id"`
	Private           bool        `json:"private"`
	DefaultPermission string      `json:"default_permission"`
	Meta              []byte      `json:"meta"`
	SignPub           []byte      `json:"sign_pub"`
	KEMPub            []byte      `json:"kem_pub"`
	KeysSig           []byte      `json:"keys_sig"`
	KeyWrap           KeyWrap     `json:"key_wrap"`
	Vault             *NewVault   `json:"vault,omitempty"`
	Record            EpochRecord `json:"record"` // the group's version 1
}

// Group is a group with its members and, for the caller's own groups, the
// group key wraps addressed to them.
type Group struct {
	ID                string   `json:"id"`
	OrgID             string   `json:"org_id"`
	ManagerID         string   `json:"manager_id"`
	KeysSignerID      string   `json:"keys_signer_id"` // who signed keys_sig: the group's creator
	Private           bool     `json:"private"`
	DefaultPermission string   `json:"default_permission"`
	Meta              []byte   `json:"meta"`
	SignPub           []byte   `json:"sign_pub"`
	KEMPub            []byte   `json:"kem_pub"`
	KeysSig           []byte   `json:"keys_sig"`
	Epoch             uint64   `json:"epoch"`
	VaultID           string   `json:"vault_id,omitempty"`
	Members           []string `json:"members"`
	// ExportMyVaultOnly: the owner restricts the group's members to
	// exporting My Vault only (no vault of this organisation).
	ExportMyVaultOnly bool      `json:"export_my_vault_only,omitempty"`
	Wraps             []KeyWrap `json:"wraps,omitempty"`
	// History holds the group's public keys of every epoch (vault keys of
	// earlier epochs stay wrapped to its earlier keys).
	History []GroupEpochKeys `json:"history,omitempty"`
}

// AddGroupMembersRequest adds members, each with their group key wrap.
type AddGroupMembersRequest struct {
	Wraps  []KeyWrap   `json:"wraps"`
	Record EpochRecord `json:"record"` // the group's next record
}

// CreateVaultRequest creates an organisation vault (owner only).
type CreateVaultRequest struct {
	NewVault
}

// GrantRequest grants a vault to a user or group with the wraps for them.
type GrantRequest struct {
	GranteeKind string         `json:"grantee_kind"`
	GranteeID   string         `json:"grantee_id"`
	Permission  string         `json:"permission,omitempty"` // empty: the group's default
	Wraps       []VaultKeyWrap `json:"wraps"`
	Record      EpochRecord    `json:"record"` // the vault's next record
}

// Grant is one grant on a vault.
type Grant struct {
	_           [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	GranteeKind string    `json:"grantee_kind"`
	GranteeID   string    `json:"grantee_id"`
	Permission  string    `json:"permission"`
	CreatedAt   time.Time `json:"created_at"`
}

// VaultAccess is the answer to GET /vaults/{vault}/access.
type VaultAccess struct {
	VaultID string  `json:"vault_id"`
	Grants  []Grant `json:"grants"`
}

// MoveItemRequest moves an item to another vault with a new revision.
type MoveItemRequest struct {
	ToVault      string        `json:"to_vault"`
	BaseRevision uint64        `json:"base_revision"`
	Revision     NewRevision   `json:"revision"`
	KeyWraps     []ItemKeyWrap `json:"key_wraps"`
	Manifest     Manifest      `json:"manifest"`    // the source vault's next manifest
	ToManifest   Manifest      `json:"to_manifest"` // the destination's next manifest
}

// Keyring is the caller's sealed keyring.
type Keyring struct {
	Version uint64 `json:"version"`
	Box     []byte `json:"box"`
}

// PutKeyringRequest writes version BaseVersion+1.
type PutKeyringRequest struct {
	BaseVersion uint64 `json:"base_version"`
	Box         []byte `json:"box"`
}

// MetaRequest renames an organisation, vault or group: its new name,
// sealed as at creation (protocol §14.1).
type MetaRequest struct {
	Meta   []byte      `json:"meta"`
	Record EpochRecord `json:"record"` // the object's next record, naming the new name
}

// Exposure is one exposure record (protocol §18.6): what someone could
// read when they lost access. How is "removed", "left", "unbound",
// "deleted" (the whole organisation) or "revoked", "group" (only the
// vaults listed: those they could no longer open).
type Exposure struct {
	UserID string        `json:"user_id"`
	How    string        `json:"how"`
	At     time.Time     `json:"at"`
	Vaults []string      `json:"vaults"`
	Items  []ExposedItem `json:"items"`
}

// ExposedItem is an item as it was when the access ended.
type ExposedItem struct {
	_         [0]func()  // not comparable: no equality function in core.wasm (docs/performance.md)
	ItemID    string     `json:"item_id"`
	VaultID   string     `json:"vault_id"` // its vault then
	Revision  uint64     `json:"revision"` // its head then
	Time      int64      `json:"time_ms"`  // the head's signed time (the author's clock)
	UpdatedAt time.Time  `json:"updated_at"`
	TrashedAt *time.Time `json:"trashed_at,omitempty"`
}

// Exposures answers GET /orgs/{org}/exposure/{user}: the person's
// records, newest first.
type Exposures struct {
	Records []Exposure `json:"records"`
}
