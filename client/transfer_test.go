package client_test

import (
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestOwnershipTransfer is §18.5 end to end in the client core: the owner
// offers the organisation to a member, who accepts; the old owner is an
// ordinary member (and can leave), the new owner does everything an owner
// does — invites and confirms, creates vaults, rotates and grants on the
// existing vaults and reads their items, manages the organisation groups —
// and a third member's client re-pins the new owner and keeps working.
// Recovery is turned off by the transfer; both steps are in the audit log.
func TestOwnershipTransfer(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	admin := signup(t, env.URL, "sysadmin@acme.example")
	laura := signup(t, env.URL, "laura@acme.example")
	intern := signup(t, env.URL, "intern@acme.example")
	bob := signup(t, env.URL, "bob@acme.example")
	o := company(t, admin, "Acme", laura, intern)

	ops, err := admin.CreateVault(ctx, o.ID, "Ops")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateItem(ctx, ops.ID, "note", client.Content{Name: "db password", Notes: "hunter2"}); err != nil {
		t.Fatal(err)
	}
	team, err := admin.CreateGroup(ctx, o.ID, "Team", false, "view")
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.AddGroupMembers(ctx, team, []string{"intern@acme.example"}); err != nil {
		t.Fatal(err)
	}
	shared, err := admin.CreateVault(ctx, o.ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.GrantGroup(ctx, shared, "Team", "view"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateItem(ctx, shared.ID, "note", client.Content{Name: "wifi", Notes: "guest"}); err != nil {
		t.Fatal(err)
	}
	// A rotation before the transfer: the offer must carry every epoch.
	if err := admin.RotateVault(ctx, ops); err != nil {
		t.Fatal(err)
	}
	if err := admin.EnableRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := intern.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := intern.EnrolRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}

	// Only the owner offers, and only to a member.
	if _, err := laura.OfferOwnership(ctx, o.ID, "intern@acme.example"); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("a member offered the organisation: %v", err)
	}
	if _, err := admin.OfferOwnership(ctx, o.ID, "bob@acme.example"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("offered to a non-member: %v", err)
	}
	if _, err := admin.OfferOwnership(ctx, o.ID, "intern@acme.example"); err != nil {
		t.Fatal(err)
	}
	// A new offer replaces it.
	if _, err := admin.OfferOwnership(ctx, o.ID, "laura@acme.example"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*client.Session{laura, intern} {
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if lo, _ := laura.FindOrg(o.ID); lo.OfferedTo != laura.Profile.UserID {
		t.Fatalf("laura is not told of the offer: %+v", lo)
	}
	if io, _ := intern.FindOrg(o.ID); io.OfferedTo != "" {
		t.Fatalf("another member sees the offer: %+v", io)
	}
	// The replaced offer's member cannot accept it.
	if _, err := intern.AcceptOwnership(ctx, o.ID); !errors.Is(err, client.ErrNoOffer) {
		t.Fatalf("a member the organisation is not offered to accepted: %v", err)
	}

	res, err := laura.AcceptOwnership(ctx, o.ID)
	if err != nil {
		t.Fatalf("AcceptOwnership: %v", err)
	}
	if !res.RecoveryWasOn || res.Vaults != 2 {
		t.Fatalf("result %+v", res)
	}
	if lo, _ := laura.FindOrg(o.ID); lo.Role != "owner" || lo.OwnerID != laura.Profile.UserID {
		t.Fatalf("laura after accepting: %+v", lo)
	}
	if st, err := laura.RecoveryStatus(ctx, o.ID); err != nil || st.Enabled {
		t.Fatalf("recovery after the transfer: %+v %v", st, err)
	}

	// The old owner and a third member follow.
	for _, s := range []*client.Session{admin, intern} {
		if err := s.Sync(ctx); err != nil {
			t.Fatalf("%s after the transfer: %v", s.Profile.Email, err)
		}
		if q := s.Quarantined(); len(q) != 0 {
			t.Fatalf("%s: quarantined %+v", s.Profile.Email, q)
		}
		so, err := s.FindOrg(o.ID)
		if err != nil || so.OwnerID != laura.Profile.UserID || so.Role != "member" {
			t.Fatalf("%s sees %+v, %v", s.Profile.Email, so, err)
		}
	}
	if _, err := intern.FindItem("wifi", false); err != nil {
		t.Fatalf("the third member reads through the group: %v", err)
	}
	if _, err := admin.FindItem("db password", false); err != nil {
		t.Fatalf("the old owner keeps its grants: %v", err)
	}

	// The new owner does what an owner does.
	if it, err := laura.FindItem("db password", false); err != nil || it.Content.Notes != "hunter2" {
		t.Fatalf("the new owner reads the existing vault: %v", err)
	}
	lops, err := laura.FindVault(ops.ID)
	if err != nil || lops.Permission != "manage" {
		t.Fatalf("the new owner manages Ops: %+v %v", lops, err)
	}
	if err := laura.GrantUser(ctx, lops, "intern@acme.example", "edit"); err != nil {
		t.Fatalf("the new owner grants: %v", err)
	}
	if err := laura.RotateVault(ctx, lops); err != nil {
		t.Fatalf("the new owner rotates a vault: %v", err)
	}
	lo, _ := laura.FindOrg(o.ID)
	if err := laura.RotateOrg(ctx, lo); err != nil {
		t.Fatalf("the new owner rotates the organisation key: %v", err)
	}
	lteam, err := laura.FindGroup(o.ID, "Team")
	if err != nil || lteam.ManagerID != laura.Profile.UserID {
		t.Fatalf("the new owner manages the group: %+v %v", lteam, err)
	}
	if err := laura.RemoveGroupMember(ctx, lteam, "intern@acme.example"); err != nil {
		t.Fatalf("the new owner removes a group member: %v", err)
	}
	if _, err := laura.CreateVault(ctx, o.ID, "Laura's"); err != nil {
		t.Fatalf("the new owner creates a vault: %v", err)
	}
	inv, err := laura.Invite(ctx, o.ID, []string{"bob@acme.example"})
	if err != nil {
		t.Fatalf("the new owner invites: %v", err)
	}
	if _, err := bob.Join(ctx, "Acme", inv.Code); err != nil {
		t.Fatal(err)
	}
	if err := laura.Confirm(ctx, o.ID, []string{"bob@acme.example"}); err != nil {
		t.Fatalf("the new owner confirms: %v", err)
	}
	if err := laura.RenameOrg(ctx, o.ID, "Acme Ltd"); err != nil {
		t.Fatalf("the new owner renames: %v", err)
	}
	for _, s := range []*client.Session{admin, intern, bob} {
		if err := s.Sync(ctx); err != nil {
			t.Fatalf("%s: %v", s.Profile.Email, err)
		}
		if q := s.Quarantined(); len(q) != 0 {
			t.Fatalf("%s: quarantined %+v", s.Profile.Email, q)
		}
		if so, err := s.FindOrg(o.ID); err != nil || so.Name != "Acme Ltd" {
			t.Fatalf("%s: %+v %v", s.Profile.Email, so, err)
		}
	}
	if it, err := intern.FindItem("db password", false); err != nil || it.Content.Notes != "hunter2" {
		t.Fatalf("the third member reads Ops after the new owner's grant and rotation: %v", err)
	}

	// The old owner can leave now, and the new owner signs it.
	if err := admin.LeaveOrg(ctx, o.ID); err != nil {
		t.Fatalf("the old owner leaves: %v", err)
	}
	if err := laura.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := laura.MemberByEmail("sysadmin@acme.example"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the old owner is still a member: %v", err)
	}
	// The new owner cannot leave.
	if err := laura.LeaveOrg(ctx, o.ID); !errors.Is(err, client.ErrTransferOwnership) {
		t.Fatalf("the owner left: %v", err)
	}

	// Both steps are in the log, signed by their actors.
	log, err := laura.AuditLog(ctx, o.ID, client.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range log {
		if e.Action == api.AuditTransferOffer || e.Action == api.AuditTransferAccept {
			if !e.Signed || e.Target.User != laura.Profile.UserID && e.Target.User != intern.Profile.UserID {
				t.Fatalf("entry %+v", e)
			}
			got[e.Action] = e.Actor
		}
	}
	if got[api.AuditTransferOffer] != "sysadmin@acme.example" || got[api.AuditTransferAccept] != "laura@acme.example" {
		t.Fatalf("audit entries: %v", got)
	}
}

// TestTransferChain: a member offline through two transfers (owner →
// laura → intern) follows both at its next sync — each offer signed by the
// owner before — and keeps opening the organisation key epochs each owner
// wrapped to it.
func TestTransferChain(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@c.example")
	laura := signup(t, env.URL, "laura@c.example")
	intern := signup(t, env.URL, "intern@c.example")
	bob := signup(t, env.URL, "bob@c.example")
	o := company(t, owner, "C", laura, intern, bob)
	if _, err := owner.OfferOwnership(ctx, o.ID, "laura@c.example"); err != nil {
		t.Fatal(err)
	}
	if err := laura.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := laura.AcceptOwnership(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	lo, _ := laura.FindOrg(o.ID)
	if err := laura.RotateOrg(ctx, lo); err != nil { // bob's epoch-2 wrap is laura's
		t.Fatal(err)
	}
	if _, err := laura.OfferOwnership(ctx, o.ID, "intern@c.example"); err != nil {
		t.Fatal(err)
	}
	if err := intern.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := intern.AcceptOwnership(ctx, o.ID); err != nil {
		t.Fatalf("the second transfer: %v", err)
	}
	if err := bob.Sync(ctx); err != nil {
		t.Fatalf("bob after two transfers: %v", err)
	}
	bo, err := bob.FindOrg(o.ID)
	if err != nil || bo.OwnerID != intern.Profile.UserID || len(bob.Quarantined()) != 0 {
		t.Fatalf("bob: %+v %v %+v", bo, err, bob.Quarantined())
	}
	// The first owner, a member now, follows too and can leave.
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := owner.LeaveOrg(ctx, o.ID); err != nil {
		t.Fatalf("the first owner leaves: %v", err)
	}
	if err := intern.RenameOrg(ctx, o.ID, "C2"); err != nil {
		t.Fatal(err)
	}
	if err := bob.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if bo, err := bob.FindOrg("C2"); err != nil || bo.ID != o.ID {
		t.Fatalf("bob after the rename: %v", err)
	}
}
