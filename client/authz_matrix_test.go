package client_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestAuthorizationMatrix asserts every cell of roles × actions against the
// server. Allowed cells run the real client operation; refused cells send
// the request directly (so no client-side check can hide a server hole) and
// expect 404 where the caller may not even see the object, 403 where they
// see it but lack the right — and then check that nothing was written.
func TestAuthorizationMatrix(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@m.example")
	viewer := signup(t, env.URL, "viewer@m.example")
	editor := signup(t, env.URL, "editor@m.example")
	manager := signup(t, env.URL, "manager@m.example")
	joined := signup(t, env.URL, "joined@m.example")
	invited := signup(t, env.URL, "invited@m.example")
	outsider := signup(t, env.URL, "outsider@m.example")
	otherOrg := signup(t, env.URL, "other@m.example")
	spare := signup(t, env.URL, "spare@m.example") // confirmed by the owner's allowed cell

	o := company(t, owner, "Matrix", viewer, editor, manager)
	res, err := owner.Invite(ctx, o.ID, []string{"joined@m.example", "invited@m.example", "spare@m.example"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*client.Session{joined, spare} {
		if _, err := s.Join(ctx, "Matrix", res.Code); err != nil {
			t.Fatal(err)
		}
	}
	company(t, otherOrg, "Elsewhere")

	v, err := owner.CreateVault(ctx, o.ID, "V")
	if err != nil {
		t.Fatal(err)
	}
	for s, perm := range map[*client.Session]string{viewer: "view", editor: "edit", manager: "manage"} {
		if err := owner.GrantUser(ctx, v, s.Profile.Email, perm); err != nil {
			t.Fatal(err)
		}
	}
	item, err := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: "matrix item", Notes: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*client.Session{owner, viewer, editor, manager, joined, invited, outsider, otherOrg, spare} {
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}

	type role struct {
		name string
		s    *client.Session
	}
	roles := []role{{"owner", owner}, {"view", viewer}, {"edit", editor}, {"manage", manager},
		{"joined", joined}, {"invited", invited}, {"non-member", outsider}, {"other-org", otherOrg}}
	const ok = 0
	// Expected outcome per action and role: ok, or the refusal status.
	matrix := map[string]map[string]int{
		"read vault":           {"owner": ok, "view": ok, "edit": ok, "manage": ok, "joined": 404, "invited": 404, "non-member": 404, "other-org": 404},
		"write item":           {"owner": ok, "view": 403, "edit": ok, "manage": ok, "joined": 404, "invited": 404, "non-member": 404, "other-org": 404},
		"write items in batch": {"owner": ok, "view": 403, "edit": ok, "manage": ok, "joined": 404, "invited": 404, "non-member": 404, "other-org": 404},
		"grant":                {"owner": ok, "view": 403, "edit": 403, "manage": ok, "joined": 404, "invited": 404, "non-member": 404, "other-org": 404},
		"invite":               {"owner": ok, "view": 403, "edit": 403, "manage": 403, "joined": 404, "invited": 404, "non-member": 404, "other-org": 404},
		"create group":         {"owner": ok, "view": 403, "edit": 403, "manage": 403, "joined": 404, "invited": 404, "non-member": 404, "other-org": 404},
		"create private group": {"owner": ok, "view": ok, "edit": ok, "manage": ok, "joined": 404, "invited": 404, "non-member": 404, "other-org": 404},
		"create vault":         {"owner": ok, "view": 403, "edit": 403, "manage": 403, "joined": 404, "invited": 404, "non-member": 404, "other-org": 404},
		"confirm":              {"owner": ok, "view": 403, "edit": 403, "manage": 403, "joined": 404, "invited": 404, "non-member": 404, "other-org": 404},
	}
	orgPath := "/api/v1/orgs/" + o.ID
	allowed := map[string]func(*client.Session) error{
		"read vault": func(s *client.Session) error {
			it, err := s.FindItem(item.ID, false)
			if err == nil && it.Content.Notes != "x" {
				err = fmt.Errorf("read %q", it.Content.Notes)
			}
			return err
		},
		"write item": func(s *client.Session) error {
			_, err := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "by " + s.Profile.Email})
			return err
		},
		"write items in batch": func(s *client.Session) error {
			_, err := s.CreateItems(ctx, v.ID, []client.NewItem{{Type: "note", Content: client.Content{Name: "batch 1 by " + s.Profile.Email}},
				{Type: "login", Content: client.Content{Name: "batch 2 by " + s.Profile.Email}}})
			return err
		},
		"grant": func(s *client.Session) error {
			if err := s.Sync(ctx); err != nil { // learn that spare was confirmed
				return err
			}
			return s.GrantUser(ctx, mustVault(t, s, v.ID), "spare@m.example", "view")
		},
		"invite": func(s *client.Session) error {
			_, err := s.Invite(ctx, o.ID, []string{"new-" + uuid.NewString()[:8] + "@m.example"})
			return err
		},
		"create group": func(s *client.Session) error {
			_, err := s.CreateGroup(ctx, o.ID, "G "+s.Profile.Email, false, "")
			return err
		},
		"create private group": func(s *client.Session) error {
			_, err := s.CreateGroup(ctx, o.ID, "P "+s.Profile.Email, true, "")
			return err
		},
		"create vault": func(s *client.Session) error { _, err := s.CreateVault(ctx, o.ID, "V2"); return err },
		"confirm":      func(s *client.Session) error { return s.Confirm(ctx, o.ID, []string{"spare@m.example"}) },
	}
	refused := map[string]func(*client.Session) (int, error){
		"read vault": func(s *client.Session) (int, error) { return call(env.URL, s, "GET", "/api/v1/items/"+item.ID, nil) },
		"write item": func(s *client.Session) (int, error) {
			return call(env.URL, s, "POST", "/api/v1/vaults/"+v.ID+"/items", map[string]any{"id": uuid.NewString(), "type": "note"})
		},
		"write items in batch": func(s *client.Session) (int, error) {
			return call(env.URL, s, "POST", "/api/v1/vaults/"+v.ID+"/items/batch", map[string]any{"items": []any{map[string]any{"id": uuid.NewString(), "type": "note"}}})
		},
		"grant": func(s *client.Session) (int, error) {
			return call(env.URL, s, "POST", "/api/v1/vaults/"+v.ID+"/grants", map[string]any{"grantee_kind": "user", "grantee_id": s.Profile.UserID, "permission": "manage"})
		},
		"invite": func(s *client.Session) (int, error) {
			return call(env.URL, s, "POST", orgPath+"/invitations", map[string]any{})
		},
		"create group": func(s *client.Session) (int, error) {
			return call(env.URL, s, "POST", orgPath+"/groups", map[string]any{})
		},
		"create private group": func(s *client.Session) (int, error) {
			return call(env.URL, s, "POST", orgPath+"/groups", map[string]any{"private": true})
		},
		"create vault": func(s *client.Session) (int, error) {
			return call(env.URL, s, "POST", orgPath+"/vaults", map[string]any{})
		},
		"confirm": func(s *client.Session) (int, error) {
			return call(env.URL, s, "POST", orgPath+"/invitations/"+uuid.NewString()+"/confirm", map[string]any{})
		},
	}
	// Confirm runs before grant: the grant cells share the confirmed member.
	order := []string{"read vault", "write item", "write items in batch", "confirm", "grant", "invite", "create group", "create private group", "create vault"}
	if len(order) != len(matrix) {
		t.Fatal("order and matrix differ")
	}
	for _, action := range order {
		want := matrix[action]
		for _, r := range roles {
			t.Run(action+"/"+r.name, func(t *testing.T) {
				if want[r.name] == ok {
					if err := allowed[action](r.s); err != nil {
						t.Fatalf("%s may %s, but: %v", r.name, action, err)
					}
					return
				}
				status, err := refused[action](r.s)
				if err != nil {
					t.Fatal(err)
				}
				if status != want[r.name] {
					t.Fatalf("%s tried %s: HTTP %d, want %d", r.name, action, status, want[r.name])
				}
			})
		}
	}
	// Nothing refused was written: the vault holds the owner's item and one
	// item per allowed writer; the spare member is confirmed exactly once.
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, it := range owner.List(false) {
		if it.VaultID == v.ID {
			count++
		}
	}
	if count != 10 { // owner's item + owner, edit, manage writers, one item and a batch of two each
		t.Fatalf("vault holds %d items, want 10", count)
	}
	access, err := owner.VaultAccess(ctx, mustVault(t, owner, v.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(access) != 5 { // owner, view, edit, manage, spare (granted by manager and owner)
		t.Fatalf("access list = %+v", access)
	}
}

func mustVault(t *testing.T, s *client.Session, id string) *client.Vault {
	t.Helper()
	v, err := s.FindVault(id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// call sends a raw API request with the session's token and returns the status.
func call(base string, s *client.Session, method, path string, body any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// TestGrantGuards: My Vault has no grants to revoke, and a vault's creator
// keeps manage access (neither revoked nor lowered).
func TestGrantGuards(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@guard.example")
	member := signup(t, env.URL, "member@guard.example")
	o := company(t, owner, "Guard", member)
	v, err := owner.CreateVault(ctx, o.ID, "V")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, v, "member@guard.example", "manage"); err != nil {
		t.Fatal(err)
	}
	member.Sync(ctx)
	personal, _ := owner.PersonalVault()
	cases := []struct {
		name   string
		s      *client.Session
		method string
		path   string
		body   any
		want   int
	}{
		{"revoke own My Vault grant", owner, "DELETE", "/api/v1/vaults/" + personal.ID + "/grants/user/" + owner.Profile.UserID, nil, 400},
		{"revoke the creator", member, "DELETE", "/api/v1/vaults/" + v.ID + "/grants/user/" + owner.Profile.UserID, nil, 409},
		{"lower the creator", member, "POST", "/api/v1/vaults/" + v.ID + "/grants",
			map[string]any{"grantee_kind": "user", "grantee_id": owner.Profile.UserID, "permission": "view", "wraps": []any{}}, 409},
		{"malformed grantee id", member, "DELETE", "/api/v1/vaults/" + v.ID + "/grants/user/not-a-uuid", nil, 400},
	}
	for _, c := range cases {
		status, err := call(env.URL, c.s, c.method, c.path, c.body)
		if err != nil || status != c.want {
			t.Errorf("%s: HTTP %d, %v; want %d", c.name, status, err, c.want)
		}
	}
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.FindVault(personal.ID); err != nil {
		t.Fatal("owner lost My Vault")
	}
	if got := mustVault(t, owner, v.ID).Permission; got != "manage" {
		t.Fatalf("creator's permission = %s", got)
	}
}
