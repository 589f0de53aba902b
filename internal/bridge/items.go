package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
)

func (c *Core) list(query, vaultID string, trashed bool) ([]view.Summary, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	return view.Summaries(s, trashed, vaultID, query), nil
}

// ItemWithContent is what get answers: the item's view (its fields,
// kinds and labels, what this account may do with it) and its content
// (for the editor) with attachments' keys left out — files are opened by
// download, inside the core.
type ItemWithContent struct {
	view.Item
	Content client.Content `json:"content"`
}

// get(id, "access"?): the item, live or trashed; with "access", who opens
// it too (a request to the server: only when asked).
func (c *Core) get(id, with string) (ItemWithContent, error) {
	s, it, err := c.item(id)
	if err != nil {
		return ItemWithContent{}, err
	}
	// The page reveals and copies values itself (it masks by secret).
	out := ItemWithContent{Item: view.ItemOf(s, it, view.ItemOptions{Reveal: true}), Content: it.Content.Clone()}
	for i := range out.Content.Files {
		out.Content.Files[i].Key = nil
	}
	if with == "access" {
		if out.Access, err = view.ItemAccess(context.Background(), s, it); err != nil {
			return ItemWithContent{}, err
		}
	}
	return out, nil
}

// Created names a new item, group or vault.
type Created struct {
	_       [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID      string    `json:"id"`
	VaultID string    `json:"vault_id,omitempty"`
	Label   string    `json:"label,omitempty"`
}

func content(raw string) (client.Content, error) {
	var out client.Content
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return out, errors.New("the item's content is not valid JSON")
	}
	return out, nil
}

// create(type, content, vault): a new item in the vault named (the client
// core and the server check that this account may write to it), else in
// My Vault.
func (c *Core) create(typ, raw, vaultID string) (Created, error) {
	s, err := c.Session()
	if err != nil {
		return Created{}, err
	}
	content, err := content(raw)
	if err != nil {
		return Created{}, err
	}
	content.Files = nil // files come through attach
	vaultID, err = targetVault(s, vaultID)
	if err != nil {
		return Created{}, err
	}
	it, err := s.CreateItem(context.Background(), vaultID, typ, content)
	if err != nil {
		return Created{}, err
	}
	return Created{ID: it.ID}, nil
}

// Saved is a new revision of an item.
type Saved struct {
	_        [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID       string    `json:"id,omitempty"`
	Revision uint64    `json:"revision"`
}

// update(id, content, base): a new revision over base, the revision the
// editor started from; a newer head is a conflict, never a silent
// overwrite of someone else's change (client.UpdateItemAt).
func (c *Core) update(id, raw string, base uint64) (Saved, error) {
	s, err := c.Session()
	if err != nil {
		return Saved{}, err
	}
	it, err := s.FindItem(id, false)
	if err != nil {
		return Saved{}, err
	}
	content, err := content(raw)
	if err != nil {
		return Saved{}, err
	}
	// Attachments are the item's own (the page never holds their keys);
	// they change through attach only.
	content.Files = it.Content.Files
	up, err := s.UpdateItemAt(context.Background(), it, content, base)
	if err != nil {
		return Saved{}, err
	}
	return Saved{ID: up.ID, Revision: up.Revision}, nil
}

// item finds an item of the unlocked session, live or in the trash.
func (c *Core) item(id string) (*client.Session, *client.Item, error) {
	s, err := c.Session()
	if err != nil {
		return nil, nil, err
	}
	it, err := s.FindItem(id, false)
	if errors.Is(err, client.ErrNotFound) {
		it, err = s.FindItem(id, true)
	}
	return s, it, err
}

// onItem runs an action on item id.
func (c *Core) onItem(id string, do func(context.Context, *client.Session, *client.Item) error) (OK, error) {
	s, it, err := c.item(id)
	if err == nil {
		err = do(context.Background(), s, it)
	}
	return ok(err)
}

func (c *Core) trash(id string) (OK, error) {
	return c.onItem(id, func(ctx context.Context, s *client.Session, it *client.Item) error {
		_, err := s.TrashItem(ctx, it)
		return err
	})
}

func (c *Core) restore(id string) (OK, error) {
	return c.onItem(id, func(ctx context.Context, s *client.Session, it *client.Item) error {
		_, err := s.RestoreItem(ctx, it)
		return err
	})
}

func (c *Core) purge(id string) (OK, error) {
	return c.onItem(id, func(ctx context.Context, s *client.Session, it *client.Item) error { return s.PurgeItem(ctx, it) })
}

// history(id): every revision with its label and changes (view.History);
// values are given, the page masks them by secret.
func (c *Core) history(id string) ([]view.Version, error) {
	s, it, err := c.item(id)
	if err != nil {
		return nil, err
	}
	versions, err := s.History(context.Background(), it)
	if err != nil {
		return nil, err
	}
	return view.History(s, it, versions, true), nil
}

func (c *Core) rollback(id string, rev uint64) (Saved, error) {
	s, it, err := c.item(id)
	if err != nil {
		return Saved{}, err
	}
	up, err := s.Rollback(context.Background(), it, rev)
	if err != nil {
		return Saved{}, err
	}
	return Saved{Revision: up.Revision}, nil
}

func (c *Core) restoreField(id, field string, rev uint64) (Saved, error) {
	s, it, err := c.item(id)
	if err != nil {
		return Saved{}, err
	}
	up, err := s.RestoreField(context.Background(), it, field, rev)
	if err != nil {
		return Saved{}, err
	}
	return Saved{Revision: up.Revision}, nil
}

// TOTPCode is a login's current one-time code.
type TOTPCode struct {
	_           [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Code        string    `json:"code"`
	SecondsLeft int       `json:"seconds_left"`
}

func (c *Core) totp(id string) (TOTPCode, error) {
	_, it, err := c.item(id)
	if err != nil {
		return TOTPCode{}, err
	}
	if it.Content.Login == nil || it.Content.Login.TOTP == "" {
		return TOTPCode{}, errors.New("this item has no TOTP secret")
	}
	code, left, err := client.TOTPCode(it.Content.Login.TOTP, time.Now())
	if err != nil {
		return TOTPCode{}, err
	}
	return TOTPCode{Code: code, SecondsLeft: int(left.Seconds())}, nil
}

func (c *Core) vaults() ([]view.Vault, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	return view.Vaults(s), nil
}

// quarantined lists what failed verification at the last sync, each said
// in words (what, and who signed it), so the page can name it in red while
// showing everything else (protocol §7.6).
func (c *Core) quarantined() ([]string, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, q := range s.Quarantined() {
		out = append(out, q.Describe())
	}
	return out, nil
}

// targetVault is the vault a new item goes to: the one the page names,
// else My Vault.
func targetVault(s *client.Session, id string) (string, error) {
	if id != "" {
		return id, nil
	}
	v, err := s.PersonalVault()
	if err != nil {
		return "", err
	}
	return v.ID, nil
}
