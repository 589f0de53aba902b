package client_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

var ctx = context.Background()

func signup(t *testing.T, url, email string) *client.Session {
	t.Helper()
	s, err := client.Signup(ctx, url, email, "Test User", []byte("pw of "+email), client.Options{})
	if err != nil {
		t.Fatalf("Signup: %v", err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return s
}

func addLogin(t *testing.T, s *client.Session, name, password string) *client.Item {
	t.Helper()
	v, err := s.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	it, err := s.CreateItem(ctx, v.ID, "login", client.Content{Name: name, Login: &client.LoginFields{Username: "alice", Password: password, URLs: []string{"https://example.com"}}})
	if err != nil {
		t.Fatalf("CreateItem: %v", err)
	}
	return it
}

func TestItemLifecycle(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	s := signup(t, env.URL, "alice@example.com")
	it := addLogin(t, s, "Bank", "hunter2")
	if it.Revision != 1 {
		t.Fatalf("revision = %d", it.Revision)
	}
	c := it.Content
	c.Login = &client.LoginFields{Username: "alice", Password: "hunter3"}
	it2, err := s.UpdateItem(ctx, it, c)
	if err != nil || it2.Revision != 2 {
		t.Fatalf("UpdateItem = %+v, %v", it2, err)
	}

	// A second device logs in and sees the same, decrypted.
	s2, err := client.Login(ctx, env.URL, "alice@example.com", []byte("pw of alice@example.com"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s2.FindItem("bank", false)
	if err != nil || got.Content.Login.Password != "hunter3" || got.Revision != 2 {
		t.Fatalf("FindItem on second device = %+v, %v", got, err)
	}
	hist, err := s2.History(ctx, got)
	if err != nil || len(hist) != 2 || hist[0].Content.Login.Password != "hunter2" || hist[1].Content.Login.Password != "hunter3" {
		t.Fatalf("History = %+v, %v", hist, err)
	}

	// A stale edit from the first device's old copy is a conflict; nothing lost.
	c.Login.Password = "stale"
	if _, err := s.UpdateItem(ctx, it, c); !isConflict(err) {
		t.Fatalf("stale edit: %v, want ConflictError", err)
	}
	s2.Sync(ctx)
	got, _ = s2.FindItem("bank", false)
	if got.Content.Login.Password != "hunter3" {
		t.Fatalf("after conflict password = %q", got.Content.Login.Password)
	}

	tr, err := s.TrashItem(ctx, it2)
	if err != nil || !tr.Trashed {
		t.Fatalf("TrashItem = %+v, %v", tr, err)
	}
	if _, err := s.FindItem("Bank", false); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("trashed item still found: %v", err)
	}
	rs, err := s.RestoreItem(ctx, tr)
	if err != nil || rs.Trashed || rs.Content.Login.Password != "hunter3" {
		t.Fatalf("RestoreItem = %+v, %v", rs, err)
	}
}

func isConflict(err error) bool {
	var ce *client.ConflictError
	return errors.As(err, &ce)
}

func TestWrongPassword(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	signup(t, env.URL, "bob@example.com")
	_, err := client.Login(ctx, env.URL, "bob@example.com", []byte("not it"), client.Options{})
	if !errors.Is(err, client.ErrWrongPassword) {
		t.Fatalf("Login with wrong password: %v", err)
	}
}

func TestLocalSessionRoundTrip(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	s := signup(t, env.URL, "carol@example.com")
	addLogin(t, s, "Mail", "pw")
	key, ls, err := s.ExportLocal()
	if err != nil {
		t.Fatal(err)
	}
	p := *s.Profile
	s2, err := p.ResumeLocal(key, ls, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.FindItem("Mail", false); err != nil {
		t.Fatal(err)
	}
	wrong := bytes.Repeat([]byte{1}, 32)
	if _, err := p.ResumeLocal(wrong, ls, client.Options{}); err == nil {
		t.Fatal("local session opened with a wrong key")
	}
	if _, err := p.Unlock([]byte("wrong"), client.Options{}); !errors.Is(err, client.ErrWrongPassword) {
		t.Fatalf("Unlock with wrong password: %v", err)
	}
}

// TestTamperedCiphertextInDatabase alters one byte of a stored revision and
// expects the client to refuse it as tampered rather than show garbage.
func TestTamperedCiphertextInDatabase(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	s := signup(t, env.URL, "dave@example.com")
	it := addLogin(t, s, "Router", "admin123")
	db, err := sql.Open("sqlite", env.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var blob []byte
	if err := db.QueryRow(`SELECT blob FROM revisions WHERE item_id = ?`, it.ID).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	blob[len(blob)/2] ^= 0x01
	if _, err := db.Exec(`UPDATE revisions SET blob = ? WHERE item_id = ?`, blob, it.ID); err != nil {
		t.Fatal(err)
	}
	// Without its stored encoding a sync reads the altered revision.
	if _, err := db.Exec(`UPDATE items SET head_json = NULL WHERE id = ?`, it.ID); err != nil {
		t.Fatal(err)
	}
	s2, err := client.Login(ctx, env.URL, "dave@example.com", []byte("pw of dave@example.com"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = s2.Sync(ctx)
	if !errors.Is(err, client.ErrTampered) {
		t.Fatalf("Sync over altered ciphertext: %v, want ErrTampered", err)
	}
	if strings.Contains(err.Error(), "admin123") {
		t.Fatal("error shows plaintext")
	}
}

// TestKDFDowngradeRefused: a server that lowers the KDF parameters in
// pre-login gets nothing — the client refuses before deriving or sending.
func TestKDFDowngradeRefused(t *testing.T) {
	var sentLogin bool
	env := testserver.Start(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/sessions") && r.Method == http.MethodPost {
				sentLogin = true
			}
			if !strings.HasSuffix(r.URL.Path, "/prelogin") {
				h.ServeHTTP(w, r)
				return
			}
			rec := &recorder{header: http.Header{}}
			h.ServeHTTP(rec, r)
			var k map[string]any
			json.Unmarshal(rec.body.Bytes(), &k)
			k["memory"] = 8
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(k)
		})
	})
	signup(t, env.URL, "erin@example.com")
	sentLogin = false
	_, err := client.Login(ctx, env.URL, "erin@example.com", []byte("pw of erin@example.com"), client.Options{})
	if !errors.Is(err, client.ErrWeakKDF) {
		t.Fatalf("Login with m=8 KiB: %v, want ErrWeakKDF", err)
	}
	if sentLogin {
		t.Fatal("client sent a login proof after a downgraded pre-login")
	}
}

type recorder struct {
	header http.Header
	body   bytes.Buffer
	status int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }

var _ io.Writer = (*recorder)(nil)
