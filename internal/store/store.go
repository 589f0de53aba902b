// Package store is Coffer's persistence layer: one interface, Store, with an
// SQLite implementation (internal/store/sqlite) and, later, a PostgreSQL one
// that pass the same conformance suite (internal/store/storetest).
//
// The store holds only what the server may see (docs/protocol.md §10):
// routing metadata and opaque ciphertext. It knows nothing of HTTP and does
// not decide permissions; it reports grants and the server's authz package
// decides what they allow. Every multi-row write happens in one transaction.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var (
	// ErrNotFound: no such row.
	ErrNotFound = errors.New("not found")
	// ErrExists: an id or unique value (e-mail) is already taken.
	ErrExists = errors.New("already exists")
	// ErrUnavailable wraps failures to reach the database.
	ErrUnavailable = errors.New("database unavailable")
	// ErrStorageFull: the database's disk (or its size limit) is full.
	// The transaction was rolled back: nothing was written.
	ErrStorageFull = errors.New("the database's disk is full")
	// ErrReadOnly: the database cannot be written just now (a read-only
	// file or file system, a standby). It is an ErrUnavailable too.
	// Nothing was written.
	ErrReadOnly = fmt.Errorf("%w: the database is read-only", ErrUnavailable)
	// ErrFileTaken: a write links a file that belongs to another item.
	// Nothing was written.
	ErrFileTaken = errors.New("the file belongs to another item")
	// ErrLimit: a bound on the number of rows is reached. Nothing was
	// written.
	ErrLimit = errors.New("limit reached")
)

// ConflictError is returned when an update names a revision that is no
// longer the item's head (optimistic concurrency). Nothing was written.
type ConflictError struct {
	Head uint64 // the current head revision
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("revision conflict: the item's current revision is %d", e.Head)
}

// ManifestConflictError is returned when a write carries a vault manifest
// whose version is not the stored version plus one (someone else wrote to
// the vault first), or a manifest for a vault the write does not touch.
// Nothing was written.
type ManifestConflictError struct {
	VaultID string
	Version uint64 // the stored version (0 if none)
}

func (e *ManifestConflictError) Error() string {
	return fmt.Sprintf("manifest conflict: vault %s is at manifest version %d", e.VaultID, e.Version)
}

// Manifest is a vault's signed list of its items (docs/protocol.md §7.5).
// The store keeps the newest one per vault and only replaces it with the
// next version, in the same transaction as the write it describes.
type Manifest struct {
	VaultID   string
	Version   uint64
	Count     uint64
	ItemsHash []byte
	SignerID  string
	Time      int64 // the signer's clock, Unix milliseconds
	Sig       []byte
}

// PoolStats is one connection pool of a store.
type PoolStats struct {
	Name      string // "readers", "writer" or "pool"
	MaxOpen   int    // 0: no limit
	Open      int    // connections open, in use or idle
	InUse     int
	WaitCount int64 // connections waited for since the pool opened
	// WaitDuration is the total time waited for connections since the
	// pool opened.
	WaitDuration time.Duration
}

// Full reports whether every connection of the pool is in use: a caller
// that wants one now waits.
func (p PoolStats) Full() bool { return p.MaxOpen > 0 && p.InUse >= p.MaxOpen }

// Permission is a grant level on a vault. Higher includes lower.
type Permission int

const (
	PermNone Permission = iota
	PermView
	PermEdit
	PermManage
)

var permNames = [...]string{"none", "view", "edit", "manage"}

func (p Permission) String() string {
	if p < 0 || int(p) >= len(permNames) {
		return "none"
	}
	return permNames[p]
}

// ParsePermission parses "view", "edit" or "manage".
func ParsePermission(s string) (Permission, error) {
	for i, n := range permNames[1:] {
		if s == n {
			return Permission(i + 1), nil
		}
	}
	return PermNone, fmt.Errorf("unknown permission %q (want view, edit or manage)", s)
}

// KDF holds an account's Argon2id parameters, stored for pre-login.
type KDF struct {
	Algorithm string
	Time      uint32
	Memory    uint32
	Threads   uint8
	Salt      []byte
}

// Account is a user's server-side record.
type Account struct {
	ID                string
	Email             string // stored lower-cased
	Name              string
	KDF               KDF
	AuthHash          []byte
	AuthSalt          []byte
	SignPub           []byte
	KEMPub            []byte
	PublicKeysSig     []byte
	WrappedAccountKey []byte
	PrivateKeys       []byte
	CreatedAt         time.Time
	EmailVerifiedAt   time.Time // zero until the owner proved the address
	// DisabledAt is set while an instance administrator has disabled the
	// account: it cannot log in. Zero when enabled.
	DisabledAt time.Time
	// DeletedAt is set on the tombstone of a deleted account: only its id,
	// public keys and former address (in Email) remain, so that what it
	// signed in organisations keeps verifying.
	DeletedAt time.Time
}

// PasswordChange is new password material for an account
// (docs/protocol.md §17): KDF parameters, the server's hash of the new
// authentication key, and the account key wrapped under the new
// key-encryption key.
type PasswordChange struct {
	KDF               KDF
	AuthHash          []byte
	AuthSalt          []byte
	WrappedAccountKey []byte
}

// EmailVerification is an open e-mail verification: a pending sign-up
// (Signup holds the sign-up request) or an existing account proving its
// address again (Signup empty). ID is the account id.
type EmailVerification struct {
	ID             string
	Email          string
	Signup         []byte
	CodeHash       []byte
	FailedAttempts int
	ExpiresAt      time.Time
	CreatedAt      time.Time
}

