package tamper_test

import (
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/tamper"
)

// These tests pin the documented limits (docs/security.md), so that no
// later change silently claims more than the protocol delivers — or, once
// a limit is lifted, the test is changed on purpose together with the docs.

// A2: a rotation re-wraps only to pinned recipients (docs/protocol.md
// §18.2). A server that slips an extra grantee into the grants the
// rotating client reads — an account outside the organisation — gets
// nothing: the client wraps the new epoch to roster-verified members (and
// groups whose keys their signer vouches for) only.
func TestThreatA2RotationWrapsOnlyToPinnedRecipients(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@a2.example")
	member := signup(t, h, "member@a2.example")
	mallory := signup(t, h, "mallory@a2.example")
	_, v := company(t, owner, member)
	if err := owner.GrantUser(ctx, v, "member@a2.example", "view"); err != nil {
		t.Fatal(err)
	}
	member.Sync(ctx)
	if _, err := member.FindVault(v.ID); err != nil {
		t.Fatal(err)
	}
	h.MutateJSON("GET", `/vaults/[^/]+/access$`, func(body any) any {
		m := body.(map[string]any)
		// An account outside the organisation, and the member being
		// revoked (still a member of the organisation): neither is in
		// the vault's newest signed record once the revoke signed it.
		m["grants"] = append(m["grants"].([]any),
			map[string]any{"grantee_kind": "user", "grantee_id": mallory.Profile.UserID, "permission": "manage"},
			map[string]any{"grantee_kind": "user", "grantee_id": member.Profile.UserID, "permission": "view"})
		return m
	})
	// The revoke signs a record without the member; the rotation right
	// after reads the grants again — with the member slipped back in.
	if err := owner.Revoke(ctx, v, "user", "member@a2.example"); err != nil {
		t.Fatal(err)
	}
	h.Clear()
	wraps, err := h.Store.VaultKeyWraps(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	rotated := false
	for _, w := range wraps {
		if w.RecipientID == member.Profile.UserID || w.RecipientID == mallory.Profile.UserID {
			t.Fatalf("the server holds a wrap (epoch %d) for %s", w.Epoch, w.RecipientID)
		}
		rotated = rotated || w.Epoch == 2
	}
	if !rotated {
		t.Fatal("the revoke did not rotate the vault's key")
	}
	member.Sync(ctx)
	if _, err := member.FindVault(v.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("revoked member still opens the vault: %v", err)
	}
}

// G1 (limit): a fresh device cannot detect a consistent rollback — the
// server serves an older, complete and correctly signed state: the old
// items with the old vault manifest.
func TestThreatG1FreshDeviceAcceptsConsistentRollback(t *testing.T) {
	h := tamper.Start(t, nil)
	s := signup(t, h, "me@g1f.example")
	v, _ := s.PersonalVault()
	it, _ := s.CreateItem(ctx, v.ID, "note", client.Content{Name: "n", Notes: "old"})
	var old any
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		if old == nil {
			old = body
		}
		return body
	})
	login(t, h, "me@g1f.example").Sync(ctx) // the server keeps this answer
	c := it.Content
	c.Notes = "new"
	if _, err := s.UpdateItem(ctx, it, c); err != nil {
		t.Fatal(err)
	}
	h.Clear()
	h.MutateJSON("GET", `/sync$`, func(any) any { return old })
	fresh := login(t, h, "me@g1f.example")
	if err := fresh.Sync(ctx); err != nil {
		t.Fatalf("a fresh device detected a consistent rollback — update docs/security.md (G1): %v", err)
	}
	got, _ := fresh.FindItem("n", false)
	if got.Content.Notes != "old" || got.Revision != 1 {
		t.Fatalf("got %+v", got)
	}
}

// G2 (limit): a fork — two members served different, each consistent,
// histories — is noticed only when they compare heads. Here member B is
// served the item without A's latest revision; B's own view is consistent.
func TestThreatG2ForkNoticedOnlyByComparingHeads(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@g2.example")
	b := signup(t, h, "b@g2.example")
	_, v := company(t, owner, b)
	owner.GrantUser(ctx, v, "b@g2.example", "view")
	it, _ := owner.CreateItem(ctx, v.ID, "note", client.Content{Name: "doc", Notes: "1"})
	var before any // B's whole view before A's edit: items and manifests
	h.MutateJSON("GET", `/sync$`, func(body any) any {
		if items, _ := tamper.Get(body, "items").([]any); len(items) == 1 && before == nil {
			before = body
		}
		return body
	})
	fresh := login(t, h, "b@g2.example")
	fresh.Sync(ctx)
	c := it.Content
	c.Notes = "2"
	it2, _ := owner.UpdateItem(ctx, it, c)
	h.Clear()
	h.MutateJSON("GET", `/sync$`, func(any) any { return before })
	forked := login(t, h, "b@g2.example")
	if err := forked.Sync(ctx); err != nil {
		t.Fatalf("a fork is detected without comparing heads now — update docs/security.md (G2): %v", err)
	}
	got, _ := forked.FindItem("doc", false)
	if got.Revision == it2.Revision {
		t.Fatal("the fork was not mounted")
	}
}

// C2: across a whole flow (items, organisation, group share, history,
// files, live updates), no request carries any plaintext the client knows.
func TestThreatC2NoPlaintextInRequests(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@c2.example")
	member := signup(t, h, "member@c2.example")
	o, v := company(t, owner, member)
	secrets := []string{"Zebra-Passport-Login", "tangerine-username", "Hunter-2-Password!", "https://intranet.c2.example/login", "a private note about c2", "Zeta Marketing", "Quarterly Budget Vault"}
	it, err := owner.CreateItem(ctx, v.ID, "login", client.Content{Name: secrets[0], Notes: secrets[4],
		Login: &client.LoginFields{Username: secrets[1], Password: secrets[2], URLs: []string{secrets[3]}}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := member.CreateGroup(ctx, o.ID, secrets[5], true, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateVault(ctx, o.ID, secrets[6]); err != nil {
		t.Fatal(err)
	}
	owner.GrantUser(ctx, v, "member@c2.example", "edit")
	member.Sync(ctx)
	mit, err := member.FindItem(secrets[0], false)
	if err != nil {
		t.Fatal(err)
	}
	c := mit.Content
	c.Notes = secrets[4] + " (edited)"
	if _, err := member.UpdateItem(ctx, mit, c); err != nil {
		t.Fatal(err)
	}
	owner.Sync(ctx)
	it, _ = owner.FindItem(secrets[0], false)
	owner.History(ctx, it)
	personal, _ := member.PersonalVault()
	mine, _ := member.CreateItem(ctx, personal.ID, "note", client.Content{Name: "mine", Notes: secrets[4]})
	if _, err := member.Share(ctx, mine, g, "view"); err != nil {
		t.Fatal(err)
	}
	if leaks := tamper.Leaks(h.Requests(), secrets...); len(leaks) > 0 {
		t.Fatalf("%s %s carries plaintext", leaks[0].Method, leaks[0].Path)
	}
	if len(h.Requests()) < 30 {
		t.Fatalf("only %d requests recorded", len(h.Requests()))
	}
}
