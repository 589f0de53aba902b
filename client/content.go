package client

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strings"
)

// Content is an item's plaintext (docs/protocol.md §7.4). Unknown members
// from newer clients are kept and written back unchanged.
type Content struct {
	Name     string            `json:"name"`
	Notes    string            `json:"notes,omitempty"`
	Login    *LoginFields      `json:"login,omitempty"`
	Secret   map[string]string `json:"secret,omitempty"`
	Card     *Card             `json:"card,omitempty"`
	Identity *Identity         `json:"identity,omitempty"`
	SSHKey   *SSHKey           `json:"ssh_key,omitempty"`
	Fields   []Field           `json:"fields,omitempty"`
	Tags     []string          `json:"tags,omitempty"`
	Favorite bool              `json:"favorite,omitempty"`
	Files    []Attachment      `json:"files,omitempty"`
	// Change says what the revision did when it was not a plain edit (a
	// rollback, a restored field, a move). It belongs to one revision: a
	// write never carries it forward. Inside the sealed, signed content,
	// so the history's labels are the author's word, not the server's.
	Change *RevisionChange `json:"change,omitempty"`

	extra map[string]json.RawMessage
}

// RevisionChange kinds (docs/protocol.md §7.4).
const (
	ChangeRollback     = "rollback"      // Revision: the revision rolled back to
	ChangeRestoreField = "restore-field" // Field restored from Revision
	ChangeMove         = "move"          // FromVault: the vault it left
)

// RevisionChange describes a revision that was not a plain edit.
type RevisionChange struct {
	_         [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Op        string    `json:"op"`
	Revision  uint64    `json:"revision,omitempty"`
	Field     string    `json:"field,omitempty"`
	FromVault string    `json:"from_vault,omitempty"` // the vault's id
}

// Attachment is an encrypted file attached to an item. Its key, name, size
// and hash are inside the item's signed, encrypted content
// (docs/protocol.md §15).
type Attachment struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 []byte `json:"sha256"`
	Key    []byte `json:"key"`
}

// LoginFields holds a login item's credentials.
type LoginFields struct {
	Username string   `json:"username,omitempty"`
	Password string   `json:"password,omitempty"`
	URLs     []string `json:"urls,omitempty"`
	TOTP     string   `json:"totp,omitempty"`
}

// Card holds a payment card.
type Card struct {
	_      [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Holder string    `json:"holder,omitempty"`
	Number string    `json:"number,omitempty"`
	Expiry string    `json:"expiry,omitempty"`
	CVV    string    `json:"cvv,omitempty"`
}

// Identity holds a person's details: an identity item's own fields
// (docs/protocol.md §7.4; their names, labels and which are secret are in
// identityFields).
type Identity struct {
	_              [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Title          string    `json:"title,omitempty"`
	FirstName      string    `json:"first_name,omitempty"`
	MiddleName     string    `json:"middle_name,omitempty"`
	LastName       string    `json:"last_name,omitempty"`
	Company        string    `json:"company,omitempty"`
	Email          string    `json:"email,omitempty"`
	Phone          string    `json:"phone,omitempty"`
	Address1       string    `json:"address1,omitempty"`
	Address2       string    `json:"address2,omitempty"`
	Address3       string    `json:"address3,omitempty"`
	City           string    `json:"city,omitempty"`
	State          string    `json:"state,omitempty"`
	PostalCode     string    `json:"postal_code,omitempty"`
	Country        string    `json:"country,omitempty"`
	SSN            string    `json:"ssn,omitempty"`
	PassportNumber string    `json:"passport_number,omitempty"`
	LicenseNumber  string    `json:"license_number,omitempty"`
	Username       string    `json:"username,omitempty"`
}

// SSHKey holds an SSH key pair. Fingerprint is the client's: computed
// from the public key (given, or read from an OpenSSH private key) when
// the item is written, never taken on trust (sshkey.go).
type SSHKey struct {
	_           [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	PrivateKey  string    `json:"private_key,omitempty"`
	PublicKey   string    `json:"public_key,omitempty"`
	Fingerprint string    `json:"fingerprint,omitempty"`
}

// Field is a custom field. Kind is "text", "hidden" or "url".
type Field struct {
	_     [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Name  string    `json:"name"`
	Value string    `json:"value"`
	Kind  string    `json:"kind,omitempty"`
}

type contentAlias Content

var knownMembers = map[string]bool{"name": true, "notes": true, "login": true, "secret": true, "card": true, "identity": true, "ssh_key": true, "fields": true, "tags": true, "favorite": true, "files": true, "change": true}

// isKnownMember matches as encoding/json matches members to fields:
// without regard to case. A member "CHANGE" is decoded into Change, so it
// is never carried along as an unknown one (it would come back, in an
// honest editor's signed revision, as a label it never wrote).
func isKnownMember(k string) bool { return knownMembers[strings.ToLower(k)] }

func (c Content) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(contentAlias(c))
	if err != nil || len(c.extra) == 0 {
		return b, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range c.extra {
		if !isKnownMember(k) {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

func (c *Content) UnmarshalJSON(b []byte) error {
	// Nearly always every member is known: one strict pass decodes it
	// (a sync of 10,000 items decodes 10,000 of these; in the browser the
	// second pass below was a tenth of a cold log-in).
	strict := json.NewDecoder(bytes.NewReader(b))
	strict.DisallowUnknownFields()
	var a contentAlias
	if strict.Decode(&a) == nil {
		if _, err := strict.Token(); err == io.EOF {
			*c = Content(a)
			return nil
		}
	}
	a = contentAlias{}
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for k := range m {
		if isKnownMember(k) {
			delete(m, k)
		}
	}
	*c = Content(a)
	if len(m) > 0 {
		c.extra = m
	}
	return nil
}

// SecretKeys returns the secret's keys in a stable order.
func (c *Content) SecretKeys() []string {
	keys := make([]string, 0, len(c.Secret))
	for k := range c.Secret {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Clone returns a deep copy, so edits never alias the synced content.
func (c Content) Clone() Content {
	data, err := json.Marshal(c)
	if err != nil {
		return c
	}
	var out Content
	if json.Unmarshal(data, &out) != nil {
		return c
	}
	return out
}

// observePlaintext is nil in production. Tests set it (export_test.go) to
// collect every decrypted value and check that none ever travels to the
// server.
var observePlaintext func(Content)
