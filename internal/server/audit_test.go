package server_test

// The organisation audit log (issue 25, docs/protocol.md §18.7): every
// organisation action records exactly one entry, in order, with its
// actor; a client action without a valid statement is refused and
// nothing is done; only the owner reads the log.

import (
	"bytes"
	"errors"
	"net/http"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/testserver"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// must1 is must for a call that returns a value: must1(f())(t).
func must1[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		must(t, err)
		return v
	}
}

// auditActions lists the log's actions and actors (e-mail) from the store.
func auditActions(t *testing.T, env *testserver.Env, orgID string, names map[string]string) (actions, actors []string) {
	t.Helper()
	list, err := env.Store.AuditLog(bg, orgID, 0, 1000)
	must(t, err)
	for _, e := range list {
		actions = append(actions, e.Action)
		actors = append(actors, names[e.ActorID])
	}
	return actions, actors
}

func TestAuditLogRecordsEveryOrganisationAction(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signupClient(t, env.URL, "owner@audit.example")
	alice := signupClient(t, env.URL, "alice@audit.example")
	bob := signupClient(t, env.URL, "bob@audit.example")
	names := map[string]string{owner.Profile.UserID: "owner", alice.Profile.UserID: "alice", bob.Profile.UserID: "bob"}

	o := must1(owner.CreateOrg(bg, "Acme"))(t)
	res := must1(owner.Invite(bg, o.ID, []string{"alice@audit.example", "bob@audit.example"}))(t)
	must1(alice.Join(bg, "Acme", res.Code))(t)
	must1(bob.Join(bg, "Acme", res.Code))(t)
	must(t, owner.Confirm(bg, o.ID, []string{"alice@audit.example"}))
	must(t, owner.Cancel(bg, o.ID, []string{"bob@audit.example"}))
	must(t, alice.Sync(bg))
	g := must1(owner.CreateGroup(bg, o.ID, "Team", false, "edit"))(t)
	must(t, owner.AddGroupMembers(bg, g, []string{"alice@audit.example"}))
	v := must1(owner.CreateVault(bg, o.ID, "Ops"))(t)
	must(t, owner.GrantGroup(bg, v, "Team", ""))
	must(t, alice.Sync(bg))
	// A member's item changes are in the log too, as the member's.
	it := must1(alice.CreateItem(bg, v.ID, "note", client.Content{Name: "runbook"}))(t)
	it = must1(alice.UpdateItem(bg, it, client.Content{Name: "runbook", Notes: "v2"}))(t)
	must1(owner.CreateItems(bg, v.ID, []client.NewItem{{Type: "note", Content: client.Content{Name: "a"}}, {Type: "note", Content: client.Content{Name: "b"}}}))(t)
	must(t, owner.Sync(bg))
	it = must1(owner.FindItem("runbook", false))(t)
	it = must1(owner.TrashItem(bg, it))(t)
	it = must1(owner.RestoreItem(bg, it))(t)
	it = must1(owner.TrashItem(bg, it))(t)
	must(t, owner.PurgeItem(bg, it))
	// My Vault is in no log; a move out of it into the organisation is.
	mine := must1(owner.PersonalVault())(t)
	personal := must1(owner.CreateItem(bg, mine.ID, "note", client.Content{Name: "mine"}))(t)
	must1(owner.MoveItem(bg, personal, v.ID))(t)
	must(t, owner.RenameVault(bg, v.ID, "Ops2"))
	must(t, owner.RenameGroup(bg, o.ID, g.ID, "Team2"))
	must(t, owner.RenameOrg(bg, o.ID, "Acme2"))
	must(t, owner.Revoke(bg, v, "group", g.ID))
	must(t, owner.RemoveGroupMember(bg, g, "alice@audit.example"))
	must(t, owner.DeleteGroup(bg, o.ID, g.ID, false))
	must(t, owner.DeleteVault(bg, v.ID, true))
	must(t, owner.RemoveMember(bg, o.ID, "alice@audit.example"))

	actions, actors := auditActions(t, env, o.ID, names)
	want := []string{"invite", "join", "join", "confirm", "cancel", "group-create", "group-add", "vault-create", "grant",
		"item-create", "item-update", "item-create", "item-create", "item-trash", "item-restore", "item-trash", "item-purge",
		"move", "rename", "rename", "rename", "revoke", "rotate", "group-remove", "rotate", "delete", "delete", "remove", "rotate"}
	// Each loss of access is followed by the rotation the remover does at
	// once (protocol §18.2): the vault after the revoke, the group after
	// the removal from it, the organisation key after the removal.
	wantActors := []string{"owner", "alice", "bob", "owner", "owner", "owner", "owner", "owner", "owner",
		"alice", "alice", "owner", "owner", "owner", "owner", "owner", "owner",
		"owner", "owner", "owner", "owner", "owner", "owner", "owner", "owner", "owner", "owner", "owner", "owner"}
	if len(actions) != len(want) {
		t.Fatalf("actions %v\nwant    %v", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] || actors[i] != wantActors[i] {
			t.Fatalf("entry %d: %s by %s, want %s by %s\nall: %v %v", i+1, actions[i], actors[i], want[i], wantActors[i], actions, actors)
		}
	}

	// The owner's client verifies the whole log: signed client actions,
	// server-attested joins, actors by e-mail (alice is a former member now).
	entries := must1(owner.AuditLog(bg, o.ID, client.AuditFilter{}))(t)
	if len(entries) != len(want) {
		t.Fatalf("verified %d entries, want %d", len(entries), len(want))
	}
	for _, e := range entries {
		if e.Signed == (e.Action == "join") {
			t.Fatalf("entry %d (%s): signed = %v", e.Seq, e.Action, e.Signed)
		}
		if e.Source != "127.0.0.1" {
			t.Fatalf("entry %d: source %q", e.Seq, e.Source)
		}
	}
	if e := entries[9]; e.Actor != "alice@audit.example" || e.Target.Item == "" || e.Target.Revision != 1 || e.Target.Vault != v.ID {
		t.Fatalf("alice's item-create: %+v", e)
	}
	if f := must1(owner.AuditLog(bg, o.ID, client.AuditFilter{Actor: "alice@audit.example", Action: "item-update"}))(t); len(f) != 1 || f[0].Seq != 11 {
		t.Fatalf("filtered: %+v", f)
	}
}

