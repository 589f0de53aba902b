package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Org is an organisation the user belongs to, checked against the owner's
// pinned keys and the owner-signed roster.
type Org struct {
	ID      string
	Name    string
	OwnerID string
	Role    string // "owner" or "member"
	// RequireTwoFactor: the owner requires two-factor log-in of the
	// members (§8.3), as the server says.
	RequireTwoFactor bool

	key           []byte // the organisation key's current epoch
	keyEpoch      uint64
	keys          map[uint64][]byte // every epoch this account holds
	meta          []byte            // the sealed name, as its records name it
	rosterVersion uint64
	roster        []api.RosterMember
	// departed: members the roster lists who left, were unbound or
	// deleted their account (user id → how); nothing new is wrapped to
	// them, and the owner's client signs them out of the roster.
	departed map[string]string
	// pendingRotations counts what the organisation owes (§18.2).
	pendingRotations int
	// OfferedTo is the member the owner offered the organisation to (an
	// open offer, signed by the owner over the current roster: §18.5),
	// shown to the owner and to that member; "" if none. OfferedAt is when.
	OfferedTo string
	OfferedAt time.Time
	offer     *api.OwnerTransfer
	// formerOwners: who owned it before, as the keyring pins them.
	formerOwners []string
}

// Member is a confirmed member whose keys match the signed roster.
type Member struct {
	UserID string
	Email  string
	Name   string
	Role   string
	Keys   crypto.PublicKeys
}

// Fingerprint is the member's key fingerprint for out-of-band comparison.
func (m Member) Fingerprint() string { return m.Keys.FingerprintText() }

// Group is a group the user is in or manages.
type Group struct {
	ID                string
	OrgID             string
	Name              string
	ManagerID         string
	Private           bool
	DefaultPermission string
	Members           []string
	VaultID           string

	keys  crypto.PublicKeys
	epoch uint64
	id    *crypto.Identity // nil unless the user holds the group key
	meta  []byte           // the sealed name, as its records name it
	// ids are the group's identities of every epoch the user holds: vault
	// keys of earlier epochs stay wrapped to its earlier keys (§18.2).
	ids map[uint64]*crypto.Identity
}

// identities are the group's identities the user holds, newest first.
func (g *Group) identities() []*crypto.Identity {
	epochs := make([]uint64, 0, len(g.ids))
	for e := range g.ids {
		epochs = append(epochs, e)
	}
	sort.Slice(epochs, func(i, j int) bool { return epochs[i] > epochs[j] })
	out := make([]*crypto.Identity, len(epochs))
	for i, e := range epochs {
		out[i] = g.ids[e]
	}
	return out
}

func metaAD(label string, fields ...string) []byte {
	b := make([][]byte, len(fields))
	for i, f := range fields {
		b[i] = []byte(f)
	}
	return crypto.Tuple(label, b...)
}

type meta struct {
	Name string `json:"name"`
}

func sealMeta(key []byte, name string, ad []byte) ([]byte, error) {
	pt, _ := json.Marshal(meta{Name: name})
	return crypto.Seal(key, pt, ad)
}

// openName opens a name sealed under the organisation key by whichever
// epoch's key sealed it: the associated data names the epoch (§18.1), so
// a box opens under one epoch only.
func (o *Org) openName(box []byte, label string, ids ...string) (string, error) {
	return openNameOf(o.keys, box, label, ids...)
}

func openNameOf(keys map[uint64][]byte, box []byte, label string, ids ...string) (string, error) {
	var last error = crypto.ErrTampered
	for e, key := range keys {
		name, err := openMeta(key, box, crypto.MetaAD(label, e, ids...))
		if err == nil {
			return name, nil
		}
		last = err
	}
	return "", last
}

func openMeta(key, box, ad []byte) (string, error) {
	pt, err := crypto.Open(key, box, ad)
	if err != nil {
		return "", err
	}
	var m meta
	if err := json.Unmarshal(pt, &m); err != nil {
		return "", crypto.ErrTampered
	}
	return m.Name, nil
}

