package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server/authz"
	"github.com/coffer-pm/coffer/internal/store"
)

// Epoch records and rotation (docs/protocol.md §18.1–18.2). A handler that
// changes a vault's, group's or organisation's signed state checks the
// caller's record here and attaches it; the write's own transaction then
// checks it against what the write leaves and stores it (sqlstore).

// attachRecord checks that rec is the caller's signed record of the object
// (kinds: the record kinds the object may have) and attaches it to the
// request's write.
func (s *Server) attachRecord(r *http.Request, rec api.EpochRecord, orgID, objectID string, kinds ...string) error {
	okKind := false
	for _, k := range kinds {
		okKind = okKind || rec.Kind == k
	}
	if !okKind || rec.ObjectID != objectID || rec.OrgID != orgID {
		return errBadRequest("record must be the next epoch record of %s %s (docs/protocol.md §18.1)", kinds[0], objectID)
	}
	if rec.SignerID != s.userID(r) {
		return errBadRequest("record must be signed by you")
	}
	if len(rec.Recipients) > maxRecordRecipients {
		return errBadRequest("record lists more than %d recipients", maxRecordRecipients)
	}
	cr, err := rec.Signed()
	if err != nil {
		return errBadRequest("record: malformed recipients (a recipient twice, a bad kind or fingerprint)")
	}
	keys, err := s.callerKeys(r)
	if err != nil {
		return err
	}
	if crypto.VerifyEpochRecord(keys, cr, rec.Sig) != nil {
		return errBadRequest("record: malformed, or its signature does not verify with your keys")
	}
	rs := make([]store.RecordRecipient, len(rec.Recipients))
	for i, x := range rec.Recipients {
		rs[i] = store.RecordRecipient{Kind: x.Kind, ID: x.ID, Fingerprint: x.Fingerprint, Permission: x.Permission}
	}
	store.AttachRecord(r.Context(), store.EpochRecord{OrgID: rec.OrgID, Kind: rec.Kind, ObjectID: rec.ObjectID, Version: rec.Version,
		Epoch: rec.Epoch, KeyCommit: rec.KeyCommit, MetaEpoch: rec.MetaEpoch, MetaHash: rec.MetaHash, Recipients: rs,
		PrevHash: rec.PrevHash, SignerID: rec.SignerID, TimeMS: rec.TimeMS, Sig: rec.Sig, Hash: crypto.EpochRecordHash(cr, rec.Sig)})
	return nil
}

// maxRecordRecipients bounds a record's recipient list (a group of the
// largest size the server allows, or a vault's grants).
const maxRecordRecipients = 10_000

func recordToAPI(r store.EpochRecord) api.EpochRecord {
	rs := make([]api.RecordRecipient, len(r.Recipients))
	for i, x := range r.Recipients {
		rs[i] = api.RecordRecipient{Kind: x.Kind, ID: x.ID, Fingerprint: x.Fingerprint, Permission: x.Permission}
	}
	return api.EpochRecord{OrgID: r.OrgID, Kind: r.Kind, ObjectID: r.ObjectID, Version: r.Version, Epoch: r.Epoch, KeyCommit: r.KeyCommit,
		MetaEpoch: r.MetaEpoch, MetaHash: r.MetaHash, Recipients: rs, PrevHash: r.PrevHash, SignerID: r.SignerID, TimeMS: r.TimeMS, Sig: r.Sig, Seq: r.Seq}
}

