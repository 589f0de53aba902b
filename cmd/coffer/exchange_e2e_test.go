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
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	note := write("note.txt", "Zeile eins\n\"quoted\", with commas\n\ttabbed — ünïcödé 🔑\n")
	ann.ok("", "item", "add", "--type", "login", "--name", "Bank – Zürich 🏦", "--username", "änn", "--password", `p,"w"d;x`,
		"--url", "https://bank.example/login", "--url", "https://m.bank.example", "--totp", "otpauth://totp/Bank:ann?secret=JBSWY3DPEHPK3PXP&issuer=Bank",
		"--tag", "finance", "--tag", "ch", "--favorite", "--note", "@"+note,
		"--text-field", "Customer no=12 345", "--url-field", "Portal=https://portal.example", "--field", "PIN=0042")
	ann.ok("", "item", "attach", "Bank – Zürich 🏦", "--file", write("statement.pdf", "%PDF-1.7 fake statement\x00\x01\x02"))
	ann.ok("", "item", "add", "--type", "note", "--name", "日本語のメモ", "--note", "@"+note)
	ann.ok("", "item", "add", "--type", "secret", "--name", "API keys", "--field", "AWS_KEY=AKIA123", "--field", "AWS_SECRET=s3cr3t/+=")
	ann.ok("", "item", "add", "--type", "card", "--name", "Visa", "--field", "holder=Ann Example", "--field", "number=4111111111111111", "--field", "expiry=12/29", "--field", "cvv=123")
	ann.ok("", "item", "add", "--type", "file", "--name", "Passport scan", "--file", write("passport.png", "\x89PNG fake"))

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

	// The same file again: imported, with a warning.
	if out := bob.ok("", "import", plain); !strings.Contains(out, "warning: 5 of them look like items already in My Vault") {
		t.Fatalf("a second import:\n%s", out)
	}
	// Not a file Coffer knows.
	if msg := bob.fails(2, "", "import", note); !strings.Contains(msg, "not a file Coffer knows how to import") {
		t.Fatalf("a text file: %q", msg)
	}
}
