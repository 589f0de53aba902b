package client

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/coffer-pm/coffer/internal/passgen"
)

// Rules are the product's limits as the client core enforces them. The
// CLI's messages and the web page's forms read them from here (the page
// through the bridge's rules() and the generated types.gen.ts), so that a
// limit is written once: issue 24 found the page with copies of its own.
type Rules struct {
	MasterPasswordMin int `json:"master_password_min"` // characters (runes)
	InviteBatchMax    int `json:"invite_batch_max"`    // addresses in one invitation batch
	ItemNameMax       int `json:"item_name_max"`       // characters of an item's name
	OrgNameMax        int `json:"org_name_max"`        // characters of an organisation, group or vault name
	EmailMax          int `json:"email_max"`           // bytes of an e-mail address
	PasswordLengthMin int `json:"password_length_min"` // the generator's bounds
	PasswordLengthMax int `json:"password_length_max"`
	PassphraseWordMin int `json:"passphrase_words_min"`
	PassphraseWordMax int `json:"passphrase_words_max"`
	// DisplayNameMax is how much of a name someone chose for themselves
	// (a member's, an organisation's as an invitation states it) the page
	// shows inside its own sentences.
	DisplayNameMax int `json:"display_name_max"`
	// IdentityFieldMax bounds each of an identity's fields (characters);
	// SSHKeyMax each of an SSH key's keys (bytes).
	IdentityFieldMax int `json:"identity_field_max"`
	SSHKeyMax        int `json:"ssh_key_max"`
}

// The limits that are not defined elsewhere.
const (
	// MaxContainerName is the longest organisation, group or vault name.
	MaxContainerName = 200
	// MaxEmail is the longest e-mail address (RFC 5321's path limit), as
	// the server takes it.
	MaxEmail = 254
	// MaxDisplayName: see Rules.DisplayNameMax.
	MaxDisplayName = 60
)

// CurrentRules returns the rules of this client core.
func CurrentRules() Rules {
	return Rules{
		MasterPasswordMin: MinPasswordLength,
		InviteBatchMax:    MaxInvites,
		ItemNameMax:       MaxNameLength,
		OrgNameMax:        MaxContainerName,
		EmailMax:          MaxEmail,
		PasswordLengthMin: passgen.MinLength,
		PasswordLengthMax: passgen.MaxLength,
		PassphraseWordMin: passgen.MinWords,
		PassphraseWordMax: passgen.MaxWords,
		DisplayNameMax:    MaxDisplayName,
		IdentityFieldMax:  MaxIdentityField,
		SSHKeyMax:         MaxSSHKey,
	}
}

// ErrBadEmail: an address is not one the client sends to the server.
var ErrBadEmail = errors.New("not an e-mail address")

// NormalizeEmail trims and lower-cases an address and checks it. It is
// the client's one e-mail rule (sign-up, invitations, the page's forms):
// a plain addr-spec local@domain whose parts are dot-atoms (RFC 5322, no
// quoted local part, no domain literal), with a dot in the domain, at
// most MaxEmail bytes, and no invisible character (control, format,
// separator, private use: two addresses that look alike must not be two
// accounts). Everything it accepts the server accepts too (it parses with
// net/mail; TestNormalizeEmailIsWithinTheServers checks); the server stays
// the authority.
func NormalizeEmail(raw string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(raw))
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%w: %q %s", ErrBadEmail, Displayable(raw, 80), why)
	}
	if e == "" {
		return bad("is empty")
	}
	if len(e) > MaxEmail {
		return bad(fmt.Sprintf("is longer than %d bytes", MaxEmail))
	}
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || at == len(e)-1 {
		return bad("needs a name, an @ and a domain, like name@example.com")
	}
	local, domain := e[:at], e[at+1:]
	if !dotAtom(local) || !dotAtom(domain) {
		return bad("has a character an address cannot have (spaces, commas, quotes, brackets, or a dot at the start or end, or two dots in a row)")
	}
	if !strings.Contains(domain, ".") {
		return bad("has no dot in its domain")
	}
	return e, nil
}

// dotAtom: atoms of RFC 5322 atext (and non-ASCII letters) joined by
// single dots.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		switch {
		case r == '.', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r):
		case r >= utf8.RuneSelf && r != utf8.RuneError && !unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.Z):
		default:
			return false
		}
	}
	return true
}

// ParseAddresses splits what a person typed or pasted — one address per
// line, or separated by commas, semicolons or spaces, "Name <a@b.c>" too —
// into normalized addresses (each once, in order) and the pieces that are
// not addresses, as typed.
func ParseAddresses(text string) (emails, bad []string) {
	emails, bad = []string{}, []string{}
	seen := map[string]bool{}
	add := func(raw, addr string) {
		e, err := NormalizeEmail(addr)
		switch {
		case err != nil:
			bad = append(bad, raw)
		case !seen[e]:
			seen[e] = true
			emails = append(emails, e)
		}
	}
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == ';' || r == '\r' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		// "Name <a@b.c>": the address is inside the last angle brackets.
		if strings.HasSuffix(part, ">") {
			if i := strings.LastIndexByte(part, '<'); i >= 0 && !strings.ContainsAny(part[i+1:len(part)-1], "<>") {
				add(part, part[i+1:len(part)-1])
				continue
			}
		}
		for _, word := range strings.Fields(part) {
			add(word, word)
		}
	}
	return emails, bad
}

// Displayable makes text that someone else chose (a name, a server's
// message) inert for display inside the client's own words: control
// characters, bidi overrides and isolates, line and paragraph separators
// and other format characters become U+FFFD (visible, so a look-alike
// shows), and at most max characters are kept (max <= 0: all), then "…".
// A right-to-left override could otherwise turn a fingerprint prompt or a
// table around. Zero-width joiners stay: scripts and emoji need them, and
// they reorder nothing. It is the one display sanitiser of the client
// core, the CLI and the page.
func Displayable(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if max > 0 && n >= max {
			b.WriteString("…")
			break
		}
		if inertRune(r) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

func inertRune(r rune) bool {
	if r == '\u200c' || r == '\u200d' { // zero-width (non-)joiner
		return false
	}
	return r == utf8.RuneError || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}

// sanitize is Displayable for the client's own error messages.
func sanitize(s string, max int) string { return Displayable(s, max) }
