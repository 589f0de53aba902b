package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
)

// Security keys (WebAuthn) as a second factor (issue 27,
// docs/protocol.md §8.2). Like TOTP it is server authentication only: a
// key's public key checks an assertion and opens nothing. The ceremonies'
// challenges live in the database (every instance on one PostgreSQL sees
// them), bound to the account and the ceremony, used once, for
// webauthnTTL.

const (
	webauthnTTL           = 5 * time.Minute
	webauthnMaxChallenges = 10 // live challenges per account; the oldest make room
	ceremonyRegister      = "register"
	ceremonyLogin         = "login"
	maxKeyName            = 64
)

// relyingParty is the RP ID and origin of a WebAuthn ceremony: from the
// configured public URL when there is one (a request from another origin
// is refused), else from the request's Origin header. A browser sets
// Origin on every POST; a client that sends none, like the CLI, cannot
// use security keys.
func (s *Server) relyingParty(r *http.Request) (rpID, origin string, err error) {
	got := r.Header.Get("Origin")
	if got == "" {
		return "", "", errors.New("security keys work only in a browser (the web app)")
	}
	if s.cfg.PublicURL != "" {
		u, err := url.Parse(s.cfg.PublicURL)
		if err != nil || u.Host == "" {
			return "", "", errors.New("the public URL is not a URL")
		}
		origin = u.Scheme + "://" + u.Host
		if !strings.EqualFold(got, origin) {
			return "", "", errors.New("security keys work only at " + origin)
		}
		return u.Hostname(), origin, nil
	}
	u, err := url.Parse(got)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" {
		return "", "", errors.New("security keys work only in a browser")
	}
	return u.Hostname(), u.Scheme + "://" + u.Host, nil
}

func newRelyingParty(rpID, origin string) (*webauthn.WebAuthn, error) {
	return webauthn.New(&webauthn.Config{
		RPID: rpID, RPDisplayName: "Coffer", RPOrigins: []string{origin},
		AttestationPreference: protocol.PreferNoAttestation,
		// A second factor after the master password: presence suffices.
		AuthenticatorSelection: protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementDiscouraged, UserVerification: protocol.VerificationDiscouraged},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: webauthnTTL, TimeoutUVD: webauthnTTL},
			Registration: webauthn.TimeoutConfig{Timeout: webauthnTTL, TimeoutUVD: webauthnTTL},
		},
	})
}

// waUser is an account as the library sees it: the user handle is the
// account id; only the keys registered for rpID take part.
type waUser struct {
	acct  store.Account
	creds []webauthn.Credential
}

func (u waUser) WebAuthnID() []byte                         { return []byte(u.acct.ID) }
func (u waUser) WebAuthnName() string                       { return u.acct.Email }
func (u waUser) WebAuthnDisplayName() string                { return u.acct.Email }
func (u waUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func newWAUser(acct store.Account, keys []store.WebAuthnCredential, rpID string) waUser {
	u := waUser{acct: acct}
	for _, k := range keys {
		if k.RPID != rpID {
			continue
		}
		c := webauthn.Credential{ID: k.CredentialID, PublicKey: k.PublicKey, Flags: webauthn.CredentialFlagsFromMsgpByte(k.Flags),
			Authenticator: webauthn.Authenticator{AAGUID: k.AAGUID, SignCount: k.SignCount}}
		for _, t := range k.Transports {
			c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
		}
		u.creds = append(u.creds, c)
	}
	return u
}

// challengeHash is what a challenge is stored and found by: the SHA-256
// of its bytes (the client returns it base64url-encoded in its client data).
func challengeHash(b64 string) ([]byte, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(b64, "="))
	if err != nil || len(raw) < 16 {
		return nil, false
	}
	h := sha256.Sum256(raw)
	return h[:], true
}

func (s *Server) putChallenge(r *http.Request, userID, ceremony string, sd *webauthn.SessionData) error {
	h, ok := challengeHash(sd.Challenge)
	if !ok {
		return errors.New("webauthn: a challenge that does not decode")
	}
	data, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	now := s.now()
	return s.store.PutWebAuthnChallenge(r.Context(), store.WebAuthnChallenge{Hash: h, UserID: userID, Ceremony: ceremony, Session: data, ExpiresAt: now.Add(webauthnTTL)}, now, webauthnMaxChallenges)
}

// takeChallenge consumes the challenge the client signed: ErrNotFound if
// it is not this account's for ceremony, expired, or used already.
func (s *Server) takeChallenge(r *http.Request, userID, ceremony, b64 string) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	h, ok := challengeHash(b64)
	if !ok {
		return sd, store.ErrNotFound
	}
	ch, err := s.store.TakeWebAuthnChallenge(r.Context(), h, userID, ceremony, s.now())
	if err != nil {
		return sd, err
	}
	return sd, json.Unmarshal(ch.Session, &sd)
}

