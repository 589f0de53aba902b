package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server/authz"
	"github.com/coffer-pm/coffer/internal/store"
)

// Ownership transfer (docs/protocol.md §18.5). The owner offers the
// organisation to a confirmed member with a signed offer and the keys of
// the owner's role wrapped to them; the member accepts by signing the
// next roster as its owner. The server stores the acceptance in one
// transaction, only while the offer is the open one and the roster still
// at its version, and keeps accepted offers: a member's client accepts a
// roster signed by another owner than it pinned only through them.

// maxTransferWraps bounds an offer's wraps (every epoch of every vault and
// group key of an organisation).
const maxTransferWraps = 50_000

func errNoOffer(msg string) error { return &httpError{http.StatusConflict, api.CodeNoOffer, msg, 0} }

func (s *Server) offerTransfer(w http.ResponseWriter, r *http.Request) error {
	var req api.TransferOfferRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.TransferOwnership)
	if err != nil {
		return err
	}
	me := s.userID(r)
	if err := checkID("new_owner_id", req.NewOwnerID); err != nil {
		return err
	}
	if req.NewOwnerID == me {
		return errBadRequest("you own the organisation already")
	}
	if role, err := s.store.OrgRole(r.Context(), o.ID, req.NewOwnerID); err != nil {
		return err
	} else if role != store.RoleMember {
		return errBadRequest("ownership can be offered only to a confirmed member of the organisation")
	}
	// The offer names the next roster, which moves on with it: an earlier
	// offer then names a version behind what members hold (§18.5).
	if req.RosterVersion != req.Roster.Version {
		return errBadRequest("roster_version must be the version of the roster the offer moves on to")
	}
	current, former := rosterSplit(o)
	next, err := s.checkRoster(r.Context(), o, req.Roster, current, former)
	if err != nil {
		return err
	}
	var roster []api.RosterMember
	json.Unmarshal(o.Roster, &roster)
	listed := false
	for _, m := range roster {
		listed = listed || (m.UserID == req.NewOwnerID && !m.Former && crypto.Equal(m.Fingerprint, req.NewOwnerFingerprint))
	}
	_, newOwner, err := s.accountKeys(r.Context(), req.NewOwnerID)
	if err != nil {
		return err
	}
	if !listed || !crypto.Equal(newOwner.Fingerprint(), req.NewOwnerFingerprint) {
		return errBadRequest("new_owner_fingerprint must be the member's keys as the signed roster lists them")
	}
	myKeys, err := s.callerKeys(r)
	if err != nil {
		return err
	}
	offer := crypto.TransferOffer{OrgID: o.ID, RosterVersion: req.RosterVersion, OldOwnerID: me, NewOwnerID: req.NewOwnerID, NewOwnerFingerprint: req.NewOwnerFingerprint, RecordHeads: req.RecordHeads}
	if len(req.Sig) != sigSize || crypto.VerifyTransferOffer(myKeys, offer, req.Sig) != nil {
		return errBadRequest("sig does not verify with your keys over the offer (docs/protocol.md §18.5)")
	}
	t, err := s.checkTransferWraps(r, o, req, myKeys, newOwner)
	if err != nil {
		return err
	}
	t.OrgID, t.RosterVersion, t.OldOwnerID, t.NewOwnerID, t.NewOwnerFingerprint, t.RecordHeads, t.Sig, t.OfferedAt =
		o.ID, req.RosterVersion, me, req.NewOwnerID, req.NewOwnerFingerprint, req.RecordHeads, req.Sig, s.now()
	if err := s.audit(r, o.ID, api.AuditTransferOffer, api.TargetTransfer(req.NewOwnerID)); err != nil {
		return err
	}
	if err := s.store.OfferTransfer(r.Context(), t, next); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errConflict("the member left the organisation meanwhile", 0)
		}
		return rosterConflict(err)
	}
	s.log.InfoContext(r.Context(), "ownership offered", "org", o.ID, "to", req.NewOwnerID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkTransferWraps checks an offer's wraps: each signed by the owner,
// addressed to the new owner at their keys, of an epoch the object has,
// once; organisation groups and vaults only (not private groups').
func (s *Server) checkTransferWraps(r *http.Request, o store.Org, req api.TransferOfferRequest, myKeys, newOwner crypto.PublicKeys) (store.OwnerTransfer, error) {
	var t store.OwnerTransfer
	if len(req.OrgWraps)+len(req.GroupWraps)+len(req.VaultWraps) > maxTransferWraps {
		return t, errBadRequest("an offer holds at most %d wraps", maxTransferWraps)
	}
	me, to := s.userID(r), req.NewOwnerID
	seen := map[string]bool{}
	once := func(kind, id string, epoch uint64) bool {
		k := fmt.Sprintf("%s:%s:%d", kind, id, epoch)
		if seen[k] {
			return false
		}
		seen[k] = true
		return true
	}
	check := func(c crypto.KeyWrapContext, wrap, sig []byte, size int) error {
		if len(wrap) != size || len(sig) != sigSize || crypto.VerifyKeyWrap(myKeys, me, c, wrap, sig) != nil {
			return errBadRequest("%s wrap of %s epoch %d: malformed, or not signed by you to the new owner", c.Kind, c.ObjectID, c.Epoch)
		}
		return nil
	}
	for _, kw := range req.OrgWraps {
		if kw.Epoch == 0 || kw.Epoch > o.KeyEpoch || kw.MemberID != to || kw.SignerID != me || !once("org", o.ID, kw.Epoch) {
			return t, errBadRequest("org_wraps: each an epoch of the organisation key, once, to the new owner, signed by you")
		}
		c := crypto.KeyWrapContext{Kind: crypto.KindOrgKey, OrgID: o.ID, ObjectID: o.ID, Epoch: kw.Epoch, RecipientKind: crypto.RecipientUser, RecipientID: to, Recipient: newOwner}
		if err := check(c, kw.Wrap, kw.Sig, vaultWrapSize); err != nil {
			return t, err
		}
		t.OrgWraps = append(t.OrgWraps, store.KeyWrap{ObjectID: o.ID, Epoch: kw.Epoch, MemberID: to, SignerID: me, Wrap: kw.Wrap, Sig: kw.Sig, CreatedAt: s.now()})
	}
	groups, err := s.store.GroupsInOrg(r.Context(), o.ID)
	if err != nil {
		return t, err
	}
	byID, groupVaults := map[string]store.Group{}, map[string]bool{}
	for _, g := range groups {
		byID[g.ID] = g
		if g.VaultID != "" {
			groupVaults[g.VaultID] = true
		}
	}
	for _, kw := range req.GroupWraps {
		g, ok := byID[kw.GroupID]
		if !ok || g.Private || kw.Epoch == 0 || kw.Epoch > g.Epoch || kw.MemberID != to || kw.SignerID != me || !once("group", g.ID, kw.Epoch) {
			return t, errBadRequest("group_wraps: each an epoch of an organisation group's key (not a private group's), once, to the new owner, signed by you")
		}
		c := crypto.KeyWrapContext{Kind: crypto.KindGroupKey, OrgID: o.ID, ObjectID: g.ID, Epoch: kw.Epoch, RecipientKind: crypto.RecipientUser, RecipientID: to, Recipient: newOwner}
		if err := check(c, kw.Wrap, kw.Sig, groupWrapSize); err != nil {
			return t, err
		}
		t.GroupWraps = append(t.GroupWraps, store.KeyWrap{ObjectID: g.ID, Epoch: kw.Epoch, MemberID: to, SignerID: me, Wrap: kw.Wrap, Sig: kw.Sig, CreatedAt: s.now()})
	}
	vaults := map[string]store.Vault{}
	for _, vw := range req.VaultWraps {
		v, ok := vaults[vw.VaultID]
		if !ok {
			if checkID("vault_id", vw.VaultID) != nil {
				return t, errBadRequest("vault_wraps: a vault id is not a UUID")
			}
			v, err = s.store.Vault(r.Context(), vw.VaultID)
			if errors.Is(err, store.ErrNotFound) {
				return t, errBadRequest("vault_wraps: no such vault %s", vw.VaultID)
			}
			if err != nil {
				return t, err
			}
			vaults[v.ID] = v
		}
		if v.OrgID != o.ID || v.Kind != store.VaultOrg || groupVaults[v.ID] || vw.Epoch == 0 || vw.Epoch > v.Epoch ||
			vw.RecipientKind != crypto.RecipientUser || vw.RecipientID != to || vw.SignerID != me || !once("vault", v.ID, vw.Epoch) {
			return t, errBadRequest("vault_wraps: each an epoch of an organisation vault's key (not a private group's), once, to the new owner, signed by you")
		}
		c := crypto.VaultKeyContext(o.ID, v.ID, vw.Epoch, crypto.RecipientUser, to, newOwner)
		if err := check(c, vw.Wrap, vw.Sig, vaultWrapSize); err != nil {
			return t, err
		}
		t.VaultWraps = append(t.VaultWraps, store.VaultKeyWrap{VaultID: v.ID, Epoch: vw.Epoch, RecipientKind: crypto.RecipientUser, RecipientID: to,
			SignerID: me, Wrap: vw.Wrap, Sig: vw.Sig, CreatedAt: s.now()})
	}
	return t, nil
}

// transferToAPI is an offer as members see it, with the new owner's keys.
func (s *Server) transferToAPI(ctx context.Context, t store.OwnerTransfer) (api.OwnerTransfer, error) {
	out := api.OwnerTransfer{RosterVersion: t.RosterVersion, OldOwnerID: t.OldOwnerID, NewOwnerID: t.NewOwnerID,
		NewOwnerFingerprint: t.NewOwnerFingerprint, RecordHeads: t.RecordHeads, Sig: t.Sig, OfferedAt: t.OfferedAt}
	if !t.Open() {
		at := t.AcceptedAt
		out.AcceptedAt = &at
	}
	a, err := s.store.AccountByID(ctx, t.NewOwnerID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return out, err
	}
	if err == nil {
		out.NewOwner = publicKeysToAPI(a)
	}
	return out, nil
}

// getTransfer answers the open offer to the owner and to the member it
// names (with what accepting needs); to anyone else it does not exist.
func (s *Server) getTransfer(w http.ResponseWriter, r *http.Request) error {
	o, role, err := s.orgFor(r, r.PathValue("org"), authz.SeeOrg)
	if err != nil {
		return err
	}
	me := s.userID(r)
	t, err := s.store.OpenTransfer(r.Context(), o.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && role != store.RoleOwner && t.NewOwnerID != me) {
		return errNotFound("open ownership offer")
	}
	if err != nil {
		return err
	}
	offer, err := s.transferToAPI(r.Context(), t)
	if err != nil {
		return err
	}
	out := api.TransferOffer{Offer: offer, OrgWraps: []api.KeyWrap{}, GroupWraps: []api.GroupKeyWrap{}, VaultWraps: []api.VaultKeyWrap{}, Vaults: []api.TransferVault{}}
	for _, kw := range t.OrgWraps {
		out.OrgWraps = append(out.OrgWraps, keyWrapToAPI(kw))
	}
	for _, kw := range t.GroupWraps {
		out.GroupWraps = append(out.GroupWraps, api.GroupKeyWrap{GroupID: kw.ObjectID, KeyWrap: keyWrapToAPI(kw)})
	}
	for _, vw := range t.VaultWraps {
		out.VaultWraps = append(out.VaultWraps, api.VaultKeyWrap{VaultID: vw.VaultID, Epoch: vw.Epoch, RecipientKind: vw.RecipientKind,
			RecipientID: vw.RecipientID, SignerID: vw.SignerID, Wrap: vw.Wrap, Sig: vw.Sig})
	}
	vaults, err := s.store.TransferredVaults(r.Context(), t)
	if err != nil {
		return err
	}
	for _, v := range vaults {
		tv := api.TransferVault{ID: v.ID, Epoch: v.Epoch, Meta: v.Meta}
		rec, err := s.store.LatestRecord(r.Context(), v.ID)
		switch {
		case err == nil:
			a := recordToAPI(rec)
			tv.Record = &a
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		out.Vaults = append(out.Vaults, tv)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) withdrawTransfer(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.TransferOwnership)
	if err != nil {
		return err
	}
	var req api.WithdrawTransferRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	current, former := rosterSplit(o)
	next, err := s.checkRoster(r.Context(), o, req.Roster, current, former)
	if err != nil {
		return err
	}
	t, err := s.store.OpenTransfer(r.Context(), o.ID)
	if errors.Is(err, store.ErrNotFound) {
		return errNoOffer("there is no open ownership offer to withdraw")
	}
	if err != nil {
		return err
	}
	if err := s.audit(r, o.ID, api.AuditTransferWithdraw, api.TargetTransfer(t.NewOwnerID)); err != nil {
		return err
	}
	if err := s.store.WithdrawTransfer(r.Context(), next); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNoOffer("the offer was accepted or withdrawn meanwhile")
		}
		return rosterConflict(err)
	}
	s.log.InfoContext(r.Context(), "ownership offer withdrawn", "org", o.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// acceptTransfer makes the caller the owner, if the open offer names them:
// its roster (the offer's version + 1) must list exactly the members and
// former members of the offer's version, signed by the caller as owner.
func (s *Server) acceptTransfer(w http.ResponseWriter, r *http.Request) error {
	var req api.AcceptTransferRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, role, err := s.orgFor(r, r.PathValue("org"), authz.SeeOrg)
	if err != nil {
		return err
	}
	me := s.userID(r)
	t, err := s.store.OpenTransfer(r.Context(), o.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (t.NewOwnerID != me || role != store.RoleMember)) {
		return errNoOffer("the organisation is not offered to you")
	}
	if err != nil {
		return err
	}
	if !crypto.Equal(req.OfferSig, t.Sig) {
		return errNoOffer("the offer was replaced meanwhile; look at it again")
	}
	if t.RosterVersion != o.RosterVersion {
		return errConflict(fmt.Sprintf("the roster moved on since the offer (version %d, the offer names %d); the owner must offer again", o.RosterVersion, t.RosterVersion), 0)
	}
	if o.RequireTwoFactor {
		// Early; AcceptTransfer decides it again in its transaction.
		if on, err := s.store.TwoFactorOn(r.Context(), []string{me}); err != nil {
			return err
		} else if !on[me] {
			return errTwoFactorRequired(msgNewOwnerNeeds2FA)
		}
	}
	current, former := rosterSplit(o)
	next := o
	next.OwnerID = me
	if next, err = s.checkRoster(r.Context(), next, req.Roster, current, former); err != nil {
		return err
	}
	if len(req.Records) > store.MaxVaultsPerOrg {
		return errBadRequest("at most one record per vault")
	}
	for _, rec := range req.Records {
		if err := s.attachRecord(r, rec, o.ID, rec.ObjectID, crypto.RecordVault); err != nil {
			return err
		}
	}
	if err := s.audit(r, o.ID, api.AuditTransferAccept, api.TargetTransfer(me)); err != nil {
		return err
	}
	if err := s.store.AcceptTransfer(r.Context(), next, req.OfferSig, s.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNoOffer("the offer was withdrawn or replaced meanwhile")
		}
		if errors.Is(err, store.ErrTwoFactorRequired) {
			return errTwoFactorRequired(msgNewOwnerNeeds2FA)
		}
		return rosterConflict(err)
	}
	s.log.InfoContext(r.Context(), "ownership transferred", "org", o.ID, "from", t.OldOwnerID, "to", me)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rosterSplit lists the stored roster's members and former members: a
// roster that only moves the version on lists exactly them.
func rosterSplit(o store.Org) (current, former []string) {
	var stored []api.RosterMember
	json.Unmarshal(o.Roster, &stored)
	for _, m := range stored {
		if m.Former {
			former = append(former, m.UserID)
		} else {
			current = append(current, m.UserID)
		}
	}
	return current, former
}
