package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// A verification failure is scoped to the object that failed (docs/protocol.md
// §7.6): an organisation, group or vault whose data does not verify is
// quarantined — none of its data is shown or used, and the user is told
// what failed and who signed it — while everything else keeps working. A
// vault whose keys and items verify but whose manifest does not (a bad or
// missing signature, a validly signed manifest over the wrong items) can be
// repaired by a member who may edit it, who signs a new manifest over the
// items as this device verified them (RepairVault).

// Kinds of quarantined objects.
const (
	KindOrg   = "organisation"
	KindGroup = "group"
	KindVault = "vault"
)

// Quarantine is an object whose data from the server failed verification.
type Quarantine struct {
	_       [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Kind    string    // KindOrg, KindGroup or KindVault
	ID      string
	OrgID   string // for groups and organisation vaults
	OrgName string // the organisation's name as this client verified it, if any
	// Name is the object's name as this client last verified it ("" if it
	// never did), never a name from the data that failed.
	Name string
	// Reason says what failed, without secret data.
	Reason string
	// SignerID is the account that signed what failed — as the server
	// named it, unless SignerVerified (the signature verified, as for a
	// validly signed manifest over the wrong items) — and Signer its
	// roster-verified e-mail address when it is a (former) member this
	// client knows ("" otherwise).
	SignerID       string
	Signer         string
	SignerVerified bool
	// Repairable: the vault's keys opened and no item was rolled back, so a
	// member who may edit it can repair it: its manifest, and items that
	// fail verification by dropping them (RepairOptions).
	Repairable bool
}

// Label names the quarantined object for people: its kind and name (or id).
func (q Quarantine) Label() string {
	return q.Kind + " " + q.Ref()
}

// Path names the quarantined object as commands take it: My Vault,
// ORG/NAME or NAME, or its id when this client never verified its name.
func (q Quarantine) Path() string {
	switch {
	case q.Kind == KindVault && q.OrgID == "":
		return "My Vault"
	case q.Name == "":
		return sanitize(q.ID, 40)
	case q.Kind == KindVault && q.OrgName != "":
		return sanitize(q.OrgName, 80) + "/" + sanitize(q.Name, 80)
	}
	return sanitize(q.Name, 80)
}

// Ref is Path quoted for a command line (an id needs no quotes).
func (q Quarantine) Ref() string {
	if q.Name == "" && (q.Kind != KindVault || q.OrgID != "") {
		return q.Path()
	}
	return fmt.Sprintf("%q", q.Path())
}

// Describe is one line saying what is quarantined, why, and who signed it.
func (q Quarantine) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is quarantined: %s", q.Label(), sanitize(strings.TrimPrefix(q.Reason, ErrTampered.Error()+" "), 240))
	who := "signed by"
	if !q.SignerVerified {
		who = "claimed to be signed by" // the server named the signer
	}
	switch {
	case q.Signer != "":
		fmt.Fprintf(&b, " (%s %s)", who, sanitize(q.Signer, 120))
	case q.SignerID != "":
		fmt.Fprintf(&b, " (%s account %s)", who, sanitize(q.SignerID, 40))
	}
	if q.Repairable {
		fmt.Fprintf(&b, "; a member who may edit it can repair it: coffer vault repair %s", q.Ref())
	}
	return b.String()
}

// QuarantineError is what Sync returns when some objects failed
// verification: everything else was synced and can be used; the
// quarantined objects' data is not. It is ErrTampered for errors.Is.
type QuarantineError struct {
	Quarantined []Quarantine
}

func (e *QuarantineError) Error() string {
	parts := make([]string, len(e.Quarantined))
	for i, q := range e.Quarantined {
		parts[i] = q.Describe()
	}
	return "tampering detected; " + strings.Join(parts, "; ")
}

func (e *QuarantineError) Unwrap() error { return ErrTampered }

// IsQuarantine reports whether err only says that some objects were
// quarantined (the rest of the sync was applied).
func IsQuarantine(err error) bool {
	var qe *QuarantineError
	return errors.As(err, &qe)
}

// heldVault is a quarantined vault whose keys opened: its verified items,
// kept apart (never listed) for a repair.
type heldVault struct {
	vault  *Vault
	served uint64 // the manifest version the server holds
	items  []*Item
}

