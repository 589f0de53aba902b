package main_test

import (
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/coffer-pm/coffer/internal/store/pgtest"
)

// user signs up a new account through the CLI and unlocks it.
func user(t *testing.T, srv *serverProc, email string) *cli {
	t.Helper()
	c := newCLI(t)
	c.ok(masterPW+"\n", "signup", "--server", srv.url, "--email", email, "--name", strings.Split(email, "@")[0], "--password-stdin")
	c.unlock(masterPW)
	return c
}

var codeRe = regexp.MustCompile(`Confirmation code: ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){5})`)

// inviteCode runs `org invite` and returns the printed code.
func (c *cli) inviteCode(org string, emails ...string) string {
	c.t.Helper()
	out := c.ok("", append([]string{"org", "invite", org}, emails...)...)
	m := codeRe.FindStringSubmatch(out)
	if m == nil {
		c.t.Fatalf("org invite printed no code:\n%s", out)
	}
	return m[1]
}

// TestLauraScenario is mysafe-private-groups.txt, told with the real CLI:
// Laura creates the private group "Marketing", adds the intern and the
// coordinator by e-mail, adds the platform login, shares it view-only with
// the group; both read it; neither can edit it; a fourth member of the
// company sees neither the group's vault nor the item.
func TestLauraScenario(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { lauraScenario(t, startServer(t), true) })
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.URL(t)
		lauraScenario(t, startServer(t, "--database", url), false)
		assertNoPlaintextPG(t, url, "laura@northwind.example", "Social media platform", "northwind-social", "Soc!alPl4tform#2026", "social.example", "Marketing", "Northwind Traders")
	})
}

// assertNoPlaintextPG reads every row of every table of the test schema as
// text (byte columns as hex) and looks for each secret, plain and in hex.
// control is routing metadata that must be found, proving the scan reads
// the data.
func assertNoPlaintextPG(t *testing.T, url, control string, secrets ...string) {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("only %d tables found", len(tables))
	}
	controlSeen := false
	for _, table := range tables {
		rs, err := db.Query(`SELECT CAST(t AS text) FROM "` + table + `" t`)
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var row string
			rs.Scan(&row)
			controlSeen = controlSeen || strings.Contains(row, control)
			for _, sec := range secrets {
				if strings.Contains(row, sec) || strings.Contains(row, hex.EncodeToString([]byte(sec))) {
					t.Errorf("table %s holds %q in clear", table, sec)
				}
			}
		}
		rs.Close()
	}
	if !controlSeen {
		t.Fatalf("the scan never saw %q: it is not reading the data", control)
	}
}

