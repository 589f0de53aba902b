package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/testserver"
	"github.com/coffer-pm/coffer/internal/webauthntest"
)

const waOrigin = "https://vault.example.com"

// TestWebAuthnLogin (issue 27, protocol §8.2): a security key registered
// behind a fresh password proof (the first one brings recovery codes),
// log-in asked for it with the account's methods and a challenge, and
// completed with its assertion; refused with a replayed assertion, a
// wrong signature, another origin, a counter that goes backwards (a
// cloned key), and a removed key; every check counted in the
// failed-login window; removing the last key turns the second step off.
func TestWebAuthnLogin(t *testing.T) {
	cfg := testConfig()
	cfg.PublicURL = waOrigin
	env := testserver.Start(t, &cfg, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	base := time.Unix(1_800_000_000, 0)
	f.setClock(t, base)
	fresh := func() { base = base.Add(loginWindow); f.setClock(t, base) }
	acct := f.rawAccount(t)
	tok := f.login(t, acct.Email, acct.AuthKey).Token
	post := func(path, token string, body any, origin string) reply {
		return f.send(t, "POST", path, token, body, "Origin", origin)
	}

	wantError(t, post("/account/2fa/webauthn", tok, api.SecurityKeyBeginRequest{AuthKey: crypto.NewKey()}, waOrigin), http.StatusForbidden, api.CodeWrongPassword)
	wantError(t, post("/account/2fa/webauthn", tok, api.SecurityKeyBeginRequest{AuthKey: acct.AuthKey}, "https://evil.example"), http.StatusBadRequest, api.CodeBadRequest)
	register := func(name string) (*webauthntest.Key, api.SecurityKeyAdded) {
		t.Helper()
		var begin api.SecurityKeyBegin
		post("/account/2fa/webauthn", tok, api.SecurityKeyBeginRequest{AuthKey: acct.AuthKey}, waOrigin).decodeOK(t, http.StatusOK, &begin)
		key, cred, err := webauthntest.Create(begin.Options, waOrigin)
		if err != nil {
			t.Fatal(err)
		}
		var added api.SecurityKeyAdded
		post("/account/2fa/webauthn/finish", tok, api.SecurityKeyFinishRequest{Name: name, Credential: cred}, waOrigin).decodeOK(t, http.StatusOK, &added)
		// The registration's challenge is used once.
		wantError(t, post("/account/2fa/webauthn/finish", tok, api.SecurityKeyFinishRequest{Name: name, Credential: cred}, waOrigin), http.StatusConflict, api.CodeConflict)
		return key, added
	}
	key, added := register("YubiKey 5")
	if added.Key.Name != "YubiKey 5" || len(added.RecoveryCodes) != 10 || !added.Key.LastUsedAt.IsZero() {
		t.Fatalf("added = %+v", added)
	}
	var st api.TwoFactorStatus
	f.send(t, "GET", "/account/2fa", tok, nil).decodeOK(t, http.StatusOK, &st)
	if st.Enabled || len(st.SecurityKeys) != 1 || st.RecoveryCodesLeft != 10 {
		t.Fatalf("status = %+v", st)
	}

	login := func(code string, assertion []byte, origin string) reply {
		return post("/sessions", "", api.LoginRequest{Email: acct.Email, AuthKey: acct.AuthKey, SecondFactor: code, WebAuthn: assertion}, origin)
	}
	challenge := func(origin string) api.SecondFactorChallenge {
		t.Helper()
		e := wantError(t, login("", nil, origin), http.StatusUnauthorized, api.CodeSecondFactorRequired)
		if e.SecondFactor == nil || !slices.Equal(e.SecondFactor.Methods, []string{api.MethodRecoveryCode, api.MethodWebAuthn}) {
			t.Fatalf("second factor = %+v", e.SecondFactor)
		}
		return *e.SecondFactor
	}
	assert := func(ch api.SecondFactorChallenge) []byte {
		t.Helper()
		a, err := key.Get(ch.WebAuthn)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// A client without a browser origin (the CLI) is told the methods
	// but gets no challenge.
	if ch := challenge(""); len(ch.WebAuthn) != 0 {
		t.Fatalf("a challenge without an origin: %s", ch.WebAuthn)
	}
	a := assert(challenge(waOrigin))
	login("", a, waOrigin).decodeOK(t, http.StatusCreated, nil)
	wantError(t, login("", a, waOrigin), http.StatusUnauthorized, api.CodeWrongSecondFactor) // a replay
	f.send(t, "GET", "/account/2fa/webauthn", tok, nil).decodeOK(t, http.StatusOK, &st.SecurityKeys)
	if len(st.SecurityKeys) != 1 || !st.SecurityKeys[0].LastUsedAt.Equal(base) {
		t.Fatalf("keys after use = %+v", st.SecurityKeys)
	}

	fresh()
	// Another origin: the assertion names it in its client data.
	ch := challenge(waOrigin)
	key.Origin = "https://evil.example"
	wantError(t, login("", assert(ch), "https://evil.example"), http.StatusUnauthorized, api.CodeWrongSecondFactor)
	key.Origin = waOrigin
	// A signature of another key for the right challenge.
	var begin api.SecurityKeyBegin
	post("/account/2fa/webauthn", tok, api.SecurityKeyBeginRequest{AuthKey: acct.AuthKey}, waOrigin).decodeOK(t, http.StatusOK, &begin)
	stranger, _, _ := webauthntest.Create(begin.Options, waOrigin)
	stranger.ID = key.ID
	if a, err := stranger.Sign(webauthntest.Challenge(challenge(waOrigin).WebAuthn), 100); err != nil {
		t.Fatal(err)
	} else {
		wantError(t, login("", a, waOrigin), http.StatusUnauthorized, api.CodeWrongSecondFactor)
	}

	fresh()
	// A counter that goes backwards (the server holds 1, from the one
	// log-in): a cloned key.
	if a, err := key.Sign(webauthntest.Challenge(challenge(waOrigin).WebAuthn), 1); err != nil {
		t.Fatal(err)
	} else {
		wantError(t, login("", a, waOrigin), http.StatusUnauthorized, api.CodeSecurityKeyCloned)
	}
	// The limit: wrong assertions count, and then even a right one waits
	// (as does the password step).
	ch = challenge(waOrigin)
	for range loginAttempts - 1 {
		wantError(t, login("", []byte(`{"id":"x"}`), waOrigin), http.StatusUnauthorized, api.CodeWrongSecondFactor)
	}
	wantError(t, login("", assert(ch), waOrigin), http.StatusTooManyRequests, api.CodeRateLimited)
	wantError(t, login("", nil, waOrigin), http.StatusTooManyRequests, api.CodeRateLimited)

	fresh()
	// One assertion, 8 log-ins at once: exactly one session.
	a = assert(challenge(waOrigin))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var statuses []int
	body, _ := json.Marshal(api.LoginRequest{Email: acct.Email, AuthKey: acct.AuthKey, WebAuthn: a})
	for range 8 {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", env.URL+api.Prefix+"/sessions", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", waOrigin)
			res, err := f.hc.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				statuses = append(statuses, 0)
				return
			}
			res.Body.Close()
			statuses = append(statuses, res.StatusCode)
		})
	}
	wg.Wait()
	slices.Sort(statuses)
	if statuses[0] != http.StatusCreated || statuses[1] == http.StatusCreated {
		t.Fatalf("8 log-ins with one assertion: %v", statuses)
	}

	fresh()
	// A second key brings no new recovery codes; a recovery code works.
	key2, added2 := register("Backup key")
	if len(added2.RecoveryCodes) != 0 {
		t.Fatalf("second key: %+v", added2)
	}
	login(added.RecoveryCodes[0], nil, "").decodeOK(t, http.StatusCreated, nil)
	wantError(t, login("123456", nil, ""), http.StatusUnauthorized, api.CodeWrongSecondFactor) // no TOTP on this account

	fresh()
	// Removal needs the master password; a removed key no longer logs in.
	wantError(t, post("/account/2fa/webauthn/"+added.Key.ID+"/remove", tok, api.SecurityKeyRemoveRequest{AuthKey: crypto.NewKey()}, ""), http.StatusForbidden, api.CodeWrongPassword)
	ch = challenge(waOrigin)
	post("/account/2fa/webauthn/"+added.Key.ID+"/remove", tok, api.SecurityKeyRemoveRequest{AuthKey: acct.AuthKey}, "").decodeOK(t, http.StatusNoContent, nil)
	wantError(t, post("/account/2fa/webauthn/"+added.Key.ID+"/remove", tok, api.SecurityKeyRemoveRequest{AuthKey: acct.AuthKey}, ""), http.StatusNotFound, api.CodeNotFound)
	wantError(t, login("", assert(ch), waOrigin), http.StatusUnauthorized, api.CodeWrongSecondFactor)
	if _, err := key.Get(challenge(waOrigin).WebAuthn); err == nil {
		t.Fatal("the log-in's options still allow the removed key")
	}
	a, err := key2.Get(challenge(waOrigin).WebAuthn)
	if err != nil {
		t.Fatal(err)
	}
	login("", a, waOrigin).decodeOK(t, http.StatusCreated, nil)
	// The last key gone: no second step, no recovery codes.
	post("/account/2fa/webauthn/"+added2.Key.ID+"/remove", tok, api.SecurityKeyRemoveRequest{AuthKey: acct.AuthKey}, "").decodeOK(t, http.StatusNoContent, nil)
	login("", nil, "").decodeOK(t, http.StatusCreated, nil)
	f.send(t, "GET", "/account/2fa", tok, nil).decodeOK(t, http.StatusOK, &st)
	if len(st.SecurityKeys) != 0 || st.RecoveryCodesLeft != 0 {
		t.Fatalf("status after = %+v", st)
	}
}
