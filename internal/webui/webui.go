// Package webui serves the web app that scripts/build-web.sh builds into
// dist: the page, its bundle, Go's wasm_exec.js and the client core
// (core.wasm) and the tools module (tools.wasm), stored compressed. The files are embedded in the binary, so
// `coffer serve` serves the app without Node; BundleHash names exactly
// what is served (`coffer version`, `coffer web verify`).
package webui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:embed all:dist
var dist embed.FS

// CSP is the Content-Security-Policy of every response: only this
// origin's own scripts, styles and connections; WebAssembly compilation
// ('wasm-unsafe-eval'); of inline script, only the page's own guard, by
// its SHA-384 (web/index.html: it fetches anew a file the browser
// refused) — no other inline script or style, no eval, no other origin,
// no framing.
var CSP = policy(inlineScripts(page()))

func policy(inline [][]byte) string {
	script := "script-src 'self' 'wasm-unsafe-eval'"
	for _, s := range inline {
		script += " '" + Integrity(s) + "'"
	}
	return "default-src 'self'; " + script + "; style-src 'self'; img-src 'self'; font-src 'self'; " +
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// JoinPath is the page of an invitation's Join link (the server mails
// it; web/src/app.ts reads the organisation from its query).
const JoinPath = "/join"

// SSOPath is where the server sends a browser back from the company's
// single sign-on (the ticket or the error after the #).
const SSOPath = "/sso"

// sections are the app's areas (web/src/shell/routes.ts): the page is
// served at each and at every path below it (/vault/{vault}/{item},
// /orgs/{org}/members, …), so that a reload, a bookmark or a shared link
// lands on its screen.
var sections = []string{"/vault", "/orgs", "/tools", "/account", "/admin"}

// JoinQuery is the query of an invitation's Join link, always in this
// order: `invitation` and `org`, the invitation and the organisation it
// opens, and `email`, the invited address, for the page's log-in or
// sign-up form. That is everything the Join page needs but the
// confirmation code, which never travels in a link. The organisation's
// name is not in it: the server cannot read it (docs/protocol.md §14.3).
func JoinQuery(invitationID, orgID, email string) string {
	return "invitation=" + url.QueryEscape(invitationID) + "&org=" + url.QueryEscape(orgID) + "&email=" + url.QueryEscape(email)
}

// routes are the paths that serve the page, and with the paths below the
// sections, the only ones: every other path is a file or nothing (404).
// The list lets `coffer web verify` ask for each (Routes); what is served
// below a section is the same bytes by the same branch of Handler.
var routes = append([]string{"/", "/index.html", JoinPath, "/login", "/signup", "/unlock", SSOPath}, sections...)

// Routes lists the paths that serve the page (index.html); every path
// below a section's (IsRoute) serves it too.
func Routes() []string { return slices.Clone(routes) }

// IsRoute tells whether the page is served at p.
func IsRoute(p string) bool {
	if slices.Contains(routes, p) {
		return true
	}
	for _, s := range sections {
		if strings.HasPrefix(p, s+"/") && path.Clean(p) == p {
			return true
		}
	}
	return false
}

// PageCache is the Cache-Control of the page: never stored, so that a
// page a server once sent is not run again without asking the server; the
// page names every file it loads by its hash (Integrity), so what it
// loads cannot outlive it either.
const PageCache = "no-store"

// Integrity is the Subresource Integrity value of b ("sha384-" and the
// base64 of its SHA-384): the page names each script and stylesheet with
// it (web/vite.config.ts), the CSP its inline script, and a browser
// refuses a file whose bytes do not match.
func Integrity(b []byte) string {
	sum := sha512.Sum384(b)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

// page is the embedded index.html.
func page() []byte {
	b, _ := fs.ReadFile(files(), "index.html")
	return b
}

func files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	return sub
}

var hashOnce = sync.OnceValue(func() string {
	h := sha256.New()
	var names []string
	fs.WalkDir(files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != ".keep" {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(files(), n)
		sum := sha256.Sum256(b)
		h.Write([]byte(n + "\x00"))
		h.Write(sum[:])
	}
	return hex.EncodeToString(h.Sum(nil))
})

// BundleHash is the SHA-256 over the embedded app: every file's path and
// the SHA-256 of its bytes, sorted by path (docs/web.md).
func BundleHash() string { return hashOnce() }

// Files lists the embedded files with the SHA-256 of the bytes a browser
// receives for each (a module: after gunzip; its brotli copy holds the
// same bytes), for `coffer web verify`.
func Files() map[string]string {
	out := map[string]string{}
	fs.WalkDir(files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == ".keep" || strings.HasSuffix(p, ".br") {
			return nil
		}
		b, _ := fs.ReadFile(files(), p)
		name := "/" + p
		if strings.HasSuffix(p, ".gz") {
			name = strings.TrimSuffix(name, ".gz")
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil
			}
			if b, err = io.ReadAll(zr); err != nil {
				return nil
			}
		}
		sum := sha256.Sum256(b)
		out[name] = hex.EncodeToString(sum[:])
		return nil
	})
	return out
}

