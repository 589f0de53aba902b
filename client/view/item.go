package view

import (
	"fmt"
	"time"

	"github.com/coffer-pm/coffer/client"
)

// Masked is what a secret value reads as when it is not revealed.
const Masked = "********"

// Field is one value of an item, in the order an item is read.
type Field struct {
	_ [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	// Name is the field's stable name: what `item get --field`,
	// restoreField and the history use ("password", "url2", a secret's
	// key, a custom field's name).
	Name  string `json:"name"`
	Label string `json:"label"` // what a person reads: "Card number", "URL 2"
	Value string `json:"value"` // Masked when Masked is set
	// Kind is how to show it: text, multiline, url, secret, totp (a TOTP
	// seed; show totp(id)'s code instead), tags, flag, file.
	Kind   string `json:"kind"`
	Secret bool   `json:"secret"`   // masked until revealed
	Copy   bool   `json:"copyable"` // offer a Copy button
	Custom bool   `json:"custom,omitempty"`
	Masked bool   `json:"masked,omitempty"` // Value is Masked, not the value
}

// File is an attachment (never its key).
type File struct {
	_      [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Size   int64     `json:"size"`
	SHA256 string    `json:"sha256"`
}

// VaultRef names a vault.
type VaultRef struct {
	_     [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID    string    `json:"id"`
	Label string    `json:"label"` // My Vault, or ORG/NAME
}

// ShareGroup is a private group an item can be shared with.
type ShareGroup struct {
	_       [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	OrgID   string    `json:"org_id"`
	Org     string    `json:"org"`
	VaultID string    `json:"vault_id"`
	// CanSetPermission: this account manages the group's vault, so a
	// share may set the group's permission on it (view, edit, manage).
	CanSetPermission bool `json:"can_set_permission"`
}

// Item is one item as a client shows it. Fields and URLs, tags and
// favourite are also given on their own for scripts (`fields` is the
// CLI's --json map since 0.1: name → value).
type Item struct {
	ID        string            `json:"id"`
	Type      string            `json:"type"`
	TypeLabel string            `json:"type_label"`
	Name      string            `json:"name"`
	VaultID   string            `json:"vault_id"`
	Vault     string            `json:"vault,omitempty"` // My Vault or ORG/NAME, as commands take it
	OrgID     string            `json:"org_id,omitempty"`
	Org       string            `json:"org,omitempty"`
	Revision  uint64            `json:"revision"`
	Trashed   bool              `json:"trashed"`
	Updated   time.Time         `json:"updated"` // the author's signed clock
	Username  string            `json:"username,omitempty"`
	URLs      []string          `json:"urls,omitempty"`
	Tags      []string          `json:"tags,omitempty"`
	Favorite  bool              `json:"favorite,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
	// Values are every field of the item, built-in and custom, in
	// reading order (not the name, tags, favourite or attachments: they
	// are members of their own).
	Values []Field `json:"values"`
	Files  []File  `json:"attachments,omitempty"`
	TOTP   bool    `json:"totp,omitempty"` // it has a TOTP seed: show totp(id)'s code
	// Permission is this account's on the item's vault: owner (My
	// Vault), manage, edit or view.
	Permission  string       `json:"permission"`
	CanEdit     bool         `json:"can_edit"`
	CanTrash    bool         `json:"can_trash"`
	CanRestore  bool         `json:"can_restore"` // and purge: a trashed item in a writable vault
	CanMove     bool         `json:"can_move"`
	MoveTargets []VaultRef   `json:"move_targets"`
	CanShare    bool         `json:"can_share"`
	ShareGroups []ShareGroup `json:"share_groups"`
	// Access is who opens the item and how (ItemOptions.Access; only
	// where this account may see its vault's grants).
	Access []Opener `json:"access,omitempty"`
}

// ItemOptions choose what ItemOf gives.
type ItemOptions struct {
	// Reveal gives secret values; else they are Masked (the CLI without
	// --reveal). The web page reveals: it masks by Field.Secret itself
	// and copies values.
	Reveal bool
}

// metaKinds are the entries that are members of Item of their own.
var metaKinds = map[string]bool{client.KindTags: true, client.KindFlag: true, client.KindFile: true}

// Fields are an item content's fields as Item.Values gives them.
func Fields(c *client.Content, reveal bool) []Field {
	out := []Field{}
	for _, e := range c.Entries() {
		if e.Name == "name" || metaKinds[e.Kind] {
			continue
		}
		out = append(out, fieldOf(e, reveal))
	}
	return out
}

func fieldOf(e client.Entry, reveal bool) Field {
	f := Field{Name: e.Name, Label: e.Label, Value: e.Value, Kind: e.Kind, Secret: e.Secret, Custom: e.Custom,
		// A TOTP seed is not what anyone pastes: its code is.
		Copy: e.Kind != client.KindTOTP && !metaKinds[e.Kind]}
	if e.Secret && !reveal {
		f.Value, f.Masked = Masked, true
	}
	return f
}

// ItemOf is it as s shows it.
func ItemOf(s *client.Session, it *client.Item, o ItemOptions) Item {
	c := &it.Content
	out := Item{ID: it.ID, Type: it.Type, TypeLabel: TypeLabel(it.Type), Name: c.Name, VaultID: it.VaultID,
		Revision: it.Revision, Trashed: it.Trashed, Updated: it.Time, Tags: c.Tags, Favorite: c.Favorite,
		Values: Fields(c, o.Reveal), Fields: map[string]string{}, MoveTargets: []VaultRef{}, ShareGroups: []ShareGroup{}}
	for _, f := range out.Values {
		out.Fields[f.Name] = f.Value
	}
	if l := c.Login; l != nil {
		out.Username, out.URLs, out.TOTP = l.Username, l.URLs, l.TOTP != ""
	}
	for _, f := range c.Files {
		out.Files = append(out.Files, File{ID: f.ID, Name: f.Name, Size: f.Size, SHA256: fmt.Sprintf("%x", f.SHA256)})
	}
	v, err := s.FindVault(it.VaultID)
	if err != nil {
		return out // a vault no longer open: nothing may be done
	}
	out.Vault, out.OrgID, out.Org, out.Permission = v.Label(), v.OrgID, v.OrgName, permissionOf(v)
	writable := v.Writable()
	out.CanEdit = writable && !it.Trashed
	out.CanTrash = writable && !it.Trashed
	out.CanRestore = writable && it.Trashed
	for _, t := range s.MoveTargets(it) {
		out.MoveTargets = append(out.MoveTargets, VaultRef{ID: t.ID, Label: t.Label()})
	}
	out.CanMove = len(out.MoveTargets) > 0
	out.ShareGroups = shareGroups(s, it, v)
	out.CanShare = len(out.ShareGroups) > 0
	return out
}

// permissionOf is the account's permission on v, "owner" for My Vault.
func permissionOf(v *client.Vault) string {
	if v.Kind != "org" {
		return "owner"
	}
	return v.Permission
}

// shareGroups are the private groups with a vault of their own that the
// item may move into (client.CheckMove): the MySafe flow.
func shareGroups(s *client.Session, it *client.Item, from *client.Vault) []ShareGroup {
	out := []ShareGroup{}
	for _, o := range s.Orgs() {
		for _, g := range s.Groups(o.ID) {
			if !g.Private || g.VaultID == "" {
				continue
			}
			to, err := s.FindVault(g.VaultID)
			if err != nil {
				continue
			}
			// Already in the group's vault: a share only sets the
			// permission, which needs the vault's management.
			if to.ID == from.ID && (it.Trashed || !to.Manageable()) {
				continue
			}
			if to.ID != from.ID && client.CheckMove(it, from, to) != nil {
				continue
			}
			out = append(out, ShareGroup{ID: g.ID, Name: g.Name, OrgID: o.ID, Org: o.Name, VaultID: g.VaultID, CanSetPermission: to.Manageable()})
		}
	}
	return out
}

// Summary is a listed item: never a password, a note, a card or a
// secret field.
type Summary struct {
	ID       string    `json:"id"`
	Type     string    `json:"type"`
	Name     string    `json:"name"`
	VaultID  string    `json:"vault_id"`
	Vault    string    `json:"vault"` // My Vault or ORG/NAME
	Revision uint64    `json:"revision"`
	Trashed  bool      `json:"trashed"`
	Updated  time.Time `json:"updated"`
	Username string    `json:"username,omitempty"`
	URLs     []string  `json:"urls,omitempty"`
	Tags     []string  `json:"tags,omitempty"`
	Favorite bool      `json:"favorite,omitempty"`
}

// Summaries are the items of s.Search(trashed, vaultID, query).
func Summaries(s *client.Session, trashed bool, vaultID, query string) []Summary {
	labels := map[string]string{}
	for _, v := range s.Vaults() {
		labels[v.ID] = v.Label()
	}
	list := s.Search(trashed, vaultID, query)
	out := make([]Summary, 0, len(list))
	for _, it := range list {
		out = append(out, Summary{ID: it.ID, Type: it.Type, Name: it.Name, VaultID: it.VaultID, Vault: labels[it.VaultID],
			Revision: it.Revision, Trashed: it.Trashed, Updated: it.Time, Username: it.Username, URLs: it.URLs, Tags: it.Tags, Favorite: it.Favorite})
	}
	return out
}
