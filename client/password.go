package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// PasswordOptions tune ChangePassword.
type PasswordOptions struct {
	// KDF holds new Argon2id parameters (the salt is always fresh); zero
	// fields keep the account's current values.
	KDF crypto.KDFParams
	// RevokeOtherSessions revokes every other session of the account, so
	// other devices must log in again with the new password.
	RevokeOtherSessions bool
}

// ChangePassword replaces the master password, or with next == current
// only its Argon2id parameters (docs/protocol.md §17.1). The account key
// does not change: it is wrapped again under the new password's KEK, with
// a fresh salt, and the server replaces the old wrap and authentication
// hash in one step after checking the current password. Every key and
// item stays as it is; sessions stay unlocked. It returns how many other
// sessions the server revoked.
func (s *Session) ChangePassword(ctx context.Context, current, next []byte, opt PasswordOptions) (int, error) {
	if !bytes.Equal(current, next) {
		if err := CheckNewPassword(next); err != nil {
			return 0, err
		}
	}
	// The account as the server has it now: another device may have
	// changed the password since this profile was pinned.
	var acct api.Account
	if err := s.t.do(ctx, "GET", "/account", nil, &acct); err != nil {
		return 0, err
	}
	if acct.UserID != s.Profile.UserID || !sameIdentity(acct.Keys, s.Profile.Keys) {
		return 0, tampered("the server returned another account's key material")
	}
	curKDF := kdfFromAPI(acct.KDF)
	cur, err := crypto.DeriveMasterKeys(current, s.Profile.Email, curKDF)
	if err != nil {
		return 0, err
	}
	ak, err := crypto.UnwrapAccountKey(cur.KEK, acct.Keys.WrappedAccountKey, s.Profile.UserID)
	if err != nil {
		return 0, ErrWrongPassword
	}
	if !crypto.Equal(ak, s.ak) {
		return 0, tampered("the server's account key wrap opens to another key")
	}
	kdf := crypto.KDFParams{Algorithm: crypto.KDFAlgorithm, Time: curKDF.Time, Memory: curKDF.Memory, Threads: curKDF.Threads, Salt: crypto.NewKey()[:crypto.SaltSize]}
	if opt.KDF.Time != 0 {
		kdf.Time = opt.KDF.Time
	}
	if opt.KDF.Memory != 0 {
		kdf.Memory = opt.KDF.Memory
	}
	if opt.KDF.Threads != 0 {
		kdf.Threads = opt.KDF.Threads
	}
	if weaker(kdf, curKDF) {
		return 0, fmt.Errorf("%w: the Argon2id parameters can only be raised (now t=%d m=%d KiB p=%d)", ErrWeakKDF, curKDF.Time, curKDF.Memory, curKDF.Threads)
	}
	if err := kdf.Check(); err != nil {
		return 0, fmt.Errorf("%w: the new Argon2id parameters must be within t %d–%d, m %d–%d KiB, p %d–%d",
			ErrWeakKDF, crypto.MinTime, crypto.MaxTime, crypto.MinMemory, crypto.MaxMemory, crypto.MinThreads, crypto.MaxThreads)
	}
	mk, err := crypto.DeriveMasterKeys(next, s.Profile.Email, kdf)
	if err != nil {
		return 0, err
	}
	wrapped, err := crypto.WrapAccountKey(mk.KEK, s.ak, s.Profile.UserID)
	if err != nil {
		return 0, err
	}
	// Never send a wrap that does not open: it would lock the account.
	if back, err := crypto.UnwrapAccountKey(mk.KEK, wrapped, s.Profile.UserID); err != nil || !crypto.Equal(back, s.ak) {
		return 0, errors.New("internal error: the new account key wrap does not open; nothing was sent")
	}
	var out api.PasswordChanged
	err = s.t.do(ctx, "PUT", "/account/password", api.PasswordChange{
		CurrentAuthKey: cur.AuthKey, KDF: kdfToAPI(kdf), AuthKey: mk.AuthKey, WrappedAccountKey: wrapped,
		RevokeOtherSessions: opt.RevokeOtherSessions,
	}, &out)
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == api.CodeWrongPassword {
		return 0, ErrWrongPassword
	}
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.Profile.KDF, s.Profile.Keys.WrappedAccountKey = kdf, wrapped
	s.mu.Unlock()
	return out.RevokedSessions, nil
}

