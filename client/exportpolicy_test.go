package client_test

import (
	"errors"
	"testing"

	"github.com/coffer-pm/coffer/client"
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
