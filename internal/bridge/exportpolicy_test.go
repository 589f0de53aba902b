package bridge_test

import (
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/bridge"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestBridgeExportPolicy: "Allow export of My Vault only" (issue 26) in
// the web app. The owner sees a switch on every group (a member's private
// group too, by id) and flags one: its member sees the flag but no switch,
// is refused by the server when they try, and is told what they may
// export; the change is in the audit log. An instance administrator sees
// and sets an account's policy in the portal; anyone else is refused by
// the server.
func TestBridgeExportPolicy(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.Admins = []string{"root@policy.example"}
	env := testserver.Start(t, &cfg, nil)
	admin := signedUp(t, env.URL, "root@policy.example")
	ann := session(t, env.URL, "ann@policy.example")
	mia := signedUp(t, env.URL, "mia@policy.example")
	o, err := ann.CreateOrg(ctx, "Acme")
	must(t, err)
	res, err := ann.Invite(ctx, o.ID, []string{"mia@policy.example"})
	must(t, err)
	mia.call(nil, "join", o.ID, res.Code)
	must(t, ann.Confirm(ctx, o.ID, []string{"mia@policy.example"}))
	g, err := ann.CreateGroup(ctx, o.ID, "Contractors", false, "view")
	must(t, err)
	must(t, ann.AddGroupMembers(ctx, g, []string{"mia@policy.example"}))
	mia.call(nil, "sync")
	var mine bridge.Created
	mia.call(&mine, "createGroup", o.ID, "Mia's", "private", "edit")
	owner := newPage(t, env.URL)
	owner.call(nil, "login", "ann@policy.example", pw)

	var me view.MyExportPolicy
	me = view.MyExportPolicy{} // (note is omitted when empty)
	mia.call(&me, "exportPolicy")
	if me.MyVaultOnly || len(me.RestrictedOrgs) != 0 || me.MayExport != "everything you can read" || me.Note != "" {
		t.Fatalf("an unrestricted account's policy: %+v", me)
	}
	group := func(p *page, id string) view.Group {
		t.Helper()
		var d view.OrgDetail
		p.call(&d, "org", o.ID)
		for _, x := range d.Groups {
			if x.ID == id {
				return x
			}
		}
		t.Fatalf("no group %s in %+v", id, d.Groups)
		return view.Group{}
	}
	if x := group(owner, g.ID); !x.CanSetExportPolicy || x.ExportMyVaultOnly {
		t.Fatalf("the owner's group: %+v", x)
	}
	if x := group(owner, mine.ID); !x.CanSetExportPolicy {
		t.Fatalf("the owner's view of a member's private group: %+v", x)
	}
	if x := group(mia, g.ID); x.CanSetExportPolicy || x.ExportMyVaultOnly {
		t.Fatalf("a member's group: %+v", x)
	}
	if x := group(mia, mine.ID); x.CanSetExportPolicy {
		t.Fatalf("a member may set the policy of the private group they manage: %+v", x)
	}

	// A member is refused by the server, even on the group they manage.
	mia.fails("forbidden", "setGroupExportPolicy", o.ID, g.ID, "my-vault-only")
	mia.fails("forbidden", "setGroupExportPolicy", o.ID, mine.ID, "my-vault-only")
	owner.fails("not-found", "setGroupExportPolicy", o.ID, "00000000-0000-0000-0000-000000000000", "my-vault-only")

	owner.call(nil, "setGroupExportPolicy", o.ID, g.ID, "my-vault-only")
	owner.call(nil, "setGroupExportPolicy", o.ID, mine.ID, "my-vault-only")
	if x := group(mia, g.ID); !x.ExportMyVaultOnly || x.CanSetExportPolicy {
		t.Fatalf("a member's flagged group: %+v", x)
	}
	if x := group(owner, mine.ID); !x.ExportMyVaultOnly {
		t.Fatalf("the private group flagged by id: %+v", x)
	}
	me = view.MyExportPolicy{} // (note is omitted when empty)
	mia.call(&me, "exportPolicy")
	if me.MyVaultOnly || len(me.RestrictedOrgs) != 1 || me.RestrictedOrgs[0] != "Acme" ||
		me.MayExport != "everything you can read except the vaults of Acme" || !strings.Contains(me.Note, "Your organisation allows exporting My Vault only") {
		t.Fatalf("a flagged group's member's policy: %+v", me)
	}
	var log bridge.AuditLog
	owner.call(&log, "audit", o.ID, `{"action":"export-policy"}`)
	if len(log.Entries) != 2 || log.Entries[0].Actor != "ann@policy.example" {
		t.Fatalf("the policy changes in the audit log: %+v", log.Entries)
	}
	owner.call(nil, "setGroupExportPolicy", o.ID, g.ID, "")
	owner.call(nil, "setGroupExportPolicy", o.ID, mine.ID, "")
	me = view.MyExportPolicy{} // (note is omitted when empty)
	mia.call(&me, "exportPolicy")
	if len(me.RestrictedOrgs) != 0 || me.Note != "" {
		t.Fatalf("freed again: %+v", me)
	}

	// The Administrator Portal; nobody else may set an account's policy.
	mia.fails("forbidden", "adminSetExportPolicy", "mia@policy.example", "")
	owner.fails("forbidden", "adminSetExportPolicy", "mia@policy.example", "my-vault-only")
	var d view.AdminUserDetail
	admin.call(&d, "adminUser", "mia@policy.example")
	if d.ExportMyVaultOnly || d.MayExport != "everything they can read" {
		t.Fatalf("an unrestricted account in the portal: %+v", d)
	}
	admin.call(nil, "adminSetExportPolicy", d.UserID, "my-vault-only")
	admin.call(&d, "adminUser", d.UserID)
	if !d.ExportMyVaultOnly || d.MayExport != "My Vault only" {
		t.Fatalf("a restricted account in the portal: %+v", d)
	}
	me = view.MyExportPolicy{} // (note is omitted when empty)
	mia.call(&me, "exportPolicy")
	if !me.MyVaultOnly || me.MayExport != "My Vault only" || me.Note != "Your administrator allows exporting My Vault only." {
		t.Fatalf("a restricted account's own policy: %+v", me)
	}
	admin.fails("not-found", "adminSetExportPolicy", "nobody@policy.example", "")
	admin.call(nil, "adminSetExportPolicy", "mia@policy.example", "")
	me = view.MyExportPolicy{} // (note is omitted when empty)
	mia.call(&me, "exportPolicy")
	if me.MyVaultOnly || me.Note != "" {
		t.Fatalf("freed by the administrator: %+v", me)
	}
}
