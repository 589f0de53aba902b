package server_test

// Issue 24: a locked invitation is shown to its owner and re-issued by
// inviting its address again; the invitee is told what to do in words,
// not a command; invitation mail has a Join button and names the inviter,
// never the organisation (its name is sealed); the sign-up mail works for
// the browser and the command line. A real server over SQLite on
// loopback, mailing through a real SMTP server on loopback.

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// lockInvitation tries five wrong codes for invitee's invitation to org.
func lockInvitation(t *testing.T, invitee *client.Session, org string) {
	t.Helper()
	for i := 0; i < 5; i++ {
		_, wrong := crypto.NewInviteCode()
		if _, err := invitee.Join(bg, org, wrong); !errors.Is(err, client.ErrWrongCode) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
}

// invitationOf returns the owner's view of email's newest invitation.
func invitationOf(t *testing.T, owner *client.Session, org, email string) client.MemberView {
	t.Helper()
	views, err := owner.MembersAndInvitations(bg, org)
	if err != nil {
		t.Fatal(err)
	}
	var out *client.MemberView
	for i := range views {
		if views[i].Email == email && views[i].InvitationID != "" {
			out = &views[i]
		}
	}
	if out == nil {
		t.Fatalf("no invitation of %s in %+v", email, views)
	}
	return *out
}

// TestIssue24InviteAgainReissuesALockedInvitation: five wrong codes lock
// an invitation; the invitee is told, in words and without a command,
// that the owner must re-issue it; the owner sees it locked, and when;
// inviting the address again re-issues it — the locked invitation is
// replaced, its code dead, the new one works, and the new mail says it
// replaces the earlier one. An address whose invitation still works is
// not re-issued by a mere invite (its code may be on its way), only on
// purpose (Reissue).
func TestIssue24InviteAgainReissuesALockedInvitation(t *testing.T) {
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
	before := time.Now().Add(-time.Second)
	lockInvitation(t, invitee, o.ID)
	after := time.Now().Add(time.Second)

	// The invitee, with the right code: locked, said in words.
	_, err = invitee.Join(bg, o.ID, first.Code)
	if !errors.Is(err, client.ErrInvitationLocked) || !strings.Contains(err.Error(), "re-issue the invitation") ||
		!strings.Contains(err.Error(), "owner@example.com") || strings.Contains(err.Error(), "coffer ") {
		t.Fatalf("locked invitation with the right code: %v", err)
	}
	if list, err := invitee.Invitations(bg); err != nil || len(list) != 1 || !list[0].Locked {
		t.Fatalf("the invitee's invitations: %+v, %v; want it locked", list, err)
	}
	// The owner: locked, and since when.
	locked := invitationOf(t, owner, o.ID, "invitee@example.com")
	if !locked.Locked || locked.State != "invited" || locked.LockedAt == nil || locked.LockedAt.Before(before) || locked.LockedAt.After(after) {
		t.Fatalf("owner's view: %+v, want locked at a time between %v and %v", locked, before, after)
	}

	// Inviting the address again re-issues it.
	second, err := owner.Invite(bg, o.ID, []string{"invitee@example.com"})
	if err != nil {
		t.Fatalf("inviting a locked address again: %v", err)
	}
	if second.Code == first.Code || len(second.Reissued) != 1 || second.Reissued[0] != "invitee@example.com" || second.Mail != api.MailSent {
		t.Fatalf("re-issue: %+v", second)
	}
	now := invitationOf(t, owner, o.ID, "invitee@example.com")
	if now.InvitationID == locked.InvitationID || now.Locked || now.State != "invited" {
		t.Fatalf("after the re-issue: %+v (was %+v)", now, locked)
	}
	views, _ := owner.MembersAndInvitations(bg, o.ID)
	for _, v := range views {
		if v.InvitationID == locked.InvitationID && v.State != "cancelled" {
			t.Fatalf("the locked invitation is %s, want cancelled", v.State)
		}
	}
	mail := m.Wait(t, "invitee@example.com", "Invitation", 2)[1]
	if !strings.Contains(mail.Body, "replaces an earlier one") || !strings.Contains(mail.Body, "invitation="+now.InvitationID) {
		t.Fatalf("the re-issue's mail:\n%s", mail.Body)
	}

	// A mere invite does not replace an invitation that still works.
	mails := len(m.All())
	_, err = owner.Invite(bg, o.ID, []string{"invitee@example.com"})
	var ie *client.InviteError
	if !errors.Is(err, client.ErrAlreadyInvited) || !errors.As(err, &ie) || len(ie.Open) != 1 || !strings.Contains(err.Error(), "re-issue it") {
		t.Fatalf("inviting an address whose invitation works: %v", err)
	}
	if n := len(m.All()); n != mails {
		t.Fatalf("a refused invite sent mail (%d, was %d)", n, mails)
	}
	if again := invitationOf(t, owner, o.ID, "invitee@example.com"); again.InvitationID != now.InvitationID {
		t.Fatalf("a refused invite replaced the invitation: %+v", again)
	}

	if _, err := invitee.Join(bg, o.ID, first.Code); !errors.Is(err, client.ErrWrongCode) {
		t.Fatalf("the locked invitation's code after the re-issue: %v", err)
	}
	if _, err := invitee.Join(bg, o.ID, second.Code); err != nil {
		t.Fatalf("Join with the re-issued code: %v", err)
	}
	// Joined: neither an invite nor a re-issue replaces it.
	for name, call := range map[string]func() (*client.InviteResult, error){
		"invite":   func() (*client.InviteResult, error) { return owner.Invite(bg, o.ID, []string{"invitee@example.com"}) },
		"re-issue": func() (*client.InviteResult, error) { return owner.Reissue(bg, o.ID, []string{"invitee@example.com"}) },
	} {
		if _, err := call(); err == nil || !strings.Contains(err.Error(), "has joined") {
			t.Fatalf("%s of a joined invitation: %v", name, err)
		}
	}
	if err := owner.Confirm(bg, o.ID, []string{"invitee@example.com"}); err != nil {
		t.Fatal(err)
	}
}

// TestIssue24OnlyTheOwnerReissues: a member cannot re-issue an
// invitation, through the client core or the API with the locked
// invitation's id; the lock stays until the owner acts. A re-issue fits
// the invitation mail budgets like any invitation (it sends one), and a
// refused one cancels nothing.
func TestIssue24OnlyTheOwnerReissues(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	cfg.InviteMailPerOrg = 3
	env := testserver.Start(t, &cfg, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	owner := signupVerified(t, env, m, "owner@example.com", "Owner")
	member := signupVerified(t, env, m, "member@example.com", "Member")
	invitee := signupVerified(t, env, m, "invitee@example.com", "Invitee")
	o, err := owner.CreateOrg(bg, "Contoso")
	if err != nil {
		t.Fatal(err)
	}
	res, err := owner.Invite(bg, o.ID, []string{"member@example.com", "invitee@example.com"}) // 2 of 3 mails
	if err != nil {
		t.Fatal(err)
	}
	if _, err := member.Join(bg, o.ID, res.Code); err != nil {
		t.Fatal(err)
	}
	if err := owner.Confirm(bg, o.ID, []string{"member@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := member.Sync(bg); err != nil {
		t.Fatal(err)
	}
	lockInvitation(t, invitee, o.ID)
	locked := invitationOf(t, owner, o.ID, "invitee@example.com")

	if _, err := member.Invite(bg, o.ID, []string{"invitee@example.com"}); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("a member's invite: %v", err)
	}
	if _, err := member.Reissue(bg, o.ID, []string{"invitee@example.com"}); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("a member's re-issue: %v", err)
	}
	// The member's own request, naming the locked invitation.
	req := api.InviteRequest{BatchID: uuid.NewString(), VerifierHash: make([]byte, 32), OrgTag: make([]byte, 32), Details: make([]byte, 64), SealedCode: make([]byte, 64),
		Invitations: []api.NewInvitation{{ID: uuid.NewString(), Email: "invitee@example.com", Replaces: locked.InvitationID}}}
	if r := f.send(t, "POST", "/orgs/"+o.ID+"/invitations", member.Token(), req); r.status != http.StatusForbidden {
		t.Fatalf("a member's re-issue through the API: %d %s", r.status, r.body)
	}
	if now := invitationOf(t, owner, o.ID, "invitee@example.com"); now.InvitationID != locked.InvitationID || !now.Locked {
		t.Fatalf("after the member's attempts: %+v, want the same invitation, locked", now)
	}

	// The owner re-issues: the organisation's third mail.
	if _, err := owner.Invite(bg, o.ID, []string{"invitee@example.com"}); err != nil {
		t.Fatal(err)
	}
	reissued := invitationOf(t, owner, o.ID, "invitee@example.com")
	// A fourth is over the budget: refused whole, nothing replaced.
	_, err = owner.Reissue(bg, o.ID, []string{"invitee@example.com"})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests {
		t.Fatalf("a re-issue over the mail budget: %v, want 429", err)
	}
	if now := invitationOf(t, owner, o.ID, "invitee@example.com"); now.InvitationID != reissued.InvitationID || now.State != "invited" {
		t.Fatalf("a refused re-issue changed the invitation: %+v, was %+v", now, reissued)
	}
}

// TestIssue24ReissueNamesTheOpenInvitation: the API re-issues only the
// address's own open, unjoined invitation of the organisation; another id
// is refused and nothing is stored.
func TestIssue24ReissueNamesTheOpenInvitation(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	f := &fixture{env: env, hc: env.HTTP.Client()}
	owner := signupClient(t, env.URL, "owner@example.com")
	o, err := owner.CreateOrg(bg, "Contoso")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Invite(bg, o.ID, []string{"a@example.com", "b@example.com"}); err != nil {
		t.Fatal(err)
	}
	a, b := invitationOf(t, owner, o.ID, "a@example.com"), invitationOf(t, owner, o.ID, "b@example.com")
	for name, replaces := range map[string]string{"another address's": b.InvitationID, "no such": uuid.NewString(), "not a UUID": "x"} {
		req := api.InviteRequest{BatchID: uuid.NewString(), VerifierHash: make([]byte, 32), OrgTag: make([]byte, 32), Details: make([]byte, 64), SealedCode: make([]byte, 64),
			Invitations: []api.NewInvitation{{ID: uuid.NewString(), Email: "a@example.com", Replaces: replaces}}}
		if r := f.send(t, "POST", "/orgs/"+o.ID+"/invitations", owner.Token(), req); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "nobody was invited") {
			t.Errorf("replacing %s invitation: %d %s", name, r.status, r.body)
		}
	}
	if now := invitationOf(t, owner, o.ID, "a@example.com"); now.InvitationID != a.InvitationID || now.State != "invited" {
		t.Fatalf("a refused re-issue changed a's invitation: %+v", now)
	}
}

