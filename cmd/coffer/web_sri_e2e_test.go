package main_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sync"
	"testing"
)

// TestWebAppRefusesAChangedScript (issue 23, finding 4): a server in front
// of the real one serves its own script under the app's own hashed name,
// its own wasm_exec.js and its own client core, each with "keep it for a
// year" — once, or until
// told to stop (web/e2e/sri.mjs drives it). Chromium refuses them (the
// page names every file by its SHA-384; the script carries the core's):
// the changed script never runs — it would set a global and call /stolen,
// which this test counts — and the page says so; once the server is
// honest again, a reload runs the app, though the browser kept the
// changed copy.
func TestWebAppRefusesAChangedScript(t *testing.T) {
	webTools(t)
	srv := startServer(t)
	sw := &swapper{origin: srv.url, modes: map[string]string{}}
	front := httptest.NewServer(sw.handler(t))
	defer front.Close()
	control := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw.set(r.URL.Query())
		w.WriteHeader(http.StatusNoContent)
	}))
	defer control.Close()
	runScenario(t, "sri.mjs", front.URL, "CONTROL_URL="+control.URL)
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.stolen != 0 {
		t.Errorf("the changed script ran: %d calls to /stolen", sw.stolen)
	}
	if sw.served["script"] < 3 || sw.served["wasm"] < 1 || sw.served["exec"] < 1 {
		t.Errorf("changed files served: %v; the scenario did not meet them", sw.served)
	}
}

var hashedAppScript = regexp.MustCompile(`^/assets/index-[^/]+\.js$`)

// swapper serves the real server, but its own script and client core
// under their names when its mode for them ("script": the hashed bundle,
// "exec": wasm_exec.js, "wasm": the core) is "once" (then honest) or
// "always".
type swapper struct {
	origin string
	mu     sync.Mutex
	modes  map[string]string
	served map[string]int // changed files served, by kind
	stolen int
}

func (s *swapper) set(q url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for kind := range q {
		s.modes[kind] = q.Get(kind)
	}
}

// swap says whether to serve the changed file of kind now.
func (s *swapper) swap(kind string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.modes[kind]
	if m == "once" {
		s.modes[kind] = "honest"
	}
	if m != "once" && m != "always" {
		return false
	}
	if s.served == nil {
		s.served = map[string]int{}
	}
	s.served[kind]++
	return true
}

func (s *swapper) handler(t *testing.T) http.Handler {
	target, _ := url.Parse(s.origin)
	proxy := httputil.NewSingleHostReverseProxy(target)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/stolen":
			s.mu.Lock()
			s.stolen++
			s.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		case hashedAppScript.MatchString(r.URL.Path) && s.swap("script"), r.URL.Path == "/wasm_exec.js" && s.swap("exec"):
			s.serveChanged(t, w, r.URL.Path, "text/javascript; charset=utf-8", func(b []byte) []byte {
				return append(b, "\n;globalThis.cofferChanged = true; fetch('/stolen', { method: 'POST', body: 'what was typed' });\n"...)
			})
		case r.URL.Path == "/core.wasm" && s.swap("wasm"):
			s.serveChanged(t, w, r.URL.Path, "application/wasm", func(b []byte) []byte {
				b[len(b)/2] ^= 1
				return b
			})
		default:
			proxy.ServeHTTP(w, r)
		}
	})
}

// serveChanged serves the real file at path, changed, and tells the
// browser to keep it for a year without asking again.
func (s *swapper) serveChanged(t *testing.T, w http.ResponseWriter, path, ctype string, change func([]byte) []byte) {
	resp, err := http.Get(s.origin + path)
	if err != nil {
		t.Error(err)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("%s: HTTP %d %v", path, resp.StatusCode, err)
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(change(b))
}
