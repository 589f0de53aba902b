package client_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/internal/api"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestChangePasswordGuards: a wrong current password is refused and
// counts toward the account's failed-attempt limit (so a stolen session
// token is no oracle for guessing the password); a change over a
// password another session changed first is refused; a new wrap the
// server serves that opens to another key is tampering.
func TestChangePasswordGuards(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.LoginAttempts = 3
	env := testserver.Start(t, &cfg, nil)
	s := signup(t, env.URL, "guard@example.com")
	pw := []byte("pw of guard@example.com")
	// The client checks the current password itself before sending.
	if _, err := s.ChangePassword(ctx, []byte("wrong guess here"), []byte("new password 123"), client.PasswordOptions{}); !errors.Is(err, client.ErrWrongPassword) {
		t.Fatalf("wrong current password: %v", err)
	}
	// A raw caller with the token guesses: each wrong guess is a 403
	// and counts, and then even the right password waits.
	put := func(current []byte) int {
		body, _ := json.Marshal(api.PasswordChange{CurrentAuthKey: current, KDF: api.KDF{Algorithm: "argon2id", Time: 3, Memory: 65536, Threads: 4, Salt: make([]byte, 16)},
			AuthKey: make([]byte, 32), WrappedAccountKey: make([]byte, 73)})
		req, _ := http.NewRequest(http.MethodPut, env.URL+"/api/v1/account/password", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 3 {
		if got := put(make([]byte, 32)); got != http.StatusForbidden {
			t.Fatalf("a wrong guess: HTTP %d, want 403", got)
		}
	}
	if _, err := s.ChangePassword(ctx, pw, []byte("new password 123"), client.PasswordOptions{}); err == nil || !strings.Contains(err.Error(), "429") && !strings.Contains(err.Error(), "too many") {
		t.Fatalf("after the limit, even the right password: %v, want 429", err)
	}
	if _, err := s.Profile.Unlock(pw, client.Options{}); err != nil {
		t.Fatalf("the profile after refused changes: %v", err)
	}

	env2 := testserver.Start(t, nil, nil)
	a := signup(t, env2.URL, "race@example.com")
	pw = []byte("pw of race@example.com")
	b, err := client.Login(ctx, env2.URL, "race@example.com", pw, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ChangePassword(ctx, pw, []byte("first new password"), client.PasswordOptions{}); err != nil {
		t.Fatal(err)
	}
	// b still believes in the old password: the server's current wrap
	// does not open with it.
	if _, err := b.ChangePassword(ctx, pw, []byte("second new password"), client.PasswordOptions{}); !errors.Is(err, client.ErrWrongPassword) {
		t.Fatalf("a change with the replaced password: %v", err)
	}
	if _, err := b.ChangePassword(ctx, []byte("first new password"), []byte("second new password"), client.PasswordOptions{}); err != nil {
		t.Fatalf("a change from the current password on another session: %v", err)
	}
	if _, err := client.Login(ctx, env2.URL, "race@example.com", []byte("second new password"), client.Options{}); err != nil {
		t.Fatal(err)
	}
}
