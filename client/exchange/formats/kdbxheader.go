package formats

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A KeePass database names its own key-derivation cost in its header: a
// hostile file could ask for terabytes of Argon2 memory or days of
// AES-KDF rounds before the password is even checked. checkKDBXCost reads
// the header's KDF parameters and refuses what no KeePass client sets.
// (Variables: the fuzz test lowers them.)
var (
	maxKDBXAESRounds     uint64 = 500_000_000 // AES-KDF: KeePassXC's "1 second" is ~10–60 M on a laptop
	maxKDBXArgonMemory   uint64 = 2 << 30     // bytes
	maxKDBXArgonIter     uint64 = 1_000
	maxKDBXArgonParallel uint64 = 64
)

var errKDBXHeader = errors.New("not a KeePass database, or a damaged one (its header)")

func checkKDBXCost(data []byte) error {
	if len(data) < 12 || !bytes.HasPrefix(data, kdbxMagic) {
		return errKDBXHeader
	}
	major := binary.LittleEndian.Uint16(data[10:12])
	r := data[12:]
	for {
		var id byte
		var field []byte
		switch major {
		case 3:
			if len(r) < 3 {
				return errKDBXHeader
			}
			id, n := r[0], int(binary.LittleEndian.Uint16(r[1:3]))
			if len(r) < 3+n {
				return errKDBXHeader
			}
			field, r = r[3:3+n], r[3+n:]
			if id == 6 && len(field) == 8 { // TransformRounds
				if binary.LittleEndian.Uint64(field) > maxKDBXAESRounds {
					return kdbxTooCostly()
				}
			}
			if id == 0 {
				return nil
			}
			continue
		case 4:
			if len(r) < 5 {
				return errKDBXHeader
			}
			id = r[0]
			n := int(binary.LittleEndian.Uint32(r[1:5]))
			if n < 0 || len(r) < 5+n {
				return errKDBXHeader
			}
			field, r = r[5:5+n], r[5+n:]
		default:
			return fmt.Errorf("a KeePass database of version %d (Coffer reads 3.1 and 4)", major)
		}
		if id == 0 {
			return nil
		}
		switch id {
		case 11: // KdfParameters: a variant dictionary
			if err := checkKDFParams(field); err != nil {
				return err
			}
		case 12: // PublicCustomData: one too
			if err := walkVariantDict(field, func(string, []byte) error { return nil }); err != nil {
				return err
			}
		}
	}
}

func kdbxTooCostly() error {
	return errors.New("the KeePass database asks for a key derivation far costlier than any KeePass client sets: refused")
}

func checkKDFParams(d []byte) error {
	return walkVariantDict(d, func(key string, val []byte) error {
		var n uint64
		switch len(val) {
		case 4:
			n = uint64(binary.LittleEndian.Uint32(val))
		case 8:
			n = binary.LittleEndian.Uint64(val)
		default:
			return nil
		}
		switch {
		case key == "R" && n > maxKDBXAESRounds,
			key == "M" && n > maxKDBXArgonMemory,
			key == "I" && n > maxKDBXArgonIter,
			key == "P" && n > maxKDBXArgonParallel:
			return kdbxTooCostly()
		}
		return nil
	})
}

// walkVariantDict checks that every item of a KDBX 4 variant dictionary
// (u16 version; items of u8 type, i32 name length, name, i32 value
// length, value; a type 0 ends it) lies within d, calling fn on each:
// the library allocates each length as read, so a hostile length would
// be gigabytes from a few bytes of header.
func walkVariantDict(d []byte, fn func(key string, val []byte) error) error {
	if len(d) < 2 {
		return errKDBXHeader
	}
	d = d[2:] // version
	for len(d) > 0 {
		if d[0] == 0 {
			return nil
		}
		if len(d) < 5 {
			return errKDBXHeader
		}
		kn := uint64(binary.LittleEndian.Uint32(d[1:5]))
		if kn > math.MaxInt32 || uint64(len(d)) < 5+kn+4 {
			return errKDBXHeader
		}
		key := string(d[5 : 5+kn])
		vn := uint64(binary.LittleEndian.Uint32(d[5+kn : 9+kn]))
		if vn > math.MaxInt32 || uint64(len(d)) < 9+kn+vn {
			return errKDBXHeader
		}
		val := d[9+kn : 9+kn+vn]
		d = d[9+kn+vn:]
		if err := fn(key, val); err != nil {
			return err
		}
	}
	return errKDBXHeader
}