// UnlockCurrent opens the profile with the master password as the server
// knows it now. It asks the server for the account's KDF parameters
// first: when they differ from the pinned ones, the password (or its
// parameters) was changed on another device, so the pinned wrap — which
// the old password still opens — is not used. The password is derived
// under the current parameters and proved to the server with a fresh
// login, and the profile takes the new parameters and wrap (the account's
// identity stays pinned). changed reports that. When the server cannot be
// reached, the device unlocks what it holds with the pinned parameters
// and offline is the error that stopped the check.
func (p *Profile) UnlockCurrent(ctx context.Context, password []byte, opt Options) (s *Session, changed bool, offline error) {
	t := newTransport(p.Server, opt.HTTPClient)
	var k api.KDF
	if err := t.do(ctx, "POST", "/prelogin", api.PreloginRequest{Email: p.Email}, &k); err != nil {
		s, uerr := p.Unlock(password, opt)
		if uerr != nil {
			return nil, false, uerr
		}
		return s, false, err
	}
	kdf := kdfFromAPI(k)
	if kdfEqual(kdf, p.KDF) {
		s, err := p.Unlock(password, opt)
		return s, false, err
	}
	// A server that offers weaker parameters than this device pinned
	// would get an authentication key that is cheaper to attack offline:
	// refuse before deriving or sending anything.
	if weaker(kdf, p.KDF) {
		return nil, false, fmt.Errorf("%w: the server asks for weaker Argon2id parameters (t=%d m=%d KiB p=%d) than this device pinned (t=%d m=%d KiB p=%d); nothing was sent — if you lowered them on purpose, log out and log in again",
			ErrWeakKDF, kdf.Time, kdf.Memory, kdf.Threads, p.KDF.Time, p.KDF.Memory, p.KDF.Threads)
	}
	mk, err := crypto.DeriveMasterKeys(password, p.Email, kdf)
	if err != nil {
		return nil, false, err
	}
	q := *p
	q.KDF = kdf
	s, err = q.login(ctx, mk, opt)
	if errors.Is(err, ErrWrongPassword) {
		return nil, false, fmt.Errorf("%w: the master password of this account was changed on another device; unlock with the new one", ErrWrongPassword)
	}
	if err != nil {
		return nil, false, err
	}
	*p = q
	s.Profile = p
	return s, true, nil
}

func kdfFromAPI(k api.KDF) crypto.KDFParams {
	return crypto.KDFParams{Algorithm: k.Algorithm, Time: k.Time, Memory: k.Memory, Threads: k.Threads, Salt: k.Salt}
}

func kdfToAPI(k crypto.KDFParams) api.KDF {
	return api.KDF{Algorithm: k.Algorithm, Time: k.Time, Memory: k.Memory, Threads: k.Threads, Salt: k.Salt}
}

// weaker reports whether a is below b in any Argon2id parameter.
func weaker(a, b crypto.KDFParams) bool {
	return a.Time < b.Time || a.Memory < b.Memory || a.Threads < b.Threads
}

func kdfEqual(a, b crypto.KDFParams) bool {
	return a.Algorithm == b.Algorithm && a.Time == b.Time && a.Memory == b.Memory && a.Threads == b.Threads && bytes.Equal(a.Salt, b.Salt)
}

// sameIdentity: the account's identity — public keys, their signature and
// the sealed private keys — which no password change alters.
func sameIdentity(a, b api.AccountKeys) bool {
	return crypto.Equal(a.SignPub, b.SignPub) && crypto.Equal(a.KEMPub, b.KEMPub) && crypto.Equal(a.PublicKeysSig, b.PublicKeysSig) &&
		crypto.Equal(a.PrivateKeys, b.PrivateKeys)
}
