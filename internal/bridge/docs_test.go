package bridge_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/bridge"
)

// TestWebDocListsTheBridge: docs/web.md names every function of the
// bridge (its table), every state status() answers and every error kind
// the page may get — and no function the bridge does not have.
func TestWebDocListsTheBridge(t *testing.T) {
	raw, err := os.ReadFile("../../docs/web.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	start := strings.Index(doc, "## The bridge")
	if start < 0 {
		t.Fatal("docs/web.md has no section \"## The bridge\"")
	}
	section := doc[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	have := map[string]bool{}
	for _, fn := range bridge.New("", nil, client.Options{}).Funcs() {
		have[fn.Name] = true
		if !strings.Contains(section, "`"+fn.Name+"(") {
			t.Errorf("docs/web.md's bridge section does not list %s(…)", fn.Name)
		}
	}
	// Every function the table's rows name, at the start of a cell or
	// after a comma.
	row := regexp.MustCompile("(?m)^\\| (.*?) \\|")
	call := regexp.MustCompile("`([a-zA-Z]+)\\(")
	for _, r := range row.FindAllStringSubmatch(section, -1) {
		for _, m := range call.FindAllStringSubmatch(r[1], -1) {
			if !have[m[1]] {
				t.Errorf("docs/web.md lists %s(…), which the bridge does not have", m[1])
			}
		}
	}
	for _, s := range bridge.StatusStates {
		if !strings.Contains(section, "`"+s+"`") {
			t.Errorf("docs/web.md does not name the status state `%s`", s)
		}
	}
	for _, k := range client.ErrorKinds() {
		if !strings.Contains(section, "`"+k.Kind+"`") {
			t.Errorf("docs/web.md does not name the error kind `%s` (%s)", k.Kind, k.Means)
		}
	}
}
