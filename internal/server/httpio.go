package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/store"
)

// httpError is an error with the status and code to answer with. Its
// message is shown to users, so it never contains secret input.
type httpError struct {
	status int
	code   string
	msg    string
	head   uint64
}

func (e *httpError) Error() string { return e.msg }

func errBadRequest(format string, a ...any) error {
	return &httpError{http.StatusBadRequest, api.CodeBadRequest, fmt.Sprintf(format, a...), 0}
}
func errNotFound(what string) error {
	return &httpError{http.StatusNotFound, api.CodeNotFound, what + " not found", 0}
}
func errForbidden(msg string) error {
	return &httpError{http.StatusForbidden, api.CodeForbidden, msg, 0}
}
func errUnauthorized(msg string) error {
	return &httpError{http.StatusUnauthorized, api.CodeUnauthorized, msg, 0}
}
func errConflict(msg string, head uint64) error {
	return &httpError{http.StatusConflict, api.CodeConflict, msg, head}
}

// decode reads a JSON body into v. It refuses unknown fields, trailing data,
// wrong types and bodies over the limit, each with a message that names the
// problem (and never echoes the body).
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONMediaType(ct) {
		return &httpError{http.StatusUnsupportedMediaType, api.CodeBadRequest, "request body must be application/json", 0}
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var maxErr *http.MaxBytesError
	if err == nil {
		if dec.More() {
			return errBadRequest("request body must hold exactly one JSON object")
		}
		// Whatever follows the object must be nothing; if it runs past the
		// limit, the body is too large rather than malformed.
		if err = dec.Decode(&struct{}{}); err == io.EOF {
			return nil
		}
		if !errors.As(err, &maxErr) {
			return errBadRequest("request body must hold exactly one JSON object")
		}
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &maxErr):
		return &httpError{http.StatusRequestEntityTooLarge, api.CodeTooLarge,
			fmt.Sprintf("request body is larger than the limit of %d bytes", maxErr.Limit), 0}
	case errors.Is(err, io.EOF):
		return errBadRequest("request body is empty; a JSON object is required")
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return errBadRequest("request body is not valid JSON")
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return errBadRequest("request body must be a JSON object")
		}
		return errBadRequest("field %q must be of type %s", typeErr.Field, jsonTypeName(typeErr.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errBadRequest("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case strings.Contains(err.Error(), "illegal base64"):
		return errBadRequest("a byte field is not valid base64")
	}
	return errBadRequest("request body could not be read as JSON")
}

// isJSONMediaType reports whether a Content-Type is application/json, with
// any parameters, in any letter case (media types are case-insensitive).
func isJSONMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

func jsonTypeName(kind string) string {
	switch kind {
	case "slice":
		return "array or base64 string"
	case "struct", "map":
		return "object"
	case "uint8", "uint32", "uint64", "int", "int64":
		return "number (" + kind + ")"
	}
	return kind
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError answers with the error's status and message. Unknown errors are
// logged and answered with a generic 500; store unavailability with 503.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	var ce *store.ConflictError
	var mc *store.ManifestConflictError
	switch {
	case errors.As(err, &he):
	case errors.As(err, &mc):
		he = &httpError{http.StatusConflict, api.CodeManifestConflict,
			"the vault was changed since you read it (its manifest moved on); sync and try again; nothing was written", 0}
	case errors.As(err, &ce):
		he = &httpError{http.StatusConflict, api.CodeConflict,
			fmt.Sprintf("the item was changed since you read it (current revision %d); nothing was written", ce.Head), ce.Head}
	case errors.Is(err, store.ErrUnavailable):
		s.log.Error("database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		he = &httpError{http.StatusServiceUnavailable, api.CodeUnavailable, "the database is unavailable; try again shortly", 0}
	case errors.Is(err, store.ErrExists):
		he = &httpError{http.StatusConflict, api.CodeExists, "an object with this id already exists", 0}
	case errors.Is(err, store.ErrNotFound):
		he = &httpError{http.StatusNotFound, api.CodeNotFound, "not found", 0}
	default:
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		he = &httpError{http.StatusInternalServerError, api.CodeInternal, "internal server error", 0}
	}
	writeJSON(w, he.status, api.Error{Error: he.msg, Code: he.code, Head: he.head})
}
