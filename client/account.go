package client

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Profile is what a device keeps about an account between runs. It holds
// no clear key: the account key is sealed under the password-derived KEK,
// the private keys under the account key, the server token under the
// account key. The KDF parameters are pinned at login: later unlocks never
// take them from the server.
type Profile struct {
	Server      string           `json:"server"`
	UserID      string           `json:"user_id"`
	Email       string           `json:"email"`
	Name        string           `json:"name"`
	KDF         crypto.KDFParams `json:"kdf"`
	Keys        api.AccountKeys  `json:"keys"`
	SealedToken []byte           `json:"sealed_token,omitempty"`
	SessionID   string           `json:"session_id,omitempty"`
}

// Options configure a client; all fields are optional.
type Options struct {
	HTTPClient  *HTTPClient // net/http's *http.Client, natively; unused in a browser
	Description string      // device name shown in the account's session list
	// DeviceID is a random id the caller keeps for as long as it lives
	// on the device (NewDeviceID): the server mails the account when it
	// logs in from a device it has not used before (docs/security.md
	// 27.8). Empty: the server goes by the device name and network.
	DeviceID string
	Now      func() time.Time
	// DeferSignatures makes a full sync (a log-in, a device without a
	// cache) check each item against its vault's signed manifest and
	// decrypt it, but leave each revision's own signature for
	// CheckDeferred or the item's first use (docs/protocol.md §16.7): the
	// web app shows a big vault before the last signature is checked.
	DeferSignatures bool
	// SecondFactor is asked for a TOTP code, a recovery code or a security
	// key's assertion when the account has two-factor log-in
	// (docs/protocol.md §8.1, §8.2), with what the account accepts (and a
	// security key's assertion options); the log-in is then sent again
	// with the answer, without deriving the keys again. Without it such a
	// log-in fails with a *SecondFactorRequiredError.
	SecondFactor func(ctx context.Context, ch api.SecondFactorChallenge) (SecondFactorAnswer, error)
	// SSO is a single sign-on's ticket and verifier (SSOStart): a log-in
	// or sign-up with it is one the company's provider proved.
	SSO *api.SSOProof
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func tokenAD(userID string) []byte {
	return crypto.Tuple("coffer/v1/local-server-token", []byte(userID))
}

// Signup creates an account with a fresh identity, account key and My Vault
// on server, then logs in. The password is only used on this device.
func Signup(ctx context.Context, server, email, name string, password []byte, opt Options) (*Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := CheckNewPassword(password); err != nil {
		return nil, err
	}
	userID, vaultID := uuid.NewString(), uuid.NewString()
	kdf := crypto.DefaultKDFParams()
	mk, err := crypto.DeriveMasterKeys(password, email, kdf)
	if err != nil {
		return nil, err
	}
	ak := crypto.NewKey()
	id, err := crypto.NewIdentity()
	if err != nil {
		return nil, err
	}
	wrappedAK, err := crypto.WrapAccountKey(mk.KEK, ak, userID)
	if err != nil {
		return nil, err
	}
	privateKeys, err := id.SealPrivateKeys(ak, userID)
	if err != nil {
		return nil, err
	}
	vk := crypto.NewKey()
	vctx := crypto.VaultKeyContext("", vaultID, 1, crypto.RecipientUser, userID, id.Public())
	wrap, sig, err := crypto.WrapKey(id, userID, vctx, vk)
	if err != nil {
		return nil, err
	}
	manifest, err := firstManifest(id, userID, "", vaultID, opt.now().UnixMilli())
	if err != nil {
		return nil, err
	}
	req := api.SignupRequest{
		UserID: userID, Email: email, Name: name,
		KDF:     kdfToAPI(kdf),
		AuthKey: mk.AuthKey,
		Keys: api.AccountKeys{SignPub: id.Public().Sign, KEMPub: id.Public().KEM, PublicKeysSig: id.SignPublicKeys(crypto.RecipientUser, userID, id.Public()),
			WrappedAccountKey: wrappedAK, PrivateKeys: privateKeys},
		PersonalVault: vaultID,
		VaultKeyWrap:  api.VaultKeyWrap{VaultID: vaultID, Epoch: 1, RecipientKind: crypto.RecipientUser, RecipientID: userID, SignerID: userID, Wrap: wrap, Sig: sig},
		Manifest:      manifest,
		SSO:           opt.SSO,
	}
	t := newTransport(server, opt.HTTPClient)
	var resp api.SignupResponse
	if err := t.do(ctx, "POST", "/accounts", req, &resp); err != nil {
		return nil, err
	}
	if resp.Verification == api.VerificationMailed {
		return nil, &VerificationNeededError{Server: t.base, UserID: userID, Email: email}
	}
	p := &Profile{Server: t.base, UserID: userID, Email: email, Name: name, KDF: kdf, Keys: req.Keys}
	s, err := p.login(ctx, mk, opt)
	if err != nil {
		return nil, err
	}
	// The creator keeps the vault key it just made and never takes it back
	// from the server (THREATS B, overwrite right after creation).
	s.vaultKeys[epochKey{vaultID, 1}] = vk
	return s, nil
}

// MinPasswordLength is the shortest master password Signup accepts.
const MinPasswordLength = 10

// CheckNewPassword applies the master password policy: at least
// MinPasswordLength characters. Everything else is the user's choice; the
// Argon2id floor makes each guess expensive.
func CheckNewPassword(pw []byte) error {
	if n := utf8.RuneCount(pw); n < MinPasswordLength {
		return fmt.Errorf("%w: the master password must have at least %d characters (it has %d)", ErrWeakPassword, MinPasswordLength, n)
	}
	return nil
}

// Login authenticates to server with e-mail and master password, checks and
// opens the account's key material, and returns an unlocked session and
// the profile to keep.
func Login(ctx context.Context, server, email string, password []byte, opt Options) (*Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	t := newTransport(server, opt.HTTPClient)
	var k api.KDF
	if err := t.do(ctx, "POST", "/prelogin", api.PreloginRequest{Email: email}, &k); err != nil {
		return nil, err
	}
	kdf := kdfFromAPI(k)
	// The floor check happens inside DeriveMasterKeys, before any work and
	// before anything is sent.
	mk, err := crypto.DeriveMasterKeys(password, email, kdf)
	if err != nil {
		return nil, err
	}
	p := &Profile{Server: t.base, Email: email, KDF: kdf}
	return p.login(ctx, mk, opt)
}

// loginError is the error of a refused log-in.
func loginError(err error) error {
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Code == api.CodeWrongSecondFactor:
		return ErrWrongSecondFactor
	case errors.As(err, &ae) && ae.Code == api.CodeSecurityKeyCloned:
		return ErrSecurityKeyCloned
	case errors.As(err, &ae) && ae.Code == api.CodeSecondFactorRequired:
		return &SecondFactorRequiredError{Challenge: api.SecondFactorChallenge{}}
	case errors.As(err, &ae) && ae.Code == api.CodeSSOTicket:
		return err // said in words by the server; not a wrong password
	case errors.As(err, &ae) && ae.Status == statusUnauthorized:
		return fmt.Errorf("%w (or unknown e-mail address)", ErrWrongPassword)
	case errors.As(err, &ae) && ae.Code == api.CodeAccountDisabled:
		return ErrAccountDisabled
	}
	return err
}

