package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
)

// SignupPolicy is who may create an account with an e-mail address and a
// master password (issue 27; coffer serve --signup, --signup-domain,
// --sso-only-domain; docs/deployment.md). The rule, in this order:
//
//  1. An address at an SSO-only domain, or at any subdomain of one, is
//     refused (sso_required), whatever else holds — an invitation or
//     --admin included: its people sign in with their company's single
//     sign-on.
//  2. Without Invitation and Domains, anyone may sign up (open, the
//     default).
//  3. Otherwise an address may sign up if its domain is one of Domains
//     (exactly: a subdomain is not), or — with Invitation — it has a
//     pending invitation to some organisation, or it is an instance
//     administrator's address (Config.Admins: an invitation-only server
//     needs a first account). Else it is refused (signup_refused).
//
// The two lists each fail closed: an allowed domain admits no subdomain
// it did not name, an SSO-only one keeps its subdomains out of password
// sign-up too. Domains compare after case folding (NFKC, then lower
// case), so a full-width or upper-case spelling is the same domain; an
// IDN's xn-- form and its Unicode form are different names (list both if
// people type either).
type SignupPolicy struct {
	Invitation     bool
	Domains        []string
	SSOOnlyDomains []string
}

// Restricted reports whether the policy limits who may sign up beyond
// the SSO-only domains.
func (p SignupPolicy) Restricted() bool { return p.Invitation || len(p.Domains) > 0 }

// foldDomain is how every domain compares, configured or an address's.
func foldDomain(d string) string { return strings.ToLower(norm.NFKC.String(d)) }

// Normalized returns p with its domains folded, checked and each listed
// once; an error names what is wrong.
func (p SignupPolicy) Normalized() (SignupPolicy, error) {
	clean := func(what string, list []string) ([]string, error) {
		var out []string
		for _, d := range list {
			f := foldDomain(strings.TrimSpace(d))
			// A domain is what follows the @ of a valid address.
			if _, err := normalizeEmail("x@" + f); err != nil || f == "" || strings.ContainsAny(f, "@[]") {
				return nil, fmt.Errorf("%s %q is not a domain like example.com", what, d)
			}
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
		return out, nil
	}
	var err error
	if p.Domains, err = clean("sign-up domain", p.Domains); err != nil {
		return p, err
	}
	if p.SSOOnlyDomains, err = clean("SSO-only domain", p.SSOOnlyDomains); err != nil {
		return p, err
	}
	for _, d := range p.Domains {
		if sso := ssoDomainOf(p.SSOOnlyDomains, d); sso != "" {
			return p, fmt.Errorf("sign-up domain %s is SSO-only (%s): an address there cannot sign up with a master password", d, sso)
		}
	}
	return p, nil
}

// Describe says whom the policy admits, for the server's start-up line.
func (p SignupPolicy) Describe() string {
	var who string
	switch {
	case !p.Restricted():
		who = "open to any address"
	case len(p.Domains) == 0:
		who = "addresses with a pending invitation"
	case !p.Invitation:
		who = "addresses at " + strings.Join(p.Domains, ", ")
	default:
		who = "addresses at " + strings.Join(p.Domains, ", ") + ", or with a pending invitation"
	}
	if len(p.SSOOnlyDomains) > 0 {
		who += "; never addresses at " + strings.Join(p.SSOOnlyDomains, ", ") + " (single sign-on only)"
	}
	return who
}

// ssoDomainOf returns the SSO-only domain that domain is or is under, or "".
func ssoDomainOf(sso []string, domain string) string {
	for _, d := range sso {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return d
		}
	}
	return ""
}

// checkSignup applies the sign-up policy to email (normalized) for the
// new account userID: at sign-up, and again when a mailed sign-up is
// completed (the policy or the invitation may have changed in the hour).
// An address admitted by its invitation alone registers the invitation
// as a requirement of ctx (store.Requirement.Invited): the write's
// transaction reads it again, so an invitation cancelled meanwhile
// refuses the sign-up (ErrNoLongerAllowed; signupStoreError).
//
// viaSSO is a sign-up whose address the company's single sign-on proved
// (docs/protocol.md §8.4): an SSO-only domain admits it — that is what
// the domain is for — and every other address follows the same rule as a
// password sign-up.
func (s *Server) checkSignup(ctx context.Context, userID, email string, viaSSO bool) error {
	p := s.cfg.Signup
	domain := foldDomain(email[strings.LastIndex(email, "@")+1:])
	if d := ssoDomainOf(p.SSOOnlyDomains, domain); d != "" {
		if viaSSO {
			return nil
		}
		return s.ssoRequired(d, "no account was made")
	}
	if !p.Restricted() || slices.Contains(p.Domains, domain) ||
		slices.ContainsFunc(s.cfg.Admins, func(a string) bool { return strings.EqualFold(a, email) }) {
		return nil
	}
	if p.Invitation {
		invs, err := s.store.OpenInvitationsFor(ctx, email)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(invs, func(in store.Invitation) bool { return in.State == store.InviteInvited }) {
			store.Require(ctx, store.Requirement{UserID: userID, Invited: email})
			return nil
		}
	}
	return s.signupRefused()
}

// ssoRequired refuses an e-mail-and-password log-in or sign-up of an
// address at an SSO-only domain d, and says what to do instead.
func (s *Server) ssoRequired(d, after string) error {
	how := "the company's single sign-on"
	if s.rp != nil {
		how = s.rp.Name() + " (\"Log in with " + s.rp.Name() + "\")"
	}
	return &httpError{http.StatusForbidden, api.CodeSSORequired,
		"addresses at " + d + " sign in with " + how + ", not with an e-mail address and master password; " + after, 0}
}

// signupRefused says whom the server accepts and what to do.
func (s *Server) signupRefused() error {
	p := s.cfg.Signup
	var msg string
	switch {
	case len(p.Domains) == 0:
		msg = "this server accepts sign-ups only from invited addresses: ask an organisation owner to invite you, then sign up with the invited address"
	case !p.Invitation:
		msg = "this server accepts sign-ups only for addresses at " + strings.Join(p.Domains, ", ")
	default:
		msg = "this server accepts sign-ups only for addresses at " + strings.Join(p.Domains, ", ") +
			", or invited ones: ask an organisation owner to invite you, then sign up with the invited address"
	}
	return &httpError{http.StatusForbidden, api.CodeSignupRefused, msg + "; no account was made", 0}
}

// signupStoreError is a sign-up's write error as the caller reads it: an
// invitation cancelled while the sign-up ran is the policy's refusal.
func (s *Server) signupStoreError(err error) error {
	if errors.Is(err, store.ErrNoLongerAllowed) {
		return s.signupRefused()
	}
	return err
}