// orgFetch is what Sync fetches for the organisations before it takes the
// session lock: the keyring and each organisation's member list.
type orgFetch struct {
	keyring *keyring
	members map[string]api.Members
	records map[string]api.Records // new epoch records, per organisation
	// transfer says why an organisation whose roster another owner than
	// the pinned one signs was not re-pinned (§18.5).
	transfer map[string]string
}

func (s *Session) fetchOrgs(ctx context.Context, resp api.Sync) (*orgFetch, error) {
	orgs := resp.Orgs
	f := &orgFetch{keyring: &keyring{Orgs: map[string]pinnedOrg{}}, members: map[string]api.Members{}, records: map[string]api.Records{},
		transfer: map[string]string{}}
	if len(orgs) == 0 && s.keyringSeen == 0 {
		return f, nil
	}
	var err error
	if f.keyring, err = s.loadKeyring(ctx); err != nil {
		return nil, err
	}
	// An organisation whose answer shows an object this session holds no
	// records of (newly granted, newly a member) has its records read
	// whole; else only what is new.
	unknown := map[string]bool{}
	s.mu.Lock()
	for _, v := range resp.Vaults {
		if v.OrgID != "" && s.chains[v.ID] == nil {
			unknown[v.OrgID] = true
		}
	}
	for _, g := range resp.Groups {
		if s.chains[g.ID] == nil {
			unknown[g.OrgID] = true
		}
	}
	for _, o := range orgs {
		if s.chains[o.ID] == nil {
			unknown[o.ID] = true
		}
	}
	s.mu.Unlock()
	for _, o := range orgs {
		if err := s.followOwner(ctx, o, f); err != nil {
			return nil, err
		}
	}
	for _, o := range orgs {
		if _, pinned := f.keyring.Orgs[o.ID]; !pinned {
			continue
		}
		var members api.Members
		if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(o.ID)+"/members", nil, &members); err != nil {
			return nil, err
		}
		f.members[o.ID] = members
		if f.records[o.ID], err = s.fetchRecords(ctx, o.ID, unknown[o.ID]); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// openOrgs checks every organisation the server lists: pinned in the
// keyring, roster signed by the pinned owner and not older than seen, and
// the organisation key wrapped to us by the owner; then each member's keys
// against the roster. Unpinned organisations are ignored and reported in
// Warnings. The caller holds s.mu.
//
// A failure is scoped to the organisation that failed: it is quarantined
// (with its groups and vaults) and the others are opened.
func (s *Session) openOrgs(orgs []api.Org, f *orgFetch) {
	for _, ao := range orgs {
		pin, ok := f.keyring.Orgs[ao.ID]
		if !ok {
			s.warn("ignored organisation %s: it was never confirmed through an invitation on this account", ao.ID)
			continue
		}
		if err := s.openOrg(ao, pin, f.members[ao.ID], f.records[ao.ID], f.transfer[ao.ID]); errors.Is(err, errRecordsAhead) {
			continue
		} else if err != nil {
			s.quarantineLocked(Quarantine{Kind: KindOrg, ID: ao.ID, Name: s.knownName(KindOrg, ao.ID), Reason: err.Error(),
				SignerID: ao.OwnerID, Signer: s.accountName(ao.OwnerID)})
		}
	}
}

// openOrg checks one pinned organisation and opens it into s.orgs and
// s.members. The caller holds s.mu.
func (s *Session) openOrg(ao api.Org, pin pinnedOrg, memberList api.Members, recs api.Records, transferWhy string) error {
	var err error
	me := s.Profile.UserID
	if ao.OwnerID != pin.OwnerID {
		return tampered("organisation %s has another owner than the one pinned, and no ownership transfer signed by the pinned owner hands it on (%s)", ao.ID, orDefault(transferWhy, "none served"))
	}
	members := make([]crypto.RosterMember, 0, len(ao.Roster.Members))
	inRoster := false
	for _, m := range ao.Roster.Members {
		members = append(members, crypto.RosterMember{UserID: m.UserID, Email: m.Email, Fingerprint: m.Fingerprint, Former: m.Former})
		if m.UserID == me && !m.Former && crypto.Equal(m.Fingerprint, s.id.Public().Fingerprint()) {
			inRoster = true
		}
	}
	if err := crypto.VerifyRoster(pin.keys(), ao.ID, ao.Roster.Version, ao.OwnerID, members, ao.Roster.Sig); err != nil {
		return tampered("roster of organisation %s", ao.ID)
	}
	if ao.Roster.Version < s.rosterSeen[ao.ID] {
		return tampered("roster of organisation %s rolled back to version %d", ao.ID, ao.Roster.Version)
	}
	if !inRoster {
		return tampered("organisation %s: this account is not in its signed roster", ao.ID)
	}
	if s.rosterSeen[ao.ID] != ao.Roster.Version {
		s.cacheChangedLocked()
	}
	s.rosterSeen[ao.ID] = ao.Roster.Version
	role := "member"
	if ao.OwnerID == me {
		role = "owner"
	}
	o := &Org{ID: ao.ID, OwnerID: ao.OwnerID, Role: role, RequireTwoFactor: ao.RequireTwoFactor, keyEpoch: ao.KeyEpoch, meta: ao.Meta,
		rosterVersion: ao.Roster.Version, roster: ao.Roster.Members, departed: map[string]string{}, pendingRotations: ao.PendingRotations,
		formerOwners: pin.FormerOwners}
	for _, d := range memberList.Departed {
		o.departed[d.UserID] = d.How
	}
	list, former, err := s.verifyMembers(o, memberList)
	if err != nil {
		return err
	}
	// Organisation key wraps are the owner's to sign: the current owner's,
	// or one before them who handed the organisation on (§18.5), at their
	// roster keys.
	ownerKeys := map[string]crypto.PublicKeys{ao.OwnerID: pin.keys()}
	for _, m := range append(append([]Member(nil), list...), former...) {
		if m.UserID != ao.OwnerID && pin.isOwnerOf(m.UserID) {
			ownerKeys[m.UserID] = m.Keys
		}
	}
	keys := map[uint64][]byte{}
	for _, w := range ao.Wraps {
		signer, ok := ownerKeys[w.SignerID]
		if w.MemberID != me || w.Epoch == 0 || w.Epoch > ao.KeyEpoch || !ok {
			continue
		}
		c := crypto.KeyWrapContext{Kind: crypto.KindOrgKey, OrgID: ao.ID, ObjectID: ao.ID, Epoch: w.Epoch, RecipientKind: crypto.RecipientUser, RecipientID: me}
		key, err := crypto.OpenKey(s.id, signer, w.SignerID, c, w.Wrap, w.Sig, crypto.KeySize)
		if err != nil {
			return tampered("organisation key of %s", ao.ID)
		}
		if old, dup := keys[w.Epoch]; dup && !crypto.Equal(old, key) {
			return tampered("organisation %s: two different keys of epoch %d", ao.ID, w.Epoch)
		}
		keys[w.Epoch] = key
	}
	key := keys[ao.KeyEpoch]
	if key == nil {
		return tampered("no organisation key for %s", ao.ID)
	}
	name, err := openNameOf(keys, ao.Meta, "coffer/v1/org-meta", ao.ID)
	if err != nil {
		return tampered("name of organisation %s", ao.ID)
	}
	o.Name, o.key, o.keys = name, key, keys
	s.openOffer(o, ao, pin)
	s.orgs[ao.ID] = o
	s.members[ao.ID] = map[string]Member{}
	for _, m := range list {
		s.members[ao.ID][m.UserID] = m
	}
	s.former[ao.ID] = map[string]Member{}
	for _, m := range former {
		s.former[ao.ID][m.UserID] = m
	}
	// The signed epoch records (§18.1), then the organisation's keys and
	// name against them.
	if err := s.applyRecordsLocked(o, recs); err != nil {
		delete(s.orgs, ao.ID)
		return err
	}
	for e, key := range keys {
		if err := s.checkKeyLocked(o.ID, e, crypto.EpochKeyCommit(key)); err != nil {
			delete(s.orgs, ao.ID)
			return err
		}
	}
	if err := s.checkStateLocked(o.ID, ao.KeyEpoch, ao.Meta); err != nil {
		delete(s.orgs, ao.ID)
		return err
	}
	return nil
}

func (s *Session) warn(format string, a ...any) {
	s.Warnings = append(s.Warnings, sanitize(fmt.Sprintf(format, a...), 300))
}

// Members returns an organisation's confirmed members, each with keys that
// match the owner-signed roster. A server that adds a member or swaps keys
// is refused.
func (s *Session) Members(ctx context.Context, orgID string) ([]Member, error) {
	s.mu.Lock()
	o, ok := s.orgs[orgID]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("organisation %q: %w", orgID, ErrNotFound)
	}
	var resp api.Members
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(orgID)+"/members", nil, &resp); err != nil {
		return nil, err
	}
	list, _, err := s.verifyMembers(o, resp)
	return list, err
}

