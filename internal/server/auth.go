package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store"
)

const tokenPrefix = "cs1_"

type ctxKey struct{}

// caller is the authenticated session of a request, and the caller's
// public keys once a handler needed them (callerKeys).
type caller struct {
	session store.Session
	keys    *crypto.PublicKeys
}

func callerFrom(ctx context.Context) caller { return *ctx.Value(ctxKey{}).(*caller) }

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// public wraps an unauthenticated handler with a rate limit per client
// network (clientNetwork).
func (s *Server) public(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := s.perAddr.add(s.clientNetwork(r), s.now()); !ok {
			noteLimit(r, "network")
			retryAfter(w, wait)
			writeJSON(w, http.StatusTooManyRequests, api.Error{Error: "too many requests from your network; wait a minute", Code: api.CodeRateLimited})
			return
		}
		// Unauthenticated bodies are small (a sign-up is under 5 KiB);
		// a tighter limit keeps what a flood can make the server hold small.
		r.Body = http.MaxBytesReader(w, r.Body, min(s.cfg.MaxBodyBytes, publicBodyLimit))
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// publicBodyLimit is the body limit of the unauthenticated endpoints.
const publicBodyLimit = 64 << 10

// authed wraps a handler that needs a valid session.
func (s *Server) authed(h handlerFunc) http.Handler { return s.authedWith(h, false) }

// authedLive is authed for the live-events endpoint, the only one that
// also takes the token as an offered WebSocket subprotocol.
func (s *Server) authedLive(h handlerFunc) http.Handler { return s.authedWith(h, true) }

func (s *Server) authedWith(h handlerFunc, subprotocol bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.authenticate(r, subprotocol)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		noteUser(r, sess.UserID)
		// Every write of the request re-checks, in its transaction, the
		// authorizations the handler registers (store.Require).
		// An audited action's entry goes into the transaction of the
		// action (store.Audit); so do its epoch records (store.AttachRecord).
		ctx := store.WithRecords(store.WithAudit(store.WithRequirements(context.WithValue(r.Context(), ctxKey{}, &caller{session: sess}))))
		if err := h(w, r.WithContext(ctx)); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// authenticate finds the session of a request's bearer token (the scheme
// in any letter case, RFC 9110 §11.1). With subprotocol (the live-events
// endpoint only) a WebSocket upgrade may offer the token as a subprotocol
// instead: browsers cannot set headers on a WebSocket.
func (s *Server) authenticate(r *http.Request, subprotocol bool) (store.Session, error) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	ok = ok && strings.EqualFold(scheme, "bearer")
	tok = strings.TrimLeft(tok, " ")
	if !ok && subprotocol && r.Header.Get("Upgrade") != "" {
		for _, p := range strings.Split(r.Header.Get("Sec-WebSocket-Protocol"), ",") {
			if t, found := strings.CutPrefix(strings.TrimSpace(p), "coffer.token."); found {
				tok, ok = t, true
			}
		}
	}
	if !ok || !strings.HasPrefix(tok, tokenPrefix) {
		return store.Session{}, errUnauthorized("missing or malformed session token; log in first")
	}
	sess, err := s.store.SessionByTokenHash(r.Context(), hashToken(tok))
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, errUnauthorized("unknown session token; log in again")
	}
	if err != nil {
		return store.Session{}, err
	}
	now := s.now()
	switch {
	case !sess.RevokedAt.IsZero():
		return store.Session{}, errUnauthorized("session was revoked; log in again")
	case !now.Before(sess.ExpiresAt) || !now.Before(sess.MaxExpires):
		return store.Session{}, errUnauthorized("session expired; log in again")
	}
	// Slide the idle expiry and record the use (when, from where: the
	// device list shows them), at most once a minute to spare the database.
	if now.Sub(sess.LastUsedAt) > time.Minute {
		exp := now.Add(s.cfg.SessionIdle)
		if exp.After(sess.MaxExpires) {
			exp = sess.MaxExpires
		}
		addr := s.clientAddr(r)
		if err := s.store.TouchSession(r.Context(), sess.ID, now, exp, addr); err != nil {
			return store.Session{}, err
		}
		sess.LastUsedAt, sess.ExpiresAt, sess.ClientAddr = now, exp, addr
	}
	return sess, nil
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	var req api.SignupRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	email, err := normalizeEmail(req.Email)
	if err != nil {
		return err
	}
	kdf := kdfFromAPI(req.KDF)
	pub := crypto.PublicKeys{Sign: req.Keys.SignPub, KEM: req.Keys.KEMPub}
	k, vw := req.Keys, req.VaultKeyWrap
	for _, err := range []error{
		checkID("user_id", req.UserID),
		checkID("personal_vault_id", req.PersonalVault),
		checkName(req.Name),
		kdf.Check(),
		checkLen("auth_key", req.AuthKey, crypto.KeySize),
		checkLen("keys.public_keys_sig", k.PublicKeysSig, sigSize),
		checkLen("keys.wrapped_account_key", k.WrappedAccountKey, boxedKeySize),
		checkLen("keys.private_keys", k.PrivateKeys, privateKeysBoxLen),
		checkLen("vault_key_wrap.wrap", vw.Wrap, vaultWrapSize),
		checkLen("vault_key_wrap.sig", vw.Sig, sigSize),
	} {
		if errors.Is(err, crypto.ErrWeakKDF) {
			return errBadRequest("kdf parameters are below the minimum (argon2id, t>=%d, m>=%d KiB, p>=%d, 16-byte salt)", crypto.MinTime, crypto.MinMemory, crypto.MinThreads)
		}
		if err != nil {
			return err
		}
	}
	// A single sign-on proved the address: no e-mail code is needed, and
	// an SSO-only domain admits it (docs/protocol.md §8.4). The ticket
	// stays for the log-in that follows.
	viaSSO := false
	if req.SSO != nil {
		t, err := s.ssoTicketFor(r, *req.SSO)
		if err != nil {
			return err
		}
		if t.Email != email {
			return &httpError{http.StatusUnauthorized, api.CodeSSOTicket, "this single sign-on was for " + t.Email + ", not for the address given", 0}
		}
		if t.UserID != "" {
			return &httpError{http.StatusConflict, api.CodeExists, "your company's account is linked to a Coffer account already; log in instead", 0}
		}
		viaSSO = true
	}
	// The policy before the costly checks: a refused address costs no
	// signature check nor hash. What it decided the write re-checks.
	r = r.WithContext(store.WithRequirements(r.Context()))
	if err := s.checkSignup(r.Context(), req.UserID, email, viaSSO); err != nil {
		return err
	}
	if crypto.VerifyPublicKeys(crypto.RecipientUser, req.UserID, pub, pub, k.PublicKeysSig) != nil {
		return errBadRequest("keys: public keys are malformed or their self-signature does not verify")
	}
	if vw.VaultID != req.PersonalVault || vw.Epoch != 1 || vw.RecipientKind != crypto.RecipientUser ||
		vw.RecipientID != req.UserID || vw.SignerID != req.UserID {
		return errBadRequest("vault_key_wrap must be the new user's own wrap of epoch 1 of the personal vault")
	}
	ctx := crypto.VaultKeyContext("", vw.VaultID, 1, crypto.RecipientUser, req.UserID, pub)
	if crypto.VerifyKeyWrap(pub, req.UserID, ctx, vw.Wrap, vw.Sig) != nil {
		return errBadRequest("vault_key_wrap: signature does not verify")
	}
	manifest, err := checkManifest("manifest", req.Manifest, req.PersonalVault, req.UserID, true)
	if err != nil {
		return err
	}
	if err := verifyManifest(pub, "", manifest, "manifest"); err != nil {
		return err
	}
	authHash, authSalt, err := s.newAuthHash(w, r, req.AuthKey)
	if err != nil {
		return err
	}
	now := s.now()
	acct := store.Account{
		ID: req.UserID, Email: email, Name: req.Name,
		KDF:      kdfToStore(kdf),
		AuthHash: authHash, AuthSalt: authSalt,
		SignPub: k.SignPub, KEMPub: k.KEMPub, PublicKeysSig: k.PublicKeysSig,
		WrappedAccountKey: k.WrappedAccountKey, PrivateKeys: k.PrivateKeys, CreatedAt: now,
	}
	vault := store.Vault{ID: req.PersonalVault, Kind: store.VaultPersonal, OwnerID: req.UserID, Epoch: 1, CreatedAt: now}
	wrap := store.VaultKeyWrap{VaultID: vw.VaultID, Epoch: 1, RecipientKind: vw.RecipientKind, RecipientID: vw.RecipientID,
		SignerID: vw.SignerID, Wrap: vw.Wrap, Sig: vw.Sig, CreatedAt: now}
	if viaSSO {
		acct.EmailVerifiedAt = now // the provider verified it
	}
	if s.cfg.Mailer != nil && !viaSSO {
		// The address must be proved first; the answer does not say
		// whether it already has an account (verify.go).
		return s.signupByMail(w, r, pendingSignup{acct, vault, wrap, manifest})
	}
	// Without e-mail there is no other channel to tell an honest user that
	// the address is taken, so this answer reveals it (docs/security.md).
	if err := s.store.CreateAccount(r.Context(), acct, vault, wrap, manifest); err != nil {
		if errors.Is(err, store.ErrExists) {
			// Do not say whether the e-mail or an id clashed.
			return &httpError{http.StatusConflict, api.CodeExists, "an account with this e-mail address already exists; log in instead (coffer login)", 0}
		}
		return s.signupStoreError(err)
	}
	s.log.InfoContext(r.Context(), "account created", "user", req.UserID)
	writeJSON(w, http.StatusCreated, api.SignupResponse{UserID: req.UserID, PersonalVault: req.PersonalVault})
	return nil
}

