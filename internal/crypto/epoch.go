package crypto

import (
	"crypto/hkdf"
	"crypto/sha256"
	"slices"
	"sort"
)

// Kinds of objects that carry an epoch record chain (docs/protocol.md §18.1).
const (
	RecordOrg          = "org"
	RecordGroup        = "group"         // an organisation group
	RecordPrivateGroup = "private-group" // a group its creator manages
	RecordVault        = "vault"         // an organisation vault
	RecordGroupVault   = "group-vault"   // a private group's own vault
)

// ValidRecordKind reports whether kind names an epoch record kind.
func ValidRecordKind(kind string) bool {
	switch kind {
	case RecordOrg, RecordGroup, RecordPrivateGroup, RecordVault, RecordGroupVault:
		return true
	}
	return false
}

// RecordRecipient is one holder of an epoch: a vault's grantee (user or
// group, with its permission 1–3) or a group's member (permission 0).
type RecordRecipient struct {
	Kind        string `json:"kind"`
	ID          string `json:"id"`
	Fingerprint []byte `json:"fingerprint"`
	Permission  uint8  `json:"permission"`
}

// SortRecipients orders recipients by (kind, id), the order they are
// hashed in.
func SortRecipients(rs []RecordRecipient) []RecordRecipient {
	out := slices.Clone(rs)
	// sort.Slice, not slices.SortFunc: a generic sort is compiled again
	// for every element type, and this package runs in the browser's
	// client core, whose size is budgeted (docs/performance.md).
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// RecipientsHash hashes a recipient list in (kind, id) order. It refuses
// (ErrTampered) a recipient listed twice, a bad kind or a fingerprint of
// the wrong size.
func RecipientsHash(rs []RecordRecipient) ([]byte, error) {
	sorted := SortRecipients(rs)
	fields := [][]byte{U64(uint64(len(sorted)))}
	for i, r := range sorted {
		if (r.Kind != RecipientUser && r.Kind != RecipientGroup) || r.ID == "" || len(r.Fingerprint) != HashSize || r.Permission > 3 ||
			(i > 0 && sorted[i-1].Kind == r.Kind && sorted[i-1].ID == r.ID) {
			return nil, ErrTampered
		}
		fields = append(fields, []byte(r.Kind), []byte(r.ID), r.Fingerprint, []byte{r.Permission})
	}
	sum := sha256.Sum256(Tuple("coffer/v1/epoch-recipients", fields...))
	return sum[:], nil
}

// EpochRecord is one version of an object's signed state: which key epoch
// is current, which key it is (KeyCommit), which sealed name (MetaHash,
// sealed under MetaEpoch's key) and who holds it (RecipientsHash).
type EpochRecord struct {
	OrgID          string
	Kind           string
	ObjectID       string
	Version        uint64
	Epoch          uint64
	KeyCommit      []byte
	MetaEpoch      uint64
	MetaHash       []byte
	RecipientsHash []byte
	PrevHash       []byte
	SignerID       string
	Time           uint64 // the signer's clock, Unix milliseconds
}

func (r EpochRecord) valid() bool {
	return ValidRecordKind(r.Kind) && r.ObjectID != "" && r.Version != 0 && r.Epoch != 0 && r.SignerID != "" &&
		len(r.KeyCommit) == HashSize && len(r.MetaHash) == HashSize && len(r.RecipientsHash) == HashSize &&
		len(r.PrevHash) == HashSize && r.MetaEpoch != 0 && r.MetaEpoch <= r.Epoch &&
		(r.Version == 1) == (Equal(r.PrevHash, ZeroHash())) && (r.Version != 1 || r.Epoch == 1)
}

// Msg is the record's signed message.
func (r EpochRecord) Msg() []byte {
	return Tuple("coffer/v1/epoch-record", []byte(r.OrgID), []byte(r.Kind), []byte(r.ObjectID), U64(r.Version), U64(r.Epoch),
		r.KeyCommit, U64(r.MetaEpoch), r.MetaHash, r.RecipientsHash, r.PrevHash, []byte(r.SignerID), U64(r.Time))
}

// SignEpochRecord signs r as signer, who must be r.SignerID.
func SignEpochRecord(signer *Identity, r EpochRecord) ([]byte, error) {
	if !r.valid() {
		return nil, ErrTampered
	}
	return signer.Sign(r.Msg()), nil
}

// VerifyEpochRecord checks r's form and its signature by the signer's
// pinned keys. The chain and signer rules are the caller's (§18.1).
func VerifyEpochRecord(signer PublicKeys, r EpochRecord, sig []byte) error {
	if !r.valid() {
		return ErrTampered
	}
	return Verify(signer, r.Msg(), sig)
}

// EpochRecordHash is what the next version's PrevHash must be.
func EpochRecordHash(r EpochRecord, sig []byte) []byte {
	sum := sha256.Sum256(Tuple("coffer/v1/epoch-record-hash", r.Msg(), sig))
	return sum[:]
}

// EpochKeyCommit binds a vault or organisation key to its epoch record.
func EpochKeyCommit(key []byte) []byte {
	k, err := hkdf.Key(sha256.New, key, nil, "coffer/v1/epoch-key-commit", HashSize)
	if err != nil {
		panic(err)
	}
	return k
}

// MetaHash is H(meta), the sealed name a record names.
func MetaHash(meta []byte) []byte {
	sum := sha256.Sum256(meta)
	return sum[:]
}

// MetaAD is the associated data of a sealed name: label (coffer/v1/
// org-meta, group-meta or vault-meta) over ids, with the sealing epoch
// appended when it is later than 1 (§18.1), so names sealed before
// rotation existed keep their form.
func MetaAD(label string, epoch uint64, ids ...string) []byte {
	fields := make([][]byte, 0, len(ids)+1)
	for _, id := range ids {
		fields = append(fields, []byte(id))
	}
	if epoch > 1 {
		fields = append(fields, U64(epoch))
	}
	return Tuple(label, fields...)
}

// TransferOffer is an owner's signed offer of an organisation to a member
// (§18.5).
type TransferOffer struct {
	OrgID               string
	RosterVersion       uint64
	OldOwnerID          string
	NewOwnerID          string
	NewOwnerFingerprint []byte
	// RecordHeads commits to the newest epoch record of every vault the
	// offer hands over, as the old owner verified them (TransferHeads):
	// the new owner signs its records on top of exactly those.
	RecordHeads []byte
}

func (o TransferOffer) msg() []byte {
	return Tuple("coffer/v1/owner-transfer", []byte(o.OrgID), U64(o.RosterVersion), []byte(o.OldOwnerID), []byte(o.NewOwnerID), o.NewOwnerFingerprint, o.RecordHeads)
}

func (o TransferOffer) valid() bool {
	return o.OrgID != "" && o.RosterVersion != 0 && o.OldOwnerID != "" && o.NewOwnerID != "" && o.OldOwnerID != o.NewOwnerID &&
		len(o.NewOwnerFingerprint) == HashSize && len(o.RecordHeads) == HashSize
}

// RecordHead is an object's newest epoch record: its version and hash.
type RecordHead struct {
	ObjectID string
	Version  uint64
	Hash     []byte
}

// TransferHeads hashes the heads of the vaults an offer hands over, in
// object id order (the caller's order does not matter).
func TransferHeads(heads []RecordHead) []byte {
	sorted := append([]RecordHead(nil), heads...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ObjectID < sorted[j].ObjectID })
	parts := make([][]byte, 0, 3*len(sorted))
	for _, h := range sorted {
		parts = append(parts, []byte(h.ObjectID), U64(h.Version), h.Hash)
	}
	sum := sha256.Sum256(Tuple("coffer/v1/transfer-heads", parts...))
	return sum[:]
}

