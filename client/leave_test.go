package client_test

import (
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestRemovedManagerLeavesGroupsWorking is issue 13's finding 1: when the
// owner removes a member who manages a private group (and wrote in an
// organisation vault), the group's other members keep everything — My
// Vault, the group's vault with what the removed member shared and wrote,
// its history, and other organisation vaults. The removed member stays in
// the signed roster as a former member, so what they signed still
// verifies; the organisation's owner takes the group over, so it never
// points at a non-member. The removed member sees nothing of it any more.
func TestRemovedManagerLeavesGroupsWorking(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	admin := signup(t, env.URL, "sysadmin@acme.example")
	laura := signup(t, env.URL, "laura@acme.example")
	intern := signup(t, env.URL, "intern@acme.example")
	coord := signup(t, env.URL, "coordinator@acme.example")
	o := company(t, admin, "Acme", laura, intern, coord)

	g, err := laura.CreateGroup(ctx, o.ID, "Marketing", true, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := laura.AddGroupMembers(ctx, g, []string{"intern@acme.example", "coordinator@acme.example"}); err != nil {
		t.Fatal(err)
	}
	social := addLogin(t, laura, "Social media platform", "s3cret-social")
	if _, err := laura.Share(ctx, social, g, "view"); err != nil {
		t.Fatal(err)
	}
	ops, err := admin.CreateVault(ctx, o.ID, "Ops")
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.GrantUser(ctx, ops, "laura@acme.example", "edit"); err != nil {
		t.Fatal(err)
	}
	if err := admin.GrantUser(ctx, ops, "intern@acme.example", "view"); err != nil {
		t.Fatal(err)
	}
	if err := laura.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := laura.CreateItem(ctx, ops.ID, "note", client.Content{Name: "runbook", Notes: "by laura"}); err != nil {
		t.Fatal(err)
	}
	addLogin(t, intern, "intern-own", "pw-intern")

	if err := admin.RemoveMember(ctx, o.ID, "laura@acme.example"); err != nil {
		t.Fatalf("RemoveMember: %v", err)
	}

	for _, s := range []*client.Session{intern, coord} {
		if err := s.Sync(ctx); err != nil {
			t.Fatalf("%s after the manager left: %v", s.Profile.Email, err)
		}
		it, err := s.FindItem("Social media platform", false)
		if err != nil || it.Content.Login.Password != "s3cret-social" {
			t.Fatalf("%s: the shared login: %v", s.Profile.Email, err)
		}
		if h, err := s.History(ctx, it); err != nil || len(h) != 2 {
			t.Fatalf("%s: history of the shared login: %d %v", s.Profile.Email, len(h), err)
		}
		groups := s.Groups(o.ID)
		if len(groups) != 1 || groups[0].ManagerID != admin.Profile.UserID {
			t.Fatalf("%s: groups %+v, want Marketing managed by the owner", s.Profile.Email, groups)
		}
		if len(s.Quarantined()) != 0 {
			t.Fatalf("%s: quarantined %+v", s.Profile.Email, s.Quarantined())
		}
	}
	if it, err := intern.FindItem("runbook", false); err != nil || it.Content.Notes != "by laura" {
		t.Fatalf("the removed member's item in an organisation vault: %v", err)
	}
	if _, err := intern.FindItem("intern-own", false); err != nil {
		t.Fatal(err)
	}
	// The removed member is no longer a member anyone can share with.
	if _, err := intern.MemberByEmail("laura@acme.example"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the removed member is still a member: %v", err)
	}
	ms, err := admin.Members(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Email == "laura@acme.example" {
			t.Fatal("the removed member is listed as a member")
		}
	}

	// The owner manages the group now: removing a member works.
	if err := admin.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	ag, err := admin.FindGroup(o.ID, "Marketing")
	if err != nil {
		t.Fatalf("the owner finds the group: %v", err)
	}
	if err := admin.RemoveGroupMember(ctx, ag, "coordinator@acme.example"); err != nil {
		t.Fatalf("the owner removes a group member: %v", err)
	}
	if err := coord.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := coord.FindItem("Social media platform", false); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("a member removed from the group still reads it: %v", err)
	}

	// The removed member sees nothing of the organisation.
	if err := laura.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if len(laura.Orgs()) != 0 {
		t.Fatal("the removed member still sees the organisation")
	}
	if _, err := laura.FindItem("Social media platform", false); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the removed member still reads the shared login: %v", err)
	}

	// A member confirmed again is a member again (not former).
	res, err := admin.Invite(ctx, o.ID, []string{"laura@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := laura.Join(ctx, "Acme", res.Code); err != nil {
		t.Fatal(err)
	}
	if err := admin.Confirm(ctx, o.ID, []string{"laura@acme.example"}); err != nil {
		t.Fatalf("confirming a former member again: %v", err)
	}
	if err := intern.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := intern.MemberByEmail("laura@acme.example"); err != nil {
		t.Fatalf("the member confirmed again: %v", err)
	}
}
