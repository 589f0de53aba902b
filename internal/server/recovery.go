package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server/authz"
	"github.com/coffer-pm/coffer/internal/store"
)

// Account recovery by an organisation (docs/protocol.md §17.2). The server
// routes keys and enforces who may do what; it cannot recover anyone: it
// holds neither the recovery key (sealed under the owner's account key)
// nor a request's private key (on the member's device), and a new
// password is accepted only with the account's own signature.

const (
	// recoveryRequestTTL is how long an owner has to approve a request
	// and the member to finish it.
	recoveryRequestTTL = 72 * time.Hour
	// recoveryRequestsKept bounds a user's open requests (the endpoint
	// needs no session). A request beyond it is not kept, and answered
	// the same: it never pushes out one the member made (the owner
	// discards those the member did not make).
	recoveryRequestsKept = 5
	recoveryTokenPrefix  = "cr2_"
	// recoveryAnswerTime is the least time a request for recovery takes
	// to answer: whether the address is enrolled decides how much work is
	// done (a write, or nothing), and the answer must not tell by its
	// timing either.
	recoveryAnswerTime = 200 * time.Millisecond
)

// noAccount is an account id that never exists (ids are random UUIDs).
const noAccount = "00000000-0000-0000-0000-000000000000"

// recoveryToken is the bearer secret of a request: its expiry, then a keyed
// hash of the id, the address, the request's keys and that expiry. The
// server need not store it, answers the same way for a request it did not
// keep (an address without an account or enrolment) — the expiry it
// carries lets such a request expire like a kept one — and knowing a
// request's id alone does not give its token.
func (s *Server) recoveryToken(id, email string, signPub, kemPub []byte, expires time.Time) string {
	exp := binary.BigEndian.AppendUint64(nil, uint64(expires.UnixMilli()))
	m := hmac.New(sha256.New, s.secret)
	m.Write(crypto.Tuple("coffer/v1/recovery-request-token", []byte(id), []byte(email), signPub, kemPub, exp))
	return recoveryTokenPrefix + base64.RawURLEncoding.EncodeToString(m.Sum(exp))
}

// tokenExpiry reads the expiry a token carries; ok is false for a token
// that is not one (it is answered as expired).
func tokenExpiry(token string) (expires time.Time, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, recoveryTokenPrefix))
	if err != nil || !strings.HasPrefix(token, recoveryTokenPrefix) || len(raw) != 8+sha256.Size {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(binary.BigEndian.Uint64(raw))).UTC(), true
}

// storedRequest finds the kept request a token opens. found is false for
// a request that was never kept, is gone, or whose token is wrong: all
// three are answered alike, so that nothing without a session tells
// whether an address is enrolled (a wrong token once answered 404 for a
// kept request and "pending" for another). expires is then the token's
// own expiry, zero for a token that is not one.
func (s *Server) storedRequest(r *http.Request, id, token string) (q store.RecoveryRequest, acct store.Account, found bool, expires time.Time, err error) {
	if err := checkID("request id", id); err != nil {
		return q, acct, false, expires, err
	}
	expires, wellFormed := tokenExpiry(token)
	q, err = s.store.RecoveryRequest(r.Context(), id)
	kept := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return q, acct, false, expires, err
	}
	// The account is read and the token computed either way, so that a
	// kept request costs the same queries as one that was not.
	user := q.UserID
	if !kept {
		user = noAccount
	}
	acct, err = s.store.AccountByID(r.Context(), user)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return q, acct, false, expires, err
	}
	want := s.recoveryToken(id, acct.Email, q.SignPub, q.KEMPub, q.ExpiresAt)
	found = hmac.Equal([]byte(token), []byte(want)) && kept && err == nil && wellFormed
	return q, acct, found, expires, nil
}

func recoveryPub(r store.OrgRecovery) crypto.PublicKeys {
	return crypto.PublicKeys{Sign: r.SignPub, KEM: r.KEMPub}
}

