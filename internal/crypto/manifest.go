package crypto

import (
	"crypto/sha256"
	"encoding/binary"
	"sort"
)

// ManifestEntry is one item as a vault manifest lists it (docs/protocol.md
// §7.5): its id, head revision, the revision hash of that head and whether
// it is in the trash.
type ManifestEntry struct {
	ItemID   string
	Head     uint64
	HeadHash []byte // HashSize bytes
	Trashed  bool
}

// Manifest is a signed statement of exactly which items a vault holds. A
// reader recomputes ItemsHash from the items it was served; a server that
// drops, adds, duplicates, rolls back or un-trashes an item cannot match it.
type Manifest struct {
	OrgID     string
	VaultID   string
	Version   uint64 // from 1 (the empty vault its creator signed)
	Count     uint64 // number of entries
	ItemsHash []byte // ManifestItemsHash of the entries
	SignerID  string
	Time      uint64 // the signer's clock, Unix milliseconds
}

// ManifestItemsHash hashes entries in item-id order. It refuses (ErrTampered)
// an entry with an empty id or a wrong-sized hash, and an id listed twice.
func ManifestItemsHash(entries []ManifestEntry) ([]byte, error) {
	sorted := append([]ManifestEntry(nil), entries...)
	// sort.Slice (see SortRecipients): one generic sort less in the
	// browser's core; a few milliseconds at 10,000 entries either way.
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ItemID < sorted[j].ItemID })
	h := sha256.New()
	h.Write(Tuple("coffer/v1/manifest-items", U64(uint64(len(sorted)))))
	// Each entry is tuple("coffer/v1/manifest-entry", item_id, u64(head),
	// head_hash, u8(trashed)), written field by field into one buffer:
	// a vault of 10,000 items is hashed on every write to it.
	const label = "coffer/v1/manifest-entry"
	buf := make([]byte, 0, 4096)
	for i, e := range sorted {
		if e.ItemID == "" || len(e.HeadHash) != HashSize || e.Head == 0 || (i > 0 && sorted[i-1].ItemID == e.ItemID) {
			return nil, ErrTampered
		}
		var trashed byte
		if e.Trashed {
			trashed = 1
		}
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(label)))
		buf = append(buf, label...)
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(e.ItemID)))
		buf = append(buf, e.ItemID...)
		buf = binary.BigEndian.AppendUint32(buf, 8)
		buf = binary.BigEndian.AppendUint64(buf, e.Head)
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(e.HeadHash)))
		buf = append(buf, e.HeadHash...)
		buf = binary.BigEndian.AppendUint32(buf, 1)
		buf = append(buf, trashed)
		if len(buf) > 3500 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	return h.Sum(nil), nil
}

func (m Manifest) valid() bool {
	return m.Version != 0 && m.VaultID != "" && m.SignerID != "" && len(m.ItemsHash) == HashSize
}

func (m Manifest) msg() []byte {
	return Tuple("coffer/v1/vault-manifest", []byte(m.OrgID), []byte(m.VaultID), U64(m.Version), U64(m.Count),
		m.ItemsHash, []byte(m.SignerID), U64(m.Time))
}

// NewManifest builds the manifest of version over entries.
func NewManifest(orgID, vaultID string, version uint64, entries []ManifestEntry, signerID string, timeMS uint64) (Manifest, error) {
	ih, err := ManifestItemsHash(entries)
	if err != nil {
		return Manifest{}, err
	}
	return Manifest{OrgID: orgID, VaultID: vaultID, Version: version, Count: uint64(len(entries)), ItemsHash: ih, SignerID: signerID, Time: timeMS}, nil
}

// SignManifest signs m as signer, who must be m.SignerID.
func SignManifest(signer *Identity, m Manifest) ([]byte, error) {
	if !m.valid() {
		return nil, ErrTampered
	}
	return signer.Sign(m.msg()), nil
}

// VerifyManifest checks m's signature by the signer's pinned keys.
func VerifyManifest(signer PublicKeys, m Manifest, sig []byte) error {
	if !m.valid() {
		return ErrTampered
	}
	return Verify(signer, m.msg(), sig)
}

// Matches reports whether m lists exactly entries (ErrTampered if not).
func (m Manifest) Matches(entries []ManifestEntry) error {
	ih, err := ManifestItemsHash(entries)
	if err != nil {
		return err
	}
	if uint64(len(entries)) != m.Count || !equalBytes(ih, m.ItemsHash) {
		return ErrTampered
	}
	return nil
}
