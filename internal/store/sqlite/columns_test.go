package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/coffer-pm/coffer/internal/store/sqlite"
)

// TestThreatD1EveryColumnIsDocumented: every column of the schema is listed,
// with why the server may hold it, in docs/security.md — and nothing listed
// there is missing from the schema.
func TestThreatD1EveryColumnIsDocumented(t *testing.T) {
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`)
	if err != nil {
		t.Fatal(err)
	}
	schema := map[string]bool{}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		schema[c] = true
	}
	rows.Close()
	doc, err := os.ReadFile("../../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+\\.[a-z_]+)` \\| (metadata|sealed|derived|public key|server) \\|").FindAllStringSubmatch(string(doc), -1) {
		listed[m[1]] = true
	}
	var missing, extra []string
	for c := range schema {
		if !listed[c] {
			missing = append(missing, c)
		}
	}
	for c := range listed {
		if !schema[c] {
			extra = append(extra, c)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 || len(schema) < 100 {
		t.Fatalf("docs/security.md and the schema differ:\nundocumented columns: %v\nlisted but not in the schema: %v", missing, extra)
	}
}
