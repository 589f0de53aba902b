package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"net/http"
	"strings"

	"github.com/boombuler/barcode/qr"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store"
)

// Two-factor log-in (issue 27, docs/protocol.md §8.1). It is server
// authentication only: the TOTP secret and the recovery codes gate the
// creation of a session, and are independent of the master password, the
// KDF and every key — zero knowledge is unchanged.

const (
	totpPeriod        = 30 // seconds: what authenticator apps assume
	totpSecretSize    = 20 // bytes: RFC 4226's recommended 160 bits
	recoveryCodeCount = 10
	recoveryCodeBytes = 10 // 80 bits: out of reach of any guessing the rate limit allows
)

var totpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// recoveryCodeHash is what the server stores of a recovery code: bound to
// the account, so equal codes of two accounts do not share a hash. The
// code has 80 random bits; a fast hash suffices.
func recoveryCodeHash(userID, normalized string) []byte {
	h := sha256.Sum256([]byte("coffer/v1/2fa-recovery\x00" + userID + "\x00" + normalized))
	return h[:]
}

// normalizeCode drops separators and spaces (codes are read aloud, typed
// with dashes, pasted with spaces) and upper-cases recovery codes' base32.
func normalizeCode(code string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
}

func isTOTP(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// totpStep is the newest time step within ±1 of now whose code is code
// (compared in constant time), or -1.
func (s *Server) totpStep(secret []byte, code string) int64 {
	cur := s.now().Unix() / totpPeriod
	found := int64(-1)
	for step := cur - 1; step <= cur+1; step++ {
		want, err := hotp.GenerateCodeCustom(b32.EncodeToString(secret), uint64(step), totpOpts)
		if err == nil && crypto.Equal([]byte(want), []byte(code)) {
			found = step
		}
	}
	return found
}

var errWrongSecondFactor = &httpError{http.StatusUnauthorized, api.CodeWrongSecondFactor, "wrong, used or expired two-factor code", 0}

// factors are an account's second factors: TOTP (nil if off), its
// unused recovery codes' hashes and its security keys.
type factors struct {
	totp  *store.TwoFactor
	codes [][]byte
	keys  []store.WebAuthnCredential
}

// on: the account has a second factor (recovery codes exist only then).
func (f factors) on() bool { return f.totp != nil || len(f.keys) > 0 }

func (f factors) methods() []string {
	var m []string
	if f.totp != nil {
		m = append(m, api.MethodTOTP)
	}
	if len(f.codes) > 0 {
		m = append(m, api.MethodRecoveryCode)
	}
	if len(f.keys) > 0 {
		m = append(m, api.MethodWebAuthn)
	}
	return m
}

func (s *Server) secondFactors(r *http.Request, userID string) (factors, error) {
	var f factors
	tf, err := s.store.TwoFactor(r.Context(), userID)
	switch {
	case err == nil && !tf.EnabledAt.IsZero():
		f.totp = &tf
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return f, err
	}
	if f.keys, err = s.store.WebAuthnCredentials(r.Context(), userID); err != nil {
		return f, err
	}
	if f.on() {
		if f.codes, err = s.store.RecoveryCodeHashes(r.Context(), userID); err != nil {
			return f, err
		}
	}
	return f, nil
}

// checkSecondFactor accepts a TOTP code of a time step newer than the
// last one used, or an unused recovery code (which it consumes). Every
// check counts against the account's failed-login limit before it runs,
// as a password check does (checkAuthKey), and is given back only if the
// code was right: guessing six digits is as limited as guessing the
// password.
func (s *Server) checkSecondFactor(w http.ResponseWriter, r *http.Request, email string, f factors, userID, code string) error {
	res, err := s.reserveCodeCheck(w, r, email)
	if err != nil {
		return err
	}
	err = s.useSecondFactor(r, f, userID, normalizeCode(code))
	if err == nil {
		s.loginFail.refund(r.Context(), email, res)
		return nil
	}
	if errors.Is(err, errWrongSecondFactor) {
		// Never the code: only where from (as a failed password).
		s.metrics.loginFailures.WithLabelValues("second_factor").Inc()
		s.log.WarnContext(r.Context(), "failed second factor", "route", r.Pattern, "client", s.clientAddr(r), "user", userID)
	}
	return err
}

// reserveCodeCheck counts one code check against the account's
// failed-login limit before it runs, as checkAuthKey does for a password;
// a check that cannot be counted is not made (fail closed).
func (s *Server) reserveCodeCheck(w http.ResponseWriter, r *http.Request, email string) (any, error) {
	res, ok, wait, err := s.loginFail.reserve(r.Context(), email, s.now())
	if err != nil {
		return nil, s.errLimitsUnavailable(w, "login", err)
	}
	if !ok {
		noteLimit(r, "failed_logins")
		retryAfter(w, wait)
		return nil, &httpError{http.StatusTooManyRequests, api.CodeRateLimited, "too many failed logins for this account; wait a few minutes", 0}
	}
	return res, nil
}

func (s *Server) useSecondFactor(r *http.Request, f factors, userID, code string) error {
	if isTOTP(code) {
		if f.totp == nil {
			return errWrongSecondFactor
		}
		step := s.totpStep(f.totp.Secret, code)
		if step < 0 {
			return errWrongSecondFactor
		}
		err := s.store.UseTOTPStep(r.Context(), userID, step)
		if errors.Is(err, store.ErrNotFound) {
			return errWrongSecondFactor // a replay
		}
		return err
	}
	h := recoveryCodeHash(userID, code)
	found := false
	for _, x := range f.codes {
		// Every stored hash is compared, in constant time.
		found = crypto.Equal(x, h) || found
	}
	if !found {
		return errWrongSecondFactor
	}
	err := s.store.UseRecoveryCode(r.Context(), userID, h)
	if errors.Is(err, store.ErrNotFound) {
		return errWrongSecondFactor // a concurrent log-in used it
	}
	return err
}

// secondFactorGate is the log-in's second step: after the master password
// was proved, an account with a second factor gets no session without a
// valid code or security key assertion. Without either the answer says
// which factors the account has (with a security key's challenge).
func (s *Server) secondFactorGate(w http.ResponseWriter, r *http.Request, email string, acct store.Account, req api.LoginRequest) error {
	f, err := s.secondFactors(r, acct.ID)
	if err != nil || !f.on() {
		return err
	}
	switch {
	case len(req.WebAuthn) > 0 && len(f.keys) > 0:
		return s.checkAssertion(w, r, email, acct, f, req.WebAuthn)
	case len(req.WebAuthn) > 0:
		return errWrongSecondFactor
	case strings.TrimSpace(req.SecondFactor) == "":
		return s.loginChallenge(r, acct, f)
	}
	return s.checkSecondFactor(w, r, email, f, acct.ID, req.SecondFactor)
}

// reproveBody decodes a body that is only the master password's proof
// (api.TwoFactorStartRequest) and proves it afresh (reprove).
func (s *Server) reproveBody(w http.ResponseWriter, r *http.Request) (store.Account, error) {
	var req api.TwoFactorStartRequest
	if err := s.decode(w, r, &req); err != nil {
		return store.Account{}, err
	}
	return s.reprove(w, r, req.AuthKey)
}

// reprove proves the caller's master password afresh, as account deletion
// does: a stolen session token alone cannot change the second factor.
func (s *Server) reprove(w http.ResponseWriter, r *http.Request, authKey []byte) (store.Account, error) {
	me, err := s.store.AccountByID(r.Context(), callerFrom(r.Context()).session.UserID)
	if err != nil {
		return store.Account{}, err
	}
	acct, err := s.checkAuthKey(w, r, me.Email, authKey)
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusUnauthorized {
		return store.Account{}, &httpError{http.StatusForbidden, api.CodeWrongPassword, "the master password is wrong; nothing was changed", 0}
	}
	if err != nil {
		return store.Account{}, err
	}
	if acct.ID != me.ID {
		return store.Account{}, errUnauthorized("the account changed its address meanwhile; try again")
	}
	return acct, nil
}

func (s *Server) twoFactorStatus(w http.ResponseWriter, r *http.Request) error {
	userID := callerFrom(r.Context()).session.UserID
	tf, err := s.store.TwoFactor(r.Context(), userID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	on := err == nil && !tf.EnabledAt.IsZero()
	f, err2 := s.secondFactors(r, userID)
	if err2 != nil {
		return err2
	}
	st := api.TwoFactorStatus{Enabled: on, Pending: err == nil && !on, RecoveryCodesLeft: len(f.codes), SecurityKeys: []api.SecurityKey{}}
	for _, k := range f.keys {
		st.SecurityKeys = append(st.SecurityKeys, securityKeyView(k))
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) startTwoFactor(w http.ResponseWriter, r *http.Request) error {
	acct, err := s.reproveBody(w, r)
	if err != nil {
		return err
	}
	secret := make([]byte, totpSecretSize)
	rand.Read(secret)
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Coffer", AccountName: acct.Email, Period: totpPeriod,
		Secret: secret, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return err
	}
	err = s.store.StartTwoFactor(r.Context(), acct.ID, secret, s.now())
	if errors.Is(err, store.ErrExists) {
		return &httpError{http.StatusConflict, api.CodeExists, "two-factor log-in is on already; disable it first to enrol a new authenticator", 0}
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "two-factor enrolment started", "user", acct.ID)
	writeJSON(w, http.StatusOK, api.TwoFactorStart{Secret: key.Secret(), URI: key.URL(), QR: qrModules(key.URL())})
	return nil
}

// qrModules encodes text as a QR code's module rows; nil if it cannot
// (the secret and the URI still enrol an app).
func qrModules(text string) []string {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil
	}
	b := code.Bounds()
	rows := make([]string, 0, b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		var row strings.Builder
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				row.WriteByte('1')
			} else {
				row.WriteByte('0')
			}
		}
		rows = append(rows, row.String())
	}
	return rows
}

