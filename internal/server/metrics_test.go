package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// logSink collects a server's JSON log lines, and lets a test wait for the
// request line of a request id: the line (and the request's metrics) are
// written after the answer may have reached the client.
type logSink struct {
	mu      sync.Mutex
	lines   [][]byte
	changed chan struct{}
}

func newLogSink() *logSink { return &logSink{changed: make(chan struct{})} }

// Write takes one record: slog's handlers write each in one call.
func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, bytes.Clone(p))
	close(s.changed)
	s.changed = make(chan struct{})
	return len(p), nil
}

func (s *logSink) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (s *logSink) all() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.lines...)
}

// waitRequest waits for the request line of request id and returns it.
func (s *logSink) waitRequest(t *testing.T, id string) map[string]any {
	t.Helper()
	if id == "" {
		t.Fatal("answer without X-Request-Id")
	}
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		for _, l := range s.lines {
			var m map[string]any
			if json.Unmarshal(l, &m) == nil && m["msg"] == "request" && m["request_id"] == id {
				s.mu.Unlock()
				return m
			}
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("no request line for request %s", id)
		}
	}
}

// sendLogged is f.send that waits until the server logged (and counted)
// the request.
func (f *fixture) sendLogged(t *testing.T, sink *logSink, method, path, token string, body any) reply {
	t.Helper()
	r := f.send(t, method, path, token, body)
	sink.waitRequest(t, r.header.Get("X-Request-Id"))
	return r
}

// scrape reads the server's metrics through MetricsHandler and parses
// them with the Prometheus text parser.
func scrape(t *testing.T, env *testserver.Env) map[string]*dto.MetricFamily {
	t.Helper()
	ms := httptest.NewServer(env.Server.MetricsHandler())
	defer ms.Close()
	resp, err := http.Get(ms.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("metrics do not parse: %v", err)
	}
	return fams
}

// sample finds the metric of family name whose labels include want.
func sample(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric family %s", name)
	}
next:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		return m
	}
	t.Fatalf("no %s%v", name, want)
	return nil
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return -1
}

