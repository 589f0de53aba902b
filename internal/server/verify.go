package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/mail"
	"github.com/coffer-pm/coffer/internal/store"
)

// E-mail verification (issue 13, findings 6 and 7). With SMTP configured an
// account exists only after its owner entered the code mailed to the
// address, and a sign-up for an address that already has an account is
// answered exactly like one for a new address: the address's owner gets a
// mail instead.
const (
	verifyCodeDigits = 8
	verifyCodeTTL    = time.Hour
	maxVerifyFails   = 5
)

// checkMailConfig refuses a Mailer without an absolute http(s) PublicURL:
// links in e-mail come only from the operator, never from a request.
func checkMailConfig(cfg Config) error {
	if cfg.Mailer == nil {
		return nil
	}
	u, err := url.Parse(cfg.PublicURL)
	if cfg.PublicURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("sending e-mail needs the server's public URL (--public-url https://vault.example.com): links in e-mail are built only from it")
	}
	return nil
}

// publicLink is the configured public URL with path and query appended.
func (s *Server) publicLink(path string, q url.Values) string {
	link := strings.TrimRight(s.cfg.PublicURL, "/") + path
	if len(q) > 0 {
		link += "?" + q.Encode()
	}
	return link
}

// pendingSignup is what a sign-up stores until its address is proved: the
// account as it will be stored (the auth key only as its slow hash).
type pendingSignup struct {
	Account  store.Account
	Vault    store.Vault
	Wrap     store.VaultKeyWrap
	Manifest store.Manifest
}

func newVerifyCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		panic(err)
	}
	d := fmt.Sprintf("%08d", n)
	return d[:4] + "-" + d[4:]
}

// parseVerifyCode accepts the code with or without its dash and spaces.
func parseVerifyCode(s string) (string, bool) {
	d := strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s))
	if len(d) != verifyCodeDigits {
		return "", false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return d, true
}

// verifyCodeHash keys the code's hash with a server secret, so the
// database alone does not allow trying all 10^8 codes offline.
func (s *Server) verifyCodeHash(id, digits string) []byte {
	m := hmac.New(sha256.New, s.verifySecret)
	m.Write(crypto.Tuple("coffer/v1/email-verification", []byte(id), []byte(digits)))
	return m.Sum(nil)
}

func errMailUnavailable() error {
	return &httpError{http.StatusServiceUnavailable, api.CodeUnavailable, "the server could not send the e-mail; try again later", 0}
}

func errVerifyMailLimit() error {
	return &httpError{http.StatusTooManyRequests, api.CodeRateLimited, "too many e-mails to this address; wait an hour", 0}
}

// signupByMail stores a pending sign-up and mails its code. For an address
// that already has an account it stores a decoy nobody can complete and
// mails the owner a notice instead; status, body and the work done are the
// same either way.
func (s *Server) signupByMail(w http.ResponseWriter, r *http.Request, p pendingSignup) error {
	ctx, now, email := r.Context(), s.now(), p.Account.Email
	if err := s.allowVerifyMail(w, r, email, now); err != nil {
		return err
	}
	_, err := s.store.AccountByEmail(ctx, email)
	exists := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if _, err := s.store.AccountByID(ctx, p.Account.ID); err == nil {
		return &httpError{http.StatusConflict, api.CodeExists, "this user id is taken; sign up again", 0}
	}
	code := newVerifyCode()
	digits, _ := parseVerifyCode(code)
	v := store.EmailVerification{ID: p.Account.ID, Email: email, CodeHash: s.verifyCodeHash(p.Account.ID, digits), ExpiresAt: now.Add(verifyCodeTTL), CreatedAt: now}
	p.Account.EmailVerifiedAt = now
	if v.Signup, err = json.Marshal(p); err != nil {
		return err
	}
	if exists {
		// The decoy's hash belongs to no code anyone was told.
		v.CodeHash = make([]byte, sha256.Size)
		rand.Read(v.CodeHash)
	}
	if err := s.store.PutEmailVerification(ctx, v, false, now); err != nil {
		if errors.Is(err, store.ErrExists) {
			return &httpError{http.StatusConflict, api.CodeExists, "this user id is taken; sign up again", 0}
		}
		return err
	}
	subject, body := "Your Coffer verification code", s.verificationMail(email, code)
	if exists {
		subject, body = "Someone tried to sign up with your address on Coffer", s.alreadyRegisteredMail(email)
	}
	if err := s.cfg.Mailer.Send(ctx, mail.Message{To: email, Subject: subject, Text: body}); err != nil {
		s.log.WarnContext(r.Context(), "sign-up mail failed", "user", p.Account.ID, "err", err)
		s.store.DeleteEmailVerification(ctx, v.ID)
		return errMailUnavailable()
	}
	s.log.InfoContext(r.Context(), "sign-up pending e-mail verification", "user", p.Account.ID)
	writeJSON(w, http.StatusAccepted, api.SignupResponse{UserID: p.Account.ID, PersonalVault: p.Vault.ID, Verification: api.VerificationMailed})
	return nil
}