func (s *Server) confirmTwoFactor(w http.ResponseWriter, r *http.Request) error {
	var req api.TwoFactorConfirmRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	userID := callerFrom(r.Context()).session.UserID
	me, err := s.store.AccountByID(r.Context(), userID)
	if err != nil {
		return err
	}
	tf, err := s.store.TwoFactor(r.Context(), userID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !tf.EnabledAt.IsZero() {
		return errConflict("no two-factor enrolment is waiting for a code; start one first", 0)
	}
	if err != nil {
		return err
	}
	// A wrong code counts as a failed log-in, like every code check.
	res, err := s.reserveCodeCheck(w, r, me.Email)
	if err != nil {
		return err
	}
	code := normalizeCode(req.Code)
	step := int64(-1)
	if isTOTP(code) {
		step = s.totpStep(tf.Secret, code)
	}
	if step < 0 {
		s.log.WarnContext(r.Context(), "failed second factor", "route", r.Pattern, "client", s.clientAddr(r), "user", userID)
		return &httpError{http.StatusForbidden, api.CodeWrongSecondFactor, "wrong code: give the current code your authenticator app shows for this account", 0}
	}
	s.loginFail.refund(r.Context(), me.Email, res)
	codes, hashes := newRecoveryCodes(userID)
	if err := s.store.ConfirmTwoFactor(r.Context(), userID, step, hashes, s.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errConflict("the enrolment changed meanwhile; start again", 0)
		}
		return err
	}
	s.log.InfoContext(r.Context(), "two-factor log-in enabled", "user", userID)
	writeJSON(w, http.StatusOK, api.TwoFactorEnabled{RecoveryCodes: codes})
	return nil
}

