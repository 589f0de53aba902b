package storetest

import (
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/internal/store"
)

func init() {
	extraTests = append(extraTests,
		namedTest{name: "RenamesSwapSealedNamesAndTellReaders", fn: testRenames},
		namedTest{name: "DeletesRefuseItemsUnlessForcedAndTakeEverythingAlong", fn: testDeletes})
}

func orgVault(t *testing.T, s store.Store, o store.Org, grantees ...store.Grant) store.Vault {
	t.Helper()
	v := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: o.OwnerID, Meta: []byte("sealed"), Epoch: 1, CreatedAt: now}
	grants := []store.Grant{{VaultID: v.ID, GranteeKind: "user", GranteeID: o.OwnerID, Permission: store.PermManage, CreatedAt: now}}
	for _, g := range grantees {
		g.VaultID, g.CreatedAt = v.ID, now
		grants = append(grants, g)
	}
	if err := s.CreateVault(ctx, v, nil, grants, manifest(v.ID, 1, o.OwnerID)); err != nil {
		t.Fatal(err)
	}
	return v
}

func testRenames(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	m, _ := newAccount(t, s, "m@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, m)
	v := orgVault(t, s, o, store.Grant{GranteeKind: "user", GranteeID: m.ID, Permission: store.PermView})
	_, before, _, _ := s.EventsSince(ctx, m.ID, 0, 1000)
	if err := s.SetOrgMeta(ctx, o.ID, []byte("new org name")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetVaultMeta(ctx, v.ID, []byte("new vault name")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Org(ctx, o.ID); string(got.Meta) != "new org name" {
		t.Fatalf("org meta: %q", got.Meta)
	}
	if got, _ := s.Vault(ctx, v.ID); string(got.Meta) != "new vault name" {
		t.Fatalf("vault meta: %q", got.Meta)
	}
	evs, _, _, _ := s.EventsSince(ctx, m.ID, before, 1000)
	kinds := map[string]bool{}
	for _, e := range evs {
		kinds[e.Kind] = true
	}
	if !kinds[store.EventOrgChanged] || !kinds[store.EventVaultChanged] {
		t.Fatalf("a reader was not told of the renames: %+v", evs)
	}
	if err := s.SetVaultMeta(ctx, id(), []byte("x")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rename an unknown vault: %v", err)
	}
	_, personal := newAccount(t, s, "p@example.com")
	if err := s.SetVaultMeta(ctx, personal.ID, []byte("x")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rename a personal vault: %v", err)
	}
}

func testDeletes(t *testing.T, s store.Store) {
	owner, _ := newAccount(t, s, "owner@example.com")
	m, _ := newAccount(t, s, "m@example.com")
	o := newOrg(t, s, owner)
	o = confirm(t, s, o, m)
	v := orgVault(t, s, o, store.Grant{GranteeKind: "user", GranteeID: m.ID, Permission: store.PermEdit})
	it := newItem(t, s, m.ID, v.ID, "blob of m")
	if u, _ := s.UsageBytes(ctx, m.ID); u == 0 {
		t.Fatal("the revision counted nothing")
	}
	var ne *store.NotEmptyError
	if err := s.DeleteVault(ctx, v.ID, false, now); !errors.As(err, &ne) || ne.Items != 1 {
		t.Fatalf("delete a vault with an item: %v", err)
	}
	if _, err := s.Item(ctx, it.ID); err != nil {
		t.Fatalf("a refused delete removed the item: %v", err)
	}
	_, before, _, _ := s.EventsSince(ctx, m.ID, 0, 1000)
	if err := s.DeleteVault(ctx, v.ID, true, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Vault(ctx, v.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the vault is still there: %v", err)
	}
	if _, err := s.Item(ctx, it.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the item is still there: %v", err)
	}
	if u, _ := s.UsageBytes(ctx, m.ID); u != 0 {
		t.Fatalf("the purged item still counts %d bytes", u)
	}
	evs, _, _, _ := s.EventsSince(ctx, m.ID, before, 1000)
	if len(evs) == 0 || evs[0].Kind != store.EventVaultRevoked {
		t.Fatalf("the grantee was not told: %+v", evs)
	}
	if err := s.DeleteVault(ctx, v.ID, true, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	// An item id used again after its purge (ids are the client's) does
	// not make the next purge fail on its tombstone.
	v3 := orgVault(t, s, o)
	again := store.Item{ID: it.ID, VaultID: v3.ID, Type: "login", CreatedAt: now}
	if _, err := s.CreateItem(ctx, again, revision(owner.ID, v3.ID, "again"),
		[]store.ItemKeyWrap{{KeyVault: v3.ID, KeyEpoch: 1, WrapVault: v3.ID, WrapEpoch: 1, Wrap: []byte("ikw")}}); err != nil {
		t.Fatalf("create an item under a purged id: %v", err)
	}
	if err := s.DeleteVault(ctx, v3.ID, true, now); err != nil {
		t.Fatalf("purge an id purged before: %v", err)
	}

	// An item that moved out of a vault keeps its history when the vault
	// is deleted: the revisions written there still name its organisation.
	va, vb := orgVault(t, s, o), orgVault(t, s, o)
	mv := newItem(t, s, owner.ID, va.ID, "born in A")
	if _, err := s.MoveItem(ctx, mv.ID, 1, vb.ID, revision(owner.ID, vb.ID, "moved to B"),
		[]store.ItemKeyWrap{{KeyVault: va.ID, KeyEpoch: 1, WrapVault: vb.ID, WrapEpoch: 1, Wrap: []byte("rw")},
			{KeyVault: vb.ID, KeyEpoch: 1, WrapVault: vb.ID, WrapEpoch: 1, Wrap: []byte("nw")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteVault(ctx, va.ID, false, now); err != nil {
		t.Fatalf("delete the vault an item left: %v", err)
	}
	revs, err := s.Revisions(ctx, mv.ID)
	if err != nil || len(revs) != 2 || revs[0].VaultID != va.ID || revs[0].OrgID != o.ID {
		t.Fatalf("the moved item's history after its old vault was deleted: %+v, %v", revs, err)
	}
	if err := s.DeleteVault(ctx, va.ID, false, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete a deleted vault again: %v", err)
	}

	// A private group with its own vault goes with its vault.
	gv := store.Vault{ID: id(), Kind: store.VaultOrg, OrgID: o.ID, CreatorID: m.ID, Meta: []byte("m"), Epoch: 1, CreatedAt: now}
	g := store.Group{ID: id(), OrgID: o.ID, ManagerID: m.ID, Private: true, DefaultPermission: store.PermView, Meta: []byte("g"),
		SignPub: []byte("sp"), KEMPub: []byte("kp"), KeysSig: []byte("s"), Epoch: 1, VaultID: gv.ID, CreatedAt: now}
	if err := s.CreateGroup(ctx, g, store.KeyWrap{ObjectID: g.ID, Epoch: 1, MemberID: m.ID, SignerID: m.ID, Wrap: []byte("w"), Sig: []byte("s"), CreatedAt: now},
		&gv, nil, []store.Grant{{VaultID: gv.ID, GranteeKind: "user", GranteeID: m.ID, Permission: store.PermManage, CreatedAt: now},
			{VaultID: gv.ID, GranteeKind: "group", GranteeID: g.ID, Permission: store.PermView, CreatedAt: now}}, manifest(gv.ID, 1, m.ID)); err != nil {
		t.Fatal(err)
	}
	newItem(t, s, m.ID, gv.ID, "shared")
	if err := s.DeleteVault(ctx, gv.ID, true, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a private group's vault deleted on its own: %v", err)
	}
	if err := s.DeleteGroup(ctx, g.ID, false, now); !errors.As(err, &ne) {
		t.Fatalf("delete a group whose vault has items: %v", err)
	}
	_, before, _, _ = s.EventsSince(ctx, m.ID, 0, 1000)
	if err := s.DeleteGroup(ctx, g.ID, true, now); err != nil {
		t.Fatal(err)
	}
	// Read after the delete (the group and its members are gone), the
	// member still learns of it.
	evs, _, _, _ = s.EventsSince(ctx, m.ID, before, 1000)
	told := map[string]bool{}
	for _, e := range evs {
		told[e.Kind+" "+e.VaultID] = true
	}
	if !told[store.EventGroupMemberLeft+" "] || !told[store.EventVaultRevoked+" "+gv.ID] {
		t.Fatalf("a member of a deleted group was not told: %+v", evs)
	}
	if _, err := s.Group(ctx, g.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the group is still there: %v", err)
	}
	if _, err := s.Vault(ctx, gv.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the group's vault is still there: %v", err)
	}

	// The organisation: refused with items, then everything goes.
	v2 := orgVault(t, s, o)
	newItem(t, s, owner.ID, v2.ID, "kept")
	if err := s.DeleteOrg(ctx, o.ID, false, now); !errors.As(err, &ne) {
		t.Fatalf("delete an organisation with items: %v", err)
	}
	if err := s.DeleteOrg(ctx, o.ID, true, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Org(ctx, o.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the organisation is still there: %v", err)
	}
	if role, _ := s.OrgRole(ctx, o.ID, m.ID); role != "" {
		t.Fatalf("a member of a deleted organisation: %q", role)
	}
	if _, err := s.Vault(ctx, v2.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the organisation's vault is still there: %v", err)
	}
}