// Handler serves the app: index.html at each of Routes (exactly: not
// "/join/") and below the sections (IsRoute), and the files by path.
func Handler() http.Handler {
	root := files()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if IsRoute(r.URL.Path) {
			serve(w, r, root, "index.html", "text/html; charset=utf-8", PageCache)
			return
		}
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		switch {
		case p == "index.html" || !strings.Contains(path.Base(p), "."):
			http.NotFound(w, r) // the page only at its routes
		case slices.Contains(wasmModules, p):
			serveWasm(w, r, root, p)
		case strings.HasPrefix(p, "assets/"):
			// Names carry content hashes, and the page their integrity: a
			// changed copy a browser kept is refused and fetched anew.
			serve(w, r, root, p, "", "public, max-age=31536000, immutable")
		case p == "wasm_exec.js":
			serve(w, r, root, p, "text/javascript; charset=utf-8", "no-cache")
		case !strings.Contains(p, "/") && !strings.HasSuffix(p, ".gz") && !strings.HasSuffix(p, ".br"):
			serve(w, r, root, p, "", "no-cache") // favicon.svg and the like
		default:
			http.NotFound(w, r)
		}
	})
}

var modTime = time.Unix(0, 0)

func serve(w http.ResponseWriter, r *http.Request, root fs.FS, name, ctype, cache string) {
	b, err := fs.ReadFile(root, name)
	if err != nil || name == ".keep" {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	h.Set("Cache-Control", cache)
	if z := gzipped(name, b); z != nil {
		h.Set("Vary", "Accept-Encoding")
		if accepts(r, "gzip") {
			h.Set("Content-Encoding", "gzip")
			b = z
		}
	}
	http.ServeContent(w, r, name, modTime, bytes.NewReader(b))
}

// gzipCache holds the page's text files gzipped, made once on first use.
var gzipCache sync.Map // name → []byte

// gzipped is b gzipped when that is worth it (text of 1 KiB or more),
// else nil.
func gzipped(name string, b []byte) []byte {
	switch path.Ext(name) {
	case ".html", ".js", ".css", ".svg", ".json":
	default:
		return nil
	}
	if len(b) < 1024 {
		return nil
	}
	if z, ok := gzipCache.Load(name); ok {
		return z.([]byte)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	z, _ := gzipCache.LoadOrStore(name, buf.Bytes())
	return z.([]byte)
}

// wasmModules are the WebAssembly modules: the client core, and the
// tools module Tools → Import and Export load. Each is stored brotli'd
// (name.br) and gzipped (name.gz), the same bytes (scripts/build-web.sh
// checks, and TestBrotliCopiesAreTheModules).
var wasmModules = []string{"core.wasm", "tools.wasm"}

// serveWasm sends module name brotli'd when the browser takes br (every
// browser over HTTPS, and Chromium on loopback), else gzipped when it
// takes gzip (every browser does), else as it is.
func serveWasm(w http.ResponseWriter, r *http.Request, root fs.FS, name string) {
	h := w.Header()
	h.Set("Content-Type", "application/wasm")
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding")
	for _, enc := range []struct{ coding, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
		if !accepts(r, enc.coding) {
			continue
		}
		b, err := fs.ReadFile(root, name+enc.ext)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		h.Set("Content-Encoding", enc.coding)
		http.ServeContent(w, r, name, modTime, bytes.NewReader(b))
		return
	}
	b, err := fs.ReadFile(root, name+".gz")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		http.Error(w, "damaged module", http.StatusInternalServerError)
		return
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		http.Error(w, "damaged module", http.StatusInternalServerError)
		return
	}
	http.ServeContent(w, r, name, modTime, bytes.NewReader(raw))
}

// accepts says whether r's Accept-Encoding takes coding (not with q=0).
func accepts(r *http.Request, coding string) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
