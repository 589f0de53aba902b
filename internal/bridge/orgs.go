package bridge

import (
	"context"
	"fmt"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/client/view"
)

// The organisation half of the bridge: everything the CLI does for
// organisations, on the same client calls. Every check of the client core
// applies as for the CLI (the owner's MACs at confirm, the roster's keys,
// permissions); the page only shows and asks.

func (c *Core) orgs() ([]view.Org, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	return view.Orgs(s), nil
}

// org(id): the organisations screen of one organisation (view.OrgDetail).
func (c *Core) org(id string) (*view.OrgDetail, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	return view.OrgDetailOf(context.Background(), s, id)
}

func (c *Core) createOrg(name string) (view.Org, error) {
	s, err := c.Session()
	if err != nil {
		return view.Org{}, err
	}
	o, err := s.CreateOrg(context.Background(), name)
	if err != nil {
		return view.Org{}, err
	}
	return view.OrgOf(s, o), nil
}

// Invited is an invitation batch's code — shown once, in the page's
// modal, and never stored — whether the server mailed it ("sent",
// "not_configured", "failed"), and the addresses whose earlier
// invitation the new one replaced.
type Invited struct {
	Code     string   `json:"code"`
	Mail     string   `json:"mail"`
	Reissued []string `json:"reissued"`
}

// invite(org, [emails]) invites 1–rules().invite_batch_max addresses with
// one fresh code. An address whose invitation is locked is re-issued
// (listed in reissued); one whose invitation still works is refused with
// kind already-invited (reissue replaces it).
func (c *Core) invite(org string, a Args) (Invited, error) {
	return c.inviting(a, func(s *client.Session, emails []string) (*client.InviteResult, error) {
		return s.Invite(context.Background(), org, emails)
	})
}

// reissue(org, [emails]) replaces the addresses' open, unjoined
// invitations — locked or not — with new ones and a fresh code, answered
// as invite's; an address without one is simply invited.
func (c *Core) reissue(org string, a Args) (Invited, error) {
	return c.inviting(a, func(s *client.Session, emails []string) (*client.InviteResult, error) {
		return s.Reissue(context.Background(), org, emails)
	})
}

func (c *Core) inviting(a Args, do func(*client.Session, []string) (*client.InviteResult, error)) (Invited, error) {
	s, err := c.Session()
	if err != nil {
		return Invited{}, err
	}
	emails, err := strList(a, 1)
	if err != nil {
		return Invited{}, err
	}
	r, err := do(s, emails)
	if err != nil {
		return Invited{}, err
	}
	return Invited{r.Code, r.Mail, append([]string{}, r.Reissued...)}, nil
}

func (c *Core) invitations() ([]client.Invitation, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	list, err := s.Invitations(context.Background())
	return append([]client.Invitation{}, list...), err
}

// joinStatus(org, invitation) — the Join link's `org` and `invitation` —
// says where this account stands (client.JoinState: invited, locked,
// joined, member or none, with the core's sentence). The page asks again
// after a join and at every live change, so what it shows is never older
// than the last event.
func (c *Core) joinStatus(org, invitation string) (client.JoinState, error) {
	s, err := c.Session()
	if err != nil {
		return client.JoinState{}, err
	}
	st, err := s.JoinStatus(context.Background(), org, invitation)
	if err != nil {
		return client.JoinState{}, err
	}
	out := *st
	out.OrgName, out.Owner = client.Displayable(out.OrgName, client.MaxDisplayName), client.Displayable(out.Owner, client.MaxDisplayName)
	return out, nil
}

// Joined is the organisation an invitation code opened.
type Joined struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	OrgID      string    `json:"org_id"`
	OrgName    string    `json:"org_name"`
	OwnerEmail string    `json:"owner_email"`
	OwnerName  string    `json:"owner_name"`
}

// join(org, code): the code authenticates the organisation and its owner
// before anything is sent. The names are the owner's words: Displayable.
func (c *Core) join(org, code string) (Joined, error) {
	s, err := c.Session()
	if err != nil {
		return Joined{}, err
	}
	p, err := s.Join(context.Background(), org, code)
	if err != nil {
		return Joined{}, err
	}
	return Joined{OrgID: p.OrgID, OrgName: client.Displayable(p.OrgName, client.MaxDisplayName), OwnerEmail: p.OwnerEmail, OwnerName: client.Displayable(p.OwnerName, client.MaxDisplayName)}, nil
}

// members(org): members as this account may see them (view.Members: the
// owner everything, a member the confirmed members and the fingerprints
// they have a reason to compare).
func (c *Core) members(org string) ([]view.Member, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	return view.Members(context.Background(), s, org)
}

// Done is how many a batch call did.
type Done struct {
	Done int `json:"done"`
}

// withEmails runs do with argument 1, a JSON list of addresses.
func (c *Core) withEmails(a Args, do func(*client.Session, []string) error) (Done, error) {
	s, err := c.Session()
	if err != nil {
		return Done{}, err
	}
	emails, err := strList(a, 1)
	if err != nil {
		return Done{}, err
	}
	if err := do(s, emails); err != nil {
		return Done{}, err
	}
	return Done{len(emails)}, nil
}

func (c *Core) groups(org string) ([]view.Group, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	return view.Groups(context.Background(), s, org)
}