func (s *Session) verifyMembers(o *Org, resp api.Members) (current, former []Member, err error) {
	byID := map[string]api.PublicKeys{}
	for _, m := range resp.Members {
		byID[m.UserID] = m.PublicKeys
	}
	formerByID := map[string]api.PublicKeys{}
	for _, k := range resp.Former {
		formerByID[k.UserID] = k
	}
	current = make([]Member, 0, len(o.roster))
	for _, rm := range o.roster {
		// The member list is read after the sync's roster, so a member
		// removed (or confirmed again) in between is listed on the other
		// side: their keys are as good there, since they must match the
		// signed roster's fingerprint either way. Looking only on the
		// roster's side made a removal during a sync look like tampering.
		named, other := byID, formerByID
		if rm.Former {
			named, other = formerByID, byID
		}
		m, ok := named[rm.UserID]
		if !ok {
			m, ok = other[rm.UserID]
		}
		if !ok {
			return nil, nil, tampered("organisation %s: the server withheld member %s", o.ID, rm.UserID)
		}
		keys := crypto.PublicKeys{Sign: m.SignPub, KEM: m.KEMPub}
		if !crypto.Equal(keys.Fingerprint(), rm.Fingerprint) || crypto.VerifyPublicKeys(crypto.RecipientUser, m.UserID, keys, keys, m.PublicKeysSig) != nil {
			return nil, nil, tampered("organisation %s: keys of member %s do not match the signed roster", o.ID, rm.Email)
		}
		role := "member"
		switch {
		case rm.Former:
			role = "former"
		case m.UserID == o.OwnerID:
			role = "owner"
		}
		mem := Member{UserID: m.UserID, Email: rm.Email, Name: m.Name, Role: role, Keys: keys}
		if how, gone := o.departed[rm.UserID]; gone && !rm.Former && rm.UserID != o.OwnerID {
			// Gone on the server, still in the signed roster: treated as
			// a former member (roster pending, §18.4).
			mem.Role = how + " (roster pending)"
			former = append(former, mem)
			continue
		}
		if rm.Former {
			former = append(former, mem)
		} else {
			current = append(current, mem)
		}
	}
	sort.Slice(current, func(i, j int) bool { return current[i].Email < current[j].Email })
	return current, former, nil
}

