package main_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client/exchange"
	"github.com/coffer-pm/coffer/client/exchange/formats"
)

// TestWebAppExportAndImport (issue 26): web/e2e/exchange.mjs — Tools →
// Export and Import in Chromium, the tools module loaded on demand. The
// owner exports My Vault and the organisation's vault under a password,
// as a KeePass database and, after the warning, as clear Coffer JSON;
// Mia, whom the administrator allows My Vault only, and Leo, in a group
// the owner allows My Vault only, are shown why the organisation's vault
// is held back, and Mia exports My Vault; Nia imports
// the owner's password-protected export (password, preview, progress,
// the items listed), a Bitwarden export with an entry Coffer cannot
// take (left out, and why) twice (the duplicates said), and a CSV of
// columns Coffer does not know (mapped by hand). Then: the files the
// browser saved read back here, and the organisation's audit log holds
// the owner's exports with their formats.
func TestWebAppExportAndImport(t *testing.T) {
	webTools(t)
	srv := startServer(t, "--admin", "root@quay.example")
	root := user(t, srv, "root@quay.example")
	owner := user(t, srv, "olga@quay.example")
	mia := user(t, srv, "mia@quay.example")
	leo := user(t, srv, "leo@quay.example")
	user(t, srv, "nia@quay.example")
	owner.orgWith("Quay", mia, leo)
	owner.ok("", "vault", "create", "Quay", "Ops")
	for _, who := range []string{"mia@quay.example", "leo@quay.example"} {
		owner.ok("", "vault", "grant", "Quay/Ops", "--user", who, "--permission", "view")
	}
	// Leo is in a group whose members the owner allows My Vault only.
	owner.ok("", "group", "create", "Quay", "Interns")
	owner.ok("", "group", "add", "Quay", "Interns", "leo@quay.example")
	owner.ok("", "org", "policy", "Quay", "--group", "Interns", "--export", "my-vault-only")
	owner.ok("", "item", "add", "--type", "note", "--name", "Ops runbook", "--vault", "Quay/Ops", "--note", "restart the pump\nthen the valve")
	owner.ok("", "item", "add", "--type", "login", "--name", "Harbour gate – Zürich", "--username", "olga", "--password", `g@te,"pw"`, "--url", "https://gate.quay.example")
	dir := t.TempDir()
	owner.ok("", "item", "attach", "Harbour gate – Zürich", "--file", writeIn(t, dir, "gate-codes.txt", "north 1234\nsouth 5678\n"))
	mia.ok("", "item", "add", "--type", "note", "--name", "Mia's own note", "--note", "mine")
	root.ok("", "admin", "export-policy", "mia@quay.example", "my-vault-only")

	runScenario(t, "exchange.mjs", srv.url, "PASSWORD="+masterPW, "OWNER_EMAIL=olga@quay.example", "MIA_EMAIL=mia@quay.example", "LEO_EMAIL=leo@quay.example",
		"NIA_EMAIL=nia@quay.example", "OUT="+dir)

	// What the browser saved reads back: the KeePass database under its
	// password, with the attachment; the clear export as Coffer JSON.
	kdbx, err := os.ReadFile(filepath.Join(dir, "olga.kdbx"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := formats.ToCoffer(kdbx, "", nil, []byte("kdbx file password"))
	if err != nil {
		t.Fatalf("the KeePass database the browser saved: %v", err)
	}
	rd, err := exchange.NewReader(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	files := 0
	for {
		it, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, it.Content.Name)
		files += len(it.Files)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Harbour gate – Zürich", "Ops runbook"}) || files != 1 {
		t.Fatalf("the KeePass database holds %v with %d attachments", names, files)
	}
	if items := exportedItems(t, filepath.Join(dir, "olga.json")); len(items) != 2 {
		t.Fatalf("the clear export holds %d items", len(items))
	}
	if info, err := os.Stat(filepath.Join(dir, "olga.coffer")); err != nil || info.Size() == 0 {
		t.Fatalf("the password-protected export: %v", err)
	}

	// The organisation's audit log: the owner's three exports, each with
	// its format; Mia's export of My Vault is no organisation's business.
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(owner.ok("", "org", "audit", "Quay", "--action", "export", "--json")), "\n") {
		var e struct {
			Actor  string `json:"actor"`
			Target struct {
				Format string `json:"format"`
			} `json:"target"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("not one JSON object per line: %q", l)
		}
		got = append(got, e.Actor+" "+e.Target.Format)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"olga@quay.example encrypted-json", "olga@quay.example json", "olga@quay.example kdbx"}) {
		t.Fatalf("the audit log's exports: %v", got)
	}
}
