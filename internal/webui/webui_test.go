package webui

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: gzip: %v", p, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: gunzip: %v", p, err)
		}
	}
	return resp, body
}

// TestServesEveryFileCompressedOrNot: every embedded file reads back as
// exactly its bytes (core.wasm unzipped), with and without gzip; the text
// files of 1 KiB or more travel gzipped when the browser takes it; the
// hashes `coffer web verify` compares are of those bytes.
func TestServesEveryFileCompressedOrNot(t *testing.T) {
	want := Files()
	if len(want) < 4 {
		t.Fatalf("only %d embedded files", len(want))
	}
	for name := range want {
		stored := name
		if name == "/core.wasm" {
			stored += ".gz"
		}
		raw, err := fs.ReadFile(files(), strings.TrimPrefix(stored, "/"))
		if err != nil {
			t.Fatal(err)
		}
		for _, gz := range []bool{false, true} {
			resp, body := get(t, http.MethodGet, name, gz)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s (gzip %v): HTTP %d", name, gz, resp.StatusCode)
			}
			if name != "/core.wasm" && !bytes.Equal(body, raw) {
				t.Errorf("%s (gzip %v): body differs from the embedded file", name, gz)
			}
			compressible := strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css") || strings.HasSuffix(name, ".html")
			wantGz := gz && (name == "/core.wasm" || compressible && len(raw) >= 1024)
			if got := resp.Header.Get("Content-Encoding") == "gzip"; got != wantGz {
				t.Errorf("%s (gzip accepted %v): gzipped %v, want %v", name, gz, got, wantGz)
			}
			if wantGz && resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("%s: no Vary: Accept-Encoding", name)
			}
		}
	}
	// The page itself, for "/" and for the app's own paths.
	for _, p := range []string{"/", "/passwords"} {
		resp, body := get(t, http.MethodGet, p, true)
		if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("<title>Coffer</title>")) || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%s: HTTP %d %q", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

func TestRefusesWhatItDoesNotServe(t *testing.T) {
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
		{http.MethodGet, "/core.wasm.gz", http.StatusNotFound},
		{http.MethodGet, "/.keep", http.StatusNotFound},
		{http.MethodGet, "/assets/nothing.js", http.StatusNotFound},
		{http.MethodGet, "/deeper/file.txt", http.StatusNotFound},
	} {
		if resp, _ := get(t, c.method, c.path, true); resp.StatusCode != c.status {
			t.Errorf("%s %s: HTTP %d, want %d", c.method, c.path, resp.StatusCode, c.status)
		}
	}
}