// Session is a server session; only the token's hash is stored.
type Session struct {
	ID          string
	UserID      string
	TokenHash   []byte
	CreatedAt   time.Time
	LastUsedAt  time.Time
	ExpiresAt   time.Time // idle expiry, pushed forward on use up to MaxExpires
	MaxExpires  time.Time // absolute expiry
	RevokedAt   time.Time // zero if not revoked
	ClientAddr  string    // of the log-in, then of the last recorded use
	Description string    // device name ("Firefox on Linux"), a label only
}

// Vault kinds.
const (
	VaultPersonal = "personal"
	VaultOrg      = "org"
)

// Vault is a container of items with its own key epochs.
type Vault struct {
	ID        string
	Kind      string
	OrgID     string // empty for personal vaults
	OwnerID   string // the account of a personal vault
	CreatorID string // who created an organisation vault
	Meta      []byte // an organisation vault's sealed name
	Epoch     uint64 // current key epoch, from 1
	CreatedAt time.Time
}

// VaultKeyWrap delivers one epoch of a vault key to one recipient.
type VaultKeyWrap struct {
	VaultID       string
	Epoch         uint64
	RecipientKind string // "user" or "group"
	RecipientID   string
	SignerID      string
	Wrap          []byte
	Sig           []byte
	CreatedAt     time.Time
}

// VaultAccess is a vault as one user sees it: their effective permission
// and every key wrap addressed to them or to a group they are in.
type VaultAccess struct {
	Vault
	Permission Permission
	Wraps      []VaultKeyWrap
}

// Item is an item's server-side state. Its content lives in revisions.
// NewItem is one item of a CreateItems batch.
type NewItem struct {
	Item  Item
	Rev   Revision
	Wraps []ItemKeyWrap
}

type Item struct {
	ID        string
	VaultID   string
	Type      string
	Head      uint64 // latest revision number
	Trashed   bool
	TrashedAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	Seq       int64 // change sequence of the last write
}

// Revision is one immutable version of an item.
type Revision struct {
	ItemID    string
	Revision  uint64
	VaultID   string // the vault it was written in
	OrgID     string // that vault's organisation (read only; from the vault)
	KeyEpoch  uint64
	Type      string
	AuthorID  string
	PrevHash  []byte
	Blob      []byte
	Sig       []byte
	Time      int64 // the author's signed clock, Unix milliseconds
	CreatedAt time.Time
	// FileIDs are the attachments the revision refers to. Writes link
	// them to the item in the same transaction (a file belongs to exactly
	// one item: ErrFileTaken if another item has it); reads leave it nil.
	FileIDs []string
}

// ItemKeyWrap is an item key (item, KeyVault, KeyEpoch) wrapped under the
// vault key (WrapVault, WrapEpoch).
type ItemKeyWrap struct {
	ItemID    string
	KeyVault  string
	KeyEpoch  uint64
	WrapVault string
	WrapEpoch uint64
	Wrap      []byte
}

// ItemState is an item with its head revision and its key wraps: what a
// client needs to decrypt the current version.
type ItemState struct {
	Item
	HeadRevision Revision
	KeyWraps     []ItemKeyWrap
	// HeadJSON is the head revision as the API encodes it (api.Revision),
	// stored when the head was written. ChangesEach hands on this instead
	// of HeadRevision (left empty there), so that a sync copies bytes.
	HeadJSON []byte
}

