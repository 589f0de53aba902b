package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
)

// Change is one live change, decrypted and described.
type Change struct {
	Seq     int64    `json:"seq"`
	Kind    string   `json:"kind"`
	OrgID   string   `json:"org_id,omitempty"`
	VaultID string   `json:"vault_id,omitempty"`
	ItemID  string   `json:"item_id,omitempty"`
	Vault   string   `json:"vault,omitempty"`
	Item    string   `json:"item,omitempty"`
	Author  string   `json:"author,omitempty"`
	Fields  []string `json:"fields,omitempty"`
	Text    string   `json:"text"`
}

// WatchOptions tune Watch; the zero value is fine.
type WatchOptions struct {
	// OnConnect is called after each (re)connection with the cursor the
	// stream resumes from.
	OnConnect func(cursor int64)
	// MaxBackoff caps the wait between reconnection attempts (default 10 s).
	MaxBackoff time.Duration
}

// Watch streams live changes to fn until ctx ends: it keeps one WebSocket
// to /api/v1/events, fetches the delta after each event and describes it
// from the decrypted items. It reconnects on its own and resumes from the
// last event it received, so nothing is missed; if the server says the
// client fell too far behind, it resyncs.
func (s *Session) Watch(ctx context.Context, opt WatchOptions, fn func(Change)) error {
	if opt.MaxBackoff == 0 {
		opt.MaxBackoff = 10 * time.Second
	}
	if err := s.refresh(ctx); err != nil {
		return err
	}
	s.flushQuarantineNotices(fn)
	// The last state of each item that was reported: changes are described
	// against it, not against whatever a sync fetched in between.
	s.mu.Lock()
	s.materializeLocked() // changes are told against every item
	s.reported = map[string]Item{}
	for id, it := range s.items {
		s.reported[id] = *it
	}
	s.mu.Unlock()
	cursor := int64(-1) // from now on
	backoff := 200 * time.Millisecond
	for ctx.Err() == nil {
		next, err := s.watchOnce(ctx, cursor, opt, fn)
		if next > cursor {
			cursor = next
			backoff = 200 * time.Millisecond
		}
		if ctx.Err() != nil {
			break
		}
		var ce *closeError
		if errors.As(err, &ce) && ce.code == closePolicyViolation {
			return fmt.Errorf("%w: %s", ErrUnauthorized, sanitize(ce.reason, 100))
		}
		// Refused before the upgrade (too many streams, bad session):
		// retrying would not help, say why.
		var ae *APIError
		if errors.As(err, &ae) && (ae.Status == statusTooManyRequests || ae.Status == statusUnauthorized) {
			return err
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, opt.MaxBackoff)
	}
	return nil
}

// liveConn is one open live stream (GET /api/v1/events upgraded to a
// WebSocket): coder/websocket natively (live_native.go), the browser's own
// WebSocket in WebAssembly (live_js.go).
type liveConn interface {
	// Read returns the next message, at most liveReadLimit bytes.
	Read(ctx context.Context) ([]byte, error)
	// Close ends the stream (a normal closure: the server frees its slot).
	Close()
}

// liveReadLimit bounds one live message.
const liveReadLimit = 1 << 16

// closeError is the server's closing of the stream, with its code and
// reason.
type closeError struct {
	code   int
	reason string
}

func (e *closeError) Error() string {
	return fmt.Sprintf("the live stream was closed (status %d: %q)", e.code, e.reason)
}

// closePolicyViolation is the close code of a session the server no
// longer accepts.
const closePolicyViolation = 1008

