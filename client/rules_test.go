package client_test

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
)

var emailCases = []struct {
	in, want string // want "" when refused
}{
	{"a@b.example", "a@b.example"},
	{"  Laura@PVY.Example ", "laura@pvy.example"},
	{"first.last+tag@sub.example.com", "first.last+tag@sub.example.com"},
	{"o'brien@example.ie", "o'brien@example.ie"},
	{"jörg@müller.example", "jörg@müller.example"},
	{"x@y", ""},             // no dot in the domain
	{"@nobody.example", ""}, // no name
	{"nobody@", ""},
	{"not-an-address", ""},
	{"a b@example.com", ""},
	{"a..b@example.com", ""},
	{".a@example.com", ""},
	{"a@example.com.", ""},
	{"a@-.com", "a@-.com"}, // dot-atom allows it; so does the server
	{`"quoted"@example.com`, ""},
	{"a@[127.0.0.1]", ""},
	{"Name <a@b.example>", ""},
	{"a,b@example.com", ""},
	{"a@b.example;", ""},
	{"ev\u202eil@example.com", ""}, // a bidi override
	{"zero\u200bwidth@example.com", ""},
	{"nb\u00a0sp@example.com", ""},
	{strings.Repeat("a", 250) + "@b.co", ""}, // longer than 254 bytes
}

// TestNormalizeEmail: the client's one e-mail rule.
func TestNormalizeEmail(t *testing.T) {
	for _, c := range emailCases {
		got, err := client.NormalizeEmail(c.in)
		if (err == nil) != (c.want != "") || got != c.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		if err != nil && (!errors.Is(err, client.ErrBadEmail) || client.KindOf(err) != "bad-email") {
			t.Errorf("NormalizeEmail(%q): %v is not a bad-email", c.in, err)
		}
	}
}

// TestNormalizeEmailIsWithinTheServers: every address the client accepts,
// the server's rule (net/mail, the address as given, no invisible
// character) accepts too, so no form says yes to what the server refuses.
func TestNormalizeEmailIsWithinTheServers(t *testing.T) {
	for _, c := range emailCases {
		if c.want == "" {
			continue
		}
		a, err := mail.ParseAddress(c.want)
		if err != nil || a.Address != c.want {
			t.Errorf("the client takes %q, the server would not: %v", c.want, err)
		}
	}
}

// TestParseAddresses: what a person pastes into the invitation form.
func TestParseAddresses(t *testing.T) {
	emails, bad := client.ParseAddresses("Laura <Laura@PVY.example>\nintern@pvy.example, coordinator@pvy.example; max@pvy.example  fred@pvy.example\n\nnot-an-address, intern@pvy.example; x@y\r\n@nobody.example")
	if got := strings.Join(emails, " "); got != "laura@pvy.example intern@pvy.example coordinator@pvy.example max@pvy.example fred@pvy.example" {
		t.Fatalf("emails %s", got)
	}
	if got := strings.Join(bad, " "); got != "not-an-address x@y @nobody.example" {
		t.Fatalf("bad %s", got)
	}
}

// TestDisplayable: text someone else chose cannot turn the client's own
// words around, hide a character, or run on.
func TestDisplayable(t *testing.T) {
	for in, want := range map[string]string{
		"Laura":                    "Laura",
		"evil\u202efdp.exe":        "evil\ufffdfdp.exe",
		"a\nb\tc\x1b[31m":          "a\ufffdb\ufffdc\ufffd[31m",
		"zero\u200bwidth\u2028end": "zero\ufffdwidth\ufffdend",
		"family 👨\u200d👩\u200d👧":   "family 👨\u200d👩\u200d👧", // joiners stay
		"\u2066isolate\u2069":      "\ufffdisolate\ufffd",
	} {
		if got := client.Displayable(in, 0); got != want {
			t.Errorf("Displayable(%q) = %q, want %q", in, got, want)
		}
	}
	if got := client.Displayable(strings.Repeat("é", 70), client.MaxDisplayName); got != strings.Repeat("é", 60)+"…" {
		t.Errorf("cut: %q", got)
	}
}

// TestKindOf: one classification for the page and the CLI.
func TestKindOf(t *testing.T) {
	for err, want := range map[error]string{
		nil:                                          "",
		errors.New("boom"):                           "error",
		client.ErrWrongPassword:                      "wrong-password",
		&client.ConflictError{Base: 1, Head: 2}:      "conflict",
		fmt.Errorf("x: %w", client.ErrReadOnly):      "forbidden",
		&client.APIError{Status: 403, Message: "no"}: "forbidden",
		&client.APIError{Status: 403, Code: api.CodeEmailUnverified}:            "unverified",
		&client.APIError{Status: 404}:                                           "not-found",
		&client.APIError{Status: 403, Code: api.CodeSignupRefused}:              "signup-refused",
		&client.APIError{Status: 403, Code: api.CodeSSORequired}:                "sso-required",
		&client.APIError{Status: 401, Code: api.CodeSSOTicket}:                  "sso-ticket",
		&client.APIError{Status: 409, Code: api.CodeSSOLinked}:                  "sso-ticket",
		&client.APIError{Status: 401}:                                           "unauthorized",
		fmt.Errorf("%w (a@b)", client.ErrKeyMismatch):                           "key-mismatch",
		fmt.Errorf("%w at x: %w", client.ErrUnreachable, errors.New("refused")): "offline",
		errors.New("net/http: fetch() failed: Failed to fetch"):                 "offline",
		client.ErrLocked:          "locked",
		client.ErrPermissionScope: "permission-scope",
	} {
		if got := client.KindOf(err); got != want {
			t.Errorf("KindOf(%v) = %q, want %q", err, got, want)
		}
	}
	seen := map[string]bool{}
	for _, k := range client.ErrorKinds() {
		if seen[k.Kind] || k.Means == "" {
			t.Errorf("kind %q twice or without meaning", k.Kind)
		}
		seen[k.Kind] = true
	}
}

// TestEntriesNameEveryField: the custom fields (--text-field, --url-field,
// --field) are fields like the others, with their kinds (issue 24, defect
// 7: they never showed in the web app).
func TestEntriesNameEveryField(t *testing.T) {
	c := client.Content{Name: "n", Secret: map[string]string{"KEY": "v1"},
		Fields: []client.Field{{Name: "t", Value: "v2", Kind: "text"}, {Name: "u", Value: "https://x", Kind: "url"}, {Name: "h", Value: "v3", Kind: "hidden"}, {Name: "new", Value: "v4", Kind: "from-the-future"}}}
	var got []string
	for _, e := range c.Entries() {
		got = append(got, fmt.Sprintf("%s:%s:%v:%v", e.Name, e.Kind, e.Secret, e.Custom))
	}
	want := "name:text:false:false KEY:secret:true:true t:text:false:true u:url:false:true h:secret:true:true new:secret:true:true"
	if strings.Join(got, " ") != want {
		t.Fatalf("entries %v\nwant %s", got, want)
	}
}
