package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests, namedTest{name: "ObjectsPerAccountAreBounded", fn: testObjectLimits})
}

// testObjectLimits: what no byte quota counts is bounded inside the
// creating transaction (issue 23, finding 6): organisations an account
// owns, private groups a member manages, open invitations of an
// organisation. The one over the limit is refused and not stored.
func testObjectLimits(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	var o store.Org
	for range store.MaxOrgsPerOwner {
		o = newOrg(t, s, owner)
	}
	extra := store.Org{ID: id(), OwnerID: owner.ID, Meta: []byte("m"), KeyEpoch: 1, RosterVersion: 1, Roster: []byte("[]"), RosterSig: []byte("sig"), CreatedAt: now}
	wantLimit(t, s.CreateOrg(ctx, extra, store.KeyWrap{ObjectID: extra.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}))
	if _, err := s.Org(ctx, extra.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused organisation was stored: %v", err)
	}

	member, _ := newAccount(t, s, "member@example.com")
	o = confirm(t, s, o, member)
	group := func() store.Group {
		return store.Group{ID: id(), OrgID: o.ID, ManagerID: member.ID, Private: true, DefaultPermission: store.PermView, Meta: []byte("m"),
			SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("ks"), Epoch: 1, CreatedAt: now}
	}
	create := func(g store.Group) error {
		return s.CreateGroup(ctx, g, store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: member.ID, SignerID: member.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil)
	}
	for i := range store.MaxPrivateGroupsPerOwner {
		if err := create(group()); err != nil {
			t.Fatalf("private group %d: %v", i, err)
		}
	}
	g := group()
	wantLimit(t, create(g))
	if _, err := s.Group(ctx, g.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused group was stored: %v", err)
	}
	// The owner's own groups are not the member's.
	og := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("ks"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, og, store.KeyWrap{ObjectID: og.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}

	invs := func(n int) []store.Invitation {
		out := make([]store.Invitation, n)
		for i := range out {
			out[i] = store.Invitation{ID: id(), Email: fmt.Sprintf("guest%d-%s@example.com", i, id()[:8])}
		}
		return out
	}
	batch := func() store.InviteBatch {
		return store.InviteBatch{ID: id(), OrgID: o.ID, VerifierHash: []byte("vh"), OrgTag: []byte("tag"), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: now}
	}
	if err := s.CreateInvitations(ctx, batch(), invs(store.MaxOpenInvitationsPerOrg-1)); err != nil {
		t.Fatal(err)
	}
	wantLimit(t, s.CreateInvitations(ctx, batch(), invs(2)))
	if err := s.CreateInvitations(ctx, batch(), invs(1)); err != nil {
		t.Fatalf("the last place: %v", err)
	}
}

func wantLimit(t *testing.T, err error) {
	t.Helper()
	var le *store.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("over the limit: %v, want a *store.LimitError", err)
	}
}
