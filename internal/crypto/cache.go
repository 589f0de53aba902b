package crypto

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
)

// The device cache (docs/protocol.md §16) keeps a client's verified state
// between runs, sealed under a key derived from the account key: without
// the unlocked account nothing in it can be read or changed unnoticed.

// cacheMagic starts every sealed cache: the format and its version.
const cacheMagic = "CFCACHE1"

// cacheHeaderSize is the magic and the big-endian generation.
const cacheHeaderSize = len(cacheMagic) + 8

// DeviceCacheKey derives the key that seals userID's device cache from
// the account key.
func DeviceCacheKey(accountKey []byte, userID string) []byte {
	k, err := hkdf.Key(sha256.New, accountKey, nil, string(Tuple("coffer/v1/device-cache-key", []byte(userID))), KeySize)
	if err != nil {
		panic(err)
	}
	return k
}

func cacheAD(userID string, generation uint64) []byte {
	return Tuple("coffer/v1/device-cache", []byte(userID), U64(generation))
}

// SealCache seals generation of userID's cache: the magic, the generation
// in the clear (so an older copy can be told before opening it), and the
// payload under AEAD bound to the account and the generation.
func SealCache(key []byte, userID string, generation uint64, payload []byte) ([]byte, error) {
	box, err := Seal(key, payload, cacheAD(userID, generation))
	if err != nil {
		return nil, err
	}
	return appendCache(generation, box), nil
}

func appendCache(generation uint64, box []byte) []byte {
	out := make([]byte, 0, cacheHeaderSize+len(box))
	out = append(out, cacheMagic...)
	out = binary.BigEndian.AppendUint64(out, generation)
	return append(out, box...)
}

// CacheGeneration reads a sealed cache's generation without opening it
// (ErrTampered if it is not a cache of this format).
func CacheGeneration(data []byte) (uint64, error) {
	if len(data) < cacheHeaderSize+boxOverhead || string(data[:len(cacheMagic)]) != cacheMagic {
		return 0, ErrTampered
	}
	return binary.BigEndian.Uint64(data[len(cacheMagic):cacheHeaderSize]), nil
}

// OpenCache opens userID's sealed cache and returns its generation and
// payload. Any change — a flipped bit, a cut, another account's cache, a
// generation edited in the header — is ErrTampered. The payload is
// decrypted in data's memory: data is overwritten, also on failure.
func OpenCache(key []byte, userID string, data []byte) (uint64, []byte, error) {
	gen, err := CacheGeneration(data)
	if err != nil {
		return 0, nil, err
	}
	payload, err := openInPlace(key, data[cacheHeaderSize:], cacheAD(userID, gen))
	if err != nil {
		return 0, nil, ErrTampered
	}
	return gen, payload, nil
}

// The cache's items live apart from its state, one sealed record each, so
// that a command reads and opens only the items it needs. A record is
// bound to the account, the record file, and the item at the head the
// state lists for it: a record moved to another item, another file or an
// older head of the same item does not open.
func cacheRecordAD(userID, fileID, itemID string, head uint64, headHash []byte) []byte {
	return Tuple("coffer/v1/device-cache-record", []byte(userID), []byte(fileID), []byte(itemID), U64(head), headHash)
}

// SealCacheRecord seals one item record of userID's cache.
func SealCacheRecord(key []byte, userID, fileID, itemID string, head uint64, headHash, payload []byte) ([]byte, error) {
	return Seal(key, payload, cacheRecordAD(userID, fileID, itemID, head, headHash))
}

// OpenCacheRecord opens a record sealed by SealCacheRecord; any change, or
// a record of another item, head, file or account, is ErrTampered.
func OpenCacheRecord(key []byte, userID, fileID, itemID string, head uint64, headHash, record []byte) ([]byte, error) {
	pt, err := Open(key, record, cacheRecordAD(userID, fileID, itemID, head, headHash))
	if err != nil {
		return nil, ErrTampered
	}
	return pt, nil
}
