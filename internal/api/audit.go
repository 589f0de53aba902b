package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The organisation audit log (docs/protocol.md §18.7). What an entry of
// each action says — its name and the ids of its target — is defined here
// once, for the server that records it and the client that signs and
// checks it: the two build the same bytes from the same function, so they
// cannot drift apart.

// StatementHeader carries the acting client's statement on a request
// that performs an audited action: "<time_ms>.<signature>", the
// signature (base64url, no padding) by the caller over
// crypto.AuditStatement(org, action, caller, time_ms, target).
const StatementHeader = "Coffer-Statement"

// The audit actions, in the order of §18.7.
const (
	AuditInvite  = "invite"
	AuditJoin    = "join"
	AuditConfirm = "confirm"
	AuditCancel  = "cancel"
	AuditRemove  = "remove"
	AuditLeave   = "leave"
	AuditUnbind  = "unbind"
	// AuditAccountDelete: the actor deleted their account, which left
	// the organisation (server-attested: the password was proved to the
	// server, not to the owner).
	AuditAccountDelete  = "account-delete"
	AuditGrant          = "grant"
	AuditRevoke         = "revoke"
	AuditGroupCreate    = "group-create"
	AuditGroupAdd       = "group-add"
	AuditGroupRemove    = "group-remove"
	AuditVaultCreate    = "vault-create"
	AuditRename         = "rename"
	AuditDelete         = "delete"
	AuditMove           = "move"
	AuditRotate         = "rotate"
	AuditTransferOffer  = "transfer-offer"
	AuditTransferAccept = "transfer-accept"
	// AuditTransferWithdraw: the owner withdrew an open ownership offer.
	AuditTransferWithdraw = "transfer-withdraw"
	AuditExport           = "export"
	// AuditExportPolicy: the owner set a group's export policy.
	AuditExportPolicy = "export-policy"
	// AuditTwoFactorPolicy: the owner turned the organisation's
	// two-factor requirement on or off (protocol §8.3).
	AuditTwoFactorPolicy = "two-factor-policy"
	AuditItemCreate      = "item-create"
	AuditItemUpdate      = "item-update"
	AuditItemTrash       = "item-trash"
	AuditItemRestore     = "item-restore"
	AuditItemPurge       = "item-purge"
)

// AuditActions is the fixed list; an entry with any other action is not
// one a server of this protocol writes.
var AuditActions = []string{AuditInvite, AuditJoin, AuditConfirm, AuditCancel, AuditRemove, AuditLeave, AuditUnbind, AuditAccountDelete,
	AuditGrant, AuditRevoke, AuditGroupCreate, AuditGroupAdd, AuditGroupRemove, AuditVaultCreate, AuditRename,
	AuditDelete, AuditMove, AuditRotate, AuditTransferOffer, AuditTransferAccept, AuditTransferWithdraw, AuditExport,
	AuditItemCreate, AuditItemUpdate, AuditItemTrash, AuditItemRestore, AuditItemPurge, AuditExportPolicy, AuditTwoFactorPolicy}

// ServerAttested reports the actions that carry no client statement: the
// server performs them on its own authority (join: the invitee proved the
// code to the server, not to the owner; unbind: an instance
// administrator's server action; account-delete: the account proved its
// master password to the server). Their entries are the server's word.
func ServerAttested(action string) bool {
	return action == AuditJoin || action == AuditUnbind || action == AuditAccountDelete
}

// RevisionStated reports the actions whose statement is the revision's
// own signature (§7.3: its sig_msg and sig), which names the
// organisation, vault, item, revision number and author.
func RevisionStated(action string) bool {
	return action == AuditItemCreate || action == AuditItemUpdate || action == AuditMove
}

