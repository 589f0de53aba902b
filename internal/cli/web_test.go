package cli_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/internal/cli"
	"github.com/coffer-pm/coffer/internal/testserver"
	"github.com/coffer-pm/coffer/internal/webui"
)

// verify runs `coffer web verify URL` and returns its exit code, its
// report (standard output) and its error line.
func verify(t *testing.T, url string) (code int, report, errLine string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Main([]string{"web", "verify", url}, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// honestly is the real server's answer to r, read uncompressed.
func honestly(next http.Handler, r *http.Request) *httptest.ResponseRecorder {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Encoding", "identity")
	w := httptest.NewRecorder()
	next.ServeHTTP(w, r)
	return w
}

// altered answers r with the real server's answer, its body passed
// through change and its headers through headers (either may be nil).
func altered(next http.Handler, w http.ResponseWriter, r *http.Request, change func([]byte) []byte, headers func(http.Header)) {
	rec := honestly(next, r)
	body := rec.Body.Bytes()
	if change != nil {
		body = change(body)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if headers != nil {
		headers(w.Header())
	}
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// oneMoreScript is the page of finding 3: this build's, and a script of
// the server's own that reads what is typed.
func oneMoreScript(page []byte) []byte {
	return bytes.Replace(page, []byte("</head>"), []byte(`<script src="/assets/keys.js"></script></head>`), 1)
}

func changedScript(js []byte) []byte {
	return append(js, []byte("\n;document.addEventListener('input',e=>fetch('/api/v1/x?'+e.target.value));")...)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

var hashedScript = regexp.MustCompile(`^/assets/index-[^/]+\.js$`)

// TestWebVerifyPassesTheRealServer: the real server, as it is, passes;
// verify asked for every route of the page, compressed and not.
func TestWebVerifyPassesTheRealServer(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	code, out, errLine := verify(t, env.URL)
	if code != 0 || !strings.Contains(out, "serves this binary's web app") {
		t.Fatalf("exit %d: %s%s", code, out, errLine)
	}
}

// TestWebVerifyCatchesWhatAServerVaries (issue 23, findings 3 and 4): a
// server that serves this build everywhere verify used to look but its
// own page or script somewhere a browser goes — the Join link, a path of
// no route, a trailing slash, a query, one Content-Encoding — or that lets
// a browser keep the page, is caught, and the report names the request
// that differs, not the others.
func TestWebVerifyCatchesWhatAServerVaries(t *testing.T) {
	cases := []struct {
		name string
		wrap func(next http.Handler) http.HandlerFunc
		at   string   // the paths the error line names
		want []string // in the report
		not  []string // not in it: verify names the path that differs
	}{
		{
			name: "another page at /join only",
			wrap: func(next http.Handler) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/join" {
						altered(next, w, r, oneMoreScript, nil)
						return
					}
					next.ServeHTTP(w, r)
				}
			},
			at: "/join:",
			want: []string{"GET /join (compressed): other bytes than this binary's index.html", "GET /join (identity)", "GET /join?org=",
				"the page loads /assets/keys.js without integrity", "/assets/keys.js, which is not a file of this app"},
			not: []string{"GET / (", "GET /index.html (", "GET /assets/index-"},
		},
		{
			name: "the page, another, at every path of no route",
			wrap: func(next http.Handler) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if !strings.HasPrefix(r.URL.Path, "/api/") && !strings.Contains(r.URL.Path, ".") && r.URL.Path != "/" && r.URL.Path != "/join" {
						r2 := r.Clone(r.Context())
						r2.URL.Path = "/"
						altered(next, w, r2, oneMoreScript, nil)
						return
					}
					next.ServeHTTP(w, r)
				}
			},
			at:   "/join/, /",
			want: []string{"HTTP 200, where this binary's server answers 404", "GET /join/ (compressed)"},
			not:  []string{"GET /join (", "GET / ("},
		},
		{
			name: "another page at a Join link's query",
			wrap: func(next http.Handler) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Has("invitation") {
						altered(next, w, r, oneMoreScript, nil)
						return
					}
					next.ServeHTTP(w, r)
				}
			},
			at:   strings.Join(webui.Routes(), ", ") + ":", // every route, each with the query
			want: []string{"GET /join?org=", "GET /?org="},
			not:  []string{"GET /join (", "GET / ("},
		},
		{
			name: "another hashed script, kept for a year",
			wrap: func(next http.Handler) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if hashedScript.MatchString(r.URL.Path) {
						altered(next, w, r, changedScript, func(h http.Header) { h.Set("Cache-Control", "public, max-age=31536000, immutable") })
						return
					}
					next.ServeHTTP(w, r)
				}
			},
			at:   "/assets/index-",
			want: []string{"GET /assets/index-", "other bytes than this binary's /assets/index-", "a browser refuses these bytes"},
			not:  []string{"GET /join (", "GET / ("},
		},
		{
			name: "another script gzipped only",
			wrap: func(next http.Handler) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if hashedScript.MatchString(r.URL.Path) && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
						altered(next, w, r, func(b []byte) []byte { return gzipped(changedScript(b)) }, func(h http.Header) { h.Set("Content-Encoding", "gzip") })
						return
					}
					next.ServeHTTP(w, r)
				}
			},
			at:   "/assets/index-",
			want: []string{"(compressed): other bytes than this binary's /assets/index-"},
			not:  []string{"(identity): other bytes"},
		},
		{
			name: "another page uncompressed only",
			wrap: func(next http.Handler) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/" && !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
						altered(next, w, r, oneMoreScript, nil)
						return
					}
					next.ServeHTTP(w, r)
				}
			},
			at:   "/:",
			want: []string{"GET / (identity): other bytes than this binary's index.html"},
			not:  []string{"GET / (compressed)", "GET /join"},
		},
		{
			name: "a compression verify cannot read",
			wrap: func(next http.Handler) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/index.html" && strings.Contains(r.Header.Get("Accept-Encoding"), "zstd") {
						altered(next, w, r, func([]byte) []byte { return []byte("\x28\xb5\x2f\xfdnot zstd") }, func(h http.Header) { h.Set("Content-Encoding", "zstd") })
						return
					}
					next.ServeHTTP(w, r)
				}
			},
			at:   "/index.html:",
			want: []string{"GET /index.html (compressed): Content-Encoding zstd, which this binary never sends and verify cannot read"},
			not:  []string{"GET /index.html (identity)"},
		},
		{
			name: "the Join page kept by the browser, under another CSP",
			wrap: func(next http.Handler) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/join" {
						altered(next, w, r, nil, func(h http.Header) {
							h.Set("Cache-Control", "public, max-age=31536000, immutable")
							h.Set("Content-Security-Policy", "default-src *")
						})
						return
					}
					next.ServeHTTP(w, r)
				}
			},
			at:   "/join:",
			want: []string{`GET /join (compressed): Cache-Control "public, max-age=31536000, immutable"`, `GET /join (identity): Content-Security-Policy "default-src *"`},
			not:  []string{"GET / (", "other bytes"},
		},
		{
			name: "the Join page sending the browser on",
			wrap: func(next http.Handler) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/join" {
						altered(next, w, r, nil, func(h http.Header) { h.Set("Refresh", "0; url=/join2") })
						return
					}
					next.ServeHTTP(w, r)
				}
			},
			at:   "/join:",
			want: []string{"GET /join (compressed): Refresh: 0; url=/join2, which this binary's server never sends with the page"},
			not:  []string{"GET / (", "other bytes"},
		},
		{
			name: "the Join link sent elsewhere",
			wrap: func(next http.Handler) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/join" {
						http.Redirect(w, r, "/welcome.html", http.StatusFound)
						return
					}
					next.ServeHTTP(w, r)
				}
			},
			at:   "/join:",
			want: []string{"GET /join (compressed): HTTP 302 to /welcome.html, where this binary's server answers 200"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testserver.Start(t, nil, func(next http.Handler) http.Handler { return c.wrap(next) })
			code, out, errLine := verify(t, env.URL)
			t.Log(out + errLine)
			if code != 5 {
				t.Fatalf("exit %d, want 5 (tampered): %s%s", code, out, errLine)
			}
			if !strings.Contains(errLine, "does not serve this binary's web app at "+c.at) || strings.Count(errLine, "\n") != 1 {
				t.Errorf("error line %q does not name %s", errLine, c.at)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("the report does not say %q:\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(out, n) {
					t.Errorf("the report names %q, which the server serves as this binary does:\n%s", n, out)
				}
			}
		})
	}
}