// SignTransferOffer signs an offer as the old owner.
func (id *Identity) SignTransferOffer(o TransferOffer) ([]byte, error) {
	if !o.valid() {
		return nil, ErrTampered
	}
	return id.Sign(o.msg()), nil
}

// VerifyTransferOffer checks an offer against the old owner's pinned keys.
func VerifyTransferOffer(oldOwner PublicKeys, o TransferOffer, sig []byte) error {
	if !o.valid() {
		return ErrTampered
	}
	return Verify(oldOwner, o.msg(), sig)
}

// AuditEntry is one entry of an organisation's audit log (§18.7).
type AuditEntry struct {
	OrgID        string
	Seq          uint64
	PrevHash     []byte
	Time         uint64 // the server's clock, Unix milliseconds
	ActorID      string
	Action       string
	Target       []byte // JSON of the ids it concerns
	Source       string
	Statement    []byte
	StatementSig []byte
}

// AuditEntryHash is the entry's link in the chain.
func AuditEntryHash(e AuditEntry) []byte {
	sum := sha256.Sum256(Tuple("coffer/v1/audit-entry", []byte(e.OrgID), U64(e.Seq), e.PrevHash, U64(e.Time),
		[]byte(e.ActorID), []byte(e.Action), e.Target, []byte(e.Source), e.Statement, e.StatementSig))
	return sum[:]
}

// AuditStatement is what an acting client signs for an action that has no
// signed object of its own.
func AuditStatement(orgID, action, actorID string, timeMS uint64, target []byte) []byte {
	return Tuple("coffer/v1/audit-statement", []byte(orgID), []byte(action), []byte(actorID), U64(timeMS), target)
}
