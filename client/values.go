package client

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Value is one named value of an item, as history, display and
// restore-field see it.
type Value struct {
	Name   string
	Value  string
	Secret bool // masked unless the user asks to see it
}

// Field kinds: how a value is shown (Entry.Kind).
const (
	KindText      = "text"
	KindMultiline = "multiline" // notes, or any text with a line break
	KindURL       = "url"
	KindSecret    = "secret" // masked until revealed
	KindTOTP      = "totp"   // a TOTP seed: secret; its code is what is shown and copied
	KindTags      = "tags"
	KindFlag      = "flag" // favourite: "yes" or absent
	KindFile      = "file" // an attachment's name, size and hash
)

// Entry is one named value of an item with how to show it: its kind, a
// label a person reads, whether it is secret and whether it is a custom
// field (added with the CLI's --text-field, --url-field or --field, or a
// secret's key). Entries are in the order an item is read: name, the
// type's own fields, secret keys, custom fields, notes, then tags,
// favourite and attachments.
type Entry struct {
	Name   string // stable: what --field, restoreField and the history use
	Label  string
	Value  string
	Kind   string
	Secret bool
	Custom bool
}

// Entries is the one place that names an item's fields and decides which
// are secret: passwords, TOTP seeds, API secrets, card numbers and CVVs,
// an identity's social security, passport and licence numbers, an SSH
// private key, and custom fields unless they are of kind text or url.
// Empty values are left out.
func (c *Content) Entries() []Entry {
	var out []Entry
	put := func(name, label, v, kind string, custom bool) {
		if v == "" {
			return
		}
		if kind == KindText && strings.Contains(v, "\n") {
			kind = KindMultiline
		}
		secret := kind == KindSecret || kind == KindTOTP
		out = append(out, Entry{name, label, v, kind, secret, custom})
	}
	put("name", "Name", c.Name, KindText, false)
	if l := c.Login; l != nil {
		put("username", "Username", l.Username, KindText, false)
		put("password", "Password", l.Password, KindSecret, false)
		put("totp", "One-time code", l.TOTP, KindTOTP, false)
		for i, u := range l.URLs {
			put(urlName(i), urlLabel(i), u, KindURL, false)
		}
	}
	if cd := c.Card; cd != nil {
		put("holder", "Card holder", cd.Holder, KindText, false)
		put("number", "Card number", cd.Number, KindSecret, false)
		put("expiry", "Expiry", cd.Expiry, KindText, false)
		put("cvv", "CVV", cd.CVV, KindSecret, false)
	}
	// An identity's and an SSH key's fields are as their type lists
	// them (itemtypes.go): a private key is secret and multi-line both.
	typed := func(fields []TypeField, value func(string) *string) {
		for _, f := range fields {
			if v := *value(f.Name); v != "" {
				kind := f.Kind
				if kind == KindText && strings.Contains(v, "\n") {
					kind = KindMultiline
				}
				out = append(out, Entry{f.Name, f.Label, v, kind, f.Secret, false})
			}
		}
	}
	if id := c.Identity; id != nil {
		typed(identityFields, id.IdentityField)
	}
	if k := c.SSHKey; k != nil {
		typed(sshKeyFields, k.SSHKeyField)
	}
	for _, k := range c.SecretKeys() {
		put(k, k, c.Secret[k], KindSecret, true)
	}
	for _, f := range c.Fields {
		put(f.Name, f.Name, f.Value, customKind(f.Kind), true)
	}
	put("notes", "Notes", c.Notes, KindMultiline, false)
	if len(c.Tags) > 0 {
		put("tags", "Tags", strings.Join(c.Tags, ", "), KindTags, false)
	}
	if c.Favorite {
		put("favorite", "Favourite", "yes", KindFlag, false)
	}
	for _, f := range c.Files {
		put("file "+f.Name, "Attachment "+f.Name, fmt.Sprintf("%d bytes, sha256 %x", f.Size, f.SHA256[:min(8, len(f.SHA256))]), KindFile, false)
	}
	return out
}

