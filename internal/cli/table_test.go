package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestTableAlignsWideCharacters: columns line up in terminal cells for
// names in CJK, with emoji and with combining marks (issue 15, defect 9).
func TestTableAlignsWideCharacters(t *testing.T) {
	var out bytes.Buffer
	tw := newTable(&out)
	fmt.Fprintln(tw, "NAME\tVAULT\tID")
	for _, name := range []string{"GitHub", "銀行口座", "Café", "Cafe\u0301", "🔑 keys", "Ｆｕｌｌ"} {
		fmt.Fprintf(tw, "%s\tMy Vault\t%s\n", name, "x")
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	col := -1
	for _, l := range lines {
		i := strings.Index(l, "VAULT")
		if i < 0 {
			i = strings.Index(l, "My Vault")
		}
		c := displayWidth(l[:i])
		if col >= 0 && c != col {
			t.Fatalf("the second column starts at cell %d, not %d:\n%s", c, col, out.String())
		}
		col = c
	}
	if col != displayWidth("銀行口座")+2 {
		t.Fatalf("column at %d, want the widest name (8 cells) plus 2:\n%s", col, out.String())
	}
}