// signerKeys returns the pinned keys of a member or former member of an
// organisation: what they signed while a member still verifies after they
// leave (they receive nothing new). The caller holds s.mu.
func (s *Session) signerKeys(orgID, userID string) (Member, bool) {
	if m, ok := s.members[orgID][userID]; ok {
		return m, true
	}
	m, ok := s.former[orgID][userID]
	return m, ok
}

// memberKeys returns the roster-verified members of an organisation, as of
// the last sync.
func (s *Session) memberKeys(orgID string) map[string]Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.members[orgID]
}

// openGroups checks the groups the user is in or manages: the manager is a
// roster member who signed the group's keys; a group key wrapped to us is
// signed by the manager and matches the group's public keys. The caller
// holds s.mu.
//
// A group that fails is quarantined; the others are opened.
func (s *Session) openGroups(groups []api.Group) {
	for _, ag := range groups {
		o, ok := s.orgs[ag.OrgID]
		if !ok {
			continue // an organisation ignored or quarantined, with its groups
		}
		if err := s.openGroup(o, ag); errors.Is(err, errRecordsAhead) {
			continue
		} else if err != nil {
			s.quarantineLocked(Quarantine{Kind: KindGroup, ID: ag.ID, OrgID: o.ID, Name: s.knownName(KindGroup, ag.ID), Reason: err.Error(),
				SignerID: ag.ManagerID, Signer: s.accountName(ag.ManagerID)})
		}
	}
}