// customKind is how a custom field of kind k shows: "text" and "url" as
// such, anything else ("hidden", none, a kind from a newer client) secret.
func customKind(k string) string {
	switch k {
	case "text":
		return KindText
	case "url":
		return KindURL
	}
	return KindSecret
}

// Values flattens an item's content into named values (Entries), sorted
// by name.
func (c *Content) Values() []Value {
	var out []Value
	for _, e := range c.Entries() {
		out = append(out, Value{e.Name, e.Value, e.Secret})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func urlLabel(i int) string {
	if i == 0 {
		return "URL"
	}
	return "URL " + strconv.Itoa(i+1)
}

func urlName(i int) string {
	if i == 0 {
		return "url"
	}
	return "url" + strconv.Itoa(i+1)
}

// FieldValue returns the value of a named field ("password", "url", a
// secret's key, a custom field, …). "note" and "uri" are accepted as
// aliases.
func (c *Content) FieldValue(name string) (string, bool) {
	name = canonicalField(name)
	for _, v := range c.Values() {
		if v.Name == name {
			return v.Value, true
		}
	}
	return "", false
}

func canonicalField(name string) string {
	switch name {
	case "note":
		return "notes"
	case "uri":
		return "url"
	}
	return name
}

// SetFieldValue sets (or, with present false, removes) a named field, the
// inverse of FieldValue: restoring a field from an old revision uses it.
func (c *Content) SetFieldValue(name, value string, present bool) error {
	name = canonicalField(name)
	if !present {
		value = ""
	}
	login := func() *LoginFields {
		if c.Login == nil {
			c.Login = &LoginFields{}
		}
		return c.Login
	}
	card := func() *Card {
		if c.Card == nil {
			c.Card = &Card{}
		}
		return c.Card
	}
	// An identity's or an SSH key's field, when the item is one (a
	// login's custom field "email" stays the login's).
	if c.Identity != nil {
		if p := c.Identity.IdentityField(name); p != nil {
			*p = value
			return nil
		}
	}
	if c.SSHKey != nil {
		if p := c.SSHKey.SSHKeyField(name); p != nil {
			*p = value
			return nil
		}
	}
	switch {
	case name == "name":
		if value == "" {
			return fmt.Errorf("an item needs a name")
		}
		c.Name = value
	case name == "notes":
		c.Notes = value
	case name == "username":
		login().Username = value
	case name == "password":
		login().Password = value
	case name == "totp":
		login().TOTP = value
	case strings.HasPrefix(name, "url") && urlIndex(name) >= 0:
		i, l := urlIndex(name), login()
		for len(l.URLs) <= i {
			l.URLs = append(l.URLs, "")
		}
		l.URLs[i] = value
		kept := l.URLs[:0]
		for _, u := range l.URLs {
			if u != "" {
				kept = append(kept, u)
			}
		}
		l.URLs = kept
	case name == "holder":
		card().Holder = value
	case name == "number":
		card().Number = value
	case name == "expiry":
		card().Expiry = value
	case name == "cvv":
		card().CVV = value
	case name == "tags":
		c.Tags = nil
		for _, t := range strings.Split(value, ",") {
			if t = strings.TrimSpace(t); t != "" {
				c.Tags = append(c.Tags, t)
			}
		}
	case name == "favorite":
		c.Favorite = value != ""
	default:
		if _, ok := c.Secret[name]; ok || (c.Secret != nil && present && !hasCustomField(c, name)) {
			if present {
				c.Secret[name] = value
			} else {
				delete(c.Secret, name)
			}
			return nil
		}
		for i, f := range c.Fields {
			if f.Name == name {
				if present {
					c.Fields[i].Value = value
				} else {
					c.Fields = append(c.Fields[:i], c.Fields[i+1:]...)
				}
				return nil
			}
		}
		if present {
			c.Fields = append(c.Fields, Field{Name: name, Value: value, Kind: "hidden"})
		}
	}
	return nil
}

func hasCustomField(c *Content, name string) bool {
	for _, f := range c.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// urlIndex parses "url", "url2", "url3"… into 0, 1, 2…; -1 otherwise.
func urlIndex(name string) int {
	if name == "url" {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimPrefix(name, "url"))
	if err != nil || n < 2 {
		return -1
	}
	return n - 1
}
