package client

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// SSH keys are read here with the standard library only, not with
// golang.org/x/crypto/ssh: that package is the whole SSH protocol, and
// linking it into the browser's client core added 375 KB (gzipped) to a
// first load whose budget is 2 MB (docs/performance.md "First load"). What
// an item needs is small — the public key's wire form, its SHA-256
// fingerprint, and the public key an OpenSSH private key carries in the
// clear — and sshkey_test.go checks every answer against x/crypto/ssh.

// SSHKeyInfo is what ParseSSHKey makes of a key pair.
type SSHKeyInfo struct {
	PublicKey   string // as given (trimmed), or read from the private key: "TYPE BASE64"
	Fingerprint string // "SHA256:…" (as ssh-keygen -l), "" when no public key is known
	Comment     string // the public key's comment
	Type        string // ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, …
	// Encrypted: the private key is under a passphrase (its public key
	// is still read from an OpenSSH key).
	Encrypted bool
}

// Errors of ParseSSHKey (wrapped with the detail).
var (
	ErrBadPublicKey   = errors.New("the public key is not an SSH public key")
	ErrBadPrivateKey  = errors.New("the private key is not an SSH private key")
	ErrSSHKeyMismatch = errors.New("the public key is not the private key's")
)

// ParseSSHKey checks an SSH key pair, either half of which may be empty:
// the public key in OpenSSH's one-line form ("ssh-ed25519 AAAA… comment",
// as in authorized_keys and id_*.pub), the private key in PEM — OpenSSH's
// own format (whose public key is read, even under a passphrase), or
// PKCS#1, SEC 1 and PKCS#8 (checked as PEM only: their public key takes
// parsing the private key). Given both, an OpenSSH private key must hold
// that public key. A malformed key is an error naming what is wrong.
func ParseSSHKey(private, public string) (info SSHKeyInfo, err error) {
	// The parsers below index by lengths read from the input; a bug there
	// must be an error for this key, not a crashed client core.
	defer func() {
		if p := recover(); p != nil {
			info, err = SSHKeyInfo{}, errors.New("the SSH key does not decode")
		}
	}()
	if len(private) > MaxSSHKey {
		return SSHKeyInfo{}, fmt.Errorf("the private key is too long (%d bytes; at most %d)", len(private), MaxSSHKey)
	}
	if len(public) > MaxSSHKey {
		return SSHKeyInfo{}, fmt.Errorf("the public key is too long (%d bytes; at most %d)", len(public), MaxSSHKey)
	}
	var blob []byte
	if public = strings.TrimSpace(public); public != "" {
		if blob, info.Type, info.Comment, err = parseAuthorizedKey(public); err != nil {
			return SSHKeyInfo{}, err
		}
		info.PublicKey = public
	}
	if strings.TrimSpace(private) != "" {
		held, encrypted, err := parsePrivateKey(private)
		if err != nil {
			return SSHKeyInfo{}, err
		}
		info.Encrypted = encrypted
		switch {
		case held == nil:
		case blob == nil:
			blob = held
			if info.Type, err = keyType(held); err != nil {
				return SSHKeyInfo{}, fmt.Errorf("%w: %v", ErrBadPrivateKey, err)
			}
			info.PublicKey = info.Type + " " + base64.StdEncoding.EncodeToString(held)
		case !bytes.Equal(blob, held):
			return SSHKeyInfo{}, fmt.Errorf("%w (the public key is %s, the private key's is %s)", ErrSSHKeyMismatch, fingerprint(blob), fingerprint(held))
		}
	}
	if blob != nil {
		info.Fingerprint = fingerprint(blob)
	}
	return info, nil
}

