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

// Values flattens an item's content into named values, sorted by name. It
// is the one place that names item fields and decides which are secret:
// passwords, TOTP seeds, API secrets, card numbers and CVVs, and custom
// fields unless they are of kind text or url.
func (c *Content) Values() []Value {
	var out []Value
	put := func(name, v string, secret bool) {
		if v != "" {
			out = append(out, Value{name, v, secret})
		}
	}
	put("name", c.Name, false)
	put("notes", c.Notes, false)
	if l := c.Login; l != nil {
		put("username", l.Username, false)
		put("password", l.Password, true)
		put("totp", l.TOTP, true)
		for i, u := range l.URLs {
			put(urlName(i), u, false)
		}
	}
	if cd := c.Card; cd != nil {
		put("holder", cd.Holder, false)
		put("number", cd.Number, true)
		put("expiry", cd.Expiry, false)
		put("cvv", cd.CVV, true)
	}
	for k, v := range c.Secret {
		put(k, v, true)
	}
	for _, f := range c.Fields {
		put(f.Name, f.Value, f.Kind != "text" && f.Kind != "url")
	}
	if len(c.Tags) > 0 {
		put("tags", strings.Join(c.Tags, ", "), false)
	}
	if c.Favorite {
		put("favorite", "yes", false)
	}
	for _, f := range c.Files {
		put("file "+f.Name, fmt.Sprintf("%d bytes, sha256 %x", f.Size, f.SHA256[:min(8, len(f.SHA256))]), false)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
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
