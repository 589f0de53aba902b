package cli

import (
	"encoding/json"
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
