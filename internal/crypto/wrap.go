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

// Kinds of key wraps (docs/protocol.md §6, §14.1). The kind names the
// label, so a wrap made for one kind of key never opens as another.
const (
	KindVaultKey = "vault-key"
	KindOrgKey   = "org-key"
	KindGroupKey = "group-key"
)

// KeyWrapContext names exactly which key a wrap delivers to whom: the kind
// of key, its organisation, the object it belongs to (vault, organisation
// or group), its epoch, and the recipient. The receiver rebuilds it from
// what it expects, never from the wrap's own labels, so a wrap moved
// anywhere else fails to open.
type KeyWrapContext struct {
	Kind          string
	OrgID         string
	ObjectID      string
	Epoch         uint64
	RecipientKind string
	RecipientID   string
	Recipient     PublicKeys
}

// VaultKeyContext is the context of a vault key wrap.
func VaultKeyContext(orgID, vaultID string, epoch uint64, recipientKind, recipientID string, recipient PublicKeys) KeyWrapContext {
	return KeyWrapContext{KindVaultKey, orgID, vaultID, epoch, recipientKind, recipientID, recipient}
}

func (c KeyWrapContext) fields() [][]byte {
	return [][]byte{[]byte(c.OrgID), []byte(c.ObjectID), U64(c.Epoch),
		[]byte(c.RecipientKind), []byte(c.RecipientID), c.Recipient.Fingerprint()}
}

func (c KeyWrapContext) info() []byte { return Tuple("coffer/v1/"+c.Kind+"-wrap", c.fields()...) }

func (c KeyWrapContext) sigMsg(signerID string, wrap []byte) []byte {
	h := sha256.Sum256(wrap)
	return Tuple("coffer/v1/"+c.Kind+"-wrap-sig", append(c.fields(), []byte(signerID), h[:])...)
}

func (c KeyWrapContext) valid() bool {
	if c.Epoch == 0 {
		return false
	}
	switch c.Kind {
	case KindVaultKey, KindOrgKey, KindGroupKey:
		return c.RecipientKind == RecipientUser || c.RecipientKind == RecipientGroup
	case KindRecovery:
		return c.RecipientKind == RecipientRecovery
	case KindRecoveryGrant:
		return c.RecipientKind == RecipientRequest
	}
	return false
}

// WrapKey encrypts key to the recipient in ctx with HPKE and signs the
// result as signerID. It returns the wrap and its signature.
func WrapKey(signer *Identity, signerID string, ctx KeyWrapContext, key []byte) (wrap, sig []byte, err error) {
	if len(key) == 0 || !ctx.valid() || !ctx.Recipient.valid() {
		return nil, nil, ErrTampered
	}
	pub, err := kem.NewPublicKey(ctx.Recipient.KEM)
	if err != nil {
		return nil, nil, ErrTampered
	}
	wrap, err = hpke.Seal(pub, kdf, aeadAlg, ctx.info(), key)
	if err != nil {
		return nil, nil, err
	}
	return wrap, signer.Sign(ctx.sigMsg(signerID, wrap)), nil
}

// VerifyKeyWrap checks the signature of a wrap against the signer's pinned
// public keys.
func VerifyKeyWrap(signer PublicKeys, signerID string, ctx KeyWrapContext, wrap, sig []byte) error {
	return Verify(signer, ctx.sigMsg(signerID, wrap), sig)
}

// OpenKey verifies the wrap's signature and opens it with the recipient's
// identity, expecting a key of keyLen bytes. The recipient fingerprint
// bound into the wrap is always the recipient's own, whatever
// ctx.Recipient says.
func OpenKey(recipient *Identity, signer PublicKeys, signerID string, ctx KeyWrapContext, wrap, sig []byte, keyLen int) ([]byte, error) {
	ctx.Recipient = recipient.Public()
	if !ctx.valid() {
		return nil, ErrTampered
	}
	if err := VerifyKeyWrap(signer, signerID, ctx, wrap, sig); err != nil {
		return nil, err
	}
	k, err := hpke.Open(recipient.kemKey, kdf, aeadAlg, ctx.info(), wrap)
	if err != nil || len(k) != keyLen {
		return nil, ErrTampered
	}
	return k, nil
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
