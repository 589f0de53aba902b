package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

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
// wrong types, bodies over the limit, invalid UTF-8 (which encoding/json
// would silently replace) and integers the database cannot hold (above
// 2^63-1), each with a message that names the problem (and never echoes
// the body).
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONMediaType(ct) {
		return &httpError{http.StatusUnsupportedMediaType, api.CodeBadRequest, "request body must be application/json", 0}
	}
	// The body is at most MaxBodyBytes, so reading it whole is bounded; it
	// lets the UTF-8 check see every byte before anything is decoded. The
	// bytes held at once, over all requests, are bounded too, and a body
	// must keep arriving (bodybudget.go).
	data, release, err := s.readBody(w, r, s.cfg.MaxBodyBytes)
	defer release()
	var maxErr *http.MaxBytesError
	var he *httpError
	switch {
	case errors.As(err, &maxErr):
		return errTooLargeBody(maxErr.Limit) // the limit that applied (public endpoints read less)
	case errors.As(err, &he):
		return he
	case err != nil:
		return errBadRequest("request body could not be read")
	}
	if !utf8.Valid(data) {
		return errBadRequest("request body is not valid UTF-8")
	}
	if hasLoneSurrogate(data) {
		return errBadRequest("request body has a \\u escape of a lone UTF-16 surrogate, which is not a character")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil {
		if dec.More() {
			return errBadRequest("request body must hold exactly one JSON object")
		}
		if err = dec.Decode(&struct{}{}); err != io.EOF {
			return errBadRequest("request body must hold exactly one JSON object")
		}
		return checkIntRange(reflect.ValueOf(v), "")
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
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

// hasLoneSurrogate reports whether a JSON text escapes half of a UTF-16
// surrogate pair on its own ("\ud800"), which encoding/json would
// silently replace with U+FFFD like invalid UTF-8.
func hasLoneSurrogate(data []byte) bool {
	hex4 := func(i int) (rune, bool) {
		if i+4 > len(data) {
			return 0, false
		}
		var r rune
		for _, c := range data[i : i+4] {
			switch {
			case '0' <= c && c <= '9':
				r = r<<4 | rune(c-'0')
			case 'a' <= c && c <= 'f':
				r = r<<4 | rune(c-'a'+10)
			case 'A' <= c && c <= 'F':
				r = r<<4 | rune(c-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	inString := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(data):
			if data[i+1] != 'u' {
				i++ // skip the escaped character
				continue
			}
			r, ok := hex4(i + 2)
			if !ok {
				continue // not an escape the decoder accepts; it refuses it
			}
			i += 5
			switch {
			case 0xDC00 <= r && r <= 0xDFFF:
				return true // a low half with no high half before it
			case 0xD800 <= r && r <= 0xDBFF:
				if i+2 >= len(data) || data[i+1] != '\\' || data[i+2] != 'u' {
					return true
				}
				low, ok := hex4(i + 3)
				if !ok || low < 0xDC00 || low > 0xDFFF {
					return true
				}
				i += 6
			}
		}
	}
	return false
}

func errTooLargeBody(limit int64) error {
	return &httpError{http.StatusRequestEntityTooLarge, api.CodeTooLarge,
		fmt.Sprintf("request body is larger than the limit of %d bytes", limit), 0}
}

// checkIntRange refuses any unsigned integer in a decoded request above
// math.MaxInt64: the databases store integers as signed 64-bit, and the
// driver would refuse the value halfway through a request. Walking the
// decoded value covers every field of every request type, present and
// future. path is the field's JSON path, for the message.
func checkIntRange(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkIntRange(v.Elem(), path)
		}
	case reflect.Uint, reflect.Uint64:
		if v.Uint() > math.MaxInt64 {
			return errBadRequest("field %q is too large (at most %d)", path, int64(math.MaxInt64))
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" && f.Anonymous {
				name = path // an embedded struct's fields are the outer object's
			} else {
				if name == "" {
					name = f.Name
				}
				if path != "" {
					name = path + "." + name
				}
			}
			if err := checkIntRange(v.Field(i), name); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // bytes
		}
		for i := range v.Len() {
			if err := checkIntRange(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if err := checkIntRange(iter.Value(), fmt.Sprintf("%s[%v]", path, iter.Key())); err != nil {
				return err
			}
		}
	}
	return nil
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
	var qe *store.QuotaError
	var le *store.LimitError
	var rc *store.RecordConflict
	var sf *secondFactorError
	switch {
	case errors.As(err, &sf):
		writeJSON(w, sf.status, api.Error{Error: sf.msg, Code: sf.code, SecondFactor: sf.challenge})
		return
	case errors.As(err, &he):
	case errors.As(err, &qe):
		he = s.quotaError(qe)
	case errors.As(err, &mc):
		he = &httpError{http.StatusConflict, api.CodeManifestConflict,
			"the vault was changed since you read it (its manifest moved on); sync and try again; nothing was written", 0}
	case errors.As(err, &ce):
		he = &httpError{http.StatusConflict, api.CodeConflict,
			fmt.Sprintf("the item was changed since you read it (current revision %d); nothing was written", ce.Head), ce.Head}
	case errors.As(err, &rc):
		code := api.CodeRecordConflict
		if strings.HasPrefix(rc.Reason, "rotation_order") {
			code = api.CodeRotationOrder
		}
		he = &httpError{http.StatusConflict, code, rc.Error() + "; sync and try again; nothing was written", 0}
	case errors.As(err, &le):
		he = &httpError{http.StatusInsufficientStorage, api.CodeQuotaExceeded, "this server allows at most " + strconv.Itoa(le.Max) + " " + le.What + "; nothing was created", 0}
	case errors.Is(err, store.ErrNoLongerAllowed):
		he = &httpError{http.StatusForbidden, api.CodeForbidden, "your access changed while this request ran (a removal or a revoke came first); nothing was written", 0}
	case errors.Is(err, store.ErrStorageFull):
		s.storageFull.Store(true)
		s.log.Error("database disk full: nothing was written; free space on the database's disk", "method", r.Method, "path", r.URL.Path, "err", err)
		he = &httpError{http.StatusInsufficientStorage, api.CodeStorageFull, "the server's disk is full, so nothing was written; your data is safe; try again once its operator has freed space", 0}
	case errors.Is(err, store.ErrReadOnly):
		s.log.Error("database read-only: nothing was written; check the database's file system and permissions", "method", r.Method, "path", r.URL.Path, "err", err)
		he = &httpError{http.StatusServiceUnavailable, api.CodeUnavailable, "the server's database is read-only just now, so nothing was written; your data is safe; try again later", 0}
	case errors.Is(err, store.ErrUnavailable):
		s.log.ErrorContext(r.Context(), "database unavailable", "route", r.Pattern, "err", err)
		he = &httpError{http.StatusServiceUnavailable, api.CodeUnavailable, "the database is unavailable; try again shortly", 0}
	case errors.Is(err, store.ErrFileTaken):
		he = &httpError{http.StatusBadRequest, api.CodeBadRequest, "a file the revision refers to is attached to another item; a file belongs to one item; nothing was written", 0}
	case errors.Is(err, store.ErrExists):
		he = &httpError{http.StatusConflict, api.CodeExists, "an object with this id already exists", 0}
	case errors.Is(err, store.ErrNotFound):
		he = &httpError{http.StatusNotFound, api.CodeNotFound, "not found", 0}
	default:
		// A store error that no store method mapped may still be a full
		// disk or a lost database: name it as the store's engine knows it.
		if n, ok := s.store.(interface{ NameStorageError(error) error }); ok {
			if named := n.NameStorageError(err); errors.Is(named, store.ErrStorageFull) || errors.Is(named, store.ErrUnavailable) {
				s.writeError(w, r, named)
				return
			}
		}
		s.log.ErrorContext(r.Context(), "internal error", "route", r.Pattern, "err", err)
		he = &httpError{http.StatusInternalServerError, api.CodeInternal, "internal server error", 0}
	}
	if (he.status == http.StatusServiceUnavailable || he.status == http.StatusTooManyRequests) && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1") // both are worth a retry, soon
	}
	writeJSON(w, he.status, api.Error{Error: he.msg, Code: he.code, Head: he.head})
}
