// Package sso is Coffer's side of single sign-on with an OpenID Connect
// provider (docs/protocol.md §8.4): the authorization code flow with
// PKCE, for a confidential client (the server holds the client secret).
//
// SSO only proves to the server who someone is. It opens nothing: the
// master password still derives the keys on the person's device, and the
// server still checks its proof before it makes a session.
package sso

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/coffer-pm/coffer/internal/pkce"
)

// Config is what the operator configures.
type Config struct {
	Issuer       string // the provider's issuer URL, exactly as its discovery document says
	ClientID     string
	ClientSecret string
	Name         string // shown on the log-in button: "Log in with <Name>"
	// RedirectURL is Coffer's callback, PUBLIC_URL/api/v1/sso/callback: the
	// provider must have it registered for ClientID.
	RedirectURL string
	// HTTPClient talks to the provider (discovery, keys, token, user info);
	// nil is a client with a 15-second timeout.
	HTTPClient *http.Client
	// Now is the clock tokens are checked against (tests move it).
	Now func() time.Time
}

// Enabled reports whether single sign-on is configured.
func (c Config) Enabled() bool { return c.Issuer != "" }

// Check says what is missing or wrong in c.
func (c Config) Check() error {
	switch {
	case !c.Enabled():
		return nil
	case c.ClientID == "":
		return errors.New("single sign-on needs the client id the provider gave Coffer (--oidc-client-id)")
	case c.ClientSecret == "":
		return errors.New("single sign-on needs the client secret the provider gave Coffer (--oidc-client-secret or COFFER_OIDC_CLIENT_SECRET)")
	case c.RedirectURL == "":
		return errors.New("single sign-on needs --public-url: the provider sends people back to PUBLIC_URL/api/v1/sso/callback")
	case !strings.HasPrefix(c.Issuer, "https://") && !strings.HasPrefix(c.Issuer, "http://127.") &&
		!strings.HasPrefix(c.Issuer, "http://localhost") && !strings.HasPrefix(c.Issuer, "http://[::1]"):
		return fmt.Errorf("the OpenID Connect issuer %q must be an https:// URL (plain http only on loopback)", c.Issuer)
	}
	return nil
}

// Identity is what a provider proved: its subject and an e-mail address
// it says it verified.
type Identity struct {
	Issuer  string
	Subject string
	Email   string
	Name    string
}

var (
	// ErrEmailNotVerified: the provider does not vouch for the address.
	ErrEmailNotVerified = errors.New("your company's sign-in does not say that your e-mail address is verified; Coffer links accounts by verified addresses only — ask your administrator")
	// ErrNoEmail: the provider gave no address.
	ErrNoEmail = errors.New("your company's sign-in gave no e-mail address (Coffer asks for the openid, email and profile scopes)")
	// ErrToken: the provider's answer is not a token for Coffer: wrong
	// issuer, audience, signature, expired, or a nonce of another sign-in.
	ErrToken = errors.New("the sign-in could not be verified")
)

// RP is the relying party: Coffer as the provider's client. It discovers
// the provider the first time it is needed (a provider that is down when
// Coffer starts does not stop Coffer) and again after a failure.
type RP struct {
	cfg Config

	mu       sync.Mutex
	provider *oidc.Provider
	// failed and failedErr: the last failed discovery, answered again for
	// a while instead of every request waiting on an unreachable provider.
	failed    time.Time
	failedErr error
}

// retryDiscovery is how long a failed discovery is answered from memory.
const retryDiscovery = 30 * time.Second

// New returns the relying party of cfg.
func New(cfg Config) *RP {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &RP{cfg: cfg}
}

// Name is the provider's display name.
func (rp *RP) Name() string { return rp.cfg.Name }

func (rp *RP) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, rp.cfg.HTTPClient)
}

func (rp *RP) discover(ctx context.Context) (*oidc.Provider, error) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.provider != nil {
		return rp.provider, nil
	}
	if rp.failedErr != nil && time.Since(rp.failed) < retryDiscovery {
		return nil, rp.failedErr
	}
	// The provider keeps the context of its creation for fetching keys
	// later: not the request's, which ends with the request.
	p, err := oidc.NewProvider(rp.ctx(context.WithoutCancel(ctx)), rp.cfg.Issuer)
	if err != nil {
		rp.failed, rp.failedErr = time.Now(), fmt.Errorf("your company's sign-in (%s) cannot be reached: %w", rp.cfg.Issuer, err)
		return nil, rp.failedErr
	}
	rp.provider = p
	return p, nil
}

