package view

import "github.com/coffer-pm/coffer/client"

// ItemType is an item type as a client offers it: the web app's type
// picker, list filters and editor, and `coffer item types --json`, all
// from client.ItemTypes — no page or command keeps a list of its own.
type ItemType struct {
	_      [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Name   string    `json:"name"`   // what create and `item add --type` take
	Label  string    `json:"label"`  // "SSH key"
	Plural string    `json:"plural"` // "SSH keys": a list filter's words
	Icon   string    `json:"icon"`   // a Lucide icon's name
	// Member is the content member that holds Fields ("login", "card",
	// "identity", "ssh_key", "secret"); "" for none.
	Member string      `json:"member,omitempty"`
	Fields []TypeField `json:"fields"`
	// FreeKeys: the member is a map of keys the person names (an API
	// secret's), each value secret.
	FreeKeys bool `json:"free_keys,omitempty"`
	// File: made with its file (the attachment), not from fields.
	File bool `json:"file,omitempty"`
}

// TypeField is one of a type's own fields, as an editor enters it.
type TypeField struct {
	_     [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Name  string    `json:"name"` // the member's key
	Label string    `json:"label"`
	// Kind: text, secret (one line, masked), multiline (masked too when
	// Secret), url, totp.
	Kind      string `json:"kind"`
	Secret    bool   `json:"secret"`
	Multiline bool   `json:"multiline"`
	// ReadOnly: the client core computes it when the item is saved (an
	// SSH key's fingerprint); an editor shows it and sends nothing.
	ReadOnly bool   `json:"read_only,omitempty"`
	Repeated bool   `json:"repeated,omitempty"` // a list of values (a login's URLs)
	Generate bool   `json:"generate,omitempty"` // offer the password generator
	Hint     string `json:"hint,omitempty"`     // what a value looks like
	Max      int    `json:"max,omitempty"`      // at most this many characters
}

// ItemTypes are the item types, in the order a person is offered them.
func ItemTypes() []ItemType {
	out := []ItemType{}
	for _, t := range client.ItemTypes() {
		v := ItemType{Name: t.Name, Label: t.Label, Plural: t.Plural, Icon: t.Icon, Member: t.Member, Fields: []TypeField{}, FreeKeys: t.FreeKeys, File: t.File}
		for _, f := range t.Fields {
			v.Fields = append(v.Fields, TypeField{Name: f.Name, Label: f.Label, Kind: f.Kind, Secret: f.Secret, Multiline: f.Kind == client.KindMultiline,
				ReadOnly: f.ReadOnly, Repeated: f.Repeated, Generate: f.Generate, Hint: f.Hint, Max: f.Max})
		}
		out = append(out, v)
	}
	return out
}

// TypeLabel is a type's label ("SSH key"); a type this client does not
// know (from a newer one) is named as it is.
func TypeLabel(typ string) string {
	if t, ok := client.LookupItemType(typ); ok {
		return t.Label
	}
	return typ
}

// SSHKeyCheck is what the client makes of an SSH key being typed or
// pasted, before it is saved: the public key (given, or read from the
// private key), its fingerprint and comment, or what is wrong.
type SSHKeyCheck struct {
	_           [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	OK          bool      `json:"ok"`
	Problem     string    `json:"problem,omitempty"`
	PublicKey   string    `json:"public_key,omitempty"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	Comment     string    `json:"comment,omitempty"`
	Type        string    `json:"type,omitempty"`
	Encrypted   bool      `json:"encrypted,omitempty"` // under a passphrase
}

// CheckSSHKey applies client.ParseSSHKey, the rule a save applies.
func CheckSSHKey(private, public string) SSHKeyCheck {
	info, err := client.ParseSSHKey(private, public)
	if err != nil {
		return SSHKeyCheck{Problem: err.Error()}
	}
	return SSHKeyCheck{OK: true, PublicKey: info.PublicKey, Fingerprint: info.Fingerprint, Comment: info.Comment, Type: info.Type, Encrypted: info.Encrypted}
}
