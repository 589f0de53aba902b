package server

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/oauth2"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/sso"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/webui"
)

// Single sign-on with OpenID Connect (issue 27, docs/protocol.md §8.4).
// The provider proves who someone is; the master password still unlocks
// (the client derives the keys) and the server still checks its proof
// before it makes a session. The flow:
//
//  1. POST /sso/start: the client sends the S256 challenge of a verifier
//     it keeps; the server stores a state (nonce, PKCE verifier toward the
//     provider, the client's challenge, where to return) and answers the
//     provider's authorization URL.
//  2. The browser signs in at the provider, which sends it to
//     GET /sso/callback with a code and the state. The state is taken once;
//     the code is redeemed; the ID token is checked; the verified address
//     and the subject become a ticket, which goes back to the client (the
//     web app's /sso page, or the CLI's loopback address).
//  3. POST /sso/ticket (with the verifier) says what the ticket proved;
//     the client logs in (POST /sessions) or signs up (POST /accounts) with
//     the ticket and the verifier. A log-in uses the ticket up and links
//     the identity to the account.

const (
	ssoStateLife  = 10 * time.Minute // the person signs in at the provider
	ssoTicketLife = 5 * time.Minute  // the person types the master password
	ssoTicketPfx  = "cst1_"
	// maxSSOStates caps the sign-ins under way (each lives 10 minutes):
	// starts need no account, so a flood from many networks could
	// otherwise fill the table (the per-network rate limit holds one
	// network to 1,200).
	maxSSOStates = 10000
)

// ssoCallbackPath is where the provider sends browsers back: the
// provider must have PUBLIC_URL + it registered.
const ssoCallbackPath = api.Prefix + "/sso/callback"

