package cli

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestCLIReferenceIsCurrent: docs/cli.md, the command-line reference, is
// what the commands say of themselves (their --help), every command and
// flag, in order. COFFER_WRITE_DOCS=1 writes it anew after a change.
func TestCLIReferenceIsCurrent(t *testing.T) {
	var b strings.Builder
	b.WriteString("# The coffer command line\n\n" +
		"Every command and flag, as `coffer COMMAND --help` prints it. Generated from\n" +
		"the commands by `COFFER_WRITE_DOCS=1 go test ./internal/cli -run TestCLIReferenceIsCurrent`;\n" +
		"a test fails when it is out of date. Exit codes and `--json` are described\n" +
		"in README.md. Defaults that follow the machine (`serve --hash-*`, from the\n" +
		"number of cores) are shown for 2 cores.\n")
	// The --hash-* defaults follow GOMAXPROCS: the reference is written
	// for 2 cores, whatever machine runs the test.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			return
		}
		b.WriteString("\n## " + c.CommandPath() + "\n\n")
		if c.Long != "" {
			b.WriteString(strings.TrimSpace(c.Long) + "\n\n")
		} else if c.Short != "" {
			b.WriteString(c.Short + ".\n\n")
		}
		b.WriteString("```\n" + strings.TrimRight(c.UsageString(), "\n") + "\n```\n")
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk((&app{}).rootCommand())
	const path = "../../docs/cli.md"
	if os.Getenv("COFFER_WRITE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(path)
	if err != nil || string(have) != b.String() {
		t.Fatalf("docs/cli.md is not what the commands say (%v); run COFFER_WRITE_DOCS=1 go test ./internal/cli -run TestCLIReferenceIsCurrent", err)
	}
}