// openGroup checks one group of an opened organisation and opens it into
// s.groups. The caller holds s.mu.
func (s *Session) openGroup(o *Org, ag api.Group) error {
	me := s.Profile.UserID
	if _, ok := s.members[o.ID][ag.ManagerID]; !ok {
		return tampered("group %s: its manager is not a member of the organisation", ag.ID)
	}
	keys, err := s.groupKeysLocked(o.ID, ag)
	if err != nil {
		return err
	}
	name, err := o.openName(ag.Meta, "coffer/v1/group-meta", o.ID, ag.ID)
	if err != nil {
		return tampered("name of group %s", ag.ID)
	}
	g := &Group{ID: ag.ID, OrgID: o.ID, Name: name, ManagerID: ag.ManagerID, Private: ag.Private, DefaultPermission: ag.DefaultPermission,
		Members: ag.Members, VaultID: ag.VaultID, keys: keys, epoch: ag.Epoch, meta: ag.Meta}
	// Each epoch's public keys: the current ones as checked above, earlier
	// ones from the group's history, each signed by a (then) member.
	epochKeys := map[uint64]crypto.PublicKeys{ag.Epoch: keys}
	for _, h := range ag.History {
		if h.Epoch >= ag.Epoch {
			continue
		}
		signer, ok := s.signerKeys(o.ID, h.SignerID)
		pk := crypto.PublicKeys{Sign: h.SignPub, KEM: h.KEMPub}
		if !ok || crypto.VerifyPublicKeys(crypto.RecipientGroup, ag.ID, pk, signer.Keys, h.KeysSig) != nil {
			return tampered("group %s: keys of epoch %d not signed by a member", ag.ID, h.Epoch)
		}
		epochKeys[h.Epoch] = pk
	}
	// Each epoch's keys are the ones the group's signed records name, and
	// its epoch and name the newest record's (§18.1).
	for e, pk := range epochKeys {
		if err := s.checkKeyLocked(ag.ID, e, pk.Fingerprint()); err != nil {
			return err
		}
	}
	if err := s.checkStateLocked(ag.ID, ag.Epoch, ag.Meta); err != nil {
		return err
	}
	g.ids = map[uint64]*crypto.Identity{}
	for _, w := range ag.Wraps {
		// Group keys were wrapped by whoever managed the group then,
		// who may have left since: any current or former member. What
		// a wrap holds must match the group's signed public keys.
		pk, known := epochKeys[w.Epoch]
		if w.MemberID != me || !known {
			continue
		}
		signer, ok := s.signerKeys(o.ID, w.SignerID)
		if !ok {
			continue
		}
		c := crypto.KeyWrapContext{Kind: crypto.KindGroupKey, OrgID: o.ID, ObjectID: ag.ID, Epoch: w.Epoch, RecipientKind: crypto.RecipientUser, RecipientID: me}
		seeds, err := crypto.OpenKey(s.id, signer.Keys, w.SignerID, c, w.Wrap, w.Sig, crypto.PrivateSeedsSize)
		if err != nil {
			return tampered("group key of %s", ag.ID)
		}
		gid, err := crypto.IdentityFromSeeds(seeds, pk)
		clear(seeds)
		if err != nil {
			return tampered("group key of %s does not match its public keys", ag.ID)
		}
		g.ids[w.Epoch] = gid
	}
	g.id = g.ids[ag.Epoch]
	s.groups[g.ID] = g
	return nil
}