// SSORedirectURL is the callback address of a server reached at
// publicURL.
func SSORedirectURL(publicURL string) string {
	return strings.TrimSuffix(publicURL, "/") + ssoCallbackPath
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

var errSSOTicket = &httpError{http.StatusUnauthorized, api.CodeSSOTicket,
	"this single sign-on expired or was used already; sign in with your company's account again", 0}

func (s *Server) ssoInfo(w http.ResponseWriter, r *http.Request) error {
	info := api.SSOInfo{Enabled: s.rp != nil}
	if s.rp != nil {
		info.Name, info.Domains = s.rp.Name(), s.cfg.Signup.SSOOnlyDomains
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

func (s *Server) ssoEnabled() error {
	if s.rp == nil {
		return &httpError{http.StatusNotFound, api.CodeNotFound, "this server has no single sign-on configured", 0}
	}
	return nil
}

func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) error {
	if err := s.ssoEnabled(); err != nil {
		return err
	}
	var req api.SSOStartRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if c, err := base64.RawURLEncoding.DecodeString(req.Challenge); err != nil || len(c) != 32 {
		return errBadRequest("challenge must be the S256 of a verifier: 43 characters of unpadded base64url")
	}
	if req.ReturnTo != "" && !loopbackURL(req.ReturnTo) {
		return errBadRequest("return_to must be a loopback address (http://127.0.0.1:PORT/…, http://[::1]:PORT/… or http://localhost:PORT/…) or empty for the web app")
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	u, err := s.rp.AuthURL(r.Context(), state, nonce, verifier)
	if err != nil {
		s.log.WarnContext(r.Context(), "single sign-on: provider unreachable", "err", err)
		return &httpError{http.StatusBadGateway, api.CodeUnavailable, "your company's sign-in cannot be reached just now; try again in a minute", 0}
	}
	st := store.SSOState{Hash: sso.TicketHash("state", state), Nonce: nonce, Verifier: verifier,
		Challenge: req.Challenge, ReturnTo: req.ReturnTo, ExpiresAt: s.now().Add(ssoStateLife)}
	if err := s.store.CreateSSOState(r.Context(), st, s.now(), maxSSOStates); err != nil {
		if errors.Is(err, store.ErrLimit) {
			s.log.Warn("single sign-on: too many sign-ins under way")
			retryAfter(w, time.Minute)
			return &httpError{http.StatusServiceUnavailable, api.CodeUnavailable, "too many sign-ins are under way on this server; try again in a few minutes", 0}
		}
		return err
	}
	writeJSON(w, http.StatusOK, api.SSOStartResponse{URL: u})
	return nil
}

// loopbackURL: a CLI's redirect target — plain http on a loopback host
// with a port, no user info. Nothing else may receive a ticket.
func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Port() == "" || u.Fragment != "" || len(raw) > 200 {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// ssoCallback is where the provider sends the browser back. It answers
// with a redirect to the client that started the sign-in (a ticket or an
// error in words), or — when it cannot tell which client that was — a page
// that says what happened.
func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if ok, wait := s.perAddr.add(s.clientNetwork(r), s.now()); !ok {
		retryAfter(w, wait)
		ssoPage(w, http.StatusTooManyRequests, "Too many requests from your network; wait a minute and sign in again.")
		return
	}
	if s.rp == nil {
		ssoPage(w, http.StatusNotFound, "This server has no single sign-on configured.")
		return
	}
	q := r.URL.Query()
	st, err := s.store.TakeSSOState(r.Context(), sso.TicketHash("state", q.Get("state")), s.now())
	if errors.Is(err, store.ErrNotFound) {
		// Replayed, expired, or never started here.
		ssoPage(w, http.StatusBadRequest, "This sign-in was used already or has expired. Start again from Coffer's log-in page.")
		return
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "single sign-on: state", "err", err)
		ssoPage(w, http.StatusServiceUnavailable, "Coffer cannot finish the sign-in just now; try again in a minute.")
		return
	}
	back := func(key, value string) {
		target := st.ReturnTo
		if target == "" {
			target = strings.TrimSuffix(s.cfg.PublicURL, "/") + webui.SSOPath + "#" + url.Values{key: {value}}.Encode()
		} else {
			u, _ := url.Parse(target)
			v := u.Query()
			v.Set(key, value)
			u.RawQuery = v.Encode()
			target = u.String()
		}
		http.Redirect(w, r, target, http.StatusFound)
	}
	if e := q.Get("error"); e != "" {
		// The provider's own words are for the operator's log only.
		s.log.WarnContext(r.Context(), "single sign-on: the provider refused", "client", s.clientAddr(r), "error", printable(e), "description", printable(q.Get("error_description")))
		back("error", api.SSOErrorDenied)
		return
	}
	id, err := s.rp.Identify(r.Context(), q.Get("code"), st.Verifier, st.Nonce)
	if err != nil {
		// Why, for the operator; never the code or a token.
		s.log.WarnContext(r.Context(), "single sign-on refused", "client", s.clientAddr(r), "err", err)
		code := api.SSOErrorFailed
		switch {
		case errors.Is(err, sso.ErrEmailNotVerified):
			code = api.SSOErrorUnverified
		case errors.Is(err, sso.ErrNoEmail):
			code = api.SSOErrorNoEmail
		}
		back("error", code)
		return
	}
	email, err := normalizeEmail(id.Email)
	if err != nil {
		back("error", api.SSOErrorNoEmail)
		return
	}
	t := store.SSOTicket{Challenge: st.Challenge, Issuer: id.Issuer, Subject: id.Subject, Email: email, Name: id.Name,
		ExpiresAt: s.now().Add(ssoTicketLife)}
	// An identity linked before is its account, whatever address either
	// side has now.
	if uid, err := s.store.SSOLink(r.Context(), id.Issuer, id.Subject); err == nil {
		if acct, err := s.store.AccountByID(r.Context(), uid); err == nil {
			t.UserID, t.Email = acct.ID, acct.Email
		}
	}
	ticket := ssoTicketPfx + randomToken()
	t.Hash = sso.TicketHash("ticket", ticket)
	if err := s.store.CreateSSOTicket(r.Context(), t, s.now()); err != nil {
		s.log.ErrorContext(r.Context(), "single sign-on: ticket", "err", err)
		back("error", api.SSOErrorBusy)
		return
	}
	back("ticket", ticket)
}

// printable keeps a provider's error words short and plain.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, strings.TrimSpace(s))
	if len([]rune(s)) > 200 {
		s = string([]rune(s)[:200]) + "…"
	}
	return s
}

var ssoPageTmpl = template.Must(template.New("sso").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Coffer — sign-in</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2933}a{color:#1d4ed8}</style>
</head><body><h1>Sign-in not finished</h1><p>{{.}}</p><p><a href="/login">Back to Coffer's log-in</a></p></body></html>`))

func ssoPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	ssoPageTmpl.Execute(w, msg)
}

// ssoTicketFor finds the ticket of proof: known, not expired, and the
// caller's — the verifier matches the challenge that started the
// sign-in (compared in constant time).
func (s *Server) ssoTicketFor(r *http.Request, proof api.SSOProof) (store.SSOTicket, error) {
	if s.rp == nil {
		return store.SSOTicket{}, s.ssoEnabled()
	}
	if !strings.HasPrefix(proof.Ticket, ssoTicketPfx) || len(proof.Ticket) > 100 || len(proof.Verifier) > 200 {
		return store.SSOTicket{}, errSSOTicket
	}
	t, err := s.store.SSOTicket(r.Context(), sso.TicketHash("ticket", proof.Ticket), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return t, errSSOTicket
	}
	if err != nil {
		return t, err
	}
	if !crypto.Equal([]byte(sso.Challenge(proof.Verifier)), []byte(t.Challenge)) {
		return store.SSOTicket{}, errSSOTicket
	}
	return t, nil
}

// ssoTicketInfo says what a ticket proved and whether the person logs in
// or may sign up.
func (s *Server) ssoTicketInfo(w http.ResponseWriter, r *http.Request) error {
	var req api.SSOProof
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	t, err := s.ssoTicketFor(r, req)
	if err != nil {
		return err
	}
	info := api.SSOTicketInfo{Email: t.Email, Name: t.Name, Provider: s.rp.Name()}
	if t.UserID != "" {
		info.Account = true
	} else if _, err := s.store.AccountByEmail(r.Context(), t.Email); err == nil {
		info.Account = true
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if !info.Account {
		// Only what the policy says; the sign-up itself decides again.
		var he *httpError
		switch err := s.checkSignup(store.WithRequirements(r.Context()), "", t.Email, true); {
		case err == nil:
			info.SignupAllowed = true
		case errors.As(err, &he):
			info.SignupRefused = he.msg
		default:
			return err
		}
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

// ssoLoginCheck is the single sign-on part of a log-in, before the
// master password's proof: an address at an SSO-only domain needs a
// ticket; a ticket must be the caller's and of this address. It returns
// the ticket (nil for none).
func (s *Server) ssoLoginCheck(r *http.Request, email string, proof *api.SSOProof) (*store.SSOTicket, error) {
	if proof == nil {
		if s.rp != nil {
			if d := ssoDomainOf(s.cfg.Signup.SSOOnlyDomains, foldDomain(email[strings.LastIndex(email, "@")+1:])); d != "" {
				return nil, s.ssoRequired(d, "use that button on the log-in page, or coffer login --sso in a terminal")
			}
		}
		return nil, nil
	}
	t, err := s.ssoTicketFor(r, *proof)
	if err != nil {
		return nil, err
	}
	if t.Email != email {
		return nil, &httpError{http.StatusUnauthorized, api.CodeSSOTicket, "this single sign-on was for " + t.Email + ", not for the address given", 0}
	}
	return &t, nil
}

// ssoRedeem uses the ticket up for acct once its master password (and
// second factor) were proved, and links the identity to the account.
func (s *Server) ssoRedeem(r *http.Request, t *store.SSOTicket, acct store.Account) error {
	if t.UserID != "" && t.UserID != acct.ID {
		return errSSOTicket
	}
	switch err := s.store.RedeemSSOTicket(r.Context(), t.Hash, acct.ID, s.now()); {
	case errors.Is(err, store.ErrNotFound):
		return errSSOTicket
	case errors.Is(err, store.ErrExists):
		return &httpError{http.StatusConflict, api.CodeSSOLinked,
			"this Coffer account is linked to another identity at your company's sign-in (or that identity to another account); ask your administrator", 0}
	default:
		return err
	}
}
