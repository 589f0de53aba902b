package crypto

import (
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// The HPKE suite used for every key wrap (docs/protocol.md §5).
var (
	kem     = hpke.MLKEM768X25519()
	kdf     = hpke.HKDFSHA256()
	aeadAlg = hpke.ChaCha20Poly1305()
)

const (
	seedSize         = 32
	privateKeysSize  = 1 + 2*seedSize
	privateKeysV1    = 0x01
	KEMPublicKeySize = 1216
)

// PublicKeys are an account's (or group's) published keys.
type PublicKeys struct {
	Sign []byte `json:"sign"` // Ed25519, 32 bytes
	KEM  []byte `json:"kem"`  // HPKE MLKEM768X25519, 1216 bytes
}

// Fingerprint is H(tuple("coffer/v1/fingerprint", sign, kem)); it is bound
// into every wrap to this key and shown to users for comparison.
func (pk PublicKeys) Fingerprint() []byte {
	sum := sha256.Sum256(Tuple("coffer/v1/fingerprint", pk.Sign, pk.KEM))
	return sum[:]
}

// FingerprintText renders the first 20 bytes of the fingerprint as eight
// groups of four lower-case base32 characters.
func (pk PublicKeys) FingerprintText() string {
	s := strings.ToLower(base32.StdEncoding.EncodeToString(pk.Fingerprint()[:20]))
	groups := make([]string, 0, 8)
	for i := 0; i < len(s); i += 4 {
		groups = append(groups, s[i:i+4])
	}
	return strings.Join(groups, " ")
}

// valid reports whether the keys have the right sizes and parse.
func (pk PublicKeys) valid() bool {
	if len(pk.Sign) != ed25519.PublicKeySize || len(pk.KEM) != KEMPublicKeySize {
		return false
	}
	_, err := kem.NewPublicKey(pk.KEM)
	return err == nil
}

// Identity holds an account's (or group's) private keys in memory.
type Identity struct {
	signSeed []byte
	kemSeed  []byte
	sign     ed25519.PrivateKey
	kemKey   hpke.PrivateKey
	public   PublicKeys
}

// NewIdentity generates fresh signing and HPKE key pairs. Only sign-up (and
// group creation) may call it: missing keys are tampering, not a reason to
// make new ones.
func NewIdentity() (*Identity, error) {
	return identityFromSeeds(NewKey(), NewKey())
}

func identityFromSeeds(signSeed, kemSeed []byte) (*Identity, error) {
	if len(signSeed) != seedSize || len(kemSeed) != seedSize {
		return nil, ErrTampered
	}
	k, err := kem.NewPrivateKey(kemSeed)
	if err != nil {
		return nil, ErrTampered
	}
	sign := ed25519.NewKeyFromSeed(signSeed)
	return &Identity{
		signSeed: append([]byte(nil), signSeed...),
		kemSeed:  append([]byte(nil), kemSeed...),
		sign:     sign,
		kemKey:   k,
		public:   PublicKeys{Sign: sign.Public().(ed25519.PublicKey), KEM: k.PublicKey().Bytes()},
	}, nil
}

// Public returns the identity's public keys.
func (id *Identity) Public() PublicKeys { return id.public }

// Sign signs msg with the identity's Ed25519 key.
func (id *Identity) Sign(msg []byte) []byte { return ed25519.Sign(id.sign, msg) }

// Verify checks an Ed25519 signature by pub over msg.
func Verify(pub PublicKeys, msg, sig []byte) error {
	if len(pub.Sign) != ed25519.PublicKeySize || !ed25519.Verify(pub.Sign, msg, sig) {
		return ErrTampered
	}
	return nil
}

func privateKeysAD(ownerID string) []byte { return Tuple("coffer/v1/private-keys", []byte(ownerID)) }

// SealPrivateKeys seals the identity's private seeds under the account key.
func (id *Identity) SealPrivateKeys(accountKey []byte, ownerID string) ([]byte, error) {
	pt := id.PrivateSeeds()
	defer clear(pt)
	return Seal(accountKey, pt, privateKeysAD(ownerID))
}

// OpenPrivateKeys opens a sealed private-key box and checks that it matches
// the expected public keys, so a server cannot pair one account's public
// keys with another's private keys.
func OpenPrivateKeys(accountKey, box []byte, ownerID string, want PublicKeys) (*Identity, error) {
	pt, err := Open(accountKey, box, privateKeysAD(ownerID))
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	return IdentityFromSeeds(pt, want)
}

func publicKeysMsg(ownerKind, ownerID string, pk PublicKeys) []byte {
	return Tuple("coffer/v1/public-keys", []byte(ownerKind), []byte(ownerID), pk.Sign, pk.KEM)
}

// SignPublicKeys returns the signature over the identity's public keys as
// the keys of ownerKind ("user" or "group") ownerID. A user's bundle is
// self-signed; a group's is signed by its manager.
func (id *Identity) SignPublicKeys(ownerKind, ownerID string, pk PublicKeys) []byte {
	return id.Sign(publicKeysMsg(ownerKind, ownerID, pk))
}

// VerifyPublicKeys checks a public-key bundle's form and its signature by
// signer (the bundle itself for a user's self-signature).
func VerifyPublicKeys(ownerKind, ownerID string, pk PublicKeys, signer PublicKeys, sig []byte) error {
	if !pk.valid() {
		return ErrTampered
	}
	return Verify(signer, publicKeysMsg(ownerKind, ownerID, pk), sig)
}

func accountKeyAD(userID string) []byte { return Tuple("coffer/v1/account-key", []byte(userID)) }

// WrapAccountKey seals the account key under the password-derived KEK.
func WrapAccountKey(kek, accountKey []byte, userID string) ([]byte, error) {
	return Seal(kek, accountKey, accountKeyAD(userID))
}

// UnwrapAccountKey opens the account key with the password-derived KEK.
func UnwrapAccountKey(kek, wrapped []byte, userID string) ([]byte, error) {
	ak, err := Open(kek, wrapped, accountKeyAD(userID))
	if err != nil || len(ak) != KeySize {
		return nil, ErrTampered
	}
	return ak, nil
}

// PrivateSeeds returns the identity's private key material in the format
// of the private-keys box (0x01 || sign seed || KEM seed), for wrapping a
// group's keys to its members. Callers must clear it after use.
func (id *Identity) PrivateSeeds() []byte {
	out := make([]byte, 0, privateKeysSize)
	out = append(out, privateKeysV1)
	out = append(out, id.signSeed...)
	return append(out, id.kemSeed...)
}

// PrivateSeedsSize is the length of PrivateSeeds.
const PrivateSeedsSize = privateKeysSize

// IdentityFromSeeds rebuilds an identity from PrivateSeeds and checks it
// against the expected public keys.
func IdentityFromSeeds(seeds []byte, want PublicKeys) (*Identity, error) {
	if len(seeds) != privateKeysSize || seeds[0] != privateKeysV1 {
		return nil, ErrTampered
	}
	id, err := identityFromSeeds(seeds[1:1+seedSize], seeds[1+seedSize:])
	if err != nil {
		return nil, err
	}
	if !equalBytes(id.public.Sign, want.Sign) || !equalBytes(id.public.KEM, want.KEM) {
		return nil, ErrTampered
	}
	return id, nil
}
