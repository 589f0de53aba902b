package client_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestIssue24JoinStatusFollowsTheInvitation: the Join page's status comes
// from the client core at each step, so it is right after each — never
// "confirms you next" once the owner has confirmed. Invited (owner named,
// organisation not: its name is sealed under the code) → locked after 5
// wrong codes (the owner's live stream says so) → invited again once the
// owner invites the address again, found through the old link's
// organisation → joined, with the organisation's name the code opened
// (kept across sessions) → member once the owner confirms, told to the
// invitee's live stream.
func TestIssue24JoinStatusFollowsTheInvitation(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@acme.example")
	invitee := signup(t, env.URL, "new@acme.example")
	o, err := owner.CreateOrg(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	status := func(s *client.Session, org, invitation, want string) *client.JoinState {
		t.Helper()
		st, err := s.JoinStatus(ctx, org, invitation)
		if err != nil || st.State != want {
			t.Fatalf("JoinStatus(%s, %s) = %+v, %v; want %s", org, invitation, st, err, want)
		}
		return st
	}
	if st := status(invitee, o.ID, "", client.JoinNone); !strings.Contains(st.Text, "no open invitation") {
		t.Fatalf("before any invitation: %+v", st)
	}
	first, err := owner.Invite(ctx, o.ID, []string{"new@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	st := status(invitee, o.ID, "", client.JoinInvited)
	link := st.InvitationID // the Join link's invitation
	if st.Owner != "owner@acme.example" || st.OrgName != "" || st.OrgID != o.ID || link == "" || !strings.Contains(st.Text, "Enter the confirmation code") {
		t.Fatalf("invited: %+v", st)
	}

	ownerLive := startWatch(t, owner)
	for i := 0; i < 5; i++ {
		_, wrong := crypto.NewInviteCode()
		if _, err := invitee.Join(ctx, link, wrong); !errors.Is(err, client.ErrWrongCode) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	ownerLive.waitFor(t, "is locked after too many wrong codes")
	st = status(invitee, o.ID, link, client.JoinLocked)
	if !strings.Contains(st.Text, "re-issue the invitation") || strings.Contains(st.Text, "coffer ") {
		t.Fatalf("locked: %+v", st)
	}
	if _, err := invitee.Join(ctx, link, first.Code); !errors.Is(err, client.ErrInvitationLocked) {
		t.Fatalf("the right code for a locked invitation: %v", err)
	}

	second, err := owner.Invite(ctx, o.ID, []string{"new@acme.example"})
	if err != nil || len(second.Reissued) != 1 {
		t.Fatalf("inviting again: %+v, %v", second, err)
	}
	st = status(invitee, o.ID, link, client.JoinInvited) // the old link still leads there
	if st.InvitationID == link {
		t.Fatalf("after the re-issue: %+v, want the new invitation", st)
	}
	// The Join page has the link's ids, not the organisation's name.
	if _, err := invitee.Join(ctx, st.InvitationID, second.Code); err != nil {
		t.Fatalf("Join by the invitation's id: %v", err)
	}
	st = status(invitee, o.ID, link, client.JoinJoined)
	if st.OrgName != "Acme" || st.Owner != "owner@acme.example" || !strings.Contains(st.Text, `You joined "Acme"`) {
		t.Fatalf("joined: %+v", st)
	}
	// Another session of the invitee (a reload, another browser) knows it too.
	again, err := client.Login(ctx, env.URL, "new@acme.example", []byte("pw of new@acme.example"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st := status(again, o.ID, "", client.JoinJoined); st.OrgName != "Acme" {
		t.Fatalf("joined, seen from a new session: %+v", st)
	}

	inviteeLive := startWatch(t, invitee)
	if err := owner.Confirm(ctx, o.ID, []string{"new@acme.example"}); err != nil {
		t.Fatal(err)
	}
	inviteeLive.waitFor(t, `you are now a member of "Acme"`)
	st = status(invitee, o.ID, link, client.JoinMember)
	if st.OrgName != "Acme" || st.Owner != "owner@acme.example" || strings.Contains(st.Text, "confirms") {
		t.Fatalf("member: %+v", st)
	}
}
