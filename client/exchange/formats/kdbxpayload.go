package formats

import (
	"bytes"
	"compress/gzip"
	"crypto/aes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"github.com/tobischo/argon2"
	"github.com/tobischo/gokeepasslib/v3"
)

// MaxKDBXPayloadBytes bounds a KeePass database's payload once inflated
// (its inner header, attachments and XML document): a database whose
// password the user knows can hold a gzip "bomb", a few MB that inflate
// to gigabytes. A variable: tests lower it.
var MaxKDBXPayloadBytes int64 = 512 << 20

// The library's Decoder inflates the payload with no bound and hands the
// inner XML to a group decoder that loops for ever on a syntax error; it
// exposes no step between decryption and those two. So openKDBX does the
// outer layers itself — with the library's header parser, its ciphers
// (GetEncrypterManager), its block HMACs (BlockHMACBuilder), its header
// checks (ValidateSha256, ValidateHmacSha256) and the Argon2d it uses —
// and gives the library's XML types only a document that is bounded and
// well-formed. The key derivation mirrors the library's (unexported)
// buildTransformedKey, which Decode would otherwise run.

var errKDBXDamaged = errors.New("not a KeePass database, or a damaged one")

func kdbxDamaged(what string) error {
	return fmt.Errorf("%w (%s)", errKDBXDamaged, what)
}

// kdfArgon2id is KeePass's Argon2id KDF, which the library does not
// implement (it would run AES-KDF instead and call the password wrong).
var kdfArgon2id = []byte{0x9E, 0x29, 0x8B, 0x19, 0x56, 0xDB, 0x47, 0x73, 0xB2, 0x3D, 0xFC, 0x3E, 0xC6, 0xF0, 0xA1, 0xE6}

// openKDBX decrypts data (whose KDF cost checkKDBXCost has accepted) with
// password into a database whose Content the library's XML types decoded.
func openKDBX(data, password []byte) (db *gokeepasslib.Database, err error) {
	// The library's pieces index slices of the header as they find them;
	// a malformed header is an error, not a crash.
	defer func() {
		if p := recover(); p != nil {
			db, err = nil, errKDBXDamaged
		}
	}()
	db, payload, err := readKDBXHeader(data)
	if err != nil {
		return nil, err
	}
	key, err := kdbxTransformedKey(db.Header, password)
	if err != nil {
		return nil, err
	}
	plain, err := decryptKDBXPayload(db, key, payload)
	if err != nil {
		return nil, err
	}
	if plain, err = inflateKDBXPayload(db.Header, plain); err != nil {
		return nil, err
	}
	db.Content = &gokeepasslib.DBContent{}
	if db.Header.IsKdbx4() {
		if db.Content.InnerHeader, plain, err = readKDBXInnerHeader(plain); err != nil {
			return nil, err
		}
	}
	if err := checkWellFormed(plain); err != nil {
		return nil, kdbxDamaged("its document: " + err.Error())
	}
	if err := xml.NewDecoder(bytes.NewReader(plain)).Decode(db.Content); err != nil {
		return nil, kdbxDamaged("its document: " + err.Error())
	}
	return db, nil
}

// readKDBXHeader parses the header with the library (its Decode stops,
// having read the header, when there are no credentials to derive a key
// from) and returns the database and what follows the header.
func readKDBXHeader(data []byte) (*gokeepasslib.Database, []byte, error) {
	db := &gokeepasslib.Database{Options: gokeepasslib.NewOptions()}
	err := gokeepasslib.NewDecoder(bytes.NewReader(data)).Decode(db)
	var missing gokeepasslib.ErrRequiredAttributeMissing
	if !errors.As(err, &missing) || db.Header == nil || db.Header.FileHeaders == nil || db.Header.Signature == nil {
		return nil, nil, errKDBXDamaged
	}
	rest := data[len(db.Header.RawData):]
	if db.Header.IsKdbx4() {
		// The header's SHA-256 and HMAC-SHA-256 follow it.
		if len(rest) < 64 {
			return nil, nil, kdbxDamaged("cut short")
		}
		db.Hashes = &gokeepasslib.DBHashes{}
		copy(db.Hashes.Sha256[:], rest[:32])
		copy(db.Hashes.Hmac[:], rest[32:64])
		rest = rest[64:]
		if err := db.Header.ValidateSha256(db.Hashes.Sha256); err != nil {
			return nil, nil, kdbxDamaged("its header's checksum")
		}
	}
	return db, rest, nil
}

