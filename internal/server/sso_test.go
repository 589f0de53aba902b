package server_test

// Issue 27: single sign-on with OpenID Connect, against a real provider
// (zitadel/oidc's, internal/ssotest) on loopback, through the client core:
// the first SSO log-in of an unknown person signs them up (their master
// password chosen then), a known one logs in with the master password,
// an SSO-only domain cannot use the password alone, accounts link by
// verified address only, and tickets, states and verifiers are one use
// and the starter's.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/sso"
	"github.com/coffer-pm/coffer/internal/ssotest"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/store/sqlite"
)

type ssoEnv struct {
	url   string
	srv   *server.Server
	store store.Store
	idp   *ssotest.Provider
}

// startSSO runs a provider and a Coffer server that uses it, with people
// at corp.example on single sign-on only and sign-up open to
// partner.example.
func startSSO(t *testing.T) *ssoEnv { return startSSOWrapped(t, nil) }

// startSSOWrapped is startSSO with wrap in front of the server (a
// recorder, a tampering server).
func startSSOWrapped(t *testing.T, wrap func(http.Handler) http.Handler) *ssoEnv {
	t.Helper()
	idp := ssotest.Start(t,
		ssotest.User{ID: "s-alice", Username: "alice", Password: "idp-alice", Email: "alice@corp.example", EmailVerified: true, FirstName: "Alice", LastName: "Archer"},
		ssotest.User{ID: "s-bob", Username: "bob", Password: "idp-bob", Email: "bob@corp.example", EmailVerified: false, FirstName: "Bob", LastName: "Baker"},
		ssotest.User{ID: "s-dave", Username: "dave", Password: "idp-dave", Email: "Dave@Partner.example", EmailVerified: true, FirstName: "Dave", LastName: "Dunn"},
		ssotest.User{ID: "s-erin", Username: "erin", Password: "idp-erin", Email: "erin@elsewhere.example", EmailVerified: true, FirstName: "Erin", LastName: "E"},
	)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	idp.Register("coffer", "coffer-secret", server.SSORedirectURL(public))
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/coffer.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := testConfig()
	cfg.PublicURL = public
	cfg.Signup = server.SignupPolicy{Domains: []string{"partner.example"}, SSOOnlyDomains: []string{"corp.example"}}
	cfg.SSO = sso.Config{Issuer: idp.Issuer, ClientID: "coffer", ClientSecret: "coffer-secret", Name: "Corp ID"}
	srv, err := server.New(context.Background(), cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(srv)
	}
	hs := &http.Server{Handler: h}
	go hs.Serve(ln)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return &ssoEnv{url: public, srv: srv, store: st, idp: idp}
}