// Store is implemented by each database engine.
type Store interface {
	OrgStore
	RecordStore
	AdminStore
	RecoveryStore
	LifecycleStore
	FileStore
	EventStore
	AuditStore
	ExposureStore
	ExportPolicyStore
	RateCounterStore
	TwoFactorStore
	SSOStore
	KnownDeviceStore
	WebAuthnStore
	RestoreStore

	Close() error
	// Ping checks that every pool of the store can reach the database.
	Ping(ctx context.Context) error
	// Pools reports the store's connection pools: what the server sizes
	// its sync slots by, and how /healthz tells a starved pool from an
	// unreachable database.
	Pools() []PoolStats

	// ServerSecret returns the named 32-byte server secret, creating it on
	// first use. Every server instance on one database gets the same value.
	ServerSecret(ctx context.Context, name string) ([]byte, error)

	// CreateAccount creates the account, its personal vault, the owner's
	// grant on it, the owner's first key wrap and the vault's first
	// manifest, atomically.
	//
	// Every write that changes a vault's items takes the vault manifests
	// it changes (ms): each must be the stored version plus one (version 1
	// for a new vault) and name a vault the write touches, else the write
	// returns *ManifestConflictError and nothing is stored. The server
	// requires them; the store only keeps them consistent.
	CreateAccount(ctx context.Context, a Account, personal Vault, wrap VaultKeyWrap, ms ...Manifest) error
	AccountByEmail(ctx context.Context, email string) (Account, error)
	AccountByID(ctx context.Context, id string) (Account, error)

	// PutEmailVerification stores an open verification. Expired ones are
	// deleted on the way. With replace, a verification with the same id is
	// replaced; without, ErrExists.
	PutEmailVerification(ctx context.Context, v EmailVerification, replace bool, now time.Time) error
	EmailVerification(ctx context.Context, id string) (EmailVerification, error)
	DeleteEmailVerification(ctx context.Context, id string) error
	// CountVerificationAttempt counts one attempt at the code and returns
	// the new count; counting before comparing keeps concurrent guesses
	// within the limit.
	CountVerificationAttempt(ctx context.Context, id string) (int, error)
	// CompleteSignup deletes the verification id and creates the account
	// (as CreateAccount) in one transaction; ErrNotFound if the
	// verification is gone, ErrExists if the e-mail or an id is taken.
	CompleteSignup(ctx context.Context, id string, a Account, personal Vault, wrap VaultKeyWrap, ms ...Manifest) error
	// VerifyAccountEmail deletes the verification id and marks the
	// account's address verified at at; ErrNotFound if either is gone.
	VerifyAccountEmail(ctx context.Context, id string, at time.Time) error

	// SetPassword replaces the account's password material if its stored
	// auth hash is still prevAuthHash (compare-and-set: of two concurrent
	// changes one wins, the other gets ErrNotFound and nothing changes).
	// With revoke, it also revokes every unrevoked session of the account
	// except keepSession (all of them when keepSession is empty) and
	// returns how many it revoked. One transaction.
	SetPassword(ctx context.Context, userID string, prevAuthHash []byte, c PasswordChange, revoke bool, keepSession string, at time.Time) (revoked int, err error)
	CreateSession(ctx context.Context, s Session) error
	SessionByTokenHash(ctx context.Context, tokenHash []byte) (Session, error)
	// TouchSession records a use of the session: when, from which client
	// address (the device list shows both), and its slid idle expiry.
	TouchSession(ctx context.Context, id string, lastUsed, expires time.Time, clientAddr string) error
	// RevokeSession revokes one of the user's sessions; ErrNotFound if the
	// session is not theirs or already revoked.
	RevokeSession(ctx context.Context, userID, id string, at time.Time) error
	ListSessions(ctx context.Context, userID string) ([]Session, error)

	// VaultPermission returns the user's effective permission on a vault,
	// PermNone if they have none, ErrNotFound if the vault does not exist.
	VaultPermission(ctx context.Context, userID, vaultID string) (Permission, error)
	VaultsForUser(ctx context.Context, userID string) ([]VaultAccess, error)
	Vault(ctx context.Context, id string) (Vault, error)

	// Writes of items return the item's state as their transaction wrote
	// it, so that the server answers from what was committed, never from a
	// second read that can fail after the commit (issue 23: a committed
	// write answered 503 made a retrying client write it twice).
	//
	// CreateItem stores a new item with revision 1 and its key wraps.
	CreateItem(ctx context.Context, it Item, rev Revision, wraps []ItemKeyWrap, ms ...Manifest) (ItemState, error)
	// CreateItems stores several new items of one vault, each with
	// revision 1 and its key wraps, and the vault's next manifest, in one
	// transaction: all of them or none. They share one change sequence.
	CreateItems(ctx context.Context, items []NewItem, ms ...Manifest) ([]ItemState, error)
	// UpdateItem appends revision baseRev+1 if baseRev is still the head,
	// else returns *ConflictError and writes nothing. New key wraps are
	// added; existing ones are kept.
	UpdateItem(ctx context.Context, itemID string, baseRev uint64, rev Revision, wraps []ItemKeyWrap, ms ...Manifest) (ItemState, error)
	// SetItemTrashed moves an item to or from the trash.
	SetItemTrashed(ctx context.Context, itemID string, trashed bool, at time.Time, ms ...Manifest) (ItemState, error)
	Item(ctx context.Context, id string) (Item, error)
	ItemState(ctx context.Context, id string) (ItemState, error)
	Revisions(ctx context.Context, itemID string) ([]Revision, error)
	// Changes returns the items, in vaults the user can read, written after
	// the cursor since, ordered by sequence; the manifests of every vault
	// the user can read, from the same snapshot; and the cursor to use next.
	Changes(ctx context.Context, userID string, since int64) ([]ItemState, []Manifest, int64, error)
	// ChangesEach is Changes for any number of items: in one snapshot it
	// hands head the manifests, the purged items and the cursor, then each
	// page of items (ordered by seq, then id) to each, so that memory
	// stays bounded whatever the vault's size. An error from head or each
	// ends it.
	//
	// Its pages' states carry the head revision as HeadJSON, not
	// HeadRevision.
	//
	// head and each run while ChangesEach holds a pooled connection: they
	// must not call the store (a second connection from the same pool
	// deadlocks once every connection is held by a caller doing the same).
	ChangesEach(ctx context.Context, userID string, since int64, head func(ChangesHead) error, each func(page []ItemState) error) error
}

// ChangesHead is what a sync answers before its items, read in the same
// snapshot as the items: the manifests of every vault the user can read,
// the items purged in them after the cursor since (up to Cursor), and the
// cursor to use next.
type ChangesHead struct {
	Manifests []Manifest
	Purged    []string
	Cursor    int64
}

// File is an encrypted attachment's server-side record.
type File struct {
	ID         string
	VaultID    string
	Size       int64 // plaintext bytes, as announced (each chunk is checked against it)
	ChunkCount int
	Uploaded   int // chunks stored so far
	CreatorID  string
	CreatedAt  time.Time
}

// RevisionOverhead is what a revision counts against its author's quota on
// top of its blob: its row, signature and hashes, the item's key wraps and
// row, its event and the index entries (measured: docs/performance.md).
// Without it, 1-byte revisions stored thousands of times what they counted
// (issue 23). Migration 12 uses the same number.
const RevisionOverhead = 1024

