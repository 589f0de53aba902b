package main_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestCLIExitCodesAreTheREADMETable (issue 15, defect 7): the exit-code
// table in README.md is the contract. Every row has cases here, every
// case's exit code is a row, and each documented example (a wrong
// invitation code, a short master password, an expired session, a member
// inviting, …) exits with its row's code.
func TestCLIExitCodesAreTheREADMETable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []int
	for _, m := range regexp.MustCompile(`(?m)^\s*\| (\d) \| .+\|$`).FindAllStringSubmatch(string(readme), -1) {
		n, _ := strconv.Atoi(m[1])
		documented = append(documented, n)
	}

	srv := startServer(t)
	owner := user(t, srv, "owner@codes.example")
	member := user(t, srv, "member@codes.example")
	owner.ok("", "org", "create", "Codes")
	code := owner.inviteCode("Codes", "member@codes.example")
	owner.ok("", "item", "add", "--type", "login", "--name", "Shared", "--password", "p")
	owner.ok("", "vault", "create", "Codes", "V")
	owner.ok("", "item", "move", "Shared", "--vault", "Codes/V")
	fresh := newCLI(t)

	type tc struct {
		what string
		run  func() int
	}
	run := func(c *cli, stdin string, args ...string) func() int {
		return func() int { return c.run(stdin, args...).code }
	}
	cases := map[int][]tc{
		0: {{"a command that works", run(owner, "", "item", "list")}},
		1: {{"server unreachable", run(owner, "", "item", "list", "--server", "http://127.0.0.1:1")}},
		2: {
			{"a bad flag", run(owner, "", "item", "list", "--bogus")},
			{"a wrong invitation code", run(member, "", "org", "join", "Codes", "--code", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")},
			{"a master password too short", run(fresh, "short\n", "signup", "--server", srv.url, "--email", "short@codes.example", "--name", "S", "--password-stdin")},
		},
		3: {
			{"not logged in", run(fresh, "", "item", "list")},
			{"locked", func() int { c := *owner; c.session = ""; return c.run("", "item", "list").code }},
			{"wrong master password", run(owner, "not the password\n", "unlock", "--password-stdin")},
		},
		4: {{"someone else changed the item", func() int {
			owner.ok("", "item", "edit", "Shared", "--password", "p2")
			return owner.run("", "item", "edit", "Shared", "--password", "p3", "--revision", "1").code
		}}},
		5: {{"tampered data", func() int {
			owner.ok("", "item", "add", "--type", "note", "--name", "Diary", "--note", "dear diary")
			srv.alterNewestRevision(t)
			return owner.run("", "item", "get", "Diary").code
		}}},
		6: {
			{"no such item", run(owner, "", "item", "get", "Nothing by that name")},
			{"no such field", run(owner, "", "item", "get", "Shared", "--field", "pasword")},
			{"no such organisation", run(owner, "", "org", "members", "Nowhere")},
		},
		7: {{"a member inviting where only the owner may", func() int {
			member.ok("", "org", "join", "Codes", "--code", code)
			owner.ok("", "org", "confirm", "Codes", "member@codes.example")
			return member.run("", "org", "invite", "Codes", "someone@codes.example").code
		}}, {"a view-only member editing", func() int {
			owner.ok("", "vault", "grant", "Codes/V", "--user", "member@codes.example", "--permission", "view")
			return member.run("", "item", "edit", "Shared", "--password", "hijack").code
		}}},
		8: {{"the server was restored from a backup older than this device's data", func() int {
			data := t.TempDir()
			rs := startServerIn(t, data)
			addr := strings.TrimPrefix(rs.url, "http://")
			u := user(t, rs, "restored@codes.example")
			backup := filepath.Join(t.TempDir(), "backup.db")
			u.ok("", "admin", "backup", "--data", data, "--out", backup)
			u.ok("", "item", "add", "--type", "note", "--name", "After the backup", "--note", "lost by the restore")
			rs.stop(t)
			u.ok("", "admin", "restore", backup, "--data", data)
			startServerIn(t, data, "--addr", addr)
			return u.run("", "item", "list").code
		}}},
	}
	var covered []int
	for c := range cases {
		covered = append(covered, c)
	}
	sort.Ints(covered)
	sort.Ints(documented)
	if !slices.Equal(documented, covered) {
		t.Fatalf("README's exit codes %v differ from the codes this test checks %v", documented, covered)
	}
	// The tampered item goes last: it quarantines My Vault, after which
	// every lookup there is (rightly) a tampering error.
	for _, code := range []int{0, 1, 2, 3, 4, 6, 7, 8, 5} {
		for _, c := range cases[code] {
			if got := c.run(); got != code {
				t.Errorf("%s: exit %d, want %d (README.md's table)", c.what, got, code)
			}
		}
	}
}
