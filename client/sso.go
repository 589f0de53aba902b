package client

import (
	"context"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/pkce"
)

// Single sign-on (docs/protocol.md §8.4). The company's provider proves
// the address to the server; the master password still derives the keys
// here and is still proved to the server. A client starts a sign-in with
// the challenge of a verifier it keeps (SSOStart), the browser signs in at
// the provider and comes back with a ticket, and the client logs in or
// signs up with the ticket and the verifier (Options.SSO).

// SSOInfo is the server's single sign-on (Enabled false for none).
func SSOInfo(ctx context.Context, server string, opt Options) (api.SSOInfo, error) {
	var info api.SSOInfo
	err := newTransport(server, opt.HTTPClient).do(ctx, "GET", "/sso", nil, &info)
	return info, err
}

// SSOSignIn is a single sign-on under way: the browser goes to URL; the
// client keeps Verifier until the ticket comes back.
type SSOSignIn struct {
	URL      string `json:"url"`
	Verifier string `json:"verifier"`
}

// SSOStart starts a single sign-on at server. returnTo is "" for the web
// app (the provider's answer comes to the server's /sso page) or the
// loopback address a CLI listens on.
func SSOStart(ctx context.Context, server, returnTo string, opt Options) (SSOSignIn, error) {
	v := pkce.NewVerifier()
	var resp api.SSOStartResponse
	if err := newTransport(server, opt.HTTPClient).do(ctx, "POST", "/sso/start", api.SSOStartRequest{Challenge: pkce.Challenge(v), ReturnTo: returnTo}, &resp); err != nil {
		return SSOSignIn{}, err
	}
	return SSOSignIn{URL: resp.URL, Verifier: v}, nil
}

// SSOTicket says what a sign-in's ticket proved: the address, and whether
// it has an account (log in) or may sign up.
func SSOTicket(ctx context.Context, server string, proof api.SSOProof, opt Options) (api.SSOTicketInfo, error) {
	var info api.SSOTicketInfo
	err := newTransport(server, opt.HTTPClient).do(ctx, "POST", "/sso/ticket", proof, &info)
	return info, err
}

// SSOErrorText says in words why a single sign-on did not finish, from the
// code the server sent the browser back with (api.SSOError…); an unknown
// code gets the general words — the page shows no text it was handed.
func SSOErrorText(code string) string {
	switch code {
	case api.SSOErrorDenied:
		return "Your company's sign-in did not sign you in (cancelled or refused there). Try again; ask your administrator if it goes on."
	case api.SSOErrorUnverified:
		return "Your company's sign-in does not say that your e-mail address is verified, and Coffer links accounts by verified addresses only. Ask your administrator."
	case api.SSOErrorNoEmail:
		return "Your company's sign-in gave no e-mail address Coffer can use. Ask your administrator."
	case api.SSOErrorBusy:
		return "Coffer could not finish the sign-in just now. Try again in a minute."
	}
	return "Coffer could not verify your company's sign-in. Try again; ask your administrator if it goes on."
}
