package bridge_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/bridge"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
	"github.com/coffer-pm/coffer/internal/webauthntest"
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
	var asked bridge.Unlocked
	other.call(&asked, "login", email, pw, "")
	if asked.State != "second-factor" || asked.SecondFactor == nil || !slices.Equal(asked.SecondFactor.Methods, []string{api.MethodTOTP, api.MethodRecoveryCode}) {
		t.Fatalf("login without a code: %+v", asked)
	}
	t1 := t0.Add(30 * time.Second)
	env.Server.SetClock(func() time.Time { return t1 })
	other.fails("wrong-second-factor", "login", email, pw, code(t0))
	other.call(nil, "login", email, pw, code(t1))
	me.call(nil, "twoFactorDisable", pw, en.RecoveryCodes[0])
	newPage(t, env.URL).call(nil, "login", email, pw, "")
}

// originTransport sets Origin on every request, as a browser does on the
// web app's POSTs (the server takes the WebAuthn origin from it).
type originTransport struct{ origin string }

func (o originTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Origin", o.origin)
	return http.DefaultTransport.RoundTrip(r)
}

func browserPage(t *testing.T, url, origin string) *page {
	h := newHost()
	return &page{t: t, core: bridge.New(url, h, client.Options{Description: "bridge test", HTTPClient: &http.Client{Transport: originTransport{origin}}}), host: h}
}

// TestBridgeSecurityKey (issue 27, protocol §8.2) as the web app uses it:
// the options pass through the core as they are, the browser's answers
// come back as they are. Register a key (the first second factor brings
// recovery codes), log in elsewhere asked for it, with its assertion, a
// replay refused; a page without a browser origin is told the methods but
// gets no challenge; remove the key.
func TestBridgeSecurityKey(t *testing.T) {
	cfg := server.DefaultConfig()
	env := testserver.Start(t, &cfg, nil)
	const email = "key@bridge.example"
	const origin = "http://localhost:8443"
	me := browserPage(t, env.URL, origin)
	me.call(nil, "signup", email, "Key Owner", pw)
	me.fails("wrong-password", "securityKeyBegin", "not the password")
	var begin api.SecurityKeyBegin
	me.call(&begin, "securityKeyBegin", pw)
	key, cred, err := webauthntest.Create(begin.Options, origin)
	if err != nil {
		t.Fatal(err)
	}
	var added api.SecurityKeyAdded
	me.call(&added, "securityKeyFinish", "My key", string(cred))
	if added.Key.Name != "My key" || len(added.RecoveryCodes) != 10 {
		t.Fatalf("added: %+v", added)
	}
	var st api.TwoFactorStatus
	me.call(&st, "twoFactorStatus")
	if st.Enabled || len(st.SecurityKeys) != 1 || st.RecoveryCodesLeft != 10 {
		t.Fatalf("status: %+v", st)
	}

	other := browserPage(t, env.URL, origin)
	var asked bridge.Unlocked
	other.call(&asked, "login", email, pw, "")
	if asked.State != "second-factor" || asked.SecondFactor == nil || !slices.Equal(asked.SecondFactor.Methods, []string{api.MethodRecoveryCode, api.MethodWebAuthn}) {
		t.Fatalf("login without a second factor: %+v", asked)
	}
	opts, _ := json.Marshal(asked.SecondFactor.WebAuthn)
	assertion, err := key.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	var in bridge.Unlocked
	other.call(&in, "loginSecurityKey", email, pw, string(assertion))
	if in.State != "" || in.Fingerprint == "" {
		t.Fatalf("logged in with the key: %+v", in)
	}
	browserPage(t, env.URL, origin).fails("wrong-second-factor", "loginSecurityKey", email, pw, string(assertion))

	// The CLI's way (no Origin): told the methods, no challenge.
	var cli bridge.Unlocked
	newPage(t, env.URL).call(&cli, "login", email, pw, "")
	if cli.State != "second-factor" || cli.SecondFactor == nil || cli.SecondFactor.WebAuthn != nil {
		t.Fatalf("login without an origin: %+v", cli)
	}
	me.fails("wrong-password", "securityKeyRemove", "not the password", added.Key.ID)
	me.call(nil, "securityKeyRemove", pw, added.Key.ID)
	browserPage(t, env.URL, origin).call(&in, "login", email, pw, "")
	if in.State != "" {
		t.Fatalf("log-in after the last key went: %+v", in)
	}
}
