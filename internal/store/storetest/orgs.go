package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "OrgMembershipLifecycle", fn: testOrgMembership},
		namedTest{name: "GroupGrantsReachMembers", fn: testGroupGrants},
		namedTest{name: "NewAccessSyncsOldItems", fn: testNewAccessSyncsOldItems},
		namedTest{name: "MoveItem", fn: testMoveItem},
		namedTest{name: "Keyring", fn: testKeyring},
		namedTest{name: "ReissueReplacesInOneTransaction", fn: testReissue},
	)
}

func newOrg(t *testing.T, s store.Store, owner store.Account) store.Org {
	t.Helper()
	o := store.Org{ID: id(), OwnerID: owner.ID, Meta: []byte("sealed name"), KeyEpoch: 1, RosterVersion: 1, Roster: []byte("[]"), RosterSig: []byte("sig"), CreatedAt: now}
	if err := s.CreateOrg(ctx, o, store.KeyWrap{ObjectID: o.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}); err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	return o
}

// confirm runs invite → join → confirm for member in o and returns o with
// its new roster version.
func confirm(t *testing.T, s store.Store, o store.Org, member store.Account) store.Org {
	t.Helper()
	b := store.InviteBatch{ID: id(), OrgID: o.ID, VerifierHash: []byte("vh"), OrgTag: []byte("tag"), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: now}
	inv := store.Invitation{ID: id(), Email: member.Email}
	if err := s.CreateInvitations(ctx, b, []store.Invitation{inv}); err != nil {
		t.Fatalf("CreateInvitations: %v", err)
	}
	if err := s.JoinInvitation(ctx, inv.ID, member.ID, []byte("mac"), now); err != nil {
		t.Fatalf("JoinInvitation: %v", err)
	}
	o.RosterVersion++
	if err := s.ConfirmMember(ctx, inv.ID, o, store.KeyWrap{ObjectID: o.ID, Epoch: 1, MemberID: member.ID, SignerID: o.OwnerID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, now); err != nil {
		t.Fatalf("ConfirmMember: %v", err)
	}
	return o
}

func testOrgMembership(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	alice, _ := newAccount(t, s, "alice@example.com")
	bob, _ := newAccount(t, s, "bob@example.com")
	o := newOrg(t, s, owner)
	if role, err := s.OrgRole(ctx, o.ID, owner.ID); err != nil || role != store.RoleOwner {
		t.Fatalf("owner role = %q, %v", role, err)
	}

	b := store.InviteBatch{ID: id(), OrgID: o.ID, VerifierHash: []byte("vh"), OrgTag: []byte("t"), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: now}
	invA, invB := store.Invitation{ID: id(), Email: "Alice@example.com"}, store.Invitation{ID: id(), Email: "bob@example.com"}
	if err := s.CreateInvitations(ctx, b, []store.Invitation{invA, invB}); err != nil {
		t.Fatal(err)
	}
	// A second open invitation for the same address is refused, atomically.
	b2 := b
	b2.ID = id()
	err := s.CreateInvitations(ctx, b2, []store.Invitation{{ID: id(), Email: "carol@example.com"}, {ID: id(), Email: "alice@example.com"}})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate open invitation: %v", err)
	}
	if open, _ := s.OpenInvitationsFor(ctx, "carol@example.com"); len(open) != 0 {
		t.Fatal("half-written batch: carol's invitation exists")
	}
	if open, err := s.OpenInvitationsFor(ctx, "ALICE@example.com"); err != nil || len(open) != 1 || open[0].ID != invA.ID {
		t.Fatalf("OpenInvitationsFor = %+v, %v", open, err)
	}
	if n, err := s.CountJoinAttempt(ctx, invA.ID, 5, now); err != nil || n != 1 {
		t.Fatalf("CountJoinAttempt = %d, %v", n, err)
	}
	if err := s.JoinInvitation(ctx, invA.ID, alice.ID, []byte("mac"), now); err != nil {
		t.Fatal(err)
	}
	if err := s.JoinInvitation(ctx, invA.ID, alice.ID, []byte("mac"), now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second join: %v", err)
	}
	// A joined invitation is still the invitee's to see, waiting for
	// the owner's confirmation.
	if open, err := s.OpenInvitationsFor(ctx, "alice@example.com"); err != nil || len(open) != 1 || open[0].State != store.InviteJoined {
		t.Fatalf("OpenInvitationsFor after the join = %+v, %v", open, err)
	}
	// Confirm with a stale roster version: conflict, nothing written.
	stale := o
	err = s.ConfirmMember(ctx, invA.ID, stale, store.KeyWrap{ObjectID: o.ID, Epoch: 1, MemberID: alice.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s")}, now)
	var ce *store.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("stale roster: %v", err)
	}
	if role, _ := s.OrgRole(ctx, o.ID, alice.ID); role != "" {
		t.Fatal("member added despite the conflict")
	}
	o.RosterVersion = 2
	if err := s.ConfirmMember(ctx, invA.ID, o, store.KeyWrap{ObjectID: o.ID, Epoch: 1, MemberID: alice.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s")}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.CancelInvitation(ctx, invB.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := s.CancelInvitation(ctx, invA.ID, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cancel a confirmed invitation: %v", err)
	}
	members, err := s.OrgMembers(ctx, o.ID)
	if err != nil || len(members) != 2 {
		t.Fatalf("OrgMembers = %+v, %v", members, err)
	}
	orgs, err := s.OrgsForUser(ctx, alice.ID)
	if err != nil || len(orgs) != 1 || orgs[0].Role != store.RoleMember || len(orgs[0].Wraps) != 1 || orgs[0].RosterVersion != 2 {
		t.Fatalf("OrgsForUser = %+v, %v", orgs, err)
	}
	if orgs, _ := s.OrgsForUser(ctx, bob.ID); len(orgs) != 0 {
		t.Fatal("cancelled invitee is a member")
	}
	// The owner cannot be removed; a member can.
	o.RosterVersion = 3
	if _, err := s.RemoveMember(ctx, o, owner.ID, nil); !errors.Is(err, store.ErrOwner) {
		t.Fatalf("remove owner: %v, want ErrOwner", err)
	}
	if _, err := s.RemoveMember(ctx, o, alice.ID, nil); err != nil {
		t.Fatal(err)
	}
	if role, _ := s.OrgRole(ctx, o.ID, alice.ID); role != "" {
		t.Fatal("removed member still a member")
	}
}

func testGroupGrants(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	alice, _ := newAccount(t, s, "alice@example.com")
	bob, _ := newAccount(t, s, "bob@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, alice)
	o = confirm(t, s, o, bob)

	g := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("ks"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, g, store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Group(ctx, g.ID); len(got.Members) != 0 {
		t.Fatalf("a new organisation group has members: %v", got.Members)
	}
	if err := s.AddGroupMembers(ctx, g.ID, []store.KeyWrap{{ObjectID: g.ID, Epoch: 1, MemberID: alice.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}}); err != nil {
		t.Fatal(err)
	}
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Meta: []byte("vm"), Epoch: 1, CreatedAt: now}
	ownerWrap := store.VaultKeyWrap{VaultID: v.ID, Epoch: 1, RecipientKind: "user", RecipientID: owner.ID, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s")}
	if err := s.CreateVault(ctx, v, []store.VaultKeyWrap{ownerWrap}, []store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: owner.ID, Permission: store.PermManage}}); err != nil {
		t.Fatal(err)
	}
	groupWrap := store.VaultKeyWrap{VaultID: v.ID, Epoch: 1, RecipientKind: "group", RecipientID: g.ID, SignerID: owner.ID, Wrap: []byte("gw"), Sig: []byte("s")}
	if err := s.GrantVault(ctx, store.Grant{VaultID: v.ID, GranteeKind: "group", GranteeID: g.ID, Permission: store.PermEdit}, []store.VaultKeyWrap{groupWrap}); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.VaultPermission(ctx, alice.ID, v.ID); p != store.PermEdit {
		t.Fatalf("alice via group = %v, want edit", p)
	}
	if p, _ := s.VaultPermission(ctx, bob.ID, v.ID); p != store.PermNone {
		t.Fatalf("bob (not in group) = %v", p)
	}
	vaults, _ := s.VaultsForUser(ctx, alice.ID)
	var found *store.VaultAccess
	for i := range vaults {
		if vaults[i].ID == v.ID {
			found = &vaults[i]
		}
	}
	if found == nil || len(found.Wraps) != 1 || found.Wraps[0].RecipientKind != "group" || string(found.Meta) != "vm" {
		t.Fatalf("alice's view of the vault: %+v", found)
	}
	groups, wraps, err := s.GroupsForUser(ctx, alice.ID)
	if err != nil || len(groups) != 1 || len(wraps) != 1 || len(groups[0].Members) != 1 {
		t.Fatalf("GroupsForUser = %+v %+v %v", groups, wraps, err)
	}
	// A direct grant and a group grant: the higher permission wins.
	if err := s.GrantVault(ctx, store.Grant{VaultID: v.ID, GranteeKind: "user", GranteeID: alice.ID, Permission: store.PermView}, nil); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.VaultPermission(ctx, alice.ID, v.ID); p != store.PermEdit {
		t.Fatalf("alice with view + group edit = %v", p)
	}
	if err := s.RemoveGroupMember(ctx, g.ID, alice.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.VaultPermission(ctx, alice.ID, v.ID); p != store.PermView {
		t.Fatalf("alice after leaving the group = %v, want view", p)
	}
	if err := s.RevokeGrant(ctx, v.ID, "user", alice.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.VaultPermission(ctx, alice.ID, v.ID); p != store.PermNone {
		t.Fatalf("alice after revoke = %v", p)
	}
	if grants, _ := s.VaultGrants(ctx, v.ID); len(grants) != 2 {
		t.Fatalf("grants = %+v", grants)
	}
}

func testNewAccessSyncsOldItems(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	alice, _ := newAccount(t, s, "alice@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, alice)
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Epoch: 1, CreatedAt: now}
	if err := s.CreateVault(ctx, v, nil, []store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: owner.ID, Permission: store.PermManage}}); err != nil {
		t.Fatal(err)
	}
	old := newItem(t, s, owner.ID, v.ID, "old")
	_, _, cursor, _ := s.Changes(ctx, alice.ID, 0)
	if err := s.GrantVault(ctx, store.Grant{VaultID: v.ID, GranteeKind: "user", GranteeID: alice.ID, Permission: store.PermView}, nil); err != nil {
		t.Fatal(err)
	}
	states, _, _, err := s.Changes(ctx, alice.ID, cursor)
	if err != nil || len(states) != 1 || states[0].ID != old.ID {
		t.Fatalf("after a new grant, delta sync returned %d items, %v", len(states), err)
	}
}

func testMoveItem(t *testing.T, s store.Store) {
	owner, personal := newAccount(t, s, "owner@example.com")
	o := newOrg(t, s, owner)
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: owner.ID, Epoch: 1, CreatedAt: now}
	if err := s.CreateVault(ctx, v, nil, []store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: owner.ID, Permission: store.PermManage}}); err != nil {
		t.Fatal(err)
	}
	it := newItem(t, s, owner.ID, personal.ID, "r1")
	moved, err := s.MoveItem(ctx, it.ID, 1, v.ID, revision(owner.ID, v.ID, "r2"), []store.ItemKeyWrap{{KeyVault: personal.ID, KeyEpoch: 1, WrapVault: v.ID, WrapEpoch: 1, Wrap: []byte("rw")}})
	if err != nil || moved.VaultID != v.ID || moved.Head != 2 {
		t.Fatalf("MoveItem = %+v, %v", moved, err)
	}
	revs, _ := s.Revisions(ctx, it.ID)
	if len(revs) != 2 || revs[0].VaultID != personal.ID || revs[1].VaultID != v.ID {
		t.Fatalf("revisions after move: %+v", revs)
	}
	st, _ := s.ItemState(ctx, it.ID)
	if len(st.KeyWraps) != 2 {
		t.Fatalf("key wraps after move: %d", len(st.KeyWraps))
	}
}

