package main_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/internal/api"
)

// forwardingProxy is a reverse proxy on loopback in front of target that
// forwards as nginx's $proxy_add_x_forwarded_for does: what the client
// sent, then the client's address as the proxy saw it. Every client of a
// test comes from loopback, so each proxy stands for one client and
// names the address it was given; a client's own X-Forwarded-For and
// Forwarded headers are passed on (ReverseProxy keeps Forwarded).
func forwardingProxy(t *testing.T, target, client string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(u)
		xff := client
		if prior := pr.In.Header.Values("X-Forwarded-For"); len(prior) > 0 {
			xff = strings.Join(prior, ", ") + ", " + client
		}
		pr.Out.Header.Set("X-Forwarded-For", xff)
	}}
	hs := httptest.NewServer(rp)
	t.Cleanup(hs.Close)
	return hs.URL
}

// failLogin sends one login with a wrong key for email through base,
// with the client's own extra headers, and returns the status and error.
func failLogin(t *testing.T, base, email string, header http.Header) (int, string) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	body, _ := json.Marshal(api.LoginRequest{Email: email, AuthKey: key})
	req, err := http.NewRequest(http.MethodPost, base+api.Prefix+"/sessions", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e api.Error
	json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.Error
}

const (
	proxyClientA = "198.51.100.7"
	proxyClientB = "203.0.113.9"
	proxyOwner   = "192.0.2.44"
	perNetwork   = 5 // --requests-per-network: failed logins fit under the account's 10
)

// TestTrustedProxy (issue 27): a real `coffer serve --trusted-proxy
// 127.0.0.1/32` behind real reverse proxies on loopback. Failed logins
// for one account from two clients count per client: the one that used
// up its network's requests is refused, the other is not, and a client
// that writes the other's address into its own X-Forwarded-For is still
// itself. The audit log and the failed-login log name the forwarded
// client.
func TestTrustedProxy(t *testing.T) {
	srv := startServer(t, "--trusted-proxy", "10.0.0.0/8,127.0.0.1/32", "--trusted-proxy", "::1/128", "--requests-per-network", strconv.Itoa(perNetwork))
	owner := user(t, &serverProc{url: forwardingProxy(t, srv.url, proxyOwner)}, "owner@proxy.example")
	owner.ok("", "org", "create", "Acme")
	owner.ok("", "vault", "create", "Acme", "Ops")

	viaA, viaB := forwardingProxy(t, srv.url, proxyClientA), forwardingProxy(t, srv.url, proxyClientB)
	for i := range perNetwork {
		if status, msg := failLogin(t, viaA, "owner@proxy.example", nil); status != http.StatusUnauthorized {
			t.Fatalf("client A's failed login %d: %d %s, want 401", i+1, status, msg)
		}
	}
	srv.stderr.waitFor(t, `msg="failed password check" route="POST /api/v1/sessions" client=`+proxyClientA)
	if status, msg := failLogin(t, viaA, "owner@proxy.example", nil); status != http.StatusTooManyRequests || !strings.Contains(msg, "network") {
		t.Fatalf("client A over its network's requests: %d %s, want 429", status, msg)
	}
	// Client A names B in its own X-Forwarded-For: the proxy appends A's
	// real address, the right-most untrusted hop, so A is still limited.
	spoof := http.Header{"X-Forwarded-For": {proxyClientB}}
	if status, msg := failLogin(t, viaA, "owner@proxy.example", spoof); status != http.StatusTooManyRequests {
		t.Fatalf("client A posing as B: %d %s, want 429", status, msg)
	}
	if status, msg := failLogin(t, viaB, "owner@proxy.example", nil); status != http.StatusUnauthorized {
		t.Fatalf("client B after A was limited: %d %s, want 401 (its own network's requests)", status, msg)
	}
	srv.stderr.waitFor(t, `msg="failed password check" route="POST /api/v1/sessions" client=`+proxyClientB)

	// The audit log names the forwarded client.
	out := owner.ok("", "org", "audit", "Acme", "--json")
	var sources []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Action string `json:"action"`
			Source string `json:"source"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("audit line %q: %v", l, err)
		}
		sources = append(sources, e.Action+"@"+e.Source)
	}
	if got := strings.Join(sources, " "); got != "vault-create@"+proxyOwner {
		t.Fatalf("audit log: %s, want vault-create@%s", got, proxyOwner)
	}
}

// TestUntrustedProxyHeadersIgnored: without --trusted-proxy the same
// forwarded headers change nothing: both clients are the proxy's
// loopback network and share its requests.
func TestUntrustedProxyHeadersIgnored(t *testing.T) {
	srv := startServer(t, "--requests-per-network", strconv.Itoa(perNetwork))
	viaA, viaB := forwardingProxy(t, srv.url, proxyClientA), forwardingProxy(t, srv.url, proxyClientB)
	for i := range perNetwork {
		if status, msg := failLogin(t, viaA, "someone@proxy.example", nil); status != http.StatusUnauthorized {
			t.Fatalf("client A's failed login %d: %d %s, want 401", i+1, status, msg)
		}
	}
	srv.stderr.waitFor(t, `msg="failed password check" route="POST /api/v1/sessions" client=127.0.0.1`)
	if strings.Contains(srv.stderr.String(), proxyClientA) {
		t.Fatalf("the log names the forwarded client of an untrusted proxy:\n%s", srv.stderr.String())
	}
	if status, msg := failLogin(t, viaB, "someone@proxy.example", nil); status != http.StatusTooManyRequests || !strings.Contains(msg, "network") {
		t.Fatalf("client B after A used the proxy's requests: %d %s, want 429", status, msg)
	}
}

// TestTrustedProxyFromConfigFile: trusted_proxies in --config-file works
// as --trusted-proxy does.
func TestTrustedProxyFromConfigFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "coffer.json")
	if err := os.WriteFile(file, []byte(`{"trusted_proxies": ["10.0.0.0/8", "127.0.0.1"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, "--config-file", file)
	if status, msg := failLogin(t, forwardingProxy(t, srv.url, proxyClientA), "someone@proxy.example", nil); status != http.StatusUnauthorized {
		t.Fatalf("failed login: %d %s, want 401", status, msg)
	}
	srv.stderr.waitFor(t, `msg="failed password check" route="POST /api/v1/sessions" client=`+proxyClientA)
}