// Quarantined lists the objects the last sync quarantined: organisations
// first, then groups, then vaults, each by label.
func (s *Session) Quarantined() []Quarantine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quarantinedLocked()
}

func (s *Session) quarantinedLocked() []Quarantine {
	out := make([]Quarantine, 0, len(s.quarantine))
	for _, q := range s.quarantine {
		out = append(out, q)
	}
	rank := map[string]int{KindOrg: 0, KindGroup: 1, KindVault: 2}
	sort.Slice(out, func(i, j int) bool {
		if rank[out[i].Kind] != rank[out[j].Kind] {
			return rank[out[i].Kind] < rank[out[j].Kind]
		}
		return out[i].Label() < out[j].Label()
	})
	return out
}

// quarantineLocked records q. An object that fails more than once keeps
// every reason, and is repairable only if every failure is: a vault whose
// manifest and an item both fail must not be "repaired" by a manifest that
// drops the item.
func (s *Session) quarantineLocked(q Quarantine) {
	if q.OrgName == "" {
		if o := s.orgs[q.OrgID]; o != nil {
			q.OrgName = o.Name
		} else if o := s.prev.orgs[q.OrgID]; o != nil {
			q.OrgName = o.Name
		}
	}
	old, dup := s.quarantine[q.ID]
	if !dup {
		s.quarantine[q.ID] = q
		return
	}
	if !strings.Contains(old.Reason, q.Reason) {
		old.Reason += "; " + q.Reason
	}
	old.Repairable = old.Repairable && q.Repairable
	if old.SignerID == "" {
		old.SignerID, old.Signer, old.SignerVerified = q.SignerID, q.Signer, q.SignerVerified
	}
	s.quarantine[q.ID] = old
}

func (s *Session) isQuarantinedLocked(id string) bool {
	_, ok := s.quarantine[id]
	return ok
}

// knownName is the name this session last verified for an object, if any.
// The caller holds s.mu; the maps of the sync in progress are checked
// first, then those of the last verified sync.
func (s *Session) knownName(kind, id string) string {
	switch kind {
	case KindOrg:
		if o := s.prev.orgs[id]; o != nil {
			return o.Name
		}
	case KindGroup:
		if g := s.prev.groups[id]; g != nil {
			return g.Name
		}
	case KindVault:
		if v := s.vaults[id]; v != nil {
			return v.Name
		}
		if v := s.prev.vaults[id]; v != nil {
			return v.Name
		}
	}
	return ""
}

// accountName is a member's roster-verified e-mail address ("" if this
// session knows no member with that id). The caller holds s.mu.
func (s *Session) accountName(userID string) string {
	if userID == s.Profile.UserID {
		return s.Profile.Email + " (you)"
	}
	email, former := s.memberEmailLocked(userID)
	if former {
		email += " (a former member)"
	}
	return email
}

// quarantineVaultLocked quarantines a vault; signerID is who signed (or,
// unless verified, who the server says signed) what failed. The caller
// holds s.mu.
func (s *Session) quarantineVaultLocked(v api.Vault, err error, signerID string, verified, repairable bool) {
	s.quarantineLocked(Quarantine{Kind: KindVault, ID: v.ID, OrgID: v.OrgID, Name: s.knownName(KindVault, v.ID), Reason: err.Error(),
		SignerID: signerID, Signer: s.accountName(signerID), SignerVerified: verified, Repairable: repairable})
}

// errRollback marks an item served at an older head than this device saw.
var errRollback = errors.New("rollback")

// RepairOptions say what a repair may drop.
type RepairOptions struct {
	// AcceptChanges: what the server now serves differently from what
	// this device last verified in the vault — items no longer served, or
	// in another trash state — was done on purpose.
	AcceptChanges bool
	// DropFailing: purge, for everyone, the vault's items that fail
	// verification (say, an insider's item under a key commitment that
	// does not match its key), so that the rest can be vouched for.
	DropFailing bool
}

// errUnreadableContent: a revision's signature and encryption verified,
// but its content is not what a Coffer client writes (an insider's own
// client, say). It is scoped like tampering.
var errUnreadableContent = errors.New("content this client cannot read")

