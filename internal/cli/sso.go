package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
)

// ssoWait is how long coffer login --sso waits for the browser: the
// server forgets a sign-in it started after ten minutes.
const ssoWait = 10 * time.Minute

// loginSSO is coffer login --sso (docs/protocol.md §8.4): like other
// CLIs, it listens on a loopback port, prints the provider's address for
// a browser, and takes the ticket the server sends the browser back with.
// Then the master password, as always: the company's sign-in proves the
// address, it unlocks nothing.
func (a *app) loginSSO(ctx context.Context, server, name string) (*client.Session, error) {
	opt := a.clientOptions()
	info, err := client.SSOInfo(ctx, server, opt)
	if err != nil {
		return nil, err
	}
	if !info.Enabled {
		return nil, usageError("the server at %s has no single sign-on; log in with --email", server)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cannot listen on a loopback port for the sign-in's return: %w", err)
	}
	defer ln.Close()
	// The return path holds a random part: a local process or a web page
	// that guesses the port cannot end (or fake) the sign-in.
	path := "/sso/" + randomPath()
	returnTo := "http://" + ln.Addr().String() + path
	start, err := client.SSOStart(ctx, server, returnTo, opt)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(start.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !loopbackHost(u.Hostname())) {
		return nil, fmt.Errorf("the server gave a sign-in address that is not https: %s", inert(oneLine(start.URL)))
	}
	fmt.Fprintf(a.stderr, "Open this address in a browser to log in with %s (at %s):\n\n  %s\n\nWaiting for the sign-in…\n", inert(info.Name), inert(u.Host), inert(start.URL))
	ticket, err := awaitSSO(ctx, ln, path)
	if err != nil {
		return nil, err
	}
	proof := api.SSOProof{Ticket: ticket, Verifier: start.Verifier}
	ti, err := client.SSOTicket(ctx, server, proof, opt)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(a.stderr, "Signed in with %s as %s. Your master password still unlocks your vault: %s never sees it.\n", inert(ti.Provider), inert(ti.Email), inert(ti.Provider))
	opt.SSO = &proof
	switch {
	case ti.Account:
		pw, err := a.readPassword("Master password", false)
		if err != nil {
			return nil, err
		}
		return client.Login(ctx, server, ti.Email, pw, opt)
	case ti.SignupAllowed:
		if name == "" {
			name = ti.Name
		}
		if name == "" {
			return nil, usageError("%s has no Coffer account yet and gave no name: give --name to create it", inert(ti.Email))
		}
		fmt.Fprintf(a.stderr, "%s has no Coffer account yet. Choose a master password to create it (at least %d characters; it encrypts your vault and cannot be recovered by anyone).\n", inert(ti.Email), client.MinPasswordLength)
		pw, err := a.readPassword("New master password", true)
		if err != nil {
			return nil, err
		}
		s, err := client.Signup(ctx, server, ti.Email, name, pw, opt)
		if err == nil {
			fmt.Fprintf(a.stderr, "Account %s created. Your key fingerprint: %s\n", s.Profile.Email, s.Profile.Fingerprint())
		}
		return s, err
	default:
		return nil, &exitError{code: ExitDenied, err: errors.New(inert(oneLine(ti.SignupRefused)))}
	}
}

// randomPath is 32 random bytes, base64url.
func randomPath() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// loopbackHost: a provider on this machine (tests, a local IdP) may be
// plain http; anywhere else the sign-in page must be https.
func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

var ssoDonePage = template.Must(template.New("done").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Coffer</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p></body></html>`))

// awaitSSO serves the loopback port until the browser comes back with a
// ticket (or the server's words of why not), ctx ends, or ssoWait passes.
func awaitSSO(ctx context.Context, ln net.Listener, path string) (string, error) {
	type result struct {
		ticket string
		err    error
	}
	got := make(chan result, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		res := result{ticket: q.Get("ticket")}
		page := struct{ Title, Text string }{"Signed in", "You can close this tab and go back to the terminal."}
		if res.ticket == "" {
			// A code, said in the core's words (never text from the URL).
			msg := client.SSOErrorText(q.Get("error"))
			res.err = errors.New(msg)
			page = struct{ Title, Text string }{"Sign-in not finished", msg + ". Go back to the terminal."}
		}
		ssoDonePage.Execute(w, page)
		select {
		case got <- res:
		default:
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	timer := time.NewTimer(ssoWait)
	defer timer.Stop()
	select {
	case r := <-got:
		return r.ticket, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	case <-timer.C:
		return "", errors.New("the sign-in was not finished within 10 minutes; run coffer login --sso again")
	}
}
