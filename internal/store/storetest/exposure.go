package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "ExposureRecordedAtEveryLossOfAccess", fn: testExposure},
		namedTest{name: "ExposureOfRevokesAndGroupRemovals", fn: testExposurePartial})
}

// exposureItems renders a record's items as "item@vault#rev" in order,
// with "(trashed)" for those in the trash.
func exposureItems(e store.Exposure) []string {
	var out []string
	for _, it := range e.Items {
		s := it.ItemID + "@" + it.VaultID
		if !it.TrashedAt.IsZero() {
			s += "(trashed)"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func wantExposed(items ...store.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ID+"@"+it.VaultID)
	}
	slices.Sort(out)
	return out
}

func grantedVault(t *testing.T, s store.Store, o store.Org, wraps []store.VaultKeyWrap, grants ...store.Grant) store.Vault {
	t.Helper()
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: o.OwnerID, Meta: []byte("m"), Epoch: 1, CreatedAt: now}
	all := []store.VaultKeyWrap{{RecipientKind: "user", RecipientID: o.OwnerID}}
	allGrants := []store.Grant{{GranteeKind: "user", GranteeID: o.OwnerID, Permission: store.PermManage}}
	all = append(all, wraps...)
	allGrants = append(allGrants, grants...)
	for i := range all {
		all[i].VaultID, all[i].Epoch, all[i].SignerID, all[i].Wrap, all[i].Sig, all[i].CreatedAt = v.ID, 1, o.OwnerID, []byte("w"), []byte("s"), now
	}
	for i := range allGrants {
		allGrants[i].VaultID, allGrants[i].CreatedAt = v.ID, now
	}
	if err := s.CreateVault(ctx, v, all, allGrants, manifest(v.ID, 1, o.OwnerID)); err != nil {
		t.Fatal(err)
	}
	return v
}

