package server_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestDeparturesAreAudited (issue 25, §18.7): leaving is recorded with
// the member's signed statement (a request without one is refused and
// nothing is done), an administrator's unbinding as a server-attested
// entry naming the administrator, an account deletion as one
// server-attested account-delete per organisation the account left —
// each in the departure's transaction. An instance administrator reads
// and verifies the log through the administrators' endpoints; the owner's
// client verifies the same log; anyone else is refused.
func TestDeparturesAreAudited(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.Admins = []string{"root@dep.example"}
	env := testserver.Start(t, &cfg, nil)
	root := signupClient(t, env.URL, "root@dep.example")
	owner := signupClient(t, env.URL, "owner@dep.example")
	una := signupClient(t, env.URL, "una@dep.example")
	leo := signupClient(t, env.URL, "leo@dep.example")
	dora := signupClient(t, env.URL, "dora@dep.example")
	names := map[string]string{root.Profile.UserID: "root", owner.Profile.UserID: "owner", una.Profile.UserID: "una",
		leo.Profile.UserID: "leo", dora.Profile.UserID: "dora", "": "server"}

	o := must1(owner.CreateOrg(bg, "Acme"))(t)
	other := must1(owner.CreateOrg(bg, "Other"))(t)
	for _, org := range []*client.Org{o, other} {
		res := must1(owner.Invite(bg, org.ID, []string{"una@dep.example", "leo@dep.example", "dora@dep.example"}))(t)
		for _, s := range []*client.Session{una, leo, dora} {
			must1(s.Join(bg, org.Name, res.Code))(t)
		}
		must(t, owner.Confirm(bg, org.ID, []string{"una@dep.example", "leo@dep.example", "dora@dep.example"}))
	}
	for _, s := range []*client.Session{una, leo, dora} {
		must(t, s.Sync(bg))
	}
	before, _ := auditActions(t, env, o.ID, names)

	// Leaving without a statement, or with someone else's, is refused.
	leave := "/orgs/" + o.ID + "/leave"
	for name, stmt := range map[string]string{
		"missing":        "",
		"another member": una.AuditStatement(o.ID, api.AuditLeave, api.TargetMember(leo.Profile.UserID)),
		"another action": leo.AuditStatement(o.ID, api.AuditRemove, api.TargetMember(leo.Profile.UserID)),
	} {
		if st := rawStated(t, env, leo, "POST", leave, []byte("{}"), stmt); st != http.StatusBadRequest {
			t.Fatalf("leave with a %s statement: HTTP %d, want 400", name, st)
		}
	}
	if role, _ := env.Store.OrgRole(bg, o.ID, leo.Profile.UserID); role == "" {
		t.Fatal("a refused leave left")
	}
	must(t, leo.LeaveOrg(bg, o.ID))
	must(t, root.AdminUnbind(bg, "una@dep.example", o.ID))
	must(t, dora.DeleteAccount(bg, []byte("pw of dora@dep.example")))

	actions, actors := auditActions(t, env, o.ID, names)
	actions, actors = actions[len(before):], actors[len(before):]
	want := []string{"leave/leo", "unbind/root", "account-delete/dora"}
	if len(actions) != len(want) {
		t.Fatalf("new entries %v by %v, want %v", actions, actors, want)
	}
	for i := range want {
		if actions[i]+"/"+actors[i] != want[i] {
			t.Fatalf("new entries %v by %v, want %v", actions, actors, want)
		}
	}
	list := must1(env.Store.AuditLog(bg, o.ID, 0, 1000))(t)
	for _, e := range list[len(before):] {
		if signed := len(e.Statement) > 0; signed != (e.Action == "leave") {
			t.Fatalf("%s: statement %v", e.Action, signed)
		}
	}
	// The deletion is in the other organisation's log too, and only there
	// once.
	if acts, _ := auditActions(t, env, other.ID, names); acts[len(acts)-1] != "account-delete" {
		t.Fatalf("the other organisation's log: %v", acts)
	}

	// The owner's client and the administrator's verify the same log.
	mine := must1(owner.AuditLog(bg, o.ID, client.AuditFilter{}))(t)
	theirs := must1(root.AdminAuditLog(bg, o.ID, client.AuditFilter{}))(t)
	if len(mine) != len(list) || len(theirs) != len(list) {
		t.Fatalf("owner verified %d, administrator %d, of %d entries", len(mine), len(theirs), len(list))
	}
	for i := range mine {
		if mine[i].Actor != theirs[i].Actor && !(theirs[i].ActorID == root.Profile.UserID) {
			t.Fatalf("entry %d: owner names %q, administrator %q", i+1, mine[i].Actor, theirs[i].Actor)
		}
	}
	if got := theirs[len(theirs)-3]; got.Action != "leave" || !got.Signed || got.Actor != "leo@dep.example" {
		t.Fatalf("the administrator's leave entry: %+v", got)
	}
	if got := theirs[len(theirs)-2]; got.Action != "unbind" || got.Signed || got.Actor != "root@dep.example" {
		t.Fatalf("the administrator's unbind entry: %+v", got)
	}

	// Administrators only: the owner, a member and a former member are
	// refused (403), whatever they hold.
	for _, s := range []*client.Session{owner, una, leo} {
		for _, p := range []string{"/admin/orgs/" + o.ID + "/audit", "/admin/orgs/" + o.ID + "/roster"} {
			if st := rawStated(t, env, s, "GET", p, nil, ""); st != http.StatusForbidden {
				t.Fatalf("%s reads %s: HTTP %d, want 403", s.Profile.Email, p, st)
			}
		}
	}
	if _, err := owner.AdminAuditLog(bg, o.ID, client.AuditFilter{}); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("the owner's client as an administrator: %v", err)
	}
	if st := rawStated(t, env, root, "GET", "/admin/orgs/00000000-0000-4000-8000-000000000000/audit", nil, ""); st != http.StatusNotFound {
		t.Fatalf("an unknown organisation: HTTP %d", st)
	}
}