// AuditTarget is what an entry concerns: ids only, never content (names
// are sealed; e-mail addresses are left out too). Its JSON (Go's
// encoding, fields in this order, empty ones left out) is the entry's
// target_json.
type AuditTarget struct {
	Org         string   `json:"org,omitempty"`
	Batch       string   `json:"batch,omitempty"`
	Invitations []string `json:"invitations,omitempty"`
	Invitation  string   `json:"invitation,omitempty"`
	User        string   `json:"user,omitempty"`
	Users       []string `json:"users,omitempty"`
	Group       string   `json:"group,omitempty"`
	Vault       string   `json:"vault,omitempty"`
	FromVault   string   `json:"from_vault,omitempty"`
	Item        string   `json:"item,omitempty"`
	Revision    uint64   `json:"revision,omitempty"`
	GranteeKind string   `json:"grantee_kind,omitempty"`
	Grantee     string   `json:"grantee,omitempty"`
	Permission  string   `json:"permission,omitempty"`
	Force       bool     `json:"force,omitempty"`
	Epoch       uint64   `json:"epoch,omitempty"` // rotate: the new epoch
	// Export: the vaults exported (ids, sorted) and the file's format.
	Vaults []string `json:"vaults,omitempty"`
	Format string   `json:"format,omitempty"`
	// Policy: export-policy's new value (my-vault-only or all).
	Policy string `json:"policy,omitempty"`
}

// JSON is the target's canonical bytes.
func (t AuditTarget) JSON() []byte {
	b, err := json.Marshal(t)
	if err != nil {
		panic(err) // strings and numbers only
	}
	return b
}

// The target of each action, built the same way on both sides.

// TargetInvite: an invitation batch and its invitations, in request order.
func TargetInvite(batch string, invitations []string) AuditTarget {
	return AuditTarget{Batch: batch, Invitations: invitations}
}

// TargetInvitation: join, confirm (with the member's account) and cancel.
func TargetInvitation(invitation, user string) AuditTarget {
	return AuditTarget{Invitation: invitation, User: user}
}

// TargetMember: remove, leave, unbind and account-delete — the account
// concerned.
func TargetMember(user string) AuditTarget { return AuditTarget{User: user} }

// TargetGroupCreate: a group and, for a private group, its vault.
func TargetGroupCreate(group, vault string) AuditTarget {
	return AuditTarget{Group: group, Vault: vault}
}

// TargetGroupMembers: group-add (users in request order) and group-remove.
func TargetGroupMembers(group string, users ...string) AuditTarget {
	return AuditTarget{Group: group, Users: users}
}

// The kinds of object rename and delete name.
const (
	ObjectOrg   = "org"
	ObjectVault = "vault"
	ObjectGroup = "group"
)

// TargetObject: vault-create, rename and delete (force: items purged).
func TargetObject(kind, id string, force bool) AuditTarget {
	t := AuditTarget{Force: force}
	switch kind {
	case ObjectOrg:
		t.Org = id
	case ObjectGroup:
		t.Group = id
	default:
		t.Vault = id
	}
	return t
}

// TargetRotation: rotate (kind org, group or vault; epoch the new one).
func TargetRotation(kind, id string, epoch uint64) AuditTarget {
	t := TargetObject(kind, id, false)
	t.Epoch = epoch
	return t
}

// TargetTransfer: transfer-offer, transfer-withdraw and transfer-accept —
// the member the organisation is (or was) offered to.
func TargetTransfer(newOwner string) AuditTarget { return AuditTarget{User: newOwner} }

// TargetGrant: grant (permission as stored: view, edit or manage) and
// revoke (no permission).
func TargetGrant(vault, granteeKind, grantee, permission string) AuditTarget {
	return AuditTarget{Vault: vault, GranteeKind: granteeKind, Grantee: grantee, Permission: permission}
}

// TargetItem: item changes. revision is the revision written (0 for
// trash, restore and purge, which write none); fromVault is a move's
// origin.
func TargetItem(vault, item string, revision uint64, fromVault string) AuditTarget {
	return AuditTarget{Vault: vault, Item: item, Revision: revision, FromVault: fromVault}
}

// TargetExport: export — the organisation's vaults in the file (ids,
// sorted) and its format.
func TargetExport(vaults []string, format string) AuditTarget {
	sorted := append([]string(nil), vaults...)
	sort.Strings(sorted)
	return AuditTarget{Vaults: sorted, Format: format}
}

