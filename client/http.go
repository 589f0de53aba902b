package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
)

// APIError is an error answer from the server. Its message comes from the
// server; callers show it quoted and never act on its wording.
type APIError struct {
	Status  int
	Code    string
	Message string
	Head    uint64
	// SecondFactor: on "second_factor_required", what the account accepts.
	SecondFactor *api.SecondFactorChallenge
}

func (e *APIError) Error() string {
	return fmt.Sprintf("server said (HTTP %d): %s", e.Status, sanitize(e.Message, 300))
}

// ErrUnauthorized is wrapped by errors for a missing, expired or revoked session.
var ErrUnauthorized = errors.New("the server session is not valid (expired, revoked or logged out)")

func (e *APIError) Unwrap() error {
	if e.Status == statusUnauthorized {
		return ErrUnauthorized
	}
	return nil
}

// The HTTP status codes the client reads (net/http's names: the browser's
// build does not link net/http, see http_js.go).
const (
	statusUnauthorized    = 401
	statusForbidden       = 403
	statusNotFound        = 404
	statusConflict        = 409
	statusTooLarge        = 413
	statusTooManyRequests = 429
)

// transport talks JSON to one server. Its requests go out through send:
// net/http's client natively (http_native.go), the browser's fetch in
// WebAssembly (http_js.go).
type transport struct {
	base  string
	hc    *HTTPClient // nil: the platform's default
	token string
}

func newTransport(server string, hc *HTTPClient) *transport {
	return &transport{base: strings.TrimRight(server, "/"), hc: hc}
}

// header is the request's Content-Type (if any) and, with a session, its
// bearer token.
func (t *transport) header(contentType string) [][2]string {
	var h [][2]string
	if contentType != "" {
		h = append(h, [2]string{"Content-Type", contentType})
	}
	if t.token != "" {
		h = append(h, [2]string{"Authorization", "Bearer " + t.token})
	}
	return h
}

// do sends a request with an optional JSON body and decodes a JSON answer
// into out (if non-nil).
func (t *transport) do(ctx context.Context, method, path string, body, out any) error {
	return t.doStated(ctx, method, path, "", body, out)
}

// doStated is do for an audited organisation action: stmt, if not empty,
// is the caller's signed statement (Session.statement), sent in
// api.StatementHeader.
func (t *transport) doStated(ctx context.Context, method, path, stmt string, body, out any) error {
	var b []byte
	contentType := ""
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return err
		}
		contentType = "application/json"
	}
	h := t.header(contentType)
	if stmt != "" {
		h = append(h, [2]string{api.StatementHeader, stmt})
	}
	status, rc, err := t.send(ctx, method, t.base+api.Prefix+path, h, b)
	if err != nil {
		return noAnswer{fmt.Errorf("%w at %s: %w", ErrUnreachable, t.base, unwrapURLError(err))}
	}
	defer rc.Close()
	// Bound what we read from a server we do not trust.
	data, err := io.ReadAll(io.LimitReader(rc, 256<<20))
	if err != nil {
		return noAnswer{fmt.Errorf("reading the server's answer: %w", err)}
	}
	if status >= 300 {
		return apiError(status, data)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w (the server's answer to %s %s is not the expected JSON)", ErrTampered, method, path)
	}
	return nil
}

// noAnswer marks a request whose answer never arrived: the server may or
// may not have done it.
type noAnswer struct{ error }

func (e noAnswer) Unwrap() error { return e.error }

// answerLost reports whether err leaves it open whether the server did the
// request: no answer, or a gateway's or an overloaded server's 502–504.
func answerLost(err error) bool {
	var na noAnswer
	var ae *APIError
	return errors.As(err, &na) || (errors.As(err, &ae) && ae.Status >= 502 && ae.Status <= 504)
}

// doAgainIfLost is do for the writes the server recognises when they come
// again — an item's creation (its id is the client's) and a revision
// write (its number and signature) answer a retry of a committed write as
// if it were the first (docs/api.md). An answer that is lost is therefore
// asked for again with the very same request, up to three times, instead
// of leaving the person unsure whether the save happened.
func (t *transport) doAgainIfLost(ctx context.Context, method, path string, body, out any) error {
	delay := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := t.do(ctx, method, path, body, out)
		if err == nil || attempt == 3 || !answerLost(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
		delay *= 3
	}
}

func unwrapURLError(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// raw sends a request with a binary body (or none) and returns a binary
// answer of at most limit bytes.
func (t *transport) raw(ctx context.Context, method, path string, body []byte, limit int64) ([]byte, error) {
	contentType := ""
	if body != nil {
		contentType = "application/octet-stream"
	}
	status, rc, err := t.send(ctx, method, t.base+api.Prefix+path, t.header(contentType), body)
	if err != nil {
		return nil, fmt.Errorf("%w at %s: %w", ErrUnreachable, t.base, unwrapURLError(err))
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the server's answer: %w", err)
	}
	if status >= 300 {
		return nil, apiError(status, data)
	}
	if int64(len(data)) > limit {
		return nil, tampered("the server sent more than %d bytes", limit)
	}
	return data, nil
}

// apiError is the server's error answer of status, body data, as an
// *APIError (the status text when the body is not the error format).
func apiError(status int, data []byte) *APIError {
	var e api.Error
	if json.Unmarshal(data, &e) != nil || e.Error == "" {
		e.Error = statusText(status)
	}
	return &APIError{Status: status, Code: e.Code, Message: e.Error, Head: e.Head, SecondFactor: e.SecondFactor}
}

// statusText is an HTTP status's reason phrase, for an error answer
// without the server's own words.
func statusText(status int) string {
	if t, ok := map[int]string{
		400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
		409: "Conflict", 410: "Gone", 412: "Precondition Failed", 413: "Request Entity Too Large",
		415: "Unsupported Media Type", 422: "Unprocessable Entity", 429: "Too Many Requests",
		500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
		504: "Gateway Timeout",
	}[status]; ok {
		return t
	}
	return fmt.Sprintf("HTTP status %d", status)
}
