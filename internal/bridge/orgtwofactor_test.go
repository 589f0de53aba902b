package bridge_test

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestBridgeOrgTwoFactor (issue 27, protocol §8.3) as the web app uses
// it: the owner's page turns the requirement on (after their own
// two-factor log-in), sees who lacks it and cannot confirm that invitee,
// with the reason; a member's page sees the requirement, no switch, no
// one's two-factor state, and is refused when it tries.
func TestBridgeOrgTwoFactor(t *testing.T) {
	cfg := server.DefaultConfig()
	env := testserver.Start(t, &cfg, nil)
	t0 := time.Unix(1_800_000_000, 0)
	env.Server.SetClock(func() time.Time { return t0 })
	t.Cleanup(func() { env.Server.SetClock(time.Now) })
	owner := signedUp(t, env.URL, "ann@req.example")
	mia := signedUp(t, env.URL, "mia@req.example")
	joe := signedUp(t, env.URL, "joe@req.example")
	var created struct{ ID string }
	owner.call(&created, "createOrg", "Acme")
	var inv struct{ Code string }
	owner.call(&inv, "invite", "Acme", `["mia@req.example","joe@req.example"]`)
	mia.call(nil, "join", created.ID, inv.Code)
	owner.call(nil, "confirm", "Acme", `["mia@req.example"]`)
	joe.call(nil, "join", created.ID, inv.Code)
	mia.call(nil, "sync")

	mia.fails("forbidden", "setTwoFactorPolicy", "Acme", "on")
	owner.fails("two-factor-required", "setTwoFactorPolicy", "Acme", "on")
	var st api.TwoFactorStart
	owner.call(&st, "twoFactorStart", pw)
	code, _ := totp.GenerateCode(st.Secret, t0)
	owner.call(nil, "twoFactorConfirm", code)
	owner.call(nil, "setTwoFactorPolicy", "Acme", "on")

	var d view.OrgDetail
	owner.call(&d, "org", "Acme")
	if !d.Org.RequireTwoFactor || !d.Org.CanSetTwoFactorPolicy || d.Org.TwoFactorNote == "" {
		t.Fatalf("the owner's org: %+v", d.Org)
	}
	for _, m := range d.Members {
		switch m.Email {
		case "ann@req.example":
			if m.TwoFactor == nil || !*m.TwoFactor || m.TwoFactorLabel != view.TwoFactorOnLabel {
				t.Fatalf("owner: %+v", m)
			}
		case "mia@req.example":
			if m.TwoFactor == nil || *m.TwoFactor || m.TwoFactorLabel != view.TwoFactorOffLabel || !m.CanRemove {
				t.Fatalf("member without 2FA: %+v", m)
			}
		case "joe@req.example":
			if m.State != "joined" || m.CanConfirm || m.ConfirmRefusal != view.ConfirmNeedsTwoFactor || m.TwoFactorLabel != view.TwoFactorOffLabel {
				t.Fatalf("joined invitee without 2FA: %+v", m)
			}
		}
	}
	owner.fails("two-factor-required", "confirm", "Acme", `["joe@req.example"]`)

	mia.call(nil, "sync")
	var md view.OrgDetail
	mia.call(&md, "org", "Acme")
	if !md.Org.RequireTwoFactor || md.Org.CanSetTwoFactorPolicy || md.Org.TwoFactorNote != "" {
		t.Fatalf("a member's org: %+v", md.Org)
	}
	for _, m := range md.Members {
		if m.TwoFactor != nil || m.TwoFactorLabel != "" {
			t.Fatalf("a member sees two-factor state: %+v", m)
		}
	}
	owner.call(nil, "setTwoFactorPolicy", "Acme", "off")
	owner.call(nil, "confirm", "Acme", `["joe@req.example"]`)
}