func securityKeyView(k store.WebAuthnCredential) api.SecurityKey {
	return api.SecurityKey{ID: k.ID, Name: k.Name, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt}
}

// loginChallenge is the second_factor_required answer for an account with
// the given factors: the methods, and for security keys registered at
// this origin the assertion options of a fresh stored challenge.
func (s *Server) loginChallenge(r *http.Request, acct store.Account, f factors) error {
	ch := &api.SecondFactorChallenge{Methods: f.methods()}
	msg := "this account has two-factor log-in: give a code from your authenticator app or a recovery code"
	if len(f.keys) > 0 {
		msg = "this account has two-factor log-in: use your security key, or give a code from your authenticator app or a recovery code"
		if f.totp == nil {
			msg = "this account has two-factor log-in with a security key: use it in the web app, or give a recovery code"
		}
		if rpID, origin, err := s.relyingParty(r); err == nil {
			if u := newWAUser(acct, f.keys, rpID); len(u.creds) > 0 {
				wa, err := newRelyingParty(rpID, origin)
				if err != nil {
					return err
				}
				opts, sd, err := wa.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationDiscouraged))
				if err != nil {
					return err
				}
				if err := s.putChallenge(r, acct.ID, ceremonyLogin, sd); err != nil {
					return err
				}
				if ch.WebAuthn, err = json.Marshal(opts); err != nil {
					return err
				}
			}
		}
	}
	return &secondFactorError{httpError{http.StatusUnauthorized, api.CodeSecondFactorRequired, msg, 0}, ch}
}

// secondFactorError is second_factor_required with what the account has.
type secondFactorError struct {
	httpError
	challenge *api.SecondFactorChallenge
}

var errKeyCloned = &httpError{http.StatusUnauthorized, api.CodeSecurityKeyCloned,
	"this security key's signature counter went backwards: the key may have been cloned; log in with another second factor and remove this key", 0}

// checkAssertion checks a security key's assertion for a log-in. Like a
// code, it counts against the account's failed-login limit before it
// runs, and is given back only if it was right.
func (s *Server) checkAssertion(w http.ResponseWriter, r *http.Request, email string, acct store.Account, f factors, raw json.RawMessage) error {
	res, err := s.reserveCodeCheck(w, r, email)
	if err != nil {
		return err
	}
	err = s.useAssertion(r, acct, f.keys, raw)
	if err == nil {
		s.loginFail.refund(r.Context(), email, res)
		return nil
	}
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusUnauthorized {
		// Never the assertion: only where from.
		s.log.Warn("failed second factor", "path", r.URL.Path, "client", s.clientAddr(r), "user", acct.ID, "method", api.MethodWebAuthn, "code", he.code)
	}
	return err
}

func (s *Server) useAssertion(r *http.Request, acct store.Account, keys []store.WebAuthnCredential, raw json.RawMessage) error {
	parsed, err := protocol.ParseCredentialRequestResponseBytes(raw)
	if err != nil {
		return errWrongSecondFactor
	}
	sd, err := s.takeChallenge(r, acct.ID, ceremonyLogin, parsed.Response.CollectedClientData.Challenge)
	if errors.Is(err, store.ErrNotFound) {
		return errWrongSecondFactor // used, expired, or never this account's
	}
	if err != nil {
		return err
	}
	rpID, origin, err := s.relyingParty(r)
	if err != nil || rpID != sd.RelyingPartyID {
		return errWrongSecondFactor
	}
	wa, err := newRelyingParty(rpID, origin)
	if err != nil {
		return err
	}
	cred, err := wa.ValidateLogin(newWAUser(acct, keys, rpID), sd, parsed)
	if err != nil {
		return errWrongSecondFactor // a removed key, a wrong signature, origin or RP
	}
	var key store.WebAuthnCredential
	for _, k := range keys {
		if k.RPID == rpID && string(k.CredentialID) == string(cred.ID) {
			key = k
		}
	}
	if key.ID == "" {
		return errWrongSecondFactor
	}
	count := parsed.Response.AuthenticatorData.Counter
	if (count != 0 || key.SignCount != 0) && count <= key.SignCount {
		return errKeyCloned
	}
	err = s.store.UseWebAuthnCredential(r.Context(), acct.ID, key.ID, key.SignCount, count, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return errWrongSecondFactor // removed, or a concurrent log-in moved the counter
	}
	return err
}

