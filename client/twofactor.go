package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Two-factor log-in (docs/protocol.md §8.1) is server authentication
// only: nothing here touches a key. The master password is proved afresh
// to start or to stop it, as for deleting the account.

var (
	// ErrSecondFactorRequired: the account has two-factor log-in and no
	// code was given (Options.SecondFactor).
	ErrSecondFactorRequired = errors.New("this account has two-factor log-in: give a code from your authenticator app or a recovery code")
	// ErrWrongSecondFactor: the code was wrong, used already, or of a
	// time step already used. It counts as a failed log-in.
	ErrWrongSecondFactor = errors.New("wrong, used or expired two-factor code")
)

// TwoFactorStatus says whether the account has two-factor log-in.
func (s *Session) TwoFactorStatus(ctx context.Context) (api.TwoFactorStatus, error) {
	var st api.TwoFactorStatus
	err := s.t.do(ctx, "GET", "/account/2fa", nil, &st)
	return st, err
}

// authKeyAfresh derives the account's authentication key from password
// with the account's current KDF parameters, after checking that the
// password opens the account key (a wrong one is not sent).
func (s *Session) authKeyAfresh(ctx context.Context, password []byte) ([]byte, error) {
	var acct api.Account
	if err := s.t.do(ctx, "GET", "/account", nil, &acct); err != nil {
		return nil, err
	}
	if acct.UserID != s.Profile.UserID || !sameIdentity(acct.Keys, s.Profile.Keys) {
		return nil, tampered("the server returned another account's key material")
	}
	mk, err := crypto.DeriveMasterKeys(password, s.Profile.Email, kdfFromAPI(acct.KDF))
	if err != nil {
		return nil, err
	}
	if _, err := crypto.UnwrapAccountKey(mk.KEK, acct.Keys.WrappedAccountKey, s.Profile.UserID); err != nil {
		return nil, ErrWrongPassword
	}
	return mk.AuthKey, nil
}

func wrongProof(err error) error {
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Code == api.CodeWrongPassword:
		return ErrWrongPassword
	case errors.As(err, &ae) && ae.Code == api.CodeWrongSecondFactor:
		return ErrWrongSecondFactor
	}
	return err
}

// StartTwoFactor begins an enrolment: the server makes a TOTP secret and
// returns it with its otpauth URI for an authenticator app.
func (s *Session) StartTwoFactor(ctx context.Context, password []byte) (api.TwoFactorStart, error) {
	var st api.TwoFactorStart
	key, err := s.authKeyAfresh(ctx, password)
	if err != nil {
		return st, err
	}
	err = s.t.do(ctx, "POST", "/account/2fa", api.TwoFactorStartRequest{AuthKey: key}, &st)
	return st, wrongProof(err)
}

// ConfirmTwoFactor turns two-factor log-in on with a current code and
// returns the 10 recovery codes: the only time they are shown.
func (s *Session) ConfirmTwoFactor(ctx context.Context, code string) ([]string, error) {
	var en api.TwoFactorEnabled
	err := s.t.do(ctx, "POST", "/account/2fa/confirm", api.TwoFactorConfirmRequest{Code: code}, &en)
	return en.RecoveryCodes, wrongProof(err)
}

// DisableTwoFactor turns two-factor log-in off: the master password and a
// current code (TOTP or recovery).
func (s *Session) DisableTwoFactor(ctx context.Context, password []byte, code string) error {
	key, err := s.authKeyAfresh(ctx, password)
	if err != nil {
		return err
	}
	err = s.t.do(ctx, "POST", "/account/2fa/disable", api.TwoFactorDisableRequest{AuthKey: key, Code: code}, nil)
	if isTwoFactorRequired(err) {
		return ErrTwoFactorHeld
	}
	return wrongProof(err)
}

// ErrSecurityKeyCloned: the security key's signature counter went
// backwards (docs/protocol.md §8.2), a sign of a cloned key; refused.
var ErrSecurityKeyCloned = errors.New("this security key's signature counter went backwards: the key may have been cloned; log in with another second factor and remove it")

