package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
)

// reqInfo is what the request middleware (ServeHTTP) learns about a
// request while it runs, for its log line and metrics: the handlers fill
// in the account and the limit that refused it.
type reqInfo struct {
	id    string // request id, also the X-Request-Id answer header
	user  string // the authenticated account's id (an opaque UUID)
	limit string // a fixed word naming the limit that answered 429
}

type reqInfoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	i, _ := ctx.Value(reqInfoKey{}).(*reqInfo)
	return i
}

// noteUser records the request's authenticated account for its log line.
func noteUser(r *http.Request, userID string) {
	if i := infoFrom(r.Context()); i != nil {
		i.user = userID
	}
}

// noteLimit names the limit that refuses a request with 429, for
// coffer_rate_limited_total; reason is one of a fixed set of words.
func noteLimit(r *http.Request, reason string) {
	if i := infoFrom(r.Context()); i != nil {
		i.limit = reason
	}
}

// requestID is the request's id: the client's X-Request-Id if it is short
// and of safe characters (a proxy in front may have logged it already),
// else a fresh random one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); safeRequestID(id) {
		return id
	}
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func safeRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// ctxLogHandler adds the request id of the context to every record logged
// with one (s.log.InfoContext(r.Context(), …)): the ad-hoc lines of a
// request can be found next to its request line.
type ctxLogHandler struct{ slog.Handler }

func (h ctxLogHandler) Handle(ctx context.Context, rec slog.Record) error {
	if i := infoFrom(ctx); i != nil {
		rec.AddAttrs(slog.String("request_id", i.id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h ctxLogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return ctxLogHandler{h.Handler.WithAttrs(as)}
}

func (h ctxLogHandler) WithGroup(name string) slog.Handler {
	return ctxLogHandler{h.Handler.WithGroup(name)}
}

// ServeHTTP is the middleware around every request: it gives the request
// an id (X-Request-Id), recovers from panics with a 500, and afterwards
// logs one line and counts the request in the metrics.
//
// The line holds the request id, the method, the route pattern (never the
// raw path, nor the query), the status, the duration, the bytes answered,
// the client address and, authenticated, the account id — never a body,
// a header, a token or an e-mail address (TestLogsHoldNoSecrets).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &reqInfo{id: requestID(r)}
	r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, info))
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	aborted := false
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				// A streamed answer cut short on purpose: net/http
				// drops the connection, so the client sees no valid end.
				aborted = true
				s.logRequest(r, info, rec, start, aborted)
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic in handler", "route", routeLabel(r.Pattern), "panic", v)
			if !rec.wrote {
				writeJSON(rec, http.StatusInternalServerError, api.Error{Error: "internal server error", Code: api.CodeInternal})
			}
		}
		s.logRequest(r, info, rec, start, aborted)
	}()
	setSecurityHeaders(w.Header())
	w.Header().Set("X-Request-Id", info.id)
	// The mux sets r.Pattern on r itself when it routes.
	s.mux.ServeHTTP(rec, r)
}

// logRequest writes a request's line and counts it.
func (s *Server) logRequest(r *http.Request, info *reqInfo, rec *statusRecorder, start time.Time, aborted bool) {
	d := time.Since(start)
	route, method := routeLabel(r.Pattern), methodLabel(r.Method)
	s.metrics.observeRequest(route, method, rec.status, d, info.limit)
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("route", route),
		slog.Int("status", rec.status),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.Int64("bytes", rec.bytes),
		slog.String("client", s.clientAddr(r)),
	}
	if info.user != "" {
		attrs = append(attrs, slog.String("user", info.user))
	}
	if info.limit != "" {
		attrs = append(attrs, slog.String("limit", info.limit))
	}
	if aborted {
		attrs = append(attrs, slog.Bool("aborted", true))
	}
	level := slog.LevelInfo
	if rec.status >= 500 {
		level = slog.LevelWarn
	}
	s.log.LogAttrs(r.Context(), level, "request", attrs...)
}

// livez answers 200 while the process serves requests.
func (s *Server) livez(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, api.Error{Error: "method not allowed", Code: api.CodeBadRequest})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "alive"})
}

// readyz answers 200 when the instance can serve: its database answers
// (store.Ping), and its schema is migrated (the listeners open only after
// the store's migrations ran). Else 503 with a JSON reason and
// Retry-After: a load balancer sends the requests elsewhere meanwhile.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, api.Error{Error: "method not allowed", Code: api.CodeBadRequest})
		return
	}
	if reason, detail := s.databaseState(r.Context()); reason != "" {
		w.Header().Set("Retry-After", "1")
		body := map[string]string{"status": "unavailable", "reason": reason}
		if detail != "" {
			body["detail"] = detail
		}
		writeJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// notFoundJSON answers 404 in JSON: for the paths that must not fall
// through to the web app's page (/metrics on the public listener).
func notFoundJSON(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, api.Error{Error: "not found", Code: api.CodeNotFound})
}

// limited returns err, and if it is a 429 names its limit (noteLimit).
func limited(r *http.Request, err error, reason string) error {
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusTooManyRequests {
		noteLimit(r, reason)
	}
	return err
}