// Label values that would carry an id, an e-mail address or a token.
var secretLike = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|@|cs1_|[A-Za-z0-9_+=-]{24,}`)

// TestMetricsCountRequestsWithoutIDs (issue 28): after a sign-up, a
// log-in, a sync, failed log-ins and a 429, the metrics listener's
// /metrics parses as Prometheus text and counts them by route pattern,
// reason and status; the pools, pending rotations, hash gate, database
// transactions and Go runtime are there; no label value looks like an id,
// an e-mail address or a token; the public listener has no /metrics.
func TestMetricsCountRequestsWithoutIDs(t *testing.T) {
	sink := newLogSink()
	cfg := testConfig()
	env := testserver.StartLog(t, &cfg, nil, sink.logger())
	f := &fixture{env: env, hc: env.HTTP.Client()}

	acct := newSignup(t)
	f.sendLogged(t, sink, "POST", "/accounts", "", acct).decodeOK(t, http.StatusCreated, nil)
	var lr api.LoginResponse
	f.sendLogged(t, sink, "POST", "/sessions", "", api.LoginRequest{Email: acct.Email, AuthKey: acct.AuthKey}).decodeOK(t, http.StatusCreated, &lr)
	syncAnswer := f.sendLogged(t, sink, "GET", "/sync", lr.Token, nil)
	syncAnswer.decodeOK(t, http.StatusOK, nil)
	for range loginAttempts {
		wantError(t, f.sendLogged(t, sink, "POST", "/sessions", "", api.LoginRequest{Email: acct.Email, AuthKey: crypto.NewKey()}), http.StatusUnauthorized, api.CodeUnauthorized)
	}
	wantError(t, f.sendLogged(t, sink, "POST", "/sessions", "", api.LoginRequest{Email: acct.Email, AuthKey: acct.AuthKey}), http.StatusTooManyRequests, api.CodeRateLimited)
	// Not on the public listener: a JSON 404, not the web app's page.
	wantError(t, f.sendLogged(t, sink, "GET", "//metrics", "", nil), http.StatusNotFound, api.CodeNotFound)

	fams := scrape(t, env)
	counts := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"coffer_http_requests_total", map[string]string{"route": "POST /api/v1/accounts", "method": "POST", "code": "201"}, 1},
		{"coffer_http_requests_total", map[string]string{"route": "POST /api/v1/sessions", "method": "POST", "code": "201"}, 1},
		{"coffer_http_requests_total", map[string]string{"route": "POST /api/v1/sessions", "method": "POST", "code": "401"}, loginAttempts},
		{"coffer_http_requests_total", map[string]string{"route": "POST /api/v1/sessions", "method": "POST", "code": "429"}, 1},
		{"coffer_http_requests_total", map[string]string{"route": "GET /api/v1/sync", "method": "GET", "code": "200"}, 1},
		{"coffer_http_requests_total", map[string]string{"route": "/metrics", "method": "GET", "code": "404"}, 1},
		{"coffer_login_failures_total", map[string]string{"reason": "password"}, loginAttempts},
		{"coffer_login_failures_total", map[string]string{"reason": "second_factor"}, 0},
		{"coffer_rate_limited_total", map[string]string{"reason": "failed_logins"}, 1},
		{"coffer_hash_refusals_total", map[string]string{"reason": "network_busy"}, 0},
		{"coffer_live_connections", nil, 0},
		{"coffer_live_events_sent_total", nil, 0},
		{"coffer_pending_key_rotations", nil, 0},
		{"coffer_hash_running", nil, 0},
		{"coffer_hash_waiting", nil, 0},
	}
	for _, c := range counts {
		if got := value(sample(t, fams, c.name, c.labels)); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// Histograms: one sync of the size answered, a duration per request,
	// a hash wait per hash (sign-up, log-in, the failed ones; the 429 ran
	// none), database transactions.
	h := sample(t, fams, "coffer_sync_response_bytes", nil).Histogram
	if h.GetSampleCount() != 1 || h.GetSampleSum() != float64(len(syncAnswer.body)) {
		t.Errorf("sync sizes: %d samples, sum %v; want 1, %d", h.GetSampleCount(), h.GetSampleSum(), len(syncAnswer.body))
	}
	if h := sample(t, fams, "coffer_http_request_duration_seconds", map[string]string{"route": "POST /api/v1/sessions"}).Histogram; h.GetSampleCount() != loginAttempts+2 {
		t.Errorf("log-in durations: %d samples, want %d", h.GetSampleCount(), loginAttempts+2)
	}
	if h := sample(t, fams, "coffer_hash_wait_seconds", nil).Histogram; h.GetSampleCount() != loginAttempts+2 {
		t.Errorf("hash waits: %d samples, want %d", h.GetSampleCount(), loginAttempts+2)
	}
	for _, kind := range []string{"read", "write"} {
		if h := sample(t, fams, "coffer_db_transaction_duration_seconds", map[string]string{"kind": kind}).Histogram; h.GetSampleCount() == 0 {
			t.Errorf("no %s transactions measured", kind)
		}
	}
	for _, pool := range []string{"readers", "writer"} { // SQLite's pools
		if v := value(sample(t, fams, "coffer_db_pool_max_open", map[string]string{"pool": pool})); v < 1 {
			t.Errorf("%s pool: max open %v", pool, v)
		}
		sample(t, fams, "coffer_db_pool_in_use", map[string]string{"pool": pool})
		sample(t, fams, "coffer_db_pool_open", map[string]string{"pool": pool})
		sample(t, fams, "coffer_db_pool_waits_total", map[string]string{"pool": pool})
		sample(t, fams, "coffer_db_pool_wait_seconds_total", map[string]string{"pool": pool})
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
		sample(t, fams, name, nil)
	}

	// No label value carries an id, an address, a token.
	for name, fam := range fams {
		for _, m := range fam.Metric {
			for _, l := range m.Label {
				v := l.GetValue()
				if secretLike.MatchString(v) || strings.Contains(v, acct.UserID) || strings.Contains(v, lr.SessionID) {
					t.Errorf("%s has label %s=%q", name, l.GetName(), v)
				}
			}
		}
	}
}

// TestHealthEndpoints (issue 28): /livez and /readyz answer JSON on the
// public listener and the metrics listener, never the web app's page,
// whatever the method; /healthz answers as before; /readyz says 503
// with a reason and Retry-After once the database is gone.
func TestHealthEndpoints(t *testing.T) {
	cfg := testConfig()
	env := testserver.Start(t, &cfg, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	ms := httptest.NewServer(env.Server.MetricsHandler())
	defer ms.Close()
	get := func(base, path, method string) (int, http.Header, map[string]string) {
		req, _ := http.NewRequest(method, base+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q, want JSON", method, path, ct)
		}
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, resp.Header, body
	}
	for _, base := range []string{env.URL, ms.URL} {
		if code, _, body := get(base, "/livez", "GET"); code != http.StatusOK || body["status"] != "alive" {
			t.Errorf("%s/livez = %d %v", base, code, body)
		}
		if code, _, body := get(base, "/readyz", "GET"); code != http.StatusOK || body["status"] != "ready" {
			t.Errorf("%s/readyz = %d %v", base, code, body)
		}
		if code, _, _ := get(base, "/readyz", "POST"); code != http.StatusMethodNotAllowed {
			t.Errorf("POST %s/readyz = %d, want 405", base, code)
		}
	}
	f.send(t, "GET", "//healthz", "", nil).decodeOK(t, http.StatusOK, nil)

	env.Store.Close() // the database is gone
	for _, base := range []string{env.URL, ms.URL} {
		code, h, body := get(base, "/readyz", "GET")
		if code != http.StatusServiceUnavailable || body["reason"] != "database_unreachable" || h.Get("Retry-After") == "" {
			t.Errorf("%s/readyz without a database = %d %v, Retry-After %q", base, code, body, h.Get("Retry-After"))
		}
		if code, _, _ := get(base, "/livez", "GET"); code != http.StatusOK {
			t.Errorf("%s/livez without a database = %d, want 200", base, code)
		}
	}
	if code, _, body := get(env.URL, "/healthz", "GET"); code != http.StatusServiceUnavailable || body["database"] != "unreachable" {
		t.Errorf("/healthz without a database = %d %v", code, body)
	}
}