// fingerprint is OpenSSH's SHA-256 fingerprint of a public key's wire
// form: "SHA256:" and unpadded base64.
func fingerprint(blob []byte) string {
	sum := sha256.Sum256(blob)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// parseAuthorizedKey reads "TYPE BASE64 [COMMENT]".
func parseAuthorizedKey(line string) (blob []byte, typ, comment string, err error) {
	if strings.ContainsAny(line, "\r\n") {
		return nil, "", "", fmt.Errorf("%w: it is one line (TYPE BASE64 COMMENT), this one has several", ErrBadPublicKey)
	}
	parts := strings.Fields(line)
	if len(parts) < 2 {
		return nil, "", "", fmt.Errorf("%w: it is TYPE BASE64 COMMENT, like ssh-ed25519 AAAA… name@host", ErrBadPublicKey)
	}
	typ = parts[0]
	blob, err = base64.StdEncoding.DecodeString(parts[1])
	if err != nil {
		if blob, err = base64.RawStdEncoding.DecodeString(parts[1]); err != nil {
			return nil, "", "", fmt.Errorf("%w: its key is not base64", ErrBadPublicKey)
		}
	}
	inner, err := keyType(blob)
	if err != nil {
		return nil, "", "", fmt.Errorf("%w: %v", ErrBadPublicKey, err)
	}
	if inner != typ {
		return nil, "", "", fmt.Errorf("%w: it says %s but holds a key of type %s", ErrBadPublicKey, sanitize(typ, 40), inner)
	}
	_, rest, _ := strings.Cut(strings.TrimSpace(line), parts[1])
	return blob, typ, strings.TrimSpace(rest), nil
}

// wire reads SSH's wire encoding (RFC 4251 §5).
type wire struct {
	b   []byte
	bad bool
}

func (w *wire) uint32() uint32 {
	if len(w.b) < 4 {
		w.bad = true
		return 0
	}
	v := binary.BigEndian.Uint32(w.b)
	w.b = w.b[4:]
	return v
}

func (w *wire) string() []byte {
	n := w.uint32()
	if w.bad || uint64(n) > uint64(len(w.b)) {
		w.bad = true
		return nil
	}
	v := w.b[:n]
	w.b = w.b[n:]
	return v
}

// publicKeyParts are how many strings (mpints are strings too) follow
// the type name in each public key type's wire form (RFC 4253 §6.6, RFC
// 5656 §3.1, RFC 8709 §4, OpenSSH's PROTOCOL.u2f).
var publicKeyParts = map[string]int{
	"ssh-ed25519":                        1,
	"ssh-rsa":                            2,
	"ssh-dss":                            4,
	"ecdsa-sha2-nistp256":                2,
	"ecdsa-sha2-nistp384":                2,
	"ecdsa-sha2-nistp521":                2,
	"sk-ssh-ed25519@openssh.com":         2,
	"sk-ecdsa-sha2-nistp256@openssh.com": 3,
}

// keyType checks a public key's wire form: a type this reader knows with
// exactly its parts (an Ed25519 key of 32 bytes, an ECDSA key on the
// curve its type names), and nothing after them.
func keyType(blob []byte) (string, error) {
	w := &wire{b: blob}
	typ := string(w.string())
	n, ok := publicKeyParts[typ]
	if w.bad || !ok {
		if w.bad {
			return "", errors.New("it does not decode")
		}
		return "", fmt.Errorf("the key type %q is not one Coffer reads (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com, ssh-dss)", sanitize(typ, 40))
	}
	parts := make([][]byte, n)
	for i := range parts {
		parts[i] = w.string()
	}
	if w.bad || len(w.b) != 0 {
		return "", errors.New("it does not decode")
	}
	switch {
	case strings.Contains(typ, "ed25519") && len(parts[0]) != 32:
		return "", errors.New("an Ed25519 key is 32 bytes")
	case strings.HasPrefix(typ, "ecdsa-sha2-") && string(parts[0]) != strings.TrimPrefix(typ, "ecdsa-sha2-"),
		strings.HasPrefix(typ, "sk-ecdsa-sha2-") && string(parts[0]) != "nistp256":
		return "", errors.New("its curve is not the one its type names")
	}
	return typ, nil
}

// privateKeyBlocks are the PEM blocks of private keys: OpenSSH's own and
// the older PKCS#1 (RSA), SEC 1 (EC), DSA and PKCS#8 ones.
var privateKeyBlocks = map[string]bool{"OPENSSH PRIVATE KEY": true, "RSA PRIVATE KEY": true, "EC PRIVATE KEY": true, "DSA PRIVATE KEY": true, "PRIVATE KEY": true, "ENCRYPTED PRIVATE KEY": true}

// parsePrivateKey checks a PEM private key and returns the public key an
// OpenSSH one holds (nil for the other formats), and whether it is under
// a passphrase.
func parsePrivateKey(text string) (public []byte, encrypted bool, err error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(text)))
	switch {
	case block == nil && strings.HasPrefix(strings.TrimSpace(text), "PuTTY-User-Key-File"):
		return nil, false, fmt.Errorf("%w: it is PuTTY's format; export it in OpenSSH's (PuTTYgen: Conversions → Export OpenSSH key)", ErrBadPrivateKey)
	case block == nil:
		return nil, false, fmt.Errorf("%w: it is a PEM block starting -----BEGIN OPENSSH PRIVATE KEY----- (or RSA, EC, DSA PRIVATE KEY), whole", ErrBadPrivateKey)
	case !privateKeyBlocks[block.Type]:
		return nil, false, fmt.Errorf("%w: its PEM block is %q", ErrBadPrivateKey, sanitize(block.Type, 40))
	case len(bytes.TrimSpace(rest)) > 0:
		return nil, false, fmt.Errorf("%w: there is more text after its END line", ErrBadPrivateKey)
	}
	if block.Type != "OPENSSH PRIVATE KEY" {
		// A PEM header Proc-Type: 4,ENCRYPTED marks an old-style
		// passphrase; PKCS#8's encrypted form has a block of its own.
		return nil, block.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED"), nil
	}
	return openSSHPublicKey(block.Bytes)
}

// openSSHPublicKey reads OpenSSH's private key format (PROTOCOL.key):
// "openssh-key-v1\0", cipher, KDF, KDF options, the number of keys (1),
// each public key — in the clear, even when the private part is under a
// passphrase — then the private part. An unencrypted private part must
// open with two equal check numbers and the same key.
func openSSHPublicKey(b []byte) ([]byte, bool, error) {
	const magic = "openssh-key-v1\x00"
	if !bytes.HasPrefix(b, []byte(magic)) {
		return nil, false, fmt.Errorf("%w: it is not in OpenSSH's key format", ErrBadPrivateKey)
	}
	w := &wire{b: b[len(magic):]}
	cipher := string(w.string())
	w.string() // the KDF
	w.string() // its options
	n := w.uint32()
	public := w.string()
	private := w.string()
	if w.bad || n != 1 || len(w.b) != 0 {
		return nil, false, fmt.Errorf("%w: it does not decode (one key, in OpenSSH's format)", ErrBadPrivateKey)
	}
	typ, err := keyType(public)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrBadPrivateKey, err)
	}
	if cipher != "none" {
		return public, true, nil
	}
	p := &wire{b: private}
	check1, check2 := p.uint32(), p.uint32()
	inner := string(p.string())
	if p.bad || check1 != check2 || inner != typ {
		return nil, false, fmt.Errorf("%w: its private part does not decode", ErrBadPrivateKey)
	}
	return public, false, nil
}