// RevisionCost is what a revision with a blob of n bytes counts.
func RevisionCost(n int) int64 { return int64(n) + RevisionOverhead }

// Usage is what an account stores, as storage quotas count it: the
// announced sizes of the files it uploaded (complete, attached or not,
// until they are purged or swept) and the revisions it wrote
// (RevisionCost each).
// Chunks are bounded by the announced size, so they are not counted
// separately.
type Usage struct {
	Bytes        int64 // files + revision blobs: running totals
	PendingFiles int   // its uploads that no item links and that have not expired
	PendingBytes int64 // their announced sizes
}

// Quota limits what CreateFileWithin accepts from one account. A zero
// limit means no limit.
type Quota struct {
	MaxBytes        int64
	MaxPendingFiles int
	MaxPendingBytes int64
	// Uploads no item links created before ExpiredBefore are expired:
	// they are no longer pending and the sweep deletes them.
	ExpiredBefore time.Time
}

// QuotaError is returned when a write would take an account over a
// quota. Nothing was written.
type QuotaError struct {
	Limit string // "storage", "pending files" or "pending bytes"
	Usage Usage  // before the write
	Quota Quota
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("%s quota exceeded (usage %+v)", e.Limit, e.Usage)
}

// Check returns a *QuotaError if adding a write of n bytes (an upload if
// upload, else a revision blob) to u exceeds q.
func (q Quota) Check(u Usage, n int64, upload bool) error {
	switch {
	case q.MaxBytes > 0 && u.Bytes+n > q.MaxBytes:
		return &QuotaError{Limit: "storage", Usage: u, Quota: q}
	case upload && q.MaxPendingFiles > 0 && u.PendingFiles+1 > q.MaxPendingFiles:
		return &QuotaError{Limit: "pending files", Usage: u, Quota: q}
	case upload && q.MaxPendingBytes > 0 && u.PendingBytes+n > q.MaxPendingBytes:
		return &QuotaError{Limit: "pending bytes", Usage: u, Quota: q}
	}
	return nil
}

// FileStore is the attachment and purge part of Store.
type FileStore interface {
	CreateFile(ctx context.Context, f File) error
	// CreateFileWithin creates a file if its creator's usage with it stays
	// within q, else returns *QuotaError. The check and the insert are
	// atomic per account, also across server instances.
	CreateFileWithin(ctx context.Context, f File, q Quota) error
	// Usage returns an account's usage; unattached uploads created before
	// expiredBefore are not pending (their bytes count until swept).
	Usage(ctx context.Context, userID string, expiredBefore time.Time) (Usage, error)
	// UsageBytes returns Usage(…).Bytes alone: one row, read on every
	// revision write.
	UsageBytes(ctx context.Context, userID string) (int64, error)
	// DeleteExpiredUploads deletes files that no item links created before
	// before, with their chunks, and returns how many. Safe to run
	// concurrently from several instances.
	DeleteExpiredUploads(ctx context.Context, before time.Time) (int, error)
	File(ctx context.Context, id string) (File, error)
	// PutChunk stores chunk idx of a file; ErrExists if already stored.
	PutChunk(ctx context.Context, fileID string, idx int, data []byte) error
	// Chunk returns one stored chunk.
	Chunk(ctx context.Context, fileID string, idx int) ([]byte, error)
	// LinkFiles records that an item refers to files. A file belongs to
	// at most one item: linking one that another item has is ErrFileTaken,
	// and nothing is linked.
	LinkFiles(ctx context.Context, itemID string, fileIDs []string) error
	ItemFiles(ctx context.Context, itemID string) ([]string, error)
	// RepairManifest stores a vault's next manifest on its own, with the
	// compare-and-set of every write (*ManifestConflictError if out of
	// step), purges the items listed in purge (items of that vault that
	// fail verification, which the manifest leaves out; ErrNotFound if one
	// is not in the vault), and records a vault.repaired event, all in one
	// transaction. A manager signs it to bring a quarantined vault back
	// (docs/protocol.md §7.6).
	RepairManifest(ctx context.Context, m Manifest, purge []string, at time.Time) error
	// FileItem returns the item a file is linked to, "" if none.
	FileItem(ctx context.Context, fileID string) (string, error)
	// PurgeItem deletes a trashed item, its revisions, key wraps and the
	// files only it refers to, leaving a tombstone for delta sync.
	PurgeItem(ctx context.Context, itemID string, at time.Time, ms ...Manifest) error
	// PurgedSince returns the items purged after the cursor in vaults the
	// user can read.
	PurgedSince(ctx context.Context, userID string, since, until int64) ([]string, error)
}

// OrgRecovery is an organisation's account-recovery key (docs/protocol.md
// §17.2). A disabled organisation keeps its version and has no keys.
type OrgRecovery struct {
	OrgID         string
	Version       uint64
	Enabled       bool
	SignPub       []byte
	KEMPub        []byte
	KeysSig       []byte // the owner's signature of the public keys
	SealedPrivate []byte // under the owner's account key
	UpdatedAt     time.Time
}

// RecoveryEnrolment is a member's account key wrapped to their
// organisation's recovery key of one version, signed by the member.
type RecoveryEnrolment struct {
	OrgID     string
	UserID    string
	Version   uint64
	Wrap      []byte
	Sig       []byte
	CreatedAt time.Time
}

