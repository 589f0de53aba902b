// Package api holds the JSON wire types of Coffer's HTTP API (/api/v1),
// shared by the server and the client core so both speak one format.
// docs/api.md documents them. Byte strings are standard base64.
package api

import (
	"encoding/json"
	"time"
)

// Prefix is the path prefix of the current API version.
const Prefix = "/api/v1"

// Error is the body of every non-2xx answer.
type Error struct {
	Error string `json:"error"`          // one human-readable sentence
	Code  string `json:"code"`           // machine-readable, see Code* constants
	Head  uint64 `json:"head,omitempty"` // on "conflict": the current revision
	// SecondFactor: on "second_factor_required", what the account accepts.
	SecondFactor *SecondFactorChallenge `json:"second_factor,omitempty"`
}

// Second-factor methods (SecondFactorChallenge.Methods).
const (
	MethodTOTP         = "totp"
	MethodRecoveryCode = "recovery_code"
	MethodWebAuthn     = "webauthn"
)

// SecondFactorChallenge tells a log-in refused with
// CodeSecondFactorRequired which second factors the account has
// (docs/protocol.md §8.1, §8.2) and, when it has security keys and the
// request came from a browser origin the server serves, the WebAuthn
// assertion options ({"publicKey": …}, the JSON form
// navigator.credentials.get takes) for this log-in: their challenge is
// single-use, expires after 5 minutes and belongs to this account.
type SecondFactorChallenge struct {
	Methods  []string        `json:"methods"`
	WebAuthn json.RawMessage `json:"webauthn,omitempty"`
}

// Error codes.
const (
	CodeBadRequest   = "bad_request"
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeNotFound     = "not_found"
	CodeConflict     = "conflict"
	// CodeManifestConflict (409): the request's vault manifest is not the
	// next version (someone else wrote to the vault); sync and retry.
	CodeManifestConflict = "manifest_conflict"
	CodeTrashed          = "trashed" // 409: the item is in the trash; restore it first
	CodeExists           = "exists"
	// CodeNotEmpty (409): a delete without force would purge items.
	CodeNotEmpty    = "not_empty"
	CodeTooLarge    = "too_large"
	CodeRateLimited = "rate_limited"
	// CodeWrongPassword (403): a request that re-proves the master
	// password (a password change) carried the wrong one.
	CodeWrongPassword = "wrong_password"
	CodeUnavailable   = "unavailable"
	CodeInternal      = "internal"
	// CodeEmailUnverified (403): the server sends e-mail and the account
	// has not proved its address yet (POST /account/verification).
	CodeEmailUnverified = "email_unverified"
	// CodeAccountDisabled (403): an instance administrator disabled the
	// account; it cannot log in until one enables it again.
	CodeAccountDisabled = "account_disabled"
	// CodeTransferOwnership (409): the owner of an organisation cannot
	// leave it, be removed or unbound, or delete their account.
	CodeTransferOwnership = "transfer_ownership_first"
)

// CodeTooSlow (408): the request body stopped arriving at the server's
// minimum rate and was cut; nothing was done.
const CodeTooSlow = "too_slow"

// CodeNoOffer (409): there is no open ownership offer of the
// organisation to the caller, or not the one accepted (withdrawn or
// replaced meanwhile); nothing was done.
const CodeNoOffer = "no_offer"

// CodeRecordConflict (409): the request's epoch record does not follow
// the stored chain or does not describe what the write leaves (another
// change came first); sync and try again. Nothing was written.
const CodeRecordConflict = "record_conflict"

// CodeEpochConflict (409): the write was made under a key epoch that a
// rotation has superseded; sync (which brings the new key) and try again.
const CodeEpochConflict = "epoch_conflict"

// CodeRotationOrder (409): a vault rotation came before the rotation of a
// group it is granted to; rotate the group first.
const CodeRotationOrder = "rotation_order"

// CodeQuotaExceeded (507): the write would take the account over its
// storage quota or its limit of unattached uploads.
const CodeQuotaExceeded = "quota_exceeded"

// CodeStorageFull (507): the server's disk (where its database lives) is
// full; nothing was written. Not the account's quota: the operator must
// free space, then the same request succeeds.
const CodeStorageFull = "storage_full"

// CodeExportRestricted: the caller's export policy (an administrator's on
// the account, or the owner's on a group they are in) allows exporting My
// Vault only (403).
const CodeExportRestricted = "export_restricted"