// prelogin returns an account's KDF parameters. For unknown addresses it
// returns a decoy (prelogin.go), stable per address and shaped like real
// accounts' answers, so the answer does not reveal whether an account
// exists.
func (s *Server) prelogin(w http.ResponseWriter, r *http.Request) error {
	var req api.PreloginRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	email, err := normalizeEmail(req.Email)
	if err != nil {
		return err
	}
	acct, err := s.store.AccountByEmail(r.Context(), email)
	if errors.Is(err, store.ErrNotFound) {
		writeJSON(w, http.StatusOK, decoyKDF(s.secret, email))
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, kdfToAPI(acct.KDF))
	return nil
}

var dummyAuthSalt = make([]byte, 16)

// newAuthHash hashes a new authentication key under a fresh server salt,
// in one of the server's bounded hash slots (protocol §4).
func (s *Server) newAuthHash(w http.ResponseWriter, r *http.Request, authKey []byte) (hash, salt []byte, err error) {
	salt = make([]byte, 16)
	rand.Read(salt)
	release, err := s.hashSlot(w, r)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	return s.hash(authKey, salt), salt, nil
}

// checkAuthKey proves a master password: it hashes authKey under the
// account's server salt and compares with the stored hash in constant
// time. Every check counts against the account's failed-login limit
// before the hash runs (so a burst of concurrent guesses cannot all pass
// the check: at most LoginAttempts hashes per account per window; a
// reservation is given back unless the hash ran and did not match), and
// takes one of the server's bounded hash slots. Unknown accounts are
// hashed too, so timing does not tell them apart.
func (s *Server) checkAuthKey(w http.ResponseWriter, r *http.Request, email string, authKey []byte) (store.Account, error) {
	if err := checkLen("auth_key", authKey, crypto.KeySize); err != nil {
		return store.Account{}, err
	}
	res, ok, wait, err := s.loginFail.reserve(r.Context(), email, s.now())
	if err != nil {
		// Fail closed: a guess that cannot be counted is not checked.
		return store.Account{}, s.errLimitsUnavailable(w, "login", err)
	}
	if !ok {
		noteLimit(r, "failed_logins")
		retryAfter(w, wait)
		return store.Account{}, &httpError{http.StatusTooManyRequests, api.CodeRateLimited, "too many failed logins for this account; wait a few minutes", 0}
	}
	failed := false
	defer func() {
		if !failed {
			s.loginFail.refund(r.Context(), email, res)
		}
	}()
	// Take a hash slot before the account is read: a request the gate
	// refuses costs no database read either.
	release, err := s.hashSlot(w, r)
	if err != nil {
		return store.Account{}, err
	}
	defer release()
	acct, err := s.store.AccountByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Account{}, err
	}
	salt, want := acct.AuthSalt, acct.AuthHash
	if err != nil {
		salt, want = dummyAuthSalt, nil
	}
	got := s.hash(authKey, salt)
	if want == nil || !crypto.Equal(got, want) {
		failed = true
		// For fail2ban and the like: the client (behind a trusted proxy,
		// the forwarded one), never the address tried — a password typed
		// into the e-mail field must not land in the log.
		s.metrics.loginFailures.WithLabelValues("password").Inc()
		s.log.WarnContext(r.Context(), "failed password check", "route", r.Pattern, "client", s.clientAddr(r))
		return store.Account{}, errUnauthorized("wrong e-mail address or master password")
	}
	return acct, nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req api.LoginRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	email, err := normalizeEmail(req.Email)
	if err != nil {
		return err
	}
	ticket, err := s.ssoLoginCheck(r, email, req.SSO)
	if err != nil {
		return err
	}
	acct, err := s.checkAuthKey(w, r, email, req.AuthKey)
	if err != nil {
		return err
	}
	if !acct.DisabledAt.IsZero() {
		return accountDisabled
	}
	if err := s.secondFactorGate(w, r, email, acct, req); err != nil {
		return err
	}
	if ticket != nil {
		if err := s.ssoRedeem(r, ticket, acct); err != nil {
			return err
		}
	}
	now := s.now()
	raw := make([]byte, 32)
	rand.Read(raw)
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	desc := req.Description
	// Only a label for the device list: a bad one is dropped, not refused.
	if utf8.RuneCountInString(desc) > 100 || checkName(desc) != nil {
		desc = ""
	}
	sess := store.Session{
		ID: uuid.NewString(), UserID: acct.ID, TokenHash: hashToken(token), CreatedAt: now, LastUsedAt: now,
		ExpiresAt: now.Add(s.cfg.SessionIdle), MaxExpires: now.Add(s.cfg.SessionMax), ClientAddr: s.clientAddr(r), Description: desc,
	}
	if sess.ExpiresAt.After(sess.MaxExpires) {
		sess.ExpiresAt = sess.MaxExpires
	}
	if err := s.store.CreateSession(r.Context(), sess); err != nil {
		if errors.Is(err, store.ErrDisabled) {
			return accountDisabled // disabled while the hash ran
		}
		return err
	}
	noteUser(r, acct.ID)
	s.log.InfoContext(r.Context(), "login", "user", acct.ID, "session", sess.ID)
	s.noteDevice(acct, req.DeviceID, desc, sess.ClientAddr, now)
	writeJSON(w, http.StatusCreated, api.LoginResponse{Token: token, SessionID: sess.ID, UserID: acct.ID, ExpiresAt: sess.ExpiresAt})
	return nil
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	list, err := s.store.ListSessions(r.Context(), c.session.UserID)
	if err != nil {
		return err
	}
	out := make([]api.Session, 0, len(list))
	for _, x := range list {
		out = append(out, api.Session{ID: x.ID, Current: x.ID == c.session.ID, CreatedAt: x.CreatedAt, LastUsedAt: x.LastUsedAt,
			ExpiresAt: x.ExpiresAt, Revoked: !x.RevokedAt.IsZero(), ClientAddr: x.ClientAddr, Description: x.Description})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	if err := s.store.RevokeSession(r.Context(), c.session.UserID, c.session.ID, s.now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	id := r.PathValue("id")
	if err := checkID("session id", id); err != nil {
		return err
	}
	if err := s.store.RevokeSession(r.Context(), c.session.UserID, id, s.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound("session")
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// changePassword replaces the caller's master password, or only its
// Argon2id parameters (docs/protocol.md §17.1). The current password is
// proved again (a stolen session token alone cannot lock the owner out),
// under the same failed-attempt limit as a login. The server cannot check
// that the new wrap opens — the client checks that before sending.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	var req api.PasswordChange
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	c := callerFrom(r.Context())
	kdf := kdfFromAPI(req.KDF)
	for _, err := range []error{
		checkLen("auth_key", req.AuthKey, crypto.KeySize),
		checkLen("current_auth_key", req.CurrentAuthKey, crypto.KeySize),
		checkLen("wrapped_account_key", req.WrappedAccountKey, boxedKeySize),
	} {
		if err != nil {
			return err
		}
	}
	if err := kdf.Check(); err != nil {
		return errBadRequest("kdf parameters are outside the accepted range (argon2id, t %d–%d, m %d–%d KiB, p %d–%d, 16-byte salt)",
			crypto.MinTime, crypto.MaxTime, crypto.MinMemory, crypto.MaxMemory, crypto.MinThreads, crypto.MaxThreads)
	}
	me, err := s.store.AccountByID(r.Context(), c.session.UserID)
	if err != nil {
		return err
	}
	acct, err := s.checkAuthKey(w, r, me.Email, req.CurrentAuthKey)
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusUnauthorized {
		return &httpError{http.StatusForbidden, api.CodeWrongPassword, "the current master password is wrong; nothing was changed", 0}
	}
	if err != nil {
		return err
	}
	if acct.ID != me.ID {
		return errUnauthorized("the account changed its address meanwhile; try again")
	}
	authHash, authSalt, err := s.newAuthHash(w, r, req.AuthKey)
	if err != nil {
		return err
	}
	n, err := s.store.SetPassword(r.Context(), me.ID, acct.AuthHash, store.PasswordChange{
		KDF: kdfToStore(kdf), AuthHash: authHash, AuthSalt: authSalt, WrappedAccountKey: req.WrappedAccountKey,
	}, req.RevokeOtherSessions, c.session.ID, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return &httpError{http.StatusConflict, api.CodeConflict, "the master password was changed meanwhile by another session; nothing was changed", 0}
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "master password changed", "user", me.ID, "session", c.session.ID, "revoked_sessions", n)
	writeJSON(w, http.StatusOK, api.PasswordChanged{RevokedSessions: n})
	return nil
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) error {
	acct, err := s.store.AccountByID(r.Context(), callerFrom(r.Context()).session.UserID)
	if err != nil {
		return err
	}
	admin, err := s.isAdmin(r.Context(), acct)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.Account{UserID: acct.ID, Email: acct.Email, Name: acct.Name, KDF: kdfToAPI(acct.KDF),
		Keys: api.AccountKeys{SignPub: acct.SignPub, KEMPub: acct.KEMPub, PublicKeysSig: acct.PublicKeysSig,
			WrappedAccountKey: acct.WrappedAccountKey, PrivateKeys: acct.PrivateKeys}, InstanceAdmin: admin})
	return nil
}

func (s *Server) getPublicKeys(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := checkID("user id", id); err != nil {
		return err
	}
	// Only accounts that share an organisation with the caller are
	// visible (their e-mail and keys); anyone else is answered like an
	// unknown id, so the endpoint is no directory of all accounts.
	if me := s.userID(r); id != me {
		shared, err := s.store.SharesOrg(r.Context(), me, id)
		if err != nil {
			return err
		}
		if !shared {
			return errNotFound("user")
		}
	}
	acct, err := s.store.AccountByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("user")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.PublicKeys{UserID: acct.ID, Email: acct.Email, Name: acct.Name,
		SignPub: acct.SignPub, KEMPub: acct.KEMPub, PublicKeysSig: acct.PublicKeysSig})
	return nil
}

func kdfFromAPI(k api.KDF) crypto.KDFParams {
	return crypto.KDFParams{Algorithm: k.Algorithm, Time: k.Time, Memory: k.Memory, Threads: k.Threads, Salt: k.Salt}
}

func kdfToStore(k crypto.KDFParams) store.KDF {
	return store.KDF{Algorithm: k.Algorithm, Time: k.Time, Memory: k.Memory, Threads: k.Threads, Salt: k.Salt}
}

func kdfToAPI(k store.KDF) api.KDF {
	return api.KDF{Algorithm: k.Algorithm, Time: k.Time, Memory: k.Memory, Threads: k.Threads, Salt: k.Salt}
}
