// Package pkce is the S256 transform of RFC 7636 that a client uses to
// bind a single sign-on to itself (docs/protocol.md §8.4): the client keeps
// a verifier and sends its challenge. Its own package so that the
// browser's client core takes it without the OpenID Connect client
// (internal/sso), which would bring net/http and x509 into core.wasm.
package pkce

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// NewVerifier is 32 random bytes, base64url without padding (RFC 7636
// §4.1: 43 characters).
func NewVerifier() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Challenge is base64url(SHA-256(verifier)) without padding (§4.2).
func Challenge(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}
