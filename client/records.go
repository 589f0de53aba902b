package client

import (
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Epoch records (docs/protocol.md §18.1): the signed state of a vault,
// group or organisation — its key epoch and key, its sealed name and who
// holds it. A client signs the next record with every change it makes to
// that state; the server stores it in the change's own transaction.

// recordState is what a new record states: the object, its key epoch and
// the key's commitment, the sealed name and the epoch that sealed it, and
// the holders.
type recordState struct {
	orgID, kind, objectID string
	epoch                 uint64
	keyCommit             []byte
	metaEpoch             uint64
	meta                  []byte
	recipients            []crypto.RecordRecipient
}

// signRecord signs version (prev.Version+1, or 1 without prev) of st.
func (s *Session) signRecord(st recordState, prev *api.EpochRecord, prevHash []byte) (api.EpochRecord, error) {
	rh, err := crypto.RecipientsHash(st.recipients)
	if err != nil {
		return api.EpochRecord{}, err
	}
	cr := crypto.EpochRecord{OrgID: st.orgID, Kind: st.kind, ObjectID: st.objectID, Version: 1, Epoch: st.epoch, KeyCommit: st.keyCommit,
		MetaEpoch: st.metaEpoch, MetaHash: crypto.MetaHash(st.meta), RecipientsHash: rh, PrevHash: crypto.ZeroHash(),
		SignerID: s.Profile.UserID, Time: uint64(s.opt.now().UnixMilli())}
	if prev != nil {
		cr.Version, cr.PrevHash = prev.Version+1, prevHash
	}
	sig, err := crypto.SignEpochRecord(s.id, cr)
	if err != nil {
		return api.EpochRecord{}, err
	}
	recipients := make([]api.RecordRecipient, 0, len(st.recipients))
	for _, r := range crypto.SortRecipients(st.recipients) {
		recipients = append(recipients, api.RecordRecipient{Kind: r.Kind, ID: r.ID, Fingerprint: r.Fingerprint, Permission: r.Permission})
	}
	return api.EpochRecord{OrgID: cr.OrgID, Kind: cr.Kind, ObjectID: cr.ObjectID, Version: cr.Version, Epoch: cr.Epoch, KeyCommit: cr.KeyCommit,
		MetaEpoch: cr.MetaEpoch, MetaHash: cr.MetaHash, Recipients: recipients, PrevHash: cr.PrevHash, SignerID: cr.SignerID, TimeMS: cr.Time, Sig: sig}, nil
}

// firstRecord signs version 1 of a new object.
func (s *Session) firstRecord(st recordState) (api.EpochRecord, error) {
	st.epoch, st.metaEpoch = 1, 1
	return s.signRecord(st, nil, nil)
}

// userRecipient is a user holding an epoch with a permission (0 for a
// group's member).
func userRecipient(id string, keys crypto.PublicKeys, perm string) crypto.RecordRecipient {
	return crypto.RecordRecipient{Kind: crypto.RecipientUser, ID: id, Fingerprint: keys.Fingerprint(), Permission: permLevel(perm)}
}

// groupRecipient is a group holding a vault's epoch at its current keys.
func groupRecipient(id string, keys crypto.PublicKeys, perm string) crypto.RecordRecipient {
	return crypto.RecordRecipient{Kind: crypto.RecipientGroup, ID: id, Fingerprint: keys.Fingerprint(), Permission: permLevel(perm)}
}

// permLevel is a permission's level in a record: view 1, edit 2, manage
// 3, none (a group's member) 0.
func permLevel(perm string) uint8 {
	switch perm {
	case "view":
		return 1
	case "edit":
		return 2
	case "manage":
		return 3
	}
	return 0
}
