package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/testserver"
)

func adminServer(t *testing.T, admins ...string) *testserver.Env {
	cfg := server.DefaultConfig()
	cfg.Admins = admins
	return testserver.Start(t, &cfg, nil)
}

// TestAdminAuthorizationMatrix asserts every cell of roles (instance
// administrator, owner, group manager, member, removed member, disabled
// account) × the actions of issue 25 (search, bindings, unbind, disable,
// enable, leave, delete account). Allowed cells run the real client
// operation; refused cells send the request directly, so no client-side
// check can hide a server hole, and then check nothing changed.
func TestAdminAuthorizationMatrix(t *testing.T) {
	env := adminServer(t, "Admin@m.example")
	admin := signup(t, env.URL, "admin@m.example")
	owner := signup(t, env.URL, "owner@m.example")
	manager := signup(t, env.URL, "manager@m.example")
	member := signup(t, env.URL, "member@m.example")
	removed := signup(t, env.URL, "removed@m.example")
	disabled := signup(t, env.URL, "disabled@m.example")
	victim := signup(t, env.URL, "victim@m.example") // unbound by the admin's cell
	bystander := signup(t, env.URL, "bystander@m.example")
	o := company(t, owner, "Matrix", manager, member, removed, disabled, victim, bystander)
	// The manager makes and manages a private group.
	if _, err := manager.CreateGroup(ctx, o.ID, "Team", true, ""); err != nil {
		t.Fatal(err)
	}
	if err := owner.RemoveMember(ctx, o.ID, "removed@m.example"); err != nil {
		t.Fatal(err)
	}
	if ok, err := admin.IsInstanceAdmin(ctx); err != nil || !ok {
		t.Fatalf("IsInstanceAdmin(admin) = %v, %v", ok, err)
	}
	if ok, err := owner.IsInstanceAdmin(ctx); err != nil || ok {
		t.Fatalf("IsInstanceAdmin(owner) = %v, %v", ok, err)
	}
	if _, err := admin.AdminDisable(ctx, "disabled@m.example"); err != nil {
		t.Fatal(err)
	}

	const ok = 0
	roles := []struct {
		name string
		s    *client.Session
	}{{"admin", admin}, {"owner", owner}, {"manager", manager}, {"member", member}, {"removed", removed}, {"disabled", disabled}}
	adminOnly := map[string]int{"admin": ok, "owner": 403, "manager": 403, "member": 403, "removed": 403, "disabled": 401}
	matrix := []struct {
		action string
		want   map[string]int
		path   string // the raw request of refused cells
		method string
		body   any
		allow  func(s *client.Session) error
		check  func(t *testing.T) // after the refused cells: nothing changed
	}{
		{"search", adminOnly, "/api/v1/admin/accounts?search=m.example", "GET", nil, func(s *client.Session) error {
			list, err := s.AdminSearch(ctx, "M.EXAMPLE")
			if err == nil && len(list) != 8 {
				t.Errorf("search found %d accounts, want 8", len(list))
			}
			return err
		}, nil},
		{"bindings", adminOnly, "/api/v1/admin/accounts/member@m.example", "GET", nil, func(s *client.Session) error {
			d, err := s.AdminAccount(ctx, "member@m.example")
			if err == nil && (len(d.Orgs) != 1 || d.Orgs[0].OrgID != o.ID || d.Orgs[0].OwnerEmail != "owner@m.example" || d.Orgs[0].Members != 6) {
				t.Errorf("bindings = %+v", d.Orgs)
			}
			return err
		}, nil},
		{"unbind", adminOnly, "/api/v1/admin/accounts/bystander@m.example/orgs/" + o.ID + "/unbind", "POST", struct{}{}, func(s *client.Session) error {
			return s.AdminUnbind(ctx, "victim@m.example", o.ID)
		}, func(t *testing.T) {
			if role, _ := env.Store.OrgRole(ctx, o.ID, bystander.Profile.UserID); role != store.RoleMember {
				t.Errorf("a refused unbind removed the bystander (role %q)", role)
			}
		}},
		{"disable", adminOnly, "/api/v1/admin/accounts/bystander@m.example/disable", "POST", struct{}{}, func(s *client.Session) error {
			_, err := s.AdminDisable(ctx, "victim@m.example")
			return err
		}, func(t *testing.T) {
			if a, _ := env.Store.AccountByEmail(ctx, "bystander@m.example"); !a.DisabledAt.IsZero() {
				t.Error("a refused disable disabled the bystander")
			}
		}},
		{"enable", adminOnly, "/api/v1/admin/accounts/disabled@m.example/enable", "POST", struct{}{}, func(s *client.Session) error {
			return s.AdminEnable(ctx, "victim@m.example")
		}, func(t *testing.T) {
			if a, _ := env.Store.AccountByEmail(ctx, "disabled@m.example"); a.DisabledAt.IsZero() {
				t.Error("a refused enable enabled the disabled account")
			}
		}},
		{"leave", map[string]int{"admin": 404, "owner": 409, "manager": ok, "member": ok, "removed": 404, "disabled": 401},
			"/api/v1/orgs/" + o.ID + "/leave", "POST", struct{}{}, func(s *client.Session) error { return s.LeaveOrg(ctx, o.ID) },
			func(t *testing.T) {
				if role, _ := env.Store.OrgRole(ctx, o.ID, owner.Profile.UserID); role != store.RoleOwner {
					t.Errorf("the owner's role is %q after a refused leave", role)
				}
			}},
		{"delete account", map[string]int{"admin": ok, "owner": 409, "manager": ok, "member": ok, "removed": ok, "disabled": 401},
			"/api/v1/account", "DELETE", map[string][]byte{"auth_key": make([]byte, 32)}, func(s *client.Session) error {
				return s.DeleteAccount(ctx, []byte("pw of "+s.Profile.Email))
			}, func(t *testing.T) {
				if _, err := env.Store.AccountByEmail(ctx, "disabled@m.example"); err != nil {
					t.Errorf("a refused deletion deleted the disabled account: %v", err)
				}
			}},
	}
	for _, row := range matrix {
		for _, r := range roles {
			want, listed := row.want[r.name]
			if !listed {
				t.Fatalf("%s × %s: no expectation", row.action, r.name)
			}
			if want == ok {
				if err := row.allow(r.s); err != nil {
					t.Errorf("%s × %s: %v, want allowed", row.action, r.name, err)
				}
				continue
			}
			body := row.body
			if row.action == "delete account" && r.name == "owner" {
				// The right password: refused for what the account owns.
				err := r.s.DeleteAccount(ctx, []byte("pw of "+r.s.Profile.Email))
				var ae *client.APIError
				if !errors.Is(err, client.ErrTransferOwnership) || !errors.As(err, &ae) || ae.Status != want {
					t.Errorf("%s × %s = %v, want %d transfer ownership first", row.action, r.name, err, want)
				}
				continue
			}
			got, err := call(env.URL, r.s, row.method, row.path, body)
			if err != nil || got != want {
				t.Errorf("%s × %s = %d, %v; want %d", row.action, r.name, got, err, want)
			}
		}
		if row.check != nil {
			row.check(t)
		}
	}
	// The allowed cells did what they say.
	if role, _ := env.Store.OrgRole(ctx, o.ID, victim.Profile.UserID); role != "" {
		t.Errorf("victim still a member after the unbind (%q)", role)
	}
	if _, err := env.Store.AccountByEmail(ctx, "admin@m.example"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the admin's account after deleting it: %v", err)
	}
}

