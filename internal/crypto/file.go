package crypto

// ChunkSize is the plaintext size of every attachment chunk but the last.
const ChunkSize = 1 << 20

// ChunkOverhead is what encryption adds to each chunk.
const ChunkOverhead = boxOverhead

// ChunkCount is how many chunks a file of size bytes has (an empty file
// has one empty chunk).
func ChunkCount(size int64) int {
	if size <= 0 {
		return 1
	}
	return int((size + ChunkSize - 1) / ChunkSize)
}

// ChunkBoxSize is the exact encrypted size of chunk index of a file of
// size bytes: every chunk but the last holds ChunkSize bytes, the last the
// rest (docs/protocol.md §15). -1 for an index out of range.
func ChunkBoxSize(size int64, index int) int64 {
	n := ChunkCount(size)
	switch {
	case index < 0 || index >= n:
		return -1
	case index < n-1:
		return ChunkSize + ChunkOverhead
	}
	return max(size, 0) - int64(n-1)*ChunkSize + ChunkOverhead
}

func chunkAD(fileID string, index int, final bool) []byte {
	f := []byte{0}
	if final {
		f[0] = 1
	}
	return Tuple("coffer/v1/file-chunk", []byte(fileID), U64(uint64(index)), f)
}

// SealChunk encrypts chunk index of a file (docs/protocol.md §15).
func SealChunk(fileKey []byte, fileID string, index int, final bool, plaintext []byte) ([]byte, error) {
	if len(plaintext) > ChunkSize || index < 0 {
		return nil, ErrTampered
	}
	return Seal(fileKey, plaintext, chunkAD(fileID, index, final))
}

// OpenChunk decrypts chunk index of a file, which must be the final one
// exactly when final is set.
func OpenChunk(fileKey []byte, fileID string, index int, final bool, box []byte) ([]byte, error) {
	if index < 0 {
		return nil, ErrTampered
	}
	return Open(fileKey, box, chunkAD(fileID, index, final))
}