// createGroup(org, name, "private"|"", default permission).
func (c *Core) createGroup(org, name, private, perm string) (Created, error) {
	s, err := c.Session()
	if err != nil {
		return Created{}, err
	}
	g, err := s.CreateGroup(context.Background(), org, name, private == "private", perm)
	if err != nil {
		return Created{}, err
	}
	return Created{ID: g.ID, VaultID: g.VaultID}, nil
}

// group finds a group after a sync (it may be new).
func (c *Core) group(s *client.Session, org, ref string) (*client.Group, error) {
	if err := s.Sync(context.Background()); err != nil && !client.IsQuarantine(err) {
		return nil, err
	}
	return s.FindGroup(org, ref)
}

// addGroupMembers(org, group, [emails]): registered members of the
// organisation, by e-mail.
func (c *Core) addGroupMembers(a Args) (Done, error) {
	s, err := c.Session()
	if err != nil {
		return Done{}, err
	}
	g, err := c.group(s, a.Str(0), a.Str(1))
	if err != nil {
		return Done{}, err
	}
	emails, err := strList(a, 2)
	if err != nil {
		return Done{}, err
	}
	if err := s.AddGroupMembers(context.Background(), g, emails); err != nil {
		return Done{}, err
	}
	return Done{len(emails)}, nil
}

func (c *Core) removeGroupMember(org, group, email string) (OK, error) {
	return c.act(func(ctx context.Context, s *client.Session) error {
		g, err := c.group(s, org, group)
		if err != nil {
			return err
		}
		return s.RemoveGroupMember(ctx, g, email)
	})
}

func (c *Core) createVault(org, name string) (Created, error) {
	s, err := c.Session()
	if err != nil {
		return Created{}, err
	}
	v, err := s.CreateVault(context.Background(), org, name)
	if err != nil {
		return Created{}, err
	}
	return Created{ID: v.ID, Label: v.Label()}, nil
}

// access(vault) lists who can open a vault and how (its grants).
func (c *Core) access(vault string) ([]client.Access, error) {
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	v, err := s.FindVault(vault)
	if err != nil {
		return nil, err
	}
	list, err := s.VaultAccess(context.Background(), v)
	return append([]client.Access{}, list...), err
}

// grant(vault, "group"|"user", group id or e-mail, permission).
func (c *Core) grant(vault, kind, ref, perm string) (OK, error) {
	return c.act(func(ctx context.Context, s *client.Session) error {
		v, err := s.FindVault(vault)
		if err != nil {
			return err
		}
		switch kind {
		case "group":
			return s.GrantGroup(ctx, v, ref, perm)
		case "user":
			return s.GrantUser(ctx, v, ref, perm)
		}
		return fmt.Errorf("grant to a group or a user, not %q", client.Displayable(kind, 20))
	})
}

// revoke(vault, "group"|"user", id or e-mail).
func (c *Core) revoke(vault, kind, ref string) (OK, error) {
	return c.act(func(ctx context.Context, s *client.Session) error {
		v, err := s.FindVault(vault)
		if err != nil {
			return err
		}
		return s.Revoke(ctx, v, kind, ref)
	})
}

// Moved is where an item went.
type Moved struct {
	_     [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID    string    `json:"id"`
	Vault string    `json:"vault"` // its label
}

// share(item, org, group, permission): the MySafe flow — the item moves
// into the private group's vault ("" permission: the vault's).
func (c *Core) share(item, org, group, perm string) (Moved, error) {
	s, it, err := c.item(item)
	if err != nil {
		return Moved{}, err
	}
	g, err := c.group(s, org, group)
	if err != nil {
		return Moved{}, err
	}
	moved, err := s.Share(context.Background(), it, g, perm)
	if err != nil {
		return Moved{}, err
	}
	label := moved.VaultID
	if v, err := s.FindVault(moved.VaultID); err == nil {
		label = v.Label()
	}
	return Moved{ID: moved.ID, Vault: label}, nil
}

// move(item, vault): into another vault (one of the item's
// move_targets), its history along.
func (c *Core) move(item, vault string) (Moved, error) {
	s, it, err := c.item(item)
	if err != nil {
		return Moved{}, err
	}
	v, err := s.FindVault(vault)
	if err != nil {
		return Moved{}, err
	}
	moved, err := s.MoveItem(context.Background(), it, v.ID)
	if err != nil {
		return Moved{}, err
	}
	return Moved{ID: moved.ID, Vault: v.Label()}, nil
}

// exposure(org, who): what a current or former member (by address) could
// read each time they lost access (view.ExposureReport, with its notice):
// the owner only.
func (c *Core) exposure(org, who string) (view.ExposureReport, error) {
	s, err := c.Session()
	if err != nil {
		return view.ExposureReport{}, err
	}
	return view.ExposureOf(context.Background(), s, org, who)
}

// acceptOwnership(org): this account accepts the organisation's open
// ownership offer (view.Accepted says what that changed).
func (c *Core) acceptOwnership(org string) (view.Accepted, error) {
	s, err := c.Session()
	if err != nil {
		return view.Accepted{}, err
	}
	r, err := s.AcceptOwnership(context.Background(), org)
	if err != nil {
		return view.Accepted{}, err
	}
	return view.AcceptedOf(r), nil
}