// kdbxTransformedKey derives the database's transformed key from
// password as KeePass does: SHA-256(SHA-256(password)) through the
// header's KDF.
func kdbxTransformedKey(h *gokeepasslib.DBHeader, password []byte) ([]byte, error) {
	composite := sha256.Sum256(gokeepasslib.NewPasswordCredentials(string(password)).Passphrase)
	fh := h.FileHeaders
	if !h.IsKdbx4() {
		return aesKDF(composite[:], fh.TransformSeed, fh.TransformRounds)
	}
	k := fh.KdfParameters
	if k == nil {
		return nil, kdbxDamaged("no key derivation parameters")
	}
	switch {
	case bytes.Equal(k.UUID, gokeepasslib.KdfArgon2):
		// checkKDBXCost has bounded memory, iterations and lanes.
		return argon2.DKey(composite[:], k.Salt[:], uint32(k.Iterations), uint32(k.Memory/1024), uint8(k.Parallelism), 32), nil
	case bytes.Equal(k.UUID, gokeepasslib.KdfAES4), bytes.Equal(k.UUID, gokeepasslib.KdfAES3):
		return aesKDF(composite[:], k.Salt[:], k.Rounds)
	case bytes.Equal(k.UUID, kdfArgon2id):
		return nil, errors.New("the KeePass database derives its key with Argon2id, which Coffer does not read yet: change it to Argon2d or AES-KDF in KeePassXC (Database → Database Security → Encryption Settings) and import it again")
	}
	return nil, errors.New("the KeePass database derives its key with a function Coffer does not know")
}

// aesKDF is KeePass's AES-KDF: rounds of AES-256 (keyed with seed) over
// each half of the composite key, then SHA-256.
func aesKDF(composite, seed []byte, rounds uint64) ([]byte, error) {
	block, err := aes.NewCipher(seed)
	if err != nil {
		return nil, kdbxDamaged("its key derivation seed")
	}
	k := bytes.Clone(composite)
	for range rounds {
		block.Encrypt(k[:16], k[:16])
		block.Encrypt(k[16:], k[16:])
	}
	sum := sha256.Sum256(k)
	return sum[:], nil
}

