package client_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestRotationPermissions (issue 25): who may rotate what (protocol
// §18.2). A vault's managers and the owner rotate at any time; any other
// reader only a rotation the vault owes; a group's manager at any time, a
// member only what the group owes; the organisation key only the owner.
// Everyone else is refused — a removed member and an outsider as if the
// object did not exist.
func TestRotationPermissions(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@rotperm.example")
	manager := signup(t, env.URL, "manager@rotperm.example")
	viewer := signup(t, env.URL, "viewer@rotperm.example")
	gone := signup(t, env.URL, "gone@rotperm.example")
	outsider := signup(t, env.URL, "outsider@rotperm.example")
	o := company(t, owner, "RotPerm", manager, viewer, gone)
	v, err := owner.CreateVault(ctx, o.ID, "V")
	if err != nil {
		t.Fatal(err)
	}
	for email, perm := range map[string]string{"manager@rotperm.example": "manage", "viewer@rotperm.example": "view", "gone@rotperm.example": "view"} {
		if err := owner.GrantUser(ctx, mustVault(t, owner, v.ID), email, perm); err != nil {
			t.Fatal(err)
		}
	}
	g, err := owner.CreateGroup(ctx, o.ID, "Ops", false, "view")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.AddGroupMembers(ctx, g, []string{"viewer@rotperm.example", "gone@rotperm.example"}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*client.Session{manager, viewer, gone} {
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	status := func(s *client.Session, path string) int {
		t.Helper()
		code, err := call(env.URL+"/api/v1", s, http.MethodPost, path, map[string]any{"from_epoch": 1})
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	vaultPath, groupPath, orgPath := "/vaults/"+v.ID+"/rotate", "/groups/"+g.ID+"/rotate", "/orgs/"+o.ID+"/rotate"

	// Nothing owed: only managers and the owner.
	for _, c := range []struct {
		who  string
		s    *client.Session
		path string
		want int
	}{
		{"viewer, vault", viewer, vaultPath, 403},
		{"member, group", viewer, groupPath, 403},
		{"member, organisation", viewer, orgPath, 403},
		{"manager, organisation", manager, orgPath, 403},
		{"outsider, vault", outsider, vaultPath, 404},
		{"outsider, group", outsider, groupPath, 404},
		{"outsider, organisation", outsider, orgPath, 404},
	} {
		if got := status(c.s, c.path); got != c.want {
			t.Errorf("%s: %d, want %d", c.who, got, c.want)
		}
	}
	if err := manager.RotateVault(ctx, mustVault(t, manager, v.ID)); err != nil {
		t.Fatalf("the vault's manager rotates: %v", err)
	}
	if err := owner.RotateGroup(ctx, mustGroup(t, owner, o.ID, g.ID)); err != nil {
		t.Fatalf("the group's manager rotates: %v", err)
	}
	if err := owner.RotateOrg(ctx, mustOrg(t, owner, o.ID)); err != nil {
		t.Fatalf("the owner rotates the organisation key: %v", err)
	}

	// gone leaves the organisation (a departure the owner has not yet
	// completed): the group and the vault owe rotations, which a member
	// and a reader may now do — gone may not.
	if err := gone.LeaveOrg(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{vaultPath, groupPath, orgPath} {
		if got := status(gone, path); got != 404 {
			t.Errorf("the member who left, %s: %d, want 404", path, got)
		}
	}
	// Owed now: the viewer, a member of the group and a reader of the
	// vault, may rotate both (a sync leaves them to their managers, who
	// are online; an explicit rotation is allowed).
	if err := viewer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := viewer.RotateGroup(ctx, mustGroup(t, viewer, o.ID, g.ID)); err != nil {
		t.Fatalf("a member rotates the group it owes: %v", err)
	}
	if err := viewer.RotateVault(ctx, mustVault(t, viewer, v.ID)); err != nil {
		t.Fatalf("a reader rotates the vault it owes: %v", err)
	}
	if status(viewer, orgPath) != 403 {
		t.Error("a member rotated the organisation key")
	}
	ps, err := owner.PendingRotations(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Kind != "org" {
		t.Fatalf("owed after the viewer's rotations: %+v (want the organisation key)", ps)
	}
	// The owner's next sync does the organisation key.
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if ps, _ := owner.PendingRotations(ctx, o.ID); len(ps) != 0 {
		t.Fatalf("owed after the owner's sync: %+v", ps)
	}
}

func mustGroup(t *testing.T, s *client.Session, orgID, id string) *client.Group {
	t.Helper()
	g, err := s.FindGroup(orgID, id)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustOrg(t *testing.T, s *client.Session, id string) *client.Org {
	t.Helper()
	o, err := s.FindOrg(id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestFormerOwnerLeavingRotatesTheGroupsTheyHeld: whoever holds a group's
// key without being its member — an owner who handed the organisation
// on keeps the organisation groups' keys they managed — makes the group
// owe a rotation when they leave, and the vaults granted to it with it
// (else the vaults' new keys would go to group keys they still hold).
func TestFormerOwnerLeavingRotatesTheGroupsTheyHeld(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	first := signup(t, env.URL, "first@heldkeys.example")
	next := signup(t, env.URL, "next@heldkeys.example")
	o := company(t, first, "Held", next)
	g, err := first.CreateGroup(ctx, o.ID, "Ops", false, "view")
	if err != nil {
		t.Fatal(err)
	}
	if err := first.AddGroupMembers(ctx, g, []string{"next@heldkeys.example"}); err != nil {
		t.Fatal(err)
	}
	v, err := first.CreateVault(ctx, o.ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	if err := first.GrantGroup(ctx, mustVault(t, first, v.ID), g.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := first.OfferOwnership(ctx, o.ID, "next@heldkeys.example"); err != nil {
		t.Fatal(err)
	}
	if err := next.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := next.AcceptOwnership(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := first.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := first.LeaveOrg(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	ps, err := next.PendingRotations(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	owed := map[string]bool{}
	for _, p := range ps {
		owed[p.Kind+":"+p.ObjectID] = true
	}
	if !owed["group:"+g.ID] || !owed["vault:"+v.ID] || !owed["org:"+o.ID] {
		t.Fatalf("owed after the former owner left: %+v; want the organisation, the group whose key they held and its vault", ps)
	}
	if err := next.Sync(ctx); err != nil { // the new owner does them
		t.Fatal(err)
	}
	if ps, _ := next.PendingRotations(ctx, o.ID); len(ps) != 0 {
		t.Fatalf("still owed after the new owner's sync: %+v", ps)
	}
}

// TestHoldersRotationIsRecheckedInItsTransaction: a member's or reader's
// right to do an owed rotation is decided again inside the rotation's
// transaction (review finding: a member removed while their rotation was
// on its way would have made the group's new keys, and kept them). Here
// the store is called as the handler would after its own checks passed,
// once the access is gone, and once the rotation is no longer owed.
func TestHoldersRotationIsRecheckedInItsTransaction(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@recheck.example")
	x := signup(t, env.URL, "x@recheck.example")
	y := signup(t, env.URL, "y@recheck.example")
	o := company(t, owner, "Recheck", x, y)
	g, err := owner.CreateGroup(ctx, o.ID, "Ops", false, "view")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.AddGroupMembers(ctx, g, []string{"x@recheck.example", "y@recheck.example"}); err != nil {
		t.Fatal(err)
	}
	v, err := owner.CreateVault(ctx, o.ID, "V")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, mustVault(t, owner, v.ID), "x@recheck.example", "view"); err != nil {
		t.Fatal(err)
	}
	// The owner revokes x and removes them from the group, leaving both
	// rotations owed (straight in the store: no rotation follows).
	if err := env.Store.RevokeGrant(ctx, v.ID, "user", x.Profile.UserID); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.RemoveGroupMember(ctx, g.ID, x.Profile.UserID); err != nil {
		t.Fatal(err)
	}
	sg, _ := env.Store.Group(ctx, g.ID)
	if err := env.Store.RotateGroup(ctx, g.ID, sg.Epoch, store.GroupKeys{GroupID: g.ID}, nil, x.Profile.UserID); !errors.Is(err, store.ErrNoLongerAllowed) {
		t.Fatalf("a rotation of the group by a member removed meanwhile: %v, want ErrNoLongerAllowed", err)
	}
	sv, _ := env.Store.Vault(ctx, v.ID)
	if err := env.Store.RotateVault(ctx, v.ID, sv.Epoch, nil, x.Profile.UserID); !errors.Is(err, store.ErrNoLongerAllowed) {
		t.Fatalf("a rotation of the vault by a reader revoked meanwhile: %v, want ErrNoLongerAllowed", err)
	}
	// y, still a member, may — until the owner has done it.
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	sg, _ = env.Store.Group(ctx, g.ID)
	var rc *store.RecordConflict
	if err := env.Store.RotateGroup(ctx, g.ID, sg.Epoch, store.GroupKeys{GroupID: g.ID}, nil, y.Profile.UserID); !errors.As(err, &rc) {
		t.Fatalf("a member's rotation of a group that owes none any more: %v, want a record conflict", err)
	}
}

// TestOwedRotationsAreShownToWhoMaySeeThem: a member is not told of owed
// rotations of a private group it is not in, or of a vault it cannot
// read (review finding); the owner sees every one.
func TestOwedRotationsAreShownToWhoMaySeeThem(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@owedseen.example")
	ann := signup(t, env.URL, "ann@owedseen.example")
	bob := signup(t, env.URL, "bob@owedseen.example")
	carl := signup(t, env.URL, "carl@owedseen.example")
	o := company(t, owner, "OwedSeen", ann, bob, carl)
	p, err := ann.CreateGroup(ctx, o.ID, "Secret", true, "view")
	if err != nil {
		t.Fatal(err)
	}
	if err := ann.AddGroupMembers(ctx, p, []string{"bob@owedseen.example"}); err != nil {
		t.Fatal(err)
	}
	// Straight in the store: bob leaves the private group, the rotations
	// stay owed (ann has not synced).
	if err := env.Store.RemoveGroupMember(ctx, p.ID, bob.Profile.UserID); err != nil {
		t.Fatal(err)
	}
	if err := carl.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if ps, err := carl.PendingRotations(ctx, o.ID); err != nil || len(ps) != 0 {
		t.Fatalf("carl, in neither, is told of %+v (%v)", ps, err)
	}
	if ps, err := owner.PendingRotations(ctx, o.ID); err != nil || len(ps) != 2 {
		t.Fatalf("the owner is told of %+v (%v), want the group and its vault", ps, err)
	}
	if ps, err := ann.PendingRotations(ctx, o.ID); err != nil || len(ps) != 2 {
		t.Fatalf("ann, the group's manager, is told of %+v (%v)", ps, err)
	}
}