// listRecords answers the records of the organisation's objects the caller
// can see (the organisation's own; groups it may see; vaults it can read)
// stored after ?after=SEQ.
func (s *Server) listRecords(w http.ResponseWriter, r *http.Request) error {
	o, role, err := s.orgFor(r, r.PathValue("org"), authz.SeeOrg)
	if err != nil {
		return err
	}
	var after int64
	if a := r.URL.Query().Get("after"); a != "" {
		if after, err = strconv.ParseInt(a, 10, 64); err != nil || after < 0 {
			return errBadRequest("after must be a change sequence number")
		}
	}
	visible, err := s.visibleObjects(r, o, role)
	if err != nil {
		return err
	}
	out := api.Records{Records: []api.EpochRecord{}, Latest: after}
	if object := r.URL.Query().Get("object"); object != "" {
		// One object's whole chain (what a writer signs on top of).
		if !visible[object] {
			return errNotFound("no such object in the organisation")
		}
		recs, err := s.store.ObjectRecords(r.Context(), object)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			out.Records = append(out.Records, recordToAPI(rec))
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	// A page at a time: an organisation's records grow with every grant,
	// rename and rotation, and a device starting afresh reads them all.
	page := max(s.cfg.RecordsPage, 1)
	recs, err := s.store.Records(r.Context(), o.ID, after, page)
	if err != nil {
		return err
	}
	// Sequence numbers are taken under the change counter's lock and so
	// commit in order: nothing stored later can come below the highest
	// one answered.
	out.More = len(recs) == page
	for _, rec := range recs {
		out.Latest = max(out.Latest, rec.Seq)
		if visible[rec.ObjectID] {
			out.Records = append(out.Records, recordToAPI(rec))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// visibleObjects are the objects of the organisation whose records and
// owed rotations the caller may see: the organisation's own, the groups
// it may see (a private group only its members and the owner), the
// vaults it can read.
func (s *Server) visibleObjects(r *http.Request, o store.Org, role string) (map[string]bool, error) {
	me := s.userID(r)
	visible := map[string]bool{o.ID: true}
	groups, err := s.store.GroupsInOrg(r.Context(), o.ID)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if !g.Private || role == store.RoleOwner || contains(g.Members, me) {
			visible[g.ID] = true
		}
	}
	vaults, err := s.store.VaultsForUser(r.Context(), me)
	if err != nil {
		return nil, err
	}
	for _, v := range vaults {
		if v.OrgID == o.ID {
			visible[v.ID] = true
		}
	}
	return visible, nil
}

// pendingRotations lists the organisation's owed rotations that the
// caller may see (each client does those it can).
func (s *Server) pendingRotations(w http.ResponseWriter, r *http.Request) error {
	o, role, err := s.orgFor(r, r.PathValue("org"), authz.SeeOrg)
	if err != nil {
		return err
	}
	ps, err := s.store.PendingRotations(r.Context(), o.ID)
	if err != nil {
		return err
	}
	visible, err := s.visibleObjects(r, o, role)
	if err != nil {
		return err
	}
	out := make([]api.PendingRotation, 0, len(ps))
	for _, p := range ps {
		if role != store.RoleOwner && !visible[p.ObjectID] {
			// A private group's, or a vault this member cannot read. The
			// owner sees all of them (it sees every group and its vault).
			continue
		}
		out = append(out, api.PendingRotation{Kind: p.Kind, ObjectID: p.ObjectID, Epoch: p.Epoch, Reason: p.Reason, Since: time.UnixMilli(p.Since).UTC()})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// owesRotation reports whether the object has a pending rotation.
func (s *Server) owesRotation(r *http.Request, orgID, objectID string) (bool, error) {
	ps, err := s.store.PendingRotations(r.Context(), orgID)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.ObjectID == objectID {
			return true, nil
		}
	}
	return false, nil
}

// rotateVault stores a vault's next key epoch. A manager may rotate at any
// time; any other reader only a rotation the vault owes (rotation-only:
// the store checks the record renames no one and adds no one).
func (s *Server) rotateVault(w http.ResponseWriter, r *http.Request) error {
	var req api.RotateVaultRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	v, err := s.vaultFor(r, r.PathValue("vault"), authz.ReadVault)
	if err != nil {
		return err
	}
	if v.Kind != store.VaultOrg {
		return errBadRequest("My Vault has one reader: there is nothing to rotate")
	}
	me := s.userID(r)
	perm, err := s.store.VaultPermission(r.Context(), me, v.ID)
	if err != nil {
		return err
	}
	owedBy := ""
	if authz.Allows(perm, authz.ManageGrants) {
		store.Require(r.Context(), store.Requirement{UserID: me, VaultID: v.ID, Perm: store.PermManage})
	} else {
		owed, err := s.owesRotation(r, v.OrgID, v.ID)
		if err != nil {
			return err
		}
		if !owed {
			return errForbidden("only the vault's managers rotate its key, unless a rotation is owed")
		}
		owedBy = me // re-checked in the rotation's transaction
	}
	if req.FromEpoch != v.Epoch || len(req.Wraps) > maxRecordRecipients {
		return &httpError{http.StatusConflict, api.CodeRecordConflict, "from_epoch is not the vault's current epoch (" + strconv.FormatUint(v.Epoch, 10) + "); sync and try again", 0}
	}
	next := v
	next.Epoch = v.Epoch + 1
	recipients := map[string]crypto.PublicKeys{}
	grants, err := s.store.VaultGrants(r.Context(), v.ID)
	if err != nil {
		return err
	}
	for _, g := range grants {
		pub, err := s.granteeKeys(r, g.GranteeKind, g.GranteeID)
		if err != nil {
			return err
		}
		recipients[g.GranteeKind+":"+g.GranteeID] = pub
	}
	wraps, err := s.checkVaultWraps(r, next, req.Wraps, recipients)
	if err != nil {
		return err
	}
	for _, wr := range wraps {
		if wr.Epoch != next.Epoch {
			return errBadRequest("wraps must all be of the new epoch %d", next.Epoch)
		}
	}
	if err := s.attachRecord(r, req.Record, v.OrgID, v.ID, crypto.RecordVault, crypto.RecordGroupVault); err != nil {
		return err
	}
	if err := s.audit(r, v.OrgID, api.AuditRotate, api.TargetRotation(api.ObjectVault, v.ID, next.Epoch)); err != nil {
		return err
	}
	if err := s.store.RotateVault(r.Context(), v.ID, req.FromEpoch, wraps, owedBy); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "vault key rotated", "vault", v.ID, "epoch", next.Epoch)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// granteeKeys returns a grantee's current public keys.
func (s *Server) granteeKeys(r *http.Request, kind, id string) (crypto.PublicKeys, error) {
	if kind == crypto.RecipientGroup {
		g, err := s.store.Group(r.Context(), id)
		return groupKeys(g), err
	}
	_, pub, err := s.accountKeys(r.Context(), id)
	return pub, err
}

// rotateGroup stores new keys for a group. Its manager may rotate at any
// time; a member only a rotation the group owes.
func (s *Server) rotateGroup(w http.ResponseWriter, r *http.Request) error {
	var req api.RotateGroupRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	g, err := s.groupFor(r, false)
	if err != nil {
		return err
	}
	me := s.userID(r)
	owedBy := ""
	if authz.ManagesGroup(g, me) {
		store.Require(r.Context(), store.Requirement{UserID: me, GroupID: g.ID})
	} else {
		owed, err := s.owesRotation(r, g.OrgID, g.ID)
		if err != nil {
			return err
		}
		if !owed || !contains(g.Members, me) {
			return errForbidden("only the group's manager rotates its keys, unless a rotation is owed and you are a member")
		}
		owedBy = me // re-checked in the rotation's transaction
	}
	if req.FromEpoch != g.Epoch || len(req.Wraps) > maxRecordRecipients+1 {
		return &httpError{http.StatusConflict, api.CodeRecordConflict, "from_epoch is not the group's current epoch; sync and try again", 0}
	}
	pub := crypto.PublicKeys{Sign: req.SignPub, KEM: req.KEMPub}
	myKeys, err := s.callerKeys(r)
	if err != nil {
		return err
	}
	if crypto.VerifyPublicKeys(crypto.RecipientGroup, g.ID, pub, myKeys, req.KeysSig) != nil {
		return errBadRequest("the group's new public keys are malformed or not signed by you")
	}
	epoch := g.Epoch + 1
	wraps, err := s.checkRotationWraps(r, crypto.KindGroupKey, g.OrgID, g.ID, epoch, req.Wraps, groupWrapSize)
	if err != nil {
		return err
	}
	if err := s.attachRecord(r, req.Record, g.OrgID, g.ID, crypto.RecordGroup, crypto.RecordPrivateGroup); err != nil {
		return err
	}
	keys := store.GroupKeys{GroupID: g.ID, Epoch: epoch, SignPub: req.SignPub, KEMPub: req.KEMPub, KeysSig: req.KeysSig, SignerID: me}
	if err := s.audit(r, g.OrgID, api.AuditRotate, api.TargetRotation(api.ObjectGroup, g.ID, epoch)); err != nil {
		return err
	}
	if err := s.store.RotateGroup(r.Context(), g.ID, req.FromEpoch, keys, wraps, owedBy); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "group keys rotated", "group", g.ID, "epoch", epoch)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rotateOrg stores the organisation key's next epoch (the owner only: the
// organisation key's wraps are the owner's to sign, §14.1).
func (s *Server) rotateOrg(w http.ResponseWriter, r *http.Request) error {
	var req api.RotateOrgRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ManageOrg)
	if err != nil {
		return err
	}
	if req.FromEpoch != o.KeyEpoch {
		return &httpError{http.StatusConflict, api.CodeRecordConflict, "from_epoch is not the organisation key's current epoch; sync and try again", 0}
	}
	epoch := o.KeyEpoch + 1
	wraps, err := s.checkRotationWraps(r, crypto.KindOrgKey, o.ID, o.ID, epoch, req.Wraps, vaultWrapSize)
	if err != nil {
		return err
	}
	if err := s.attachRecord(r, req.Record, o.ID, o.ID, crypto.RecordOrg); err != nil {
		return err
	}
	if err := s.audit(r, o.ID, api.AuditRotate, api.TargetRotation(api.ObjectOrg, o.ID, epoch)); err != nil {
		return err
	}
	if err := s.store.RotateOrg(r.Context(), o.ID, req.FromEpoch, wraps); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "organisation key rotated", "org", o.ID, "epoch", epoch)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkRotationWraps checks the wraps of a group's or organisation's new
// epoch to members: each of that epoch, signed by the caller over the
// member's keys. That they go to exactly the remaining holders is the
// store's to check, in the rotation's transaction.
func (s *Server) checkRotationWraps(r *http.Request, kind, orgID, objectID string, epoch uint64, in []api.KeyWrap, size int) ([]store.KeyWrap, error) {
	me := s.userID(r)
	wraps := make([]store.KeyWrap, 0, len(in))
	for _, kw := range in {
		if err := checkID("member_id", kw.MemberID); err != nil {
			return nil, err
		}
		if kw.Epoch != epoch || kw.SignerID != me {
			return nil, errBadRequest("wraps must be of the new epoch %d and signed by you", epoch)
		}
		_, pub, err := s.accountKeys(r.Context(), kw.MemberID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errBadRequest("no such member %s", kw.MemberID)
		}
		if err != nil {
			return nil, err
		}
		c := crypto.KeyWrapContext{Kind: kind, OrgID: orgID, ObjectID: objectID, Epoch: epoch, RecipientKind: crypto.RecipientUser, RecipientID: kw.MemberID, Recipient: pub}
		if err := s.checkKeyWrap(r.Context(), me, c, kw.Wrap, kw.Sig, size); err != nil {
			return nil, err
		}
		wraps = append(wraps, store.KeyWrap{ObjectID: objectID, Epoch: epoch, MemberID: kw.MemberID, SignerID: me, Wrap: kw.Wrap, Sig: kw.Sig, CreatedAt: s.now()})
	}
	return wraps, nil
}
