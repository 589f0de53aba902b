package api

import (
	"time"

	"github.com/coffer-pm/coffer/internal/crypto"
)

// RecordRecipient is one holder of an epoch in an epoch record.
type RecordRecipient struct {
	Kind        string `json:"kind"` // user or group
	ID          string `json:"id"`
	Fingerprint []byte `json:"fingerprint"`
	Permission  uint8  `json:"permission"` // 1 view, 2 edit, 3 manage; 0 for a group's member
}

// EpochRecord is one signed version of a vault's, group's or
// organisation's state (docs/protocol.md §18.1).
type EpochRecord struct {
	OrgID      string            `json:"org_id"`
	Kind       string            `json:"kind"`
	ObjectID   string            `json:"object_id"`
	Version    uint64            `json:"version"`
	Epoch      uint64            `json:"epoch"`
	KeyCommit  []byte            `json:"key_commit"`
	MetaEpoch  uint64            `json:"meta_epoch"`
	MetaHash   []byte            `json:"meta_hash"`
	Recipients []RecordRecipient `json:"recipients"`
	PrevHash   []byte            `json:"prev_hash"`
	SignerID   string            `json:"signer_id"`
	TimeMS     uint64            `json:"time_ms"`
	Sig        []byte            `json:"sig"`
	// Seq is the change sequence it was stored at (answers only): ask for
	// records after the highest one seen.
	Seq int64 `json:"seq,omitempty"`
}

// Records answers GET /orgs/{org}/records: the records of the
// organisation's objects the caller can see, stored after `after`.
type Records struct {
	Records []EpochRecord `json:"records"`
	// Latest is the highest sequence the answer covers.
	Latest int64 `json:"latest"`
	// More: the answer stopped at a page's end; ask again after Latest.
	More bool `json:"more,omitempty"`
}

// GroupEpochKeys are a group's public keys of one epoch.
type GroupEpochKeys struct {
	Epoch    uint64 `json:"epoch"`
	SignPub  []byte `json:"sign_pub"`
	KEMPub   []byte `json:"kem_pub"`
	KeysSig  []byte `json:"keys_sig"`
	SignerID string `json:"signer_id"`
}

// PendingRotation is a rotation owed after a loss of access (§18.2).
type PendingRotation struct {
	_        [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Kind     string    `json:"kind"` // org, group or vault
	ObjectID string    `json:"object_id"`
	Epoch    uint64    `json:"epoch"` // the epoch it replaces
	Reason   string    `json:"reason"`
	Since    time.Time `json:"since"`
}

// RotateVaultRequest stores epoch from_epoch+1 of a vault's key.
type RotateVaultRequest struct {
	FromEpoch uint64         `json:"from_epoch"`
	Wraps     []VaultKeyWrap `json:"wraps"`
	Record    EpochRecord    `json:"record"`
}

// RotateGroupRequest stores new keys for a group as epoch from_epoch+1.
type RotateGroupRequest struct {
	FromEpoch uint64      `json:"from_epoch"`
	SignPub   []byte      `json:"sign_pub"`
	KEMPub    []byte      `json:"kem_pub"`
	KeysSig   []byte      `json:"keys_sig"`
	Wraps     []KeyWrap   `json:"wraps"`
	Record    EpochRecord `json:"record"`
}

// RotateOrgRequest stores epoch from_epoch+1 of an organisation's key.
type RotateOrgRequest struct {
	FromEpoch uint64      `json:"from_epoch"`
	Wraps     []KeyWrap   `json:"wraps"`
	Record    EpochRecord `json:"record"`
}

// RecordRequest is the body of a change that takes access away — a
// revoke (DELETE /vaults/{v}/grants/{kind}/{id}), a removal from a group
// (DELETE /groups/{id}/members/{user}): the object's next record, which
// no longer lists the person, so a rotation can never add them back.
type RecordRequest struct {
	Record EpochRecord `json:"record"`
}

// CryptoRecipients are the record's holders as the protocol hashes them.
func (r EpochRecord) CryptoRecipients() []crypto.RecordRecipient {
	out := make([]crypto.RecordRecipient, len(r.Recipients))
	for i, x := range r.Recipients {
		out[i] = crypto.RecordRecipient{Kind: x.Kind, ID: x.ID, Fingerprint: x.Fingerprint, Permission: x.Permission}
	}
	return out
}

// Signed is the record's signed form (its recipients hashed):
// ErrTampered for malformed recipients.
func (r EpochRecord) Signed() (crypto.EpochRecord, error) {
	rh, err := crypto.RecipientsHash(r.CryptoRecipients())
	if err != nil {
		return crypto.EpochRecord{}, err
	}
	return crypto.EpochRecord{OrgID: r.OrgID, Kind: r.Kind, ObjectID: r.ObjectID, Version: r.Version, Epoch: r.Epoch, KeyCommit: r.KeyCommit,
		MetaEpoch: r.MetaEpoch, MetaHash: r.MetaHash, RecipientsHash: rh, PrevHash: r.PrevHash, SignerID: r.SignerID, Time: r.TimeMS}, nil
}
