package webui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// get asks the handler for p, with gzip accepted or not, and returns the
// response and its body as the browser reads it (gunzipped).
func get(t *testing.T, method, p string, gz bool) (*http.Response, []byte) {
	t.Helper()
	r := httptest.NewRequest(method, p, nil)
	if gz {
		r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	}
	w := httptest.NewRecorder()
	Handler().ServeHTTP(w, r)
	resp := w.Result()
	body, _ := io.ReadAll(resp.Body)
	return resp, decode(t, p, resp.Header.Get("Content-Encoding"), body)
}

// decode undoes Content-Encoding enc of body (p's), as a browser does.
func decode(t *testing.T, p, enc string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "":
		return body
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: gzip: %v", p, err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		t.Fatalf("%s: Content-Encoding %q", p, enc)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %s: %v", p, enc, err)
	}
	return out
}

// TestServesEveryFileCompressedOrNot: every embedded file reads back as
// exactly its bytes (the hashes `coffer web verify` compares), to a
// browser that takes br, one that takes gzip only, and one that takes
// neither; the modules travel brotli'd or gzipped, the text files of
// 1 KiB or more gzipped, when the browser takes it.
func TestServesEveryFileCompressedOrNot(t *testing.T) {
	want := Files()
	if len(want) < 5 {
		t.Fatalf("only %d embedded files", len(want))
	}
	for _, n := range wasmModules {
		if want["/"+n] == "" {
			t.Errorf("no %s in the build", n)
		}
	}
	for name, sum := range want {
		module := slices.Contains(wasmModules, strings.TrimPrefix(name, "/"))
		for _, accept := range []string{"", "gzip", "gzip, deflate, br, zstd", "br;q=0, gzip"} {
			r := httptest.NewRequest(http.MethodGet, name, nil)
			if accept != "" {
				r.Header.Set("Accept-Encoding", accept)
			}
			w := httptest.NewRecorder()
			Handler().ServeHTTP(w, r)
			resp := w.Result()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s (%q): HTTP %d", name, accept, resp.StatusCode)
			}
			enc := resp.Header.Get("Content-Encoding")
			body := decode(t, name, enc, w.Body.Bytes())
			if got := sha256.Sum256(body); hex.EncodeToString(got[:]) != sum {
				t.Errorf("%s (%q): body differs from the embedded file", name, accept)
			}
			compressible := strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css") || strings.HasSuffix(name, ".html")
			wantEnc := ""
			switch {
			case module && accept == "gzip, deflate, br, zstd":
				wantEnc = "br"
			case (module || compressible && len(body) >= 1024) && accept != "":
				wantEnc = "gzip"
			}
			if enc != wantEnc {
				t.Errorf("%s (Accept-Encoding %q): Content-Encoding %q, want %q", name, accept, enc, wantEnc)
			}
			if wantEnc != "" && resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("%s: no Vary: Accept-Encoding", name)
			}
		}
	}
}

// TestServesThePageAtItsRoutesOnly (issue 23, finding 3): every route of
// the page, with a query or not, compressed or not, serves the same bytes
// — this build's index.html — under the same CSP, never to be stored; no
// other path serves it, so `coffer web verify` can ask for each path
// that does.
func TestServesThePageAtItsRoutesOnly(t *testing.T) {
	if !slices.Contains(Routes(), "/join") || !slices.Contains(Routes(), "/") {
		t.Fatalf("routes %v", Routes())
	}
	// The screens below the sections, as links and reloads name them.
	deep := []string{"/vault/v1/i9", "/vault/all/i9/history", "/orgs/o1/members", "/account/security", "/tools/generator"}
	for _, route := range append(Routes(), deep...) {
		for _, p := range []string{route, route + "?org=o&invitation=i"} {
			for _, gz := range []bool{false, true} {
				resp, body := get(t, http.MethodGet, p, gz)
				if resp.StatusCode != http.StatusOK || !bytes.Equal(body, page()) || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
					t.Errorf("%s (gzip %v): HTTP %d %q, or not this build's index.html", p, gz, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("%s: Cache-Control %q", p, cc)
				}
			}
		}
	}
	for _, p := range []string{"/passwords", "/join/", "/index.html/", "/join/x", "/org/settings", "/vaults", "/vault//x", "/login/x", "/accounts/x"} {
		if resp, _ := get(t, http.MethodGet, p, true); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: HTTP %d, want 404 (the page only at its routes)", p, resp.StatusCode)
		}
	}
}

// TestPageNamesEveryFileByItsIntegrity (issue 23, finding 4): the page
// names each script and stylesheet with the SHA-384 of the file it
// loads, every script and stylesheet of the build is one of them (no
// chunk loads unchecked), the bundle carries the client core's SHA-384
// (it fetches the core with it), and the CSP allows the page's one
// inline script by its hash and no other.
func TestPageNamesEveryFileByItsIntegrity(t *testing.T) {
	named := map[string]bool{}
	for _, r := range References(page()) {
		if !r.Code {
			continue
		}
		b, err := fs.ReadFile(files(), strings.TrimPrefix(r.URL, "/"))
		if err != nil {
			t.Fatalf("the page loads %s: %v", r.URL, err)
		}
		if r.Integrity != Integrity(b) {
			t.Errorf("%s: integrity %q, want %q", r.URL, r.Integrity, Integrity(b))
		}
		named[r.URL] = true
	}
	for name := range Files() {
		if (strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css")) && !named[name] {
			t.Errorf("%s is not named by the page with its integrity", name)
		}
	}
	for _, m := range wasmModules {
		zb, _ := fs.ReadFile(files(), m+".gz")
		zr, err := gzip.NewReader(bytes.NewReader(zb))
		if err != nil {
			t.Fatal(err)
		}
		wasm, _ := io.ReadAll(zr)
		carried := false
		for name := range named {
			b, _ := fs.ReadFile(files(), strings.TrimPrefix(name, "/"))
			carried = carried || bytes.Contains(b, []byte(Integrity(wasm)))
		}
		if !carried {
			t.Errorf("no script of the page carries %s's integrity %s", m, Integrity(wasm))
		}
	}
	inline := inlineScripts(page())
	if len(inline) != 1 || !strings.Contains(CSP, "'"+Integrity(inline[0])+"'") || strings.Count(CSP, "sha384-") != 1 {
		t.Errorf("%d inline scripts; CSP %q", len(inline), CSP)
	}
	if strings.Contains(CSP, "unsafe-inline") {
		t.Errorf("CSP %q allows inline script", CSP)
	}
}

// TestIntegrityIsSRI: the value a browser computes (the SRI spec's
// example, "alert('Hello, world.');").
func TestIntegrityIsSRI(t *testing.T) {
	if got := Integrity([]byte("alert('Hello, world.');")); got != "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO" {
		t.Errorf("Integrity: %s", got)
	}
}

func TestRefusesWhatItDoesNotServe(t *testing.T) {
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
		{http.MethodGet, "/core.wasm.gz", http.StatusNotFound},
		{http.MethodGet, "/core.wasm.br", http.StatusNotFound},
		{http.MethodGet, "/tools.wasm.gz", http.StatusNotFound},
		{http.MethodGet, "/.keep", http.StatusNotFound},
		{http.MethodGet, "/assets/nothing.js", http.StatusNotFound},
		{http.MethodGet, "/deeper/file.txt", http.StatusNotFound},
	} {
		if resp, _ := get(t, c.method, c.path, true); resp.StatusCode != c.status {
			t.Errorf("%s %s: HTTP %d, want %d", c.method, c.path, resp.StatusCode, c.status)
		}
	}
}
