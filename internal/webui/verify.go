package webui

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
)

// A Difference is one answer of a server that is not this binary's.
type Difference struct {
	Path    string // the request's path, without its query: "/join"
	Request string // the request: "GET /join?org=… (gzip)"
	What    string
}

func (d Difference) String() string { return d.Request + ": " + d.What }

// A request is one verify made: its path and how it is named in a
// Difference.
type request struct{ path, name string }

func newRequest(p probe, encoding string) request {
	path, _, _ := strings.Cut(p.path, "?")
	return request{path, "GET " + p.path + " (" + encoding + ")"}
}

// A Report is what Verify found: how many requests it made, and every
// difference.
type Report struct {
	Requests    int
	Differences []Difference
}

// encodings are the three ways verify asks for each file: as Chromium
// does (every compression it takes), as a browser that takes gzip only,
// and uncompressed. A server that keeps
// its own script for one of them is caught in either.
var encodings = []struct{ name, header string }{
	{"compressed", "gzip, deflate, br, zstd"},
	{"gzip", "gzip, deflate"},
	{"identity", "identity"},
}

// A probe is one path verify asks for, and what a browser would load it
// as (its Sec-Fetch-Dest), so that the request looks like a browser's.
type probe struct {
	path, dest string
}

// probes are the requests of a check: each route of the page as it is,
// with a query (a Join link's) and with a trailing slash; a path of no
// route, where a server that serves the page everywhere shows itself;
// and every file.
func probes(files map[string]string) []probe {
	var out []probe
	q := "?org=" + randomWord() + "&invitation=" + randomWord()
	for _, r := range routes {
		out = append(out, probe{r, "document"}, probe{r + q, "document"})
		if r != "/" {
			out = append(out, probe{r + "/", "document"})
		}
	}
	out = append(out, probe{"/" + randomWord(), "document"})
	names := slices.Sorted(maps.Keys(files))
	for _, f := range names {
		if !slices.Contains(routes, f) {
			out = append(out, probe{f, destOf(f)})
		}
	}
	return out
}

func randomWord() string { return strings.ToLower(rand.Text()[:12]) }

func destOf(name string) string {
	switch {
	case strings.HasSuffix(name, ".js"):
		return "script"
	case strings.HasSuffix(name, ".css"):
		return "style"
	case strings.HasSuffix(name, ".svg"):
		return "image"
	}
	return "empty" // core.wasm: fetch()
}

