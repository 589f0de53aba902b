package bridge_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
	"github.com/coffer-pm/coffer/client/exchange/formats"
	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/api"
)

// TestBridgeExportAndImport (issue 26): Tools → Export and Import as the
// page drives them. The plan offers the vaults the policy lets go; an
// export is recorded in the organisation's audit log and holds what the
// vaults hold; an organisation's group flag holds its vaults back (left
// out of the plan, refused when named) while My Vault always goes; an
// import previews (creating nothing), then creates, says duplicates the
// second time, and is refused into a vault the account only views.
func TestBridgeExportAndImport(t *testing.T) {
	a, url := newAcmeAt(t)
	mine, err := a.owner.PersonalVault()
	must(t, err)
	_, err = a.owner.CreateItem(ctx, mine.ID, "note", client.Content{Name: "Plans", Notes: "line one\nline two"})
	must(t, err)
	// The owner is a page too.
	owner := newPage(t, url)
	owner.call(nil, "login", "owner@acme.example", pw)

	var plan view.ExportPlan
	owner.call(&plan, "exportPlan")
	if len(plan.Vaults) != 2 || plan.Note != "" || plan.ClearWarning == "" || plan.Formats[0].Name != exchange.FormatEncryptedJSON || !plan.Formats[0].Encrypted {
		t.Fatalf("the owner's plan: %+v", plan)
	}
	for _, v := range plan.Vaults {
		if !v.Allowed || v.Items != 1 {
			t.Fatalf("the owner's vault %+v", v)
		}
	}
	doc, err := owner.core.ExportDocument(nil, exchange.FormatKDBX, false, nil)
	must(t, err)
	names := docNames(t, doc)
	if !slices.Equal(names, []string{"Plans", "db-prod"}) && !slices.Equal(names, []string{"db-prod", "Plans"}) {
		t.Fatalf("the export holds %v", names)
	}
	// The tools module's side turns it into a KeePass database, which
	// reads back.
	var kdbx bytes.Buffer
	if _, err := formats.Convert(bytes.NewReader(doc), exchange.FormatKDBX, &kdbx, []byte("file pw")); err != nil {
		t.Fatal(err)
	}
	back, err := formats.ToCoffer(kdbx.Bytes(), "", nil, []byte("file pw"))
	must(t, err)
	if got := docNames(t, back); len(got) != 2 {
		t.Fatalf("the KDBX read back holds %v", got)
	}
	log, err := a.owner.AuditLog(ctx, a.org.ID, client.AuditFilter{Action: string(api.AuditExport)})
	must(t, err)
	if len(log) != 1 || log[0].Target.Format != exchange.FormatKDBX {
		t.Fatalf("the audit log's exports: %+v", log)
	}

	// Mia's group is flagged: the organisation's vault is held back.
	groups, err := a.owner.ListGroups(ctx, a.org.ID)
	must(t, err)
	must(t, a.owner.SetGroupExportPolicy(ctx, a.org.ID, groups[0].ID, true))
	a.mia.call(&plan, "exportPlan")
	if plan.Note == "" {
		t.Fatalf("a restricted member's plan says nothing: %+v", plan)
	}
	for _, v := range plan.Vaults {
		if (v.ID == a.ops.ID) == v.Allowed || (!v.Allowed && v.HeldBy == "") {
			t.Fatalf("a restricted member's vault %+v", v)
		}
	}
	if _, err := a.mia.core.ExportDocument([]string{a.ops.ID}, exchange.FormatJSON, false, nil); !errors.Is(err, client.ErrExportRestricted) {
		t.Fatalf("the held-back vault named: %v", err)
	}
	doc, err = a.mia.core.ExportDocument(nil, exchange.FormatJSON, false, nil)
	must(t, err)
	if got := docNames(t, doc); len(got) != 0 {
		t.Fatalf("a restricted member's export holds %v", got)
	}

	// Import: preview, then create; the second time, duplicates.
	var ip view.ImportPlan
	a.mia.call(&ip, "importPlan")
	if len(ip.Vaults) != 1 || ip.Vaults[0].Label != "My Vault" || len(ip.Fields) == 0 || len(ip.Formats) < 10 {
		t.Fatalf("mia's import plan (Ops is view-only): %+v", ip)
	}
	csv := []byte("name,url,username,password,note\nMail,https://mail.example,mia,pw1,\nBank,https://bank.example,mia,\"p,w\n2\",note\n")
	file, err := formats.ToCoffer(csv, "", nil, nil)
	must(t, err)
	dry, err := a.mia.core.ImportDocument("", file, true, nil)
	must(t, err)
	if !dry.DryRun || dry.Items != 2 || len(dry.Counts) != 1 || dry.Counts[0].Label != "Login" || dry.Vault.Label != "My Vault" {
		t.Fatalf("the preview: %+v", dry)
	}
	var found []view.Summary
	a.mia.call(&found, "list", "", "")
	before := len(found)
	var seen []int
	res, err := a.mia.core.ImportDocument("", file, false, func(done int) { seen = append(seen, done) })
	must(t, err)
	a.mia.call(&found, "list", "", "")
	// Progress: told at once, then at most every progressEvery.
	if res.DryRun || res.Items != 2 || res.Duplicates != 0 || len(found) != before+2 || len(seen) == 0 || seen[0] != 1 {
		t.Fatalf("the import: %+v, %d items listed (before %d), progress %v", res, len(found), before, seen)
	}
	res, err = a.mia.core.ImportDocument("", file, true, nil)
	must(t, err)
	if res.Duplicates != 2 {
		t.Fatalf("a second import's duplicates: %+v", res)
	}
	if _, err := a.mia.core.ImportDocument(a.ops.ID, file, false, nil); client.KindOf(err) != "forbidden" {
		t.Fatalf("an import into a view-only vault: %v", err)
	}
	if _, err := a.mia.core.ImportDocument("", []byte("not a document"), false, nil); !errors.Is(err, exchange.ErrNotCoffer) {
		t.Fatalf("a document that is none: %v", err)
	}
}

// docNames lists the names of a Coffer JSON document's items.
func docNames(t *testing.T, doc []byte) []string {
	t.Helper()
	rd, err := exchange.NewReader(bytes.NewReader(doc))
	must(t, err)
	names := []string{}
	for {
		it, err := rd.Next()
		if err == io.EOF {
			return names
		}
		must(t, err)
		names = append(names, it.Content.Name)
	}
}
