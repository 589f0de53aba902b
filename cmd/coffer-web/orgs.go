//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"syscall/js"
	"unicode"

	"github.com/coffer-pm/coffer/client"
)

// The organisation half of the bridge (docs/web.md): everything the CLI
// does for organisations, on the same client calls. Every check of the
// client core applies as for the CLI (the owner's MACs at confirm, the
// roster's keys, permissions); the page only shows and asks.

// orgFuncs are the organisation functions of the bridge; writes save the
// device cache after (persisting).
func (c *core) orgFuncs() map[string]func([]js.Value) (any, error) {
	return map[string]func([]js.Value) (any, error){
		"orgs":                c.orgs,
		"createOrg":           c.persisting(c.createOrg),
		"invite":              c.invite,
		"reissue":             c.reissue,
		"requestVerification": c.requestVerification,
		"verifyEmail":         c.verifyEmail,
		"invitations":         c.invitations,
		"joinStatus":          c.joinStatus,
		"join":                c.persisting(c.join),
		"members":             c.members,
		"confirm":             c.persisting(c.confirm),
		"cancelInvites":       c.cancelInvites,
		"removeMember":        c.persisting(c.removeMember),
		"groups":              c.groups,
		"createGroup":         c.persisting(c.createGroup),
		"addGroupMembers":     c.persisting(c.addGroupMembers),
		"removeGroupMember":   c.persisting(c.removeGroupMember),
		"createVault":         c.persisting(c.createVault),
		"access":              c.access,
		"grant":               c.persisting(c.grant),
		"revoke":              c.persisting(c.revoke),
		"share":               c.persisting(c.share),
		"move":                c.persisting(c.move),
	}
}

// shown makes a name someone chose for themselves safe to show inside the
// page's own words: no control or formatting characters (a right-to-left
// override could turn a fingerprint prompt around), at most 60 characters.
func shown(name string) string {
	out := make([]rune, 0, len(name))
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if out = append(out, r); len(out) == 60 {
			out = append(out, '…')
			break
		}
	}
	return strings.TrimSpace(string(out))
}

// act runs do on the unlocked session and answers {"ok": true}.
func (c *core) act(do func(ctx context.Context, s *client.Session) error) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	if err := do(context.Background(), s); err != nil {
		return nil, err
	}
	return map[string]bool{"ok": true}, nil
}

// strList reads a JSON array of strings from args[i].
func strList(args []js.Value, i int) ([]string, error) {
	var out []string
	if err := json.Unmarshal([]byte(str(args, i)), &out); err != nil {
		return nil, errors.New("expected a list of addresses")
	}
	return out, nil
}

type orgInfo struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Role       string `json:"role"`
	OwnerEmail string `json:"owner_email"`
}

// orgs lists the organisations this account is a confirmed member of.
func (c *core) orgs([]js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	out := []orgInfo{}
	for _, o := range s.Orgs() {
		out = append(out, orgInfo{ID: o.ID, Name: o.Name, Role: o.Role, OwnerEmail: s.MemberEmail(o.OwnerID)})
	}
	return out, nil
}

func (c *core) createOrg(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	o, err := s.CreateOrg(context.Background(), str(args, 0))
	if err != nil {
		return nil, err
	}
	return orgInfo{ID: o.ID, Name: o.Name, Role: o.Role, OwnerEmail: s.Profile.Email}, nil
}

// inviteResult is what invite and reissue answer: the code, once (the
// page shows it in its modal and forgets it), how the mail went, and the
// addresses whose earlier invitation the new one replaced.
type inviteResult struct {
	Code     string   `json:"code"`
	Mail     string   `json:"mail"`
	Reissued []string `json:"reissued"`
}

// invite(org, [emails]) invites 1–50 addresses with one fresh code. An
// address whose invitation is locked is re-issued (listed in reissued);
// one whose invitation still works is refused with kind already-invited
// (reissue replaces it), one that joined or is a member with kind error.
func (c *core) invite(args []js.Value) (any, error) {
	return c.inviting(args, (*client.Session).Invite)
}

// reissue(org, [emails]) replaces the addresses' open, unjoined
// invitations — locked or not — with new ones and a fresh code, answered
// as invite's; an address without one is simply invited.
func (c *core) reissue(args []js.Value) (any, error) {
	return c.inviting(args, (*client.Session).Reissue)
}