// watchOnce runs one connection and returns the last cursor it reached.
func (s *Session) watchOnce(ctx context.Context, cursor int64, opt WatchOptions, fn func(Change)) (int64, error) {
	u := strings.Replace(s.t.base, "http", "ws", 1) + api.Prefix + "/events"
	if cursor >= 0 {
		u += "?since=" + strconv.FormatInt(cursor, 10)
	}
	c, err := s.dialLive(ctx, u)
	if err != nil {
		return cursor, err
	}
	defer c.Close()
	for {
		data, err := c.Read(ctx)
		if err != nil {
			return cursor, err
		}
		var m api.LiveMessage
		if json.Unmarshal(data, &m) != nil {
			return cursor, tampered("a live message that is not JSON")
		}
		switch m.Type {
		case api.LiveReady:
			if cursor >= 0 && m.Cursor != cursor {
				return cursor, tampered("the live stream resumed at %d, not %d", m.Cursor, cursor)
			}
			cursor = m.Cursor
			if opt.OnConnect != nil {
				opt.OnConnect(cursor)
			}
		case api.LiveResync:
			if err := s.refresh(ctx); err != nil {
				return cursor, err
			}
			s.flushQuarantineNotices(fn)
			cursor = m.Cursor
			fn(Change{Seq: m.Cursor, Kind: "resync", Text: "caught up after falling behind: everything is synced"})
		case api.LiveEvent:
			if m.Seq < cursor {
				return cursor, tampered("live event %d after %d", m.Seq, cursor)
			}
			ch, err := s.describe(ctx, m)
			if err != nil {
				return cursor, err
			}
			cursor = m.Seq
			if ch != nil {
				fn(*ch)
			}
			s.flushQuarantineNotices(fn)
		}
	}
}