// quarantineError returns the sync's outcome: nil, or a QuarantineError
// listing what was quarantined. The caller holds s.mu.
func (s *Session) quarantineError() error {
	if len(s.quarantine) == 0 {
		return nil
	}
	return &QuarantineError{Quarantined: s.quarantinedLocked()}
}

// quarantinedLookupErr explains that ref names (or may be in) a quarantined
// vault; nil if no vault is quarantined. The caller holds s.mu.
func (s *Session) quarantinedLookupErr(what, ref string) error {
	var qs []string
	for _, q := range s.quarantinedLocked() {
		qs = append(qs, q.Label())
	}
	if len(qs) == 0 {
		return nil
	}
	return fmt.Errorf("%s %q was not found among the data that verified (quarantined: %s): %w", what, sanitize(ref, 80), strings.Join(qs, ", "), ErrTampered)
}

// RepairResult is what a repair vouched for.
type RepairResult struct {
	Vault  *Vault
	Items  int      // items the new manifest lists
	Purged []string // items purged with the repair (DropFailing), by id
}

// RepairVault restores a quarantined vault to the state this device
// verified: it signs the vault's next manifest over its items exactly as
// they verified (each item's head, head hash and trash state) and stores it
// with PUT /vaults/{id}/manifest, which needs edit permission (every edit
// signs the vault's whole manifest anyway). It refuses a vault whose keys
// did not verify or one of whose items was rolled back (a manifest cannot
// vouch for those) and a server that rolled the manifest back.
//
// Where the server now serves the vault differently from what this device
// last verified — an item no longer served, or one in another trash state
// — the repair would make that the truth for every reader: unless
// opt.AcceptChanges (the user knows they were made on purpose),
// RepairVault refuses and names them; the server may be hiding or flipping
// them. Items that fail verification are purged with the repair only with
// opt.DropFailing; otherwise RepairVault refuses and names them.
func (s *Session) RepairVault(ctx context.Context, ref string, opt RepairOptions) (*RepairResult, error) {
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	var q Quarantine
	var found bool
	for _, c := range s.quarantine {
		if c.Kind == KindVault && s.quarantineNamedLocked(c, ref) {
			if found {
				s.mu.Unlock()
				return nil, fmt.Errorf("vault %q: %w", sanitize(ref, 80), ErrAmbiguous)
			}
			q, found = c, true
		}
	}
	h := s.held[q.ID]
	if h != nil {
		// A repair vouches for the held items: their signatures first
		// (a full sync may have left them, §16.7).
		if err := s.settleLocked(h.items...); err != nil {
			s.mu.Unlock()
			return nil, fmt.Errorf("%w (sync again: the vault's items are then checked one by one)", err)
		}
	}
	seen := s.manifestSeen[q.ID]
	var missing, flipped, failing []string
	if h != nil {
		served := map[string]bool{}
		for _, it := range h.items {
			served[it.ID] = true
			if s.itemVault[it.ID] == q.ID && it.Trashed != s.itemTrashed[it.ID] {
				flipped = append(flipped, fmt.Sprintf("%q now %s", sanitize(it.Content.Name, 60), trashWord(it.Trashed)))
			}
		}
		for id := range s.failing[q.ID] {
			served[id] = true // served, but failed: see below
			failing = append(failing, id)
		}
		for id, v := range s.itemVault {
			if v == q.ID && !served[id] {
				missing = append(missing, id)
			}
		}
		sort.Strings(missing)
		sort.Strings(flipped)
		sort.Strings(failing)
	}
	s.mu.Unlock()
	switch {
	case !found:
		return nil, fmt.Errorf("vault %q is not quarantined on this device (only a quarantined vault needs a repair): %w", sanitize(ref, 80), ErrNotFound)
	case !q.Repairable || h == nil:
		return nil, fmt.Errorf("%s cannot be repaired with a new manifest: %s", q.Label(), q.Reason)
	case h.vault.Permission == "view":
		return nil, fmt.Errorf("%w (a repair signs the vault's manifest, which needs edit permission)", ErrReadOnly)
	case h.served+1 <= seen:
		return nil, tampered("vault %s: the server holds manifest version %d, older than version %d this device saw (rollback); not repairing", q.ID, h.served, seen)
	case (len(missing) > 0 || len(flipped) > 0) && !opt.AcceptChanges:
		var what []string
		if len(missing) > 0 {
			what = append(what, fmt.Sprintf("%d item(s) this device saw in it are no longer served (%s)", len(missing), firstIDs(missing)))
		}
		if len(flipped) > 0 {
			what = append(what, fmt.Sprintf("%d item(s) are served in another trash state than this device saw (%s)", len(flipped), firstIDs(flipped)))
		}
		return nil, fmt.Errorf("%w: not repairing %s: %s; the repair would make that so for every reader — repair anyway only if it was done on purpose (--accept-changes)",
			ErrTampered, q.Label(), strings.Join(what, "; "))
	case len(failing) > 0 && !opt.DropFailing:
		return nil, fmt.Errorf("%w: not repairing %s: %d item(s) in it fail verification (%s); a repair can only purge them, for everyone (--drop-failing)",
			ErrTampered, q.Label(), len(failing), firstIDs(failing))
	}
	if !opt.DropFailing {
		failing = nil
	}
	entries := make([]crypto.ManifestEntry, len(h.items))
	for i, it := range h.items {
		entries[i] = it.manifestEntry()
	}
	a, m, err := signManifest(s.id, s.Profile.UserID, h.vault.OrgID, h.vault.ID, h.served+1, entries, s.opt.now().UnixMilli())
	if err != nil {
		return nil, err
	}
	if err := s.t.do(ctx, "PUT", "/vaults/"+url.PathEscape(h.vault.ID)+"/manifest", api.RepairManifestRequest{Manifest: a, Purge: failing}, nil); err != nil {
		return nil, forbidden(err)
	}
	s.recordManifests(pendingManifest{a, m})
	err = s.syncLocked(ctx)
	s.mu.Lock()
	v, ok := s.vaults[h.vault.ID]
	s.mu.Unlock()
	if !ok {
		if err == nil || IsQuarantine(err) {
			err = fmt.Errorf("vault %s is still not readable after the repair", h.vault.ID)
		}
		return nil, err
	}
	c := *v
	return &RepairResult{Vault: &c, Items: len(entries), Purged: failing}, nil
}

