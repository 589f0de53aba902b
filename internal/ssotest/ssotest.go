// Package ssotest runs a real OpenID Connect provider on loopback for
// tests: zitadel/oidc's provider (github.com/zitadel/oidc/v3/pkg/op) with
// the in-memory storage and the username-and-password login page of its
// example server. Coffer's tests sign in at it as a person would: through
// its login form, with a browser or an HTTP client that follows its
// redirects.
package ssotest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

// User is a person the provider knows.
type User struct {
	ID, Username, Password string
	Email                  string
	EmailVerified          bool
	FirstName, LastName    string
}

type users map[string]*storage.User

func (u users) GetUserByID(id string) *storage.User { return u[id] }
func (u users) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u users) ExampleClientID() string { return storage.ServiceUserID }

// Provider is a running provider.
type Provider struct {
	Issuer  string
	storage *storage.Storage
	clients map[string]*storage.Client
	srvs    []*http.Server
}

// Start runs a provider that knows people and no client yet (Register).
// It listens on 127.0.0.1; its issuer is http://127.0.0.1:PORT.
func Start(t testing.TB, people ...User) *Provider {
	t.Helper()
	us := users{}
	for _, p := range people {
		us[p.ID] = &storage.User{ID: p.ID, Username: p.Username, Password: p.Password, Email: p.Email,
			EmailVerified: p.EmailVerified, FirstName: p.FirstName, LastName: p.LastName, PreferredLanguage: language.English}
	}
	p := &Provider{clients: map[string]*storage.Client{}}
	p.storage = storage.NewStorageWithClients(us, p.clients)
	p.Issuer = p.serve(t)
	return p
}

// serve runs the provider's handler under a new issuer on its own port.
func (p *Provider) serve(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	// The example provider logs every request through slog's default
	// logger (it sets it to the one given): a test's output is not for it.
	srv := &http.Server{Handler: exampleop.SetupServer(issuer, p.storage, slog.New(slog.DiscardHandler), false), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	p.srvs = append(p.srvs, srv)
	return issuer
}

// Alias serves the same provider — same people, clients and signing keys —
// under another issuer: its tokens verify with the first one's keys but
// name another issuer.
func (p *Provider) Alias(t testing.TB) string { return p.serve(t) }

// Register adds a client (a web application with a secret) that may send
// people back to redirectURIs. Call it before the first sign-in.
func (p *Provider) Register(id, secret string, redirectURIs ...string) {
	p.clients[id] = storage.WebClient(id, secret, redirectURIs...)
}

var formID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// SignIn follows authURL as a browser would, fills the provider's login
// form with username and password, and returns the address the provider
// sends the browser back to (the first redirect to a URL that starts with
// backTo), without following it; with backTo "" it follows every redirect,
// as a browser does, and returns the last page's address.
func SignIn(ctx context.Context, authURL, username, password, backTo string) (*url.URL, error) {
	jar, _ := cookiejar.New(nil)
	var back *url.URL
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if backTo != "" && strings.HasPrefix(r.URL.String(), backTo) {
			back = r.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	get := func(u string) (*http.Response, string, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
		resp, err := hc.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp, string(b), nil
	}
	resp, page, err := get(authURL)
	if err != nil {
		return nil, err
	}
	if back != nil {
		return back, nil // the provider refused before its login form
	}
	m := formID.FindStringSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("no login form at %s (%s): %.300s", resp.Request.URL, resp.Status, page)
	}
	form := url.Values{"id": {m[1]}, "username": {username}, "password": {password}}
	login := resp.Request.URL.ResolveReference(&url.URL{Path: "/login/username"})
	req, _ := http.NewRequestWithContext(ctx, "POST", login.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if backTo == "" {
		if resp.StatusCode != http.StatusOK {
			return nil, errors.New("the last page answered " + resp.Status)
		}
		return resp.Request.URL, nil
	}
	if back == nil {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return nil, errors.New("the provider did not send the browser back: " + resp.Status + ": " + string(b))
	}
	return back, nil
}
