package client_test

import (
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// The kept-keys test (protocol §18.3): before losing access the member
// saves every key they hold; afterwards a server that hands them anything
// they ask for (here: the database itself) gives them nothing written
// after the rotation — new revisions, new names, the new keys of vaults
// and groups. What they could read before stays readable to them (they
// may have copied it; the check is that this test can tell the two apart).

type keptEnv struct {
	t   *testing.T
	env *testserver.Env
}

func (k keptEnv) head(id string) (store.Revision, []store.ItemKeyWrap) {
	k.t.Helper()
	st, err := k.env.Store.ItemState(ctx, id)
	if err != nil {
		k.t.Fatal(err)
	}
	return st.HeadRevision, st.KeyWraps
}

func (k keptEnv) revision(id string, n uint64) (store.Revision, []store.ItemKeyWrap) {
	k.t.Helper()
	st, err := k.env.Store.ItemState(ctx, id)
	if err != nil {
		k.t.Fatal(err)
	}
	revs, err := k.env.Store.Revisions(ctx, id)
	if err != nil || uint64(len(revs)) < n {
		k.t.Fatalf("revisions of %s: %v", id, err)
	}
	return revs[n-1], st.KeyWraps
}

func newItem(t *testing.T, s *client.Session, vaultID, name string) *client.Item {
	t.Helper()
	it, err := s.CreateItem(ctx, vaultID, "login", client.Content{Name: name, Login: &client.LoginFields{Username: "ops", Password: name + "-secret"}})
	if err != nil {
		t.Fatalf("CreateItem(%s): %v", name, err)
	}
	return it
}

func editItem(t *testing.T, s *client.Session, it *client.Item, password string) *client.Item {
	t.Helper()
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	cur, err := s.FindItem(it.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	c := cur.Content
	c.Login = &client.LoginFields{Username: "ops", Password: password}
	next, err := s.UpdateItem(ctx, cur, c)
	if err != nil {
		t.Fatalf("UpdateItem: %v", err)
	}
	return next
}

func noPending(t *testing.T, s *client.Session, orgID string) {
	t.Helper()
	ps, err := s.PendingRotations(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 0 {
		t.Fatalf("rotations still pending: %+v", ps)
	}
}

func epochOf(t *testing.T, env *testserver.Env, vaultID string) uint64 {
	t.Helper()
	v, err := env.Store.Vault(ctx, vaultID)
	if err != nil {
		t.Fatal(err)
	}
	return v.Epoch
}

// TestKeptKeysAfterRevoke: a revoked grant.
func TestKeptKeysAfterRevoke(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	k := keptEnv{t, env}
	owner := signup(t, env.URL, "owner@kept.example")
	alice := signup(t, env.URL, "alice@kept.example")
	o := company(t, owner, "Kept Inc", alice)
	v, err := owner.CreateVault(ctx, o.ID, "Servers")
	if err != nil {
		t.Fatal(err)
	}
	old := newItem(t, owner, v.ID, "router")
	if err := owner.GrantUser(ctx, mustVault(t, owner, v.ID), "alice@kept.example", "view"); err != nil {
		t.Fatal(err)
	}
	if err := alice.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	kept := client.KeepKeys(alice)
	if vk, ik, _, _ := kept.Counts(); vk == 0 || ik == 0 {
		t.Fatalf("alice kept %d vault keys and %d item keys: the test would prove nothing", vk, ik)
	}

	if err := owner.Revoke(ctx, mustVault(t, owner, v.ID), "user", "alice@kept.example"); err != nil {
		t.Fatal(err)
	}
	if e := epochOf(t, env, v.ID); e != 2 {
		t.Fatalf("after the revoke the vault is at epoch %d, want 2 (rotated at once by the owner)", e)
	}
	noPending(t, owner, o.ID)
	fresh := newItem(t, owner, v.ID, "firewall")
	edited := editItem(t, owner, old, "changed-after-revoke")
	if err := owner.RenameVault(ctx, v.ID, "Servers (rotated)"); err != nil {
		t.Fatal(err)
	}

	if r, w := k.head(fresh.ID); kept.OpensRevision(r, w) {
		t.Error("a new item written after the rotation opens with kept keys")
	}
	if r, w := k.head(edited.ID); kept.OpensRevision(r, w) {
		t.Error("an edit written after the rotation opens with kept keys")
	}
	if r, w := k.revision(old.ID, 1); !kept.OpensRevision(r, w) {
		t.Error("the revision alice could read before does not open with her kept keys: the check cannot tell")
	}
	sv, _ := env.Store.Vault(ctx, v.ID)
	if kept.OpensName(sv.Meta, "coffer/v1/vault-meta", o.ID, v.ID) {
		t.Error("the vault's new name opens with kept keys")
	}
}

// TestKeptKeysAfterGroupRemoval: removed from a group that can open a
// vault; the group gets new keys and the vault a new epoch.
func TestKeptKeysAfterGroupRemoval(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	k := keptEnv{t, env}
	owner := signup(t, env.URL, "owner@keptg.example")
	alice := signup(t, env.URL, "alice@keptg.example")
	bob := signup(t, env.URL, "bob@keptg.example")
	o := company(t, owner, "KeptG Inc", alice, bob)
	g, err := owner.CreateGroup(ctx, o.ID, "Ops", false, "edit")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.AddGroupMembers(ctx, g, []string{"alice@keptg.example", "bob@keptg.example"}); err != nil {
		t.Fatal(err)
	}
	v, err := owner.CreateVault(ctx, o.ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantGroup(ctx, mustVault(t, owner, v.ID), g.ID, ""); err != nil {
		t.Fatal(err)
	}
	old := newItem(t, owner, v.ID, "wiki")
	for _, s := range []*client.Session{alice, bob} {
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	kept := client.KeepKeys(alice)
	if _, _, _, ids := kept.Counts(); ids < 2 {
		t.Fatal("alice kept no group identity: the test would prove nothing")
	}

	grp, err := owner.FindGroup(o.ID, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.RemoveGroupMember(ctx, grp, "alice@keptg.example"); err != nil {
		t.Fatal(err)
	}
	noPending(t, owner, o.ID)
	if e := epochOf(t, env, v.ID); e != 2 {
		t.Fatalf("the group's vault is at epoch %d, want 2", e)
	}
	fresh := newItem(t, owner, v.ID, "new-wiki")
	if r, w := k.head(fresh.ID); kept.OpensRevision(r, w) {
		t.Error("a new item in the group's vault opens with kept keys")
	}
	if r, w := k.revision(old.ID, 1); !kept.OpensRevision(r, w) {
		t.Error("the old item does not open with kept keys: the check cannot tell")
	}
	// The vault's new key is wrapped to the group's new keys only.
	wraps, err := env.Store.VaultKeyWraps(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	ownerKeys := publicKeys(t, env, owner.Profile.UserID)
	seen := 0
	for _, w := range wraps {
		if w.Epoch != 2 || w.RecipientKind != crypto.RecipientGroup {
			continue
		}
		seen++
		c := crypto.VaultKeyContext(o.ID, v.ID, 2, crypto.RecipientGroup, g.ID, crypto.PublicKeys{})
		if kept.OpensKeyWrap(c, ownerKeys, owner.Profile.UserID, w.Wrap, w.Sig, crypto.KeySize) {
			t.Error("the vault's new key, wrapped to the group, opens with alice's kept group key")
		}
	}
	if seen != 1 {
		t.Fatalf("%d wraps of the new epoch to the group, want 1", seen)
	}
	// Bob, who stays, reads the new item.
	if err := bob.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.FindItem(fresh.ID, false); err != nil {
		t.Fatalf("bob cannot read what was written after the rotation: %v", err)
	}
}

// TestKeptKeysAfterRemovalFromTheOrganisation: the owner removes a member
// who is in a private group another member manages. The owner rotates
// the organisation key at once; the private group and its vault, whose
// keys the owner never held, stay pending until its manager syncs.
func TestKeptKeysAfterRemovalFromTheOrganisation(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	k := keptEnv{t, env}
	owner := signup(t, env.URL, "owner@keptp.example")
	alice := signup(t, env.URL, "alice@keptp.example")
	bob := signup(t, env.URL, "bob@keptp.example")
	o := company(t, owner, "KeptP Inc", alice, bob)
	p, err := bob.CreateGroup(ctx, o.ID, "Secret project", true, "edit")
	if err != nil {
		t.Fatal(err)
	}
	if err := bob.AddGroupMembers(ctx, p, []string{"alice@keptp.example"}); err != nil {
		t.Fatal(err)
	}
	old := newItem(t, bob, p.VaultID, "launch-codes")
	if err := alice.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	kept := client.KeepKeys(alice)
	if _, _, orgKeys, _ := kept.Counts(); orgKeys == 0 {
		t.Fatal("alice kept no organisation key")
	}

	if err := owner.RemoveMember(ctx, o.ID, "alice@keptp.example"); err != nil {
		t.Fatal(err)
	}
	pending, err := owner.PendingRotations(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, r := range pending {
		kinds[r.Kind+":"+r.ObjectID] = true
	}
	if len(pending) != 2 || !kinds["group:"+p.ID] || !kinds["vault:"+p.VaultID] {
		t.Fatalf("pending after the owner's removal = %+v, want the private group and its vault", pending)
	}
	if err := owner.RenameOrg(ctx, o.ID, "KeptP Renamed"); err != nil {
		t.Fatal(err)
	}
	// Bob, the private group's manager, completes them at his next sync.
	if err := bob.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	noPending(t, bob, o.ID)
	fresh := newItem(t, bob, p.VaultID, "new-codes")
	if r, w := k.head(fresh.ID); kept.OpensRevision(r, w) {
		t.Error("a new item in the private group's vault opens with kept keys")
	}
	if r, w := k.revision(old.ID, 1); !kept.OpensRevision(r, w) {
		t.Error("the old item does not open with kept keys: the check cannot tell")
	}
	so, err := env.Store.Org(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if kept.OpensName(so.Meta, "coffer/v1/org-meta", o.ID) {
		t.Error("the organisation's new name opens with kept keys")
	}
	// Everyone who stays sees the new name and the new item.
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := owner.FindOrg(o.ID); got == nil || got.Name != "KeptP Renamed" {
		t.Fatalf("owner sees %+v", got)
	}
	if got, _ := bob.FindOrg(o.ID); got == nil || got.Name != "KeptP Renamed" {
		if err := bob.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ = bob.FindOrg(o.ID); got == nil || got.Name != "KeptP Renamed" {
			t.Fatalf("bob sees %+v", got)
		}
	}
}

func publicKeys(t *testing.T, env *testserver.Env, userID string) crypto.PublicKeys {
	t.Helper()
	a, err := env.Store.AccountByID(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	return crypto.PublicKeys{Sign: a.SignPub, KEM: a.KEMPub}
}
