package store

import (
	"context"
	"errors"
	"sync"
)

// EpochRecord is one stored version of an object's signed state
// (docs/protocol.md §18.1). The store checks it against what it holds —
// version and chain, epoch and key commitment, the sealed name, and that
// Recipients are exactly the grants or members the write leaves — inside
// the write's transaction; the signature is the handler's to check.
type EpochRecord struct {
	OrgID      string
	Kind       string
	ObjectID   string
	Version    uint64
	Epoch      uint64
	KeyCommit  []byte
	MetaEpoch  uint64
	MetaHash   []byte
	Recipients []RecordRecipient
	PrevHash   []byte
	SignerID   string
	TimeMS     uint64
	Sig        []byte
	Hash       []byte // record_hash, computed by the handler
	Seq        int64  // change sequence of the write that stored it
}

// RecordRecipient is a holder of an epoch: a grantee of a vault (user or
// group, permission 1–3) or a member of a group (permission 0).
type RecordRecipient struct {
	Kind        string `json:"kind"`
	ID          string `json:"id"`
	Fingerprint []byte `json:"fingerprint"`
	Permission  uint8  `json:"permission"`
}

// RecordConflict: the record does not follow the stored chain, or does not
// describe what the write leaves (another write came first). Nothing was
// written; the client syncs and tries again.
type RecordConflict struct{ Reason string }

func (e *RecordConflict) Error() string { return "epoch record conflict: " + e.Reason }

// ErrRecordRequired: a write that changes an object's signed state came
// without the object's next epoch record.
var ErrRecordRequired = errors.New("epoch record required")

// PendingRotation is a rotation owed after a loss of access (§18.2).
type PendingRotation struct {
	OrgID    string
	Kind     string // org, group or vault
	ObjectID string
	Epoch    uint64 // the epoch to replace
	Reason   string
	Since    int64 // Unix milliseconds
}

// Reasons for a pending rotation.
const (
	RotateRemoved = "removed"
	RotateLeft    = "left"
	RotateUnbound = "unbound"
	RotateGroup   = "group"
	RotateRevoked = "revoked"
)

// GroupKeys are a group's public keys of one epoch.
type GroupKeys struct {
	GroupID  string
	Epoch    uint64
	SignPub  []byte
	KEMPub   []byte
	KeysSig  []byte
	SignerID string
}

type records struct {
	mu     sync.Mutex
	list   []EpochRecord
	stored bool
}

type recordsKey struct{}

// WithRecords returns a context whose next write transaction stores, and
// checks, the records AttachRecord adds: one per request.
func WithRecords(ctx context.Context) context.Context {
	return context.WithValue(ctx, recordsKey{}, &records{})
}

// AttachRecord adds r to the records the request's write stores in its
// own transaction. Without WithRecords it panics: a record that would be
// dropped silently is a bug.
func AttachRecord(ctx context.Context, r EpochRecord) {
	rs, _ := ctx.Value(recordsKey{}).(*records)
	if rs == nil {
		panic("store.AttachRecord without store.WithRecords")
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.list = append(rs.list, r)
}

// Attached returns the records attached to the context that no committed
// transaction stored yet.
func Attached(ctx context.Context) []EpochRecord {
	rs, _ := ctx.Value(recordsKey{}).(*records)
	if rs == nil {
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.stored {
		return nil
	}
	return append([]EpochRecord(nil), rs.list...)
}

// RecordsStored notes that a committed transaction stored the attached
// records.
func RecordsStored(ctx context.Context) {
	if rs, _ := ctx.Value(recordsKey{}).(*records); rs != nil {
		rs.mu.Lock()
		rs.stored = true
		rs.mu.Unlock()
	}
}

// RecordStore is the epoch-record part of Store.
type RecordStore interface {
	// Records returns at most limit records of the organisation's objects
	// stored after change sequence afterSeq, in sequence order (so an
	// object's in version order). What a caller may see of them is the
	// handler's to filter.
	Records(ctx context.Context, orgID string, afterSeq int64, limit int) ([]EpochRecord, error)
	// ObjectRecords returns one object's records, in version order.
	ObjectRecords(ctx context.Context, objectID string) ([]EpochRecord, error)
	// LatestRecord returns an object's newest record (ErrNotFound if none).
	LatestRecord(ctx context.Context, objectID string) (EpochRecord, error)
	// PendingRotations lists the organisation's owed rotations.
	PendingRotations(ctx context.Context, orgID string) ([]PendingRotation, error)
	// CountPendingRotations counts the rotations owed across every
	// organisation of the instance (the server's metrics read it at each
	// scrape; one indexed count).
	CountPendingRotations(ctx context.Context) (int, error)
	// GroupKeyHistory returns a group's public keys of every epoch.
	GroupKeyHistory(ctx context.Context, groupID string) ([]GroupKeys, error)
	// RotateVault stores epoch e+1 of a vault (e = fromEpoch, which must
	// still be current) with its wraps; the attached record must name the
	// new epoch and exactly the grantees. It clears the pending mark.
	// A vault whose group grantee still owes a rotation is refused
	// (*RecordConflict "rotation_order").
	//
	// owedBy, if not empty, is a holder who does not manage the vault: the
	// rotation is theirs only while it is owed and they can still read the
	// vault, both checked in the transaction (a manager's right is the
	// request's store.Require).
	RotateVault(ctx context.Context, vaultID string, fromEpoch uint64, wraps []VaultKeyWrap, owedBy string) error
	// RotateGroup stores new group keys as epoch fromEpoch+1 with the
	// wraps of its seeds to the remaining members (and the manager).
	// owedBy as for RotateVault: a member who is not the manager, only
	// while the group owes it and they are still a member.
	RotateGroup(ctx context.Context, groupID string, fromEpoch uint64, keys GroupKeys, wraps []KeyWrap, owedBy string) error
	// RotateOrg stores organisation key epoch fromEpoch+1 with its wraps
	// to every current member.
	RotateOrg(ctx context.Context, orgID string, fromEpoch uint64, wraps []KeyWrap) error
}