// RecoveryRequest is a member's request to be recovered: the public keys
// of a key pair the member's device made. Once an owner approved it, the
// account key wrapped to those keys (Grant*).
type RecoveryRequest struct {
	ID           string
	UserID       string
	SignPub      []byte
	KEMPub       []byte
	CreatedAt    time.Time
	ExpiresAt    time.Time
	GrantOrg     string // empty until granted
	GrantVersion uint64
	GrantWrap    []byte
	GrantSig     []byte
	GrantedBy    string
	GrantedAt    time.Time
}

// Granted reports whether an owner approved the request.
func (q RecoveryRequest) Granted() bool { return q.GrantOrg != "" }

// MemberRecovery is, for one member, an organisation of theirs whose
// recovery is on, and their enrolment there if any.
type MemberRecovery struct {
	OrgRecovery
	OwnerID   string
	Enrolment *RecoveryEnrolment
}

// RecoveryStore keeps account recovery's keys, enrolments and requests.
// Permissions are the server's to check; the store keeps the invariants
// that must hold atomically (only confirmed members enrol, only at the
// current version; a grant needs an enrolment; one completion).
type RecoveryStore interface {
	// EnableRecovery stores a new recovery key for r.OrgID; its version
	// must be one more than the last (1 for the first). ErrExists when
	// recovery is on already or the version is not the next one.
	EnableRecovery(ctx context.Context, r OrgRecovery) error
	// DisableRecovery forgets the key, every enrolment and every approval
	// the organisation gave that was not used yet; ErrNotFound when
	// recovery is off.
	DisableRecovery(ctx context.Context, orgID string, at time.Time) error
	// OrgRecovery returns the organisation's recovery row; ErrNotFound if
	// it never had one.
	OrgRecovery(ctx context.Context, orgID string) (OrgRecovery, error)
	// RecoveryForMember lists the organisations where userID is a
	// confirmed member (not the owner) and recovery is on, with their
	// enrolment, and the user's recovery requests (newest first).
	RecoveryForMember(ctx context.Context, userID string) ([]MemberRecovery, []RecoveryRequest, error)
	// Enrol stores (or replaces) a member's enrolment. ErrNotFound unless
	// recovery is on at e.Version and e.UserID is a confirmed member who
	// is not the owner.
	Enrol(ctx context.Context, e RecoveryEnrolment) error
	// Unenrol deletes a member's enrolment and the approvals the
	// organisation gave the member that are not used yet; ErrNotFound if
	// there is no enrolment.
	Unenrol(ctx context.Context, orgID, userID string) error
	// CancelRecoveryRequests deletes every recovery request of the user,
	// approved or not, and returns how many.
	CancelRecoveryRequests(ctx context.Context, userID string) (int, error)
	// Enrolments lists an organisation's enrolments at its current version.
	Enrolments(ctx context.Context, orgID string) ([]RecoveryEnrolment, error)
	// CreateRecoveryRequest stores a request, first dropping the user's
	// expired requests. ErrLimit, and nothing written, when the user has
	// keep open (unexpired, ungranted) requests already: a request is
	// never pushed out by a newer one (anyone may ask in a user's name).
	// Counted under a lock on the account, so concurrent requests cannot
	// pass the bound together.
	CreateRecoveryRequest(ctx context.Context, q RecoveryRequest, keep int) error
	// DiscardRecoveryRequest deletes an open (ungranted) request of a
	// member enrolled in orgID at its current version: the owner's remedy
	// for requests the member did not make. ErrNotFound otherwise.
	DiscardRecoveryRequest(ctx context.Context, orgID, id string) error
	// RecoveryRequest returns one request; ErrNotFound if none.
	RecoveryRequest(ctx context.Context, id string) (RecoveryRequest, error)
	// OpenRecoveryRequests lists the unexpired, ungranted requests of
	// members enrolled in orgID at its current version, oldest first.
	OpenRecoveryRequests(ctx context.Context, orgID string, now time.Time) ([]RecoveryRequest, error)
	// GrantRecovery records an owner's approval. ErrNotFound unless the
	// request exists, is unexpired and ungranted, and its user is
	// enrolled in q.GrantOrg at q.GrantVersion (which is current).
	GrantRecovery(ctx context.Context, q RecoveryRequest, now time.Time) error
	// CompleteRecovery sets the user's new password material over
	// prevAuthHash (as SetPassword, revoking every session) and deletes
	// all the user's requests, if request id is granted, unexpired, and
	// its user still a member enrolled at the grant's version while
	// recovery is on; ErrNotFound otherwise. In the same transaction it
	// stores notice (its UserID, OrgID, ActorID and ApprovedAt those of
	// the request's approval), so that a completed recovery always leaves
	// its trace, and a refused one none. (Removing a member, leaving,
	// turning recovery off and changing the password void approvals too.)
	CompleteRecovery(ctx context.Context, id, userID string, prevAuthHash []byte, c PasswordChange, notice AccountNotice, now time.Time) (revoked int, err error)
	// AccountNotices lists the user's notices, newest first, at most
	// limit of them.
	AccountNotices(ctx context.Context, userID string, limit int) ([]AccountNotice, error)
	// MarkNoticeSeen records that the user acknowledged their notice id
	// at at; a notice seen before keeps its first time. ErrNotFound
	// unless the notice is the user's.
	MarkNoticeSeen(ctx context.Context, userID, id string, at time.Time) error
}