// CodeSignupRefused (403): the server's sign-up policy does not admit the
// address (coffer serve --signup, --signup-domain): it is not in an
// allowed domain and has no pending invitation. The message says which
// addresses the server accepts. Nothing was stored.
const CodeSignupRefused = "signup_refused"

// CodeSSORequired (403): the address is in a domain whose people sign in
// with their company's single sign-on (coffer serve --sso-only-domain),
// never with an e-mail address and master password. Nothing was stored.
const CodeSSORequired = "sso_required"

// CodeSSOTicket (401): the single sign-on ticket is unknown, expired,
// used, not the caller's (its verifier does not match) or of another
// address: sign in with the provider again.
const CodeSSOTicket = "sso_ticket_invalid"

// CodeSSOLinked (409): the provider's identity is linked to another
// account, or the account to another identity of the provider.
const CodeSSOLinked = "sso_linked"

// CodeSecondFactorRequired (401): the master password was right and the
// account has two-factor log-in on; log in again with second_factor.
const CodeSecondFactorRequired = "second_factor_required"

// CodeWrongSecondFactor (401 at log-in, 403 where a session re-proves
// it): the TOTP code or recovery code was wrong, used already, or a
// TOTP code of a time step already used. It counts as a failed log-in.
const CodeWrongSecondFactor = "wrong_second_factor"

// CodeTwoFactorRequired (409): an organisation requires two-factor log-in
// (protocol §8.3) and the account the request is about does not have it
// on — a joined invitee the owner confirms, or the owner turning the
// requirement on; or the caller turns theirs off while an organisation
// they belong to requires it. The message says what to do. Nothing was
// written.
const CodeTwoFactorRequired = "two_factor_required"

// TwoFactorPolicy sets an organisation's two-factor requirement (PUT
// /orgs/{org}/two-factor-policy, the owner).
type TwoFactorPolicy struct {
	Require bool `json:"require"`
}

// CodeSecurityKeyCloned (401 at log-in): the security key's assertion
// carried a signature counter not above the one stored, a sign of a
// cloned key; the log-in is refused and counts as a failed one.
const CodeSecurityKeyCloned = "security_key_cloned"

// TwoFactorStatus answers GET /account/2fa. Enabled is TOTP;
// RecoveryCodesLeft counts while any second factor is on.
type TwoFactorStatus struct {
	Enabled           bool          `json:"enabled"`
	Pending           bool          `json:"pending"` // started, not confirmed yet
	RecoveryCodesLeft int           `json:"recovery_codes_left"`
	SecurityKeys      []SecurityKey `json:"security_keys"`
}

// SecurityKey is a registered WebAuthn credential (never its key).
type SecurityKey struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"` // zero: never used to log in
}

// SecurityKeyBeginRequest starts a security key's registration (POST
// /account/2fa/webauthn): the master password is proved afresh.
type SecurityKeyBeginRequest struct {
	AuthKey []byte `json:"auth_key"`
}

// SecurityKeyBegin carries the creation options ({"publicKey": …}, the
// JSON form navigator.credentials.create takes); their challenge is
// single-use and expires after 5 minutes.
type SecurityKeyBegin struct {
	Options json.RawMessage `json:"options"`
}

