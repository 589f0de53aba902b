package server

import (
	"crypto/ed25519"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store"
)

// Sizes of fixed-size objects, checked before anything is stored.
const (
	sigSize           = ed25519.SignatureSize
	vaultWrapSize     = 1168 // HPKE MLKEM768X25519 enc (1120) + 32-byte key + 16-byte tag
	boxedKeySize      = 1 + 24 + crypto.KeySize + 16
	privateKeysBoxLen = 1 + 24 + 1 + 2*32 + 16
)

// itemTypes are the types the server stores (the client's
// client.ItemTypes; the server cannot import the client, and checks only
// the name: the content is sealed).
var itemTypes = map[string]bool{"login": true, "note": true, "secret": true, "card": true, "identity": true, "ssh-key": true, "file": true}

// checkID requires a canonical lower-case UUID.
func checkID(field, v string) error {
	u, err := uuid.Parse(v)
	if err != nil || u.String() != v {
		return errBadRequest("%s must be a lower-case UUID", field)
	}
	return nil
}

func checkLen(field string, b []byte, n int) error {
	if len(b) != n {
		return errBadRequest("%s must be %d bytes, got %d", field, n, len(b))
	}
	return nil
}

// normalizeEmail checks an address and returns it lower-cased. Invisible
// characters are refused: bidi controls, zero-width characters and every
// other control, format, separator or private-use character would let two
// addresses that look the same (or look like another) be different
// accounts, and an owner invite a look-alike.
func normalizeEmail(v string) (string, error) {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || len(v) > 254 || !strings.Contains(v, "@") {
		return "", errBadRequest("email must be a plain e-mail address like name@example.com")
	}
	for _, r := range v {
		if r == utf8.RuneError || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.Z) {
			return "", errBadRequest("email must not contain invisible, bidi-control, zero-width or control characters")
		}
	}
	return strings.ToLower(v), nil
}

func checkName(v string) error {
	if strings.TrimSpace(v) == "" || utf8.RuneCountInString(v) > 200 || !utf8.ValidString(v) {
		return errBadRequest("name must be 1 to 200 characters")
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return errBadRequest("name must not contain control characters")
		}
	}
	return nil
}

// checkManifest checks the shape of a vault manifest a write carries
// (docs/protocol.md §7.5): for vault vaultID, signed by the caller, version
// 1 with no items when the vault is created, a later version otherwise.
// The signature is checked by signedManifest (or at sign-up, with the new
// account's keys); the items hash only readers can check. Versions are
// kept in step by the store's compare-and-set.
func checkManifest(field string, m api.Manifest, vaultID, callerID string, create bool) (store.Manifest, error) {
	switch {
	case m.VaultID == "" && m.Version == 0:
		return store.Manifest{}, errBadRequest("%s is required: the vault's next signed manifest (protocol §7.5)", field)
	case m.VaultID != vaultID:
		return store.Manifest{}, errBadRequest("%s.vault_id must be the vault the write changes", field)
	case m.SignerID != callerID:
		return store.Manifest{}, errBadRequest("%s.signer_id must be the caller", field)
	case create && (m.Version != 1 || m.Count != 0):
		return store.Manifest{}, errBadRequest("%s of a new vault must be version 1 with no items", field)
	case !create && m.Version < 2:
		return store.Manifest{}, errBadRequest("%s.version must follow the vault's current manifest", field)
	case m.Time <= 0:
		return store.Manifest{}, errBadRequest("%s.time must be the signer's clock in Unix milliseconds", field)
	}
	if err := checkLen(field+".items_hash", m.ItemsHash, crypto.HashSize); err != nil {
		return store.Manifest{}, err
	}
	if err := checkLen(field+".sig", m.Sig, sigSize); err != nil {
		return store.Manifest{}, err
	}
	return store.Manifest{VaultID: m.VaultID, Version: m.Version, Count: m.Count, ItemsHash: m.ItemsHash,
		SignerID: m.SignerID, Time: m.Time, Sig: m.Sig}, nil
}
