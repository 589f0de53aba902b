package server_test

// Issue 13, findings 5-7: invitation mail is no phishing relay, invitations
// cannot be squatted, sign-up is no enumeration oracle. Each test runs a
// real server.Server over SQLite on loopback that mails through a real SMTP
// server on loopback.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/testserver"
	"github.com/coffer-pm/coffer/internal/webui"
)

// TestIssue13F5MailNeedsPublicURL: a server that sends mail must have its
// public URL configured; links are never built from a request.
func TestIssue13F5MailNeedsPublicURL(t *testing.T) {
	m := startSMTP(t)
	env := testserver.Start(t, nil, nil)
	for _, bad := range []string{"", "vault.example.test", "ftp://vault.example.test", "https://vault.example.test/?x=1"} {
		cfg := m.config(t)
		cfg.PublicURL = bad
		if _, err := server.New(bg, cfg, env.Store, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), "--public-url") {
			t.Errorf("PublicURL %q: server.New = %v, want a refusal naming --public-url", bad, err)
		}
	}
}

// TestIssue13F5InvitationMailIsNoPhishingRelay: the Join link comes only
// from the configured public URL even when the request names another one;
// the mail names the inviter by verified address, not by the self-chosen
// name, and says the code never comes by mail.
func TestIssue13F5InvitationMailIsNoPhishingRelay(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	// The request carries an attacker's join_url, as a hostile client would.
	inject := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/invitations") {
				var body map[string]any
				json.NewDecoder(r.Body).Decode(&body)
				body["join_url"] = "https://evil.example"
				b, _ := json.Marshal(body)
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
			}
			next.ServeHTTP(w, r)
		})
	}
	env := testserver.Start(t, &cfg, inject)
	owner := signupVerified(t, env, m, "owner@example.com", "IT Security Team - password reset")
	o, err := owner.CreateOrg(bg, "Contoso")
	if err != nil {
		t.Fatal(err)
	}
	res, err := owner.Invite(bg, o.ID, []string{"intern@example.com"})
	if err != nil || res.Mail != api.MailSent {
		t.Fatalf("Invite: %+v %v", res, err)
	}
	msg := m.Wait(t, "intern@example.com", "Invitation", 1)[0]
	for _, want := range []string{publicURL + "/join?invitation=", "owner@example.com", "NOT in this e-mail", "never comes by e-mail"} {
		if !strings.Contains(msg.Body, want) {
			t.Errorf("mail lacks %q:\n%s", want, msg.Body)
		}
	}
	for _, bad := range []string{"evil.example", "IT Security Team", strings.ReplaceAll(res.Code, "-", "")[:8]} {
		if strings.Contains(msg.Body, bad) || strings.Contains(msg.Subject, bad) {
			t.Errorf("mail contains %q:\n%s\n%s", bad, msg.Subject, msg.Body)
		}
	}
}