// TestIssue24InvitationMailHasAJoinButton: the invitation mail is
// multipart/alternative — text with the Join link, and HTML with a Join
// button on the same link — and the link carries everything the Join page
// needs but the code: the invitation, the organisation and the invited
// address. It names the inviter by verified address, and never the
// organisation, whose name the server cannot read.
func TestIssue24InvitationMailHasAJoinButton(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	env := testserver.Start(t, &cfg, nil)
	owner := signupVerified(t, env, m, "owner@example.com", "Owner")
	o, err := owner.CreateOrg(bg, "Contoso Secret Projects")
	if err != nil {
		t.Fatal(err)
	}
	res, err := owner.Invite(bg, o.ID, []string{"new@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	in := invitationOf(t, owner, o.ID, "new@example.com")
	msg := m.Wait(t, "new@example.com", "Invitation", 1)[0]
	link := publicURL + "/join?invitation=" + in.InvitationID + "&org=" + o.ID + "&email=" + url.QueryEscape("new@example.com")
	if msg.Type != "multipart/alternative" {
		t.Fatalf("type %q:\n%s", msg.Type, msg.Head)
	}
	for part, body := range map[string]string{"text": msg.Body, "html": msg.HTML} {
		for _, want := range []string{"The Coffer account ", "owner@example.com", "in this e-mail and never comes by e-mail", "coffer org join " + o.ID, "name is not in this e-mail"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s part lacks %q:\n%s", part, want, body)
			}
		}
		for _, bad := range []string{"Contoso", res.Code, strings.ReplaceAll(res.Code, "-", "")} {
			if strings.Contains(body, bad) || strings.Contains(msg.Subject, bad) {
				t.Errorf("%s part or subject contains %q:\n%s", part, bad, body)
			}
		}
	}
	if !strings.Contains(msg.Body, "Join in the browser: "+link+"\n") {
		t.Errorf("text part lacks the link %s:\n%s", link, msg.Body)
	}
	button := `<a href="` + strings.ReplaceAll(link, "&", "&amp;") + `" style=`
	if !strings.Contains(msg.HTML, button) || !strings.Contains(msg.HTML, `>Join</a>`) {
		t.Errorf("html part lacks the Join button %s:\n%s", button, msg.HTML)
	}
	// The link opens the web app's Join page.
	u, _ := url.Parse(link)
	resp, err := http.Get(env.URL + u.RequestURI())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the Join link answers %d", resp.StatusCode)
	}
}

// TestIssue24SignupMailServesBrowserAndCommandLine: the verification
// mail of a sign-up says where the code goes for someone who signed up in
// the browser (the page waits for it) and on the command line.
func TestIssue24SignupMailServesBrowserAndCommandLine(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	env := testserver.Start(t, &cfg, nil)
	_, err := client.Signup(bg, env.URL, "new@example.com", "New", pw("new@example.com"), client.Options{})
	var vn *client.VerificationNeededError
	if !errors.As(err, &vn) {
		t.Fatalf("Signup: %v", err)
	}
	msg := m.Wait(t, "new@example.com", "verification code", 1)[0]
	code := m.code(t, "new@example.com", 1)
	for _, want := range []string{"In the browser: on the Coffer page you signed up on", "It waits for this code", publicURL,
		"With the command line:\n    coffer account verify " + code} {
		if !strings.Contains(msg.Body, want) {
			t.Errorf("verification mail lacks %q:\n%s", want, msg.Body)
		}
	}
}