// rawStated sends method path with an optional statement header.
func rawStated(t *testing.T, env *testserver.Env, s *client.Session, method, path string, body []byte, statement string) int {
	t.Helper()
	req, _ := http.NewRequest(method, env.URL+api.Prefix+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.Token())
	req.Header.Set("Content-Type", "application/json")
	if statement != "" {
		req.Header.Set(api.StatementHeader, statement)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestAuditStatementMissingOrForgedIsRefused(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signupClient(t, env.URL, "owner@stmt.example")
	other := signupClient(t, env.URL, "other@stmt.example")
	o := must1(owner.CreateOrg(bg, "Acme"))(t)
	v := must1(owner.CreateVault(bg, o.ID, "Ops"))(t)
	before, _ := auditActions(t, env, o.ID, nil)
	del := "/vaults/" + v.ID + "?force=true"
	for name, stmt := range map[string]string{
		"missing":        "",
		"malformed":      "not-a-statement",
		"another target": owner.AuditStatement(o.ID, api.AuditDelete, api.TargetObject(api.ObjectVault, o.ID, true)),
		"another action": owner.AuditStatement(o.ID, api.AuditRename, api.TargetObject(api.ObjectVault, v.ID, true)),
		"without force":  owner.AuditStatement(o.ID, api.AuditDelete, api.TargetObject(api.ObjectVault, v.ID, false)),
		"another signer": other.AuditStatement(o.ID, api.AuditDelete, api.TargetObject(api.ObjectVault, v.ID, true)),
		"another org":    owner.AuditStatement("00000000-0000-4000-8000-000000000000", api.AuditDelete, api.TargetObject(api.ObjectVault, v.ID, true)),
	} {
		if st := rawStated(t, env, owner, "DELETE", del, nil, stmt); st != http.StatusBadRequest {
			t.Fatalf("%s statement: HTTP %d, want 400", name, st)
		}
	}
	if after, _ := auditActions(t, env, o.ID, nil); len(after) != len(before) {
		t.Fatalf("a refused action was recorded: %v", after)
	}
	if _, err := env.Store.Vault(bg, v.ID); err != nil {
		t.Fatalf("a refused delete deleted the vault: %v", err)
	}
	// The right statement: done and recorded once.
	if st := rawStated(t, env, owner, "DELETE", del, nil, owner.AuditStatement(o.ID, api.AuditDelete, api.TargetObject(api.ObjectVault, v.ID, true))); st != http.StatusNoContent {
		t.Fatalf("signed delete: HTTP %d", st)
	}
	if after, _ := auditActions(t, env, o.ID, nil); len(after) != len(before)+1 || after[len(after)-1] != "delete" {
		t.Fatalf("log after the delete: %v", after)
	}
}

func TestAuditLogIsTheOwnersAlone(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signupClient(t, env.URL, "owner@read.example")
	member := signupClient(t, env.URL, "member@read.example")
	outsider := signupClient(t, env.URL, "outsider@read.example")
	o := must1(owner.CreateOrg(bg, "Acme"))(t)
	res := must1(owner.Invite(bg, o.ID, []string{"member@read.example"}))(t)
	must1(member.Join(bg, "Acme", res.Code))(t)
	must(t, owner.Confirm(bg, o.ID, []string{"member@read.example"}))
	must(t, member.Sync(bg))
	path := "/orgs/" + o.ID + "/audit"
	for _, c := range []struct {
		who  *client.Session
		want int
	}{{owner, http.StatusOK}, {member, http.StatusForbidden}, {outsider, http.StatusNotFound}} {
		if st := rawStated(t, env, c.who, "GET", path, nil, ""); st != c.want {
			t.Fatalf("%s reads the log: HTTP %d, want %d", c.who.Profile.Email, st, c.want)
		}
	}
	if _, err := member.AuditLog(bg, o.ID, client.AuditFilter{}); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("a member's client: %v", err)
	}
}
