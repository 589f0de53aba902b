package bridge

import (
	"context"
	"errors"
	"strings"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
)

// Single sign-on in the web app (docs/protocol.md §8.4). The page sends
// the browser to the provider (ssoStart's url) and the server sends it
// back to /sso with a ticket; the verifier that makes the ticket this
// browser's stays in the core's storage meanwhile (not in the page, not in
// any address). The master password still unlocks: ssoLogin and
// ssoSignup derive the keys here as login and signup do.

const ssoKey = "coffer.sso"

// errNoSSO: the page came back to /sso in a browser that did not start a
// sign-in (or started another since).
var errNoSSO = errors.New("this browser did not start that sign-in (or started another since); log in with your company's account again")

// SSOStarted is where the page sends the browser.
type SSOStarted struct {
	URL string `json:"url"`
}

func (c *Core) ssoInfo() (api.SSOInfo, error) {
	return client.SSOInfo(context.Background(), c.server, c.options())
}

func (c *Core) ssoStart() (SSOStarted, error) {
	st, err := client.SSOStart(context.Background(), c.server, "", c.options())
	if err != nil {
		return SSOStarted{}, err
	}
	c.host.Set(ssoKey, st.Verifier)
	return SSOStarted{URL: st.URL}, nil
}

func (c *Core) ssoProof(ticket string) (*api.SSOProof, error) {
	v, ok := c.host.Get(ssoKey)
	if !ok || v == "" {
		return nil, errNoSSO
	}
	return &api.SSOProof{Ticket: strings.TrimSpace(ticket), Verifier: v}, nil
}

// ssoTicket says what the sign-in proved: the address, and whether it logs
// in (account) or may sign up.
func (c *Core) ssoTicket(ticket string) (api.SSOTicketInfo, error) {
	proof, err := c.ssoProof(ticket)
	if err != nil {
		return api.SSOTicketInfo{}, err
	}
	return client.SSOTicket(context.Background(), c.server, *proof, c.options())
}

// ssoLogin logs in with the ticket and the master password, as login
// does (code: a two-factor code; without one an account with two-factor
// log-in answers state "second-factor", and a security key goes through
// loginSecurityKey with the ticket).
func (c *Core) ssoLogin(ticket, email, password, code string) (Unlocked, error) {
	opts, err := c.ssoOptions(ticket)
	if err != nil {
		return Unlocked{}, err
	}
	if code = strings.TrimSpace(code); code != "" {
		opts.SecondFactor = func(context.Context, api.SecondFactorChallenge) (client.SecondFactorAnswer, error) {
			return client.SecondFactorAnswer{Code: code}, nil
		}
	}
	u, err := c.loginWith(email, password, opts)
	if err == nil && u.State != "second-factor" {
		c.host.Remove(ssoKey)
	}
	return u, err
}

// ssoSignup creates the account the sign-in proved the address of, with
// the master password chosen now, and logs in.
func (c *Core) ssoSignup(ticket, email, name, password string) (Unlocked, error) {
	opts, err := c.ssoOptions(ticket)
	if err != nil {
		return Unlocked{}, err
	}
	s, err := client.Signup(context.Background(), c.server, email, name, []byte(password), opts)
	if err != nil {
		return Unlocked{}, err
	}
	return c.ssoOpened(s)
}

// ssoOptions are the core's client options with the ticket's proof.
func (c *Core) ssoOptions(ticket string) (client.Options, error) {
	proof, err := c.ssoProof(ticket)
	if err != nil {
		return client.Options{}, err
	}
	opts := c.options()
	opts.SSO = proof
	return opts, nil
}

// ssoOpened forgets the used sign-in's verifier and opens the session.
func (c *Core) ssoOpened(s *client.Session) (Unlocked, error) {
	c.host.Remove(ssoKey)
	return c.opened(s)
}
