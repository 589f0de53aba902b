package client

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ItemType describes an item type: its name as the protocol binds it
// (§7.2), what a person reads, the content member that holds its own
// fields and those fields. It is the one list of types: the CLI, the web
// app (through client/view and the bridge) and the exchange formats read
// it, so that a type is added here and nowhere else is a copy to forget.
type ItemType struct {
	Name   string // login, note, secret, card, identity, ssh-key, file
	Label  string // "Login", "SSH key"
	Plural string // "Logins": what a filter of the list says
	// Icon names the type's icon (a Lucide icon's name: key-round).
	Icon string
	// Member is the content member holding the type's fields (login,
	// card, identity, ssh_key, secret); "" for none (a note, a file).
	Member string
	Fields []TypeField
	// FreeKeys: the member is a map of keys the person names (a
	// secret's), not Fields.
	FreeKeys bool
	// File: an item of this type is made with its file (an attachment),
	// one at a time, never by the batch create.
	File bool
	// Copy is the field `coffer item copy` takes when none is named.
	Copy string
}

// TypeField is one of a type's own fields.
type TypeField struct {
	Name  string // the member's key and the field's stable name (Entry.Name)
	Label string
	// Kind is how it is shown and entered: KindText, KindSecret,
	// KindMultiline, KindURL, KindTOTP.
	Kind   string
	Secret bool // masked until revealed
	// ReadOnly: the client computes it (an SSH key's fingerprint); what
	// a person or a file gives is replaced.
	ReadOnly bool
	Repeated bool   // a list (a login's URLs)
	Generate bool   // a password the generator may fill
	Hint     string // what the value looks like ("MM/YY")
	Max      int    // at most this many characters; 0: no bound of its own
}

// Limits of the identity and SSH key fields (Rules).
const (
	// MaxIdentityField is the longest value of an identity's field, in
	// characters: an address line, not a document.
	MaxIdentityField = 500
	// MaxSSHKey is the longest SSH key (private or public), in bytes: an
	// RSA key of 16,384 bits is under 13 KB in OpenSSH's format.
	MaxSSHKey = 16 << 10
)

// identityFields are an identity's fields in the order a person reads
// them; secret ones are masked until revealed.
var identityFields = []TypeField{
	{Name: "title", Label: "Title", Hint: "Mr, Ms, Dr"},
	{Name: "first_name", Label: "First name"},
	{Name: "middle_name", Label: "Middle name"},
	{Name: "last_name", Label: "Last name"},
	{Name: "company", Label: "Company"},
	{Name: "email", Label: "E-mail"},
	{Name: "phone", Label: "Phone"},
	{Name: "address1", Label: "Address"},
	{Name: "address2", Label: "Address line 2"},
	{Name: "address3", Label: "Address line 3"},
	{Name: "city", Label: "City"},
	{Name: "state", Label: "State or province"},
	{Name: "postal_code", Label: "Postal code"},
	{Name: "country", Label: "Country"},
	{Name: "ssn", Label: "Social security number", Kind: KindSecret, Secret: true},
	{Name: "passport_number", Label: "Passport number", Kind: KindSecret, Secret: true},
	{Name: "license_number", Label: "Licence number", Kind: KindSecret, Secret: true},
	{Name: "username", Label: "Username"},
}

var sshKeyFields = []TypeField{
	{Name: "private_key", Label: "Private key", Kind: KindMultiline, Secret: true, Max: MaxSSHKey, Hint: "-----BEGIN OPENSSH PRIVATE KEY-----"},
	{Name: "public_key", Label: "Public key", Kind: KindText, Max: MaxSSHKey, Hint: "ssh-ed25519 AAAA… comment"},
	{Name: "fingerprint", Label: "Fingerprint", Kind: KindText, ReadOnly: true},
}

var itemTypeList = []ItemType{
	{Name: "login", Label: "Login", Plural: "Logins", Icon: "key-round", Member: "login", Copy: "password", Fields: []TypeField{
		{Name: "username", Label: "Username", Kind: KindText},
		{Name: "password", Label: "Password", Kind: KindSecret, Secret: true, Generate: true},
		{Name: "urls", Label: "URL", Kind: KindURL, Repeated: true},
		{Name: "totp", Label: "One-time code", Kind: KindTOTP, Secret: true, Hint: "otpauth:// URI or base32 secret"},
	}},
	{Name: "note", Label: "Secure note", Plural: "Notes", Icon: "sticky-note", Copy: "notes"},
	{Name: "secret", Label: "API secret", Plural: "API secrets", Icon: "terminal", Member: "secret", FreeKeys: true, Copy: "password"},
	{Name: "card", Label: "Card", Plural: "Cards", Icon: "credit-card", Member: "card", Copy: "number", Fields: []TypeField{
		{Name: "holder", Label: "Card holder", Kind: KindText},
		{Name: "number", Label: "Card number", Kind: KindSecret, Secret: true},
		{Name: "expiry", Label: "Expiry", Kind: KindText, Hint: "MM/YY"},
		{Name: "cvv", Label: "CVV", Kind: KindSecret, Secret: true},
	}},
	{Name: "identity", Label: "Identity", Plural: "Identities", Icon: "id-card", Member: "identity", Copy: "email", Fields: withMax(identityFields, MaxIdentityField)},
	// The public key is what is pasted (into a server, a forge): the
	// private one goes to a file.
	{Name: "ssh-key", Label: "SSH key", Plural: "SSH keys", Icon: "key-square", Member: "ssh_key", Copy: "public_key", Fields: sshKeyFields},
	{Name: "file", Label: "File", Plural: "Files", Icon: "paperclip", File: true, Copy: "password"},
}