// login sends the authentication key, fetches the account and opens it.
func (p *Profile) login(ctx context.Context, mk crypto.MasterKeys, opt Options) (*Session, error) {
	t := newTransport(p.Server, opt.HTTPClient)
	var lr api.LoginResponse
	req := api.LoginRequest{Email: p.Email, AuthKey: mk.AuthKey, Description: opt.Description, DeviceID: opt.DeviceID, SSO: opt.SSO}
	err := t.do(ctx, "POST", "/sessions", req, &lr)
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == api.CodeSecondFactorRequired {
		ch := api.SecondFactorChallenge{}
		if ae.SecondFactor != nil {
			ch = *ae.SecondFactor
		}
		if opt.SecondFactor == nil {
			return nil, &SecondFactorRequiredError{Challenge: ch}
		}
		ans, aerr := opt.SecondFactor(ctx, ch)
		if aerr != nil {
			return nil, aerr
		}
		req.SecondFactor, req.WebAuthn = ans.Code, ans.Assertion
		err = t.do(ctx, "POST", "/sessions", req, &lr)
	}
	if err != nil {
		return nil, loginError(err)
	}
	t.token = lr.Token
	var acct api.Account
	if err := t.do(ctx, "GET", "/account", nil, &acct); err != nil {
		return nil, err
	}
	if acct.UserID != lr.UserID || (p.UserID != "" && acct.UserID != p.UserID) || !strings.EqualFold(acct.Email, p.Email) {
		return nil, tampered("the server returned another account")
	}
	// The wrapped account key changes with the password; the identity
	// never does.
	if p.UserID != "" && !sameIdentity(acct.Keys, p.Keys) {
		return nil, tampered("the server returned different key material for this account")
	}
	p.UserID, p.Name, p.Keys, p.SessionID = acct.UserID, acct.Name, acct.Keys, lr.SessionID
	ak, err := crypto.UnwrapAccountKey(mk.KEK, p.Keys.WrappedAccountKey, p.UserID)
	if err != nil {
		// The server accepted our proof, so the password is right: a key
		// that does not open was altered.
		return nil, tampered("account key")
	}
	s, err := p.open(ak, opt)
	if err != nil {
		return nil, err
	}
	s.t.token = lr.Token
	if p.SealedToken, err = crypto.Seal(ak, []byte(lr.Token), tokenAD(p.UserID)); err != nil {
		return nil, err
	}
	return s, nil
}