func (c *core) inviting(args []js.Value, do func(*client.Session, context.Context, string, []string) (*client.InviteResult, error)) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	emails, err := strList(args, 1)
	if err != nil {
		return nil, err
	}
	r, err := do(s, context.Background(), str(args, 0), emails)
	if err != nil {
		return nil, err
	}
	return inviteResult{Code: r.Code, Mail: r.Mail, Reissued: append([]string{}, r.Reissued...)}, nil
}

// requestVerification and verifyEmail(code): a server that sends e-mail
// wants the address proven before inviting or joining (error kind
// "unverified").
func (c *core) requestVerification([]js.Value) (any, error) {
	return c.act(func(ctx context.Context, s *client.Session) error { return s.RequestVerification(ctx) })
}

func (c *core) verifyEmail(args []js.Value) (any, error) {
	return c.act(func(ctx context.Context, s *client.Session) error { return s.VerifyEmail(ctx, str(args, 0)) })
}

// invitations lists this account's open and joined invitations.
func (c *core) invitations([]js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	list, err := s.Invitations(context.Background())
	if err != nil {
		return nil, err
	}
	return append([]client.Invitation{}, list...), nil
}

// joinStatus(org, invitation) — the Join link's `org` and `invitation` —
// says where this account stands: client.JoinState, {state: invited |
// locked | joined | member | none, org_id, invitation_id, org_name (once
// the code opened the invitation), owner, text}. The page asks again
// after a join and at every live change (org.member_confirmed ends the
// wait), so what it shows is never older than the last event.
func (c *core) joinStatus(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	st, err := s.JoinStatus(context.Background(), str(args, 0), str(args, 1))
	if err != nil {
		return nil, err
	}
	out := *st
	out.OrgName, out.Owner = shown(out.OrgName), shown(out.Owner)
	return out, nil
}

// join(org, code): org is the organisation's id or name, or the
// invitation's id (a Join link carries both ids). The code authenticates
// the organisation and its owner before anything is sent; a locked
// invitation is kind invitation-locked.
func (c *core) join(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	p, err := s.Join(context.Background(), str(args, 0), str(args, 1))
	if err != nil {
		return nil, err
	}
	return map[string]string{"org_id": p.OrgID, "org_name": shown(p.OrgName), "owner_email": p.OwnerEmail, "owner_name": shown(p.OwnerName)}, nil
}

// members lists an organisation's members and (for the owner) its
// invitations, with each confirmed member's roster-verified fingerprint.
func (c *core) members(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	list, err := s.MembersAndInvitations(context.Background(), str(args, 0))
	if err != nil {
		return nil, err
	}
	out := append([]client.MemberView{}, list...)
	for i := range out {
		out[i].Name = shown(out[i].Name)
	}
	return out, nil
}

// confirm(org, [emails]) confirms joined invitees; a key mismatch stops
// it before anything is confirmed (error kind "key-mismatch").
func (c *core) confirm(args []js.Value) (any, error) {
	return c.withEmails(args, func(s *client.Session, org string, emails []string) error {
		return s.Confirm(context.Background(), org, emails)
	})
}

func (c *core) cancelInvites(args []js.Value) (any, error) {
	return c.withEmails(args, func(s *client.Session, org string, emails []string) error {
		return s.Cancel(context.Background(), org, emails)
	})
}

func (c *core) withEmails(args []js.Value, do func(*client.Session, string, []string) error) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	emails, err := strList(args, 1)
	if err != nil {
		return nil, err
	}
	if err := do(s, str(args, 0), emails); err != nil {
		return nil, err
	}
	return map[string]int{"done": len(emails)}, nil
}

func (c *core) removeMember(args []js.Value) (any, error) {
	return c.act(func(ctx context.Context, s *client.Session) error {
		return s.RemoveMember(ctx, str(args, 0), str(args, 1))
	})
}

type groupInfo struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Private           bool     `json:"private"`
	DefaultPermission string   `json:"default_permission"`
	Members           []string `json:"members"`
	VaultID           string   `json:"vault_id,omitempty"`
	Manager           string   `json:"manager"`
	Manages           bool     `json:"manages"`
}

// groups lists the organisation's groups this account may see, members
// by e-mail.
func (c *core) groups(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	list, err := s.ListGroups(context.Background(), str(args, 0))
	if err != nil {
		return nil, err
	}
	out := []groupInfo{}
	for _, g := range list {
		members := []string{}
		for _, id := range g.Members {
			members = append(members, s.MemberEmail(id))
		}
		out = append(out, groupInfo{ID: g.ID, Name: g.Name, Private: g.Private, DefaultPermission: g.DefaultPermission, Members: members,
			VaultID: g.VaultID, Manager: s.MemberEmail(g.ManagerID), Manages: g.ManagerID == s.Profile.UserID})
	}
	return out, nil
}

