package bridge_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/coffer-pm/coffer/client/view"
	"github.com/coffer-pm/coffer/internal/bridge"
)

// TestBridgeRowsAndFind: rows is list's answer column by column — the same
// items in the same (natural) order, with their vaults' labels, types and
// favourites — written as encoding/json would write it; find answers the
// positions in it of exactly the items list(query) answers, for broad,
// narrow, upper-case, non-ASCII and empty queries and none, and names the
// rows answer it indexes. A lock forgets the list.
func TestBridgeRowsAndFind(t *testing.T) {
	a := newAcme(t)
	p := a.mia
	names := []string{"site-10", "site-9", "Site-100", "Ärzte Zürich", "STRASSE", "straße", `quote " back \ <b>&`, "tab\there", "line\u2028sep", "emoji 🔑"}
	for i, n := range names {
		c := map[string]any{"name": n, "tags": []string{fmt.Sprint("tag", i%3)}, "favorite": i%4 == 0}
		typ := "note"
		if i%2 == 0 {
			typ = "login"
			c["login"] = map[string]any{"username": fmt.Sprintf("User-%d@Example.com", i), "urls": []string{fmt.Sprintf("https://h%d.example.org/x", i)}}
		}
		b, _ := json.Marshal(c)
		p.call(nil, "create", typ, string(b))
	}

	var list []view.Summary
	p.call(&list, "list", "", "")
	raw, err := p.core.Call("rows", bridge.List{""})
	if err != nil {
		t.Fatal(err)
	}
	var rows bridge.Rows
	if err := json.Unmarshal(raw.(json.RawMessage), &rows); err != nil {
		t.Fatalf("rows is no JSON: %v\n%s", err, raw)
	}
	if again, _ := json.Marshal(rows); string(again) != string(raw.(json.RawMessage)) {
		t.Fatalf("rows is not what encoding/json writes:\n%s\n%s", raw, again)
	}
	if len(rows.ID) != len(list) || len(list) != len(names)+1 {
		t.Fatalf("rows has %d items, list %d, want %d", len(rows.ID), len(list), len(names)+1)
	}
	for i, s := range list {
		fav := slices.Contains(rows.Favorite, i)
		if rows.ID[i] != s.ID || rows.Name[i] != s.Name || rows.Username[i] != s.Username || rows.Vaults[rows.Vault[i]] != s.Vault ||
			rows.Types[rows.Type[i]] != s.Type || fav != s.Favorite {
			t.Errorf("row %d: %s %q %q %q %s %v, list has %+v", i, rows.ID[i], rows.Name[i], rows.Username[i], rows.Vaults[rows.Vault[i]],
				rows.Types[rows.Type[i]], fav, s)
		}
	}

	for _, q := range []string{"", "site", "SITE-1", "site-9", "example", "EXAMPLE.ORG/X", "tag1", "ärzte", "ÄRZTE", "zürich", "straße", "strasse", `" back \`, "<b>&", "\t", "🔑", "db-prod", "nothing like it"} {
		var want []view.Summary
		p.call(&want, "list", q, "")
		var f bridge.Found
		p.call(&f, "find", q)
		if f.Version != rows.Version || f.Count != len(want) || len(f.Ranges)%2 != 0 {
			t.Fatalf("find(%q): %+v; rows version %d, list has %d", q, f, rows.Version, len(want))
		}
		var got []string
		for k := 0; k < len(f.Ranges); k += 2 {
			if f.Ranges[k] >= f.Ranges[k+1] || k > 0 && f.Ranges[k] <= f.Ranges[k-1] {
				t.Fatalf("find(%q): ranges %v not ascending and apart", q, f.Ranges)
			}
			for i := f.Ranges[k]; i < f.Ranges[k+1]; i++ {
				got = append(got, rows.ID[i])
			}
		}
		var ids []string
		for _, s := range want {
			ids = append(ids, s.ID)
		}
		if !slices.Equal(got, ids) {
			t.Errorf("find(%q) = %v, list(%q) = %v", q, got, q, ids)
		}
	}

	// One vault; find indexes the newest rows answer.
	var mine bridge.Rows
	p.call(&mine, "rows", a.ops.ID)
	if len(mine.ID) != 1 || mine.Name[0] != "db-prod" || mine.Vaults[0] != "Acme/Ops" || mine.Version <= rows.Version {
		t.Fatalf("rows(Ops): %+v", mine)
	}
	var f bridge.Found
	p.call(&f, "find", "site")
	if f.Version != mine.Version || f.Count != 0 {
		t.Fatalf("find after rows(Ops): %+v", f)
	}

	p.call(nil, "lock")
	p.fails("locked", "find", "site")
	p.fails("locked", "rows", "")
	p.call(nil, "unlock", pw)
	p.call(&f, "find", "")
	if f.Count != 0 {
		t.Fatalf("find after a lock answered from the list before it: %+v", f)
	}
}
