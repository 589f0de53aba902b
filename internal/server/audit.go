package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/server/authz"
	"github.com/coffer-pm/coffer/internal/store"
)

// The organisation audit log (docs/protocol.md §18.7). Every organisation
// action records one entry, in the transaction that performs it: a
// handler calls audit (or auditRevision for an item change) after its
// checks and just before the store call that performs the action, and
// that call's transaction appends the entry (store.Audit). A handler that
// fails before then records nothing, and a store call that fails rolls
// its entry back with it.

// audit registers the entry of action, performed by the caller in
// organisation orgID on target — the one helper every organisation
// action calls, those added later (leave, rotate, transfer-offer,
// transfer-accept, export) too. For a client-performed action the
// request must carry the caller's statement (api.StatementHeader), a
// signature over crypto.AuditStatement of exactly this organisation,
// action, caller and target: missing, malformed or not verifying, the
// request is refused (400) and nothing is recorded or done. A
// server-attested action (api.ServerAttested: join, unbind) carries
// none; use auditServer when the actor is not the caller.
func (s *Server) audit(r *http.Request, orgID, action string, target api.AuditTarget) error {
	me := s.userID(r)
	if api.ServerAttested(action) {
		s.auditServer(r, orgID, me, action, target)
		return nil
	}
	t := target.JSON()
	stmt, sig, err := s.statement(r, orgID, action, me, t)
	if err != nil {
		return err
	}
	store.Audit(r.Context(), s.auditEntry(r, orgID, me, action, t, stmt, sig))
	return nil
}

// auditServer registers the entry of a server-attested action by actorID
// ("" for the server itself, e.g. an instance administrator's unbind may
// name the administrator): no statement, the server's word.
func (s *Server) auditServer(r *http.Request, orgID, actorID, action string, target api.AuditTarget) {
	store.Audit(r.Context(), s.auditEntry(r, orgID, actorID, action, target.JSON(), nil, nil))
}

// statement reads and checks the request's statement header.
func (s *Server) statement(r *http.Request, orgID, action, me string, target []byte) (stmt, sig []byte, err error) {
	h := r.Header.Get(api.StatementHeader)
	if h == "" {
		return nil, nil, errBadRequest("this action (%s) is recorded in the organisation's audit log and needs your signed statement in the %s header (docs/api.md); nothing was done", action, api.StatementHeader)
	}
	timeMS, sig, err := api.ParseStatement(h)
	if err != nil {
		return nil, nil, errBadRequest("%v; nothing was done", err)
	}
	keys, err := s.callerKeys(r)
	if err != nil {
		return nil, nil, err
	}
	stmt = crypto.AuditStatement(orgID, action, me, timeMS, target)
	if len(sig) != sigSize || crypto.Verify(keys, stmt, sig) != nil {
		return nil, nil, errBadRequest("the %s header does not verify with your public keys over this action (%s on %s in organisation %s); nothing was done", api.StatementHeader, action, target, orgID)
	}
	return stmt, sig, nil
}

// auditRevision registers the entry of an item change that writes
// revision n (create, update, move) in vault v: its statement is the
// revision's own signed message and signature (§7.3), which the caller's
// keys verified already (signedRevision). Items of My Vault are in no
// organisation's log.
func (s *Server) auditRevision(r *http.Request, v store.Vault, action, itemID, typ string, n uint64, nr api.NewRevision, fromVault string) {
	if v.Kind != store.VaultOrg {
		return
	}
	me := s.userID(r)
	h := crypto.RevisionHeader{OrgID: v.OrgID, VaultID: v.ID, ItemID: itemID, Revision: n, KeyEpoch: nr.KeyEpoch,
		Type: typ, AuthorID: me, Time: uint64(nr.Time), PrevHash: nr.PrevHash}
	msg := crypto.RevisionSigMsg(h, nr.KeyCommit, nr.Blob)
	store.Audit(r.Context(), s.auditEntry(r, v.OrgID, me, action, api.TargetItem(v.ID, itemID, n, fromVault).JSON(), msg, nr.Sig))
}