// TargetExportPolicy: export-policy — the group and its new policy.
func TargetExportPolicy(group string, myVaultOnly bool) AuditTarget {
	return AuditTarget{Group: group, Policy: ExportPolicyName(myVaultOnly)}
}

// TargetTwoFactorPolicy is the target of a change of the organisation's
// two-factor requirement.
func TargetTwoFactorPolicy(require bool) AuditTarget {
	return AuditTarget{Policy: TwoFactorPolicyName(require)}
}

// Two-factor requirement names, as the CLI and the audit log say them.
const (
	TwoFactorRequired    = "two-factor-required"
	TwoFactorNotRequired = "two-factor-not-required"
)

// TwoFactorPolicyName names the requirement.
func TwoFactorPolicyName(require bool) string {
	if require {
		return TwoFactorRequired
	}
	return TwoFactorNotRequired
}

// Export policy names, as the CLI and the audit log say them.
const (
	ExportMyVaultOnly = "my-vault-only"
	ExportAll         = "all"
)

// ExportPolicyName names a policy.
func ExportPolicyName(myVaultOnly bool) string {
	if myVaultOnly {
		return ExportMyVaultOnly
	}
	return ExportAll
}

// ExportPolicy sets an account's (by an instance administrator) or a
// group's (by the organisation's owner) export policy.
type ExportPolicy struct {
	MyVaultOnly bool `json:"my_vault_only"`
}

// ExportRecord records an export of an organisation's vaults (POST
// /orgs/{org}/exports) before the client writes the file.
type ExportRecord struct {
	Vaults []string `json:"vaults"`
	Format string   `json:"format"`
}

// MyExportPolicy is what the caller may export (GET /account/export-policy):
// with MyVaultOnly only My Vault; RestrictedOrgs, the organisations none of
// whose vaults it may export (it is in a group flagged my-vault-only).
type MyExportPolicy struct {
	MyVaultOnly    bool     `json:"my_vault_only"`
	RestrictedOrgs []string `json:"restricted_orgs"`
}

// FormatStatement is the StatementHeader value.
func FormatStatement(timeMS uint64, sig []byte) string {
	return strconv.FormatUint(timeMS, 10) + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// ParseStatement reads a StatementHeader value.
func ParseStatement(v string) (timeMS uint64, sig []byte, err error) {
	t, s, ok := strings.Cut(strings.TrimSpace(v), ".")
	if !ok {
		return 0, nil, fmt.Errorf("%s must be <time_ms>.<signature>", StatementHeader)
	}
	if timeMS, err = strconv.ParseUint(t, 10, 64); err != nil || timeMS == 0 {
		return 0, nil, fmt.Errorf("%s: the time must be Unix milliseconds", StatementHeader)
	}
	if sig, err = base64.RawURLEncoding.DecodeString(s); err != nil {
		return 0, nil, fmt.Errorf("%s: the signature must be base64url without padding", StatementHeader)
	}
	return timeMS, sig, nil
}

// AuditEntry is one entry of an organisation's audit log as the server
// stores it. Target, statement and hash travel as bytes (base64), exactly
// as hashed.
type AuditEntry struct {
	Seq          uint64 `json:"seq"`
	PrevHash     []byte `json:"prev_hash"`
	Time         uint64 `json:"time_ms"` // the server's clock
	ActorID      string `json:"actor_id"`
	Action       string `json:"action"`
	Target       []byte `json:"target"`
	Source       string `json:"source"`
	Statement    []byte `json:"statement,omitempty"`
	StatementSig []byte `json:"statement_sig,omitempty"`
	Hash         []byte `json:"hash"`
}

// AuditLog is the answer to GET /orgs/{org}/audit: entries after the
// asked sequence number, oldest first; More if there are others after
// them.
type AuditLog struct {
	Entries []AuditEntry `json:"entries"`
	More    bool         `json:"more"`
}