// openOrgVault opens the key wraps of an organisation vault addressed to
// the user or to a group they hold the key of, each signed by a member.
// The caller holds s.mu.
func (s *Session) openOrgVault(v api.Vault) error {
	o, ok := s.orgs[v.OrgID]
	if !ok && s.isQuarantinedLocked(v.OrgID) {
		return tampered("vault %s: its organisation %s is quarantined", v.ID, v.OrgID)
	}
	if !ok {
		s.warn("ignored vault %s of an organisation this account does not accept", v.ID)
		return nil
	}
	me := s.Profile.UserID
	viaQuarantined := ""
	for _, w := range v.Wraps {
		if w.VaultID != v.ID || w.Epoch == 0 || w.Epoch > v.Epoch {
			return tampered("key wrap of vault %s", v.ID)
		}
		signer, ok := s.signerKeys(o.ID, w.SignerID)
		if !ok {
			return tampered("key wrap of vault %s signed by someone outside the organisation", v.ID)
		}
		var recipients []*crypto.Identity
		switch {
		case w.RecipientKind == crypto.RecipientUser && w.RecipientID == me:
			recipients = []*crypto.Identity{s.id}
		case w.RecipientKind == crypto.RecipientGroup && s.groups[w.RecipientID] != nil && len(s.groups[w.RecipientID].ids) > 0:
			// The wrap names no group epoch: it opens under the keys it
			// was made for, newest first.
			recipients = s.groups[w.RecipientID].identities()
		case w.RecipientKind == crypto.RecipientGroup && s.isQuarantinedLocked(w.RecipientID):
			viaQuarantined = w.RecipientID
			continue
		default:
			return tampered("vault %s: a key wrap addressed to someone else", v.ID)
		}
		c := crypto.VaultKeyContext(o.ID, v.ID, w.Epoch, w.RecipientKind, w.RecipientID, crypto.PublicKeys{})
		var vk []byte
		var err error
		for _, recipient := range recipients {
			if vk, err = crypto.OpenKey(recipient, signer.Keys, w.SignerID, c, w.Wrap, w.Sig, crypto.KeySize); err == nil {
				break
			}
		}
		if err != nil {
			return tampered("key wrap of vault %s epoch %d", v.ID, w.Epoch)
		}
		k := epochKey{v.ID, w.Epoch}
		if old, ok := s.vaultKeys[k]; ok && !crypto.Equal(old, vk) {
			return tampered("vault %s epoch %d: two different keys", v.ID, w.Epoch)
		}
		s.vaultKeys[k] = vk
	}
	if _, cur := s.vaultKeys[epochKey{v.ID, v.Epoch}]; !cur {
		if viaQuarantined != "" {
			return tampered("vault %s: its key comes through group %s, which is quarantined", v.ID, viaQuarantined)
		}
		return tampered("no key for vault %s", v.ID)
	}
	keys := map[uint64][]byte{}
	for e := uint64(1); e <= v.Epoch; e++ {
		if k, ok := s.vaultKeys[epochKey{v.ID, e}]; ok {
			// The key is the one the vault's signed records name (§18.1).
			if err := s.checkKeyLocked(v.ID, e, crypto.EpochKeyCommit(k)); err != nil {
				return err
			}
			keys[e] = k
		}
	}
	if err := s.checkStateLocked(v.ID, v.Epoch, v.Meta); err != nil {
		return err
	}
	name, err := openNameOf(keys, v.Meta, "coffer/v1/vault-meta", o.ID, v.ID)
	if err != nil {
		return tampered("name of vault %s", v.ID)
	}
	s.vaults[v.ID] = &Vault{ID: v.ID, Kind: v.Kind, OrgID: o.ID, OrgName: o.Name, Name: name, Epoch: v.Epoch, Permission: v.Permission, meta: v.Meta}
	return nil
}