// testExposure: a removal records, in its transaction, every item of
// every vault the member could open — directly, through an organisation
// group, through their private group — with its head revision, signed
// time and trash state, and nothing of a vault they could not open.
// Items written later are not in it; an item moved away later still is,
// in its vault then. Leaving and account deletion record the same; the
// records come newest first, and go with the organisation.
func testExposure(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	mia, _ := newAccount(t, s, "mia@example.com")
	leo, _ := newAccount(t, s, "leo@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, mia)
	o = confirm(t, s, o, leo)
	kw := func(obj, member, signer string) store.KeyWrap {
		return store.KeyWrap{ObjectID: obj, Epoch: 1, MemberID: member, SignerID: signer, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}
	}
	// Direct: vault A. Through the organisation group: vault B.
	direct := grantedVault(t, s, o, []store.VaultKeyWrap{{RecipientKind: "user", RecipientID: mia.ID}},
		store.Grant{GranteeKind: "user", GranteeID: mia.ID, Permission: store.PermView})
	team := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("ks"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, team, kw(team.ID, owner.ID, owner.ID), nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupMembers(ctx, team.ID, []store.KeyWrap{kw(team.ID, mia.ID, owner.ID)}); err != nil {
		t.Fatal(err)
	}
	viaGroup := grantedVault(t, s, o, []store.VaultKeyWrap{{RecipientKind: "group", RecipientID: team.ID}},
		store.Grant{GranteeKind: "group", GranteeID: team.ID, Permission: store.PermEdit})
	// Mia's private group and its vault (the owner holds neither).
	pv := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: mia.ID, Meta: []byte("m"), Epoch: 1, CreatedAt: now}
	pg := store.Group{ID: id(), OrgID: o.ID, ManagerID: mia.ID, Private: true, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("s2"), KEMPub: []byte("k2"), KeysSig: []byte("x"), Epoch: 1, VaultID: pv.ID, CreatedAt: now}
	if err := s.CreateGroup(ctx, pg, kw(pg.ID, mia.ID, mia.ID), &pv,
		[]store.VaultKeyWrap{{VaultID: pv.ID, Epoch: 1, RecipientKind: "group", RecipientID: pg.ID, SignerID: mia.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}},
		[]store.Grant{{VaultID: pv.ID, GranteeKind: "group", GranteeID: pg.ID, Permission: store.PermEdit, CreatedAt: now}}, manifest(pv.ID, 1, mia.ID)); err != nil {
		t.Fatal(err)
	}
	// A vault she was never given, and an empty one she was.
	closed := grantedVault(t, s, o, nil)
	empty := grantedVault(t, s, o, []store.VaultKeyWrap{{RecipientKind: "user", RecipientID: mia.ID}},
		store.Grant{GranteeKind: "user", GranteeID: mia.ID, Permission: store.PermView})

	a1 := newItem(t, s, owner.ID, direct.ID, "a1")
	r2 := revision(owner.ID, direct.ID, "a1 v2")
	r2.Time = 1_760_000_123_456
	st, err := s.UpdateItem(ctx, a1.ID, 1, r2, nil)
	if err != nil {
		t.Fatal(err)
	}
	a2 := newItem(t, s, owner.ID, direct.ID, "a2")
	if _, err := s.SetItemTrashed(ctx, a2.ID, true, now); err != nil {
		t.Fatal(err)
	}
	b1 := newItem(t, s, owner.ID, viaGroup.ID, "b1")
	p1 := newItem(t, s, mia.ID, pv.ID, "p1")
	newItem(t, s, owner.ID, closed.ID, "c1")

	o.RosterVersion++
	if _, err := s.RemoveMember(ctx, o, mia.ID, nil); err != nil {
		t.Fatal(err)
	}
	// After the removal: a new item, and a1 moved to the closed vault.
	later := newItem(t, s, owner.ID, direct.ID, "written after")
	if _, err := s.MoveItem(ctx, a1.ID, 2, closed.ID, revision(owner.ID, closed.ID, "moved"),
		[]store.ItemKeyWrap{{KeyVault: direct.ID, KeyEpoch: 1, WrapVault: closed.ID, WrapEpoch: 1, Wrap: []byte("rw")}}); err != nil {
		t.Fatal(err)
	}

	list, err := s.Exposures(ctx, o.ID, mia.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("Exposures = %+v, %v; want one record", list, err)
	}
	e := list[0]
	if e.How != store.RotateRemoved || e.UserID != mia.ID || e.OrgID != o.ID || e.At.IsZero() || e.ID == "" {
		t.Fatalf("record = %+v", e)
	}
	wantVaults := []string{direct.ID, viaGroup.ID, pv.ID, empty.ID}
	slices.Sort(wantVaults)
	if !slices.Equal(e.Vaults, wantVaults) {
		t.Fatalf("vaults = %v, want %v (direct, group, private group, empty; not the closed one)", e.Vaults, wantVaults)
	}
	got := exposureItems(e)
	w := wantExposed(a1, b1, p1)
	w = append(w, a2.ID+"@"+direct.ID+"(trashed)")
	slices.Sort(w)
	if !slices.Equal(got, w) {
		t.Fatalf("items = %v\nwant    %v (not %s, written after, nor the closed vault's)", got, w, later.ID)
	}
	for _, it := range e.Items {
		if it.ItemID == a1.ID && (it.Revision != 2 || it.TimeMS != uint64(r2.Time) || it.UpdatedAt.IsZero() || it.VaultID != direct.ID) {
			t.Fatalf("a1 = %+v, want revision 2 at %d in %s (its head then; %+v now)", it, r2.Time, direct.ID, st.Item)
		}
	}
	if list, _ := s.Exposures(ctx, o.ID, owner.ID); len(list) != 0 {
		t.Fatalf("the owner has records: %+v", list)
	}

	// Leaving records too, newest first; deleting the account as well.
	if err := s.Depart(ctx, o.ID, leo.ID, store.DepartLeft, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Exposures(ctx, o.ID, leo.ID); len(list) != 1 || list[0].How != store.DepartLeft || len(list[0].Vaults) != 0 ||
		len(list[0].Items) != 0 || !list[0].At.Equal(now.Add(time.Minute)) {
		t.Fatalf("leo's record = %+v: want one, left, nothing readable", list)
	}
	// Mia joins again, is given the group vault, and deletes her account.
	o = confirm(t, s, o, mia)
	if err := s.AddGroupMembers(ctx, team.ID, []store.KeyWrap{kw(team.ID, mia.ID, owner.ID)}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(ctx, mia.ID, now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	list, err = s.Exposures(ctx, o.ID, mia.ID)
	if err != nil || len(list) != 2 || list[0].How != store.DepartDeleted || list[1].How != store.RotateRemoved {
		t.Fatalf("after deletion: %+v, %v; want deleted then removed", list, err)
	}
	if !slices.Equal(list[0].Vaults, []string{viaGroup.ID}) || !slices.Equal(exposureItems(list[0]), wantExposed(b1)) {
		t.Fatalf("the deletion's record = %+v", list[0])
	}

	// They go with the organisation.
	if err := s.DeleteOrg(ctx, o.ID, true, now); err != nil {
		t.Fatal(err)
	}
	if list, err := s.Exposures(ctx, o.ID, leo.ID); err != nil || len(list) != 0 {
		t.Fatalf("after deleting the organisation: %+v, %v", list, err)
	}
}

// testExposurePartial: a revoke or a removal from a group records the
// vaults the person can no longer open — and nothing when they still can
// through another grant.
func testExposurePartial(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	bob, _ := newAccount(t, s, "bob@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, bob)
	kw := func(obj, member string) store.KeyWrap {
		return store.KeyWrap{ObjectID: obj, Epoch: 1, MemberID: member, SignerID: owner.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now}
	}
	team := store.Group{ID: id(), OrgID: o.ID, ManagerID: owner.ID, DefaultPermission: store.PermView, Meta: []byte("m"),
		SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("ks"), Epoch: 1, CreatedAt: now}
	if err := s.CreateGroup(ctx, team, kw(team.ID, owner.ID), nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupMembers(ctx, team.ID, []store.KeyWrap{kw(team.ID, bob.ID)}); err != nil {
		t.Fatal(err)
	}
	// Vault X: bob directly. Vault Y: the group, and bob directly too.
	// Vault Z: the group only.
	x := grantedVault(t, s, o, []store.VaultKeyWrap{{RecipientKind: "user", RecipientID: bob.ID}},
		store.Grant{GranteeKind: "user", GranteeID: bob.ID, Permission: store.PermView})
	y := grantedVault(t, s, o, []store.VaultKeyWrap{{RecipientKind: "user", RecipientID: bob.ID}, {RecipientKind: "group", RecipientID: team.ID}},
		store.Grant{GranteeKind: "user", GranteeID: bob.ID, Permission: store.PermView},
		store.Grant{GranteeKind: "group", GranteeID: team.ID, Permission: store.PermView})
	z := grantedVault(t, s, o, []store.VaultKeyWrap{{RecipientKind: "group", RecipientID: team.ID}},
		store.Grant{GranteeKind: "group", GranteeID: team.ID, Permission: store.PermView})
	xi := newItem(t, s, owner.ID, x.ID, "x")
	newItem(t, s, owner.ID, y.ID, "y")
	zi := newItem(t, s, owner.ID, z.ID, "z")

	// Revoking the group's grant on Y: bob still reads Y directly.
	if err := s.RevokeGrant(ctx, y.ID, "group", team.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Exposures(ctx, o.ID, bob.ID); len(list) != 0 {
		t.Fatalf("a revoke that leaves bob access recorded %+v", list)
	}
	if err := s.RevokeGrant(ctx, x.ID, "user", bob.ID); err != nil {
		t.Fatal(err)
	}
	list, err := s.Exposures(ctx, o.ID, bob.ID)
	if err != nil || len(list) != 1 || list[0].How != store.RotateRevoked || !slices.Equal(list[0].Vaults, []string{x.ID}) ||
		!slices.Equal(exposureItems(list[0]), wantExposed(xi)) {
		t.Fatalf("after revoking X: %+v, %v", list, err)
	}
	// Out of the group: Z only (Y he still reads directly).
	if err := s.RemoveGroupMember(ctx, team.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	list, err = s.Exposures(ctx, o.ID, bob.ID)
	if err != nil || len(list) != 2 || list[0].How != store.RotateGroup || !slices.Equal(list[0].Vaults, []string{z.ID}) ||
		!slices.Equal(exposureItems(list[0]), wantExposed(zi)) || list[1].How != store.RotateRevoked {
		t.Fatalf("after the group removal: %+v, %v", list, err)
	}
	// The owner (the group's manager, holding its key) is not cut off by
	// a revoke of the group on a vault granted to her too.
	if list, _ := s.Exposures(ctx, o.ID, owner.ID); len(list) != 0 {
		t.Fatalf("owner records: %+v", list)
	}
}