func trashWord(trashed bool) string {
	if trashed {
		return "in the trash"
	}
	return "out of the trash"
}

// refresh syncs where a quarantine is not the caller's failure — after one
// of the session's own writes, or in Watch (which tells of it as a change):
// Quarantined lists it.
func (s *Session) refresh(ctx context.Context) error {
	if err := s.Sync(ctx); err != nil && !IsQuarantine(err) {
		return err
	}
	return nil
}

// flushQuarantineNotices reports objects quarantined since the last
// report (and forgets those that recovered, so a relapse is told again).
func (s *Session) flushQuarantineNotices(fn func(Change)) {
	s.mu.Lock()
	if s.toldQuarantine == nil {
		s.toldQuarantine = map[string]bool{}
	}
	var out []Change
	for _, q := range s.quarantinedLocked() {
		if !s.toldQuarantine[q.ID] {
			s.toldQuarantine[q.ID] = true
			out = append(out, Change{Kind: "quarantine", VaultID: vaultIDOf(q), Text: q.Describe()})
		}
	}
	for id := range s.toldQuarantine {
		if _, still := s.quarantine[id]; !still {
			delete(s.toldQuarantine, id)
		}
	}
	s.mu.Unlock()
	for _, c := range out {
		fn(c)
	}
}

func vaultIDOf(q Quarantine) string {
	if q.Kind == KindVault {
		return q.ID
	}
	return ""
}

// quarantineNamedLocked reports whether ref names the quarantined vault q:
// its id, "My Vault", or ORG/NAME (or NAME) as last verified. The caller
// holds s.mu.
func (s *Session) quarantineNamedLocked(q Quarantine, ref string) bool {
	switch {
	case q.ID == ref:
		return true
	case q.OrgID == "":
		return strings.EqualFold(ref, "My Vault")
	case q.Name == "":
		return false
	case strings.EqualFold(q.Name, ref):
		return true
	}
	return q.OrgName != "" && strings.EqualFold(q.OrgName+"/"+q.Name, ref)
}

// firstIDs lists up to ten ids, for a message.
func firstIDs(ids []string) string {
	if len(ids) > 10 {
		return strings.Join(ids[:10], ", ") + ", …"
	}
	return strings.Join(ids, ", ")
}
