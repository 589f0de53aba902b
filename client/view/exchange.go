package view

import (
	"context"
	"sort"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/exchange"
)

// ExportPlan is what Tools → Export offers: the formats, every vault this
// account can read with whether the export policy lets it go, and the
// policy in words.
type ExportPlan struct {
	_       [0]func()             // not comparable: no equality function in core.wasm (docs/performance.md)
	Formats []exchange.FormatInfo `json:"formats"`
	Vaults  []ExportVault         `json:"vaults"`
	// Note says the policy ("" when it holds nothing back).
	Note string `json:"note,omitempty"`
	// ClearWarning is said before a clear-text format is written.
	ClearWarning string `json:"clear_warning"`
	// FileStem names the file ("coffer-export-2026-12-07"; the format
	// gives the extension).
	FileStem string `json:"file_stem"`
}

// ExportVault is a vault an export may take.
type ExportVault struct {
	_     [0]func()
	ID    string `json:"id"`
	Label string `json:"label"` // My Vault, or ORG/NAME
	Items int    `json:"items"`
	// Allowed: the export policy lets it go; a vault held back says why.
	Allowed bool   `json:"allowed"`
	HeldBy  string `json:"held_by,omitempty"`
}

// ExportPlanOf is s's export plan under the account's export policy.
func ExportPlanOf(ctx context.Context, s *client.Session) (ExportPlan, error) {
	policy, err := s.ExportPolicy(ctx)
	if err != nil {
		return ExportPlan{}, err
	}
	counts := map[string]int{}
	for _, sm := range s.Search(false, "", "") {
		counts[sm.VaultID]++
	}
	out := ExportPlan{Formats: exchange.Formats(exchange.ExportFormats), Vaults: []ExportVault{}, Note: policy.Note(),
		ClearWarning: exchange.ClearTextWarning, FileStem: "coffer-export-" + time.Now().Format(time.DateOnly)}
	for _, v := range s.Vaults() {
		ev := ExportVault{ID: v.ID, Label: v.Label(), Items: counts[v.ID], Allowed: policy.Allows(v)}
		if !ev.Allowed {
			ev.HeldBy = policy.Note()
		}
		out.Vaults = append(out.Vaults, ev)
	}
	return out, nil
}

// ImportPlan is what Tools → Import offers: the formats it reads (a file's
// is detected; these are for a file that is not) and the vaults this
// account can write to.
type ImportPlan struct {
	_       [0]func()
	Formats []exchange.FormatInfo `json:"formats"`
	Vaults  []VaultRef            `json:"vaults"`
	// Fields are what a generic CSV's columns can be mapped to.
	Fields []CSVField `json:"fields"`
}

// CSVField is a field a CSV column can fill.
type CSVField struct {
	_     [0]func()
	Name  string `json:"name"` // as --map names it
	Label string `json:"label"`
}

var csvFieldLabels = map[string]string{"name": "Name", "url": "Web address", "username": "User name", "password": "Password",
	"notes": "Notes", "totp": "One-time code (TOTP)", "folder": "Folder", "favorite": "Favourite", "tags": "Tags"}

// ImportPlanOf is s's import plan.
func ImportPlanOf(s *client.Session) ImportPlan {
	out := ImportPlan{Formats: exchange.Formats(exchange.ImportFormats), Vaults: []VaultRef{}, Fields: []CSVField{}}
	for _, f := range exchange.CSVFields {
		out.Fields = append(out.Fields, CSVField{Name: f, Label: csvFieldLabels[f]})
	}
	for _, v := range s.Vaults() {
		if v.Writable() {
			out.Vaults = append(out.Vaults, VaultRef{ID: v.ID, Label: v.Label()})
		}
	}
	return out
}

// ImportReport is what an import did (or, dry, would do), as the web
// app shows it: ImportResult, with the counts per type in words.
type ImportReport struct {
	exchange.ImportResult
	Vault  VaultRef    `json:"vault"`
	Counts []TypeCount `json:"counts"`
}

// TypeCount is how many items of one type.
type TypeCount struct {
	_     [0]func()
	Type  string `json:"type"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// ImportReportOf describes res, an import into v.
func ImportReportOf(res exchange.ImportResult, v *client.Vault) ImportReport {
	out := ImportReport{ImportResult: res, Vault: VaultRef{ID: v.ID, Label: v.Label()}, Counts: TypeCounts(res.ByType)}
	if out.Skipped == nil {
		out.Skipped = []exchange.Skipped{}
	}
	return out
}

// TypeCounts lists byType's counts, the most first (ties by label).
func TypeCounts(byType map[string]int) []TypeCount {
	out := []TypeCount{}
	for t, n := range byType {
		label := TypeLabel(t) // a type this client does not know: its name
		out = append(out, TypeCount{Type: t, Label: label, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Label < out[j].Label
	})
	return out
}