func (rp *RP) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: rp.cfg.ClientID, ClientSecret: rp.cfg.ClientSecret,
		Endpoint: p.Endpoint(), RedirectURL: rp.cfg.RedirectURL,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// AuthURL is where the person's browser goes to sign in: it carries
// state, the nonce the ID token must repeat and the PKCE challenge of
// verifier (S256).
func (rp *RP) AuthURL(ctx context.Context, state, nonce, verifier string) (string, error) {
	p, err := rp.discover(ctx)
	if err != nil {
		return "", err
	}
	return rp.oauth(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Identify redeems the provider's code (with the PKCE verifier), checks
// the ID token — signature by the provider's keys, issuer, audience, expiry
// and nonce — and returns the identity with its verified address.
func (rp *RP) Identify(ctx context.Context, code, verifier, nonce string) (Identity, error) {
	p, err := rp.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	cfg := rp.oauth(p)
	tok, err := cfg.Exchange(rp.ctx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("%w: the provider did not take the sign-in's code: %v", ErrToken, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, fmt.Errorf("%w: the provider's answer holds no ID token", ErrToken)
	}
	idt, err := rp.verify(ctx, p, raw, nonce)
	if err != nil {
		return Identity{}, err
	}
	var c claims
	if err := idt.Claims(&c); err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrToken, err)
	}
	if c.Email == "" {
		// Many providers keep the address for the user-info endpoint.
		ui, err := p.UserInfo(rp.ctx(ctx), oauth2.StaticTokenSource(tok))
		if err != nil {
			return Identity{}, fmt.Errorf("%w: the provider's user info: %v", ErrToken, err)
		}
		if ui.Subject != idt.Subject {
			return Identity{}, fmt.Errorf("%w: the user info is of another subject", ErrToken)
		}
		if err := ui.Claims(&c); err != nil {
			return Identity{}, fmt.Errorf("%w: %v", ErrToken, err)
		}
	}
	return identity(idt.Issuer, idt.Subject, c)
}

// verify checks an ID token as Identify does.
func (rp *RP) verify(ctx context.Context, p *oidc.Provider, raw, nonce string) (*oidc.IDToken, error) {
	v := p.Verifier(&oidc.Config{ClientID: rp.cfg.ClientID, Now: rp.cfg.Now})
	idt, err := v.Verify(rp.ctx(ctx), raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrToken, err)
	}
	if idt.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, fmt.Errorf("%w: the ID token belongs to another sign-in (nonce)", ErrToken)
	}
	return idt, nil
}

type claims struct {
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
	Name          string   `json:"name"`
}

// flexBool reads true and "true" (some providers send the string).
type flexBool bool

func (b *flexBool) UnmarshalJSON(d []byte) error {
	s := strings.Trim(string(d), `"`)
	*b = flexBool(s == "true")
	return nil
}

func identity(iss, sub string, c claims) (Identity, error) {
	if sub == "" {
		return Identity{}, fmt.Errorf("%w: no subject", ErrToken)
	}
	if c.Email == "" {
		return Identity{}, ErrNoEmail
	}
	if !c.EmailVerified {
		return Identity{}, ErrEmailNotVerified
	}
	name := c.Name
	if len(name) > 100 {
		name = ""
	}
	email := strings.TrimSpace(c.Email)
	// Only ASCII letters fold: a provider's address whose other letters
	// would change (the Kelvin sign K for k) is not the one it verified.
	for _, r := range email {
		if r >= utf8.RuneSelf && unicode.ToLower(r) != r {
			return Identity{}, ErrNoEmail
		}
	}
	return Identity{Issuer: iss, Subject: sub, Email: strings.ToLower(email), Name: name}, nil
}

// Challenge is what a client that starts a sign-in sends: the S256 of the
// verifier it keeps (pkce.Challenge). Only the holder of the verifier can
// use the ticket the sign-in ends with.
func Challenge(verifier string) string { return pkce.Challenge(verifier) }

// TicketHash is what the server keeps of a ticket, a state or anything
// else it hands out once (docs/protocol.md §8.4).
func TicketHash(kind, value string) []byte {
	h := sha256.Sum256([]byte("coffer/v1/sso-" + kind + "\x00" + value))
	return h[:]
}