// createGroup(org, name, "private"|"", default permission).
func (c *core) createGroup(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	g, err := s.CreateGroup(context.Background(), str(args, 0), str(args, 1), str(args, 2) == "private", str(args, 3))
	if err != nil {
		return nil, err
	}
	return map[string]string{"id": g.ID, "vault_id": g.VaultID}, nil
}

func (c *core) group(s *client.Session, org, ref string) (*client.Group, error) {
	if err := s.Sync(context.Background()); err != nil && !client.IsQuarantine(err) {
		return nil, err
	}
	return s.FindGroup(org, ref)
}

// addGroupMembers(org, group, [emails]): registered members of the
// organisation, by e-mail.
func (c *core) addGroupMembers(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	g, err := c.group(s, str(args, 0), str(args, 1))
	if err != nil {
		return nil, err
	}
	emails, err := strList(args, 2)
	if err != nil {
		return nil, err
	}
	if err := s.AddGroupMembers(context.Background(), g, emails); err != nil {
		return nil, err
	}
	return map[string]int{"done": len(emails)}, nil
}

func (c *core) removeGroupMember(args []js.Value) (any, error) {
	return c.act(func(ctx context.Context, s *client.Session) error {
		g, err := c.group(s, str(args, 0), str(args, 1))
		if err != nil {
			return err
		}
		return s.RemoveGroupMember(ctx, g, str(args, 2))
	})
}

func (c *core) createVault(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	v, err := s.CreateVault(context.Background(), str(args, 0), str(args, 1))
	if err != nil {
		return nil, err
	}
	return map[string]string{"id": v.ID, "label": v.Label()}, nil
}

// access(vault) lists who can open a vault and how.
func (c *core) access(args []js.Value) (any, error) {
	s, err := c.unlocked()
	if err != nil {
		return nil, err
	}
	v, err := s.FindVault(str(args, 0))
	if err != nil {
		return nil, err
	}
	list, err := s.VaultAccess(context.Background(), v)
	if err != nil {
		return nil, err
	}
	return append([]client.Access{}, list...), nil
}

// grant(vault, "group"|"user", group id or e-mail, permission).
func (c *core) grant(args []js.Value) (any, error) {
	return c.act(func(ctx context.Context, s *client.Session) error {
		v, err := s.FindVault(str(args, 0))
		if err != nil {
			return err
		}
		switch str(args, 1) {
		case "group":
			return s.GrantGroup(ctx, v, str(args, 2), str(args, 3))
		case "user":
			return s.GrantUser(ctx, v, str(args, 2), str(args, 3))
		}
		return fmt.Errorf("grant to a group or a user, not %q", str(args, 1))
	})
}

// revoke(vault, "group"|"user", id or e-mail).
func (c *core) revoke(args []js.Value) (any, error) {
	return c.act(func(ctx context.Context, s *client.Session) error {
		v, err := s.FindVault(str(args, 0))
		if err != nil {
			return err
		}
		return s.Revoke(ctx, v, str(args, 1), str(args, 2))
	})
}

// share(item, org, group, permission): the MySafe flow — the item moves
// into the private group's vault ("" permission: the vault's).
func (c *core) share(args []js.Value) (any, error) {
	s, it, err := c.item(str(args, 0))
	if err != nil {
		return nil, err
	}
	g, err := c.group(s, str(args, 1), str(args, 2))
	if err != nil {
		return nil, err
	}
	moved, err := s.Share(context.Background(), it, g, str(args, 3))
	if err != nil {
		return nil, err
	}
	label := moved.VaultID
	if v, err := s.FindVault(moved.VaultID); err == nil {
		label = v.Label()
	}
	return map[string]string{"id": moved.ID, "vault": label}, nil
}

// move(item, vault): into another vault, its history along.
func (c *core) move(args []js.Value) (any, error) {
	s, it, err := c.item(str(args, 0))
	if err != nil {
		return nil, err
	}
	v, err := s.FindVault(str(args, 1))
	if err != nil {
		return nil, err
	}
	moved, err := s.MoveItem(context.Background(), it, v.ID)
	if err != nil {
		return nil, err
	}
	return map[string]string{"id": moved.ID, "vault": v.Label()}, nil
}
