package bridge_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/bridge"
	"github.com/coffer-pm/coffer/internal/testserver"
)

func session(t *testing.T, url, email string) *client.Session {
	t.Helper()
	s, err := client.Signup(ctx, url, email, "Test "+email, []byte(pw), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// acme is an organisation of owner's with mia (through the bridge) and
// zed confirmed, pending@ invited, a vault Ops that the group Readers
// (mia) may view, and an item in it.
type acme struct {
	owner, zed *client.Session
	mia        *page
	org        *client.Org
	ops        *client.Vault
	item       *client.Item
}

func newAcme(t *testing.T) *acme {
	a, _ := newAcmeAt(t)
	return a
}

// newAcmeAt is newAcme, with its server's address.
func newAcmeAt(t *testing.T) (*acme, string) {
	env := testserver.Start(t, nil, nil)
	a := &acme{owner: session(t, env.URL, "owner@acme.example"), zed: session(t, env.URL, "zed@acme.example"), mia: signedUp(t, env.URL, "mia@acme.example")}
	var err error
	a.org, err = a.owner.CreateOrg(ctx, "Acme")
	must(t, err)
	res, err := a.owner.Invite(ctx, a.org.ID, []string{"mia@acme.example", "zed@acme.example", "pending@acme.example"})
	must(t, err)
	a.mia.call(nil, "join", "Acme", res.Code)
	_, err = a.zed.Join(ctx, "Acme", res.Code)
	must(t, err)
	must(t, a.owner.Confirm(ctx, a.org.ID, []string{"mia@acme.example", "zed@acme.example"}))
	a.ops, err = a.owner.CreateVault(ctx, a.org.ID, "Ops")
	must(t, err)
	g, err := a.owner.CreateGroup(ctx, a.org.ID, "Readers", false, "view")
	must(t, err)
	must(t, a.owner.AddGroupMembers(ctx, g, []string{"mia@acme.example"}))
	must(t, a.owner.GrantGroup(ctx, a.ops, g.ID, "view"))
	a.item, err = a.owner.CreateItem(ctx, a.ops.ID, "login", client.Content{Name: "db-prod", Login: &client.LoginFields{Password: "ops-secret-1"}})
	must(t, err)
	a.mia.call(nil, "sync")
	return a, env.URL
}

// TestBridgeViewOnlyMemberIsRefused: a member who may only view an
// organisation's item is offered nothing to change, and every change is
// refused all the same (kind forbidden).
func TestBridgeViewOnlyMemberIsRefused(t *testing.T) {
	a := newAcme(t)
	var it bridge.ItemWithContent
	a.mia.call(&it, "get", a.item.ID)
	if it.Permission != "view" || it.CanEdit || it.CanTrash || it.CanRestore || it.CanMove || it.CanShare || len(it.MoveTargets) != 0 || len(it.ShareGroups) != 0 {
		t.Fatalf("a view-only item offers: %+v", it.Item)
	}
	if f, _ := field(it.Values, "password"); f.Value != "ops-secret-1" {
		t.Fatalf("a viewer reads the item: %+v", it.Values)
	}
	raw, _ := json.Marshal(client.Content{Name: "db-prod", Login: &client.LoginFields{Password: "mine"}})
	a.mia.fails("forbidden", "update", a.item.ID, string(raw), it.Revision)
	a.mia.fails("forbidden", "trash", a.item.ID)
	a.mia.fails("forbidden", "move", a.item.ID, "My Vault")
	// Nor may a new item go into the vault it only views (issue 24,
	// defect 2: New item goes to the vault chosen).
	a.mia.fails("forbidden", "create", "note", `{"name":"mine"}`, a.ops.ID)
	var h []view.Version
	a.mia.call(&h, "history", a.item.ID)
	for _, v := range h {
		if v.CanRollBack {
			t.Fatalf("a viewer may roll back revision %d", v.Revision)
		}
		for _, c := range v.Changes {
			if c.Restorable {
				t.Fatalf("a viewer may restore %s", c.Field)
			}
		}
	}
	var vs []view.Vault
	a.mia.call(&vs, "vaults")
	for _, v := range vs {
		if v.ID == a.ops.ID && (v.CanCreate || v.CanManage) {
			t.Fatalf("a viewer's vault: %+v", v)
		}
	}
	// The item the viewer cannot see the grants of: no access list.
	a.mia.call(&it, "get", a.item.ID, "access")
	if it.Access != nil {
		t.Fatalf("a viewer sees who opens the item: %+v", it.Access)
	}

	// Given edit directly, the same member may change and move it out.
	must(t, a.owner.GrantUser(ctx, a.ops, "mia@acme.example", "edit"))
	a.mia.call(nil, "sync")
	a.mia.call(&it, "get", a.item.ID)
	if it.Permission != "edit" || !it.CanEdit || !it.CanMove || len(it.MoveTargets) != 1 || it.MoveTargets[0].Label != "My Vault" {
		t.Fatalf("an editor's item: %+v", it.Item)
	}
	var made bridge.Created
	a.mia.call(&made, "create", "note", `{"name":"runbook"}`, a.ops.ID)
	a.mia.call(&it, "get", made.ID)
	if it.VaultID != a.ops.ID {
		t.Fatalf("a new item asked for in Ops went to %s", it.Vault)
	}
}

// TestBridgeMembersByCapability: the owner sees every member, every
// invitation and every fingerprint, and may act on them; a member sees
// the confirmed members, and a fingerprint only where they have a reason
// to compare it (the owner's, their own, their groups' members), and may
// invite nobody.
func TestBridgeMembersByCapability(t *testing.T) {
	a := newAcme(t)
	var orgs []view.Org
	a.mia.call(&orgs, "orgs")
	if len(orgs) != 1 {
		t.Fatalf("orgs %+v", orgs)
	}
	if o := orgs[0]; o.Role != "member" || o.CanInvite || o.CanManageMembers || o.CanManageGroups || o.CanCreateVault || o.CanGrant || o.CanRename || o.CanDelete || !o.CanCreatePrivateGroup || o.OwnerEmail != "owner@acme.example" {
		t.Fatalf("a member's organisation: %+v", o)
	}
	var ms []view.Member
	a.mia.call(&ms, "members", "Acme")
	byEmail := map[string]view.Member{}
	for _, m := range ms {
		byEmail[m.Email] = m
		if m.CanConfirm || m.CanCancel || m.CanRemove || m.CanReissue || m.UserID != "" {
			t.Fatalf("a member may act on %+v", m)
		}
	}
	if _, ok := byEmail["pending@acme.example"]; ok || len(ms) != 3 {
		t.Fatalf("a member sees: %+v", ms)
	}
	if byEmail["owner@acme.example"].Fingerprint == "" || byEmail["mia@acme.example"].Fingerprint == "" || !byEmail["mia@acme.example"].Me {
		t.Fatalf("a member does not see the owner's or their own fingerprint: %+v", ms)
	}
	if byEmail["zed@acme.example"].Fingerprint != "" || byEmail["zed@acme.example"].CanCompare {
		t.Fatalf("a member sees the fingerprint of someone they share nothing with: %+v", byEmail["zed@acme.example"])
	}
	a.mia.fails("forbidden", "invite", "Acme", `["new@acme.example"]`)
	a.mia.fails("forbidden", "createVault", "Acme", "Mine")
	a.mia.fails("forbidden", "createGroup", "Acme", "Everyone", "", "view")

	owned, err := view.Members(ctx, a.owner, a.org.ID)
	must(t, err)
	states := map[string]view.Member{}
	for _, m := range owned {
		states[m.Email] = m
	}
	if p := states["pending@acme.example"]; p.State != "invited" || !p.CanCancel || p.CanRemove {
		t.Fatalf("the owner's invitation: %+v", p)
	}
	if z := states["zed@acme.example"]; z.Fingerprint == "" || !z.CanRemove || !z.CanCompare || z.UserID == "" {
		t.Fatalf("the owner's member: %+v", z)
	}
	if o := view.OrgOf(a.owner, a.org); !o.CanInvite || !o.CanManageMembers || !o.CanCreateVault || !o.CanGrant {
		t.Fatalf("the owner's organisation: %+v", o)
	}
}

// TestBridgeEffectiveAccess: who opens what, and through which group, is
// computed by the core — and only for whoever manages the vault.
func TestBridgeEffectiveAccess(t *testing.T) {
	a := newAcme(t)
	d, err := view.OrgDetailOf(ctx, a.owner, a.org.ID)
	must(t, err)
	var mia view.Member
	for _, m := range d.Members {
		if m.Email == "mia@acme.example" {
			mia = m
		}
	}
	if len(mia.Opens) != 1 || mia.Opens[0].Vault != "Ops" || mia.Opens[0].Permission != "view" || mia.Opens[0].Through != "Readers" {
		t.Fatalf("mia opens %+v", mia.Opens)
	}
	for _, g := range d.Groups {
		if g.Name == "Readers" && (len(g.Opens) != 1 || g.Opens[0].VaultID != a.ops.ID || !g.CanGrant) {
			t.Fatalf("Readers: %+v", g)
		}
	}
	openers, err := view.ItemAccess(ctx, a.owner, a.item)
	must(t, err)
	var got []string
	for _, o := range openers {
		got = append(got, o.Email+":"+o.Permission+":"+strings.Join(o.Through, "+"))
	}
	if strings.Join(got, " ") != "owner@acme.example:manage:direct mia@acme.example:view:Readers" {
		t.Fatalf("who opens db-prod: %v", got)
	}
	// The member's own screen of the organisation: no grants to see.
	var md view.OrgDetail
	a.mia.call(&md, "org", "Acme")
	for _, v := range md.Vaults {
		if v.CanManage || v.Access != nil || v.Openers != nil {
			t.Fatalf("a viewer sees the grants of %+v", v)
		}
	}
	for _, m := range md.Members {
		if m.Email != "mia@acme.example" && len(m.Opens) > 0 {
			t.Fatalf("a viewer sees what %s opens: %+v", m.Email, m.Opens)
		}
	}
}

// TestBridgeJoinedFingerprintBeforeConfirm (issue 24, defect 5): the
// owner compares a joined invitee's fingerprint before confirming them —
// of the keys their MAC under the code vouches for, the one they read
// out themselves; a member sees no invitation at all.
func TestBridgeJoinedFingerprintBeforeConfirm(t *testing.T) {
	a := newAcme(t)
	var owner []view.Member
	res, err := a.owner.Invite(ctx, a.org.ID, []string{"late@acme.example"})
	must(t, err)
	env := a.owner.Profile.Server
	late := session(t, env, "late@acme.example")
	_, err = late.Join(ctx, "Acme", res.Code)
	must(t, err)
	owner, err = view.Members(ctx, a.owner, a.org.ID)
	must(t, err)
	var found *view.Member
	for i := range owner {
		if owner[i].Email == "late@acme.example" {
			found = &owner[i]
		}
	}
	if found == nil || found.State != "joined" || !found.CanConfirm || found.KeyMismatch {
		t.Fatalf("the owner's view of a joined invitee: %+v", found)
	}
	if found.Fingerprint != late.Profile.Fingerprint() || !found.CanCompare {
		t.Fatalf("joined fingerprint %q, want the invitee's own %q", found.Fingerprint, late.Profile.Fingerprint())
	}
	var mias []view.Member
	a.mia.call(&mias, "members", a.org.ID)
	for _, m := range mias {
		if m.Email == "late@acme.example" {
			t.Fatalf("a member sees an invitation: %+v", m)
		}
	}
}