func (s *Server) disableTwoFactor(w http.ResponseWriter, r *http.Request) error {
	var req api.TwoFactorDisableRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	acct, err := s.reprove(w, r, req.AuthKey)
	if err != nil {
		return err
	}
	tf, err := s.store.TwoFactor(r.Context(), acct.ID)
	if errors.Is(err, store.ErrNotFound) {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err != nil {
		return err
	}
	if !tf.EnabledAt.IsZero() {
		if err := s.heldByTwoFactor(r.Context(), acct.ID); err != nil {
			return err
		}
		f, err := s.secondFactors(r, acct.ID)
		if err != nil {
			return err
		}
		err = s.checkSecondFactor(w, r, acct.Email, f, acct.ID, req.Code)
		var he *httpError
		if errors.As(err, &he) && he.code == api.CodeWrongSecondFactor {
			return &httpError{http.StatusForbidden, api.CodeWrongSecondFactor, "wrong, used or expired two-factor code; two-factor log-in stays on", 0}
		}
		if err != nil {
			return err
		}
	}
	if err := s.store.DisableTwoFactor(r.Context(), acct.ID); err != nil {
		if errors.As(err, new(*store.TwoFactorHeldError)) {
			return errTwoFactorRequired(msgHeldBy2FA)
		}
		return err
	}
	s.log.InfoContext(r.Context(), "two-factor log-in disabled", "user", acct.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// newRecoveryCodesFor: POST /account/2fa/recovery-codes. A fresh set of
// 10 recovery codes, behind a fresh proof of the master password (a
// stolen session alone cannot take the codes); the old ones stop working
// in the same transaction. 404 without a second factor.
func (s *Server) newRecoveryCodesFor(w http.ResponseWriter, r *http.Request) error {
	acct, err := s.reproveBody(w, r)
	if err != nil {
		return err
	}
	codes, hashes := newRecoveryCodes(acct.ID)
	if err := s.store.ReplaceRecoveryCodes(r.Context(), acct.ID, hashes); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return &httpError{http.StatusNotFound, api.CodeNotFound, "this account has no two-factor log-in, so no recovery codes", 0}
		}
		return err
	}
	s.log.InfoContext(r.Context(), "recovery codes replaced", "user", acct.ID)
	writeJSON(w, http.StatusOK, api.TwoFactorEnabled{RecoveryCodes: codes})
	return nil
}