// NoticeRecovered is the kind of notice a completed account recovery
// leaves (docs/protocol.md §17.3).
const NoticeRecovered = "recovered"

// AccountNotice is an event about an account that its user is shown at
// their next unlock until the account acknowledges it, and keeps seeing
// in its history afterwards: for now, that the account was recovered
// through an organisation. It names the organisation and the approving
// owner by id (and the owner's address at the time), so that it outlives
// both.
type AccountNotice struct {
	ID         string
	UserID     string
	Kind       string
	OrgID      string
	ActorID    string // the owner who approved
	ActorEmail string // their address when they approved
	ApprovedAt time.Time
	ClientAddr string // the client address that completed the recovery
	CreatedAt  time.Time
	SeenAt     time.Time // zero until acknowledged
}

// NotEmptyError: a delete without force found items that would go with it.
// Nothing was deleted.
type NotEmptyError struct {
	Items int // live and trashed items that would be purged
}

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("not empty: %d item(s) would be purged", e.Items)
}

// LifecycleStore renames and deletes organisations, vaults and groups
// (issue 15). Names are sealed; the store swaps the sealed bytes. A delete
// purges the items it takes along (as PurgeItem does, giving their bytes
// back to the quotas) only with force; without, a vault with items is a
// *NotEmptyError and nothing changes. Each emits the events that tell
// every affected reader, before their access goes.
type LifecycleStore interface {
	SetOrgMeta(ctx context.Context, orgID string, meta []byte) error
	SetVaultMeta(ctx context.Context, vaultID string, meta []byte) error
	SetGroupMeta(ctx context.Context, groupID string, meta []byte) error
	// DeleteVault deletes an organisation vault with its grants, wraps,
	// manifest and pending uploads. ErrNotFound if there is no such vault;
	// a private group's own vault goes only with its group.
	DeleteVault(ctx context.Context, vaultID string, force bool, at time.Time) error
	// DeleteGroup deletes a group, its members, key wraps and grants, and
	// a private group's own vault.
	DeleteGroup(ctx context.Context, groupID string, force bool, at time.Time) error
	// DeleteOrg deletes an organisation with all its vaults, groups,
	// members, invitations and recovery data.
	DeleteOrg(ctx context.Context, orgID string, force bool, at time.Time) error
}

// ErrExportRestricted: the account's export policy allows My Vault only.
var ErrExportRestricted = errors.New("export restricted to My Vault")

// ExportPolicy is what an account may export (issue 26): with
// MyVaultOnly only its My Vault; otherwise no vault of RestrictedOrgs
// (it is a member of a group there flagged my-vault-only).
type ExportPolicy struct {
	MyVaultOnly    bool
	RestrictedOrgs []string
}

// ExportPolicyStore keeps the "Allow export of My Vault only" flags.
type ExportPolicyStore interface {
	// SetAccountExportPolicy sets an account's flag (an instance
	// administrator's action); ErrNotFound for no live account.
	SetAccountExportPolicy(ctx context.Context, userID string, myVaultOnly bool, setBy string, at time.Time) error
	// SetGroupExportPolicy sets a group's flag (the owner's action, with
	// its audit entry attached to ctx); ErrNotFound for no group.
	SetGroupExportPolicy(ctx context.Context, groupID string, myVaultOnly bool, setBy string, at time.Time) error
	// ExportPolicy says what userID may export.
	ExportPolicy(ctx context.Context, userID string) (ExportPolicy, error)
	// RecordExport commits the export's audit entry (attached to ctx) if
	// userID's policy — read again in the transaction — lets them export
	// orgID's vaults; else ErrExportRestricted and nothing is written.
	RecordExport(ctx context.Context, orgID, userID string) error
}

// MaxCounterKey bounds a rate counter's key: keys are a short prefix and
// a keyed hash, so anything longer is a bug, not a key.
const MaxCounterKey = 128

// CounterHit is the outcome of one RateCounterStore.HitCounter.
type CounterHit struct {
	OK    bool      // the event was counted: the window was not full
	N     int       // events counted in the window, this one included if OK
	Start time.Time // when the window started (its identity for a refund)
	End   time.Time // when it ends
}

// RateCounterStore keeps fixed-window counters that every instance on one
// database shares (issue 27): with several instances on one PostgreSQL,
// the failed-login windows and the mail budgets are counted here so that
// N instances do not allow N times the limit. Both engines implement it;
// a server on SQLite (one process) keeps its counters in memory instead.
type RateCounterStore interface {
	// HitCounter counts one event for key unless its window already holds
	// max: atomically, so concurrent hits through any instances never
	// count more than max in one window. A window starts at the first
	// event after the previous one ended and lasts window; both times are
	// the caller's now, stored in the row, so instances compare against
	// one recorded end. len(key) must be at most MaxCounterKey.
	HitCounter(ctx context.Context, key string, max int, window time.Duration, now time.Time) (CounterHit, error)
	// RefundCounter gives back one event counted in the window that
	// started at start; nothing if that window has ended and another
	// begun, or nothing is counted.
	RefundCounter(ctx context.Context, key string, start time.Time) error
	// PruneCounters deletes the counters whose window ended at or before
	// now and says how many.
	PruneCounters(ctx context.Context, now time.Time) (int64, error)
}

