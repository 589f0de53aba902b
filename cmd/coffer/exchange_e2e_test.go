package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// exportedItems reads a Coffer JSON export's items as comparable values:
// type, content (as JSON) and attachments by name and bytes — no ids,
// vaults or times, which an import into another account changes.
func exportedItems(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Format string `json:"format"`
		Items  []struct {
			Type    string          `json:"type"`
			Content json.RawMessage `json:"content"`
			Files   []struct {
				Name string `json:"name"`
				Data []byte `json:"data"`
			} `json:"files"`
		} `json:"items"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Format != "coffer-export" {
		t.Fatalf("%s is not a Coffer JSON export: %v", path, err)
	}
	var out []string
	for _, it := range doc.Items {
		files, _ := json.Marshal(it.Files)
		out = append(out, it.Type+" "+string(it.Content)+" "+string(files))
	}
	sort.Strings(out)
	return out
}

// writeIn writes content to a file name in dir (a test's input to the
// binary) and returns its path.
func writeIn(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCLIExportImportRoundTrip (issue 26) with the real binary: one item
// of every type, custom fields of every kind, TOTP, tags, a favourite,
// attachments, unicode names and a multi-line note go out as Coffer JSON
// and as an encrypted export, into a fresh account, and out again the
// same. The clear-text export warns, is 0600, never replaces a file
// without --force; a wrong password is refused; a second import warns
// about duplicates; --dry-run creates nothing.
func TestCLIExportImportRoundTrip(t *testing.T) {
	srv := startServer(t)
	ann := user(t, srv, "ann@exchange.example")
	bob := user(t, srv, "bob@exchange.example")
	dir := t.TempDir()
	note := writeIn(t, dir, "note.txt", "Zeile eins\n\"quoted\", with commas\n\ttabbed — ünïcödé 🔑\n")
	ann.ok("", "item", "add", "--type", "login", "--name", "Bank – Zürich 🏦", "--username", "änn", "--password", `p,"w"d;x`,
		"--url", "https://bank.example/login", "--url", "https://m.bank.example", "--totp", "otpauth://totp/Bank:ann?secret=JBSWY3DPEHPK3PXP&issuer=Bank",
		"--tag", "finance", "--tag", "ch", "--favorite", "--note", "@"+note,
		"--text-field", "Customer no=12 345", "--url-field", "Portal=https://portal.example", "--field", "PIN=0042")
	ann.ok("", "item", "attach", "Bank – Zürich 🏦", "--file", writeIn(t, dir, "statement.pdf", "%PDF-1.7 fake statement\x00\x01\x02"))
	ann.ok("", "item", "add", "--type", "note", "--name", "日本語のメモ", "--note", "@"+note)
	ann.ok("", "item", "add", "--type", "secret", "--name", "API keys", "--field", "AWS_KEY=AKIA123", "--field", "AWS_SECRET=s3cr3t/+=")
	ann.ok("", "item", "add", "--type", "card", "--name", "Visa", "--field", "holder=Ann Example", "--field", "number=4111111111111111", "--field", "expiry=12/29", "--field", "cvv=123")
	ann.ok("", "item", "add", "--type", "file", "--name", "Passport scan", "--file", writeIn(t, dir, "passport.png", "\x89PNG fake"))

	plain := filepath.Join(dir, "ann.json")
	r := ann.run("", "export", "--format", "json", "--out", plain)
	if r.code != 0 || !strings.Contains(r.stderr, "not encrypted") || !strings.Contains(r.stdout, "Exported 5 items (2 attachments) from 1 vaults") {
		t.Fatalf("export: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if fi, err := os.Stat(plain); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the export's mode: %v %v", fi.Mode(), err)
	}
	before, _ := os.ReadFile(plain)
	ann.fails(2, "", "export", "--format", "json", "--out", plain)
	if after, _ := os.ReadFile(plain); string(after) != string(before) {
		t.Fatal("a refused export changed the file")
	}
	ann.ok("", "export", "--format", "json", "--out", plain, "--force")
	ann.fails(2, "", "export", "--format", "xml", "--out", filepath.Join(dir, "x"))
	if matches, _ := filepath.Glob(filepath.Join(dir, ".*part")); len(matches) != 0 {
		t.Fatalf("temporary files left: %v", matches)
	}

	sealed := filepath.Join(dir, "ann.sealed")
	ann.ok("backup pass phrase\n", "export", "--format", "encrypted-json", "--out", sealed, "--file-password-stdin")
	if data, _ := os.ReadFile(sealed); strings.Contains(string(data), "Zürich") || strings.Contains(string(data), "AKIA123") {
		t.Fatal("the encrypted export shows its content")
	}

	// Into a fresh account: a dry run first, then for real.
	if out := bob.ok("", "import", plain, "--dry-run"); !strings.Contains(out, "Would import 5 items (1 login, 1 note, 1 secret, 1 card, 1 file) and 2 attachments into My Vault") {
		t.Fatalf("dry run:\n%s", out)
	}
	if out := bob.ok("", "item", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("a dry run created items: %s", out)
	}
	bob.ok("", "import", plain)
	again := filepath.Join(dir, "bob.json")
	bob.ok("", "export", "--format", "json", "--out", again)
	want, got := exportedItems(t, plain), exportedItems(t, again)
	if len(want) != 5 || !strings.Contains(strings.Join(want, ""), "Zeile eins") || !strings.Contains(strings.Join(want, ""), "JBSWY3DPEHPK3PXP") {
		t.Fatalf("the export holds %d items: %v", len(want), want)
	}
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Fatalf("the round trip changed items:\nwant %s\n got %s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	if out := bob.ok("", "item", "get", "API keys", "--field", "AWS_SECRET"); strings.TrimSpace(out) != "s3cr3t/+=" {
		t.Fatalf("a secret after the import: %q", out)
	}

	// The encrypted export: a wrong password, then the right one (a
	// third account, so that the comparison is exact).
	if msg := bob.fails(1, "wrong\n", "import", sealed, "--file-password-stdin"); !strings.Contains(msg, "password is wrong") {
		t.Fatalf("a wrong password: %q", msg)
	}
	cid := user(t, srv, "cid@exchange.example")
	cid.ok("backup pass phrase\n", "import", sealed, "--file-password-stdin")
	third := filepath.Join(dir, "cid.json")
	cid.ok("", "export", "--format", "json", "--out", third)
	if got := exportedItems(t, third); strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Fatalf("the encrypted round trip changed items:\nwant %s\n got %s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}

	// --history: an item's earlier versions come along, as they were.
	ann.ok("", "item", "edit", "API keys", "--field", "AWS_KEY=AKIA999")
	hist := filepath.Join(dir, "history.json")
	ann.ok("", "export", "--format", "json", "--out", hist, "--history", "--vault", "My Vault")
	var doc struct {
		Items []struct {
			Content struct {
				Name   string            `json:"name"`
				Secret map[string]string `json:"secret"`
			} `json:"content"`
			History []struct {
				Revision uint64 `json:"revision"`
				Author   string `json:"author"`
				Content  struct {
					Secret map[string]string `json:"secret"`
				} `json:"content"`
			} `json:"history"`
		} `json:"items"`
	}
	raw, _ := os.ReadFile(hist)
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range doc.Items {
		if it.Content.Name == "API keys" {
			found = it.Content.Secret["AWS_KEY"] == "AKIA999" && len(it.History) == 1 && it.History[0].Revision == 1 &&
				it.History[0].Content.Secret["AWS_KEY"] == "AKIA123" && it.History[0].Author == "ann@exchange.example"
		}
	}
	if !found {
		t.Fatalf("the export with history:\n%s", raw)
	}

	// CSV: KeePassXC's columns, no attachments; a card's and a secret's
	// values in the notes; read back as KeePassXC's CSV.
	csvFile := filepath.Join(dir, "ann.csv")
	r = ann.run("", "export", "--format", "csv", "--out", csvFile)
	if r.code != 0 || !strings.Contains(r.stderr, "not encrypted") {
		t.Fatalf("csv export: %d %s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(csvFile)
	if !strings.HasPrefix(string(data), "Group,Title,Username,Password,URL,Notes,TOTP\n") || !strings.Contains(string(data), "Card number: 4111111111111111") {
		t.Fatalf("the CSV export:\n%s", data)
	}
	dee := user(t, srv, "dee@exchange.example")
	if out := dee.ok("", "import", csvFile); !strings.Contains(out, "Imported 5 items (1 login, 4 note)") {
		t.Fatalf("the CSV import:\n%s", out)
	}
	if out := dee.ok("", "item", "get", "Bank – Zürich 🏦", "--field", "password"); strings.TrimSpace(out) != `p,"w"d;x` {
		t.Fatalf("a password through CSV: %q", out)
	}
	// A Bitwarden export, its format told by its content.
	if out := dee.ok("", "import", filepath.Join("..", "..", "client", "exchange", "formats", "testdata", "bitwarden.json"), "--dry-run"); !strings.Contains(out, "Would import 6 items (2 login, 1 note, 1 card, 1 identity, 1 ssh-key)") {
		t.Fatalf("a Bitwarden export:\n%s", out)
	}
	if msg := dee.fails(1, "", "import", filepath.Join("..", "..", "client", "exchange", "formats", "testdata", "bitwarden-encrypted.json")); !strings.Contains(msg, "encrypted") {
		t.Fatalf("an encrypted Bitwarden export: %q", msg)
	}

	// The same file again: imported, with a warning.
	if out := bob.ok("", "import", plain); !strings.Contains(out, "warning: 5 of them look like items already in My Vault") {
		t.Fatalf("a second import:\n%s", out)
	}
	// Not a file Coffer knows; a text file whose columns it does not know.
	if msg := bob.fails(2, "", "import", writeIn(t, dir, "photo.jpg", "\xff\xd8\xff\xe0\x00\x10JFIF")); !strings.Contains(msg, "not a file Coffer knows how to import") {
		t.Fatalf("a picture: %q", msg)
	}
	if msg := bob.fails(1, "", "import", note); !strings.Contains(msg, "columns Coffer does not know") {
		t.Fatalf("a text file: %q", msg)
	}
}

// TestCLIExportPolicy (issue 26) with the real binary: an account an
// administrator restricts, and a member of a group the owner restricts,
// export what the policy allows — My Vault always; a restricted vault
// asked for by name is refused (exit 7) and nothing is written. Only an
// administrator sets an account's policy and only the owner a group's;
// every export of an organisation's vaults, and every policy change, is
// in its audit log.
func TestCLIExportPolicy(t *testing.T) {
	srv := startServer(t, "--admin", "root@policy.example")
	root := user(t, srv, "root@policy.example")
	owner := user(t, srv, "owner@policy.example")
	mia := user(t, srv, "mia@policy.example")
	leo := user(t, srv, "leo@policy.example")
	owner.orgWith("Acme", mia, leo)
	owner.ok("", "vault", "create", "Acme", "Ops")
	owner.ok("", "group", "create", "Acme", "Interns")
	owner.ok("", "group", "add", "Acme", "Interns", "leo@policy.example")
	for _, who := range []string{"mia@policy.example", "leo@policy.example"} {
		owner.ok("", "vault", "grant", "Acme/Ops", "--user", who, "--permission", "view")
	}
	owner.ok("", "item", "add", "--type", "note", "--name", "Ops runbook", "--vault", "Acme/Ops", "--note", "restart the thing")
	for _, c := range []*cli{mia, leo} {
		c.ok("", "item", "add", "--type", "note", "--name", "My own note", "--note", "mine")
	}
	dir := t.TempDir()
	exported := func(c *cli, name string, args ...string) []string {
		t.Helper()
		out := filepath.Join(dir, name)
		c.ok("", append([]string{"export", "--format", "json", "--out", out}, args...)...)
		var names []string
		for _, it := range exportedItems(t, out) {
			if strings.Contains(it, "Ops runbook") {
				names = append(names, "Ops runbook")
			} else if strings.Contains(it, "My own note") {
				names = append(names, "My own note")
			}
		}
		sort.Strings(names)
		return names
	}
	if got := exported(mia, "mia-before.json"); strings.Join(got, ",") != "My own note,Ops runbook" {
		t.Fatalf("mia, unrestricted: %v", got)
	}

	// Who may set what.
	mia.fails(7, "", "admin", "export-policy", "leo@policy.example", "my-vault-only")
	mia.fails(7, "", "org", "policy", "Acme", "--group", "Interns", "--export", "my-vault-only")
	root.ok("", "admin", "export-policy", "mia@policy.example", "my-vault-only")
	if out := root.ok("", "admin", "user", "mia@policy.example"); !strings.Contains(out, "May export: My Vault only") {
		t.Fatalf("the administrator's view of mia:\n%s", out)
	}
	owner.ok("", "org", "policy", "Acme", "--group", "Interns", "--export", "my-vault-only")
	if out := owner.ok("", "org", "policy", "Acme"); !strings.Contains(out, "Interns") || !strings.Contains(out, "my-vault-only") {
		t.Fatalf("org policy:\n%s", out)
	}
	if out := leo.ok("", "org", "policy", "Acme"); !strings.Contains(out, "allows exporting My Vault only") {
		t.Fatalf("leo's view of the policy:\n%s", out)
	}

	// The restricted export only My Vault; asking for Acme/Ops is refused.
	for name, c := range map[string]*cli{"mia": mia, "leo": leo} {
		r := c.run("", "export", "--format", "json", "--out", filepath.Join(dir, name+".json"))
		if r.code != 0 || !strings.Contains(r.stderr, "Left out: Acme/Ops") {
			t.Fatalf("%s's export: %d %s", name, r.code, r.stderr)
		}
		if got := exported(c, name+"-2.json"); strings.Join(got, ",") != "My own note" {
			t.Fatalf("%s, restricted: %v", name, got)
		}
		if msg := c.fails(7, "", "export", "--format", "json", "--out", filepath.Join(dir, name+"-ops.json"), "--vault", "Acme/Ops"); !strings.Contains(msg, "My Vault only") {
			t.Fatalf("%s asking for Acme/Ops: %q", name, msg)
		}
		if _, err := os.Stat(filepath.Join(dir, name+"-ops.json")); err == nil {
			t.Fatalf("%s's refused export wrote a file", name)
		}
	}
	// Lifted, mia exports the organisation's vault again.
	root.ok("", "admin", "export-policy", "mia@policy.example", "all")
	if got := exported(mia, "mia-after.json"); strings.Join(got, ",") != "My own note,Ops runbook" {
		t.Fatalf("mia, lifted: %v", got)
	}

	// The audit log: the exports of Acme's vault and the policy change.
	var exports, policies int
	for _, line := range strings.Split(strings.TrimSpace(owner.ok("", "org", "audit", "Acme", "--json")), "\n") {
		var e struct {
			Actor  string `json:"actor"`
			Action string `json:"action"`
			Target struct {
				Vaults []string `json:"vaults"`
				Format string   `json:"format"`
				Policy string   `json:"policy"`
			} `json:"target"`
			Signed bool `json:"signed"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		switch e.Action {
		case "export":
			exports++
			if e.Actor != "mia@policy.example" || len(e.Target.Vaults) != 1 || e.Target.Format != "json" || !e.Signed {
				t.Fatalf("export entry: %+v", e)
			}
		case "export-policy":
			policies++
			if e.Actor != "owner@policy.example" || e.Target.Policy != "my-vault-only" {
				t.Fatalf("policy entry: %+v", e)
			}
		}
	}
	if exports != 2 || policies != 1 {
		t.Fatalf("audit: %d exports (want 2: mia's before and after; none of the refused), %d policy changes", exports, policies)
	}
}
