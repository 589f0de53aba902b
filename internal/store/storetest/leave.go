package storetest

import (
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests, namedTest{name: "RemovedManagerHandsGroupsToOwner", fn: testRemovedManager})
}

// testRemovedManager: removing a member who made and manages a private
// group hands it to the organisation's owner and stores the owner's new
// signature of its keys, in the removal's transaction; other groups and the
// group's remaining members are untouched.
func testRemovedManager(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	laura, _ := newAccount(t, s, "laura@example.com")
	intern, _ := newAccount(t, s, "intern@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, laura)
	o = confirm(t, s, o, intern)
	private := store.Group{ID: id(), OrgID: o.ID, ManagerID: laura.ID, Private: true, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("laura's sig"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, private, store.KeyWrap{ObjectID: private.ID, Epoch: 1, MemberID: laura.ID, SignerID: laura.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupMembers(ctx, private.ID, []store.KeyWrap{{ObjectID: private.ID, Epoch: 1, MemberID: intern.ID, SignerID: laura.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}}); err != nil {
		t.Fatal(err)
	}
	team := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp2"), KEMPub: []byte("kp2"), KeysSig: []byte("owner's sig"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, team, store.KeyWrap{ObjectID: team.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Group(ctx, private.ID); g.KeysSignerID != laura.ID {
		t.Fatalf("keys signer of a new group = %q, want its creator", g.KeysSignerID)
	}
	o.RosterVersion++
	if left, err := s.RemoveMember(ctx, o, laura.ID, map[string][]byte{private.ID: []byte("owner's new sig")}); err != nil || len(left) != 0 {
		t.Fatal(left, err)
	}
	g, err := s.Group(ctx, private.ID)
	if err != nil || g.ManagerID != owner.ID || g.KeysSignerID != owner.ID || string(g.KeysSig) != "owner's new sig" {
		t.Fatalf("the private group after its manager left: %+v, %v", g, err)
	}
	if len(g.Members) != 1 || g.Members[0] != intern.ID {
		t.Fatalf("members after the manager left: %v", g.Members)
	}
	if g, _ := s.Group(ctx, team.ID); g.ManagerID != owner.ID || string(g.KeysSig) != "owner's sig" {
		t.Fatalf("another group changed: %+v", g)
	}
	groups, wraps, err := s.GroupsForUser(ctx, intern.ID)
	if err != nil || len(groups) != 1 || len(wraps) != 1 || wraps[0].SignerID != laura.ID {
		t.Fatalf("the remaining member's group and wrap: %+v %+v %v", groups, wraps, err)
	}
	if groups, _, _ := s.GroupsForUser(ctx, laura.ID); len(groups) != 0 {
		t.Fatalf("the removed manager still has the group: %+v", groups)
	}
}