// TwoFactor is an account's TOTP enrolment (issue 27). The secret is a
// server authentication factor: the server checks codes with it; it is
// not vault data and opens nothing.
type TwoFactor struct {
	Secret    []byte
	EnabledAt time.Time // zero while the enrolment waits for its first code
	LastStep  int64     // the newest TOTP time step a code was accepted for
	CreatedAt time.Time
	// RecoveryCodes are the hashes of the unused recovery codes.
	RecoveryCodes [][]byte
}

// TwoFactorStore keeps two-factor enrolments and recovery codes.
type TwoFactorStore interface {
	// StartTwoFactor stores a pending enrolment with secret, replacing a
	// pending one; ErrExists if two-factor log-in is on already,
	// ErrNotFound for no live account.
	StartTwoFactor(ctx context.Context, userID string, secret []byte, at time.Time) error
	// TwoFactor returns the account's enrolment; ErrNotFound for none.
	TwoFactor(ctx context.Context, userID string) (TwoFactor, error)
	// ConfirmTwoFactor turns a pending enrolment on, uses step (the code
	// that confirmed it cannot log in again) and stores the recovery code
	// hashes; ErrNotFound if no enrolment is pending.
	ConfirmTwoFactor(ctx context.Context, userID string, step int64, recoveryHashes [][]byte, at time.Time) error
	// UseTOTPStep records that a code of step was accepted if step is
	// newer than the last one (compare-and-set); ErrNotFound otherwise (a
	// replay, or two-factor log-in is off).
	UseTOTPStep(ctx context.Context, userID string, step int64) error
	// UseRecoveryCode deletes the recovery code hash; ErrNotFound if it is
	// not there (used already, by a concurrent log-in too: one wins).
	UseRecoveryCode(ctx context.Context, userID string, hash []byte) error
	// DisableTwoFactor deletes the TOTP enrolment, and the recovery codes
	// unless the account still has a security key (WebAuthnStore);
	// while an organisation the account is a confirmed member of requires
	// two-factor log-in, *TwoFactorHeldError and nothing is deleted (read
	// in the transaction, serialised with confirmations and requirement
	// changes).
	DisableTwoFactor(ctx context.Context, userID string) error
	// TwoFactorOn says, of each account in userIDs, whether two-factor
	// log-in is on (enabled, not merely started).
	TwoFactorOn(ctx context.Context, userIDs []string) (map[string]bool, error)
	// SetOrgRequireTwoFactor turns the organisation's requirement on or
	// off (EventOrgChanged). Turning it on needs the owner's own
	// two-factor log-in on (ErrTwoFactorRequired otherwise), read in the
	// transaction.
	SetOrgRequireTwoFactor(ctx context.Context, orgID string, on bool) error
	// RecoveryCodeHashes returns the hashes of the account's unused
	// recovery codes (with TOTP on, with a security key, or both).
	RecoveryCodeHashes(ctx context.Context, userID string) ([][]byte, error)
	// ResetSecondFactors deletes every second factor of the account (its
	// TOTP enrolment, recovery codes, security keys and their challenges)
	// and records notice for its user, in one transaction: an instance
	// administrator's help for someone who lost them all. ErrNotFound if
	// the account had none (and nothing is recorded).
	ResetSecondFactors(ctx context.Context, userID string, notice AccountNotice) error
	// ReplaceRecoveryCodes replaces the account's recovery codes with
	// hashes (a new set: the old ones stop working); ErrNotFound if the
	// account has no second factor.
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error
}

// NoticeSecondFactorReset is the kind of notice an administrator's reset
// of an account's second factors leaves.
const NoticeSecondFactorReset = "second_factor_reset"

// KnownDeviceStore remembers the devices an account logged in from, for
// the new-device log-in notice (docs/security.md 27.8).
type KnownDeviceStore interface {
	// SeeDevice records a log-in of userID from the device whose keyed
	// hash is deviceHash at at, and says whether it is new to the account:
	// not listed before while some other device was. The first device an
	// account is seen on is not new (the log-in after sign-up, or the
	// first after an upgrade, mails nothing). One statement decides it, so
	// two concurrent log-ins from one new device say new once.
	SeeDevice(ctx context.Context, userID string, deviceHash []byte, at time.Time) (isNew bool, err error)
}

// ErrTwoFactorRequired: the organisation requires two-factor log-in and
// the account it is about does not have it on. Nothing was written.
var ErrTwoFactorRequired = errors.New("two-factor log-in required")

// TwoFactorHeldError: an account cannot turn two-factor log-in off while
// organisations it belongs to require it; Orgs are their ids.
type TwoFactorHeldError struct{ Orgs []string }

func (e *TwoFactorHeldError) Error() string {
	return "organisations this account belongs to require two-factor log-in"
}

// SSOState is a single sign-on under way (docs/protocol.md §8.4): made
// when a client starts it, taken once when the provider sends the
// browser back.
type SSOState struct {
	Hash      []byte // of the state in the provider's URL (sso.TicketHash "state")
	Nonce     string // the ID token must repeat it
	Verifier  string // PKCE verifier toward the provider
	Challenge string // the starting client's S256 challenge
	ReturnTo  string // "" for the web app, or a CLI's loopback address
	ExpiresAt time.Time
}

// SSOTicket is a sign-in the provider proved, waiting for the client that
// started it to log in (with the master password's proof) or sign up.
type SSOTicket struct {
	Hash            []byte
	Challenge       string
	Issuer, Subject string
	Email, Name     string // the verified address (or the linked account's), the provider's name for the person
	UserID          string // the account the identity is linked to; "" if none yet
	ExpiresAt       time.Time
}

