package main_test

import (
	"strings"
	"testing"
)

// TestCLIDuplicateNamesNeverDeadEnd (issue 15, defect 4): duplicate
// organisation, vault and group names are refused; items of one name in
// two vaults are told apart by VAULT/NAME or --vault, and the ambiguity
// error lists each candidate's vault; organisations, vaults and groups
// can be renamed and deleted — with items in them only with --force,
// which purges and moves nothing — and only by whoever may.
func TestCLIDuplicateNamesNeverDeadEnd(t *testing.T) {
	srv := startServer(t)
	owner := user(t, srv, "owner@names.example")
	laura := user(t, srv, "laura@names.example")
	owner.ok("", "org", "create", "Acme")
	if msg := owner.fails(2, "", "org", "create", " acme "); !strings.Contains(msg, "already own an organisation") {
		t.Fatalf("duplicate organisation: %q", msg)
	}
	code := owner.inviteCode("Acme", "laura@names.example")
	laura.ok("", "org", "join", "Acme", "--code", code)
	owner.ok("", "org", "confirm", "Acme", "laura@names.example")
	owner.ok("", "vault", "create", "Acme", "Servers")
	owner.fails(2, "", "vault", "create", "Acme", "servers")
	owner.ok("", "vault", "grant", "Acme/Servers", "--user", "laura@names.example", "--permission", "edit")
	owner.ok("", "group", "create", "Acme", "Ops")
	owner.fails(2, "", "group", "create", "Acme", "OPS")

	// One name in two vaults.
	owner.ok("", "item", "add", "--type", "login", "--name", "Router", "--password", "mine")
	owner.ok("", "item", "add", "--type", "login", "--name", "Router", "--password", "shared", "--vault", "Acme/Servers")
	msg := owner.fails(2, "", "item", "get", "Router")
	if !strings.Contains(msg, "in My Vault") || !strings.Contains(msg, "in Acme/Servers") {
		t.Fatalf("ambiguity names no vaults: %q", msg)
	}
	if got := owner.ok("", "item", "get", "Acme/Servers/Router", "--field", "password"); got != "shared\n" {
		t.Fatalf("VAULT/NAME: %q", got)
	}
	if got := owner.ok("", "item", "get", "My Vault/Router", "--field", "password"); got != "mine\n" {
		t.Fatalf("My Vault/NAME: %q", got)
	}
	if got := owner.ok("", "item", "get", "Router", "--vault", "My Vault", "--field", "password"); got != "mine\n" {
		t.Fatalf("--vault: %q", got)
	}
	owner.ok("", "item", "edit", "Router", "--vault", "Acme/Servers", "--password", "shared2")
	if got := laura.ok("", "item", "get", "Router", "--field", "password"); got != "shared2\n" {
		t.Fatalf("edit with --vault: %q", got)
	}
	owner.fails(6, "", "item", "get", "Router", "--vault", "Acme/Nowhere")
	// A member plants an item literally called like the owner's path in
	// a vault they share: it never answers for the path silently.
	laura.ok("", "item", "add", "--type", "login", "--name", "My Vault/Router", "--password", "planted", "--vault", "Acme/Servers")
	if msg := owner.fails(2, "", "item", "get", "My Vault/Router", "--field", "password"); !strings.Contains(msg, "an item with that very name") {
		t.Fatalf("a planted path: %q", msg)
	}
	laura.ok("", "item", "rm", "My Vault/Router", "--vault", "Acme/Servers")
	laura.ok("", "item", "purge", "My Vault/Router", "--vault", "Acme/Servers")

	// Renames, by whoever may.
	laura.fails(7, "", "org", "rename", "Acme", "Acme Ltd")
	owner.ok("", "org", "rename", "Acme", "  Acme Ltd ")
	laura.fails(7, "", "vault", "rename", "Acme Ltd/Servers", "Infra") // edit, not manage
	owner.ok("", "vault", "rename", "Acme Ltd/Servers", "Infra")
	owner.ok("", "group", "rename", "Acme Ltd", "Ops", "Operations")
	if got := laura.ok("", "item", "get", "Acme Ltd/Infra/Router", "--field", "password"); got != "shared2\n" {
		t.Fatalf("after the renames, as a member: %q", got)
	}
	if out := owner.ok("", "group", "list", "Acme Ltd"); !strings.Contains(out, "Operations") {
		t.Fatalf("group list after rename:\n%s", out)
	}

	// Deletes: refused with items, unless --force; confirmation needed.
	owner.fails(2, "", "vault", "delete", "Acme Ltd/Infra")
	if msg := owner.fails(2, "", "vault", "delete", "Acme Ltd/Infra", "--yes"); !strings.Contains(msg, "--force") || !strings.Contains(msg, "1 item") {
		t.Fatalf("deleting a vault with items: %q", msg)
	}
	laura.fails(7, "", "vault", "delete", "Acme Ltd/Infra", "--yes", "--force")
	owner.ok("", "vault", "grant", "Acme Ltd/Infra", "--user", "laura@names.example", "--permission", "manage")
	if msg := laura.fails(7, "", "vault", "delete", "Acme Ltd/Infra", "--yes", "--force"); !strings.Contains(msg, "creator") {
		t.Fatalf("a manage grantee deletes the owner's vault: %q", msg)
	}
	owner.ok("", "vault", "delete", "Acme Ltd/Infra", "--yes", "--force")
	laura.fails(6, "", "item", "get", "Acme Ltd/Infra/Router")
	if out := laura.ok("", "vault", "list"); strings.Contains(out, "Infra") {
		t.Fatalf("the deleted vault is still listed:\n%s", out)
	}
	owner.ok("", "item", "get", "Router") // My Vault's is untouched, and now unique

	laura.ok("", "group", "create", "Acme Ltd", "Marketing", "--private")
	laura.ok("", "item", "add", "--type", "note", "--name", "Plan", "--note", "x", "--vault", "Acme Ltd/Marketing")
	owner.fails(2, "", "group", "delete", "Acme Ltd", "Operations")
	owner.ok("", "group", "delete", "Acme Ltd", "Operations", "--yes")
	laura.fails(2, "", "group", "delete", "Acme Ltd", "Marketing", "--yes")
	laura.ok("", "group", "delete", "Acme Ltd", "Marketing", "--yes", "--force")
	laura.fails(6, "", "item", "get", "Plan")

	laura.fails(7, "", "org", "delete", "Acme Ltd", "--yes", "--force")
	owner.ok("", "vault", "create", "Acme Ltd", "Keep")
	owner.ok("", "item", "add", "--type", "note", "--name", "Kept", "--note", "x", "--vault", "Acme Ltd/Keep")
	owner.fails(2, "", "org", "delete", "Acme Ltd", "--yes")
	owner.ok("", "org", "delete", "Acme Ltd", "--yes", "--force")
	for _, c := range []*cli{owner, laura} {
		if out := c.ok("", "org", "list"); strings.Contains(out, "Acme") {
			t.Fatalf("the deleted organisation is still listed:\n%s", out)
		}
	}
	owner.ok("", "org", "create", "Acme Ltd") // the name is free again
}