// Unlock opens the profile with the master password, without the server.
// The KDF parameters are the ones pinned in the profile.
func (p *Profile) Unlock(password []byte, opt Options) (*Session, error) {
	mk, err := crypto.DeriveMasterKeys(password, p.Email, p.KDF)
	if err != nil {
		return nil, err
	}
	ak, err := crypto.UnwrapAccountKey(mk.KEK, p.Keys.WrappedAccountKey, p.UserID)
	if err != nil {
		return nil, ErrWrongPassword
	}
	return p.OpenWithAccountKey(ak, opt)
}

// Relogin gets a new server session for an unlocked profile whose server
// session expired; it needs the master password again.
func (p *Profile) Relogin(ctx context.Context, password []byte, opt Options) (*Session, error) {
	mk, err := crypto.DeriveMasterKeys(password, p.Email, p.KDF)
	if err != nil {
		return nil, err
	}
	if _, err := crypto.UnwrapAccountKey(mk.KEK, p.Keys.WrappedAccountKey, p.UserID); err != nil {
		return nil, ErrWrongPassword
	}
	return p.login(ctx, mk, opt)
}

// OpenWithAccountKey opens the profile with an account key (from a local
// session) and restores the server token.
func (p *Profile) OpenWithAccountKey(ak []byte, opt Options) (*Session, error) {
	s, err := p.open(ak, opt)
	if err != nil {
		return nil, err
	}
	if len(p.SealedToken) > 0 {
		tok, err := crypto.Open(ak, p.SealedToken, tokenAD(p.UserID))
		if err != nil {
			return nil, tampered("stored session token")
		}
		s.t.token = string(tok)
	}
	return s, nil
}

// open checks the public keys' self-signature and opens the private keys.
func (p *Profile) open(ak []byte, opt Options) (*Session, error) {
	pub := crypto.PublicKeys{Sign: p.Keys.SignPub, KEM: p.Keys.KEMPub}
	if err := crypto.VerifyPublicKeys(crypto.RecipientUser, p.UserID, pub, pub, p.Keys.PublicKeysSig); err != nil {
		return nil, tampered("public keys")
	}
	id, err := crypto.OpenPrivateKeys(ak, p.Keys.PrivateKeys, p.UserID, pub)
	if err != nil {
		return nil, tampered("private keys")
	}
	return newSession(p, ak, id, newTransport(p.Server, opt.HTTPClient), opt), nil
}

