package crypto

import "crypto/sha256"

// HashSize is the size of revision hashes.
const HashSize = sha256.Size

// RevisionHeader is everything a revision's blob and signature are bound to
// (docs/protocol.md §7.2–7.3). All of it is visible to the server; none of
// it can be changed without detection.
type RevisionHeader struct {
	OrgID    string
	VaultID  string
	ItemID   string
	Revision uint64
	KeyEpoch uint64
	Type     string
	AuthorID string
	PrevHash []byte // HashSize bytes; zeros for revision 1
}

func (h RevisionHeader) ad() []byte {
	return Tuple("coffer/v1/item-revision", []byte(h.OrgID), []byte(h.VaultID), []byte(h.ItemID),
		U64(h.Revision), U64(h.KeyEpoch), []byte(h.Type))
}

func (h RevisionHeader) sigMsg(blob []byte) []byte {
	sum := sha256.Sum256(blob)
	return Tuple("coffer/v1/revision-sig", []byte(h.OrgID), []byte(h.VaultID), []byte(h.ItemID),
		U64(h.Revision), U64(h.KeyEpoch), []byte(h.Type), []byte(h.AuthorID), h.PrevHash, sum[:])
}

func (h RevisionHeader) hash(msg, sig []byte) []byte {
	sum := sha256.Sum256(Tuple("coffer/v1/revision-hash", msg, sig))
	return sum[:]
}

// SealRevision encrypts item content under the item key, signs it as the
// author, and returns the blob, the signature and the revision hash that the
// next revision must name as PrevHash.
func SealRevision(author *Identity, itemKey []byte, h RevisionHeader, content []byte) (blob, sig, hash []byte, err error) {
	if len(h.PrevHash) != HashSize || h.Revision == 0 {
		return nil, nil, nil, ErrTampered
	}
	blob, err = Seal(itemKey, content, h.ad())
	if err != nil {
		return nil, nil, nil, err
	}
	msg := h.sigMsg(blob)
	sig = author.Sign(msg)
	return blob, sig, h.hash(msg, sig), nil
}

// VerifyRevision checks the author's signature and returns the revision hash.
// It does not decrypt, so history can be checked without item keys.
func VerifyRevision(author PublicKeys, h RevisionHeader, blob, sig []byte) ([]byte, error) {
	if len(h.PrevHash) != HashSize || h.Revision == 0 {
		return nil, ErrTampered
	}
	msg := h.sigMsg(blob)
	if err := Verify(author, msg, sig); err != nil {
		return nil, err
	}
	return h.hash(msg, sig), nil
}

// OpenRevision decrypts a revision blob bound to h.
func OpenRevision(itemKey []byte, h RevisionHeader, blob []byte) ([]byte, error) {
	return Open(itemKey, blob, h.ad())
}

// ZeroHash is the PrevHash of revision 1.
func ZeroHash() []byte { return make([]byte, HashSize) }
