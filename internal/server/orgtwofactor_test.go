package server_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// enableTwoFactor turns s's two-factor log-in on at the server's time at
// and returns the TOTP secret.
func enableTwoFactor(t *testing.T, s *client.Session, at time.Time) string {
	t.Helper()
	st, err := s.StartTwoFactor(bg, pw(s.Profile.Email))
	if err != nil {
		t.Fatal(err)
	}
	c, err := totp.GenerateCode(st.Secret, at)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmTwoFactor(bg, c); err != nil {
		t.Fatal(err)
	}
	return st.Secret
}

func twoFactorOf(t *testing.T, owner *client.Session, org, email string) *bool {
	t.Helper()
	views, err := owner.MembersAndInvitations(bg, org)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		if v.Email == email && v.State != "cancelled" {
			return v.TwoFactor
		}
	}
	t.Fatalf("%s not listed", email)
	return nil
}

// TestOrgTwoFactorRequirement (issue 27, protocol §8.3): only the owner
// sets the requirement, and only with their own two-factor log-in on;
// only the owner learns who has it; while it holds, a joined invitee
// without it is not confirmed (the server refuses a client that did not
// know yet), and a member cannot turn theirs off; turned off, both work.
func TestOrgTwoFactorRequirement(t *testing.T) {
	cfg := testConfig()
	env := testserver.Start(t, &cfg, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	t0 := time.Unix(1_800_000_000, 0)
	f.setClock(t, t0)
	owner := signupClient(t, env.URL, "owner@req.example")
	member := signupClient(t, env.URL, "member@req.example")
	joiner := signupClient(t, env.URL, "joiner@req.example")
	o := liveOrg(t, owner, "Req", member)
	// A second device of the owner's, which will not have synced.
	stale, err := client.Login(bg, env.URL, owner.Profile.Email, pw(owner.Profile.Email), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := stale.Sync(bg); err != nil {
		t.Fatal(err)
	}
	res, err := owner.Invite(bg, o.ID, []string{"joiner@req.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := joiner.Join(bg, o.ID, res.Code); err != nil {
		t.Fatal(err)
	}
	path := "/orgs/" + o.ID + "/two-factor-policy"

	// A member may not set it: the client does not ask, the server refuses.
	if err := member.SetTwoFactorPolicy(bg, o.ID, true); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("a member sets the requirement: %v", err)
	}
	wantError(t, f.send(t, "PUT", path, member.Token(), api.TwoFactorPolicy{Require: true}), http.StatusForbidden, api.CodeForbidden)
	wantError(t, f.send(t, "PUT", path, joiner.Token(), api.TwoFactorPolicy{Require: true}), http.StatusNotFound, api.CodeNotFound)
	// The owner needs their own first.
	if err := owner.SetTwoFactorPolicy(bg, o.ID, true); !errors.Is(err, client.ErrOwnTwoFactorFirst) {
		t.Fatalf("on without the owner's 2FA: %v", err)
	}
	ownerSecret := enableTwoFactor(t, owner, t0)
	if err := owner.SetTwoFactorPolicy(bg, o.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := owner.FindOrg(o.ID); !got.RequireTwoFactor {
		t.Fatal("the owner's client does not know the requirement is on")
	}
	if err := member.Sync(bg); err != nil {
		t.Fatal(err)
	}
	if got, _ := member.FindOrg(o.ID); !got.RequireTwoFactor {
		t.Fatal("a member's client does not know the requirement is on")
	}

	// Who has it: to the owner only.
	for email, want := range map[string]bool{"owner@req.example": true, "member@req.example": false, "joiner@req.example": false} {
		if got := twoFactorOf(t, owner, o.ID, email); got == nil || *got != want {
			t.Fatalf("the owner's view of %s: %v, want %v", email, got, want)
		}
	}
	if r := f.send(t, "GET", "/orgs/"+o.ID+"/members", member.Token(), nil); r.status != http.StatusOK || strings.Contains(string(r.body), "two_factor") {
		t.Fatalf("a member's members list: %d %s", r.status, r.body)
	}

	// Not confirmed without it: the owner's device that never synced the
	// requirement asks, and the server refuses.
	if got, _ := stale.FindOrg(o.ID); got.RequireTwoFactor {
		t.Fatal("the stale device synced")
	}
	err = stale.Confirm(bg, o.ID, []string{"joiner@req.example"})
	if !errors.Is(err, client.ErrInviteeNeedsTwoFactor) {
		t.Fatalf("confirm without 2FA: %v", err)
	}
	if !strings.Contains(err.Error(), "Account → Security") {
		t.Fatalf("the refusal does not say what to do: %v", err)
	}
	if err := owner.Confirm(bg, o.ID, []string{"joiner@req.example"}); !errors.Is(err, client.ErrInviteeNeedsTwoFactor) {
		t.Fatalf("confirm without 2FA: %v", err)
	}
	joinerSecret := enableTwoFactor(t, joiner, t0)
	if err := owner.Confirm(bg, o.ID, []string{"joiner@req.example"}); err != nil {
		t.Fatalf("confirm with 2FA: %v", err)
	}

	// A member held by it cannot turn theirs off (the code is not used up).
	t1 := t0.Add(30 * time.Second)
	f.setClock(t, t1)
	code, _ := totp.GenerateCode(joinerSecret, t1)
	if err := joiner.DisableTwoFactor(bg, pw(joiner.Profile.Email), code); !errors.Is(err, client.ErrTwoFactorHeld) {
		t.Fatalf("disable while held: %v", err)
	}
	ownerCode, _ := totp.GenerateCode(ownerSecret, t1)
	if err := owner.DisableTwoFactor(bg, pw(owner.Profile.Email), ownerCode); !errors.Is(err, client.ErrTwoFactorHeld) {
		t.Fatalf("the owner's disable while held: %v", err)
	}
	if err := owner.SetTwoFactorPolicy(bg, o.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := joiner.DisableTwoFactor(bg, pw(joiner.Profile.Email), code); err != nil {
		t.Fatalf("disable once not required (the same code, unused): %v", err)
	}
	// The audit log has both changes, signed by the owner.
	entries, err := owner.AuditLog(bg, o.ID, client.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == api.AuditTwoFactorPolicy {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("audit entries of the requirement: %d, want 2", n)
	}
}

// TestTransferRequiresTwoFactor (issue 27, protocol §8.3, §18.5): the
// ownership of an organisation that requires two-factor log-in is not
// accepted by a member without it (confirmed before the requirement) —
// 409 two_factor_required, saying what to do, and nothing changes; the
// offer stays open, and once their two-factor log-in is on they accept
// and are then held by it like any owner.
func TestTransferRequiresTwoFactor(t *testing.T) {
	cfg := testConfig()
	env := testserver.Start(t, &cfg, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	t0 := time.Unix(1_800_000_000, 0)
	f.setClock(t, t0)
	owner := signupClient(t, env.URL, "owner@xfer2fa.example")
	laura := signupClient(t, env.URL, "laura@xfer2fa.example")
	o := liveOrg(t, owner, "Xfer", laura)
	enableTwoFactor(t, owner, t0)
	if err := owner.SetTwoFactorPolicy(bg, o.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.OfferOwnership(bg, o.ID, "laura@xfer2fa.example"); err != nil {
		t.Fatal(err)
	}
	if err := laura.Sync(bg); err != nil {
		t.Fatal(err)
	}

	_, err := laura.AcceptOwnership(bg, o.ID)
	if !errors.Is(err, client.ErrNewOwnerNeedsTwoFactor) || !strings.Contains(err.Error(), "Account → Security") {
		t.Fatalf("accepting without 2FA: %v", err)
	}
	// The server's own answer, to a request naming the open offer.
	var offer api.TransferOffer
	if r := f.send(t, "GET", "/orgs/"+o.ID+"/transfer", laura.Token(), nil); r.status != http.StatusOK {
		t.Fatalf("the offer: %d %s", r.status, r.body)
	} else if err := json.Unmarshal(r.body, &offer); err != nil {
		t.Fatal(err)
	}
	e := wantError(t, f.send(t, "POST", "/orgs/"+o.ID+"/transfer/accept", laura.Token(), api.AcceptTransferRequest{OfferSig: offer.Offer.Sig}),
		http.StatusConflict, api.CodeTwoFactorRequired)
	if !strings.Contains(e.Error, "turn on two-factor log-in for your own account first") {
		t.Fatalf("the refusal does not say what to do: %q", e.Error)
	}
	if err := owner.Sync(bg); err != nil {
		t.Fatal(err)
	}
	if got, _ := owner.FindOrg(o.ID); got.OwnerID != owner.Profile.UserID {
		t.Fatalf("a refused acceptance moved the ownership to %s", got.OwnerID)
	}

	secret := enableTwoFactor(t, laura, t0)
	if _, err := laura.AcceptOwnership(bg, o.ID); err != nil {
		t.Fatalf("accepting with 2FA: %v", err)
	}
	if got, _ := laura.FindOrg(o.ID); got.OwnerID != laura.Profile.UserID || !got.RequireTwoFactor {
		t.Fatalf("after the transfer: %+v", got)
	}
	t1 := t0.Add(30 * time.Second)
	f.setClock(t, t1)
	code, _ := totp.GenerateCode(secret, t1)
	if err := laura.DisableTwoFactor(bg, pw(laura.Profile.Email), code); !errors.Is(err, client.ErrTwoFactorHeld) {
		t.Fatalf("the new owner's disable while held: %v", err)
	}
}
