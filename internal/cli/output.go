package cli

import (
	"encoding/json"
	"strings"
	"time"
)

const timeoutShort = 10 * time.Second

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// inert renders text that came from an item or the server safe for a
// terminal: control characters (escape sequences, newlines) are replaced,
// so a name cannot forge output or prompts.
func inert(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return '\uFFFD'
		}
		return r
	}, s)
}

const masked = "********"

// shellArg is s as one argument of a command line to copy: quoted for a
// POSIX shell when it holds anything but plain characters.
func shellArg(s string) string {
	s = inert(s)
	if s != "" && !strings.ContainsAny(s, " \t'\"$`\\!*?;&|<>()[]{}#~%") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