// SSOStore keeps single sign-ons under way, proved sign-ins and the links
// of provider identities to accounts.
type SSOStore interface {
	// CreateSSOState stores a sign-in under way (and deletes expired
	// ones); ErrLimit if max live ones are stored already.
	CreateSSOState(ctx context.Context, st SSOState, now time.Time, max int) error
	// TakeSSOState deletes and returns the state with hash: ErrNotFound if
	// there is none, it expired at now, or a concurrent take won.
	TakeSSOState(ctx context.Context, hash []byte, now time.Time) (SSOState, error)
	// CreateSSOTicket stores a proved sign-in (and deletes expired ones).
	CreateSSOTicket(ctx context.Context, t SSOTicket, now time.Time) error
	// SSOTicket returns the ticket with hash unless it expired at now;
	// ErrNotFound otherwise.
	SSOTicket(ctx context.Context, hash []byte, now time.Time) (SSOTicket, error)
	// RedeemSSOTicket deletes the ticket and links its identity to userID,
	// in one transaction: ErrNotFound if the ticket is gone or expired (a
	// concurrent redemption won), ErrExists if the identity is linked to
	// another account or the account to another identity of the issuer.
	RedeemSSOTicket(ctx context.Context, hash []byte, userID string, now time.Time) error
	// SSOLink returns the account the identity is linked to; ErrNotFound
	// for none.
	SSOLink(ctx context.Context, issuer, subject string) (string, error)
}

// WebAuthnCredential is a security key registered as a second factor
// (issue 27, docs/protocol.md §8.2). Its public key checks assertions;
// like the TOTP secret it is server authentication only and opens nothing.
type WebAuthnCredential struct {
	ID           string // the server's id, for listing and removal
	UserID       string
	CredentialID []byte // the authenticator's id of the key pair
	PublicKey    []byte // COSE
	SignCount    uint32 // the newest signature counter seen
	AAGUID       []byte
	Transports   []string
	Flags        byte   // backup flags, as the library encodes them
	RPID         string // the relying party it was registered for
	Name         string // chosen by the account's owner
	CreatedAt    time.Time
	LastUsedAt   time.Time // zero: never used to log in
}

// WebAuthnChallenge is a ceremony's server-side state between its begin
// and its finish: bound to one account and one ceremony, used once.
type WebAuthnChallenge struct {
	Hash      []byte // SHA-256 of the challenge
	UserID    string
	Ceremony  string // "register" or "login"
	Session   []byte // the library's session data (JSON)
	ExpiresAt time.Time
}

// WebAuthnStore keeps security keys and their ceremonies' challenges.
type WebAuthnStore interface {
	// AddWebAuthnCredential stores c; with recoveryHashes (the account's
	// first second factor) it replaces the account's recovery codes in the
	// same transaction. ErrExists if the account has that credential id;
	// ErrNotFound for no live account.
	AddWebAuthnCredential(ctx context.Context, c WebAuthnCredential, recoveryHashes [][]byte) error
	// WebAuthnCredentials lists the account's security keys, oldest first.
	WebAuthnCredentials(ctx context.Context, userID string) ([]WebAuthnCredential, error)
	// RemoveWebAuthnCredential deletes one; if it was the account's last
	// second factor (no other key, TOTP off) the recovery codes go too.
	// ErrNotFound if the account has no such key.
	RemoveWebAuthnCredential(ctx context.Context, userID, id string) error
	// UseWebAuthnCredential records a log-in with the key: its counter
	// moves from old to count (compare-and-set on old) and its last use
	// is at. ErrNotFound if the key is gone or its counter is no longer
	// old (a concurrent log-in came first).
	UseWebAuthnCredential(ctx context.Context, userID, id string, old, count uint32, at time.Time) error
	// PutWebAuthnChallenge stores c, first deleting the account's expired
	// challenges and, beyond max-1 live ones, its oldest.
	PutWebAuthnChallenge(ctx context.Context, c WebAuthnChallenge, now time.Time, max int) error
	// TakeWebAuthnChallenge deletes and returns the challenge with hash if
	// it is the account's, of ceremony and not expired at now: one
	// conditional DELETE, so of several finishes with one challenge one
	// gets it. ErrNotFound otherwise.
	TakeWebAuthnChallenge(ctx context.Context, hash []byte, userID, ceremony string, now time.Time) (WebAuthnChallenge, error)
}

// RestoreMark is the newest restore of the database from a backup
// (docs/protocol.md §9.1); the zero value when there was none.
// Generation only goes up from one restore to the next; StateAt is the
// time of the newest item change the restored data holds (what the
// backup was "of").
type RestoreMark struct {
	Generation uint64
	RestoredAt time.Time
	StateAt    time.Time
}

// RestoreStore records restores from a backup (issue 28).
type RestoreStore interface {
	// MarkRestored records that the database was just restored from a
	// backup: a generation above every one recorded and above the
	// restore's time in milliseconds (so that a later restore of an
	// older backup, which holds fewer rows, still declares a newer one),
	// and the time of the newest item change it holds.
	MarkRestored(ctx context.Context, at time.Time) (RestoreMark, error)
	// LastRestore is the newest restore recorded (zero: none).
	LastRestore(ctx context.Context) (RestoreMark, error)
}