// browser holds, for each destination, the headers Chromium sends with
// it. A server could still tell verify from a browser (its address, TLS,
// timing, cookies); these only keep the cheapest tell out (docs/security.md).
var browser = map[string][][2]string{
	"document": {{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"},
		{"Sec-Fetch-Mode", "navigate"}, {"Sec-Fetch-Site", "none"}, {"Sec-Fetch-User", "?1"}, {"Upgrade-Insecure-Requests", "1"}},
	"script": {{"Accept", "*/*"}, {"Sec-Fetch-Mode", "cors"}, {"Sec-Fetch-Site", "same-origin"}},
	"style":  {{"Accept", "text/css,*/*;q=0.1"}, {"Sec-Fetch-Mode", "cors"}, {"Sec-Fetch-Site", "same-origin"}},
	"image":  {{"Accept", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"}, {"Sec-Fetch-Mode", "no-cors"}, {"Sec-Fetch-Site", "same-origin"}},
	"empty":  {{"Accept", "*/*"}, {"Sec-Fetch-Mode", "cors"}, {"Sec-Fetch-Site", "same-origin"}},
}

const userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"

func browserRequest(ctx context.Context, url string, p probe, encoding string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept-Encoding", encoding)
	req.Header.Set("Sec-Fetch-Dest", p.dest)
	for _, h := range browser[p.dest] {
		req.Header.Set(h[0], h[1])
	}
	return req, nil
}

// An answer is a response as a browser reads it: the body decoded.
type answer struct {
	status int
	header http.Header
	body   []byte
	err    string // why the body could not be read as a browser would
}

// Verify asks the server at base for every path of the app — each route
// of the page and its variants, every file, each twice (compressed as a
// browser takes it, and not) — as a browser would, and compares each
// answer with what this binary's own Handler answers to the same request:
// status, bytes, type, and for the page its CSP and that it is not
// stored. Then it checks each script and stylesheet every page it was
// served names against the integrity the page gives it. It is a spot
// check of what base serves to this client now (docs/security.md).
func Verify(ctx context.Context, base string) (Report, error) {
	base = strings.TrimRight(base, "/")
	hc := &http.Client{
		Timeout:       60 * time.Second,
		Transport:     &http.Transport{Proxy: http.ProxyFromEnvironment, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer hc.CloseIdleConnections()
	v := &verifier{ctx: ctx, hc: hc, base: base, files: Files(), served: map[string][]servedAnswer{}}
	for _, p := range probes(v.files) {
		for _, enc := range encodings {
			if err := v.check(p, enc.name, enc.header); err != nil {
				return v.report, err
			}
		}
	}
	if err := v.checkReferences(); err != nil {
		return v.report, err
	}
	// Each request's differences together, in the order asked.
	sort.SliceStable(v.report.Differences, func(i, j int) bool {
		return v.order(v.report.Differences[i].Request) < v.order(v.report.Differences[j].Request)
	})
	return v.report, nil
}

type verifier struct {
	ctx    context.Context
	hc     *http.Client
	base   string
	files  map[string]string // this binary's (Files)
	report Report
	served map[string][]servedAnswer // by path: the 200 answers
	pages  []servedPage
	asked  []string // every request's name, in order
}

type servedAnswer struct {
	request
	answer
}

type servedPage struct {
	request
	body []byte
}

// order is the rank of request among those asked.
func (v *verifier) order(request string) int {
	if i := slices.Index(v.asked, request); i >= 0 {
		return i
	}
	return len(v.asked)
}

func (v *verifier) differs(r request, format string, args ...any) {
	v.report.Differences = append(v.report.Differences, Difference{r.path, r.name, fmt.Sprintf(format, args...)})
}

// fetch asks the server for p.
func (v *verifier) fetch(p probe, header string) (answer, error) {
	req, err := browserRequest(v.ctx, v.base+p.path, p, header)
	if err != nil {
		return answer{}, err
	}
	v.report.Requests++
	resp, err := v.hc.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("fetch %s: %w", p.path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return answer{}, fmt.Errorf("fetch %s: %w", p.path, err)
	}
	return decoded(resp.StatusCode, resp.Header, raw), nil
}

// local is this binary's answer to the same request.
func local(p probe, header string) answer {
	req := httptest.NewRequest(http.MethodGet, p.path, nil)
	req.Header.Set("Accept-Encoding", header)
	w := httptest.NewRecorder()
	Handler().ServeHTTP(w, req)
	return decoded(w.Code, w.Header(), w.Body.Bytes())
}

// decoded undoes a Content-Encoding as a browser would; one verify
// cannot undo (zstd: never sent by this binary) is a difference in
// itself, since verify cannot see what a browser would run.
func decoded(status int, h http.Header, raw []byte) answer {
	a := answer{status: status, header: h, body: raw}
	var r io.Reader
	var err error
	switch enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding"))); enc {
	case "", "identity":
		return a
	case "gzip", "x-gzip":
		r, err = gzip.NewReader(bytes.NewReader(raw))
	case "deflate":
		r, err = zlib.NewReader(bytes.NewReader(raw))
	case "br":
		r = brotli.NewReader(bytes.NewReader(raw))
	default:
		a.err = "Content-Encoding " + enc + ", which this binary never sends and verify cannot read"
		return a
	}
	if err == nil {
		a.body, err = io.ReadAll(io.LimitReader(r, 64<<20))
	}
	if err != nil {
		a.err = "a body that does not decode as its Content-Encoding says: " + err.Error()
	}
	return a
}

// check compares the server's answer to p with this binary's.
func (v *verifier) check(p probe, encoding, header string) error {
	got, err := v.fetch(p, header)
	if err != nil {
		return err
	}
	want := local(p, header)
	request := newRequest(p, encoding)
	v.asked = append(v.asked, request.name)
	switch {
	case got.status != want.status:
		v.differs(request, "HTTP %d%s, where this binary's server answers %d", got.status, location(got), want.status)
		return nil
	case want.status != http.StatusOK:
		return nil // the same refusal; its wording is the server's (or a proxy's)
	case got.err != "":
		v.differs(request, "%s", got.err)
		return nil
	}
	v.served[request.path] = append(v.served[request.path], servedAnswer{request, got})
	name := request.path
	if p.dest == "document" {
		v.checkPage(request, got)
		name = "index.html"
	}
	if !bytes.Equal(got.body, want.body) {
		v.differs(request, "other bytes than this binary's %s (sha256 %s, not %s)", name, sum(got.body), sum(want.body))
	}
	if g, w := mediaType(got.header), mediaType(want.header); g != w {
		v.differs(request, "Content-Type %q, where this binary's server sends %q", g, w)
	}
	return nil
}

// pageSteering are headers that change what a browser does with the very
// bytes of the page — send it to another page (Refresh), save it instead
// (Content-Disposition), fetch more (Link) — none of which this binary
// sends with it.
var pageSteering = []string{"Refresh", "Content-Disposition", "Link"}

// checkPage checks what binds a served page: its CSP, and that no cache
// keeps it (PageCache); and keeps it to check what it loads.
func (v *verifier) checkPage(request request, got answer) {
	if csp := got.header.Get("Content-Security-Policy"); csp != CSP {
		v.differs(request, "Content-Security-Policy %q, not this binary's %q", csp, CSP)
	}
	if cc := got.header.Get("Cache-Control"); !hasDirective(cc, PageCache) {
		v.differs(request, "Cache-Control %q: the page may be kept and run again without asking the server (this binary's server sends %q)", cc, PageCache)
	}
	for _, h := range pageSteering {
		if val := got.header.Get(h); val != "" {
			v.differs(request, "%s: %s, which this binary's server never sends with the page", h, val)
		}
	}
	for _, p := range v.pages {
		if bytes.Equal(p.body, got.body) {
			return
		}
	}
	v.pages = append(v.pages, servedPage{request, got.body})
}

// checkReferences checks, for every distinct page the server served, each
// script and stylesheet it names: that it carries an integrity, and that
// what the server sends at that path matches it (so a browser would run
// it). A page other than this binary's is already a difference; what it
// loads says how.
func (v *verifier) checkReferences() error {
	own := inlineScripts(page())
	for _, pg := range v.pages {
		for _, s := range inlineScripts(pg.body) {
			if !slices.ContainsFunc(own, func(o []byte) bool { return bytes.Equal(o, s) }) {
				v.differs(pg.request, "the page runs an inline script that is not this page's own (%s)", Integrity(s))
			}
		}
		for _, r := range References(pg.body) {
			if !r.Code {
				continue
			}
			if !strings.HasPrefix(r.URL, "/") || strings.HasPrefix(r.URL, "//") {
				v.differs(pg.request, "the page loads %s, which is not a file of this server", r.URL)
				continue
			}
			if r.Integrity == "" {
				v.differs(pg.request, "the page loads %s without integrity: a browser runs whatever it is sent at that path", r.URL)
			}
			if _, ok := v.files[r.URL]; !ok {
				v.differs(pg.request, "the page loads %s, which is not a file of this app", r.URL)
			}
			if err := v.checkIntegrity(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkIntegrity compares r's integrity with each answer the server gave
// at r's path (asking for it first if no probe did: a file only another
// page loads).
func (v *verifier) checkIntegrity(r Ref) error {
	if r.Integrity == "" {
		return nil
	}
	if _, ok := v.served[r.URL]; !ok {
		p := probe{r.URL, destOf(r.URL)}
		got, err := v.fetch(p, encodings[0].header)
		if err != nil {
			return err
		}
		v.served[r.URL] = []servedAnswer{{newRequest(p, encodings[0].name), got}}
	}
	for _, a := range v.served[r.URL] {
		if a.status == http.StatusOK && a.err == "" && !slices.Contains(strings.Fields(r.Integrity), Integrity(a.body)) {
			v.differs(a.request, "the page names this file with integrity %s; a browser refuses these bytes (%s)", r.Integrity, Integrity(a.body))
		}
	}
	return nil
}

func location(a answer) string {
	if l := a.header.Get("Location"); l != "" {
		return " to " + l
	}
	return ""
}

func mediaType(h http.Header) string {
	t, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return t
}

// hasDirective reports whether the Cache-Control value cc has directive d.
func hasDirective(cc, d string) bool {
	for _, part := range strings.Split(cc, ",") {
		if strings.EqualFold(strings.TrimSpace(strings.SplitN(part, "=", 2)[0]), d) {
			return true
		}
	}
	return false
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])[:16]
}
