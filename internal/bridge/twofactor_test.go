package bridge_test

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestBridgeTwoFactor (issue 27) as the web app uses it: enrol with the
// QR modules, confirm, a log-in in another browser asked for the code,
// then with it; disable.
func TestBridgeTwoFactor(t *testing.T) {
	cfg := server.DefaultConfig()
	env := testserver.Start(t, &cfg, nil)
	// The server's clock is fixed per step: codes never straddle a step.
	t0 := time.Unix(1_800_000_000, 0)
	env.Server.SetClock(func() time.Time { return t0 })
	t.Cleanup(func() { env.Server.SetClock(time.Now) })
	const email = "tf@bridge.example"
	me := signedUp(t, env.URL, email)
	me.fails("wrong-password", "twoFactorStart", "not the password")
	var st api.TwoFactorStart
	me.call(&st, "twoFactorStart", pw)
	if len(st.QR) < 21 || len(st.QR[0]) != len(st.QR) || st.Secret == "" {
		t.Fatalf("start: %+v", st)
	}
	code := func(at time.Time) string {
		c, err := totp.GenerateCode(st.Secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	var en api.TwoFactorEnabled
	me.call(&en, "twoFactorConfirm", code(t0))
	if len(en.RecoveryCodes) != 10 {
		t.Fatalf("confirm: %+v", en)
	}
	var status api.TwoFactorStatus
	me.call(&status, "twoFactorStatus")
	if !status.Enabled || status.RecoveryCodesLeft != 10 {
		t.Fatalf("status: %+v", status)
	}

	other := newPage(t, env.URL)
	other.fails("second-factor-required", "login", email, pw, "")
	t1 := t0.Add(30 * time.Second)
	env.Server.SetClock(func() time.Time { return t1 })
	other.fails("wrong-second-factor", "login", email, pw, code(t0))
	other.call(nil, "login", email, pw, code(t1))
	me.call(nil, "twoFactorDisable", pw, en.RecoveryCodes[0])
	newPage(t, env.URL).call(nil, "login", email, pw, "")
}
