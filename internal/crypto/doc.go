// Package crypto implements Coffer's cryptographic formats as specified in
// docs/protocol.md: key derivation, sealed boxes, identity keys, vault and
// item key wraps, and signed item revisions.
//
// It knows nothing of storage or transport, uses only the standard library
// and golang.org/x/crypto, and builds for GOOS=js GOARCH=wasm.
//
// Every failure to authenticate a ciphertext or a signature is reported as
// ErrTampered, so callers cannot be turned into a decryption oracle and users
// see one clear message.
package crypto
