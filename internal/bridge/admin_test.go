package bridge_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/bridge"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestBridgeAdministratorPortal: status() and the unlock say who is an
// instance administrator; the portal finds an account, shows what it is
// bound to (ids and sizes, the owner not offered Unbind), unbinds it from
// an organisation (the member's own orgs() loses it), disables it (its
// sessions end, a log-in is account-disabled) and enables it again; a
// member calling the portal is forbidden.
func TestBridgeAdministratorPortal(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.Admins = []string{"root@portal.example"}
	env := testserver.Start(t, &cfg, nil)
	admin := signedUp(t, env.URL, "root@portal.example")
	owner := session(t, env.URL, "owner@portal.example")
	mia := signedUp(t, env.URL, "mia@portal.example")
	o, err := owner.CreateOrg(ctx, "Portal")
	must(t, err)
	res, err := owner.Invite(ctx, o.ID, []string{"mia@portal.example"})
	must(t, err)
	mia.call(nil, "join", o.ID, res.Code)
	must(t, owner.Confirm(ctx, o.ID, []string{"mia@portal.example"}))
	mia.call(nil, "sync")

	var st bridge.Status
	admin.call(&st, "status")
	if !st.InstanceAdmin {
		t.Fatalf("the administrator's status: %+v", st)
	}
	st = bridge.Status{}
	mia.call(&st, "status")
	if st.InstanceAdmin {
		t.Fatalf("a member's status says administrator: %+v", st)
	}
	mia.fails("forbidden", "adminSearch", "")

	var found []view.AdminUser
	admin.call(&found, "adminSearch", " MIA@")
	if len(found) != 1 || found[0].Email != "mia@portal.example" || found[0].State != "active" || !found[0].CanDisable || found[0].OrgCount != 1 {
		t.Fatalf("search: %+v", found)
	}
	admin.call(&found, "adminSearch", "root@")
	if len(found) != 1 || !found[0].Me || found[0].CanDisable || !found[0].Admin {
		t.Fatalf("the administrator's own account: %+v", found)
	}
	var d view.AdminUserDetail
	admin.call(&d, "adminUser", "owner@portal.example")
	if len(d.Orgs) != 1 || d.Orgs[0].CanUnbind || d.Orgs[0].UnbindRefusal == "" || d.Sealed == "" {
		t.Fatalf("the owner's bindings: %+v", d)
	}
	admin.fails("transfer-ownership", "adminUnbind", "owner@portal.example", o.ID)
	d = view.AdminUserDetail{}
	admin.call(&d, "adminUser", "mia@portal.example")
	if len(d.Orgs) != 1 || !d.Orgs[0].CanUnbind || d.Orgs[0].OrgID != o.ID || d.Orgs[0].Members != 2 || d.Orgs[0].OwnerEmail != "owner@portal.example" {
		t.Fatalf("mia's bindings: %+v", d)
	}
	d0 := d.UserID // by id, as the page's address names it
	admin.call(nil, "adminUnbind", "mia@portal.example", o.ID)
	var orgs []view.Org
	mia.call(nil, "sync")
	mia.call(&orgs, "orgs")
	if len(orgs) != 0 {
		t.Fatalf("mia still has %+v", orgs)
	}

	var r bridge.Revoked
	admin.call(&r, "adminDisable", "mia@portal.example")
	if r.Sessions < 1 {
		t.Fatalf("disable ended %d sessions", r.Sessions)
	}
	d = view.AdminUserDetail{}
	admin.call(&d, "adminUser", d0)
	if d.State != "disabled" || !d.CanEnable || d.CanDisable {
		t.Fatalf("disabled: %+v", d.AdminUser)
	}
	fresh := newPage(t, env.URL)
	fresh.fails("account-disabled", "login", "mia@portal.example", pw)
	admin.call(nil, "adminEnable", "mia@portal.example")
	fresh.call(nil, "login", "mia@portal.example", pw)
}