// describe syncs after an event and says what changed, comparing the item
// before and after.
func (s *Session) describe(ctx context.Context, m api.LiveMessage) (*Change, error) {
	var before *Item
	var beforeVault *Vault
	s.mu.Lock()
	if it, ok := s.reported[m.ItemID]; ok {
		before = &it
	}
	if v, ok := s.vaults[m.VaultID]; ok {
		c := *v
		beforeVault = &c
	}
	s.mu.Unlock()
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(m.Kind, "item.") {
		// Items that became visible through a grant or a group arrive
		// without events of their own: later changes are told against them.
		s.mu.Lock()
		for id, it := range s.items {
			if _, known := s.reported[id]; !known {
				s.reported[id] = *it
			}
		}
		s.mu.Unlock()
	}
	ch := &Change{Seq: m.Seq, Kind: m.Kind, OrgID: m.OrgID, VaultID: m.VaultID, ItemID: m.ItemID}
	v, _ := s.vault(m.VaultID)
	if v == nil {
		v = beforeVault
	}
	if v != nil {
		ch.Vault = v.Label() // as every other command names it
	}
	me := s.Profile.UserID
	switch m.Kind {
	case "item.changed":
		s.mu.Lock()
		after := s.items[m.ItemID]
		if after != nil {
			s.reported[m.ItemID] = *after
		}
		s.mu.Unlock()
		if after == nil {
			return nil, nil // not (or no longer) visible to us
		}
		ch.Item = after.Content.Name
		ch.Author = s.authorEmail(after.AuthorID)
		what := "changed"
		switch {
		case before == nil && after.Revision == 1:
			what = "created"
		case before == nil:
			what = "changed"
		case after.Trashed && !before.Trashed:
			what = "moved to the trash"
		case !after.Trashed && before.Trashed:
			what = "restored from the trash"
		default:
			var err error
			if before, err = s.openedForWatch(before); err != nil {
				break // the cached body is gone: "changed", without the fields
			}
			ch.Fields = changedFields(before.Content, after.Content)
			if len(ch.Fields) > 0 {
				what = strings.Join(ch.Fields, ", ") + " changed"
			}
		}
		ch.Text = fmt.Sprintf("%s/%s: %s by %s", ch.Vault, ch.Item, what, ch.Author)
	case "item.moved":
		name := m.ItemID
		if before != nil {
			name = before.Content.Name
		}
		ch.Item, ch.Text = name, fmt.Sprintf("%s/%s: moved to another vault", ch.Vault, name)
	case "item.purged":
		name := m.ItemID
		if before != nil {
			name = before.Content.Name
		}
		ch.Item, ch.Text = name, fmt.Sprintf("%s/%s: purged", ch.Vault, name)
	case "vault.created", "vault.granted":
		if v, ok := s.vault(m.VaultID); ok {
			ch.Text = fmt.Sprintf("%s: you can open this vault (%s)", v.Label(), v.Permission)
		} else {
			ch.Text = "vault access changed"
		}
	case "vault.revoked":
		if _, ok := s.vault(m.VaultID); ok {
			ch.Text = fmt.Sprintf("%s: someone's access was revoked", ch.Vault)
		} else {
			ch.Text = fmt.Sprintf("%s: your access was revoked", orDefault(ch.Vault, "a vault"))
		}
	case "vault.repaired":
		if v, ok := s.vault(m.VaultID); ok {
			ch.Vault, ch.Text = v.Label(), fmt.Sprintf("%s: a manager repaired this vault; it verifies again", v.Label())
		} else {
			ch.Text = fmt.Sprintf("%s: a manager signed a repair, but the vault still does not verify here", orDefault(ch.Vault, "a vault"))
		}
	case "org.member_removed":
		if m.UserID == me {
			ch.Text = "you were removed from an organisation"
		} else {
			ch.Text = fmt.Sprintf("%s left the organisation", s.authorEmail(m.UserID))
		}
	case "org.member_joined":
		ch.Text = "someone joined one of your organisations with its code: confirm them in Members"
	case "org.invitation_locked":
		ch.Text = "an invitation to one of your organisations is locked after too many wrong codes: re-issue it in Members"
	case "org.member_confirmed":
		if m.UserID == me {
			// The invitee's own confirmation: the organisation opened.
			name := "an organisation"
			if o, err := s.FindOrg(m.OrgID); err == nil {
				name = fmt.Sprintf("%q", sanitize(o.Name, 80))
			}
			ch.Text = fmt.Sprintf("you are now a member of %s: its owner confirmed you", name)
		} else {
			ch.Text = fmt.Sprintf("%s joined the organisation", s.authorEmail(m.UserID))
		}
	case "org.transfer_offered", "org.transfer_withdrawn", "org.owner_changed":
		name := "an organisation"
		if o, err := s.FindOrg(m.OrgID); err == nil {
			name = fmt.Sprintf("%q", sanitize(o.Name, 80))
		}
		switch {
		case m.Kind == "org.transfer_offered" && m.UserID == me:
			ch.Text = fmt.Sprintf("the owner offers you the ownership of %s: accept with coffer org accept", name)
		case m.Kind == "org.transfer_offered":
			ch.Text = fmt.Sprintf("the ownership of %s was offered to %s", name, orDefault(s.authorEmail(m.UserID), "a member"))
		case m.Kind == "org.transfer_withdrawn":
			ch.Text = fmt.Sprintf("an ownership offer of %s was withdrawn", name)
		case m.UserID == me:
			ch.Text = fmt.Sprintf("you own %s now", name)
		default:
			ch.Text = fmt.Sprintf("%s owns %s now", orDefault(s.authorEmail(m.UserID), "another member"), name)
		}
	case "group.member_added", "group.member_removed", "group.changed":
		ch.Text = "groups changed"
	case "vault.changed":
		ch.Text = fmt.Sprintf("a vault was renamed; it is now %s", orDefault(ch.Vault, "hidden from you"))
	case "org.changed":
		ch.Text = "an organisation was renamed"
		if o, err := s.FindOrg(m.OrgID); err == nil {
			ch.Text += "; it is now " + o.Name
		}
	case "session.revoked", "org.created":
		return nil, nil
	default:
		ch.Text = m.Kind
	}
	return ch, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (s *Session) authorEmail(id string) string {
	if id == s.Profile.UserID {
		return s.Profile.Email
	}
	if e := s.MemberEmail(id); e != "" {
		return e
	}
	return id
}

// changedFields names the fields whose values differ.
func changedFields(a, b Content) []string {
	old := map[string]string{}
	for _, v := range a.Values() {
		old[v.Name] = v.Value
	}
	var out []string
	seen := map[string]bool{}
	for _, v := range b.Values() {
		seen[v.Name] = true
		if old[v.Name] != v.Value {
			out = append(out, v.Name)
		}
	}
	for _, v := range a.Values() {
		if !seen[v.Name] {
			out = append(out, v.Name)
		}
	}
	return out
}

// openedForWatch opens an item state that came sealed from the device
// cache, at its own (older) revision, so that the fields changed since can
// be told.
func (s *Session) openedForWatch(before *Item) (*Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !before.sealed {
		return before, nil
	}
	return s.openRecordLocked(before, false)
}