// TestIssue13F5InvitationMailBudget: invitation mail is budgeted per
// inviting account and per organisation; a batch over either budget is
// refused whole with 429, and nothing is stored or sent.
func TestIssue13F5InvitationMailBudget(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	cfg.InviteMailPerOrg, cfg.InviteMailPerAccount = 3, 4
	env := testserver.Start(t, &cfg, nil)
	owner := signupVerified(t, env, m, "owner@example.com", "Owner")
	org1, err := owner.CreateOrg(bg, "One")
	if err != nil {
		t.Fatal(err)
	}
	org2, err := owner.CreateOrg(bg, "Two")
	if err != nil {
		t.Fatal(err)
	}
	invitationMails := func() int {
		n := 0
		for _, msg := range m.All() {
			if strings.Contains(msg.Subject, "Invitation") {
				n++
			}
		}
		return n
	}
	invitations := func(org string) int {
		views, err := owner.MembersAndInvitations(bg, org)
		if err != nil {
			t.Fatal(err)
		}
		return len(views) - 1 // the owner
	}
	if _, err := owner.Invite(bg, org1.ID, []string{"a@example.com", "b@example.com"}); err != nil {
		t.Fatal(err)
	}
	m.Wait(t, "b@example.com", "Invitation", 1)
	refused := func(org string, want string, emails ...string) {
		t.Helper()
		beforeMails, beforeInvs := invitationMails(), invitations(org)
		_, err := owner.Invite(bg, org, emails)
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests || ae.Code != api.CodeRateLimited || !strings.Contains(ae.Message, want) {
			t.Fatalf("Invite over budget: %v, want 429 naming %q", err, want)
		}
		if n := invitations(org); n != beforeInvs {
			t.Fatalf("refused batch stored invitations: %d, was %d", n, beforeInvs)
		}
		if n := invitationMails(); n != beforeMails {
			t.Fatalf("refused batch sent mail: %d, was %d", n, beforeMails)
		}
	}
	// 2 of the organisation's 3 are used: a batch of 2 is refused whole.
	refused(org1.ID, "this organisation", "c@example.com", "d@example.com")
	if _, err := owner.Invite(bg, org2.ID, []string{"e@example.com", "f@example.com"}); err != nil {
		t.Fatal(err)
	}
	m.Wait(t, "f@example.com", "Invitation", 1)
	// The account's 4 are used, across both organisations.
	refused(org2.ID, "your account", "g@example.com")
	refused(org1.ID, "your account", "g@example.com")
	if n := invitationMails(); n != 4 {
		t.Fatalf("%d invitation mails, want 4", n)
	}
}

// TestIssue13F6SquatterCannotSeeOrBurnInvitations: with SMTP on, signing
// up with someone else's address gives no account (the code goes to the
// address), so a squatter can neither see the invitation nor burn its
// attempts; the real invitee signs up, proves the address and joins.
func TestIssue13F6SquatterCannotSeeOrBurnInvitations(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	env := testserver.Start(t, &cfg, nil)
	owner := signupVerified(t, env, m, "owner@example.com", "Owner")
	o, err := owner.CreateOrg(bg, "Contoso")
	if err != nil {
		t.Fatal(err)
	}
	res, err := owner.Invite(bg, o.ID, []string{"intern@example.com"})
	if err != nil {
		t.Fatal(err)
	}

	// The squatter signs up with the intern's address: no session, no
	// account, and login with the squatter's password fails.
	s, err := client.Signup(bg, env.URL, "intern@example.com", "Squatter", pw("squatter"), client.Options{})
	var vn *client.VerificationNeededError
	if s != nil || !errors.As(err, &vn) {
		t.Fatalf("squatter's Signup = %v, %v; want no session and a verification", s, err)
	}
	if _, err := env.Store.AccountByEmail(bg, "intern@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unverified sign-up made an account (err %v)", err)
	}
	if _, err := client.Login(bg, env.URL, "intern@example.com", pw("squatter"), client.Options{}); err == nil {
		t.Fatal("the squatter logged in")
	}
	// Guessing the mailed code: limited attempts, then locked.
	for i := 0; i < 5; i++ {
		if err := client.VerifySignup(bg, env.URL, vn.UserID, "0000-0000", client.Options{}); apiStatus(err) != http.StatusForbidden {
			t.Fatalf("wrong code %d: %v, want 403", i, err)
		}
	}
	code := m.code(t, "intern@example.com", 1)
	if err := client.VerifySignup(bg, env.URL, vn.UserID, code, client.Options{}); apiStatus(err) != http.StatusTooManyRequests {
		t.Fatalf("right code after 5 wrong ones: %v, want 429", err)
	}

	// The real intern: sign up, prove the address, see and join.
	intern := signupVerified(t, env, m, "intern@example.com", "Intern")
	if _, err := intern.Join(bg, o.ID, res.Code); err != nil {
		t.Fatalf("Join: %v", err)
	}
	if err := owner.Confirm(bg, o.ID, []string{"intern@example.com"}); err != nil {
		t.Fatalf("Confirm: %v", err)
	}
}

