package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Ownership transfer (docs/protocol.md §18.5). The owner offers the
// organisation to a confirmed member: a signed offer over the current
// roster version and the member's roster-pinned fingerprint, and every key
// of the owner's role wrapped to them. The member accepts by signing the
// next roster as its owner. Every member's client follows: a roster signed
// by another owner than the pinned one is accepted only through a chain of
// offers, each signed by the owner before, and the keyring then pins the
// new owner.

// ErrNoOffer: the organisation is not offered to this account (no open
// offer, or another one than the one looked at). It is ErrNotFound's kind
// (exit 6 in the CLI).
var ErrNoOffer = fmt.Errorf("no open ownership offer (%w)", ErrNotFound)

// TransferResult says what an accepted transfer changed.
type TransferResult struct {
	_       [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	OrgID   string
	OrgName string
	// Vaults: how many organisation vaults the new owner now manages.
	Vaults int
	// RecoveryWasOn: account recovery was on; a transfer turns it off (the
	// recovery key was the old owner's) and drops every enrolment.
	RecoveryWasOn bool
}

// followOwner re-pins an organisation whose roster another owner than the
// pinned one signs, if the accepted transfers the server serves lead from
// the pinned owner to it, each offer signed by the owner before over a
// roster version no lower than this device has seen of the organisation;
// otherwise it notes why not (the organisation is then quarantined). Only
// a failure to write the keyring is an error.
func (s *Session) followOwner(ctx context.Context, ao api.Org, f *orgFetch) error {
	pin, ok := f.keyring.Orgs[ao.ID]
	if !ok || pin.OwnerID == ao.OwnerID {
		return nil
	}
	s.mu.Lock()
	seen := s.rosterSeen[ao.ID]
	s.mu.Unlock()
	next, via, err := followTransfers(ao, pin, seen)
	if err != nil {
		f.transfer[ao.ID] = err.Error()
		return nil
	}
	if err := s.repinOrg(ctx, ao.ID, pin, next, via...); err != nil {
		return err
	}
	next.Name = pin.Name
	next.FormerOwners = append(append(append([]string(nil), pin.FormerOwners...), pin.OwnerID), via...)
	f.keyring.Orgs[ao.ID] = next
	return nil
}

// followTransfers walks the accepted transfers from the pinned owner to
// the organisation's current owner and returns the pin of the latter, and
// the owners in between.
func followTransfers(ao api.Org, pin pinnedOrg, seen uint64) (pinnedOrg, []string, error) {
	cur, floor := pin, seen
	var via []string
	for hops := 0; cur.OwnerID != ao.OwnerID; hops++ {
		if hops > len(ao.Transfers) {
			return pin, nil, errors.New("the transfers go round in a circle")
		}
		var t *api.OwnerTransfer
		for i := range ao.Transfers {
			c := &ao.Transfers[i]
			if c.OldOwnerID == cur.OwnerID && c.RosterVersion >= floor && (t == nil || c.RosterVersion < t.RosterVersion) {
				t = c
			}
		}
		if t == nil {
			return pin, nil, fmt.Errorf("no transfer from %s at roster version %d or later", cur.OwnerID, floor)
		}
		offer := t.Offer(ao.ID)
		offer.OldOwnerID = cur.OwnerID
		if crypto.VerifyTransferOffer(cur.keys(), offer, t.Sig) != nil {
			return pin, nil, fmt.Errorf("the transfer to %s is not signed by the owner %s", t.NewOwnerID, cur.OwnerID)
		}
		keys := crypto.PublicKeys{Sign: bytesClone(t.NewOwner.SignPub), KEM: bytesClone(t.NewOwner.KEMPub)}
		if t.NewOwner.UserID != t.NewOwnerID || !crypto.Equal(keys.Fingerprint(), t.NewOwnerFingerprint) ||
			crypto.VerifyPublicKeys(crypto.RecipientUser, t.NewOwnerID, keys, keys, t.NewOwner.PublicKeysSig) != nil {
			return pin, nil, fmt.Errorf("the keys served for the new owner %s are not the ones the transfer names", t.NewOwnerID)
		}
		if cur.OwnerID != pin.OwnerID {
			via = append(via, cur.OwnerID)
		}
		cur = pinnedOrg{OwnerID: t.NewOwnerID, SignPub: keys.Sign, KEMPub: keys.KEM, OwnerEmail: strings.ToLower(t.NewOwner.Email)}
		floor = t.RosterVersion + 1
	}
	if ao.Roster.Version < floor {
		return pin, nil, fmt.Errorf("the roster (version %d) is not newer than the transfer", ao.Roster.Version)
	}
	return cur, via, nil
}

// ownerRank places userID among the organisation's owners: 0 for the
// first of its former owners, …, len(former owners) for the current owner;
// -1 for someone who never owned it.
func (o *Org) ownerRank(userID string) int {
	if userID == o.OwnerID {
		return len(o.formerOwners)
	}
	for i, id := range o.formerOwners {
		if id == userID {
			return i
		}
	}
	return -1
}

// openOffer notes an open offer the server shows this account, if the
// owner signed it over the current roster. The caller holds s.mu.
func (s *Session) openOffer(o *Org, ao api.Org, pin pinnedOrg) {
	t := ao.Offer
	if t == nil || t.OldOwnerID != ao.OwnerID || t.RosterVersion != ao.Roster.Version {
		return
	}
	if crypto.VerifyTransferOffer(pin.keys(), t.Offer(ao.ID), t.Sig) != nil {
		s.warn("organisation %s: ignored an ownership offer its owner did not sign", ao.ID)
		return
	}
	o.OfferedTo, o.OfferedAt, o.offer = t.NewOwnerID, t.OfferedAt, t
}

// OfferOwnership offers the organisation, which this account owns, to a
// confirmed member (by e-mail), replacing any open offer: the offer is
// signed over the current roster and the member's roster-pinned keys, and
// every key of the owner's role is wrapped to them — every epoch of the
// organisation key, of every organisation group's key and of every
// organisation vault's key this account holds (never a private group's).
func (s *Session) OfferOwnership(ctx context.Context, orgRef, email string) (Member, error) {
	o, err := s.requireOwner(orgRef)
	if err != nil {
		return Member{}, err
	}
	m, err := s.memberByEmail(o.ID, email)
	if err != nil {
		return Member{}, err
	}
	me := s.Profile.UserID
	if m.UserID == me {
		return Member{}, fmt.Errorf("%w: you own %s already", ErrNotAllowed, sanitize(o.Name, 100))
	}
	if _, gone := o.departed[m.UserID]; gone {
		return Member{}, fmt.Errorf("%s left the organisation: %w", sanitize(m.Email, 100), ErrNotFound)
	}
	// The offer moves the roster on (members unchanged): an offer made
	// before — withdrawn or replaced — names a version behind it, which
	// members who saw this one refuse to follow (§18.5).
	roster := s.signRoster(o, nil, "")
	heads, err := s.transferHeads(o.ID)
	if err != nil {
		return Member{}, err
	}
	req := api.TransferOfferRequest{NewOwnerID: m.UserID, Roster: roster, RosterVersion: roster.Version, NewOwnerFingerprint: m.Keys.Fingerprint(),
		RecordHeads: heads, OrgWraps: []api.KeyWrap{}, GroupWraps: []api.GroupKeyWrap{}, VaultWraps: []api.VaultKeyWrap{}}
	req.Sig, err = s.id.SignTransferOffer(crypto.TransferOffer{OrgID: o.ID, RosterVersion: roster.Version, OldOwnerID: me, NewOwnerID: m.UserID,
		NewOwnerFingerprint: req.NewOwnerFingerprint, RecordHeads: heads})
	if err != nil {
		return Member{}, err
	}
	wrap := func(c crypto.KeyWrapContext, key []byte) ([]byte, []byte, error) {
		c.RecipientKind, c.RecipientID, c.Recipient = crypto.RecipientUser, m.UserID, m.Keys
		return crypto.WrapKey(s.id, me, c, key)
	}
	s.mu.Lock()
	type groupKey struct {
		id    string
		epoch uint64
		seeds []byte
	}
	var groupKeys []groupKey
	groupVaults := map[string]bool{}
	for _, g := range s.groups {
		if g.OrgID != o.ID {
			continue
		}
		if g.VaultID != "" {
			groupVaults[g.VaultID] = true
		}
		if g.Private {
			continue
		}
		for e, gid := range g.ids {
			groupKeys = append(groupKeys, groupKey{g.ID, e, gid.PrivateSeeds()})
		}
	}
	type vaultKey struct {
		id    string
		epoch uint64
		key   []byte
	}
	var vaultKeys []vaultKey
	for _, v := range s.vaults {
		if v.OrgID != o.ID || v.Kind != "org" || groupVaults[v.ID] {
			continue
		}
		for e := uint64(1); e <= v.Epoch; e++ {
			if k, ok := s.vaultKeys[epochKey{v.ID, e}]; ok {
				vaultKeys = append(vaultKeys, vaultKey{v.ID, e, k})
			}
		}
	}
	s.mu.Unlock()
	defer func() {
		for _, g := range groupKeys {
			clear(g.seeds)
		}
	}()
	for e, key := range o.keys {
		w, sig, err := wrap(crypto.KeyWrapContext{Kind: crypto.KindOrgKey, OrgID: o.ID, ObjectID: o.ID, Epoch: e}, key)
		if err != nil {
			return Member{}, err
		}
		req.OrgWraps = append(req.OrgWraps, api.KeyWrap{Epoch: e, MemberID: m.UserID, SignerID: me, Wrap: w, Sig: sig})
	}
	for _, g := range groupKeys {
		w, sig, err := wrap(crypto.KeyWrapContext{Kind: crypto.KindGroupKey, OrgID: o.ID, ObjectID: g.id, Epoch: g.epoch}, g.seeds)
		if err != nil {
			return Member{}, err
		}
		req.GroupWraps = append(req.GroupWraps, api.GroupKeyWrap{GroupID: g.id, KeyWrap: api.KeyWrap{Epoch: g.epoch, MemberID: m.UserID, SignerID: me, Wrap: w, Sig: sig}})
	}
	for _, v := range vaultKeys {
		w, sig, err := wrap(crypto.VaultKeyContext(o.ID, v.id, v.epoch, "", "", crypto.PublicKeys{}), v.key)
		if err != nil {
			return Member{}, err
		}
		req.VaultWraps = append(req.VaultWraps, api.VaultKeyWrap{VaultID: v.id, Epoch: v.epoch, RecipientKind: crypto.RecipientUser, RecipientID: m.UserID, SignerID: me, Wrap: w, Sig: sig})
	}
	stmt := s.statement(o.ID, api.AuditTransferOffer, api.TargetTransfer(m.UserID))
	if err := s.t.doStated(ctx, "PUT", "/orgs/"+url.PathEscape(o.ID)+"/transfer", stmt, req, nil); err != nil {
		return Member{}, err
	}
	return m, s.refresh(ctx)
}

// WithdrawOwnershipOffer withdraws the open offer of an organisation this
// account owns; ErrNoOffer if there is none.
func (s *Session) WithdrawOwnershipOffer(ctx context.Context, orgRef string) error {
	o, err := s.requireOwner(orgRef)
	if err != nil {
		return err
	}
	if o.OfferedTo == "" {
		return fmt.Errorf("%w of %s", ErrNoOffer, sanitize(o.Name, 100))
	}
	stmt := s.statement(o.ID, api.AuditTransferWithdraw, api.TargetTransfer(o.OfferedTo))
	// The roster moves on with the withdrawal: the withdrawn offer names
	// a version behind it (§18.5).
	req := api.WithdrawTransferRequest{Roster: s.signRoster(o, nil, "")}
	if err := s.t.doStated(ctx, "DELETE", "/orgs/"+url.PathEscape(o.ID)+"/transfer", stmt, req, nil); err != nil {
		return noOffer(err)
	}
	return s.refresh(ctx)
}

// transferHeads commits to the newest verified epoch record of every
// vault an offer of the organisation hands over (the organisation vaults
// this account opens, not private groups' vaults): the new owner signs
// its records on top of exactly those (§18.5).
func (s *Session) transferHeads(orgID string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	groupVaults := map[string]bool{}
	for _, g := range s.groups {
		if g.OrgID == orgID && g.VaultID != "" {
			groupVaults[g.VaultID] = true
		}
	}
	var heads []crypto.RecordHead
	for _, v := range s.vaults {
		if v.OrgID != orgID || v.Kind != "org" || groupVaults[v.ID] {
			continue
		}
		c := s.chains[v.ID]
		if c == nil || c.err != nil {
			return nil, fmt.Errorf("%w: vault %s has no verified epoch records (quarantined?): ownership cannot be handed over with it", ErrNotAllowed, sanitize(v.Name, 100))
		}
		heads = append(heads, crypto.RecordHead{ObjectID: v.ID, Version: c.latest.Version, Hash: c.hash})
	}
	return crypto.TransferHeads(heads), nil
}

func noOffer(err error) error {
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == api.CodeNoOffer {
		return fmt.Errorf("%w: %s", ErrNoOffer, sanitize(ae.Message, 200))
	}
	return err
}

// AcceptOwnership accepts the open offer of an organisation to this
// account: the offer must be signed by the pinned owner over the roster
// this account holds and name this account's own keys. It signs the next
// roster as owner (the same members; the old owner an ordinary member),
// and for every vault handed over its next epoch record with this account
// as a manager, then re-pins the organisation with this account as owner.
func (s *Session) AcceptOwnership(ctx context.Context, orgRef string) (*TransferResult, error) {
	o, err := s.FindOrg(orgRef)
	if err != nil {
		return nil, err
	}
	me := s.Profile.UserID
	if o.OwnerID == me {
		return nil, fmt.Errorf("%w: you own %s already", ErrNotAllowed, sanitize(o.Name, 100))
	}
	var resp api.TransferOffer
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(o.ID)+"/transfer", nil, &resp); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == 404 {
			return nil, fmt.Errorf("%w: %s is not offered to you", ErrNoOffer, sanitize(o.Name, 100))
		}
		return nil, err
	}
	t := resp.Offer
	if t.NewOwnerID != me {
		return nil, fmt.Errorf("%w: %s is offered to someone else", ErrNoOffer, sanitize(o.Name, 100))
	}
	kr, err := s.loadKeyring(ctx)
	if err != nil {
		return nil, err
	}
	pin, ok := kr.Orgs[o.ID]
	if !ok || pin.OwnerID != o.OwnerID {
		return nil, tampered("organisation %s: its owner is not the one pinned", o.ID)
	}
	if t.NewOwnerID != me || t.OldOwnerID != o.OwnerID || crypto.VerifyTransferOffer(pin.keys(), t.Offer(o.ID), t.Sig) != nil {
		return nil, tampered("organisation %s: the ownership offer is not signed by its owner", o.ID)
	}
	if !crypto.Equal(t.NewOwnerFingerprint, s.id.Public().Fingerprint()) {
		return nil, tampered("organisation %s: the ownership offer names other keys than this account's", o.ID)
	}
	if t.RosterVersion != o.rosterVersion {
		return nil, fmt.Errorf("%w: the offer is for roster version %d and the organisation's roster is at %d; the owner must offer again", ErrNoOffer, t.RosterVersion, o.rosterVersion)
	}
	oldOwner, ok := s.memberKeys(o.ID)[t.OldOwnerID]
	if !ok {
		return nil, tampered("organisation %s: its owner is not in its roster", o.ID)
	}
	// The vault keys handed over, checked: signed by the owner, to this
	// account, each epoch as the vault's records commit to it.
	vaultKeys := map[epochKey][]byte{}
	for _, w := range resp.VaultWraps {
		if w.RecipientKind != crypto.RecipientUser || w.RecipientID != me || w.SignerID != t.OldOwnerID {
			return nil, tampered("organisation %s: a vault key in the offer is not the owner's to this account", o.ID)
		}
		c := crypto.VaultKeyContext(o.ID, w.VaultID, w.Epoch, crypto.RecipientUser, me, crypto.PublicKeys{})
		vk, err := crypto.OpenKey(s.id, oldOwner.Keys, t.OldOwnerID, c, w.Wrap, w.Sig, crypto.KeySize)
		if err != nil {
			return nil, tampered("organisation %s: vault key of %s in the offer", o.ID, w.VaultID)
		}
		vaultKeys[epochKey{w.VaultID, w.Epoch}] = vk
	}
	// The records the acceptance follows are the ones the old owner
	// verified and signed the heads of — not whatever the server serves
	// now (a stale record could list a grantee revoked since).
	var heads []crypto.RecordHead
	for _, tv := range resp.Vaults {
		if tv.Record == nil {
			continue
		}
		cr, err := tv.Record.Signed()
		if err != nil {
			return nil, tampered("vault %s: its epoch record", tv.ID)
		}
		heads = append(heads, crypto.RecordHead{ObjectID: tv.ID, Version: tv.Record.Version, Hash: crypto.EpochRecordHash(cr, tv.Record.Sig)})
	}
	if !crypto.Equal(crypto.TransferHeads(heads), t.RecordHeads) {
		return nil, fmt.Errorf("%w: the vaults' epoch records are not the ones the offer names (they changed since, or the server altered them); the owner must offer again", ErrNoOffer)
	}
	roster, cm := s.rosterWith(o, nil, "")
	v := o.rosterVersion + 1
	req := api.AcceptTransferRequest{Roster: api.Roster{Version: v, Members: roster, Sig: s.id.SignRoster(o.ID, v, me, cm)}, OfferSig: t.Sig, Records: []api.EpochRecord{}}
	self := userRecipient(me, s.id.Public(), "manage")
	for _, tv := range resp.Vaults {
		vk := vaultKeys[epochKey{tv.ID, tv.Epoch}]
		if vk == nil {
			return nil, tampered("organisation %s: the offer lacks the current key of vault %s", o.ID, tv.ID)
		}
		prev := tv.Record
		if prev == nil {
			continue // a vault made before epoch records: none to follow
		}
		if prev.ObjectID != tv.ID || prev.OrgID != o.ID || prev.Kind != crypto.RecordVault || prev.Epoch != tv.Epoch {
			return nil, tampered("vault %s: its epoch record is not the vault's", tv.ID)
		}
		cr, err := prev.Signed()
		if err != nil {
			return nil, tampered("vault %s: its epoch record", tv.ID)
		}
		s.mu.Lock()
		signer, known := s.signerKeys(o.ID, prev.SignerID)
		s.mu.Unlock()
		if !known || crypto.VerifyEpochRecord(signer.Keys, cr, prev.Sig) != nil {
			return nil, tampered("vault %s: its newest epoch record is not signed by a member", tv.ID)
		}
		if !crypto.Equal(prev.KeyCommit, crypto.EpochKeyCommit(vk)) {
			return nil, tampered("vault %s: the key in the offer is not the one its record commits to", tv.ID)
		}
		recipients := []crypto.RecordRecipient{self}
		for _, r := range prev.Recipients {
			if r.Kind == crypto.RecipientUser && r.ID == me {
				continue
			}
			recipients = append(recipients, crypto.RecordRecipient{Kind: r.Kind, ID: r.ID, Fingerprint: r.Fingerprint, Permission: r.Permission})
		}
		st := recordState{orgID: o.ID, kind: prev.Kind, objectID: tv.ID, epoch: prev.Epoch, keyCommit: prev.KeyCommit, metaEpoch: prev.MetaEpoch,
			meta: tv.Meta, recipients: recipients}
		rec, err := s.signRecord(st, prev, crypto.EpochRecordHash(cr, prev.Sig))
		if err != nil {
			return nil, err
		}
		req.Records = append(req.Records, rec)
	}
	// What the result reports: recovery and open invitations end.
	res := &TransferResult{OrgID: o.ID, OrgName: o.Name, Vaults: len(resp.Vaults)}
	var rec api.OrgRecovery
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(o.ID)+"/recovery", nil, &rec); err == nil {
		res.RecoveryWasOn = rec.Enabled
	}
	stmt := s.statement(o.ID, api.AuditTransferAccept, api.TargetTransfer(me))
	if err := s.t.doStated(ctx, "POST", "/orgs/"+url.PathEscape(o.ID)+"/transfer/accept", stmt, req, nil); err != nil {
		if isTwoFactorRequired(err) {
			return nil, ErrNewOwnerNeedsTwoFactor
		}
		return nil, noOffer(err)
	}
	// This account pins itself now; its other devices (and every member)
	// follow through the accepted offer at their next sync.
	if err := s.repinOrg(ctx, o.ID, pin, pinnedOrg{OwnerID: me, SignPub: s.id.Public().Sign, KEMPub: s.id.Public().KEM, OwnerEmail: strings.ToLower(s.Profile.Email)}); err != nil {
		return res, fmt.Errorf("you own %s now; pinning it in your keyring failed (done again at the next sync): %w", sanitize(o.Name, 100), err)
	}
	if err := s.refresh(ctx); err != nil {
		return res, err
	}
	return res, s.rotateAfter(ctx, "you own "+o.Name+" now")
}