// signIn starts a sign-in as the web app does and signs in at the
// provider; it returns the verifier and the fragment the browser comes
// back to /sso with (ticket=… or error=…).
func (e *ssoEnv) signIn(t *testing.T, user, password string) (verifier string, back url.Values) {
	t.Helper()
	start, err := client.SSOStart(bg, e.url, "", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := ssotest.SignIn(bg, start.URL, user, password, e.url+"/sso#")
	if err != nil {
		t.Fatal(err)
	}
	back, err = url.ParseQuery(u.EscapedFragment())
	if err != nil {
		t.Fatal(err)
	}
	return start.Verifier, back
}

func (e *ssoEnv) ticket(t *testing.T, user, password string) api.SSOProof {
	t.Helper()
	v, back := e.signIn(t, user, password)
	if back.Get("ticket") == "" {
		t.Fatalf("no ticket: %v", back)
	}
	return api.SSOProof{Ticket: back.Get("ticket"), Verifier: v}
}

func wantKind(t *testing.T, err error, kind string) {
	t.Helper()
	if got := client.KindOf(err); got != kind {
		t.Fatalf("error %v: kind %q, want %q", err, got, kind)
	}
}

func TestSSOSignUpAndLogIn(t *testing.T) {
	e := startSSO(t)
	info, err := client.SSOInfo(bg, e.url, client.Options{})
	if err != nil || !info.Enabled || info.Name != "Corp ID" || len(info.Domains) != 1 || info.Domains[0] != "corp.example" {
		t.Fatalf("info %+v, %v", info, err)
	}
	pw := []byte("alice master password")

	// Company staff cannot sign up with the password alone.
	_, err = client.Signup(bg, e.url, "alice@corp.example", "Alice", pw, client.Options{})
	wantKind(t, err, "sso-required")

	// The first SSO sign-in of an unknown person: sign up, with the
	// master password chosen now.
	proof := e.ticket(t, "alice", "idp-alice")
	ti, err := client.SSOTicket(bg, e.url, proof, client.Options{})
	if err != nil || ti.Email != "alice@corp.example" || ti.Name != "Alice Archer" || ti.Account || !ti.SignupAllowed || ti.Provider != "Corp ID" {
		t.Fatalf("ticket info %+v, %v", ti, err)
	}
	s, err := client.Signup(bg, e.url, ti.Email, ti.Name, pw, client.Options{SSO: &proof})
	if err != nil {
		t.Fatal(err)
	}
	if uid, err := e.store.SSOLink(bg, e.idp.Issuer, "s-alice"); err != nil || uid != s.Profile.UserID {
		t.Fatalf("link %q, %v (user %s)", uid, err, s.Profile.UserID)
	}
	// The ticket was used by the log-in that followed the sign-up.
	_, err = client.SSOTicket(bg, e.url, proof, client.Options{})
	wantKind(t, err, "sso-ticket")
	_, err = client.Login(bg, e.url, "alice@corp.example", pw, client.Options{SSO: &proof})
	wantKind(t, err, "sso-ticket")

	// Later: SSO again, then the master password.
	proof = e.ticket(t, "alice", "idp-alice")
	if ti, _ := client.SSOTicket(bg, e.url, proof, client.Options{}); !ti.Account {
		t.Fatalf("ticket info %+v", ti)
	}
	// The wrong master password: refused, and the ticket stays for the
	// right one.
	_, err = client.Login(bg, e.url, "alice@corp.example", []byte("not the password"), client.Options{SSO: &proof})
	wantKind(t, err, "wrong-password")
	if _, err := client.Login(bg, e.url, "alice@corp.example", pw, client.Options{SSO: &proof}); err != nil {
		t.Fatal(err)
	}
	// The password alone does not log company staff in.
	_, err = client.Login(bg, e.url, "alice@corp.example", pw, client.Options{})
	wantKind(t, err, "sso-required")

	// A ticket is its starter's: another verifier is refused.
	proof = e.ticket(t, "alice", "idp-alice")
	stolen := api.SSOProof{Ticket: proof.Ticket, Verifier: "someone-elses-verifier-0123456789abcdefghijk"}
	_, err = client.SSOTicket(bg, e.url, stolen, client.Options{})
	wantKind(t, err, "sso-ticket")
	_, err = client.Login(bg, e.url, "alice@corp.example", pw, client.Options{SSO: &stolen})
	wantKind(t, err, "sso-ticket")
	// Nor can it log in another address.
	_, err = client.Login(bg, e.url, "dave@partner.example", pw, client.Options{SSO: &proof})
	wantKind(t, err, "sso-ticket")
	// It expires.
	e.srv.SetClock(func() time.Time { return time.Now().Add(6 * time.Minute) })
	_, err = client.SSOTicket(bg, e.url, proof, client.Options{})
	wantKind(t, err, "sso-ticket")
	e.srv.SetClock(time.Now)
}

func TestSSOLinksAnExistingAccountByVerifiedAddress(t *testing.T) {
	e := startSSO(t)
	pw := []byte("dave master password")
	s, err := client.Signup(bg, e.url, "dave@partner.example", "Dave", pw, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Dave's provider account has the address in other letters.
	proof := e.ticket(t, "dave", "idp-dave")
	ti, err := client.SSOTicket(bg, e.url, proof, client.Options{})
	if err != nil || !ti.Account || ti.Email != "dave@partner.example" {
		t.Fatalf("ticket info %+v, %v", ti, err)
	}
	// A sign-up with it is refused: the address has an account.
	_, err = client.Signup(bg, e.url, "dave@partner.example", "Dave", pw, client.Options{SSO: &proof})
	if err == nil {
		t.Fatal("a second account for a linked address")
	}
	if _, err := client.Login(bg, e.url, ti.Email, pw, client.Options{SSO: &proof}); err != nil {
		t.Fatal(err)
	}
	if uid, err := e.store.SSOLink(bg, e.idp.Issuer, "s-dave"); err != nil || uid != s.Profile.UserID {
		t.Fatalf("link %q, %v", uid, err)
	}
	// Outside the SSO-only domains the password alone still works.
	if _, err := client.Login(bg, e.url, "dave@partner.example", pw, client.Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestSSORefusals(t *testing.T) {
	e := startSSO(t)

	// email_verified false: no ticket, the reason in words.
	_, back := e.signIn(t, "bob", "idp-bob")
	if back.Get("ticket") != "" || back.Get("error") != api.SSOErrorUnverified {
		t.Fatalf("an unverified address came back with %v", back)
	}

	// The sign-up policy holds for SSO too: elsewhere.example is neither
	// SSO-only nor allowed.
	proof := e.ticket(t, "erin", "idp-erin")
	ti, err := client.SSOTicket(bg, e.url, proof, client.Options{})
	if err != nil || ti.Account || ti.SignupAllowed || ti.SignupRefused == "" {
		t.Fatalf("ticket info %+v, %v", ti, err)
	}
	_, err = client.Signup(bg, e.url, ti.Email, "Erin", []byte("erin master password"), client.Options{SSO: &proof})
	wantKind(t, err, "signup-refused")

	// The provider's answer replayed: the state is used up.
	start, err := client.SSOStart(bg, e.url, "", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := ssotest.SignIn(bg, start.URL, "alice", "idp-alice", server.SSORedirectURL(e.url))
	if err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func() *http.Response {
		resp, err := noFollow.Get(cb.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := get(); r.StatusCode != http.StatusFound || !strings.Contains(r.Header.Get("Location"), "#ticket=") {
		t.Fatalf("first callback: %s %s", r.Status, r.Header.Get("Location"))
	}
	if r := get(); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("replayed callback: %s %s", r.Status, r.Header.Get("Location"))
	}
	// A made-up state, and the provider's own refusal.
	if r, err := noFollow.Get(server.SSORedirectURL(e.url) + "?state=made-up&code=x"); err != nil || r.StatusCode != http.StatusBadRequest {
		t.Fatalf("made-up state: %v %v", r, err)
	}

	// Only loopback addresses may receive a CLI's ticket.
	for _, to := range []string{"http://evil.example:8080/cb", "https://127.0.0.1:8080/cb", "http://127.0.0.1/cb", "http://user@127.0.0.1:9/cb", "http://127.0.0.1.evil.example:9/cb"} {
		_, err := client.SSOStart(bg, e.url, to, client.Options{})
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
			t.Errorf("return_to %s: %v", to, err)
		}
	}
	for _, to := range []string{"http://127.0.0.1:43123/callback", "http://[::1]:43123/callback", "http://localhost:43123/"} {
		if _, err := client.SSOStart(bg, e.url, to, client.Options{}); err != nil {
			t.Errorf("return_to %s: %v", to, err)
		}
	}
}

// TestSSOCLIReturn: a sign-in started for a CLI comes back to its
// loopback address with the ticket (or the error) in the query.
func TestSSOCLIReturn(t *testing.T) {
	e := startSSO(t)
	start, err := client.SSOStart(bg, e.url, "http://127.0.0.1:45999/done", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := ssotest.SignIn(bg, start.URL, "alice", "idp-alice", "http://127.0.0.1:45999/done")
	if err != nil {
		t.Fatal(err)
	}
	if u.Query().Get("ticket") == "" {
		t.Fatalf("back to %s", u)
	}
	if _, err := client.SSOTicket(bg, e.url, api.SSOProof{Ticket: u.Query().Get("ticket"), Verifier: start.Verifier}, client.Options{}); err != nil {
		t.Fatal(err)
	}
}

// TestSSOChangesNothingTheServerLearns: single sign-on is server
// authentication only. Across a whole SSO sign-up and log-in no request
// carries the master password, and a server that answers the log-in's
// KDF question below the floor gets nothing: the client refuses before it
// sends a proof.
func TestSSOChangesNothingTheServerLearns(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	weak := false
	e := startSSOWrapped(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			mu.Lock()
			bodies = append(bodies, append([]byte(r.URL.String()+" "), body...))
			tamper := weak && strings.HasSuffix(r.URL.Path, "/prelogin")
			mu.Unlock()
			if tamper {
				// A malicious server: Argon2id with 8 KiB.
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"algorithm":"argon2id","time":1,"memory":8,"threads":1,"salt":"MDEyMzQ1Njc4OWFiY2RlZg=="}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	pw := []byte("a master password only the device knows")
	proof := e.ticket(t, "alice", "idp-alice")
	if _, err := client.Signup(bg, e.url, "alice@corp.example", "Alice", pw, client.Options{SSO: &proof}); err != nil {
		t.Fatal(err)
	}
	proof = e.ticket(t, "alice", "idp-alice")
	if _, err := client.Login(bg, e.url, "alice@corp.example", pw, client.Options{SSO: &proof}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	weak = true
	before := len(bodies)
	mu.Unlock()
	proof = e.ticket(t, "alice", "idp-alice")
	if _, err := client.Login(bg, e.url, "alice@corp.example", pw, client.Options{SSO: &proof}); !errors.Is(err, client.ErrWeakKDF) {
		t.Fatalf("log-in under a weak KDF: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, b := range bodies[before:] {
		if bytes.Contains(b, []byte("/sessions")) {
			t.Fatalf("a proof was sent under a weak KDF: %s", b)
		}
	}
	for _, b := range bodies {
		if bytes.Contains(b, pw) {
			t.Fatalf("a request carried the master password: %.200s", b)
		}
	}
}
