package storetest

import (
	"reflect"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests, namedTest{name: "EventsViewerIsTheBacklogRule", fn: testEventsViewer})
}

// seen filters the whole change log with the user's viewer: what live
// fan-out delivers.
func seen(t *testing.T, s store.Store, userID string, since int64) []store.Event {
	t.Helper()
	all, _, err := s.EventsAfter(ctx, since, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Viewer(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Event
	for _, e := range all {
		if v.Sees(e) {
			out = append(out, e)
		}
	}
	return out
}

func backlog(t *testing.T, s store.Store, userID string, since int64) []store.Event {
	t.Helper()
	evs, _, more, err := s.EventsSince(ctx, userID, since, 10000)
	if err != nil || more {
		t.Fatalf("EventsSince: %v (more %v)", err, more)
	}
	return evs
}

// testEventsViewer: the stored backlog (EventsSince, SQL candidates then
// Viewer.Sees) and live fan-out (the whole log filtered by Viewer.Sees)
// give every user the same events from every cursor; private groups stay
// private; a member sees an organisation from their confirmation on.
func testEventsViewer(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	alice, _ := newAccount(t, s, "alice@example.com")
	bob, _ := newAccount(t, s, "bob@example.com")
	carol, _ := newAccount(t, s, "carol@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, alice)
	o = confirm(t, s, o, bob)
	wrap := func(obj, member, signer string) store.KeyWrap {
		return store.KeyWrap{ObjectID: obj, Epoch: 1, MemberID: member, SignerID: signer, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}
	}
	// Alice's private group with its vault, Bob added; an organisation
	// group with Alice; an organisation vault granted to it.
	pg := store.Group{ID: id(), OrgID: o.ID, ManagerID: alice.ID, Private: true, DefaultPermission: store.PermView, Meta: []byte("m"), SignPub: []byte("s"), KEMPub: []byte("k"), KeysSig: []byte("x"), Epoch: 1, CreatedAt: now}
	pv := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: alice.ID, Epoch: 1, CreatedAt: now}
	pg.VaultID = pv.ID
	if err := s.CreateGroup(ctx, pg, wrap(pg.ID, alice.ID, alice.ID), &pv, nil,
		[]store.Grant{{VaultID: pv.ID, GranteeKind: "group", GranteeID: pg.ID, Permission: store.PermEdit, CreatedAt: now}}, manifest(pv.ID, 1, alice.ID)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupMembers(ctx, pg.ID, []store.KeyWrap{wrap(pg.ID, bob.ID, alice.ID)}); err != nil {
		t.Fatal(err)
	}
	og := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"), SignPub: []byte("s"), KEMPub: []byte("k"), KeysSig: []byte("x"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, og, wrap(og.ID, owner.ID, owner.ID), nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupMembers(ctx, og.ID, []store.KeyWrap{wrap(og.ID, alice.ID, owner.ID)}); err != nil {
		t.Fatal(err)
	}
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Epoch: 1, CreatedAt: now}
	if err := s.CreateVault(ctx, v, nil, []store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: owner.ID, Permission: store.PermManage}}, manifest(v.ID, 1, owner.ID)); err != nil {
		t.Fatal(err)
	}
	if err := s.GrantVault(ctx, store.Grant{VaultID: v.ID, GranteeKind: "group", GranteeID: og.ID, Permission: store.PermView}, nil); err != nil {
		t.Fatal(err)
	}
	newItem(t, s, owner.ID, v.ID, "v1")
	newItem(t, s, alice.ID, pv.ID, "p1")
	if err := s.RemoveGroupMember(ctx, pg.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	newItem(t, s, alice.ID, pv.ID, "p2")
	// Carol joins late and is granted the organisation vault.
	o = confirm(t, s, o, carol)
	newItem(t, s, owner.ID, v.ID, "v2")
	if err := s.GrantVault(ctx, store.Grant{VaultID: v.ID, GranteeKind: "user", GranteeID: carol.ID, Permission: store.PermView}, nil); err != nil {
		t.Fatal(err)
	}
	newItem(t, s, owner.ID, v.ID, "v3")

	_, latest, err := s.EventsAfter(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]store.Account{"owner": owner, "alice": alice, "bob": bob, "carol": carol}
	for name, u := range users {
		for since := int64(0); since <= latest; since++ {
			b, l := backlog(t, s, u.ID, since), seen(t, s, u.ID, since)
			if len(b) != 0 || len(l) != 0 {
				if !reflect.DeepEqual(b, l) {
					t.Fatalf("%s from %d: the backlog gives %+v, live fan-out %+v", name, since, b, l)
				}
			}
		}
	}

	privateEvents := func(u store.Account) (n int) {
		for _, e := range backlog(t, s, u.ID, 0) {
			if e.TargetGroup == pg.ID || e.VaultID == pv.ID {
				n++
			}
		}
		return n
	}
	if n := privateEvents(carol); n != 0 {
		t.Errorf("carol (not in the private group) sees %d of its events", n)
	}
	if privateEvents(owner) == 0 || privateEvents(alice) == 0 {
		t.Errorf("the owner and the manager should see the private group's events")
	}
	var joined int64
	for _, e := range backlog(t, s, carol.ID, 0) {
		if e.Kind == store.EventMemberConfirmed && e.TargetUser == carol.ID {
			joined = e.Seq
		}
	}
	for _, e := range backlog(t, s, carol.ID, 0) {
		if e.OrgID == o.ID && e.Seq < joined {
			t.Errorf("carol sees %s at %d, before joining at %d", e.Kind, e.Seq, joined)
		}
	}
	// Bob hears of his removal from the private group, then nothing of it.
	var removedAt int64
	for _, e := range backlog(t, s, bob.ID, 0) {
		if e.Kind == store.EventGroupMemberLeft && e.TargetUser == bob.ID && e.TargetGroup == pg.ID {
			removedAt = e.Seq
		}
	}
	if removedAt == 0 {
		t.Fatal("bob did not hear of his removal from the private group")
	}
	for _, e := range backlog(t, s, bob.ID, removedAt) {
		if e.TargetGroup == pg.ID || e.VaultID == pv.ID {
			t.Errorf("bob sees %s of the private group after leaving it", e.Kind)
		}
	}
	// The limit is on candidates: a short answer says there is more.
	if evs, _, more, err := s.EventsSince(ctx, owner.ID, 0, 3); err != nil || !more || len(evs) > 3 {
		t.Fatalf("EventsSince with limit 3: %d events, more %v, %v", len(evs), more, err)
	}
}