func lauraScenario(t *testing.T, srv *serverProc, scanFiles bool) {
	admin := user(t, srv, "sysadmin@northwind.example")
	laura := user(t, srv, "laura@northwind.example")
	intern := user(t, srv, "intern@northwind.example")
	coord := user(t, srv, "coordinator@northwind.example")
	sam := user(t, srv, "sam.sales@northwind.example")

	const org = "Northwind Traders"
	admin.ok("", "org", "create", org)
	code := admin.inviteCode(org, "laura@northwind.example", "intern@northwind.example", "coordinator@northwind.example", "sam.sales@northwind.example")
	for _, c := range []*cli{laura, intern, coord, sam} {
		c.ok("", "org", "join", org, "--code", code)
	}
	admin.ok("", "org", "confirm", org, "laura@northwind.example", "intern@northwind.example", "coordinator@northwind.example", "sam.sales@northwind.example")
	var members []struct{ Email, State string }
	if err := json.Unmarshal([]byte(admin.ok("", "org", "members", org, "--json")), &members); err != nil {
		t.Fatal(err)
	}
	if len(members) != 5 {
		t.Fatalf("members = %+v", members)
	}

	// 1–2. Laura creates the private group and adds her team by e-mail.
	laura.ok("", "group", "create", org, "Marketing", "--private")
	laura.ok("", "group", "add", org, "Marketing", "intern@northwind.example", "coordinator@northwind.example")
	// 3. She adds the platform credentials.
	laura.ok("", "item", "add", "--type", "login", "--name", "Social media platform", "--username", "northwind-social",
		"--password", "Soc!alPl4tform#2026", "--url", "https://social.example/login")
	// 4. She shares them with the group, view only.
	laura.ok("", "share", "Social media platform", "--group", "Marketing", "--permission", "view")

	// 5. The intern and the coordinator can use them ...
	for _, c := range []*cli{intern, coord} {
		if got := c.ok("", "item", "get", "Social media platform", "--field", "password"); got != "Soc!alPl4tform#2026\n" {
			t.Fatalf("team member reads %q", got)
		}
		// ... but neither can change them: the server refuses (403).
		msg := c.fails(7, "", "item", "edit", "Social media platform", "--password", "hijacked")
		if !strings.Contains(msg, "403") || !strings.Contains(msg, "view") {
			t.Fatalf("view-only edit: %q", msg)
		}
		c.fails(7, "", "item", "rm", "Social media platform")
	}
	// Nothing changed: create + move, no third revision.
	var hist []struct{ Revision int }
	json.Unmarshal([]byte(laura.ok("", "item", "history", "Social media platform", "--json")), &hist)
	if len(hist) != 2 {
		t.Fatalf("history after refused edits: %d revisions", len(hist))
	}
	if got := laura.ok("", "item", "get", "Social media platform", "--field", "password"); got != "Soc!alPl4tform#2026\n" {
		t.Fatalf("password changed to %q", got)
	}

	// A fourth member of the company, and the owner, see neither the
	// group's vault nor the item.
	for _, c := range []*cli{sam, admin} {
		if out := c.ok("", "vault", "list"); strings.Contains(out, "Marketing") {
			t.Fatalf("outsider sees the Marketing vault:\n%s", out)
		}
		if out := c.ok("", "item", "list"); strings.Contains(out, "Social media") {
			t.Fatalf("outsider sees the item:\n%s", out)
		}
		c.fails(6, "", "item", "get", "Social media platform")
	}
	// The owner sees that the private group exists and who is in it.
	if out := admin.ok("", "group", "list", org); !strings.Contains(out, "Marketing") || !strings.Contains(out, "intern@northwind.example") {
		t.Fatalf("owner's group list:\n%s", out)
	}
	if out := sam.ok("", "group", "list", org); strings.Contains(out, "Marketing") {
		t.Fatalf("a non-member sees the private group:\n%s", out)
	}

	if scanFiles {
		assertNoPlaintext(t, srv.data, "Social media platform", "northwind-social", "Soc!alPl4tform#2026", "social.example", "Marketing", org)
	}
}