// Orgs returns the accepted organisations, by name.
func (s *Session) Orgs() []*Org {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Org, 0, len(s.orgs))
	for _, o := range s.orgs {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FindOrg resolves an organisation by id or (case-insensitive) name.
func (s *Session) FindOrg(ref string) (*Org, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orgs[ref]; ok {
		return o, nil
	}
	var found []*Org
	for _, o := range s.orgs {
		if strings.EqualFold(o.Name, ref) {
			found = append(found, o)
		}
	}
	return one("organisation", ref, found, "", func(o *Org) string { return o.ID })
}

// one returns the single element of found, or ErrNotFound (with hint) or
// ErrAmbiguous naming what was looked for and each candidate's id.
func one[T any](what, ref string, found []T, hint string, id func(T) string) (T, error) {
	var zero T
	switch len(found) {
	case 0:
		return zero, fmt.Errorf("%s %q: %w%s", what, sanitize(ref, 80), ErrNotFound, hint)
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, f := range found {
		ids[i] = id(f)
	}
	sort.Strings(ids)
	return zero, fmt.Errorf("%w: %d of your %ss are called %q (ids %s) — use an id, or rename one", ErrAmbiguous, len(found), what, sanitize(ref, 80), strings.Join(ids, ", "))
}

// Groups returns the groups the user is in or manages in an organisation.
func (s *Session) Groups(orgID string) []*Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Group
	for _, g := range s.groups {
		if g.OrgID == orgID {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// GroupInfo is a group of an organisation as listed to its members.
type GroupInfo struct {
	ID                string
	Name              string
	ManagerID         string
	Private           bool
	DefaultPermission string
	Members           []string
	VaultID           string
	// ExportMyVaultOnly: the owner restricts the group's members to
	// exporting My Vault only.
	ExportMyVaultOnly bool
}

// ListGroups lists an organisation's groups visible to the user (private
// groups only to the owner and their members), with decrypted names.
func (s *Session) ListGroups(ctx context.Context, orgID string) ([]GroupInfo, error) {
	s.mu.Lock()
	o, ok := s.orgs[orgID]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("organisation %q: %w", orgID, ErrNotFound)
	}
	var resp []api.Group
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(orgID)+"/groups", nil, &resp); err != nil {
		return nil, err
	}
	out := make([]GroupInfo, 0, len(resp))
	for _, g := range resp {
		name, err := o.openName(g.Meta, "coffer/v1/group-meta", o.ID, g.ID)
		if err != nil {
			return nil, tampered("name of group %s", g.ID)
		}
		out = append(out, GroupInfo{ID: g.ID, Name: name, ManagerID: g.ManagerID, Private: g.Private, DefaultPermission: g.DefaultPermission, Members: g.Members, VaultID: g.VaultID,
			ExportMyVaultOnly: g.ExportMyVaultOnly})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// FindGroup resolves a group of an organisation by id or name among the
// groups the user is in or manages.
func (s *Session) FindGroup(orgID, ref string) (*Group, error) {
	var found []*Group
	for _, g := range s.Groups(orgID) {
		if g.ID == ref || strings.EqualFold(g.Name, ref) {
			found = append(found, g)
		}
	}
	return one("group", ref, found, " (you must be in it or manage it)", groupID)
}

func groupID(g *Group) string { return g.ID }

func newID() string { return uuid.NewString() }

// keysSignerOf is the account that signed a group's keys: its creator.
func keysSignerOf(ag api.Group) string {
	if ag.KeysSignerID != "" {
		return ag.KeysSignerID
	}
	return ag.ManagerID
}

// groupKeysLocked returns a group's public keys once they verify: signed
// by their creator (the owner, once the creator has left; the manager may
// be someone else), who must be a current member — when the signer
// leaves, the owner re-signs them (RemoveMember), so a removed member
// cannot get keys of their own wrapped to. The caller holds s.mu.
func (s *Session) groupKeysLocked(orgID string, ag api.Group) (crypto.PublicKeys, error) {
	creator, ok := s.members[orgID][keysSignerOf(ag)]
	if !ok {
		return crypto.PublicKeys{}, tampered("group %s: its keys are not signed by a current member of the organisation", ag.ID)
	}
	keys := crypto.PublicKeys{Sign: ag.SignPub, KEM: ag.KEMPub}
	if crypto.VerifyPublicKeys(crypto.RecipientGroup, ag.ID, keys, creator.Keys, ag.KeysSig) != nil {
		return crypto.PublicKeys{}, tampered("group %s: keys not signed by its creator", ag.ID)
	}
	return keys, nil
}