// kdbxHMACKey is KDBX 4's header HMAC key: the block key of index 2^64-1.
func kdbxHMACKey(masterSeed, key []byte) []byte {
	h := sha512.New()
	h.Write(masterSeed)
	h.Write(key)
	h.Write([]byte{1})
	k := sha512.New()
	k.Write([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	k.Write(h.Sum(nil))
	return k.Sum(nil)
}

// decryptKDBXPayload checks and decrypts the payload: KDBX 4 — the
// header's HMAC, then each block's, then the cipher; KDBX 3.1 — the
// cipher, the stream start bytes, then each block's SHA-256. It returns
// the plaintext, still compressed if the header says so.
func decryptKDBXPayload(db *gokeepasslib.Database, key, payload []byte) ([]byte, error) {
	fh := db.Header.FileHeaders
	em, err := db.GetEncrypterManager(key)
	if err != nil {
		return nil, kdbxDamaged("its cipher")
	}
	cbc := bytes.Equal(fh.CipherID, gokeepasslib.CipherAES) || bytes.Equal(fh.CipherID, gokeepasslib.CipherTwoFish)
	if cbc && len(fh.EncryptionIV) != 16 {
		return nil, kdbxDamaged("its IV")
	}
	decrypt := func(ct []byte) ([]byte, error) {
		if cbc && len(ct)%16 != 0 {
			return nil, kdbxDamaged("its payload's length")
		}
		return em.Decrypt(ct), nil
	}
	if db.Header.IsKdbx4() {
		if err := db.Header.ValidateHmacSha256(kdbxHMACKey(fh.MasterSeed, key), db.Hashes.Hmac); err != nil {
			return nil, ErrKDBXPassword
		}
		mac := gokeepasslib.NewBlockHMACBuilder(fh.MasterSeed, key)
		var ct []byte
		for index := uint64(0); ; index++ {
			if len(payload) < 36 {
				return nil, kdbxDamaged("cut short")
			}
			sum, n := payload[:32], binary.LittleEndian.Uint32(payload[32:36])
			payload = payload[36:]
			if uint64(n) > uint64(len(payload)) {
				return nil, kdbxDamaged("cut short")
			}
			block := payload[:n]
			payload = payload[n:]
			if !hmac.Equal(mac.BuildHMAC(index, n, block), sum) {
				return nil, kdbxDamaged(fmt.Sprintf("block %d fails its HMAC", index))
			}
			if n == 0 {
				break
			}
			ct = append(ct, block...)
		}
		// Each block's HMAC held: the plaintext is the writer's (a CBC
		// cipher's padding follows the document and is never read).
		return decrypt(ct)
	}
	plain, err := decrypt(payload)
	if err != nil {
		return nil, err
	}
	start := fh.StreamStartBytes
	if len(start) != 32 {
		return nil, kdbxDamaged("its stream start bytes")
	}
	if len(plain) < len(start) || !hmac.Equal(plain[:len(start)], start) {
		return nil, ErrKDBXPassword
	}
	r := plain[len(start):]
	var out []byte
	for {
		// u32 index, SHA-256 of the data, u32 length, data; an empty
		// block ends the stream (and the CBC padding after it).
		if len(r) < 40 {
			return nil, kdbxDamaged("cut short")
		}
		sum, n := r[4:36], binary.LittleEndian.Uint32(r[36:40])
		r = r[40:]
		if n == 0 {
			return out, nil
		}
		if uint64(n) > uint64(len(r)) {
			return nil, kdbxDamaged("cut short")
		}
		if got := sha256.Sum256(r[:n]); !hmac.Equal(got[:], sum) {
			return nil, kdbxDamaged("a block fails its checksum")
		}
		out = append(out, r[:n]...)
		r = r[n:]
	}
}

// inflateKDBXPayload inflates a gzip'd payload under MaxKDBXPayloadBytes.
func inflateKDBXPayload(h *gokeepasslib.DBHeader, p []byte) ([]byte, error) {
	switch h.FileHeaders.CompressionFlags {
	case gokeepasslib.NoCompressionFlag:
	case gokeepasslib.GzipCompressionFlag:
		zr, err := gzip.NewReader(bytes.NewReader(p))
		if err != nil {
			return nil, kdbxDamaged("its payload is not gzip")
		}
		// One member: the library pads even a stream cipher's
		// plaintext, and the padding is no second member.
		zr.Multistream(false)
		if p, err = io.ReadAll(io.LimitReader(zr, MaxKDBXPayloadBytes+1)); err != nil {
			return nil, kdbxDamaged("its compressed payload")
		}
	default:
		return nil, kdbxDamaged("an unknown compression")
	}
	if int64(len(p)) > MaxKDBXPayloadBytes {
		return nil, fmt.Errorf("the KeePass database's content is larger than %d MB once inflated: refused", MaxKDBXPayloadBytes>>20)
	}
	return p, nil
}

// readKDBXInnerHeader reads KDBX 4's inner header (the protected-value
// stream's cipher and key, the attachments): u8 type, i32 length, data.
func readKDBXInnerHeader(p []byte) (*gokeepasslib.InnerHeader, []byte, error) {
	ih := &gokeepasslib.InnerHeader{}
	for {
		if len(p) < 5 {
			return nil, nil, kdbxDamaged("its inner header")
		}
		typ, n := p[0], binary.LittleEndian.Uint32(p[1:5])
		p = p[5:]
		if uint64(n) > uint64(len(p)) {
			return nil, nil, kdbxDamaged("its inner header")
		}
		data := p[:n]
		p = p[n:]
		switch typ {
		case gokeepasslib.InnerHeaderTerminator:
			return ih, p, nil
		case gokeepasslib.InnerHeaderIRSID:
			if len(data) != 4 {
				return nil, nil, kdbxDamaged("its inner header")
			}
			ih.InnerRandomStreamID = binary.LittleEndian.Uint32(data)
		case gokeepasslib.InnerHeaderIRSKey:
			ih.InnerRandomStreamKey = data
		case gokeepasslib.InnerHeaderBinary:
			// A protection flag, then the attachment as is.
			if len(data) < 1 {
				return nil, nil, kdbxDamaged("its inner header")
			}
			b := gokeepasslib.Binary{ID: len(ih.Binaries), MemoryProtection: data[0], Content: data[1:]}
			gokeepasslib.WithKDBXv4Binary(&b)
			ih.Binaries = append(ih.Binaries, b)
		default:
			return nil, nil, kdbxDamaged("its inner header")
		}
	}
}
