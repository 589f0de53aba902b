package storetest

import (
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests, namedTest{name: "EventsFollowVisibility", fn: testEvents})
}

func kinds(t *testing.T, s store.Store, userID string, since int64) ([]string, int64) {
	t.Helper()
	evs, latest, _, err := s.EventsSince(ctx, userID, since, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out, latest
}

func has(list []string, k string) bool {
	for _, x := range list {
		if x == k {
			return true
		}
	}
	return false
}

func testEvents(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	alice, _ := newAccount(t, s, "alice@example.com")
	outsider, _ := newAccount(t, s, "outsider@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, alice)
	// An invitee joining is told to the owner alone (confirm them).
	_, beforeBob := kinds(t, s, alice.ID, 0)
	bob, _ := newAccount(t, s, "bob@example.com")
	o = confirm(t, s, o, bob)
	if k, _ := kinds(t, s, owner.ID, 0); !has(k, store.EventMemberJoined) {
		t.Fatalf("the owner is not told of a join: %v", k)
	}
	for _, u := range []string{alice.ID, outsider.ID} {
		if k, _ := kinds(t, s, u, beforeBob); has(k, store.EventMemberJoined) {
			t.Fatalf("%s is told of someone else's join: %v", u, k)
		}
	}
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Epoch: 1, CreatedAt: now}
	if err := s.CreateVault(ctx, v, nil, []store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: owner.ID, Permission: store.PermManage}}); err != nil {
		t.Fatal(err)
	}
	_, start := kinds(t, s, alice.ID, 0)
	it := newItem(t, s, owner.ID, v.ID, "r1")
	if k, _ := kinds(t, s, owner.ID, start); !has(k, store.EventItemChanged) {
		t.Fatalf("owner's events: %v", k)
	}
	if k, _ := kinds(t, s, alice.ID, start); len(k) != 0 {
		t.Fatalf("alice sees events of a vault she cannot read: %v", k)
	}
	if err := s.GrantVault(ctx, store.Grant{VaultID: v.ID, GranteeKind: "user", GranteeID: alice.ID, Permission: store.PermView}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateItem(ctx, it.ID, 1, revision(owner.ID, v.ID, "r2"), nil); err != nil {
		t.Fatal(err)
	}
	k, cur := kinds(t, s, alice.ID, start)
	if !has(k, store.EventVaultGranted) || !has(k, store.EventItemChanged) {
		t.Fatalf("alice after the grant: %v", k)
	}
	if err := s.RevokeGrant(ctx, v.ID, "user", alice.ID); err != nil {
		t.Fatal(err)
	}
	s.UpdateItem(ctx, it.ID, 2, revision(owner.ID, v.ID, "r3"), nil)
	if k, _ := kinds(t, s, alice.ID, cur); len(k) != 1 || k[0] != store.EventVaultRevoked {
		t.Fatalf("alice after the revoke: %v (want only vault.revoked)", k)
	}
	if k, _ := kinds(t, s, outsider.ID, 0); len(k) != 0 {
		t.Fatalf("outsider sees %v", k)
	}
	// A removed member hears of the removal, then nothing of the organisation.
	_, cur = kinds(t, s, alice.ID, 0)
	o.RosterVersion++
	if _, err := s.RemoveMember(ctx, o, alice.ID, nil); err != nil {
		t.Fatal(err)
	}
	g := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"), SignPub: []byte("s"), KEMPub: []byte("k"), KeysSig: []byte("x"), Epoch: 1, CreatedAt: now}
	s.CreateGroup(ctx, g, store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil)
	if k, _ := kinds(t, s, alice.ID, cur); len(k) != 1 || k[0] != store.EventMemberRemoved {
		t.Fatalf("removed member's events: %v", k)
	}
	if k, _ := kinds(t, s, owner.ID, cur); !has(k, store.EventGroupChanged) {
		t.Fatalf("owner's organisation events: %v", k)
	}
}
