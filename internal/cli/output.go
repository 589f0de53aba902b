package cli

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/client"
)

const timeoutShort = 10 * time.Second

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// inert renders text that came from an item or the server safe for a
// terminal: control characters (escape sequences, newlines) are replaced,
// so a name cannot forge output or prompts (client.Displayable, the one
// display sanitiser of the CLI and the web app).
func inert(s string) string { return client.Displayable(s, 0) }

// shellArg is s as one argument of a command line to copy: quoted for a
// POSIX shell when it holds anything but plain characters.
func shellArg(s string) string {
	s = inert(s)
	if s != "" && !strings.ContainsAny(s, " \t'\"$`\\!*?;&|<>()[]{}#~%") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