func testKeyring(t *testing.T, s store.Store) {
	a, _ := newAccount(t, s, "a@example.com")
	if v, box, err := s.Keyring(ctx, a.ID); err != nil || v != 0 || box != nil {
		t.Fatalf("empty keyring = %d %x %v", v, box, err)
	}
	if err := s.PutKeyring(ctx, a.ID, 0, []byte("k1"), now); err != nil {
		t.Fatal(err)
	}
	var ce *store.ConflictError
	if err := s.PutKeyring(ctx, a.ID, 0, []byte("k1'"), now); !errors.As(err, &ce) || ce.Head != 1 {
		t.Fatalf("second first write: %v", err)
	}
	if err := s.PutKeyring(ctx, a.ID, 1, []byte("k2"), now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if v, box, _ := s.Keyring(ctx, a.ID); v != 2 || string(box) != "k2" {
		t.Fatalf("keyring = %d %q", v, box)
	}
}

// testReissue (issue 24): a batch whose invitation names one to replace
// cancels it in the transaction that stores the batch — only an invited
// invitation of the same organisation and address — and the owner's
// authority is re-checked in that transaction: a member's re-issue, or
// one that names the wrong invitation, changes nothing.
func testReissue(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	member, _ := newAccount(t, s, "member@example.com")
	joiner, _ := newAccount(t, s, "joiner@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, member)
	other := newOrg(t, s, member)
	batch := func(orgID string) store.InviteBatch {
		return store.InviteBatch{ID: id(), OrgID: orgID, VerifierHash: []byte("vh"), OrgTag: []byte("tag"), Details: []byte("d"), SealedCode: []byte("c"), CreatedAt: now, InviterID: owner.ID}
	}
	locked := store.Invitation{ID: id(), Email: "x@example.com"}
	joined := store.Invitation{ID: id(), Email: joiner.Email}
	if err := s.CreateInvitations(ctx, batch(o.ID), []store.Invitation{locked, joined}); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := s.CountJoinAttempt(ctx, locked.ID, 5, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.JoinInvitation(ctx, joined.ID, joiner.ID, []byte("mac"), now); err != nil {
		t.Fatal(err)
	}
	otherInv := store.Invitation{ID: id(), Email: "x@example.com"}
	if err := s.CreateInvitations(ctx, batch(other.ID), []store.Invitation{otherInv}); err != nil {
		t.Fatal(err)
	}
	unchanged := func(what string) {
		t.Helper()
		in, err := s.Invitation(ctx, locked.ID)
		if err != nil || in.State != store.InviteInvited || in.FailedAttempts != 5 {
			t.Fatalf("%s: the locked invitation is %+v, %v", what, in, err)
		}
		if open, _ := s.OpenInvitationsFor(ctx, "x@example.com"); len(open) != 2 {
			t.Fatalf("%s: open invitations of x: %+v", what, open)
		}
	}
	fresh := func(replaces, email string) []store.Invitation {
		return []store.Invitation{{ID: id(), Email: email, Replaces: replaces}}
	}
	asOwner := as(store.Requirement{UserID: owner.ID, OrgID: o.ID, Owner: true})
	for _, tc := range []struct {
		name string
		c    context.Context
		b    store.InviteBatch
		invs []store.Invitation
		want error
	}{
		{"a member", as(store.Requirement{UserID: member.ID, OrgID: o.ID, Owner: true}), batch(o.ID), fresh(locked.ID, "x@example.com"), store.ErrNoLongerAllowed},
		{"another address", asOwner, batch(o.ID), fresh(locked.ID, "y@example.com"), store.ErrNotFound},
		{"another organisation's", asOwner, batch(o.ID), fresh(otherInv.ID, "x@example.com"), store.ErrNotFound},
		{"a joined invitation", asOwner, batch(o.ID), fresh(joined.ID, joiner.Email), store.ErrNotFound},
		{"with a bad second address", asOwner, batch(o.ID), append(fresh(locked.ID, "x@example.com"), fresh(id(), "z@example.com")...), store.ErrNotFound},
	} {
		if err := s.CreateInvitations(tc.c, tc.b, tc.invs); !errors.Is(err, tc.want) {
			t.Fatalf("re-issue by %s: %v, want %v", tc.name, err, tc.want)
		}
		unchanged(tc.name)
		if _, err := s.InviteBatch(ctx, tc.b.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("re-issue by %s stored its batch: %v", tc.name, err)
		}
	}
	if in, _ := s.Invitation(ctx, joined.ID); in.State != store.InviteJoined {
		t.Fatalf("the joined invitation is %s", in.State)
	}
	next := fresh(locked.ID, "X@example.com")
	if err := s.CreateInvitations(asOwner, batch(o.ID), next); err != nil {
		t.Fatalf("the owner's re-issue: %v", err)
	}
	if in, _ := s.Invitation(ctx, locked.ID); in.State != store.InviteCancelled {
		t.Fatalf("the replaced invitation is %s, want cancelled", in.State)
	}
	if in, err := s.Invitation(ctx, next[0].ID); err != nil || in.State != store.InviteInvited || in.FailedAttempts != 0 {
		t.Fatalf("the new invitation: %+v, %v", in, err)
	}
	// Replaced once: naming it again finds nothing open.
	if err := s.CreateInvitations(asOwner, batch(o.ID), fresh(locked.ID, "x@example.com")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("replacing a cancelled invitation: %v", err)
	}
}
