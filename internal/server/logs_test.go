package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestLogsHoldNoSecrets (issue 28): a whole scenario through the client
// core — sign-ups, a wrong then a right log-in, two-factor enrolment and
// a log-in with a recovery code, items created and read, an invitation,
// a password change — against a server logging JSON. Every line is
// JSON; every request line has the request fields (and the failed log-in
// says 401 with the client address); no line holds a password, the TOTP
// secret or a code, a session token, an item's contents, the invitation
// code or an e-mail address.
func TestLogsHoldNoSecrets(t *testing.T) {
	sink := newLogSink()
	cfg := testConfig()
	// Every request's line is written before its handler returns here.
	var inFlight sync.WaitGroup
	counted := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inFlight.Add(1)
			defer inFlight.Done()
			h.ServeHTTP(w, r)
		})
	}
	env := testserver.StartLog(t, &cfg, counted, sink.logger())

	aliceEmail, bobEmail := "alice.logs@example.com", "bob.logs@example.org"
	alicePW, bobPW, newPW := []byte("correct horse alice 4711"), []byte("bob's battery staple 0815"), []byte("a brand new passphrase 2342")
	wrongPW := []byte("wrong guess tr0ub4dor")
	secrets := []string{string(alicePW), string(bobPW), string(newPW), string(wrongPW), aliceEmail, bobEmail}
	tokens := func(ss ...*client.Session) {
		for _, s := range ss {
			secrets = append(secrets, s.Token(), strings.TrimPrefix(s.Token(), "cs1_"))
		}
	}

	alice, err := client.Signup(bg, env.URL, aliceEmail, "Alice Logs", alicePW, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := client.Signup(bg, env.URL, bobEmail, "Bob Logs", bobPW, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tokens(alice, bob)
	if _, err := client.Login(bg, env.URL, aliceEmail, wrongPW, client.Options{}); err == nil {
		t.Fatal("log-in with a wrong password worked")
	}
	if alice, err = client.Login(bg, env.URL, aliceEmail, alicePW, client.Options{}); err != nil {
		t.Fatal(err)
	}
	tokens(alice)

	// Two-factor: enrol with a TOTP code, log in with a recovery code.
	start, err := alice.StartTwoFactor(bg, alicePW)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(start.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	recovery, err := alice.ConfirmTwoFactor(bg, code)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, start.Secret, start.URI, `"`+code+`"`)
	secrets = append(secrets, recovery...)
	alice2, err := client.Login(bg, env.URL, aliceEmail, alicePW, client.Options{
		SecondFactor: func(context.Context, api.SecondFactorChallenge) (client.SecondFactorAnswer, error) {
			return client.SecondFactorAnswer{Code: recovery[0]}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tokens(alice2)

	// Items, written and read back.
	if err := alice2.Sync(bg); err != nil {
		t.Fatal(err)
	}
	v, err := alice2.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	content := client.Content{Name: "Swiss bank vault 9931", Notes: "the combination is 31-41-59"}
	secrets = append(secrets, content.Name, content.Notes)
	if _, err := alice2.CreateItem(bg, v.ID, "note", content); err != nil {
		t.Fatal(err)
	}
	if err := alice2.Sync(bg); err != nil {
		t.Fatal(err)
	}
	if items, err := alice2.Items(false); err != nil || len(items) != 1 || items[0].Content.Notes != content.Notes {
		t.Fatalf("Items = %v, %v", items, err)
	}

	// An invitation.
	org, err := alice2.CreateOrg(bg, "Logs Org")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := alice2.Invite(bg, org.ID, []string{bobEmail})
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, inv.Code)

	// A password change.
	if _, err := alice2.ChangePassword(bg, alicePW, newPW, client.PasswordOptions{}); err != nil {
		t.Fatal(err)
	}
	alice3, err := client.Login(bg, env.URL, aliceEmail, newPW, client.Options{
		SecondFactor: func(context.Context, api.SecondFactorChallenge) (client.SecondFactorAnswer, error) {
			return client.SecondFactorAnswer{Code: recovery[1]}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tokens(alice3)
	inFlight.Wait()

	lines := sink.all()
	requests, failed := 0, 0
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Errorf("log line is not JSON: %v: %s", err, l)
			continue
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(string(l), s) {
				t.Errorf("log line holds the secret %q: %s", s, l)
			}
		}
		if m["msg"] != "request" {
			if m["request_id"] == nil && (m["msg"] == "login" || m["msg"] == "failed password check") {
				t.Errorf("a request's line without its request id: %s", l)
			}
			continue
		}
		requests++
		for _, k := range []string{"request_id", "method", "route", "status", "duration_ms", "bytes", "client"} {
			if _, ok := m[k]; !ok {
				t.Errorf("request line without %s: %s", k, l)
			}
		}
		if r, _ := m["route"].(string); strings.Contains(r, "-") || strings.Contains(r, "?") {
			t.Errorf("request line with a raw path: %s", l)
		}
		if m["route"] == "POST /api/v1/sessions" && m["status"] == float64(http.StatusUnauthorized) {
			failed++
			if m["client"] != "127.0.0.1" {
				t.Errorf("failed log-in line without the client address: %s", l)
			}
		}
		if st, _ := m["status"].(float64); st < 300 && strings.HasPrefix(m["route"].(string), "GET /api/v1/sync") && m["user"] == nil {
			t.Errorf("authenticated request line without the account: %s", l)
		}
	}
	if requests < 20 || failed < 1 {
		t.Errorf("%d request lines, %d failed log-ins", requests, failed)
	}
}
