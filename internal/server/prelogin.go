package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Pre-login answers an address without an account with made-up KDF
// parameters (a decoy), so that the answer does not say whether the
// account exists (docs/security.md, finding 23.8). Real accounts have the
// defaults, or parameters their owner raised; an answer with the defaults
// for every unknown address made every raised answer proof of an account.
// So a fixed share of unknown addresses is answered with raised
// parameters too, chosen per address by a keyed hash (the same answer
// every time) from the values people raise to.

// decoyRaisedShare is the share of unknown addresses answered with raised
// parameters: decoyRaisedOf256 / 256 (one in eight).
const decoyRaisedOf256 = 32

// decoyRaised are the raised parameters a decoy may carry: the round
// values the CLI and the web app's form lead to. They stop at 256 MiB and
// t = 8 so that a mistyped address costs a device at most a few default
// unlocks, not a gigabyte; accounts raised beyond them (or to other
// values) are still told apart (docs/security.md says so).
var decoyRaised = []struct {
	time, memory uint32
	threads      uint8
}{
	{4, 64 << 10, 4}, {5, 64 << 10, 4}, {6, 64 << 10, 4}, {8, 64 << 10, 4},
	{3, 128 << 10, 4}, {3, 256 << 10, 4},
	{4, 128 << 10, 4}, {4, 256 << 10, 4}, {6, 128 << 10, 4},
	{3, 64 << 10, 8}, {4, 64 << 10, 8},
}

// decoyKDF is the pre-login answer for an address without an account.
// Those answered with the defaults keep the salt they always had,
// HMAC(secret, email)[:16] (protocol §4); a raised decoy has a salt of
// its own, as a real account that raised its parameters got a fresh one.
func decoyKDF(secret []byte, email string) api.KDF {
	m := hmac.New(sha256.New, secret)
	m.Write(crypto.Tuple("coffer/v1/prelogin-decoy", []byte(email)))
	choice := m.Sum(nil)
	if choice[0] < decoyRaisedOf256 {
		d := decoyRaised[binary.BigEndian.Uint32(choice[1:5])%uint32(len(decoyRaised))]
		return api.KDF{Algorithm: crypto.KDFAlgorithm, Time: d.time, Memory: d.memory, Threads: d.threads, Salt: choice[16 : 16+crypto.SaltSize]}
	}
	m = hmac.New(sha256.New, secret)
	m.Write([]byte(email))
	return api.KDF{Algorithm: crypto.KDFAlgorithm, Time: crypto.MinTime, Memory: crypto.MinMemory,
		Threads: crypto.MinThreads, Salt: m.Sum(nil)[:crypto.SaltSize]}
}