// verificationMail carries a sign-up's (or an address check's) code, and
// says where it goes for either way of signing up: the web page that
// asked for it, or the command line (issue 24: it named the command only).
func (s *Server) verificationMail(email, code string) string {
	return fmt.Sprintf("Your verification code for the Coffer server at %s is:\n\n    %s\n\n"+
		"Enter it to confirm that %s is your address, where Coffer asked you for it:\n\n"+
		"  In the browser: on the Coffer page you signed up on (or that asked you to verify your address). "+
		"It waits for this code; if you closed it, open %s and start again there: a new e-mail brings a new code.\n\n"+
		"  With the command line:\n    coffer account verify %s\n\n"+
		"It expires in one hour. If you did not sign up, ignore this mail: without the code no account is made.\n",
		s.cfg.PublicURL, code, email, s.cfg.PublicURL, code)
}

func (s *Server) alreadyRegisteredMail(email string) string {
	return fmt.Sprintf("Someone, perhaps you, tried to create an account on the Coffer server at %s with this address (%s), "+
		"which already has one. No second account was made.\n\n"+
		"If it was you, log in instead:\n\n  In the browser: open %s and log in with %s.\n\n"+
		"  With the command line:\n    coffer login --server %s --email %s\n\n"+
		"If it was not you, you need do nothing: your account and its master password are unchanged.\n",
		s.cfg.PublicURL, email, s.cfg.PublicURL, email, s.cfg.PublicURL, email)
}

