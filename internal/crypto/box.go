package crypto

import (
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// ErrTampered is the single error for every ciphertext, wrap or signature
// that fails authentication or is malformed. Keeping one error type avoids
// error oracles (docs/protocol.md §11).
var ErrTampered = errors.New("ciphertext or signature failed authentication: the server sent data that was altered or does not belong here")

// KeySize is the size of every symmetric key in Coffer.
const KeySize = 32

const (
	boxVersion  = 0x01
	nonceSize   = chacha20poly1305.NonceSizeX
	boxOverhead = 1 + nonceSize + chacha20poly1305.Overhead
)

// NewKey returns a fresh random 32-byte symmetric key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return k
}

// Seal encrypts plaintext under key with XChaCha20-Poly1305 and a random
// nonce, binding ad, and returns a version-1 box: 0x01 || nonce || ct.
func Seal(key, plaintext, ad []byte) ([]byte, error) {
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return sealWithNonce(key, nonce, plaintext, ad)
}

func sealWithNonce(key, nonce, plaintext, ad []byte) ([]byte, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: key must be %d bytes, got %d", KeySize, len(key))
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, boxOverhead+len(plaintext))
	out = append(out, boxVersion)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, ad), nil
}

// openInPlace is Open decrypting into box's own memory (box is overwritten,
// also on failure): a device cache of megabytes is not copied again.
func openInPlace(key, box, ad []byte) ([]byte, error) { return open(key, box, ad, true) }

// Open authenticates and decrypts a box made by Seal with the same ad. Any
// failure, including a wrong version byte or a short box, is ErrTampered.
func Open(key, box, ad []byte) ([]byte, error) { return open(key, box, ad, false) }

func open(key, box, ad []byte, inPlace bool) ([]byte, error) {
	if len(key) != KeySize || len(box) < boxOverhead || box[0] != boxVersion {
		return nil, ErrTampered
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, ErrTampered
	}
	ct := box[1+nonceSize:]
	var dst []byte
	if inPlace {
		dst = ct[:0]
	}
	pt, err := aead.Open(dst, box[1:1+nonceSize], ct, ad)
	if err != nil {
		return nil, ErrTampered
	}
	return pt, nil
}