// TestIssue13F6UnverifiedAccountCannotJoin: an account made before the
// server sent mail has an unproved address: with SMTP on it sees no
// invitations and cannot join (nor invite) until it verifies.
func TestIssue13F6UnverifiedAccountCannotJoin(t *testing.T) {
	m := startSMTP(t)
	old := testserver.Start(t, nil, nil) // no mail yet
	legacy := signupClient(t, old.URL, "legacy@example.com")
	_ = legacy
	cfg := m.config(t)
	env := testserver.StartStore(t, old.Store, &cfg, nil)
	owner := signupVerified(t, env, m, "owner@example.com", "Owner")
	o, err := owner.CreateOrg(bg, "Contoso")
	if err != nil {
		t.Fatal(err)
	}
	res, err := owner.Invite(bg, o.ID, []string{"legacy@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	legacy, err = client.Login(bg, env.URL, "legacy@example.com", []byte("pw of legacy@example.com"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = legacy.Join(bg, o.ID, res.Code)
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || ae.Code != api.CodeEmailUnverified || !strings.Contains(ae.Message, "coffer account verify") {
		t.Fatalf("unverified Join: %v, want 403 %s", err, api.CodeEmailUnverified)
	}
	if _, err := legacy.CreateOrg(bg, "Mine"); err != nil {
		t.Fatal(err)
	}
	if _, err := legacy.Invite(bg, "Mine", []string{"x@example.com"}); !errors.As(err, &ae) || ae.Code != api.CodeEmailUnverified {
		t.Fatalf("unverified Invite: %v, want 403 %s", err, api.CodeEmailUnverified)
	}
	if err := legacy.RequestVerification(bg); err != nil {
		t.Fatal(err)
	}
	if err := legacy.VerifyEmail(bg, "1111-1111"); apiStatus(err) != http.StatusForbidden {
		t.Fatalf("wrong code: %v", err)
	}
	if err := legacy.VerifyEmail(bg, m.code(t, "legacy@example.com", 1)); err != nil {
		t.Fatal(err)
	}
	if err := legacy.RequestVerification(bg); apiStatus(err) != http.StatusConflict {
		t.Fatalf("second RequestVerification: %v, want 409", err)
	}
	if _, err := legacy.Join(bg, o.ID, res.Code); err != nil {
		t.Fatalf("Join after verifying: %v", err)
	}
}

// TestIssue13F6ReissueLockedInvitation: an invitation locked by wrong
// codes shows as locked, and the owner re-issues it in one call with a
// fresh code; the old code no longer works, the new one does.
func TestIssue13F6ReissueLockedInvitation(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	env := testserver.Start(t, &cfg, nil)
	owner := signupVerified(t, env, m, "owner@example.com", "Owner")
	invitee := signupVerified(t, env, m, "invitee@example.com", "Invitee")
	o, err := owner.CreateOrg(bg, "Contoso")
	if err != nil {
		t.Fatal(err)
	}
	first, err := owner.Invite(bg, o.ID, []string{"invitee@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		_, wrong := crypto.NewInviteCode()
		if _, err := invitee.Join(bg, o.ID, wrong); !errors.Is(err, client.ErrWrongCode) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	if _, err := invitee.Join(bg, o.ID, first.Code); err == nil || !strings.Contains(err.Error(), "re-issue") {
		t.Fatalf("locked invitation with the right code: %v", err)
	}
	views, err := owner.MembersAndInvitations(bg, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 2 || !views[1].Locked || views[1].State != "invited" {
		t.Fatalf("members: %+v, want the invitation locked", views)
	}
	second, err := owner.Reissue(bg, o.ID, []string{"invitee@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if second.Code == first.Code || second.Mail != api.MailSent {
		t.Fatalf("Reissue: %+v", second)
	}
	m.Wait(t, "invitee@example.com", "Invitation", 2)
	if _, err := invitee.Join(bg, o.ID, first.Code); !errors.Is(err, client.ErrWrongCode) {
		t.Fatalf("old code after re-issue: %v", err)
	}
	if _, err := invitee.Join(bg, o.ID, second.Code); err != nil {
		t.Fatalf("Join with the re-issued code: %v", err)
	}
	if _, err := owner.Reissue(bg, o.ID, []string{"invitee@example.com"}); err == nil || !strings.Contains(err.Error(), "has joined") {
		t.Fatalf("re-issue of a joined invitation: %v", err)
	}
	if err := owner.Confirm(bg, o.ID, []string{"invitee@example.com"}); err != nil {
		t.Fatal(err)
	}
}

// TestIssue13F7SignupIsNoEnumerationOracle: with SMTP on, a sign-up for a
// registered address is answered exactly like one for a new address (same
// status, same body apart from the ids the request chose, same answers to
// codes); the address's owner is mailed a notice instead of a code.
func TestIssue13F7SignupIsNoEnumerationOracle(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	env := testserver.Start(t, &cfg, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	signupVerified(t, env, m, "alice@example.com", "Alice")

	answer := func(email string) (reply, api.SignupRequest) {
		req := newSignup(t)
		req.Email = email
		r := f.send(t, "POST", "/accounts", "", req)
		r.body = bytes.ReplaceAll(bytes.ReplaceAll(r.body, []byte(req.UserID), []byte("U")), []byte(req.PersonalVault), []byte("V"))
		return r, req
	}
	taken, takenReq := answer("Alice@example.com")
	fresh, freshReq := answer("nobody@example.com")
	if taken.status != http.StatusAccepted || fresh.status != taken.status || !bytes.Equal(taken.body, fresh.body) ||
		taken.header.Get("Content-Type") != fresh.header.Get("Content-Type") {
		t.Fatalf("taken: %d %s; fresh: %d %s", taken.status, taken.body, fresh.status, fresh.body)
	}
	// Codes are answered alike too, up to the lock.
	verify := func(req api.SignupRequest) []string {
		var out []string
		for i := 0; i < 6; i++ {
			r := f.send(t, "POST", "/accounts/"+req.UserID+"/verify", "", api.VerifyEmailRequest{Code: "1234-5678"})
			out = append(out, string(rune('0'+r.status/100))+string(r.body))
		}
		return out
	}
	if a, b := verify(takenReq), verify(freshReq); strings.Join(a, "|") != strings.Join(b, "|") {
		t.Fatalf("code answers differ:\n%v\n%v", a, b)
	}
	// The owner is told, and gets no code; the new address gets its code.
	notice := m.Wait(t, "alice@example.com", "tried to sign up", 1)[0]
	if !strings.Contains(notice.Body, "coffer login") || verifyCodeRe.MatchString(notice.Body) {
		t.Fatalf("notice:\n%s", notice.Body)
	}
	m.Wait(t, "nobody@example.com", "verification code", 1)
	if a, err := env.Store.AccountByEmail(bg, "alice@example.com"); err != nil || a.ID == takenReq.UserID {
		t.Fatalf("alice's account changed: %v", err)
	}
	// And the honest user's next step is clear in the client's error.
	_, err := client.Signup(context.Background(), env.URL, "alice@example.com", "Alice", pw("alice@example.com"), client.Options{})
	var vn *client.VerificationNeededError
	if !errors.As(err, &vn) || !strings.Contains(err.Error(), "log in instead") {
		t.Fatalf("client sign-up for a taken address: %v", err)
	}
}

// TestJoinLinkAnswers: the Join link of invitation e-mail opens the web
// app (its Join page reads the organisation from the link), under the
// app's CSP, echoing nothing of the request.
func TestJoinLinkAnswers(t *testing.T) {
	cfg := testConfig()
	cfg.PublicURL = "https://vault.example.com"
	env := testserver.Start(t, &cfg, nil)
	resp, err := http.Get(env.URL + "/join?invitation=<script>x</script>&org=o")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<title>Coffer</title>") || strings.Contains(string(body), "<script>x") ||
		resp.Header.Get("Content-Security-Policy") != webui.CSP || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("join page: %d %q %v", resp.StatusCode, body, resp.Header)
	}
}
