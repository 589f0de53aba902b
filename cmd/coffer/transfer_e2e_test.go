package main_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCLIOwnershipTransfer is §18.5 with the real binary against a real
// `coffer serve`: the owner offers the organisation to a member (who is
// told in `org list` and `org members`), withdraws and offers again; the
// member accepts and is the owner — it reads and grants the existing
// vault, creates a vault, invites and confirms — the old owner, an
// ordinary member now, can leave, and a third member keeps working. The
// refusals: a member neither offers nor accepts what is not offered to
// them; the owner cannot leave before.
func TestCLIOwnershipTransfer(t *testing.T) {
	srv := startServer(t)
	owner := user(t, srv, "owner@xfer.example")
	laura := user(t, srv, "laura@xfer.example")
	nick := user(t, srv, "nick@xfer.example")
	bob := user(t, srv, "bob@xfer.example")
	const org = "Acme"
	owner.orgWith(org, laura, nick)
	owner.ok("", "vault", "create", org, "Ops")
	owner.ok("", "item", "add", "--type", "login", "--vault", org+"/Ops", "--name", "Router", "--username", "admin", "--password", "r0uter-pass")
	owner.ok("", "vault", "grant", org+"/Ops", "--user", "nick@xfer.example", "--permission", "view")
	owner.ok("", "org", "recovery", org, "enable")
	nick.ok("", "account", "recovery", "enrol", org)

	if msg := owner.fails(7, "", "org", "leave", org); !strings.Contains(msg, "transfer ownership first") {
		t.Fatalf("owner leaving before a transfer: %q", msg)
	}
	nick.fails(7, "", "org", "transfer", org, "laura@xfer.example")
	owner.fails(6, "", "org", "transfer", org, "bob@xfer.example") // not a member
	out := owner.ok("", "org", "transfer", org, "laura@xfer.example")
	if !strings.Contains(out, "Offered") || !strings.Contains(out, "laura@xfer.example") {
		t.Fatalf("org transfer: %q", out)
	}
	if out := laura.ok("", "org", "list"); !strings.Contains(out, "ownership offered to you") {
		t.Fatalf("the member is not told:\n%s", out)
	}
	if out := laura.ok("", "org", "members", org); !strings.Contains(out, "ownership offered to you") {
		t.Fatalf("org members does not say it:\n%s", out)
	}
	if out := owner.ok("", "org", "list"); !strings.Contains(out, "ownership offered to laura@xfer.example") {
		t.Fatalf("the owner's list:\n%s", out)
	}
	if out := nick.ok("", "org", "list"); strings.Contains(out, "offered") {
		t.Fatalf("another member sees the offer:\n%s", out)
	}
	nick.fails(6, "", "org", "accept", org)
	owner.ok("", "org", "transfer", org, "--withdraw")
	laura.fails(6, "", "org", "accept", org)
	owner.ok("", "org", "transfer", org, "laura@xfer.example")

	r := laura.run("", "org", "accept", org)
	if r.code != 0 || !strings.Contains(r.stdout, "You own") || !strings.Contains(r.stderr, "recovery") {
		t.Fatalf("org accept: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var orgs []struct {
		Name        string
		Role        string
		OwnerEmail  string `json:"owner_email"`
		CanTransfer bool   `json:"can_transfer"`
	}
	if err := json.Unmarshal([]byte(laura.ok("", "org", "list", "--json")), &orgs); err != nil || len(orgs) != 1 || orgs[0].Role != "owner" || !orgs[0].CanTransfer {
		t.Fatalf("the new owner's list: %v %+v", err, orgs)
	}
	if err := json.Unmarshal([]byte(nick.ok("", "org", "list", "--json")), &orgs); err != nil || len(orgs) != 1 || orgs[0].OwnerEmail != "laura@xfer.example" {
		t.Fatalf("a third member's list: %v %+v", err, orgs)
	}
	if got := laura.ok("", "item", "get", "Router", "--field", "password"); got != "r0uter-pass\n" {
		t.Fatalf("the new owner reads the vault: %q", got)
	}
	laura.ok("", "vault", "grant", org+"/Ops", "--user", "nick@xfer.example", "--permission", "edit")
	laura.ok("", "vault", "create", org, "New")
	code := laura.inviteCode(org, "bob@xfer.example")
	bob.ok("", "org", "join", org, "--code", code)
	laura.ok("", "org", "confirm", org, "bob@xfer.example")
	nick.ok("", "item", "edit", "Router", "--password", "n3w-pass")
	if got := laura.ok("", "item", "get", "Router", "--field", "password"); got != "n3w-pass\n" {
		t.Fatalf("after the third member's edit: %q", got)
	}
	if out := laura.ok("", "org", "recovery", org); !strings.Contains(strings.ToLower(out), "off") {
		t.Fatalf("recovery after the transfer:\n%s", out)
	}

	// The old owner is a member: it can leave now; the new owner cannot.
	owner.ok("", "org", "leave", org)
	if msg := laura.fails(7, "", "org", "leave", org); !strings.Contains(msg, "transfer ownership first") {
		t.Fatalf("the new owner leaving: %q", msg)
	}
	if out := laura.ok("", "org", "members", org); strings.Contains(out, "owner@xfer.example") {
		t.Fatalf("the old owner is still listed:\n%s", out)
	}
	if out := laura.ok("", "org", "audit", org, "--action", "transfer-accept"); !strings.Contains(out, "laura@xfer.example") {
		t.Fatalf("the audit log:\n%s", out)
	}
}