// TestBridgeLeaveAuditDelete: the owner is not offered Leave (the core's
// words say why) and sees no pending rotation; a member leaves; the
// owner's audit log has the organisation's entries, filtered by action,
// actor and day, and the rotations the departure made are listed in
// words; a member cannot read the log; the owner cannot delete their
// account until the organisation is deleted; a deleted account forgets
// this browser.
func TestBridgeLeaveAuditDelete(t *testing.T) {
	a := newAcme(t)
	owner := newPage(t, a.owner.Profile.Server)
	owner.call(nil, "login", "owner@acme.example", pw)
	var orgs []view.Org
	owner.call(&orgs, "orgs")
	if len(orgs) != 1 || orgs[0].CanLeave || !strings.Contains(orgs[0].LeaveRefusal, "transfer ownership first") || !orgs[0].CanAudit {
		t.Fatalf("the owner's org: %+v", orgs)
	}
	owner.fails("transfer-ownership", "leaveOrg", a.org.ID)
	orgs = nil
	a.mia.call(&orgs, "orgs")
	if len(orgs) != 1 || !orgs[0].CanLeave || orgs[0].LeaveRefusal != "" || orgs[0].CanAudit {
		t.Fatalf("mia's org: %+v", orgs)
	}
	a.mia.fails("forbidden", "audit", a.org.ID, "")
	a.mia.call(nil, "leaveOrg", a.org.ID)
	a.mia.call(&orgs, "orgs")
	if len(orgs) != 0 {
		t.Fatalf("mia left and still has %+v", orgs)
	}

	var rot view.Rotations
	owner.call(&rot, "rotations", a.org.ID)
	if rot.Note == "" {
		t.Fatalf("rotations: %+v", rot)
	}
	for _, p := range rot.Pending {
		if p.What == "" || p.Why != "a member left the organisation" || p.Since.IsZero() {
			t.Fatalf("a pending rotation in words: %+v", p)
		}
	}

	var log bridge.AuditLog
	owner.call(&log, "audit", a.org.ID, "")
	if len(log.Entries) == 0 || len(log.Actions) == 0 {
		t.Fatalf("audit: %+v", log)
	}
	has := func(action, actor string) bool {
		for _, e := range log.Entries {
			if e.Action == action && (actor == "" || e.Actor == actor) {
				return true
			}
		}
		return false
	}
	if !has("invite", "owner@acme.example") || !has("join", "mia@acme.example") || !has("leave", "mia@acme.example") {
		t.Fatalf("audit entries: %+v", log.Entries)
	}
	f, _ := json.Marshal(bridge.AuditFilter{Action: "join", Actor: " MIA@acme.example"})
	owner.call(&log, "audit", a.org.ID, string(f))
	if len(log.Entries) != 1 || log.Entries[0].Actor != "mia@acme.example" || log.Entries[0].Signed {
		t.Fatalf("mia's join: %+v", log.Entries)
	}
	f, _ = json.Marshal(bridge.AuditFilter{Actor: "nobody@acme.example"})
	owner.call(&log, "audit", a.org.ID, string(f))
	if len(log.Entries) != 0 {
		t.Fatalf("nobody's entries: %+v", log.Entries)
	}
	f, _ = json.Marshal(bridge.AuditFilter{Since: "2999-01-01"})
	owner.call(&log, "audit", a.org.ID, string(f))
	if len(log.Entries) != 0 {
		t.Fatalf("entries of the future: %+v", log.Entries)
	}
	f, _ = json.Marshal(bridge.AuditFilter{Since: "yesterday"})
	owner.fails("error", "audit", a.org.ID, string(f))

	owner.fails("wrong-password", "deleteAccount", "not the password")
	err := owner.fails("transfer-ownership", "deleteAccount", pw)
	if !strings.Contains(err.Error(), "transfer ownership first") {
		t.Fatalf("the refusal's words: %v", err)
	}
	owner.fails("not-empty", "deleteOrg", a.org.ID, "")
	owner.call(nil, "deleteOrg", a.org.ID, "force")
	var st bridge.Status
	owner.call(&st, "deleteAccount", pw)
	if st.State != "none" {
		t.Fatalf("after deleting the account: %+v", st)
	}
	if _, ok := owner.host.Get("coffer.profile"); ok {
		t.Fatal("the deleted account's profile stays in the browser")
	}
	if _, err := client.Login(ctx, a.owner.Profile.Server, "owner@acme.example", []byte(pw), client.Options{}); err == nil {
		t.Fatal("a deleted account logs in")
	}
}
