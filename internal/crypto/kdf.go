package crypto

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// KDFParams are the Argon2id parameters of an account. Memory is in KiB.
type KDFParams struct {
	Algorithm string `json:"algorithm"`
	Time      uint32 `json:"time"`
	Memory    uint32 `json:"memory"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
}

// The floor and ceiling are compiled into the client: a server may ask for
// stronger parameters, never weaker ones, and never absurd ones.
const (
	KDFAlgorithm = "argon2id"
	MinTime      = 3
	MinMemory    = 64 * 1024
	MinThreads   = 4
	MaxTime      = 16
	MaxMemory    = 2 * 1024 * 1024
	MaxThreads   = 16
	SaltSize     = 16
)

// ErrWeakKDF reports KDF parameters outside the client's bounds.
var ErrWeakKDF = errors.New("the server asked for key-derivation parameters outside the safe range; refusing to derive or send anything")

// DefaultKDFParams returns the parameters for a new account with a fresh salt.
func DefaultKDFParams() KDFParams {
	return KDFParams{Algorithm: KDFAlgorithm, Time: MinTime, Memory: MinMemory, Threads: MinThreads, Salt: NewKey()[:SaltSize]}
}

// Check refuses parameters below the floor or above the ceiling.
func (p KDFParams) Check() error {
	switch {
	case p.Algorithm != KDFAlgorithm,
		p.Time < MinTime || p.Time > MaxTime,
		p.Memory < MinMemory || p.Memory > MaxMemory,
		p.Threads < MinThreads || p.Threads > MaxThreads,
		len(p.Salt) != SaltSize:
		return fmt.Errorf("%w (got %s t=%d m=%d KiB p=%d, salt %d bytes; floor t=%d m=%d KiB p=%d)",
			ErrWeakKDF, p.Algorithm, p.Time, p.Memory, p.Threads, len(p.Salt), MinTime, MinMemory, MinThreads)
	}
	return nil
}

// MasterKeys are the two keys derived from the master password. The master
// key itself is not kept.
type MasterKeys struct {
	AuthKey []byte // sent to the server at login; decrypts nothing
	KEK     []byte // wraps the account key; never leaves the client
}

// DeriveMasterKeys runs Argon2id after checking p against the floor, then
// splits the result with HKDF-SHA256 (docs/protocol.md §3). The salt Argon2id
// uses is bound to the account's e-mail address, so a server that hands
// every user the same stored salt still cannot share one guess across
// accounts.
func DeriveMasterKeys(password []byte, email string, p KDFParams) (MasterKeys, error) {
	if err := p.Check(); err != nil {
		return MasterKeys{}, err
	}
	salt := sha256.Sum256(Tuple("coffer/v1/kdf-salt", []byte(strings.ToLower(email)), p.Salt))
	mk := argon2.IDKey(password, salt[:SaltSize], p.Time, p.Memory, p.Threads, KeySize)
	defer clear(mk)
	auth, err := hkdf.Key(sha256.New, mk, nil, "coffer/v1/auth-key", KeySize)
	if err != nil {
		return MasterKeys{}, err
	}
	kek, err := hkdf.Key(sha256.New, mk, nil, "coffer/v1/kek", KeySize)
	if err != nil {
		return MasterKeys{}, err
	}
	return MasterKeys{AuthKey: auth, KEK: kek}, nil
}

// Server-side parameters for storing the authentication key. AuthKey already
// carries a full client Argon2id run; this second, lighter hash means a
// database thief also pays per guess, and a stored hash is useless as a
// credential.
const (
	authHashTime    = 2
	authHashMemory  = 19 * 1024
	authHashThreads = 1
)

// AuthHash is the server's slow salted hash of an authentication key.
func AuthHash(authKey, salt []byte) []byte {
	return argon2.IDKey(authKey, salt, authHashTime, authHashMemory, authHashThreads, KeySize)
}