func (s *Server) listSecurityKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.store.WebAuthnCredentials(r.Context(), callerFrom(r.Context()).session.UserID)
	if err != nil {
		return err
	}
	out := make([]api.SecurityKey, 0, len(keys))
	for _, k := range keys {
		out = append(out, securityKeyView(k))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// beginSecurityKey starts a registration behind a fresh password proof.
func (s *Server) beginSecurityKey(w http.ResponseWriter, r *http.Request) error {
	var req api.SecurityKeyBeginRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	rpID, origin, err := s.relyingParty(r)
	if err != nil {
		return errBadRequest("%s", err.Error())
	}
	acct, err := s.reprove(w, r, req.AuthKey)
	if err != nil {
		return err
	}
	keys, err := s.store.WebAuthnCredentials(r.Context(), acct.ID)
	if err != nil {
		return err
	}
	wa, err := newRelyingParty(rpID, origin)
	if err != nil {
		return err
	}
	u := newWAUser(acct, keys, rpID)
	exclude := make([]protocol.CredentialDescriptor, 0, len(u.creds))
	for _, c := range u.creds {
		exclude = append(exclude, c.Descriptor())
	}
	opts, sd, err := wa.BeginRegistration(u, webauthn.WithExclusions(exclude))
	if err != nil {
		return err
	}
	if err := s.putChallenge(r, acct.ID, ceremonyRegister, sd); err != nil {
		return err
	}
	data, err := json.Marshal(opts)
	if err != nil {
		return err
	}
	s.log.Info("security key registration started", "user", acct.ID)
	writeJSON(w, http.StatusOK, api.SecurityKeyBegin{Options: data})
	return nil
}

// finishSecurityKey stores the key the browser created for the
// registration's challenge; the account's first second factor also gets
// its recovery codes.
func (s *Server) finishSecurityKey(w http.ResponseWriter, r *http.Request) error {
	var req api.SecurityKeyFinishRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = "Security key"
	}
	if utf8.RuneCountInString(name) > maxKeyName {
		return errBadRequest("a security key's name has at most %d characters", maxKeyName)
	}
	if err := checkName(name); err != nil {
		return err
	}
	userID := callerFrom(r.Context()).session.UserID
	acct, err := s.store.AccountByID(r.Context(), userID)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(req.Credential)
	if err != nil {
		return errBadRequest("the security key's answer is not a WebAuthn credential")
	}
	sd, err := s.takeChallenge(r, userID, ceremonyRegister, parsed.Response.CollectedClientData.Challenge)
	if errors.Is(err, store.ErrNotFound) {
		return errConflict("this registration expired or was used already; start again", 0)
	}
	if err != nil {
		return err
	}
	rpID, origin, err := s.relyingParty(r)
	if err != nil || rpID != sd.RelyingPartyID {
		return errBadRequest("the registration was started at another address")
	}
	wa, err := newRelyingParty(rpID, origin)
	if err != nil {
		return err
	}
	u := newWAUser(acct, nil, rpID)
	cred, err := wa.CreateCredential(u, sd, parsed)
	if err != nil {
		return errBadRequest("the security key's answer did not verify; try again")
	}
	f, err := s.secondFactors(r, userID)
	if err != nil {
		return err
	}
	var codes []string
	var hashes [][]byte
	if !f.on() {
		codes, hashes = newRecoveryCodes(userID)
	}
	k := store.WebAuthnCredential{ID: uuid.NewString(), UserID: userID, CredentialID: cred.ID, PublicKey: cred.PublicKey,
		SignCount: cred.Authenticator.SignCount, AAGUID: cred.Authenticator.AAGUID, Flags: cred.Flags.MsgpByte(),
		RPID: rpID, Name: name, CreatedAt: s.now()}
	for _, t := range cred.Transport {
		k.Transports = append(k.Transports, string(t))
	}
	if err := s.store.AddWebAuthnCredential(r.Context(), k, hashes); err != nil {
		if errors.Is(err, store.ErrExists) {
			return &httpError{http.StatusConflict, api.CodeExists, "this security key is registered already", 0}
		}
		return err
	}
	s.log.Info("security key registered", "user", userID, "key", k.ID)
	writeJSON(w, http.StatusOK, api.SecurityKeyAdded{Key: securityKeyView(k), RecoveryCodes: codes})
	return nil
}

func (s *Server) removeSecurityKey(w http.ResponseWriter, r *http.Request) error {
	var req api.SecurityKeyRemoveRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	acct, err := s.reprove(w, r, req.AuthKey)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.store.RemoveWebAuthnCredential(r.Context(), acct.ID, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound("security key")
		}
		if errors.As(err, new(*store.TwoFactorHeldError)) {
			// The account's last second factor, and an organisation it
			// is in requires one (protocol §8.3).
			return errTwoFactorRequired(msgHeldBy2FA)
		}
		return err
	}
	s.log.Info("security key removed", "user", acct.ID, "key", id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// newRecoveryCodes makes the 10 recovery codes and their hashes.
func newRecoveryCodes(userID string) ([]string, [][]byte) {
	codes := make([]string, recoveryCodeCount)
	hashes := make([][]byte, recoveryCodeCount)
	for i := range codes {
		raw := make([]byte, recoveryCodeBytes)
		rand.Read(raw)
		c := b32.EncodeToString(raw) // 16 characters
		codes[i] = strings.ToLower(c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16])
		hashes[i] = recoveryCodeHash(userID, c)
	}
	return codes, hashes
}