// SecondFactorRequiredError is a log-in refused for want of a second
// factor: Challenge says which ones the account has (and carries a
// security key's assertion options). It is ErrSecondFactorRequired.
type SecondFactorRequiredError struct {
	Challenge api.SecondFactorChallenge
}

func (e *SecondFactorRequiredError) Error() string {
	if e.OnlySecurityKey() {
		return "this account's second factor is a security key, which works only in the web app (a browser); it has no authenticator app or recovery code to use here"
	}
	return ErrSecondFactorRequired.Error()
}

func (e *SecondFactorRequiredError) Is(target error) bool { return target == ErrSecondFactorRequired }

// Has says whether the account accepts method (api.Method*).
func (e *SecondFactorRequiredError) Has(method string) bool {
	for _, m := range e.Challenge.Methods {
		if m == method {
			return true
		}
	}
	return false
}

// OnlySecurityKey: a security key is the account's only usable second
// factor (no TOTP, no recovery code left).
func (e *SecondFactorRequiredError) OnlySecurityKey() bool {
	return e.Has(api.MethodWebAuthn) && !e.Has(api.MethodTOTP) && !e.Has(api.MethodRecoveryCode)
}

// SecondFactorAnswer is a log-in's second factor: a code (TOTP or
// recovery) or a security key's assertion (PublicKeyCredential.toJSON()
// for the challenge's options, as the browser made it).
type SecondFactorAnswer struct {
	Code      string
	Assertion json.RawMessage
}

// SecurityKeys lists the account's registered security keys.
func (s *Session) SecurityKeys(ctx context.Context) ([]api.SecurityKey, error) {
	var keys []api.SecurityKey
	err := s.t.do(ctx, "GET", "/account/2fa/webauthn", nil, &keys)
	return keys, err
}

// BeginSecurityKey proves the master password afresh and returns the
// creation options for navigator.credentials.create, as the server made
// them.
func (s *Session) BeginSecurityKey(ctx context.Context, password []byte) (api.SecurityKeyBegin, error) {
	var b api.SecurityKeyBegin
	key, err := s.authKeyAfresh(ctx, password)
	if err != nil {
		return b, err
	}
	err = s.t.do(ctx, "POST", "/account/2fa/webauthn", api.SecurityKeyBeginRequest{AuthKey: key}, &b)
	return b, wrongProof(err)
}

// FinishSecurityKey registers the credential the browser created
// (PublicKeyCredential.toJSON()) under name. The account's first second
// factor comes with its 10 recovery codes: the only time they are shown.
func (s *Session) FinishSecurityKey(ctx context.Context, name string, credential json.RawMessage) (api.SecurityKeyAdded, error) {
	var a api.SecurityKeyAdded
	err := s.t.do(ctx, "POST", "/account/2fa/webauthn/finish", api.SecurityKeyFinishRequest{Name: name, Credential: credential}, &a)
	return a, err
}

// RemoveSecurityKey removes a key: the master password afresh.
func (s *Session) RemoveSecurityKey(ctx context.Context, password []byte, id string) error {
	key, err := s.authKeyAfresh(ctx, password)
	if err != nil {
		return err
	}
	return wrongProof(s.t.do(ctx, "POST", "/account/2fa/webauthn/"+url.PathEscape(id)+"/remove", api.SecurityKeyRemoveRequest{AuthKey: key}, nil))
}

// NewRecoveryCodes replaces the account's recovery codes with 10 new
// ones, returned once; the old ones stop working. It proves the master
// password afresh.
func (s *Session) NewRecoveryCodes(ctx context.Context, password []byte) ([]string, error) {
	key, err := s.authKeyAfresh(ctx, password)
	if err != nil {
		return nil, err
	}
	var out api.TwoFactorEnabled
	if err := s.t.do(ctx, "POST", "/account/2fa/recovery-codes", api.TwoFactorStartRequest{AuthKey: key}, &out); err != nil {
		return nil, wrongProof(err)
	}
	return out.RecoveryCodes, nil
}
