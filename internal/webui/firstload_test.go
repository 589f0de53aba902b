package webui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// firstLoadBudget bounds what a browser downloads to open the app the
// first time (issue 24): the page, everything it loads, and the client
// core that core.ts fetches — as sent to a browser that takes gzip.
const firstLoadBudget = 2_000_000

// TestFirstLoadIsAtMostTwoMegabytes (issue 24): the committed dist's
// first load, as this handler sends it to Chromium (Accept-Encoding:
// gzip), stays within firstLoadBudget. `go test -v -run FirstLoad
// ./internal/webui/` prints each file's bytes (docs/performance.md,
// "First load").
func TestFirstLoadIsAtMostTwoMegabytes(t *testing.T) {
	paths := []string{"/"}
	for _, r := range References(page()) {
		paths = append(paths, r.URL)
	}
	paths = append(paths, "/core.wasm") // fetched by core.ts, with its integrity
	total := 0
	for _, p := range paths {
		r := httptest.NewRequest(http.MethodGet, p, nil)
		r.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
		w := httptest.NewRecorder()
		Handler().ServeHTTP(w, r)
		resp := w.Result()
		body, _ := io.ReadAll(resp.Body) // as transferred: not unzipped
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: HTTP %d", p, resp.StatusCode)
		}
		t.Logf("%-32s %9d bytes (%s)", p, len(body), orDefault(resp.Header.Get("Content-Encoding"), "identity"))
		total += len(body)
	}
	t.Logf("%-32s %9d bytes (budget %d)", "first load", total, firstLoadBudget)
	if total > firstLoadBudget {
		t.Errorf("the first load is %d bytes, over the budget of %d: see docs/performance.md, \"First load\", for what the core carries and how to look", total, firstLoadBudget)
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
