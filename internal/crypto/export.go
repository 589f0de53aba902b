package crypto

import (
	"crypto/hkdf"
	"crypto/sha256"

	"golang.org/x/crypto/argon2"
)

// Password-protected exports (docs/protocol.md §19.3): an export file
// encrypted under a key derived from a password of its own, in chunks of
// at most ChunkSize bytes, each bound to the file's header and its place.

// ExportMagic opens every password-protected export.
const ExportMagic = "coffer-sealed-export/1\n"

// DefaultExportKDF returns the parameters of a new export: the account
// floor (the reader takes anything within KDFParams.Check's bounds).
func DefaultExportKDF() KDFParams { return DefaultKDFParams() }

// DeriveExportKey derives an export's key from its password.
func DeriveExportKey(password []byte, p KDFParams) ([]byte, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	mk := argon2.IDKey(password, p.Salt, p.Time, p.Memory, p.Threads, KeySize)
	defer clear(mk)
	return hkdf.Key(sha256.New, mk, nil, "coffer/v1/export-key", KeySize)
}

// ExportHeaderHash is what every chunk binds: the magic and the header
// line, newline included.
func ExportHeaderHash(headerLine []byte) []byte {
	sum := sha256.Sum256(append([]byte(ExportMagic), headerLine...))
	return sum[:]
}

func exportChunkAD(headerHash []byte, index int, final bool) []byte {
	f := []byte{0}
	if final {
		f[0] = 1
	}
	return Tuple("coffer/v1/export-chunk", headerHash, U64(uint64(index)), f)
}

// SealExportChunk encrypts chunk index of an export.
func SealExportChunk(key, headerHash []byte, index int, final bool, plaintext []byte) ([]byte, error) {
	if len(plaintext) > ChunkSize || index < 0 {
		return nil, ErrTampered
	}
	return Seal(key, plaintext, exportChunkAD(headerHash, index, final))
}

// OpenExportChunk decrypts chunk index of an export, which must be the
// last one exactly when final is set.
func OpenExportChunk(key, headerHash []byte, index int, final bool, box []byte) ([]byte, error) {
	if index < 0 {
		return nil, ErrTampered
	}
	return Open(key, box, exportChunkAD(headerHash, index, final))
}
