package server_test

import (
	"strconv"
	"testing"

	"github.com/coder/websocket"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// liveOrg sets up an organisation owned by owner with members confirmed
// through the real invite → join → confirm flow.
func liveOrg(t *testing.T, owner *client.Session, name string, members ...*client.Session) *client.Org {
	t.Helper()
	o, err := owner.CreateOrg(bg, name)
	if err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	var emails []string
	for _, m := range members {
		emails = append(emails, m.Profile.Email)
	}
	res, err := owner.Invite(bg, o.ID, emails)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	for _, m := range members {
		if _, err := m.Join(bg, name, res.Code); err != nil {
			t.Fatalf("Join(%s): %v", m.Profile.Email, err)
		}
	}
	if err := owner.Confirm(bg, o.ID, emails); err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	for _, m := range append(members, owner) {
		if err := m.Sync(bg); err != nil {
			t.Fatalf("Sync(%s): %v", m.Profile.Email, err)
		}
	}
	return o
}

// untilGroup reads a stream up to the event naming group marker and
// returns everything before it.
func untilGroup(t *testing.T, c *websocket.Conn, marker string) []api.LiveMessage {
	t.Helper()
	var out []api.LiveMessage
	for {
		m := readMsg(t, c)
		if m.Type == api.LiveEvent && m.GroupID == marker {
			return out
		}
		out = append(out, m)
	}
}

// markerGroup makes an organisation group, whose creation every member of
// the organisation sees: reading up to it proves the stream got everything
// committed before.
func markerGroup(t *testing.T, owner *client.Session, orgID, name string) string {
	t.Helper()
	g, err := owner.CreateGroup(bg, orgID, name, false, "view")
	if err != nil {
		t.Fatalf("CreateGroup(%s): %v", name, err)
	}
	return g.ID
}

// TestLivePrivateGroupEventsStayInGroup (issue 13, finding 9): the events
// of a private group — its creation, members added and removed, its vault
// — reach its members, its manager and the organisation's owner, never the
// organisation's other members, live or from the backlog.
func TestLivePrivateGroupEventsStayInGroup(t *testing.T) {
	cfg := testConfig()
	env := testserver.Start(t, &cfg, nil)
	owner := signupClient(t, env.URL, "owner@acme.example")
	laura := signupClient(t, env.URL, "laura@acme.example")
	intern := signupClient(t, env.URL, "intern@acme.example")
	other := signupClient(t, env.URL, "other@acme.example")
	o := liveOrg(t, owner, "Acme", laura, intern, other)
	start := readMsg(t, dialEvents(t, env, other.Token(), "")).Cursor

	otherLive := dialEvents(t, env, other.Token(), "")
	ownerLive := dialEvents(t, env, owner.Token(), "")
	internLive := dialEvents(t, env, intern.Token(), "")
	for _, c := range []*websocket.Conn{otherLive, ownerLive, internLive} {
		readMsg(t, c) // ready
	}
	g, err := laura.CreateGroup(bg, o.ID, "Marketing", true, "view")
	if err != nil {
		t.Fatal(err)
	}
	if err := laura.AddGroupMembers(bg, g, []string{intern.Profile.Email}); err != nil {
		t.Fatal(err)
	}
	if err := laura.RemoveGroupMember(bg, g, intern.Profile.Email); err != nil {
		t.Fatal(err)
	}
	marker := markerGroup(t, owner, o.ID, "Everyone")

	leaks := func(who string, msgs []api.LiveMessage) {
		t.Helper()
		for _, m := range msgs {
			if m.GroupID == g.ID || m.VaultID == g.VaultID || m.UserID == intern.Profile.UserID ||
				m.Kind == "group.member_added" || m.Kind == "group.member_removed" {
				t.Errorf("%s received an event of a private group it is not in: %+v", who, m)
			}
		}
	}
	leaks("a member outside the group (live)", untilGroup(t, otherLive, marker))
	backlog := dialEvents(t, env, other.Token(), "?since="+strconv.FormatInt(start, 10))
	leaks("a member outside the group (backlog)", untilGroup(t, backlog, marker))

	seen := func(msgs []api.LiveMessage, kind string) bool {
		for _, m := range msgs {
			if m.Kind == kind && m.GroupID == g.ID {
				return true
			}
		}
		return false
	}
	ownerSaw := untilGroup(t, ownerLive, marker)
	if !seen(ownerSaw, "group.changed") || !seen(ownerSaw, "group.member_added") || !seen(ownerSaw, "group.member_removed") {
		t.Errorf("the owner should see the private group's changes: %+v", ownerSaw)
	}
	internSaw := untilGroup(t, internLive, marker)
	if !seen(internSaw, "group.member_added") || !seen(internSaw, "group.member_removed") {
		t.Errorf("the member should see being added and removed: %+v", internSaw)
	}
}

// TestLiveNewMemberStartsAtJoin (issue 13, finding 9): a new member never
// receives the organisation's events from before their confirmation, even
// when asking for the whole history with since=0 or any crafted cursor.
func TestLiveNewMemberStartsAtJoin(t *testing.T) {
	cfg := testConfig()
	env := testserver.Start(t, &cfg, nil)
	owner := signupClient(t, env.URL, "owner@early.example")
	old := signupClient(t, env.URL, "old@early.example")
	o := liveOrg(t, owner, "Early", old)
	// History the newcomer must not see.
	g, err := old.CreateGroup(bg, o.ID, "Old timers", true, "view")
	if err != nil {
		t.Fatal(err)
	}
	markerGroup(t, owner, o.ID, "Before")
	v, err := owner.CreateVault(bg, o.ID, "Ops")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateItem(bg, v.ID, "note", client.Content{Name: "runbook"}); err != nil {
		t.Fatal(err)
	}

	newbie := signupClient(t, env.URL, "new@early.example")
	res, err := owner.Invite(bg, o.ID, []string{newbie.Profile.Email})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newbie.Join(bg, "Early", res.Code); err != nil {
		t.Fatal(err)
	}
	if err := owner.Confirm(bg, o.ID, []string{newbie.Profile.Email}); err != nil {
		t.Fatal(err)
	}
	// Even a later grant of the vault does not open its earlier events.
	if err := owner.Sync(bg); err != nil {
		t.Fatal(err)
	}
	v, _ = owner.FindVault(v.ID)
	if err := owner.GrantUser(bg, v, newbie.Profile.Email, "view"); err != nil {
		t.Fatal(err)
	}
	marker := markerGroup(t, owner, o.ID, "After")
	for _, since := range []string{"0", "1", "2"} {
		c := dialEvents(t, env, newbie.Token(), "?since="+since)
		msgs := untilGroup(t, c, marker)
		joined := int64(0)
		for _, m := range msgs {
			if m.Kind == "org.member_confirmed" && m.UserID == newbie.Profile.UserID {
				joined = m.Seq
			}
		}
		if joined == 0 {
			t.Fatalf("since=%s: no confirmation event: %+v", since, msgs)
		}
		for _, m := range msgs {
			if m.Type == api.LiveEvent && (m.OrgID == o.ID || m.VaultID == v.ID) && m.Seq < joined {
				t.Errorf("since=%s: the new member received an event from before joining (at %d): %+v", since, joined, m)
			}
			if m.GroupID == g.ID {
				t.Errorf("since=%s: the new member received an event of a private group: %+v", since, m)
			}
		}
		c.CloseNow()
	}
}

// TestLiveAccessChangesApplyAtOnce: a stream's view follows its user's
// access while connected — joining a group opens the group's vaults'
// events, leaving it closes them — without reconnecting.
func TestLiveAccessChangesApplyAtOnce(t *testing.T) {
	cfg := testConfig()
	env := testserver.Start(t, &cfg, nil)
	owner := signupClient(t, env.URL, "owner@access.example")
	alice := signupClient(t, env.URL, "alice@access.example")
	bob := signupClient(t, env.URL, "bob@access.example")
	o := liveOrg(t, owner, "Access", alice, bob)
	g, err := owner.CreateGroup(bg, o.ID, "Ops", false, "edit")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.AddGroupMembers(bg, g, []string{alice.Profile.Email}); err != nil {
		t.Fatal(err)
	}
	v, err := owner.CreateVault(bg, o.ID, "Ops")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantGroup(bg, v, g.ID, "edit"); err != nil {
		t.Fatal(err)
	}
	if err := alice.Sync(bg); err != nil {
		t.Fatal(err)
	}
	write := func(name string) string {
		t.Helper()
		it, err := alice.CreateItem(bg, v.ID, "note", client.Content{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return it.ID
	}
	sawItem := func(msgs []api.LiveMessage, id string) bool {
		for _, m := range msgs {
			if m.Kind == "item.changed" && m.ItemID == id {
				return true
			}
		}
		return false
	}
	c := dialEvents(t, env, bob.Token(), "")
	readMsg(t, c)
	before := write("before")
	if err := owner.AddGroupMembers(bg, g, []string{bob.Profile.Email}); err != nil {
		t.Fatal(err)
	}
	during := write("during")
	msgs := untilGroup(t, c, markerGroup(t, owner, o.ID, "m1"))
	if sawItem(msgs, before) || !sawItem(msgs, during) {
		t.Fatalf("joining the group: want only the later item's event, got %+v", msgs)
	}
	if err := owner.RemoveGroupMember(bg, g, bob.Profile.Email); err != nil {
		t.Fatal(err)
	}
	after := write("after")
	msgs = untilGroup(t, c, markerGroup(t, owner, o.ID, "m2"))
	if sawItem(msgs, after) {
		t.Fatalf("after leaving the group bob still receives its vault's events: %+v", msgs)
	}
}
