package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestTwoFactorLogin (issue 27): enrolment with a fresh password proof,
// confirmation with a wrong and a right code, log-in refused without a
// code, with a TOTP code once per time step, with a recovery code once,
// wrong codes under the failed-login limit, and disabling.
func TestTwoFactorLogin(t *testing.T) {
	cfg := testConfig()
	env := testserver.Start(t, &cfg, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	// The server's clock is fixed per step of the test: each TOTP code
	// is computed for the server's time, never a boundary race.
	// The test allows loginAttempts failures per loginWindow; fresh
	// starts a new window (at a step boundary) for the next part.
	t0 := time.Unix(1_800_000_000, 0) // a multiple of 30 s
	base := t0
	at := func(d time.Duration) time.Time { f.setClock(t, base.Add(d)); return base.Add(d) }
	fresh := func() { base = base.Add(loginWindow) }
	at(0)
	acct := f.rawAccount(t)
	tok := f.login(t, acct.Email, acct.AuthKey).Token
	login := func(code string) reply {
		return f.send(t, "POST", "/sessions", "", api.LoginRequest{Email: acct.Email, AuthKey: acct.AuthKey, SecondFactor: code})
	}
	var st api.TwoFactorStatus
	f.send(t, "GET", "/account/2fa", tok, nil).decodeOK(t, http.StatusOK, &st)
	if st.Enabled || st.Pending {
		t.Fatalf("status before = %+v", st)
	}

	wantError(t, f.send(t, "POST", "/account/2fa", tok, api.TwoFactorStartRequest{AuthKey: crypto.NewKey()}), http.StatusForbidden, api.CodeWrongPassword)
	var start api.TwoFactorStart
	f.send(t, "POST", "/account/2fa", tok, api.TwoFactorStartRequest{AuthKey: acct.AuthKey}).decodeOK(t, http.StatusOK, &start)
	if !strings.HasPrefix(start.URI, "otpauth://totp/Coffer:") || !strings.Contains(start.URI, "secret="+start.Secret) || len(start.QR) < 21 || len(start.QR[0]) != len(start.QR) {
		t.Fatalf("start = %+v", start)
	}
	code := func(at time.Time) string {
		c, err := totp.GenerateCode(start.Secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// Pending: log-in does not ask for a code yet.
	login("").decodeOK(t, http.StatusCreated, nil)
	wrong := "000000"
	if code(t0) == wrong {
		wrong = "111111"
	}
	wantError(t, f.send(t, "POST", "/account/2fa/confirm", tok, api.TwoFactorConfirmRequest{Code: wrong}), http.StatusForbidden, api.CodeWrongSecondFactor)
	var en api.TwoFactorEnabled
	f.send(t, "POST", "/account/2fa/confirm", tok, api.TwoFactorConfirmRequest{Code: code(t0)}).decodeOK(t, http.StatusOK, &en)
	if len(en.RecoveryCodes) != 10 {
		t.Fatalf("recovery codes = %v", en.RecoveryCodes)
	}
	f.send(t, "GET", "/account/2fa", tok, nil).decodeOK(t, http.StatusOK, &st)
	if !st.Enabled || st.RecoveryCodesLeft != 10 {
		t.Fatalf("status after = %+v", st)
	}
	wantError(t, f.send(t, "POST", "/account/2fa", tok, api.TwoFactorStartRequest{AuthKey: acct.AuthKey}), http.StatusConflict, api.CodeExists)

	wantError(t, login(""), http.StatusUnauthorized, api.CodeSecondFactorRequired)
	// The code that confirmed cannot log in (same step).
	wantError(t, login(code(t0)), http.StatusUnauthorized, api.CodeWrongSecondFactor)
	// The next step's code, then again: a replay.
	fresh()
	t1 := at(30 * time.Second)
	login(code(t1)).decodeOK(t, http.StatusCreated, nil)
	wantError(t, login(code(t1)), http.StatusUnauthorized, api.CodeWrongSecondFactor)
	fresh()
	// ±1 step: the code of the step after now is accepted (a fast clock).
	t2 := at(60 * time.Second)
	login(code(t2.Add(30*time.Second))).decodeOK(t, http.StatusCreated, nil)
	// ... and then no older one.
	wantError(t, login(code(t2)), http.StatusUnauthorized, api.CodeWrongSecondFactor)

	fresh()
	// A recovery code, typed in capitals with spaces: once.
	rc := strings.ToUpper(strings.ReplaceAll(en.RecoveryCodes[0], "-", " "))
	login(rc).decodeOK(t, http.StatusCreated, nil)
	wantError(t, login(en.RecoveryCodes[0]), http.StatusUnauthorized, api.CodeWrongSecondFactor)
	f.send(t, "GET", "/account/2fa", tok, nil).decodeOK(t, http.StatusOK, &st)
	if st.RecoveryCodesLeft != 9 {
		t.Fatalf("recovery codes left = %d", st.RecoveryCodesLeft)
	}

	// Wrong codes count as failed log-ins: after the limit even the right
	// code is refused until the window ends.
	fresh()
	t3 := at(0)
	for range loginAttempts {
		wantError(t, login("abcd-efgh-ijkl-mnop"), http.StatusUnauthorized, api.CodeWrongSecondFactor)
	}
	wantError(t, login(code(t3)), http.StatusTooManyRequests, api.CodeRateLimited)
	wantError(t, login(en.RecoveryCodes[1]), http.StatusTooManyRequests, api.CodeRateLimited)
	fresh()
	t4 := at(0)
	login(code(t4)).decodeOK(t, http.StatusCreated, nil)

	// Disabling needs the password and a code.
	fresh()
	at(0)
	wantError(t, f.send(t, "POST", "/account/2fa/disable", tok, api.TwoFactorDisableRequest{AuthKey: acct.AuthKey, Code: en.RecoveryCodes[0]}), http.StatusForbidden, api.CodeWrongSecondFactor)
	wantError(t, f.send(t, "POST", "/account/2fa/disable", tok, api.TwoFactorDisableRequest{AuthKey: crypto.NewKey(), Code: en.RecoveryCodes[1]}), http.StatusForbidden, api.CodeWrongPassword)
	f.send(t, "POST", "/account/2fa/disable", tok, api.TwoFactorDisableRequest{AuthKey: acct.AuthKey, Code: en.RecoveryCodes[1]}).decodeOK(t, http.StatusNoContent, nil)
	login("").decodeOK(t, http.StatusCreated, nil)
}