// TestOnboardingScenario is the PVYvault onboarding: a batch invitation with
// one code, joins, a wrong code, a cancellation at confirmation, groups and
// vault grants for existing and later vaults, a direct grant, a member of
// two organisations, and an owner who cannot be removed.
func TestOnboardingScenario(t *testing.T) {
	srv := startServer(t)
	owner := user(t, srv, "it@contoso.example")
	ann := user(t, srv, "ann@contoso.example")
	ben := user(t, srv, "ben@contoso.example")
	cat := user(t, srv, "cat@contoso.example")
	dan := user(t, srv, "dan@partner.example")
	const org = "Contoso"
	owner.ok("", "org", "create", org)

	// Batch of 4; the code is printed once; without SMTP the CLI says so.
	out := owner.ok("", "org", "invite", org, "ann@contoso.example", "ben@contoso.example", "cat@contoso.example", "dan@partner.example")
	code := codeRe.FindStringSubmatch(out)[1]
	if !strings.Contains(out, "No invitation e-mail was sent") {
		t.Fatalf("invite output:\n%s", out)
	}
	// Bad batches are refused whole, naming each bad address.
	msg := owner.fails(1, "", "org", "invite", org, "eve@contoso.example", "not-an-address", "eve@contoso.example", "ann@contoso.example")
	for _, want := range []string{"not-an-address", "listed twice"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("bad batch message %q lacks %q", msg, want)
		}
	}
	many := []string{"org", "invite", org}
	for i := 0; i < 51; i++ {
		many = append(many, "u"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+"@contoso.example")
	}
	owner.fails(2, "", many...)

	ann.ok("", "org", "join", org, "--code", code)
	ben.ok("", "org", "join", org, "--code", code)
	wrong := "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"
	if msg := cat.fails(2, "", "org", "join", org, "--code", wrong); !strings.Contains(msg, "wrong confirmation code") {
		t.Fatalf("wrong code: %q", msg)
	}
	dan.ok("", "org", "join", org, "--code", code)

	var members []struct{ Email, State string }
	json.Unmarshal([]byte(owner.ok("", "org", "members", org, "--json")), &members)
	states := map[string]string{}
	for _, m := range members {
		states[m.Email] = m.State
	}
	if states["ann@contoso.example"] != "joined" || states["cat@contoso.example"] != "invited" || states["it@contoso.example"] != "owner" {
		t.Fatalf("states = %v", states)
	}
	// Dan joined by mistake: cancelled at the last step.
	owner.ok("", "org", "cancel", org, "dan@partner.example")
	owner.ok("", "org", "confirm", org, "ann@contoso.example", "ben@contoso.example")
	owner.fails(6, "", "org", "confirm", org, "dan@partner.example")
	if out := dan.ok("", "org", "list"); strings.Contains(out, org) {
		t.Fatalf("cancelled user is in the organisation:\n%s", out)
	}

	// Confirmed members go into a group; a group with no members cannot be
	// granted a vault.
	owner.ok("", "group", "create", org, "Engineering", "--default-permission", "edit")
	owner.ok("", "vault", "create", org, "Servers")
	if msg := owner.fails(1, "", "vault", "grant", org+"/Servers", "--group", "Engineering"); !strings.Contains(msg, "no members") {
		t.Fatalf("grant to empty group: %q", msg)
	}
	owner.ok("", "group", "add", org, "Engineering", "ann@contoso.example", "ben@contoso.example")
	owner.ok("", "vault", "grant", org+"/Servers", "--group", "Engineering")
	owner.ok("", "item", "add", "--type", "login", "--vault", org+"/Servers", "--name", "db-prod", "--password", "pg-secret")
	for _, c := range []*cli{ann, ben} {
		if got := c.ok("", "item", "get", "db-prod", "--field", "password"); got != "pg-secret\n" {
			t.Fatalf("group member reads %q", got)
		}
	}
	// A vault created afterwards and granted to the group: visible too, and
	// the group's default permission (edit) lets members write.
	owner.ok("", "vault", "create", org, "Later")
	owner.ok("", "vault", "grant", org+"/Later", "--group", "Engineering")
	ann.ok("", "item", "add", "--type", "note", "--vault", org+"/Later", "--name", "runbook", "--note", "step one")
	if got := ben.ok("", "item", "get", "runbook", "--field", "notes"); got != "step one\n" {
		t.Fatalf("later vault via group: %q", got)
	}
	// A direct grant without a group.
	owner.ok("", "vault", "create", org, "Finance")
	owner.ok("", "item", "add", "--type", "note", "--vault", org+"/Finance", "--name", "budget", "--note", "42k")
	ann.fails(6, "", "item", "get", "budget")
	owner.ok("", "vault", "grant", org+"/Finance", "--user", "ann@contoso.example", "--permission", "view")
	if got := ann.ok("", "item", "get", "budget", "--field", "notes"); got != "42k\n" {
		t.Fatalf("direct grant: %q", got)
	}
	ben.fails(6, "", "item", "get", "budget")
	var access []struct{ Kind, Name, Permission string }
	json.Unmarshal([]byte(owner.ok("", "vault", "access", org+"/Finance", "--json")), &access)
	if len(access) != 2 {
		t.Fatalf("access = %+v", access)
	}

	// Ann is also in a second organisation; she sees both and cannot move
	// items between them.
	other := user(t, srv, "boss@fabrikam.example")
	other.ok("", "org", "create", "Fabrikam")
	code2 := other.inviteCode("Fabrikam", "ann@contoso.example")
	ann.ok("", "org", "join", "Fabrikam", "--code", code2)
	other.ok("", "org", "confirm", "Fabrikam", "ann@contoso.example")
	other.ok("", "vault", "create", "Fabrikam", "Shared")
	other.ok("", "vault", "grant", "Fabrikam/Shared", "--user", "ann@contoso.example", "--permission", "edit")
	if out := ann.ok("", "org", "list"); !strings.Contains(out, "Contoso") || !strings.Contains(out, "Fabrikam") {
		t.Fatalf("ann's organisations:\n%s", out)
	}
	msg = ann.fails(1, "", "item", "move", "runbook", "--vault", "Fabrikam/Shared")
	if !strings.Contains(msg, "between organisations") {
		t.Fatalf("cross-organisation move: %q", msg)
	}
	// My Vault → organisation vault works, and the history moves along.
	ann.ok("", "item", "add", "--type", "login", "--name", "vpn", "--password", "v1")
	ann.ok("", "item", "edit", "vpn", "--password", "v2")
	ann.ok("", "item", "move", "vpn", "--vault", "Fabrikam/Shared")
	var hist []struct{ Revision int }
	json.Unmarshal([]byte(other.ok("", "item", "history", "vpn", "--json")), &hist)
	if len(hist) != 3 {
		t.Fatalf("moved history seen by the other owner: %d revisions", len(hist))
	}

	// The owner cannot be removed (refused like every other owner's
	// departure, issue 25); a member can, and loses access.
	if msg := owner.fails(7, "", "org", "remove", org, "it@contoso.example"); !strings.Contains(msg, "owner cannot be removed") || !strings.Contains(msg, "transfer ownership first") {
		t.Fatalf("remove owner: %q", msg)
	}
	owner.ok("", "org", "remove", org, "ben@contoso.example")
	ben.fails(6, "", "item", "get", "db-prod")
	if out := ben.ok("", "org", "list"); strings.Contains(out, org) {
		t.Fatalf("removed member still in the organisation:\n%s", out)
	}

	// Fingerprints can be compared out of band.
	fp := strings.Fields(ann.ok("", "fingerprint"))
	seen := strings.Fields(owner.ok("", "fingerprint", "ann@contoso.example"))
	if strings.Join(fp, " ") != strings.Join(seen, " ") {
		t.Fatalf("fingerprints differ: %v vs %v", fp, seen)
	}

	assertNoPlaintext(t, srv.data, "db-prod", "pg-secret", "runbook", "step one", "budget", "42k", "Servers", "Engineering", "Finance", "Contoso", "Fabrikam")
}