// auditItem is audit for an item change that writes no revision (trash,
// restore, purge) in vault v; nothing for My Vault.
func (s *Server) auditItem(r *http.Request, v store.Vault, action, itemID string) error {
	if v.Kind != store.VaultOrg {
		return nil
	}
	return s.audit(r, v.OrgID, action, api.TargetItem(v.ID, itemID, 0, ""))
}

func (s *Server) auditEntry(r *http.Request, orgID, actorID, action string, target, stmt, sig []byte) store.AuditEntry {
	return store.AuditEntry{OrgID: orgID, TimeMS: uint64(s.now().UnixMilli()), ActorID: actorID, Action: action,
		Target: target, Source: s.clientAddr(r), Statement: stmt, StatementSig: sig}
}

// maxAuditPage bounds one page of GET /orgs/{org}/audit.
const maxAuditPage = 1000

// auditLog answers GET /orgs/{org}/audit?after=SEQ&limit=N: the owner's
// read of the log. Members get 403; anyone else 404 (orgFor).
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ReadAudit)
	if err != nil {
		return err
	}
	return s.auditPage(w, r, o.ID)
}

// auditPage answers a page of organisation orgID's log, as the request's
// after and limit ask.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, orgID string) error {
	var err error
	after, limit := uint64(0), maxAuditPage
	if v := r.URL.Query().Get("after"); v != "" {
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			return errBadRequest("after must be a sequence number")
		}
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxAuditPage {
			return errBadRequest("limit must be 1 to %d", maxAuditPage)
		}
	}
	// One more than asked tells whether there are more.
	list, err := s.store.AuditLog(r.Context(), orgID, after, limit+1)
	if err != nil {
		return err
	}
	out := api.AuditLog{Entries: make([]api.AuditEntry, 0, min(len(list), limit)), More: len(list) > limit}
	for _, e := range list[:min(len(list), limit)] {
		out.Entries = append(out.Entries, api.AuditEntry{Seq: e.Seq, PrevHash: e.PrevHash, Time: e.TimeMS, ActorID: e.ActorID, Action: e.Action,
			Target: e.Target, Source: e.Source, Statement: e.Statement, StatementSig: e.StatementSig, Hash: e.Hash})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// adminOrg finds the organisation an administrator's path names (404 if
// there is none).
func (s *Server) adminOrg(r *http.Request) (store.Org, error) {
	orgID := r.PathValue("org")
	if err := checkID("organisation id", orgID); err != nil {
		return store.Org{}, err
	}
	o, err := s.store.Org(r.Context(), orgID)
	if errors.Is(err, store.ErrNotFound) {
		return o, errNotFound("organisation")
	}
	return o, err
}

// adminAuditLog answers GET /admin/orgs/{org}/audit?after=SEQ&limit=N:
// an instance administrator's read of an organisation's log
// (docs/protocol.md §18.7, §18.8) — ids, actions, times, addresses and
// statements, as the owner reads it; nothing sealed is in a log.
func (s *Server) adminAuditLog(w http.ResponseWriter, r *http.Request) error {
	o, err := s.adminOrg(r)
	if err != nil {
		return err
	}
	return s.auditPage(w, r, o.ID)
}

// adminOrgRoster answers GET /admin/orgs/{org}/roster: the owner-signed
// roster and the public keys of every account it lists (current, former
// and departed members), which an administrator's client checks the
// log's statements against. No sealed name, wrap or invitation.
func (s *Server) adminOrgRoster(w http.ResponseWriter, r *http.Request) error {
	o, err := s.adminOrg(r)
	if err != nil {
		return err
	}
	var roster []api.RosterMember
	if err := json.Unmarshal(o.Roster, &roster); err != nil {
		return err
	}
	out := api.AdminOrgRoster{OrgID: o.ID, OwnerID: o.OwnerID,
		Roster: api.Roster{Version: o.RosterVersion, Members: roster, Sig: o.RosterSig}, Keys: make([]api.PublicKeys, 0, len(roster))}
	for _, m := range roster {
		a, err := s.store.AccountByID(r.Context(), m.UserID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		k := publicKeysToAPI(a)
		k.Email, k.Name = "", "" // the roster signs the address; the name is no part of it
		out.Keys = append(out.Keys, k)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
