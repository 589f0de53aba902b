package view

import (
	"testing"

	"github.com/coffer-pm/coffer/internal/api"
)

// TestAuditTargetWording: what an entry concerns, in words, names where
// known and ids where not — the CLI's table and the web app's audit
// screen both show it.
func TestAuditTargetWording(t *testing.T) {
	names := map[string]string{"u-mia": "mia@acme.example", "g-eng": "Engineering", "v-srv": "Servers"}
	name := func(_, id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	for _, c := range []struct {
		target api.AuditTarget
		want   string
	}{
		{api.AuditTarget{}, "—"},
		{api.AuditTarget{Invitations: []string{"i1", "i2"}}, "2 invitations"},
		{api.AuditTarget{Invitations: []string{"i1"}}, "1 invitation"},
		{api.AuditTarget{User: "u-mia", Invitation: "i1"}, "member mia@acme.example"},
		{api.AuditTarget{Invitation: "i1"}, "an invitation"},
		{api.AuditTarget{Group: "g-eng", Users: []string{"u-mia", "u-gone"}}, "members mia@acme.example, u-gone · group Engineering"},
		{api.AuditTarget{Vault: "v-srv", GranteeKind: "group", Grantee: "g-eng", Permission: "edit"}, "vault Servers · group Engineering · edit"},
		{api.AuditTarget{Vault: "v-srv", GranteeKind: "user", Grantee: "u-mia", Permission: "view"}, "vault Servers · member mia@acme.example · view"},
		{api.AuditTarget{FromVault: "v-old", Vault: "v-srv", Item: "it-1", Revision: 3}, "from vault v-old · vault Servers · item it-1 (revision 3)"},
		{api.AuditTarget{Vault: "v-srv", Epoch: 4}, "vault Servers · epoch 4"},
		{api.AuditTarget{Vault: "v-srv", Force: true}, "vault Servers · with its items"},
		{api.AuditTarget{Org: "o-1"}, "the organisation"},
		{api.TargetExport([]string{"v-srv", "v-old"}, "kdbx"), "vaults v-old, Servers · as kdbx"},
		{api.TargetExportPolicy("g-eng", true), "group Engineering · export my-vault-only"},
	} {
		if got := targetText(c.target, name); got != c.want {
			t.Errorf("targetText(%+v) = %q, want %q", c.target, got, c.want)
		}
	}
}