func (s *Server) enableRecovery(w http.ResponseWriter, r *http.Request) error {
	var req api.RecoveryKey
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ManageRecovery)
	if err != nil {
		return err
	}
	owner, err := s.callerKeys(r)
	if err != nil {
		return err
	}
	pk := crypto.PublicKeys{Sign: req.SignPub, KEM: req.KEMPub}
	if err := checkLen("sealed_private", req.SealedPrivate, privateKeysBoxLen); err != nil {
		return err
	}
	if crypto.VerifyRecoveryKey(owner, o.ID, req.Version, o.OwnerID, pk, req.KeysSig) != nil {
		return errBadRequest("the recovery key is malformed or its signature by the owner does not verify")
	}
	err = s.store.EnableRecovery(r.Context(), store.OrgRecovery{OrgID: o.ID, Version: req.Version, SignPub: req.SignPub, KEMPub: req.KEMPub,
		KeysSig: req.KeysSig, SealedPrivate: req.SealedPrivate, UpdatedAt: s.now()})
	if errors.Is(err, store.ErrExists) {
		return errConflict("account recovery is on already, or this is not the next key version; fetch the organisation's recovery state and try again", 0)
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "account recovery enabled", "org", o.ID, "version", req.Version, "by", o.OwnerID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) disableRecovery(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ManageRecovery)
	if err != nil {
		return err
	}
	if err := s.store.DisableRecovery(r.Context(), o.ID, s.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound("account recovery (it is off)")
		}
		return err
	}
	s.log.InfoContext(r.Context(), "account recovery disabled", "org", o.ID, "by", o.OwnerID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) orgRecovery(w http.ResponseWriter, r *http.Request) error {
	o, role, err := s.orgFor(r, r.PathValue("org"), authz.SeeOrg)
	if err != nil {
		return err
	}
	rec, err := s.store.OrgRecovery(r.Context(), o.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	out := api.OrgRecovery{Enabled: rec.Enabled, Version: rec.Version}
	if rec.Enabled {
		out.Key = &api.RecoveryKey{Version: rec.Version, SignPub: rec.SignPub, KEMPub: rec.KEMPub, KeysSig: rec.KeysSig}
		if authz.AllowsOrg(role, authz.ManageRecovery) {
			out.Key.SealedPrivate = rec.SealedPrivate
			list, err := s.store.Enrolments(r.Context(), o.ID)
			if err != nil {
				return err
			}
			for _, e := range list {
				out.Enrolments = append(out.Enrolments, enrolmentToAPI(e))
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func enrolmentToAPI(e store.RecoveryEnrolment) api.RecoveryEnrolment {
	return api.RecoveryEnrolment{UserID: e.UserID, Version: e.Version, Wrap: e.Wrap, Sig: e.Sig, CreatedAt: e.CreatedAt}
}

func (s *Server) enrolRecovery(w http.ResponseWriter, r *http.Request) error {
	var req api.RecoveryEnrolment
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.EnrolRecovery)
	if err != nil {
		return forbiddenAs(err, "the owner holds the recovery key and does not enrol")
	}
	me := s.userID(r)
	if req.UserID != "" && req.UserID != me {
		return errBadRequest("user_id must be your own (or left out)")
	}
	for _, err := range []error{checkLen("wrap", req.Wrap, vaultWrapSize), checkLen("sig", req.Sig, sigSize)} {
		if err != nil {
			return err
		}
	}
	rec, err := s.store.OrgRecovery(r.Context(), o.ID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !rec.Enabled {
		return errConflict("account recovery is off in this organisation", 0)
	}
	if err != nil {
		return err
	}
	if req.Version != rec.Version {
		return errConflict("the organisation's recovery key was renewed; enrol again with the current one", 0)
	}
	keys, err := s.callerKeys(r)
	if err != nil {
		return err
	}
	if crypto.VerifyKeyWrap(keys, me, crypto.RecoveryEnrolContext(o.ID, me, rec.Version, recoveryPub(rec)), req.Wrap, req.Sig) != nil {
		return errBadRequest("the enrolment's signature does not verify")
	}
	err = s.store.Enrol(r.Context(), store.RecoveryEnrolment{OrgID: o.ID, UserID: me, Version: rec.Version, Wrap: req.Wrap, Sig: req.Sig, CreatedAt: s.now()})
	if errors.Is(err, store.ErrNotFound) {
		return errConflict("account recovery was turned off or renewed meanwhile", 0)
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "account recovery enrolment", "org", o.ID, "user", me, "version", rec.Version)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// forbiddenAs replaces the message of a 403 from orgFor.
func forbiddenAs(err error, msg string) error {
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusForbidden {
		return errForbidden(msg)
	}
	return err
}

func (s *Server) leaveRecovery(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.EnrolRecovery)
	if err != nil {
		return forbiddenAs(err, "the owner holds the recovery key and is not enrolled")
	}
	if err := s.store.Unenrol(r.Context(), o.ID, s.userID(r)); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound("enrolment")
		}
		return err
	}
	s.log.InfoContext(r.Context(), "account recovery enrolment withdrawn", "org", o.ID, "user", s.userID(r))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) accountRecovery(w http.ResponseWriter, r *http.Request) error {
	orgs, reqs, err := s.store.RecoveryForMember(r.Context(), s.userID(r))
	if err != nil {
		return err
	}
	out := api.AccountRecovery{Orgs: []api.MemberRecovery{}, Requests: []api.RecoveryRequestInfo{}}
	for _, m := range orgs {
		x := api.MemberRecovery{OrgID: m.OrgID, OwnerID: m.OwnerID,
			Key: api.RecoveryKey{Version: m.Version, SignPub: m.SignPub, KEMPub: m.KEMPub, KeysSig: m.KeysSig}}
		if m.Enrolment != nil {
			x.Enrolled, x.EnrolledAt = true, m.Enrolment.CreatedAt
		}
		out.Orgs = append(out.Orgs, x)
	}
	for _, q := range reqs {
		out.Requests = append(out.Requests, api.RecoveryRequestInfo{ID: q.ID, CreatedAt: q.CreatedAt, ExpiresAt: q.ExpiresAt,
			Granted: q.Granted(), GrantOrg: q.GrantOrg, GrantedBy: q.GrantedBy, GrantedAt: q.GrantedAt})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// cancelRecoveryRequests deletes every recovery request of the caller's
// account — approved or not: one the member did not make is void.
func (s *Server) cancelRecoveryRequests(w http.ResponseWriter, r *http.Request) error {
	n, err := s.store.CancelRecoveryRequests(r.Context(), s.userID(r))
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "account recovery requests cancelled", "user", s.userID(r), "count", n)
	writeJSON(w, http.StatusOK, map[string]int{"cancelled": n})
	return nil
}

// createRecoveryRequest needs no session. Its answer is the same whether
// or not the address has an account enrolled anywhere — in status, body
// and time: only enrolled members' requests are kept (at most
// recoveryRequestsKept open each, a further one is not), and the token of
// one that was not kept reads as pending until it expires.
func (s *Server) createRecoveryRequest(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	var req api.NewRecoveryRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if err := checkID("id", req.ID); err != nil {
		return err
	}
	email, err := normalizeEmail(req.Email)
	if err != nil {
		return err
	}
	pk := crypto.PublicKeys{Sign: req.SignPub, KEM: req.KEMPub}
	if crypto.VerifyPublicKeys(crypto.RecipientRequest, req.ID, pk, pk, req.KeysSig) != nil {
		return errBadRequest("the request's keys are malformed or their self-signature does not verify")
	}
	// Counted for every address alike, so the limit tells nothing about
	// any of them; it bounds how fast one network can take the places of
	// members' requests.
	_, ok, netWait, err := s.recoveryNet.reserve(r.Context(), s.clientNetwork(r), s.now())
	if err != nil {
		return s.errLimitsUnavailable(w, "recovery-net", err)
	}
	if !ok {
		noteLimit(r, "recovery_network")
		retryAfter(w, netWait)
		return &httpError{http.StatusTooManyRequests, api.CodeRateLimited, "too many recovery requests from your network; try again later", 0}
	}
	now := s.now()
	expires := time.UnixMilli(now.Add(recoveryRequestTTL).UnixMilli()).UTC() // as stored
	err = s.keepRecoveryRequest(r, email, store.RecoveryRequest{ID: req.ID, SignPub: req.SignPub, KEMPub: req.KEMPub, CreatedAt: now, ExpiresAt: expires})
	// What was done depends on the address; when the answer comes must not.
	wait := time.NewTimer(time.Until(start.Add(recoveryAnswerTime)))
	defer wait.Stop()
	select {
	case <-wait.C:
	case <-r.Context().Done():
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.RecoveryRequestCreated{Token: s.recoveryToken(req.ID, email, req.SignPub, req.KEMPub, expires), ExpiresAt: expires})
	return nil
}

// keepRecoveryRequest stores q for the account of email if it is enrolled
// somewhere and has fewer than recoveryRequestsKept open requests;
// otherwise it stores nothing, and that is no error.
func (s *Server) keepRecoveryRequest(r *http.Request, email string, q store.RecoveryRequest) error {
	acct, err := s.store.AccountByEmail(r.Context(), email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	orgs, _, err := s.store.RecoveryForMember(r.Context(), acct.ID)
	if err != nil {
		return err
	}
	enrolled := false
	for _, m := range orgs {
		enrolled = enrolled || m.Enrolment != nil
	}
	if !enrolled {
		return nil
	}
	q.UserID = acct.ID
	// An id that is taken, or an account with its places full, gets the
	// same answer (and a token that opens nothing): neither may tell who
	// is enrolled.
	err = s.store.CreateRecoveryRequest(r.Context(), q, recoveryRequestsKept)
	switch {
	case err == nil:
		s.log.InfoContext(r.Context(), "account recovery requested", "user", acct.ID, "request", q.ID, "client", s.clientAddr(r))
	case errors.Is(err, store.ErrLimit):
		s.log.WarnContext(r.Context(), "account recovery request not kept: the account has its open requests already", "user", acct.ID, "client", s.clientAddr(r))
	case errors.Is(err, store.ErrExists):
	default:
		return err
	}
	return nil
}

func (s *Server) recoveryRequestState(w http.ResponseWriter, r *http.Request) error {
	var req api.RecoveryToken
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	q, acct, found, expires, err := s.storedRequest(r, r.PathValue("id"), req.Token)
	if err != nil {
		return err
	}
	switch {
	case !s.now().Before(expires):
		writeJSON(w, http.StatusOK, api.RecoveryRequestState{State: "expired"})
		return nil
	case !found || !q.Granted():
		writeJSON(w, http.StatusOK, api.RecoveryRequestState{State: "pending"})
		return nil
	}
	writeJSON(w, http.StatusOK, api.RecoveryRequestState{State: "granted", UserID: q.UserID, OrgID: q.GrantOrg, Version: q.GrantVersion,
		GrantedBy: q.GrantedBy, Wrap: q.GrantWrap, Sig: q.GrantSig,
		Keys: &api.AccountKeys{SignPub: acct.SignPub, KEMPub: acct.KEMPub, PublicKeysSig: acct.PublicKeysSig, PrivateKeys: acct.PrivateKeys}})
	return nil
}

// discardRecoveryRequest is the owner's remedy for requests in a member's
// name that the member did not make: they take the member's places
// (recoveryRequestsKept) until they expire.
func (s *Server) discardRecoveryRequest(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ManageRecovery)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := checkID("request id", id); err != nil {
		return err
	}
	if err := s.store.DiscardRecoveryRequest(r.Context(), o.ID, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound("open recovery request of a member enrolled here")
		}
		return err
	}
	s.log.InfoContext(r.Context(), "account recovery request discarded", "org", o.ID, "request", id, "by", o.OwnerID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) openRecoveryRequests(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ManageRecovery)
	if err != nil {
		return err
	}
	reqs, err := s.store.OpenRecoveryRequests(r.Context(), o.ID, s.now())
	if err != nil {
		return err
	}
	enrolments, err := s.store.Enrolments(r.Context(), o.ID)
	if err != nil {
		return err
	}
	byUser := map[string]store.RecoveryEnrolment{}
	for _, e := range enrolments {
		byUser[e.UserID] = e
	}
	out := []api.OpenRecoveryRequest{}
	for _, q := range reqs {
		e, ok := byUser[q.UserID]
		if !ok {
			continue
		}
		acct, err := s.store.AccountByID(r.Context(), q.UserID)
		if err != nil {
			return err
		}
		out = append(out, api.OpenRecoveryRequest{ID: q.ID, UserID: q.UserID, Email: acct.Email, SignPub: q.SignPub, KEMPub: q.KEMPub,
			CreatedAt: q.CreatedAt, ExpiresAt: q.ExpiresAt, Enrolment: enrolmentToAPI(e)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) grantRecovery(w http.ResponseWriter, r *http.Request) error {
	var req api.RecoveryGrant
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ManageRecovery)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := checkID("request id", id); err != nil {
		return err
	}
	for _, err := range []error{checkLen("wrap", req.Wrap, vaultWrapSize), checkLen("sig", req.Sig, sigSize)} {
		if err != nil {
			return err
		}
	}
	q, err := s.store.RecoveryRequest(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("recovery request")
	}
	if err != nil {
		return err
	}
	owner, err := s.callerKeys(r)
	if err != nil {
		return err
	}
	ctx := crypto.RecoveryGrantContext(o.ID, q.UserID, req.Version, q.ID, crypto.PublicKeys{Sign: q.SignPub, KEM: q.KEMPub})
	if crypto.VerifyKeyWrap(owner, o.OwnerID, ctx, req.Wrap, req.Sig) != nil {
		return errBadRequest("the grant's signature does not verify")
	}
	member, err := s.store.AccountByID(r.Context(), q.UserID)
	if err != nil {
		return err
	}
	ownerAcct, err := s.store.AccountByID(r.Context(), o.OwnerID)
	if err != nil {
		return err
	}
	now := s.now()
	// Every approval is mailed to the member (issue 23, finding 10), so
	// that a takeover in progress can be noticed before it completes.
	giveBack, err := s.reserveApprovalMail(r.Context(), w, member.ID, now)
	if err != nil {
		return err
	}
	q.GrantOrg, q.GrantVersion, q.GrantWrap, q.GrantSig, q.GrantedBy, q.GrantedAt = o.ID, req.Version, req.Wrap, req.Sig, o.OwnerID, now
	if err := s.store.GrantRecovery(r.Context(), q, now); err != nil {
		giveBack()
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound("open recovery request of a member enrolled at this key version")
		}
		return err
	}
	s.log.InfoContext(r.Context(), "account recovery approved", "org", o.ID, "user", q.UserID, "request", q.ID, "by", o.OwnerID)
	subject, body := s.approvalMail(member, ownerAcct, o.ID, now)
	mailed := s.sendRecoveryMail(r, member.Email, subject, body, "what", "approval", "org", o.ID, "user", member.ID, "request", q.ID)
	writeJSON(w, http.StatusOK, api.RecoveryGranted{Mail: mailed})
	return nil
}

func (s *Server) completeRecovery(w http.ResponseWriter, r *http.Request) error {
	var req api.CompleteRecovery
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	q, acct, found, _, err := s.storedRequest(r, id, req.Token)
	if err != nil {
		return err
	}
	kdf := kdfFromAPI(req.KDF)
	for _, err := range []error{
		checkLen("auth_key", req.AuthKey, crypto.KeySize),
		checkLen("wrapped_account_key", req.WrappedAccountKey, boxedKeySize),
		checkLen("sig", req.Sig, sigSize),
	} {
		if err != nil {
			return err
		}
	}
	if kdf.Check() != nil {
		return errBadRequest("kdf parameters are outside the accepted range")
	}
	if !found || !q.Granted() {
		return errConflict("the recovery request is not approved (yet)", 0)
	}
	pub := crypto.PublicKeys{Sign: acct.SignPub, KEM: acct.KEMPub}
	if crypto.VerifyRecoveryReset(pub, acct.ID, id, kdf, req.AuthKey, req.WrappedAccountKey, req.Sig) != nil {
		return errBadRequest("the new password is not signed by the account's own key")
	}
	authHash, authSalt, err := s.newAuthHash(w, r, req.AuthKey)
	if err != nil {
		return err
	}
	// The trace the account keeps (protocol §17.3), stored with the new
	// password in one transaction.
	now := s.now()
	notice := store.AccountNotice{ID: uuid.NewString(), Kind: store.NoticeRecovered, OrgID: q.GrantOrg, ActorID: q.GrantedBy,
		ApprovedAt: q.GrantedAt, ClientAddr: s.clientAddr(r), CreatedAt: now}
	if approver, err := s.store.AccountByID(r.Context(), q.GrantedBy); err == nil {
		notice.ActorEmail = approver.Email
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	n, err := s.store.CompleteRecovery(r.Context(), id, acct.ID, acct.AuthHash, store.PasswordChange{
		KDF: kdfToStore(kdf), AuthHash: authHash, AuthSalt: authSalt, WrappedAccountKey: req.WrappedAccountKey,
	}, notice, now)
	if errors.Is(err, store.ErrNotFound) {
		return errConflict("the recovery request expired, was used, or its approval was withdrawn (the member left recovery, was removed, or recovery was turned off)", 0)
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "account recovered", "user", acct.ID, "request", id, "org", q.GrantOrg, "approved_by", q.GrantedBy, "revoked_sessions", n, "notice", notice.ID)
	// Mailed whatever the completing client does next: after a takeover
	// the address is the real member's only channel.
	subject, body := s.recoveredMail(acct, notice)
	s.sendRecoveryMail(r, acct.Email, subject, body, "what", "completion", "org", q.GrantOrg, "user", acct.ID, "notice", notice.ID)
	writeJSON(w, http.StatusOK, api.PasswordChanged{RevokedSessions: n})
	return nil
}
