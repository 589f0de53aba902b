package view

import (
	"context"
	"sort"

	"github.com/coffer-pm/coffer/client"
)

// Opener is someone who opens a vault (and so its items): the member, the
// best permission they hold, and every way they hold one.
type Opener struct {
	Email      string `json:"email"`
	Permission string `json:"permission"`
	// Through are the ways: "direct" for a grant to the member, or the
	// name of a group that holds a grant ("Marketing").
	Through []string `json:"through"`
	Me      bool     `json:"me,omitempty"`
}

// Opens is one vault that a member or a group opens, and how.
type Opens struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	VaultID    string    `json:"vault_id"`
	Vault      string    `json:"vault"` // the vault's name in its organisation
	Permission string    `json:"permission"`
	Through    string    `json:"through,omitempty"` // the group it comes through; "" for a grant of its own
}

// rank orders permissions; an unknown one counts as none.
var rank = map[string]int{"view": 1, "edit": 2, "manage": 3, "owner": 4}

// path is one way a member opens a vault.
type path struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	vault      *client.Vault
	email      string // the member
	groupID    string // "" for a grant to the member
	group      string
	permission string
}

// accessMap expands the grants of vaults (each this account may see the
// grants of) into paths: a grant to a group becomes one path per member
// of the group. It is the one computation of "who opens what, through
// which group" (issue 24: the page had its own).
type accessMap struct {
	paths  []path
	grants map[string][]client.Access // by vault id
	names  map[string]string          // vault names by id
}

func newAccessMap(ctx context.Context, s *client.Session, orgID string, vaults []*client.Vault) (*accessMap, error) {
	m := &accessMap{grants: map[string][]client.Access{}, names: map[string]string{}}
	var groups map[string]client.GroupInfo
	for _, v := range vaults {
		if !v.Manageable() {
			continue // the server shows grants to managers only
		}
		grants, err := s.VaultAccess(ctx, v)
		if err != nil {
			return nil, err
		}
		m.grants[v.ID], m.names[v.ID] = grants, v.Name
		for _, a := range grants {
			if a.Kind == "user" {
				m.paths = append(m.paths, path{vault: v, email: a.Name, permission: a.Permission})
				continue
			}
			if groups == nil {
				if groups, err = groupsByID(ctx, s, orgID); err != nil {
					return nil, err
				}
			}
			g := groups[a.ID]
			for _, id := range g.Members {
				m.paths = append(m.paths, path{vault: v, email: s.MemberEmail(id), groupID: a.ID, group: a.Name, permission: a.Permission})
			}
		}
	}
	return m, nil
}

func groupsByID(ctx context.Context, s *client.Session, orgID string) (map[string]client.GroupInfo, error) {
	list, err := s.ListGroups(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := map[string]client.GroupInfo{}
	for _, g := range list {
		out[g.ID] = g
	}
	return out, nil
}

// openers are who open vault id, best permission first, then by e-mail.
func (m *accessMap) openers(vaultID, me string) []Opener {
	byEmail := map[string]*Opener{}
	var out []*Opener
	for _, p := range m.paths {
		if p.vault.ID != vaultID || p.email == "" {
			continue
		}
		o := byEmail[p.email]
		if o == nil {
			o = &Opener{Email: p.email, Through: []string{}, Me: p.email == me}
			byEmail[p.email] = o
			out = append(out, o)
		}
		if rank[p.permission] > rank[o.Permission] {
			o.Permission = p.permission
		}
		way := "direct"
		if p.groupID != "" {
			way = p.group
		}
		o.Through = append(o.Through, way)
	}
	sort.Slice(out, func(i, j int) bool {
		if rank[out[i].Permission] != rank[out[j].Permission] {
			return rank[out[i].Permission] > rank[out[j].Permission]
		}
		return out[i].Email < out[j].Email
	})
	res := make([]Opener, len(out))
	for i, o := range out {
		sort.Strings(o.Through)
		res[i] = *o
	}
	return res
}

// opensOfMember are the vaults a member opens, directly or through groups.
func (m *accessMap) opensOfMember(email string) []Opens {
	out := []Opens{}
	for _, p := range m.paths {
		if p.email == email {
			out = append(out, Opens{VaultID: p.vault.ID, Vault: p.vault.Name, Permission: p.permission, Through: p.group})
		}
	}
	return sortOpens(out)
}

// opensOfGroup are the vaults granted to a group.
func (m *accessMap) opensOfGroup(groupID string) []Opens {
	out := []Opens{}
	for id, grants := range m.grants {
		for _, a := range grants {
			if a.Kind == "group" && a.ID == groupID {
				out = append(out, Opens{VaultID: id, Vault: m.names[id], Permission: a.Permission})
			}
		}
	}
	return sortOpens(out)
}

func sortOpens(l []Opens) []Opens {
	sort.Slice(l, func(i, j int) bool {
		if l[i].Vault != l[j].Vault {
			return l[i].Vault < l[j].Vault
		}
		return l[i].Through < l[j].Through
	})
	return l
}

// ItemAccess is who opens item it: for My Vault the account alone; for
// an organisation vault every member holding a grant or a group's, when
// this account manages the vault (nil otherwise: it may not see them).
func ItemAccess(ctx context.Context, s *client.Session, it *client.Item) ([]Opener, error) {
	v, err := s.FindVault(it.VaultID)
	if err != nil {
		return nil, err
	}
	me := s.Profile.Email
	if v.Kind != "org" {
		return []Opener{{Email: me, Permission: "owner", Through: []string{"My Vault"}, Me: true}}, nil
	}
	if !v.Manageable() {
		return nil, nil
	}
	m, err := newAccessMap(ctx, s, v.OrgID, []*client.Vault{v})
	if err != nil {
		return nil, err
	}
	return m.openers(v.ID, me), nil
}
