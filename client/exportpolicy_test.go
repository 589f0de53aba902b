package client_test

import (
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
	"github.com/coffer-pm/coffer/internal/server"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestExportRecordRefusals: the record of an export (what an honest
// client writes before the file) is refused for a vault of another
// organisation, a vault the caller cannot read, someone outside the
// organisation, and a restricted account; a member cannot set a group's
// policy, nor anyone but an administrator an account's.
func TestExportRecordRefusals(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.Admins = []string{"root@records.example"}
	env := testserver.Start(t, &cfg, nil)
	owner := signup(t, env.URL, "owner@records.example")
	mia := signup(t, env.URL, "mia@records.example")
	outsider := signup(t, env.URL, "out@records.example")
	root := signup(t, env.URL, "root@records.example")
	o := company(t, owner, "Records", mia)
	readable, err := owner.CreateVault(ctx, o.ID, "Readable")
	if err != nil {
		t.Fatal(err)
	}
	hidden, err := owner.CreateVault(ctx, o.ID, "Hidden")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, mustVault(t, owner, readable.ID), "mia@records.example", "view"); err != nil {
		t.Fatal(err)
	}
	other := company(t, outsider, "Other")
	otherVault, err := outsider.CreateVault(ctx, other.ID, "Theirs")
	if err != nil {
		t.Fatal(err)
	}
	if err := mia.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := mia.RecordExport(ctx, o.ID, []string{readable.ID}, "json"); err != nil {
		t.Fatalf("a readable vault: %v", err)
	}
	for what, err := range map[string]error{
		"a vault it cannot read":     mia.RecordExport(ctx, o.ID, []string{hidden.ID}, "json"),
		"another organisation's":     mia.RecordExport(ctx, o.ID, []string{otherVault.ID}, "json"),
		"from outside the org":       outsider.RecordExport(ctx, o.ID, []string{otherVault.ID}, "json"),
		"no vault at all":            mia.RecordExport(ctx, o.ID, nil, "json"),
		"a member sets a group's":    mia.SetGroupExportPolicy(ctx, o.ID, "00000000-0000-4000-8000-000000000000", true),
		"a member sets an account's": mia.AdminSetExportPolicy(ctx, "mia@records.example", false),
	} {
		var ae *client.APIError
		if !errors.As(err, &ae) || (ae.Status != 404 && ae.Status != 403 && ae.Status != 400) {
			t.Errorf("%s: %v", what, err)
		}
	}
	if err := root.AdminSetExportPolicy(ctx, "mia@records.example", true); err != nil {
		t.Fatal(err)
	}
	if err := mia.RecordExport(ctx, o.ID, []string{readable.ID}, "json"); !errors.Is(err, client.ErrExportRestricted) {
		t.Fatalf("a restricted account's export: %v", err)
	}
	p, err := mia.ExportPolicy(ctx)
	if err != nil || !p.MyVaultOnly || p.Allows(mustVault(t, mia, readable.ID)) {
		t.Fatalf("mia's policy: %+v %v", p, err)
	}
}

// TestExportHistoryUnderPolicy: an item moved from an organisation's vault
// into My Vault keeps its earlier revisions from there; an export of My
// Vault with its history leaves those out when the policy holds that
// organisation back, and keeps them when it does not.
func TestExportHistoryUnderPolicy(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.Admins = []string{"root@moved.example"}
	env := testserver.Start(t, &cfg, nil)
	owner := signup(t, env.URL, "owner@moved.example")
	mia := signup(t, env.URL, "mia@moved.example")
	root := signup(t, env.URL, "root@moved.example")
	o := company(t, owner, "Moved", mia)
	ops, err := owner.CreateVault(ctx, o.ID, "Ops")
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantUser(ctx, mustVault(t, owner, ops.ID), "mia@moved.example", "edit"); err != nil {
		t.Fatal(err)
	}
	it, err := owner.CreateItem(ctx, ops.ID, "note", client.Content{Name: "Pump", Notes: "the organisation's first words"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.UpdateItem(ctx, it, client.Content{Name: "Pump", Notes: "the organisation's second words"}); err != nil {
		t.Fatal(err)
	}
	if err := mia.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	mine, err := mia.PersonalVault()
	if err != nil {
		t.Fatal(err)
	}
	held, err := mia.FindItem(it.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mia.MoveItem(ctx, held, mine.ID); err != nil {
		t.Fatal(err)
	}
	history := func(p client.ExportPolicy) []string {
		t.Helper()
		var got []string
		w := &captured{}
		if _, err := exchange.Export(ctx, mia, []*client.Vault{mine}, exchange.ExportOptions{History: true, Policy: p}, w, true); err != nil {
			t.Fatal(err)
		}
		for _, it := range w.items {
			for _, v := range it.History {
				got = append(got, v.Content.Notes)
			}
		}
		return got
	}
	if got := history(client.ExportPolicy{}); len(got) != 2 {
		t.Fatalf("unrestricted, the moved item's earlier versions: %q", got)
	}
	if err := root.AdminSetExportPolicy(ctx, "mia@moved.example", true); err != nil {
		t.Fatal(err)
	}
	p, err := mia.ExportPolicy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := history(p); len(got) != 0 {
		t.Fatalf("restricted to My Vault, the export still holds the organisation's versions: %q", got)
	}
}

// captured is an export's writer that keeps the items.
type captured struct{ items []exchange.Item }

func (c *captured) Write(it exchange.Item) error { c.items = append(c.items, it); return nil }
func (c *captured) Close() error                 { return nil }
