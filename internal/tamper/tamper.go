// Package tamper runs the real server behind a malicious layer for tests:
// per-endpoint response mutators (rewrite JSON, swap keys or ciphertexts,
// drop or reorder rows) and a recorder of every request the client sends.
// docs/security.md maps each attack class of THREATS.md to the test that
// mounts it with this harness.
package tamper

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// Request is one recorded client request.
type Request struct {
	Method string
	Path   string
	Query  string
	Body   []byte
}

type mutator struct {
	method string
	path   *regexp.Regexp
	fn     func(body []byte) []byte
	status int // if set, the response's status is replaced
}

// Harness is a server with a tampering layer in front.
type Harness struct {
	*testserver.Env
	mu       sync.Mutex
	mutators []mutator
	requests []Request
}

// Start runs a server (cfg may be nil) behind the harness.
func Start(t testing.TB, cfg *server.Config) *Harness {
	h := &Harness{}
	h.Env = testserver.Start(t, cfg, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.serve(next, w, r) })
	})
	return h
}

func (h *Harness) serve(next http.Handler, w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.mu.Lock()
	h.requests = append(h.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body})
	var fns []func([]byte) []byte
	status := 0
	for _, m := range h.mutators {
		if (m.method == "" || m.method == r.Method) && m.path.MatchString(r.URL.Path) {
			fns = append(fns, m.fn)
			if m.status != 0 {
				status = m.status
			}
		}
	}
	h.mu.Unlock()
	if len(fns) == 0 || r.Header.Get("Upgrade") != "" {
		next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	out := rec.Body.Bytes()
	for _, fn := range fns {
		out = fn(out)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	if status != 0 {
		rec.Code = status
	}
	w.WriteHeader(rec.Code)
	w.Write(out)
}

// Mutate rewrites the raw body of responses to method (or any method if
// "") on paths matching the regular expression.
func (h *Harness) Mutate(method, pathRE string, fn func(body []byte) []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.mutators = append(h.mutators, mutator{method, regexp.MustCompile(pathRE), fn, 0})
}

// Replace answers requests to method on matching paths with status and body.
func (h *Harness) Replace(method, pathRE string, status int, body string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.mutators = append(h.mutators, mutator{method, regexp.MustCompile(pathRE), func([]byte) []byte { return []byte(body) }, status})
}

// MutateJSON rewrites decoded JSON responses.
func (h *Harness) MutateJSON(method, pathRE string, fn func(v any) any) {
	h.Mutate(method, pathRE, func(body []byte) []byte {
		var v any
		if json.Unmarshal(body, &v) != nil {
			return body
		}
		out, _ := json.Marshal(fn(v))
		return out
	})
}

// Clear removes every mutator.
func (h *Harness) Clear() {
	h.mu.Lock()
	h.mutators = nil
	h.mu.Unlock()
}

// Requests returns what the client sent so far.
func (h *Harness) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.requests...)
}

// Mark returns a position in the request log; Since returns what came after.
func (h *Harness) Mark() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.requests)
}

// Since returns the requests recorded after mark.
func (h *Harness) Since(mark int) []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.requests[mark:]...)
}

// Leaks returns the requests whose URL or body contains any of secrets.
func Leaks(reqs []Request, secrets ...string) []Request {
	var out []Request
	for _, r := range reqs {
		hay := r.Path + "?" + r.Query + "\n" + string(r.Body)
		for _, s := range secrets {
			if s != "" && strings.Contains(hay, s) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// Writes returns the requests that change server state (anything but GET).
func Writes(reqs []Request) []Request {
	var out []Request
	for _, r := range reqs {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

// Get walks a decoded JSON value by object keys and array indexes
// ("vaults", 0, "wraps").
func Get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// Set replaces the value at path (the last element is the key or index).
func Set(v any, value any, path ...any) {
	parent := Get(v, path[:len(path)-1]...)
	switch k := path[len(path)-1].(type) {
	case string:
		if m, ok := parent.(map[string]any); ok {
			m[k] = value
		}
	case int:
		if a, ok := parent.([]any); ok && k < len(a) {
			a[k] = value
		}
	}
}
