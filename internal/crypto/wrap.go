package crypto

import (
	"crypto/hpke"
	"crypto/sha256"
)

// Recipient kinds of a vault key wrap.
const (
	RecipientUser  = "user"
	RecipientGroup = "group"
)

// VaultKeyContext names exactly which key a wrap delivers to whom. The
// receiver rebuilds it from what it expects, never from the wrap's own
// labels, so a wrap moved anywhere else fails to open.
type VaultKeyContext struct {
	OrgID         string
	VaultID       string
	Epoch         uint64
	RecipientKind string
	RecipientID   string
	Recipient     PublicKeys
}

func (c VaultKeyContext) fields() [][]byte {
	return [][]byte{[]byte(c.OrgID), []byte(c.VaultID), U64(c.Epoch),
		[]byte(c.RecipientKind), []byte(c.RecipientID), c.Recipient.Fingerprint()}
}

func (c VaultKeyContext) info() []byte { return Tuple("coffer/v1/vault-key-wrap", c.fields()...) }

func (c VaultKeyContext) sigMsg(signerID string, wrap []byte) []byte {
	h := sha256.Sum256(wrap)
	return Tuple("coffer/v1/vault-key-wrap-sig", append(c.fields(), []byte(signerID), h[:])...)
}

// WrapVaultKey encrypts a vault key to the recipient in ctx with HPKE and
// signs the result as signerID. It returns the wrap and its signature.
func WrapVaultKey(signer *Identity, signerID string, ctx VaultKeyContext, vaultKey []byte) (wrap, sig []byte, err error) {
	if len(vaultKey) != KeySize || !ctx.Recipient.valid() || ctx.Epoch == 0 {
		return nil, nil, ErrTampered
	}
	pub, err := kem.NewPublicKey(ctx.Recipient.KEM)
	if err != nil {
		return nil, nil, ErrTampered
	}
	wrap, err = hpke.Seal(pub, kdf, aeadAlg, ctx.info(), vaultKey)
	if err != nil {
		return nil, nil, err
	}
	return wrap, signer.Sign(ctx.sigMsg(signerID, wrap)), nil
}

// VerifyVaultKeyWrap checks the signature of a wrap against the signer's
// pinned public keys.
func VerifyVaultKeyWrap(signer PublicKeys, signerID string, ctx VaultKeyContext, wrap, sig []byte) error {
	return Verify(signer, ctx.sigMsg(signerID, wrap), sig)
}

// OpenVaultKey verifies the wrap's signature and then opens it with the
// recipient's identity. The recipient fingerprint bound into the wrap is
// always the recipient's own, whatever ctx.Recipient says.
func OpenVaultKey(recipient *Identity, signer PublicKeys, signerID string, ctx VaultKeyContext, wrap, sig []byte) ([]byte, error) {
	ctx.Recipient = recipient.Public()
	if ctx.Epoch == 0 {
		return nil, ErrTampered
	}
	if err := VerifyVaultKeyWrap(signer, signerID, ctx, wrap, sig); err != nil {
		return nil, err
	}
	vk, err := hpke.Open(recipient.kemKey, kdf, aeadAlg, ctx.info(), wrap)
	if err != nil || len(vk) != KeySize {
		return nil, ErrTampered
	}
	return vk, nil
}

// ItemKeyContext names an item key and the vault key that wraps it
// (docs/protocol.md §7.1).
type ItemKeyContext struct {
	OrgID     string
	WrapVault string
	WrapEpoch uint64
	ItemID    string
	KeyVault  string
	KeyEpoch  uint64
}

func (c ItemKeyContext) ad() []byte {
	return Tuple("coffer/v1/item-key", []byte(c.OrgID), []byte(c.WrapVault), U64(c.WrapEpoch),
		[]byte(c.ItemID), []byte(c.KeyVault), U64(c.KeyEpoch))
}

// WrapItemKey seals an item key under a vault key.
func WrapItemKey(vaultKey []byte, ctx ItemKeyContext, itemKey []byte) ([]byte, error) {
	if ctx.WrapEpoch == 0 || ctx.KeyEpoch == 0 {
		return nil, ErrTampered
	}
	return Seal(vaultKey, itemKey, ctx.ad())
}

// UnwrapItemKey opens an item key wrap.
func UnwrapItemKey(vaultKey []byte, ctx ItemKeyContext, wrap []byte) ([]byte, error) {
	ik, err := Open(vaultKey, wrap, ctx.ad())
	if err != nil || len(ik) != KeySize || ctx.WrapEpoch == 0 || ctx.KeyEpoch == 0 {
		return nil, ErrTampered
	}
	return ik, nil
}
