package client_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestHistoryTamperingDetected: a server that drops, reorders or replays a
// revision, or re-attributes one to another author, is caught by the
// client walking the signed hash chain.
func TestHistoryTamperingDetected(t *testing.T) {
	var mutate func(revs []map[string]any) []map[string]any
	var otherAuthor string
	env := testserver.Start(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if mutate == nil || !strings.HasSuffix(r.URL.Path, "/revisions") {
				h.ServeHTTP(w, r)
				return
			}
			rec := &recorder{header: http.Header{}}
			h.ServeHTTP(rec, r)
			var body map[string]any
			json.Unmarshal(rec.body.Bytes(), &body)
			var revs []map[string]any
			for _, x := range body["revisions"].([]any) {
				revs = append(revs, x.(map[string]any))
			}
			body["revisions"] = mutate(revs)
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(body)
		})
	})
	s := signup(t, env.URL, "hist@example.com")
	other := signup(t, env.URL, "other@example.com")
	otherAuthor = other.Profile.UserID
	it := addLogin(t, s, "Chain", "v1")
	for _, pw := range []string{"v2", "v3"} {
		c := it.Content
		c.Login = &client.LoginFields{Password: pw}
		var err error
		if it, err = s.UpdateItem(ctx, it, c); err != nil {
			t.Fatal(err)
		}
	}
	if h, err := s.History(ctx, it); err != nil || len(h) != 3 {
		t.Fatalf("untampered history: %d, %v", len(h), err)
	}
	clone := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	attacks := map[string]func([]map[string]any) []map[string]any{
		"drop the middle revision": func(r []map[string]any) []map[string]any {
			r[2]["revision"] = 2
			return []map[string]any{r[0], r[2]}
		},
		"drop the newest revision": func(r []map[string]any) []map[string]any { return r[:2] },
		"reorder":                  func(r []map[string]any) []map[string]any { return []map[string]any{r[0], r[2], r[1]} },
		"replay revision 1 as 2": func(r []map[string]any) []map[string]any {
			replay := clone(r[0])
			replay["revision"] = 2
			return []map[string]any{r[0], replay, r[2]}
		},
		"re-attribute to another author": func(r []map[string]any) []map[string]any {
			r[1]["author_id"] = otherAuthor
			return r
		},
		"change the signed time": func(r []map[string]any) []map[string]any {
			r[1]["time"] = r[1]["time"].(float64) + 1000
			return r
		},
	}
	for name, attack := range attacks {
		mutate = attack
		_, err := s.History(ctx, it)
		mutate = nil
		if !errors.Is(err, client.ErrTampered) {
			t.Errorf("%s: %v, want ErrTampered", name, err)
		}
	}
}

// TestRollbackAndRestoreField make new revisions; nothing is overwritten.
func TestRollbackAndRestoreField(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	s := signup(t, env.URL, "roll@example.com")
	it := addLogin(t, s, "Roll", "pw1") // username alice
	c := it.Content
	c.Login = &client.LoginFields{Username: "bob", Password: "pw2"}
	it, _ = s.UpdateItem(ctx, it, c)
	it, err := s.RestoreField(ctx, it, "password", 1)
	if err != nil || it.Revision != 3 || it.Content.Login.Password != "pw1" || it.Content.Login.Username != "bob" {
		t.Fatalf("RestoreField = %+v, %v", it.Content.Login, err)
	}
	it, err = s.Rollback(ctx, it, 1)
	if err != nil || it.Revision != 4 || it.Content.Login.Username != "alice" {
		t.Fatalf("Rollback = %+v, %v", it.Content.Login, err)
	}
	if _, err := s.Rollback(ctx, it, 9); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("rollback to a missing revision: %v", err)
	}
	h, _ := s.History(ctx, it)
	if len(h) != 4 {
		t.Fatalf("history has %d revisions", len(h))
	}
}
