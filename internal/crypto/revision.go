package crypto

import (
	"crypto/hkdf"
	"crypto/sha256"
)

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
	// Time is the author's clock, Unix milliseconds: history's "when" is
	// signed, not taken from the server.
	Time     uint64
	PrevHash []byte // HashSize bytes; zeros exactly for revision 1
}

func (h RevisionHeader) valid() bool {
	return len(h.PrevHash) == HashSize && h.Revision != 0 && h.KeyEpoch != 0 &&
		(h.Revision == 1) == equalBytes(h.PrevHash, ZeroHash())
}

func (h RevisionHeader) ad() []byte {
	return Tuple("coffer/v1/item-revision", []byte(h.OrgID), []byte(h.VaultID), []byte(h.ItemID),
		U64(h.Revision), U64(h.KeyEpoch), []byte(h.Type))
}

// ItemKeyCommitment commits to an item key. XChaCha20-Poly1305 is not
// key-committing, so the signature binds this value: every reader checks that
// the item key the server delivered to them is the one the author used.
func ItemKeyCommitment(itemKey []byte) []byte {
	c, err := hkdf.Key(sha256.New, itemKey, nil, "coffer/v1/item-key-commit", KeySize)
	if err != nil {
		panic(err)
	}
	return c
}

func (h RevisionHeader) sigMsg(keyCommit, blob []byte) []byte {
	sum := sha256.Sum256(blob)
	return Tuple("coffer/v1/revision-sig", []byte(h.OrgID), []byte(h.VaultID), []byte(h.ItemID),
		U64(h.Revision), U64(h.KeyEpoch), keyCommit, []byte(h.Type), []byte(h.AuthorID), U64(h.Time), h.PrevHash, sum[:])
}

func revisionHash(msg, sig []byte) []byte {
	sum := sha256.Sum256(Tuple("coffer/v1/revision-hash", msg, sig))
	return sum[:]
}

// SealRevision encrypts item content under the item key, signs it as the
// author, and returns the blob, the signature and the revision hash that the
// next revision must name as PrevHash.
func SealRevision(author *Identity, itemKey []byte, h RevisionHeader, content []byte) (blob, sig, hash []byte, err error) {
	if blob, err = EncryptRevision(itemKey, h, content); err != nil {
		return nil, nil, nil, err
	}
	sig, hash, err = SignRevision(author, h, ItemKeyCommitment(itemKey), blob)
	return blob, sig, hash, err
}

// EncryptRevision is SealRevision's first half: the blob. Honest clients
// call SealRevision; the two halves exist apart so that tests can build
// what a modified client could (a blob under one key, signed over another
// key's commitment).
func EncryptRevision(itemKey []byte, h RevisionHeader, content []byte) ([]byte, error) {
	if !h.valid() {
		return nil, ErrTampered
	}
	return Seal(itemKey, content, h.ad())
}

// SignRevision is SealRevision's second half: the author's signature over
// the header, the key commitment and the blob, and the revision hash.
func SignRevision(author *Identity, h RevisionHeader, keyCommit, blob []byte) (sig, hash []byte, err error) {
	if !h.valid() || len(keyCommit) != KeySize {
		return nil, nil, ErrTampered
	}
	msg := h.sigMsg(keyCommit, blob)
	sig = author.Sign(msg)
	return sig, revisionHash(msg, sig), nil
}

// RevisionHash is the hash of a revision as a reader holding the item key
// computes it (keyCommit from that key), whatever its signature.
func RevisionHash(h RevisionHeader, keyCommit, blob, sig []byte) []byte {
	return revisionHash(h.sigMsg(keyCommit, blob), sig)
}

// RevisionCheck is the signature check OpenRevisionDeferred leaves for
// later: the signed message and the signature, no key.
type RevisionCheck struct{ msg, sig []byte }

// Verify checks the deferred signature against the author's keys.
func (c RevisionCheck) Verify(author PublicKeys) error { return Verify(author, c.msg, c.sig) }

// OpenRevisionDeferred is OpenRevision without the signature check, which
// it returns for the caller to run later (docs/protocol.md §16.7). It is
// only sound where the revision hash it returns is matched against a
// manifest whose signature was verified: then the bytes are the ones a
// writer of the vault vouched for, and the check settles only who wrote
// them — or where the caller runs the check at once, or knows the hash
// as one of a revision it signed itself (protocol §16.8): the hash binds
// the signed message and the signature.
func OpenRevisionDeferred(itemKey []byte, h RevisionHeader, blob, sig []byte) (content, hash []byte, check RevisionCheck, err error) {
	if !h.valid() {
		return nil, nil, RevisionCheck{}, ErrTampered
	}
	msg := h.sigMsg(ItemKeyCommitment(itemKey), blob)
	content, err = Open(itemKey, blob, h.ad())
	if err != nil {
		return nil, nil, RevisionCheck{}, err
	}
	return content, revisionHash(msg, sig), RevisionCheck{msg, sig}, nil
}

// OpenRevision checks the author's signature (over the header, the blob and
// the commitment to itemKey) and decrypts the blob. It returns the content
// and the revision hash.
func OpenRevision(author PublicKeys, itemKey []byte, h RevisionHeader, blob, sig []byte) (content, hash []byte, err error) {
	if !h.valid() {
		return nil, nil, ErrTampered
	}
	msg := h.sigMsg(ItemKeyCommitment(itemKey), blob)
	if err := Verify(author, msg, sig); err != nil {
		return nil, nil, err
	}
	content, err = Open(itemKey, blob, h.ad())
	if err != nil {
		return nil, nil, err
	}
	return content, revisionHash(msg, sig), nil
}

// ZeroHash is the PrevHash of revision 1.
func ZeroHash() []byte { return make([]byte, HashSize) }

// VerifyRevisionSignature checks a revision's signature without the item
// key, given the key commitment the author claims (§7.3). The server uses
// it to refuse a badly signed write before storing it; readers never rely
// on it: they compute the commitment from the item key they unwrapped and
// call OpenRevision, so a signed but wrong commitment still fails there.
func VerifyRevisionSignature(author PublicKeys, h RevisionHeader, keyCommit, blob, sig []byte) error {
	if !h.valid() || len(keyCommit) != KeySize {
		return ErrTampered
	}
	return Verify(author, h.sigMsg(keyCommit, blob), sig)
}

// RevisionSigMsg is the message a revision's author signed (§7.3). The
// audit log (§18.7) keeps it, with the signature, as the statement of an
// item change: the author's own words for what they wrote, and where.
func RevisionSigMsg(h RevisionHeader, keyCommit, blob []byte) []byte {
	return h.sigMsg(keyCommit, blob)
}
