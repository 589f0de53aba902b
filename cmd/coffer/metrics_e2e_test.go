package main_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMetricsListenerE2E (issue 28): coffer serve --metrics-addr serves
// the Prometheus metrics, /livez and /readyz on its own listener; the
// public listener answers /metrics with a JSON 404 (not the web app's
// page) and /livez, /readyz itself; --log-format json makes every log
// line JSON, a request's line with its X-Request-Id.
func TestMetricsListenerE2E(t *testing.T) {
	metricsAddr := freeAddr(t)
	srv := startServer(t, "--metrics-addr", metricsAddr, "--log-format", "json")
	stderr := srv.stderr
	u := struct{ public, metrics string }{srv.url, "http://" + metricsAddr}
	if u.metrics == "" || u.metrics == u.public {
		t.Fatalf("metrics listener %q, public %q", u.metrics, u.public)
	}
	get := func(url string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	// A request on the public listener, to be counted and logged.
	resp, _ := get(u.public + "/api/v1/version")
	id := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != http.StatusOK || id == "" {
		t.Fatalf("version: %d, X-Request-Id %q", resp.StatusCode, id)
	}
	resp, body := get(u.public + "/metrics")
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/json" || strings.Contains(body, "<html") {
		t.Fatalf("public /metrics: %d %s %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	for _, base := range []string{u.public, u.metrics} {
		for _, p := range []string{"/livez", "/readyz"} {
			if resp, body := get(base + p); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%s%s: %d %s", base, p, resp.StatusCode, body)
			}
		}
	}
	// The request's line is written once it is answered: wait for it.
	stderr.waitFor(t, `"route":"GET /api/v1/version","status":200`)
	if !strings.Contains(stderr.String(), `"request_id":"`+id+`"`) {
		t.Fatalf("no log line of request %s:\n%s", id, stderr.String())
	}
	resp, body = get(u.metrics + "/metrics")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics listener /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`coffer_http_requests_total{code="200",method="GET",route="GET /api/v1/version"} 1`,
		`coffer_db_pool_in_use{pool="writer"}`,
		"coffer_pending_key_rotations 0",
		"go_goroutines ",
		"process_cpu_seconds_total ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) != nil {
			t.Errorf("log line is not JSON: %s", l)
		}
	}
}