// SecurityKeyFinishRequest ends a registration (POST
// /account/2fa/webauthn/finish) with the browser's credential
// (PublicKeyCredential.toJSON()) and the name its owner chose.
type SecurityKeyFinishRequest struct {
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

// SecurityKeyAdded is the new key; RecoveryCodes only when it is the
// account's first second factor (shown once, as TwoFactorEnabled's).
type SecurityKeyAdded struct {
	Key           SecurityKey `json:"key"`
	RecoveryCodes []string    `json:"recovery_codes,omitempty"`
}

// SecurityKeyRemoveRequest removes a key (POST
// /account/2fa/webauthn/{id}/remove): the master password afresh.
type SecurityKeyRemoveRequest struct {
	AuthKey []byte `json:"auth_key"`
}

// TwoFactorStartRequest starts an enrolment (POST /account/2fa); the
// master password is proved afresh, so a stolen session token alone
// cannot put a second factor in front of the owner.
type TwoFactorStartRequest struct {
	AuthKey []byte `json:"auth_key"`
}

// TwoFactorStart is the new TOTP secret, for an authenticator app.
type TwoFactorStart struct {
	Secret string `json:"secret"` // base32, no padding
	URI    string `json:"uri"`    // otpauth://totp/...
	// QR is the URI as a QR code's modules, row by row ('1' dark, '0'
	// light): a page draws it itself (the web app's CSP allows no data:
	// images).
	QR []string `json:"qr,omitempty"`
}

// TwoFactorConfirmRequest confirms an enrolment with a current code.
type TwoFactorConfirmRequest struct {
	Code string `json:"code"`
}

// TwoFactorEnabled carries the recovery codes, shown once: the server
// keeps only their hashes.
type TwoFactorEnabled struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// TwoFactorDisableRequest turns two-factor log-in off: the master
// password and a current code (TOTP or recovery).
type TwoFactorDisableRequest struct {
	AuthKey []byte `json:"auth_key"`
	Code    string `json:"code"`
}

// KDF are an account's Argon2id parameters (memory in KiB).
type KDF struct {
	Algorithm string `json:"algorithm"`
	Time      uint32 `json:"time"`
	Memory    uint32 `json:"memory"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
}

// AccountKeys is an account's key material as stored on the server.
type AccountKeys struct {
	SignPub           []byte `json:"sign_pub"`
	KEMPub            []byte `json:"kem_pub"`
	PublicKeysSig     []byte `json:"public_keys_sig"`
	WrappedAccountKey []byte `json:"wrapped_account_key"`
	PrivateKeys       []byte `json:"private_keys"`
}

// VaultKeyWrap delivers one epoch of a vault key to one recipient.
type VaultKeyWrap struct {
	VaultID       string `json:"vault_id"`
	Epoch         uint64 `json:"epoch"`
	RecipientKind string `json:"recipient_kind"`
	RecipientID   string `json:"recipient_id"`
	SignerID      string `json:"signer_id"`
	Wrap          []byte `json:"wrap"`
	Sig           []byte `json:"sig"`
}

// SignupRequest creates an account and its personal vault (My Vault).
type SignupRequest struct {
	UserID        string       `json:"user_id"`
	Email         string       `json:"email"`
	Name          string       `json:"name"`
	KDF           KDF          `json:"kdf"`
	AuthKey       []byte       `json:"auth_key"`
	Keys          AccountKeys  `json:"keys"`
	PersonalVault string       `json:"personal_vault_id"`
	VaultKeyWrap  VaultKeyWrap `json:"vault_key_wrap"`
	Manifest      Manifest     `json:"manifest"` // version 1 of My Vault, no items
	// SSO signs up a person whose company's sign-on proved the address
	// (docs/protocol.md §8.4): no e-mail code is mailed, and an address at
	// an SSO-only domain is admitted.
	SSO *SSOProof `json:"sso,omitempty"`
}

// Manifest is a vault's signed list of its items (protocol §7.5). Every
// write that changes a vault's items carries the vault's next manifest.
type Manifest struct {
	VaultID   string `json:"vault_id"`
	Version   uint64 `json:"version"`
	Count     uint64 `json:"count"`
	ItemsHash []byte `json:"items_hash"`
	SignerID  string `json:"signer_id"`
	Time      int64  `json:"time"` // the signer's clock, Unix ms
	Sig       []byte `json:"sig"`
}

// RepairManifestRequest repairs a quarantined vault: its next manifest
// and, optionally, the items that fail verification, to purge with it.
type RepairManifestRequest struct {
	Manifest Manifest `json:"manifest"`
	Purge    []string `json:"purge,omitempty"`
}

// ManifestRequest is the body of trash, restore and purge.
type ManifestRequest struct {
	Manifest Manifest `json:"manifest"`
}

// SignupResponse answers a sign-up. Verification is "mailed" when the
// server sends e-mail: the account exists only once the code mailed to the
// address is sent to POST /accounts/{user_id}/verify (status 202; the
// answer is the same whether or not the address already has an account).
type SignupResponse struct {
	_             [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	UserID        string    `json:"user_id"`
	PersonalVault string    `json:"personal_vault_id"`
	Verification  string    `json:"verification,omitempty"`
}

// VerificationMailed is SignupResponse.Verification when a code was mailed.
const VerificationMailed = "mailed"

// VerifyEmailRequest carries the code mailed to an address.
type VerifyEmailRequest struct {
	Code string `json:"code"`
}

// PreloginRequest asks for an account's KDF parameters.
type PreloginRequest struct {
	Email string `json:"email"`
}

// LoginRequest proves knowledge of the master password with the derived
// authentication key.
type LoginRequest struct {
	Email       string `json:"email"`
	AuthKey     []byte `json:"auth_key"`
	Description string `json:"description,omitempty"` // device name shown in session lists
	// SecondFactor is a TOTP code or a recovery code, for an account with
	// two-factor log-in (the answer without one: CodeSecondFactorRequired).
	SecondFactor string `json:"second_factor,omitempty"`
	// DeviceID is a random id the client keeps for as long as it lives
	// on the device (the CLI's configuration directory): a log-in from a
	// device the account has not used before is mailed to it when the
	// server sends mail (docs/security.md 27.8). Not a secret; the server
	// keeps only a keyed hash of it. Without it the device is its name
	// and client network.
	DeviceID string `json:"device_id,omitempty"`
	// SSO is a single sign-on the provider proved for this address; an
	// address at an SSO-only domain must bring one.
	SSO *SSOProof `json:"sso,omitempty"`
	// WebAuthn is a security key's assertion (PublicKeyCredential.toJSON())
	// for the assertion options of the CodeSecondFactorRequired answer.
	WebAuthn json.RawMessage `json:"webauthn,omitempty"`
}

// SSOInfo (GET /sso) is the server's single sign-on, for log-in pages.
type SSOInfo struct {
	Enabled bool     `json:"enabled"`
	Name    string   `json:"name,omitempty"`    // "Acme ID": the button says "Log in with Acme ID"
	Domains []string `json:"domains,omitempty"` // the SSO-only domains: their people must use it
}

// SSOStartRequest (POST /sso/start) starts a single sign-on. Challenge is
// the S256 of a verifier the client keeps (base64url, no padding);
// ReturnTo is empty for the web app or a CLI's loopback address
// (http://127.0.0.1:PORT/…, http://[::1]:PORT/…).
type SSOStartRequest struct {
	Challenge string `json:"challenge"`
	ReturnTo  string `json:"return_to,omitempty"`
}

// SSOStartResponse is where the browser goes to sign in.
type SSOStartResponse struct {
	URL string `json:"url"`
}

// The words of a single sign-on that did not finish, as the callback
// sends them back (error=CODE): codes, never free text, so that no one can
// put words on Coffer's page with a link (client.SSOErrorText says each).
const (
	SSOErrorDenied     = "denied"           // the provider did not sign the person in (cancelled, refused)
	SSOErrorUnverified = "unverified_email" // the provider does not vouch for the address
	SSOErrorNoEmail    = "no_email"         // the provider gave no (usable) address
	SSOErrorFailed     = "failed"           // the answer could not be verified, or the provider is unreachable
	SSOErrorBusy       = "busy"             // the server could not finish just now
)

// SSOProof is the ticket a single sign-on ended with and the verifier of
// the challenge that started it.
type SSOProof struct {
	Ticket   string `json:"ticket"`
	Verifier string `json:"verifier"`
}

// SSOTicketInfo (POST /sso/ticket) says what a ticket proved and what
// comes next: log in (Account) or sign up (SignupAllowed, else
// SignupRefused says why).
type SSOTicketInfo struct {
	Email         string `json:"email"`
	Name          string `json:"name,omitempty"`
	Provider      string `json:"provider"`
	Account       bool   `json:"account"`
	SignupAllowed bool   `json:"signup_allowed"`
	SignupRefused string `json:"signup_refused,omitempty"`
}

// LoginResponse carries the new session token.
type LoginResponse struct {
	_         [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Token     string    `json:"token"`
	SessionID string    `json:"session_id"`
	UserID    string    `json:"user_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Session describes one session (never its token).
type Session struct {
	_           [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID          string    `json:"id"`
	Current     bool      `json:"current"`
	CreatedAt   time.Time `json:"created_at"`
	LastUsedAt  time.Time `json:"last_used_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	Revoked     bool      `json:"revoked"`
	ClientAddr  string    `json:"client_addr"`
	Description string    `json:"description"`
}

// Account is the caller's own account with its key material.
type Account struct {
	UserID string      `json:"user_id"`
	Email  string      `json:"email"`
	Name   string      `json:"name"`
	KDF    KDF         `json:"kdf"`
	Keys   AccountKeys `json:"keys"`
	// InstanceAdmin: the account is an instance administrator (protocol
	// §18.8): the web app shows its Administrator Portal. A server role
	// only: it holds no key.
	InstanceAdmin bool `json:"instance_admin,omitempty"`
}

// PasswordChange replaces an account's master password (or only its
// Argon2id parameters): the current password's authentication key proves
// the caller knows it; the new KDF parameters, authentication key and the
// account key wrapped under the new key-encryption key replace the old
// ones in one step. The account key itself does not change
// (docs/protocol.md §17.1).
type PasswordChange struct {
	CurrentAuthKey    []byte `json:"current_auth_key"`
	KDF               KDF    `json:"kdf"`
	AuthKey           []byte `json:"auth_key"`
	WrappedAccountKey []byte `json:"wrapped_account_key"`
	// RevokeOtherSessions revokes every session of the account but the
	// caller's, so other devices must log in with the new password.
	RevokeOtherSessions bool `json:"revoke_other_sessions,omitempty"`
}

// PasswordChanged answers a PasswordChange.
type PasswordChanged struct {
	RevokedSessions int `json:"revoked_sessions"`
}

// PublicKeys is another user's published keys.
type PublicKeys struct {
	UserID        string `json:"user_id"`
	Email         string `json:"email"`
	Name          string `json:"name"`
	SignPub       []byte `json:"sign_pub"`
	KEMPub        []byte `json:"kem_pub"`
	PublicKeysSig []byte `json:"public_keys_sig"`
}

// Vault is a vault as the caller sees it, with the key wraps addressed to them.
type Vault struct {
	ID         string         `json:"id"`
	Kind       string         `json:"kind"`
	OrgID      string         `json:"org_id"`
	OwnerID    string         `json:"owner_id,omitempty"`
	CreatorID  string         `json:"creator_id,omitempty"`
	Meta       []byte         `json:"meta,omitempty"` // an organisation vault's sealed name
	Epoch      uint64         `json:"epoch"`
	Permission string         `json:"permission"`
	Wraps      []VaultKeyWrap `json:"wraps"`
	// Manifest is the vault's newest manifest; sync always includes it,
	// read in the same snapshot as the items.
	Manifest *Manifest `json:"manifest,omitempty"`
}

// Revision is one signed, encrypted version of an item.
type Revision struct {
	Revision  uint64    `json:"revision"`
	VaultID   string    `json:"vault_id"`
	OrgID     string    `json:"org_id"` // of the vault it was written in; bound in its AD
	KeyEpoch  uint64    `json:"key_epoch"`
	Type      string    `json:"type"`
	AuthorID  string    `json:"author_id"`
	Time      int64     `json:"time"` // the author's signed clock, Unix ms
	PrevHash  []byte    `json:"prev_hash"`
	Blob      []byte    `json:"blob"`
	Sig       []byte    `json:"sig"`
	CreatedAt time.Time `json:"created_at"` // server clock
}

// NewRevision is what a client sends to write a revision; the server fills
// in the revision number, vault, type and author from the item and session.
type NewRevision struct {
	KeyEpoch uint64 `json:"key_epoch"`
	Time     int64  `json:"time"`
	PrevHash []byte `json:"prev_hash"`
	Blob     []byte `json:"blob"`
	Sig      []byte `json:"sig"`
	// KeyCommit is the item key commitment the signature covers (§7.3):
	// the server checks the signature with it before storing anything.
	KeyCommit []byte `json:"key_commit"`
	// FileIDs are the attachments this revision refers to (their keys and
	// names are inside the blob); the server links them to the item.
	FileIDs []string `json:"file_ids,omitempty"`
}

// NewFile announces an attachment upload. Size is the plaintext size;
// ChunkCount must be crypto.ChunkCount(Size).
type NewFile struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID         string    `json:"id"`
	Size       int64     `json:"size"`
	ChunkCount int       `json:"chunk_count"`
}

// File is an attachment's upload state.
type File struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID         string    `json:"id"`
	VaultID    string    `json:"vault_id"`
	Size       int64     `json:"size"`
	ChunkCount int       `json:"chunk_count"`
	Uploaded   int       `json:"uploaded"`
}

// ItemKeyWrap is an item key wrapped under a vault key.
type ItemKeyWrap struct {
	KeyVault  string `json:"key_vault"`
	KeyEpoch  uint64 `json:"key_epoch"`
	WrapVault string `json:"wrap_vault"`
	WrapEpoch uint64 `json:"wrap_epoch"`
	Wrap      []byte `json:"wrap"`
}

// Item is an item's state with its head revision and key wraps.
type Item struct {
	ID           string        `json:"id"`
	VaultID      string        `json:"vault_id"`
	Type         string        `json:"type"`
	Head         uint64        `json:"head"`
	Trashed      bool          `json:"trashed"`
	TrashedAt    *time.Time    `json:"trashed_at,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	Seq          int64         `json:"seq"`
	HeadRevision Revision      `json:"head_revision"`
	KeyWraps     []ItemKeyWrap `json:"key_wraps"`
}

// CreateItemsRequest creates several items of one vault at once (an
// import, a fill), each with its first revision, and the vault's next
// manifest, which lists them all: all are stored or none.
type CreateItemsRequest struct {
	Items    []NewItem `json:"items"`
	Manifest Manifest  `json:"manifest"`
}

// NewItem is one item of a CreateItemsRequest.
type NewItem struct {
	ID       string        `json:"id"`
	Type     string        `json:"type"`
	Revision NewRevision   `json:"revision"`
	KeyWraps []ItemKeyWrap `json:"key_wraps"`
}

// Items is a list of items (the answer to a batch create).
type Items struct {
	Items []Item `json:"items"`
}

// CreateItemRequest creates an item with its first revision.
type CreateItemRequest struct {
	ID       string        `json:"id"`
	Type     string        `json:"type"`
	Revision NewRevision   `json:"revision"`
	KeyWraps []ItemKeyWrap `json:"key_wraps"`
	Manifest Manifest      `json:"manifest"`
}

// UpdateItemRequest appends a revision to an item. BaseRevision is the
// revision the client edited; if it is no longer the head the answer is
// 409 with code "conflict".
type UpdateItemRequest struct {
	BaseRevision uint64        `json:"base_revision"`
	Revision     NewRevision   `json:"revision"`
	KeyWraps     []ItemKeyWrap `json:"key_wraps,omitempty"`
	Manifest     Manifest      `json:"manifest"`
}

// Revisions lists an item's full history, oldest first.
type Revisions struct {
	ItemID    string     `json:"item_id"`
	Revisions []Revision `json:"revisions"`
}

// Sync is the answer to GET /sync?since=N.
type Sync struct {
	Cursor int64    `json:"cursor"`
	Purged []string `json:"purged,omitempty"` // items purged since the cursor
	Orgs   []Org    `json:"orgs"`
	Groups []Group  `json:"groups"` // the caller's groups, with their wraps
	Vaults []Vault  `json:"vaults"`
	// Restore is the newest restore of the server's database from a
	// backup, if there was one (docs/protocol.md §9.1). It comes before
	// the items.
	Restore *RestoreMark `json:"restore,omitempty"`
	Items   []Item       `json:"items"`
}

// RestoreMark is a server's declaration that its database was restored
// from a backup: Generation only goes up from one restore to the next;
// StateAt is the time of the newest item change the restored data holds,
// RestoredAt when the restore was done (both in milliseconds).
type RestoreMark struct {
	Generation uint64 `json:"generation"`
	RestoredAt int64  `json:"restored_at"`
	StateAt    int64  `json:"state_at"`
}

// Version is the answer to GET /version.
type Version struct {
	Version string `json:"version"`
	API     string `json:"api"`
}

// Live message types on GET /api/v1/events (a WebSocket of JSON text
// messages).
const (
	LiveReady  = "ready"  // first message: the stream starts after Cursor
	LiveEvent  = "event"  // something changed; fetch the delta with /sync
	LiveResync = "resync" // too far behind: do a full sync, continue after Cursor
)

// LiveMessage is one message of the live event stream. Events carry ids
// and kinds only, never content.
type LiveMessage struct {
	_       [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Type    string    `json:"type"`
	Cursor  int64     `json:"cursor,omitempty"`
	Seq     int64     `json:"seq,omitempty"`
	Kind    string    `json:"kind,omitempty"`
	OrgID   string    `json:"org_id,omitempty"`
	VaultID string    `json:"vault_id,omitempty"`
	ItemID  string    `json:"item_id,omitempty"`
	UserID  string    `json:"user_id,omitempty"`
	GroupID string    `json:"group_id,omitempty"`
}