// TestDisabledAccountCannotLogIn: disabling revokes every session at once
// and closes live streams; a login is refused with a clear error (after
// the password, so it tells nobody else anything); enabling restores it.
// An administrator cannot disable themselves.
func TestDisabledAccountCannotLogIn(t *testing.T) {
	env := adminServer(t, "root@d.example")
	root := signup(t, env.URL, "root@d.example")
	eve := signup(t, env.URL, "eve@d.example")

	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ended := make(chan error, 1)
	connected := make(chan struct{}, 1)
	go func() {
		ended <- eve.Watch(watchCtx, client.WatchOptions{OnConnect: func(int64) {
			select {
			case connected <- struct{}{}:
			default:
			}
		}}, func(client.Change) {})
	}()
	<-connected

	if _, err := root.AdminDisable(ctx, "root@d.example"); err == nil {
		t.Fatal("an administrator disabled their own account")
	}
	n, err := root.AdminDisable(ctx, "eve@d.example")
	if err != nil || n != 1 {
		t.Fatalf("AdminDisable = %d, %v; want 1 session ended", n, err)
	}
	select {
	case err := <-ended:
		if !errors.Is(err, client.ErrUnauthorized) {
			t.Fatalf("the live stream ended with %v, want unauthorized", err)
		}
	case <-time.After(time.Minute): // only turns a hang into a failure
		t.Fatal("the disabled account's live stream stayed open")
	}
	if err := eve.Sync(ctx); !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("Sync of a disabled account = %v, want unauthorized", err)
	}
	_, err = client.Login(ctx, env.URL, "eve@d.example", []byte("pw of eve@d.example"), client.Options{})
	if !errors.Is(err, client.ErrAccountDisabled) || client.KindOf(err) != "account-disabled" {
		t.Fatalf("login of a disabled account = %v, want ErrAccountDisabled", err)
	}
	if _, err := client.Login(ctx, env.URL, "eve@d.example", []byte("wrong"), client.Options{}); !errors.Is(err, client.ErrWrongPassword) {
		t.Fatalf("a wrong password for a disabled account = %v, want the usual wrong password", err)
	}
	if err := root.AdminEnable(ctx, "eve@d.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Login(ctx, env.URL, "eve@d.example", []byte("pw of eve@d.example"), client.Options{}); err != nil {
		t.Fatalf("login after enabling: %v", err)
	}
}