// withMax gives each of fields (in place: identityFields itself, which
// Entries reads) the bound n and, when it has none, the kind text.
func withMax(fields []TypeField, n int) []TypeField {
	for i := range fields {
		if fields[i].Kind == "" {
			fields[i].Kind = KindText
		}
		fields[i].Max = n
	}
	return fields
}

// ItemTypes are the item types, in the order a person is offered them.
// The slice is a copy; its fields are shared and must not be changed.
func ItemTypes() []ItemType { return append([]ItemType(nil), itemTypeList...) }

// ItemTypeNames are the types' names, in ItemTypes' order.
func ItemTypeNames() []string {
	out := make([]string, len(itemTypeList))
	for i, t := range itemTypeList {
		out[i] = t.Name
	}
	return out
}

// LookupItemType finds a type by name.
func LookupItemType(name string) (ItemType, bool) {
	for _, t := range itemTypeList {
		if t.Name == name {
			return t, true
		}
	}
	return ItemType{}, false
}

// typeList is "login, note, …, ssh-key or file", for messages.
func typeList(skip string) string {
	var names []string
	for _, n := range ItemTypeNames() {
		if n != skip {
			names = append(names, n)
		}
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func unknownType(typ string) error {
	return fmt.Errorf("unknown item type %q (want %s)", sanitize(typ, 40), typeList(""))
}

// IdentityField is a pointer to the identity's field called name (nil
// for none): the exchange formats and the CLI set fields by name.
func (id *Identity) IdentityField(name string) *string {
	switch name {
	case "title":
		return &id.Title
	case "first_name":
		return &id.FirstName
	case "middle_name":
		return &id.MiddleName
	case "last_name":
		return &id.LastName
	case "company":
		return &id.Company
	case "email":
		return &id.Email
	case "phone":
		return &id.Phone
	case "address1":
		return &id.Address1
	case "address2":
		return &id.Address2
	case "address3":
		return &id.Address3
	case "city":
		return &id.City
	case "state":
		return &id.State
	case "postal_code":
		return &id.PostalCode
	case "country":
		return &id.Country
	case "ssn":
		return &id.SSN
	case "passport_number":
		return &id.PassportNumber
	case "license_number":
		return &id.LicenseNumber
	case "username":
		return &id.Username
	}
	return nil
}

// SSHKeyField is a pointer to the key's field called name (nil for
// none).
func (k *SSHKey) SSHKeyField(name string) *string {
	switch name {
	case "private_key":
		return &k.PrivateKey
	case "public_key":
		return &k.PublicKey
	case "fingerprint":
		return &k.Fingerprint
	}
	return nil
}

// CardField is a pointer to the card's field called name (nil for none).
func (cd *Card) CardField(name string) *string {
	switch name {
	case "holder":
		return &cd.Holder
	case "number":
		return &cd.Number
	case "expiry":
		return &cd.Expiry
	case "cvv":
		return &cd.CVV
	}
	return nil
}

// MemberField is a pointer to field name of the member a card, an
// identity or an SSH key keeps its fields in (Member "card", "identity",
// "ssh_key"): nil for another member or name, or when the content has no
// such member and create is false; with create, a missing member is made.
// The exchange formats read and write those types' fields through it, by
// the type list, so a field added to a type is carried everywhere.
func (c *Content) MemberField(member, name string, create bool) *string {
	switch member {
	case "card":
		if c.Card == nil && create {
			c.Card = &Card{}
		}
		if c.Card != nil {
			return c.Card.CardField(name)
		}
	case "identity":
		if c.Identity == nil && create {
			c.Identity = &Identity{}
		}
		if c.Identity != nil {
			return c.Identity.IdentityField(name)
		}
	case "ssh_key":
		if c.SSHKey == nil && create {
			c.SSHKey = &SSHKey{}
		}
		if c.SSHKey != nil {
			return c.SSHKey.SSHKeyField(name)
		}
	}
	return nil
}

// FieldTypes are the types whose fields are a member of their own of
// fixed names, that MemberField reaches: card, identity, ssh-key (a
// login's URLs are a list, a secret's keys free).
func FieldTypes() []ItemType {
	var out []ItemType
	for _, t := range itemTypeList {
		if t.Member == "card" || t.Member == "identity" || t.Member == "ssh_key" {
			out = append(out, t)
		}
	}
	return out
}

// IdentityFields and SSHKeyFields are those types' fields, in order.
func IdentityFields() []TypeField { return append([]TypeField(nil), identityFields...) }
func SSHKeyFields() []TypeField   { return append([]TypeField(nil), sshKeyFields...) }

// FullName is the identity's first, middle and last names, as one.
func (id *Identity) FullName() string {
	return strings.Join(strings.Fields(id.FirstName+" "+id.MiddleName+" "+id.LastName), " ")
}

// checkIdentity refuses a field longer than MaxIdentityField.
func checkIdentity(id *Identity) error {
	for _, f := range identityFields {
		v := *id.IdentityField(f.Name)
		if n := utf8.RuneCountInString(v); n > MaxIdentityField {
			return fmt.Errorf("the identity's %s is too long (%d characters; at most %d)", strings.ToLower(f.Label), n, MaxIdentityField)
		}
	}
	return nil
}

// checkSSHKey checks the keys, fills in the public key when the private
// key holds it and none is given, and computes the fingerprint: what a
// file or a person gave for it is replaced, or dropped when no public
// key is known (it would vouch for a key nobody can check).
func checkSSHKey(k *SSHKey) error {
	info, err := ParseSSHKey(k.PrivateKey, k.PublicKey)
	if err != nil {
		return err
	}
	k.PublicKey, k.Fingerprint = info.PublicKey, info.Fingerprint
	return nil
}
