package crypto

import (
	"encoding/binary"
	"math"
)

// Tuple encodes a domain-separation label and fields with 32-bit big-endian
// length prefixes (docs/protocol.md §1). The encoding is injective: two
// different field lists never give the same bytes, so a signature or
// associated data made for one purpose cannot be reused for another.
func Tuple(label string, fields ...[]byte) []byte {
	n := 4 + len(label)
	for _, f := range fields {
		if uint64(len(f)) > math.MaxUint32 {
			panic("crypto.Tuple: field longer than 4 GiB")
		}
		n += 4 + len(f)
	}
	return appendTuple(make([]byte, 0, n), label, fields...)
}

// appendTuple appends the tuple encoding to dst (Tuple without the
// allocation, for hashing many tuples with one buffer).
func appendTuple(dst []byte, label string, fields ...[]byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(label)))
	dst = append(dst, label...)
	for _, f := range fields {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(f)))
		dst = append(dst, f...)
	}
	return dst
}

// U64 encodes n as 8 big-endian bytes, the tuple encoding of integers.
func U64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, n)
}

// ParseTuple splits a Tuple encoding into its label and fields; ok is
// false for bytes that are not exactly one tuple. Readers of signed
// statements (the audit log, §18.7) use it to compare what was signed
// with what an entry claims.
func ParseTuple(b []byte) (label string, fields [][]byte, ok bool) {
	next := func() ([]byte, bool) {
		if len(b) < 4 {
			return nil, false
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(len(b)-4) < uint64(n) {
			return nil, false
		}
		f := b[4 : 4+n]
		b = b[4+n:]
		return f, true
	}
	l, ok := next()
	if !ok {
		return "", nil, false
	}
	for len(b) > 0 {
		f, ok := next()
		if !ok {
			return "", nil, false
		}
		fields = append(fields, f)
	}
	return string(l), fields, true
}
