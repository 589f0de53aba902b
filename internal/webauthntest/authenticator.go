// Package webauthntest is a software security key for tests: it answers
// WebAuthn creation and request options (the JSON the server sends) with
// real attestation "none" and ES256 assertions, as a browser and an
// authenticator together would (W3C WebAuthn Level 3, §6.1, §6.5.5,
// §7). It is a test fixture of a client, never used by Coffer itself.
package webauthntest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"sort"
)

// Key is one credential on a software authenticator.
type Key struct {
	Origin  string // the page's origin the client data names
	ID      []byte // credential id
	Counter uint32 // the signature counter, raised by each assertion
	priv    *ecdsa.PrivateKey
	rpID    string
}

var b64 = base64.RawURLEncoding

type publicKey struct {
	Challenge string `json:"challenge"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	RPID string `json:"rpId"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	Allow []struct {
		ID string `json:"id"`
	} `json:"allowCredentials"`
}

func parseOptions(options []byte) (publicKey, error) {
	var o struct {
		PublicKey publicKey `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		return publicKey{}, err
	}
	if o.PublicKey.Challenge == "" {
		return publicKey{}, errors.New("webauthntest: options without a challenge")
	}
	return o.PublicKey, nil
}

func clientData(typ, challenge, origin string) []byte {
	data, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return data
}

const (
	flagUP = 0x01
	flagAT = 0x40
)

// Create answers creation options ({"publicKey": …}) with a new ES256
// credential and attestation "none": the JSON of
// PublicKeyCredential.toJSON().
func Create(options []byte, origin string) (*Key, []byte, error) {
	o, err := parseOptions(options)
	if err != nil {
		return nil, nil, err
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	k := &Key{Origin: origin, ID: make([]byte, 32), priv: priv, rpID: o.RP.ID}
	rand.Read(k.ID)
	pub, err := priv.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		return nil, nil, err
	}
	cose := cborMap([]kv{{cborInt(1), cborInt(2)}, {cborInt(3), cborInt(-7)}, {cborInt(-1), cborInt(1)},
		{cborInt(-2), cborBytes(pub[1:33])}, {cborInt(-3), cborBytes(pub[33:65])}})
	auth := k.authData(flagUP | flagAT)
	auth = append(auth, make([]byte, 16)...) // AAGUID: none
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(k.ID)))
	auth = append(auth, k.ID...)
	auth = append(auth, cose...)
	att := cborMap([]kv{{cborText("fmt"), cborText("none")}, {cborText("attStmt"), cborMap(nil)}, {cborText("authData"), cborBytes(auth)}})
	cd := clientData("webauthn.create", o.Challenge, origin)
	out, err := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.ID), "rawId": b64.EncodeToString(k.ID), "type": "public-key",
		"response":               map[string]any{"clientDataJSON": b64.EncodeToString(cd), "attestationObject": b64.EncodeToString(att), "transports": []string{"usb"}},
		"clientExtensionResults": map[string]any{}, "authenticatorAttachment": "cross-platform",
	})
	return k, out, err
}

func (k *Key) authData(flags byte) []byte {
	h := sha256.Sum256([]byte(k.rpID))
	out := append(h[:], flags)
	return binary.BigEndian.AppendUint32(out, k.Counter)
}

// Get answers request options ({"publicKey": …}) with an assertion of
// this key, its counter raised first: PublicKeyCredential.toJSON().
func (k *Key) Get(options []byte) ([]byte, error) {
	o, err := parseOptions(options)
	if err != nil {
		return nil, err
	}
	if o.RPID != "" && o.RPID != k.rpID {
		return nil, errors.New("webauthntest: another relying party")
	}
	allowed := len(o.Allow) == 0
	for _, a := range o.Allow {
		allowed = allowed || a.ID == b64.EncodeToString(k.ID)
	}
	if !allowed {
		return nil, errors.New("webauthntest: the options do not allow this key")
	}
	k.Counter++
	return k.Sign(o.Challenge, k.Counter)
}

// Sign is an assertion for challenge with counter as given (a cloned
// key's, or a replay's).
func (k *Key) Sign(challenge string, counter uint32) ([]byte, error) {
	saved := k.Counter
	k.Counter = counter
	auth := k.authData(flagUP)
	k.Counter = saved
	cd := clientData("webauthn.get", challenge, k.Origin)
	h := sha256.Sum256(cd)
	d := sha256.Sum256(append(append([]byte{}, auth...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, d[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.ID), "rawId": b64.EncodeToString(k.ID), "type": "public-key",
		"response":               map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(auth), "signature": b64.EncodeToString(sig)},
		"clientExtensionResults": map[string]any{}, "authenticatorAttachment": "cross-platform",
	})
}

// Challenge is the challenge of options ({"publicKey": …}).
func Challenge(options []byte) string {
	o, _ := parseOptions(options)
	return o.Challenge
}

// A minimal CBOR encoder (RFC 8949) for what attestation needs: integers,
// byte and text strings, maps in canonical key order.

type kv struct{ k, v []byte }

func cborHead(major byte, n uint64) []byte {
	switch {
	case n < 24:
		return []byte{major<<5 | byte(n)}
	case n < 1<<8:
		return []byte{major<<5 | 24, byte(n)}
	case n < 1<<16:
		return binary.BigEndian.AppendUint16([]byte{major<<5 | 25}, uint16(n))
	case n < 1<<32:
		return binary.BigEndian.AppendUint32([]byte{major<<5 | 26}, uint32(n))
	}
	return binary.BigEndian.AppendUint64([]byte{major<<5 | 27}, n)
}

func cborInt(v int64) []byte {
	if v < 0 {
		return cborHead(1, uint64(-1-v))
	}
	return cborHead(0, uint64(v))
}
func cborBytes(b []byte) []byte { return append(cborHead(2, uint64(len(b))), b...) }
func cborText(s string) []byte  { return append(cborHead(3, uint64(len(s))), s...) }
func cborMap(pairs []kv) []byte {
	// Canonical CBOR: keys sorted by length, then bytewise.
	sort.Slice(pairs, func(i, j int) bool {
		a, b := pairs[i].k, pairs[j].k
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		return string(a) < string(b)
	})
	out := cborHead(5, uint64(len(pairs)))
	for _, p := range pairs {
		out = append(append(out, p.k...), p.v...)
	}
	return out
}