// TestInvitationMail: with --smtp-url, invitees get an e-mail with a Join
// link (and no code) from a real SMTP server on loopback. Accounts prove
// their address first (verifiedUser), so each invitee's mailbox starts with
// nothing: invitations go to addresses without accounts here.
func TestInvitationMail(t *testing.T) {
	smtp := startSMTP(t)
	srv := startServer(t, smtpFlags(smtp)...)
	owner := verifiedUser(t, srv, smtp, "owner@contoso.example")
	owner.ok("", "org", "create", "Contoso")
	out := owner.ok("", "org", "invite", "Contoso", "new1@contoso.example", "new2@contoso.example")
	if !strings.Contains(out, "e-mails with a Join link were sent to 2") {
		t.Fatalf("invite output:\n%s", out)
	}
	code := codeRe.FindStringSubmatch(out)[1]
	for _, to := range []string{"new1@contoso.example", "new2@contoso.example"} {
		body := waitMails(t, smtp, to, 1)[0]
		if !strings.Contains(body, "https://vault.contoso.example/join?") || strings.Contains(body, code) ||
			strings.Contains(body, strings.ReplaceAll(code, "-", "")) {
			t.Fatalf("invitation mail:\n%s", body)
		}
	}
}

// orgWith creates the organisation org owned by c, with members invited,
// joined and confirmed through the real flow.
func (c *cli) orgWith(org string, members ...*cli) {
	c.t.Helper()
	c.ok("", "org", "create", org)
	if len(members) == 0 {
		return
	}
	var emails []string
	for _, m := range members {
		emails = append(emails, m.email())
	}
	code := c.inviteCode(org, emails...)
	for _, m := range members {
		m.ok("", "org", "join", org, "--code", code)
	}
	c.ok("", append([]string{"org", "confirm", org}, emails...)...)
}

// email is the address of the account this device is logged in as.
func (c *cli) email() string {
	c.t.Helper()
	out := c.ok("", "status", "--json")
	m := regexp.MustCompile(`"email": "([^"]+)"`).FindStringSubmatch(out)
	if m == nil {
		c.t.Fatalf("status --json names no e-mail: %s", out)
	}
	return m[1]
}