// TestExposureIsTheOwnersAlone: GET /orgs/{org}/exposure/{user} is the
// owner's; a member, a group's manager and someone outside are refused.
func TestExposureIsTheOwnersAlone(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signupClient(t, env.URL, "owner@exp.example")
	manager := signupClient(t, env.URL, "manager@exp.example")
	member := signupClient(t, env.URL, "member@exp.example")
	outsider := signupClient(t, env.URL, "outsider@exp.example")
	o := must1(owner.CreateOrg(bg, "Acme"))(t)
	res := must1(owner.Invite(bg, o.ID, []string{"manager@exp.example", "member@exp.example"}))(t)
	must1(manager.Join(bg, "Acme", res.Code))(t)
	must1(member.Join(bg, "Acme", res.Code))(t)
	must(t, owner.Confirm(bg, o.ID, []string{"manager@exp.example", "member@exp.example"}))
	must(t, manager.Sync(bg))
	must(t, member.Sync(bg))
	v := must1(owner.CreateVault(bg, o.ID, "Ops"))(t)
	must(t, owner.GrantUser(bg, v, "manager@exp.example", "manage"))
	must1(manager.CreateGroup(bg, o.ID, "Team", true, ""))(t)
	must(t, owner.RemoveMember(bg, o.ID, "member@exp.example"))

	path := "/orgs/" + o.ID + "/exposure/" + member.Profile.UserID
	for _, c := range []struct {
		who  *client.Session
		want int
	}{{owner, http.StatusOK}, {manager, http.StatusForbidden}, {member, http.StatusNotFound}, {outsider, http.StatusNotFound}} {
		if st := rawStated(t, env, c.who, "GET", path, nil, ""); st != c.want {
			t.Fatalf("%s reads the exposure: HTTP %d, want %d", c.who.Profile.Email, st, c.want)
		}
	}
	must(t, manager.Sync(bg))
	if _, err := manager.Exposure(bg, o.ID, "member@exp.example"); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("the manager's client: %v", err)
	}
	if list := must1(owner.Exposure(bg, o.ID, "member@exp.example"))(t); len(list) != 1 || list[0].How != "removed" {
		t.Fatalf("the owner's client: %+v", list)
	}
}
