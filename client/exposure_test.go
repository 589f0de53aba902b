package client_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestExposureNamesExactlyWhatWasReadable (issue 25, §18.6): after Mia's
// removal the owner's report names exactly the items she could read —
// a vault granted to her, a vault granted to a group she was in, an item
// in the trash then — counts without naming the item of her private
// group's vault (the owner never holds it), and leaves out the vault she
// could not read and the item written after her removal; an item moved
// afterwards into a vault she never had stays in it, in its vault then.
func TestExposureNamesExactlyWhatWasReadable(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@exposure.example")
	mia := signup(t, env.URL, "mia@exposure.example")
	pat := signup(t, env.URL, "pat@exposure.example")
	o := company(t, owner, "Exposed Inc", mia, pat)

	ops, err := owner.CreateVault(ctx, o.ID, "Ops")
	if err != nil {
		t.Fatal(err)
	}
	shared, err := owner.CreateVault(ctx, o.ID, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	closed, err := owner.CreateVault(ctx, o.ID, "Closed")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, ops, "mia@exposure.example", "view"); err != nil {
		t.Fatal(err)
	}
	team, err := owner.CreateGroup(ctx, o.ID, "Team", false, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.AddGroupMembers(ctx, team, []string{"mia@exposure.example"}); err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantGroup(ctx, mustVault(t, owner, shared.ID), "Team", "edit"); err != nil {
		t.Fatal(err)
	}
	router := newItem(t, owner, ops.ID, "router")
	db := newItem(t, owner, ops.ID, "database")
	if _, err := owner.TrashItem(ctx, db); err != nil {
		t.Fatal(err)
	}
	newItem(t, owner, shared.ID, "wifi")
	newItem(t, owner, closed.ID, "payroll") // never hers

	// Mia's private group, with Pat, and an item in its vault.
	if err := mia.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	private, err := mia.CreateGroup(ctx, o.ID, "Mia's", true, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := mia.AddGroupMembers(ctx, private, []string{"pat@exposure.example"}); err != nil {
		t.Fatal(err)
	}
	newItem(t, mia, private.VaultID, "mia's secret")

	if err := owner.RemoveMember(ctx, o.ID, "mia@exposure.example"); err != nil {
		t.Fatal(err)
	}
	// After the removal: a new item where she could read, and the router
	// moved into the vault she never had.
	newItem(t, owner, ops.ID, "written after")
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	cur, err := owner.FindItem(router.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.MoveItem(ctx, cur, closed.ID); err != nil {
		t.Fatal(err)
	}
	if err := owner.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	list, err := owner.Exposure(ctx, o.ID, "MIA@exposure.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].How != "removed" {
		t.Fatalf("records = %+v, want one removal", list)
	}
	e := list[0]
	var names []string
	for _, it := range e.Items {
		names = append(names, it.Vault+"/"+it.Name)
	}
	want := []string{"Exposed Inc/Ops/database", "Exposed Inc/Ops/router", "Exposed Inc/Shared/wifi"}
	if !slices.Equal(names, want) {
		t.Fatalf("named items = %v, want exactly %v", names, want)
	}
	if e.Hidden != 1 || e.HiddenByVault[private.VaultID] != 1 {
		t.Fatalf("hidden = %d (%v), want 1 in the private group's vault", e.Hidden, e.HiddenByVault)
	}
	if len(e.Vaults) != 3 || !slices.Contains(e.Vaults, private.VaultID) || slices.Contains(e.Vaults, closed.ID) {
		t.Fatalf("vaults = %v", e.Vaults)
	}
	for _, it := range e.Items {
		switch it.Name {
		case "database":
			if !it.Trashed || it.Type != "login" || it.Changed.IsZero() || it.Updated.IsZero() {
				t.Fatalf("database = %+v: in the trash then, with its times", it)
			}
		case "router":
			if it.VaultID != ops.ID || it.MovedTo != "Exposed Inc/Closed" || !it.ChangedSince || it.Revision != 1 {
				t.Fatalf("router = %+v: in Ops then, moved to Closed since, at revision 1", it)
			}
		case "wifi":
			if it.Trashed || it.ChangedSince || it.MovedTo != "" {
				t.Fatalf("wifi = %+v", it)
			}
		}
	}

	// The view, as the CLI's --json and the web app get it.
	r, err := view.ExposureOf(ctx, owner, "Exposed Inc", "mia@exposure.example")
	if err != nil || len(r.Records) != 1 || len(r.Records[0].Items) != 3 || r.Records[0].Hidden != 1 || r.Notice == "" {
		t.Fatalf("view = %+v, %v", r, err)
	}
	for _, v := range r.Records[0].Vaults {
		if (v.ID == private.VaultID) != (v.Label == "") || (v.ID == private.VaultID) != (v.Hidden == 1) {
			t.Fatalf("vault %+v: only the private group's is unnamed, with its hidden item", v)
		}
	}

	// A current member with no loss has no record; a stranger is not
	// found; a member's client is refused.
	if list, err := owner.Exposure(ctx, o.ID, "pat@exposure.example"); err != nil || len(list) != 0 {
		t.Fatalf("pat: %+v, %v", list, err)
	}
	if _, err := owner.Exposure(ctx, o.ID, "nobody@exposure.example"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("a stranger: %v", err)
	}
	if err := pat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := pat.Exposure(ctx, o.ID, "mia@exposure.example"); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("a member's client: %v", err)
	}
}