// TestUnbindAndLeaveAreLive: an unbound (or leaving) member's open session
// loses the organisation at once, through the real event stream; the
// owner's client, on the same event, signs the roster with them as a
// former member; what they wrote keeps verifying.
func TestUnbindAndLeaveAreLive(t *testing.T) {
	env := adminServer(t, "root@l.example")
	root := signup(t, env.URL, "root@l.example")
	owner := signup(t, env.URL, "owner@l.example")
	una := signup(t, env.URL, "una@l.example")
	leo := signup(t, env.URL, "leo@l.example")
	o := company(t, owner, "Live", una, leo)
	v, err := owner.CreateVault(ctx, o.ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"una@l.example", "leo@l.example"} {
		if err := owner.GrantUser(ctx, v, e, "edit"); err != nil {
			t.Fatal(err)
		}
	}
	if err := una.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	written, err := una.CreateItem(ctx, v.ID, "note", client.Content{Name: "by una", Notes: "kept"})
	if err != nil {
		t.Fatal(err)
	}
	unaWatch := startWatch(t, una)
	ownerWatch := startWatch(t, owner)

	if err := root.AdminUnbind(ctx, "owner@l.example", o.ID); !errors.Is(err, client.ErrTransferOwnership) {
		t.Fatalf("unbinding the owner = %v, want transfer ownership first", err)
	}
	if err := root.AdminUnbind(ctx, "una@l.example", o.ID); err != nil {
		t.Fatal(err)
	}
	unaWatch.waitFor(t, "you were removed from an organisation")
	if _, err := una.FindOrg(o.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("una still sees the organisation: %v", err)
	}
	if _, ok := unaVault(una, v.ID); ok {
		t.Fatal("una still sees the vault")
	}
	ownerWatch.waitFor(t, "left the organisation")
	waitNoDepartures(t, env, owner, o.ID)

	if err := leo.LeaveOrg(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := leo.FindOrg(o.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatal("leo still sees the organisation after leaving")
	}
	if err := owner.LeaveOrg(ctx, o.ID); !errors.Is(err, client.ErrTransferOwnership) {
		t.Fatalf("owner leaving = %v", err)
	}
	waitNoDepartures(t, env, owner, o.ID)
	members, err := owner.Members(ctx, o.ID)
	if err != nil || len(members) != 1 {
		t.Fatalf("members after leaving = %+v, %v; want the owner alone", members, err)
	}
	it, err := owner.FindItem(written.ID, false)
	if err != nil || it.Content.Notes != "kept" {
		t.Fatalf("una's item after the unbind: %+v, %v", it, err)
	}
}

// TestDeletedMemberKeepsVerifying: a deleted account's revisions in an
// organisation vault keep verifying (its tombstone keeps its keys, the
// owner's client signs it into the roster's former members); the owner
// cannot delete their account.
func TestDeletedMemberKeepsVerifying(t *testing.T) {
	env := adminServer(t)
	owner := signup(t, env.URL, "owner@x.example")
	dora := signup(t, env.URL, "dora@x.example")
	o := company(t, owner, "Del", dora)
	v, err := owner.CreateVault(ctx, o.ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, v, "dora@x.example", "edit"); err != nil {
		t.Fatal(err)
	}
	if err := dora.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	written, err := dora.CreateItem(ctx, v.ID, "note", client.Content{Name: "by dora", Notes: "stays"})
	if err != nil {
		t.Fatal(err)
	}
	addLogin(t, dora, "own", "pw")
	if err := owner.DeleteAccount(ctx, []byte("pw of owner@x.example")); !errors.Is(err, client.ErrTransferOwnership) {
		t.Fatalf("owner's deletion = %v", err)
	}
	if err := dora.DeleteAccount(ctx, []byte("wrong")); !errors.Is(err, client.ErrWrongPassword) {
		t.Fatalf("deletion with a wrong password = %v", err)
	}
	if err := dora.DeleteAccount(ctx, []byte("pw of dora@x.example")); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Login(ctx, env.URL, "dora@x.example", []byte("pw of dora@x.example"), client.Options{}); !errors.Is(err, client.ErrWrongPassword) {
		t.Fatalf("login after deletion = %v", err)
	}
	waitNoDepartures(t, env, owner, o.ID)
	it, err := owner.FindItem(written.ID, false)
	if err != nil || it.Content.Notes != "stays" {
		t.Fatalf("dora's item after her deletion: %+v, %v", it, err)
	}
	if q := owner.Quarantined(); len(q) != 0 {
		t.Fatalf("quarantined after the deletion: %+v", q)
	}
	// The address can sign up again, as a new account.
	again := signup(t, env.URL, "dora@x.example")
	if again.Profile.UserID == dora.Profile.UserID {
		t.Fatal("same account id")
	}
}

func unaVault(s *client.Session, id string) (*client.Vault, bool) {
	for _, v := range s.Vaults() {
		if v.ID == id {
			return v, true
		}
	}
	return nil, false
}

// waitNoDepartures syncs the owner (which completes pending departures)
// and checks that the server holds none any more.
func waitNoDepartures(t *testing.T, env *testserver.Env, owner *client.Session, orgID string) {
	t.Helper()
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	deps, err := env.Store.Departures(ctx, orgID)
	if err != nil || len(deps) != 0 {
		t.Fatalf("departures after the owner's sync = %+v, %v (warnings %v)", deps, err, owner.Warnings)
	}
}

// TestAdminResetSecondFactors: someone who lost their authenticator and
// recovery codes gets back in through an instance administrator — the
// reset turns two-factor log-in off and leaves a notice naming who did
// it; nobody else may reset, and an account without it is not found.
func TestAdminResetSecondFactors(t *testing.T) {
	env := adminServer(t, "admin@r.example")
	admin := signup(t, env.URL, "admin@r.example")
	lost := signup(t, env.URL, "lost@r.example")
	other := signup(t, env.URL, "other@r.example")
	pw := []byte("pw of lost@r.example")
	start, err := lost.StartTwoFactor(ctx, pw)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(start.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lost.ConfirmTwoFactor(ctx, code); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Login(ctx, env.URL, "lost@r.example", pw, client.Options{}); err == nil {
		t.Fatal("logged in without the second factor")
	}
	// Not an administrator: refused, and nothing changes.
	var ae *client.APIError
	if err := other.AdminResetSecondFactors(ctx, "lost@r.example"); !errors.As(err, &ae) || ae.Status != 403 {
		t.Fatalf("a member's reset: %v", err)
	}
	if _, err := client.Login(ctx, env.URL, "lost@r.example", pw, client.Options{}); err == nil {
		t.Fatal("a refused reset turned two-factor log-in off")
	}
	if err := admin.AdminResetSecondFactors(ctx, "lost@r.example"); err != nil {
		t.Fatal(err)
	}
	back, err := client.Login(ctx, env.URL, "lost@r.example", pw, client.Options{})
	if err != nil {
		t.Fatalf("log-in after the reset: %v", err)
	}
	ns, err := back.Notices(ctx)
	if err != nil || len(ns) != 1 || ns[0].Title != "Your two-factor log-in was turned off" || !strings.Contains(ns[0].Text, "admin@r.example") {
		t.Fatalf("notices %+v, %v", ns, err)
	}
	if err := admin.AdminResetSecondFactors(ctx, "lost@r.example"); !errors.Is(err, client.ErrNotFound) && client.KindOf(err) != "not-found" {
		t.Fatalf("a reset of nothing: %v", err)
	}
}