// Fingerprint is the account's key fingerprint for out-of-band comparison.
func (p *Profile) Fingerprint() string {
	return crypto.PublicKeys{Sign: p.Keys.SignPub, KEM: p.Keys.KEMPub}.FingerprintText()
}

// LocalSession is an unlocked state sealed for the next run of a CLI: the
// account key under a random local session key, which the user holds
// (COFFER_SESSION) and the disk never does.
type LocalSession struct {
	ID     string `json:"id"`
	Sealed []byte `json:"sealed"`
}

func localSessionAD(userID, id string) []byte {
	return crypto.Tuple("coffer/v1/local-session", []byte(userID), []byte(id))
}

// ExportLocal seals the account key under a fresh local session key and
// returns the key (for the user) and the sealed state (for the disk).
func (s *Session) ExportLocal() (key []byte, ls LocalSession, err error) {
	key = crypto.NewKey()
	ls.ID = uuid.NewString()
	ls.Sealed, err = crypto.Seal(key, s.ak, localSessionAD(s.Profile.UserID, ls.ID))
	return key, ls, err
}

// ResumeLocal opens a local session with its key.
func (p *Profile) ResumeLocal(key []byte, ls LocalSession, opt Options) (*Session, error) {
	ak, err := crypto.Open(key, ls.Sealed, localSessionAD(p.UserID, ls.ID))
	if err != nil {
		return nil, errors.New("the session key opens no session of this device (it was locked, or the session was the oldest of more than 32 and was closed); run coffer unlock")
	}
	return p.OpenWithAccountKey(ak, opt)
}

// Logout revokes the server session.
func (s *Session) Logout(ctx context.Context) error {
	if s.t.token == "" {
		return nil
	}
	err := s.t.do(ctx, "DELETE", "/sessions/current", nil, nil)
	if errors.Is(err, ErrUnauthorized) {
		return nil // already expired or revoked
	}
	return err
}

// Token returns the server session token (for tests and tools).
func (s *Session) Token() string { return s.t.token }

// SessionInfo is one server session of the account, as the server lists
// it (never its token).
type SessionInfo = api.Session

// Sessions lists the account's server sessions, revoked and expired ones
// included; Current marks this one.
func (s *Session) Sessions(ctx context.Context) ([]SessionInfo, error) {
	var out []SessionInfo
	err := s.t.do(ctx, "GET", "/sessions", nil, &out)
	return out, err
}

// RevokeSession ends one of the account's server sessions: its next
// request is refused and its live stream closes. ErrNotFound if the
// account has no such session still live (another account's is refused
// the same way).
func (s *Session) RevokeSession(ctx context.Context, id string) error {
	err := s.t.do(ctx, "DELETE", "/sessions/"+url.PathEscape(id), nil, nil)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return fmt.Errorf("%w: no live session %s of this account", ErrNotFound, sanitize(id, 80))
	}
	return err
}

// RevokeOtherSessions ends every live server session of the account but
// this one ("sign out all other devices") and returns how many it ended.
// One that ends meanwhile (revoked elsewhere, expired) is not an error.
func (s *Session) RevokeOtherSessions(ctx context.Context) (int, error) {
	list, err := s.Sessions(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, x := range list {
		if x.Current || x.Revoked || !time.Now().Before(x.ExpiresAt) {
			continue
		}
		switch err := s.RevokeSession(ctx, x.ID); {
		case err == nil:
			n++
		case !errors.Is(err, ErrNotFound):
			return n, err
		}
	}
	return n, nil
}

// NewDeviceID makes a device id (Options.DeviceID): 128 random bits,
// base64url. It is no secret and opens nothing.
func NewDeviceID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