// verifyEmail checks a mailed code (limited attempts, expiry, constant-time
// compare) and then creates the pending account or marks the existing
// account's address verified.
func (s *Server) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	var req api.VerifyEmailRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := checkID("user id", id); err != nil {
		return err
	}
	digits, ok := parseVerifyCode(req.Code)
	if !ok {
		return errBadRequest("the code has %d digits (as in the e-mail, e.g. 1234-5678)", verifyCodeDigits)
	}
	ctx, now := r.Context(), s.now()
	wrong := errForbidden("wrong or expired verification code")
	v, err := s.store.EmailVerification(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !now.Before(v.ExpiresAt)) {
		return wrong
	}
	if err != nil {
		return err
	}
	// A re-verification row is keyed by the account id, which every
	// colleague sees: only the account's own session may try its code, so
	// that nobody else can burn its attempts.
	if len(v.Signup) == 0 {
		if sess, err := s.authenticate(r, false); err != nil || sess.UserID != id {
			return wrong
		}
	}
	// Count the attempt before comparing, atomically, so that concurrent
	// guesses cannot exceed the limit; a right code removes the row.
	n, err := s.store.CountVerificationAttempt(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return wrong
	}
	if err != nil {
		return err
	}
	if n > maxVerifyFails {
		return &httpError{http.StatusTooManyRequests, api.CodeRateLimited, "too many wrong codes; start again (sign up again, or coffer account verify without a code)", 0}
	}
	if !crypto.Equal(s.verifyCodeHash(id, digits), v.CodeHash) {
		return wrong
	}
	if len(v.Signup) == 0 {
		if err := s.store.VerifyAccountEmail(ctx, id, now); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return wrong
			}
			return err
		}
		s.log.InfoContext(r.Context(), "e-mail address verified", "user", id)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	var p pendingSignup
	if err := json.Unmarshal(v.Signup, &p); err != nil {
		return err
	}
	p.Account.EmailVerifiedAt = now
	// The sign-up policy again, as it stands now: an invitation it rested
	// on may have been cancelled since the code was mailed.
	ctx = store.WithRequirements(ctx)
	if err := s.checkSignup(ctx, id, p.Account.Email, false); err != nil {
		return err
	}
	if err := s.store.CompleteSignup(ctx, id, p.Account, p.Vault, p.Wrap, p.Manifest); err != nil {
		switch {
		case errors.Is(err, store.ErrNotFound):
			return wrong
		case errors.Is(err, store.ErrExists):
			// Whoever reads the mailbox may know this.
			return &httpError{http.StatusConflict, api.CodeExists, "an account with this e-mail address already exists; log in instead (coffer login)", 0}
		}
		return s.signupStoreError(err)
	}
	s.log.InfoContext(r.Context(), "account created", "user", id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// requestVerification mails a code to the caller's address, for accounts
// made before the server sent e-mail.
func (s *Server) requestVerification(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Mailer == nil {
		return errConflict("this server sends no e-mail, so it cannot verify addresses", 0)
	}
	ctx, now := r.Context(), s.now()
	me, err := s.store.AccountByID(ctx, s.userID(r))
	if err != nil {
		return err
	}
	if !me.EmailVerifiedAt.IsZero() {
		return errConflict("your e-mail address is already verified", 0)
	}
	if err := s.allowVerifyMail(w, r, me.Email, now); err != nil {
		return err
	}
	code := newVerifyCode()
	digits, _ := parseVerifyCode(code)
	v := store.EmailVerification{ID: me.ID, Email: me.Email, CodeHash: s.verifyCodeHash(me.ID, digits), ExpiresAt: now.Add(verifyCodeTTL), CreatedAt: now}
	if err := s.store.PutEmailVerification(ctx, v, true, now); err != nil {
		return err
	}
	if err := s.cfg.Mailer.Send(ctx, mail.Message{To: me.Email, Subject: "Your Coffer verification code", Text: s.verificationMail(me.Email, code)}); err != nil {
		s.log.WarnContext(r.Context(), "verification mail failed", "user", me.ID, "err", err)
		s.store.DeleteEmailVerification(ctx, v.ID)
		return errMailUnavailable()
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// requireVerified refuses an unverified account when the server sends
// e-mail: only a proved address may see or join invitations, or send them.
func (s *Server) requireVerified(a store.Account, what string) error {
	if s.cfg.Mailer == nil || !a.EmailVerifiedAt.IsZero() {
		return nil
	}
	return &httpError{http.StatusForbidden, api.CodeEmailUnverified,
		"verify your e-mail address before you " + what + ": run coffer account verify and enter the code mailed to " + a.Email, 0}
}

// allowVerifyMail spends one verification e-mail to email for the caller's
// network (VerifyMailsPerAddress an hour), within an overall cap per
// address of four times that. Keyed by address alone, strangers signing
// up with someone's address could use up its budget and keep its owner
// from ever getting a code; keyed by network, one network cannot.
func (s *Server) allowVerifyMail(w http.ResponseWriter, r *http.Request, email string, now time.Time) error {
	for _, c := range []struct {
		name string
		c    counter
		key  string
	}{{"verify-mail", s.verifyMail, email + "|" + s.clientNetwork(r)}, {"verify-mail-all", s.verifyMailAll, email}} {
		_, ok, _, err := c.c.reserve(r.Context(), c.key, now)
		if err != nil {
			// Fail closed: no mail whose budget could not be counted.
			return s.errLimitsUnavailable(w, c.name, err)
		}
		if !ok {
			return errVerifyMailLimit()
		}
	}
	return nil
}
