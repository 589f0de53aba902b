package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/http"
	"slices"
	"strings"
	"text/template"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/mail"
	"github.com/coffer-pm/coffer/internal/server/authz"
	"github.com/coffer-pm/coffer/internal/store"
	"github.com/coffer-pm/coffer/internal/webui"
)

const (
	maxInvites     = 50
	maxJoinFails   = 5
	maxMetaBytes   = 4096
	groupWrapSize  = 1120 + crypto.PrivateSeedsSize + 16
	maxGroupWraps  = 1000
	maxRosterBytes = 2 << 20
)

func (s *Server) userID(r *http.Request) string { return callerFrom(r.Context()).session.UserID }

// orgFor loads an organisation and checks the caller's role allows action.
// Non-members get 404 (existence not revealed); members without the right
// get 403.
func (s *Server) orgFor(r *http.Request, orgID string, action authz.OrgAction) (store.Org, string, error) {
	if err := checkID("organisation id", orgID); err != nil {
		return store.Org{}, "", err
	}
	role, err := s.store.OrgRole(r.Context(), orgID, s.userID(r))
	if errors.Is(err, store.ErrNotFound) || (err == nil && role == "") {
		return store.Org{}, "", errNotFound("organisation")
	}
	if err != nil {
		return store.Org{}, "", err
	}
	if !authz.AllowsOrg(role, action) {
		return store.Org{}, role, errForbidden("only the organisation's owner may do this")
	}
	store.Require(r.Context(), store.Requirement{UserID: s.userID(r), OrgID: orgID, Owner: authz.NeedsOwner(action)})
	o, err := s.store.Org(r.Context(), orgID)
	return o, role, err
}

func checkMeta(field string, b []byte) error {
	if len(b) < 41 || len(b) > maxMetaBytes {
		return errBadRequest("%s must be a sealed box of at most %d bytes", field, maxMetaBytes)
	}
	return nil
}

// accountKeys returns an account's public keys.
func (s *Server) accountKeys(ctx context.Context, userID string) (store.Account, crypto.PublicKeys, error) {
	a, err := s.store.AccountByID(ctx, userID)
	return a, crypto.PublicKeys{Sign: a.SignPub, KEM: a.KEMPub}, err
}

// checkKeyWrap validates a signed key wrap by the caller (sizes and
// signature). The server checks signatures only to refuse broken requests
// early; clients verify everything themselves.
func (s *Server) checkKeyWrap(ctx context.Context, signerID string, c crypto.KeyWrapContext, wrap, sig []byte, size int) error {
	if len(wrap) != size || len(sig) != sigSize {
		return errBadRequest("%s wrap for %s must be %d bytes with a %d-byte signature", c.Kind, c.RecipientID, size, sigSize)
	}
	_, signer, err := s.accountKeys(ctx, signerID)
	if err != nil {
		return err
	}
	if crypto.VerifyKeyWrap(signer, signerID, c, wrap, sig) != nil {
		return errBadRequest("%s wrap for %s: signature does not verify", c.Kind, c.RecipientID)
	}
	return nil
}

// checkRoster validates a roster the owner signed: the version must follow
// the stored one, the members must be exactly want (user ids), each with the
// account's e-mail and key fingerprint, and the owner's signature must verify.
// checkRoster checks a new roster signed by the owner: the next version,
// listing exactly the members in want as confirmed members and exactly
// those in former as former members, each with their account's e-mail
// address and key fingerprint.
func (s *Server) checkRoster(ctx context.Context, o store.Org, r api.Roster, want, former []string) (store.Org, error) {
	if r.Version != o.RosterVersion+1 {
		return o, errConflict(fmt.Sprintf("roster version must be %d; sync and retry", o.RosterVersion+1), 0)
	}
	if len(r.Members) != len(want)+len(former) {
		return o, errBadRequest("roster must list exactly the confirmed members and the former members")
	}
	wantSet := map[string]bool{}
	for _, id := range want {
		wantSet[id] = false
	}
	for _, id := range former {
		wantSet[id] = true
	}
	members := make([]crypto.RosterMember, 0, len(r.Members))
	for _, m := range r.Members {
		isFormer, ok := wantSet[m.UserID]
		if !ok || isFormer != m.Former {
			return o, errBadRequest("roster must list exactly the confirmed members and the former members")
		}
		delete(wantSet, m.UserID) // listed once
		a, pub, err := s.accountKeys(ctx, m.UserID)
		if err != nil {
			return o, err
		}
		if !strings.EqualFold(a.Email, m.Email) || !crypto.Equal(pub.Fingerprint(), m.Fingerprint) {
			return o, errBadRequest("roster entry for %s does not match the account's e-mail address or keys", m.UserID)
		}
		members = append(members, crypto.RosterMember{UserID: m.UserID, Email: m.Email, Fingerprint: m.Fingerprint, Former: m.Former})
	}
	_, owner, err := s.accountKeys(ctx, o.OwnerID)
	if err != nil {
		return o, err
	}
	if crypto.VerifyRoster(owner, o.ID, r.Version, o.OwnerID, members, r.Sig) != nil {
		return o, errBadRequest("roster signature does not verify")
	}
	data, _ := json.Marshal(r.Members)
	if len(data) > maxRosterBytes {
		return o, errBadRequest("roster too large")
	}
	o.RosterVersion, o.Roster, o.RosterSig = r.Version, data, r.Sig
	return o, nil
}

// formerMembers lists the former members of o's current roster, except
// those in but (a former member who is confirmed again is current).
func formerMembers(o store.Org, but ...string) []string {
	var roster []api.RosterMember
	if len(o.Roster) > 0 && json.Unmarshal(o.Roster, &roster) != nil {
		return nil
	}
	var out []string
	for _, m := range roster {
		if m.Former && !slices.Contains(but, m.UserID) {
			out = append(out, m.UserID)
		}
	}
	return out
}

func (s *Server) confirmedMembers(ctx context.Context, orgID string) ([]store.Member, error) {
	return s.store.OrgMembers(ctx, orgID)
}

func memberIDs(ms []store.Member, plus ...string) []string {
	out := make([]string, 0, len(ms)+len(plus))
	for _, m := range ms {
		out = append(out, m.UserID)
	}
	return append(out, plus...)
}

func (s *Server) createOrg(w http.ResponseWriter, r *http.Request) error {
	var req api.CreateOrgRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	me := s.userID(r)
	if err := checkID("id", req.ID); err != nil {
		return err
	}
	if err := checkMeta("meta", req.Meta); err != nil {
		return err
	}
	myKeys, err := s.callerKeys(r)
	if err != nil {
		return err
	}
	o := store.Org{ID: req.ID, OwnerID: me, Meta: req.Meta, KeyEpoch: 1, CreatedAt: s.now()}
	if o, err = s.checkRoster(r.Context(), o, req.Roster, []string{me}, nil); err != nil {
		return err
	}
	kw := req.KeyWrap
	c := crypto.KeyWrapContext{Kind: crypto.KindOrgKey, OrgID: o.ID, ObjectID: o.ID, Epoch: 1, RecipientKind: crypto.RecipientUser, RecipientID: me, Recipient: myKeys}
	if kw.Epoch != 1 || kw.MemberID != me || kw.SignerID != me {
		return errBadRequest("key_wrap must be the owner's own wrap of epoch 1")
	}
	if err := s.checkKeyWrap(r.Context(), me, c, kw.Wrap, kw.Sig, vaultWrapSize); err != nil {
		return err
	}
	if err := s.attachRecord(r, req.Record, o.ID, o.ID, crypto.RecordOrg); err != nil {
		return err
	}
	err = s.store.CreateOrg(r.Context(), o, store.KeyWrap{ObjectID: o.ID, Epoch: 1, MemberID: me, SignerID: me, Wrap: kw.Wrap, Sig: kw.Sig, CreatedAt: o.CreatedAt})
	if errors.Is(err, store.ErrExists) {
		return &httpError{http.StatusConflict, api.CodeExists, "an organisation with this id already exists", 0}
	}
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "organisation created", "org", o.ID, "owner", me)
	w.WriteHeader(http.StatusCreated)
	return nil
}

func orgToAPI(o store.OrgAccess) api.Org {
	out := api.Org{ID: o.ID, OwnerID: o.OwnerID, Role: o.Role, Meta: o.Meta, KeyEpoch: o.KeyEpoch,
		Roster: api.Roster{Version: o.RosterVersion, Sig: o.RosterSig}, Wraps: []api.KeyWrap{}, PendingRotations: o.PendingRotations,
		RequireTwoFactor: o.RequireTwoFactor}
	json.Unmarshal(o.Roster, &out.Roster.Members)
	for _, w := range o.Wraps {
		out.Wraps = append(out.Wraps, keyWrapToAPI(w))
	}
	return out
}

func keyWrapToAPI(w store.KeyWrap) api.KeyWrap {
	return api.KeyWrap{Epoch: w.Epoch, MemberID: w.MemberID, SignerID: w.SignerID, Wrap: w.Wrap, Sig: w.Sig}
}

func (s *Server) orgsOf(ctx context.Context, userID string) ([]api.Org, error) {
	list, err := s.store.OrgsForUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]api.Org, 0, len(list))
	for _, o := range list {
		ao := orgToAPI(o)
		for _, t := range o.Transfers {
			at, err := s.transferToAPI(ctx, t)
			if err != nil {
				return nil, err
			}
			ao.Transfers = append(ao.Transfers, at)
		}
		// The open offer: to the owner and to the member it names.
		if o.Offer != nil && (o.Role == store.RoleOwner || o.Offer.NewOwnerID == userID) {
			at, err := s.transferToAPI(ctx, *o.Offer)
			if err != nil {
				return nil, err
			}
			ao.Offer = &at
		}
		out = append(out, ao)
	}
	return out, nil
}

func (s *Server) listOrgs(w http.ResponseWriter, r *http.Request) error {
	orgs, err := s.orgsOf(r.Context(), s.userID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, orgs)
	return nil
}

func publicKeysToAPI(a store.Account) api.PublicKeys {
	return api.PublicKeys{UserID: a.ID, Email: a.Email, Name: a.Name, SignPub: a.SignPub, KEMPub: a.KEMPub, PublicKeysSig: a.PublicKeysSig}
}

func (s *Server) orgMembers(w http.ResponseWriter, r *http.Request) error {
	o, role, err := s.orgFor(r, r.PathValue("org"), authz.SeeOrg)
	if err != nil {
		return err
	}
	members, err := s.confirmedMembers(r.Context(), o.ID)
	if err != nil {
		return err
	}
	twoFactor, err := s.twoFactorOf(r.Context(), role, memberIDs(members))
	if err != nil {
		return err
	}
	out := api.Members{Members: make([]api.Member, 0, len(members))}
	for _, m := range members {
		am := api.Member{PublicKeys: api.PublicKeys{UserID: m.UserID, Email: m.Email, Name: m.Name,
			SignPub: m.SignPub, KEMPub: m.KEMPub, PublicKeysSig: m.PublicKeysSig}, Role: m.Role, ConfirmedAt: m.ConfirmedAt}
		if on, ok := twoFactor[m.UserID]; ok {
			am.TwoFactor = &on
		}
		out.Members = append(out.Members, am)
	}
	for _, id := range formerMembers(o) {
		acct, err := s.store.AccountByID(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		out.Former = append(out.Former, publicKeysToAPI(acct))
	}
	// Members who left since the roster was signed: it still lists them.
	departed, keys, err := s.departuresOf(r.Context(), o.ID)
	if err != nil {
		return err
	}
	out.Departed, out.Former = departed, append(out.Former, keys...)
	if authz.AllowsOrg(role, authz.SeeInvitations) {
		invs, err := s.store.OrgInvitations(r.Context(), o.ID)
		if err != nil {
			return err
		}
		codes := map[string][]byte{}
		for _, in := range invs {
			ai := api.Invitation{ID: in.ID, BatchID: in.BatchID, Email: in.Email, State: in.State, UserID: in.UserID, CreatedAt: in.CreatedAt}
			if locked(in) {
				// Its last attempt is its last change: nothing else
				// updates an invited invitation.
				at := in.UpdatedAt
				ai.Locked, ai.LockedAt = true, &at
			}
			if in.State == store.InviteJoined {
				acct, err := s.store.AccountByID(r.Context(), in.UserID)
				if err != nil {
					return err
				}
				k := publicKeysToAPI(acct)
				ai.JoinMAC, ai.MemberKeys = in.JoinMAC, &k
				if tf, err := s.twoFactorOf(r.Context(), role, []string{in.UserID}); err != nil {
					return err
				} else if on, ok := tf[in.UserID]; ok {
					ai.TwoFactor = &on
				}
				if codes[in.BatchID] == nil {
					b, err := s.store.InviteBatch(r.Context(), in.BatchID)
					if err != nil {
						return err
					}
					codes[in.BatchID] = b.SealedCode
				}
				ai.SealedCode = codes[in.BatchID]
			}
			out.Invitations = append(out.Invitations, ai)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request) error {
	var req api.InviteRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.Invite)
	if err != nil {
		return err
	}
	inviter, err := s.store.AccountByID(r.Context(), s.userID(r))
	if err != nil {
		return err
	}
	if err := s.requireVerified(inviter, "invite anyone"); err != nil {
		return err
	}
	if err := checkID("batch_id", req.BatchID); err != nil {
		return err
	}
	for field, n := range map[string]int{"verifier_hash": len(req.VerifierHash), "org_tag": len(req.OrgTag)} {
		if n != 32 {
			return errBadRequest("%s must be 32 bytes", field)
		}
	}
	if err := checkMeta("details", req.Details); err != nil {
		return err
	}
	if err := checkMeta("sealed_code", req.SealedCode); err != nil {
		return err
	}
	n := len(req.Invitations)
	if n == 0 || n > maxInvites {
		return errBadRequest("invite 1 to %d addresses at a time (got %d)", maxInvites, n)
	}
	members, err := s.confirmedMembers(r.Context(), o.ID)
	if err != nil {
		return err
	}
	memberEmails := map[string]bool{}
	for _, m := range members {
		memberEmails[m.Email] = true
	}
	open, err := s.store.OrgInvitations(r.Context(), o.ID)
	if err != nil {
		return err
	}
	pending := map[string]store.Invitation{}
	for _, in := range open {
		if in.State == store.InviteInvited || in.State == store.InviteJoined {
			pending[in.Email] = in
		}
	}
	// Check every address and report every problem at once; store nothing
	// unless all are fine.
	var problems []string
	seen := map[string]bool{}
	invs := make([]store.Invitation, 0, n)
	for _, in := range req.Invitations {
		email, err := normalizeEmail(in.Email)
		open, isOpen := pending[email]
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%q is not an e-mail address", truncate(in.Email, 80)))
		case seen[email]:
			problems = append(problems, email+" is listed twice")
		case memberEmails[email]:
			problems = append(problems, email+" is already a member")
		case in.Replaces != "" && (!isOpen || open.ID != in.Replaces):
			problems = append(problems, "the invitation to replace for "+email+" is not its open invitation")
		case in.Replaces != "" && open.State == store.InviteJoined:
			problems = append(problems, email+" has joined with the code; confirm or cancel that invitation instead of re-issuing it")
		case isOpen && in.Replaces == "":
			problems = append(problems, email+" already has an open invitation (re-issue it to replace it)")
		case checkID("invitation id", in.ID) != nil:
			problems = append(problems, "the invitation id for "+email+" is not a UUID")
		}
		seen[email] = true
		invs = append(invs, store.Invitation{ID: in.ID, Email: email, Replaces: in.Replaces})
	}
	if len(problems) > 0 {
		return errBadRequest("nobody was invited: %s", strings.Join(problems, "; "))
	}
	ids := make([]string, len(invs))
	for i, in := range invs {
		ids[i] = in.ID
	}
	if err := s.audit(r, o.ID, api.AuditInvite, api.TargetInvite(req.BatchID, ids)); err != nil {
		return err
	}
	b := store.InviteBatch{ID: req.BatchID, OrgID: o.ID, VerifierHash: req.VerifierHash, OrgTag: req.OrgTag, Details: req.Details, SealedCode: req.SealedCode, CreatedAt: s.now(), InviterID: inviter.ID}
	// The owner's authority (orgFor's store.Require) is checked again
	// inside the transaction that cancels what is replaced and stores the
	// batch: an owner no longer owner by then re-issues nothing.
	if err := s.createInvitationsWithinBudget(r.Context(), b, invs); err != nil {
		if errors.Is(err, store.ErrExists) {
			return &httpError{http.StatusConflict, api.CodeExists, "an invitation or batch with this id already exists, or an address was invited meanwhile", 0}
		}
		if errors.Is(err, store.ErrNotFound) {
			return errConflict("nobody was invited: an invitation to replace was joined or cancelled meanwhile; list the members and try again", 0)
		}
		return err
	}
	s.log.InfoContext(r.Context(), "invitations created", "org", o.ID, "batch", b.ID, "count", len(invs))
	// req.JoinURL is ignored: links come only from the configured public URL.
	writeJSON(w, http.StatusCreated, api.InviteResponse{BatchID: b.ID, Mail: s.sendInvitations(r.Context(), o, inviter, invs)})
	return nil
}

// rosterConflict words a roster version race for what it is.
func rosterConflict(err error) error {
	var ce *store.ConflictError
	if errors.As(err, &ce) {
		return errConflict(fmt.Sprintf("the roster changed meanwhile (now version %d); sync and retry", ce.Head), 0)
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// createInvitationsWithinBudget stores a batch if, with a Mailer, the
// whole batch fits the invitation mail budgets of the inviting account and
// of the organisation; otherwise it stores and sends nothing (429). The
// store checks the budget in the transaction that writes the batch, so it
// holds across every instance on one database (issue 27).
func (s *Server) createInvitationsWithinBudget(ctx context.Context, b store.InviteBatch, invs []store.Invitation) error {
	if s.cfg.Mailer != nil {
		b.Budget = &store.InviteBudget{Since: b.CreatedAt.Add(-s.cfg.InviteMailWindow), PerInviter: s.cfg.InviteMailPerAccount, PerOrg: s.cfg.InviteMailPerOrg}
	}
	err := s.store.CreateInvitations(ctx, b, invs)
	var be *store.InviteBudgetError
	if errors.As(err, &be) {
		who := "your account"
		if be.ByOrg {
			who = "this organisation"
		}
		return &httpError{http.StatusTooManyRequests, api.CodeRateLimited, fmt.Sprintf(
			"nobody was invited: %s may send %d invitation e-mails per %s and has %d left (this batch has %d); try again later",
			who, be.Max, s.cfg.InviteMailWindow, max(0, be.Max-be.Used), be.BatchCount), 0}
	}
	return err
}

// sendInvitations mails each invitee a Join link built from the configured
// public URL, as text and as HTML with a Join button. The mail names the
// inviter by their verified address only (names are self-chosen) and says
// the code comes separately, never by mail. It cannot name the
// organisation: the server holds its name sealed under the organisation
// key (zero knowledge); the Join page shows it once the code opened the
// invitation.
func (s *Server) sendInvitations(ctx context.Context, o store.Org, inviter store.Account, invs []store.Invitation) string {
	if s.cfg.Mailer == nil {
		return api.MailNotConfigured
	}
	status := api.MailSent
	for _, in := range invs {
		text, html := s.invitationMail(o, inviter, in)
		m := mail.Message{To: in.Email, Subject: "Invitation from " + inviter.Email + " to join an organisation on Coffer", Text: text, HTML: html}
		if err := s.cfg.Mailer.Send(ctx, m); err != nil {
			s.log.Warn("invitation mail failed", "org", o.ID, "invitation", in.ID, "err", err)
			status = api.MailFailed
		}
	}
	return status
}

// joinLink is an invitation's Join link: the configured public URL, the
// web app's Join page, and what the page needs but the code.
func (s *Server) joinLink(o store.Org, in store.Invitation) string {
	return strings.TrimRight(s.cfg.PublicURL, "/") + webui.JoinPath + "?" + webui.JoinQuery(in.ID, o.ID, in.Email)
}

type invitationMailData struct {
	Inviter, Invitee, Server, Link, OrgID string
	Replaces                              bool
}

// invitationText and invitationHTML say the same; the text stands alone
// for mail programs that show no HTML.
var invitationText = template.Must(template.New("text").Parse(`The Coffer account {{.Inviter}} invited you ({{.Invitee}}) to an organisation on the Coffer server at {{.Server}}.
This server has verified that the account controls the address {{.Inviter}}.
{{if .Replaces}}
This invitation replaces an earlier one to the same organisation: the earlier code and link no longer work.
{{end}}
Join in the browser: {{.Link}}
  Log in there, or sign up with this address ({{.Invitee}}) if you have no Coffer account yet. The page then asks only for the confirmation code.

With the command line:
  coffer org join {{.OrgID}} --code CODE

You need the confirmation code. It is NOT in this e-mail and never comes by e-mail: {{.Inviter}} gives it to you separately, through another channel (in person, by phone or messenger). Ignore any e-mail that contains a code or asks for your master password.

The organisation's name is not in this e-mail: it is end-to-end encrypted, and this server cannot read it. Coffer shows it to you once your code has opened the invitation.

If you did not expect this invitation, ignore this mail.
`))

var invitationHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Invitation to Coffer</title></head>
<body style="font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; line-height: 1.5; color: #1b1f24; max-width: 36rem">
<p>The Coffer account <strong>{{.Inviter}}</strong> invited you ({{.Invitee}}) to an organisation on the Coffer server at {{.Server}}.
This server has verified that the account controls the address {{.Inviter}}.</p>
{{if .Replaces}}<p>This invitation replaces an earlier one to the same organisation: the earlier code and link no longer work.</p>
{{end}}<p style="margin: 1.5rem 0"><a href="{{.Link}}" style="display: inline-block; padding: 0.75rem 1.5rem; background: #0b5cd5; color: #ffffff; font-weight: 600; text-decoration: none; border-radius: 6px">Join</a></p>
<p>Log in there, or sign up with this address ({{.Invitee}}) if you have no Coffer account yet. The page then asks only for the confirmation code.
If the button does not work, open this link: <a href="{{.Link}}">{{.Link}}</a></p>
<p>With the command line: <code>coffer org join {{.OrgID}} --code CODE</code></p>
<p><strong>You need the confirmation code. It is not in this e-mail and never comes by e-mail:</strong> {{.Inviter}} gives it to you separately, through another channel (in person, by phone or messenger). Ignore any e-mail that contains a code or asks for your master password.</p>
<p>The organisation's name is not in this e-mail: it is end-to-end encrypted, and this server cannot read it. Coffer shows it to you once your code has opened the invitation.</p>
<p>If you did not expect this invitation, ignore this mail.</p>
</body></html>
`))

// invitationMail is one invitation's mail, as text and as HTML (every
// value escaped for it).
func (s *Server) invitationMail(o store.Org, inviter store.Account, in store.Invitation) (text, html string) {
	d := invitationMailData{Inviter: inviter.Email, Invitee: in.Email, Server: s.cfg.PublicURL, Link: s.joinLink(o, in), OrgID: o.ID, Replaces: in.Replaces != ""}
	var t, h strings.Builder
	if err := invitationText.Execute(&t, d); err != nil {
		panic(err) // a template of this file, with strings only
	}
	if err := invitationHTML.Execute(&h, d); err != nil {
		panic(err)
	}
	return t.String(), h.String()
}

func (s *Server) pendingInvitations(w http.ResponseWriter, r *http.Request) error {
	me, err := s.store.AccountByID(r.Context(), s.userID(r))
	if err != nil {
		return err
	}
	if err := s.requireVerified(me, "see invitations"); err != nil {
		return err
	}
	invs, err := s.store.OpenInvitationsFor(r.Context(), me.Email)
	if err != nil {
		return err
	}
	out := make([]api.PendingInvitation, 0, len(invs))
	for _, in := range invs {
		b, err := s.store.InviteBatch(r.Context(), in.BatchID)
		if err != nil {
			return err
		}
		o, err := s.store.Org(r.Context(), in.OrgID)
		if err != nil {
			return err
		}
		owner, err := s.store.AccountByID(r.Context(), o.OwnerID)
		if err != nil {
			return err
		}
		out = append(out, api.PendingInvitation{ID: in.ID, OrgID: in.OrgID, BatchID: in.BatchID, Email: in.Email, State: in.State,
			OrgTag: b.OrgTag, Details: b.Details, Owner: publicKeysToAPI(owner), Locked: locked(in)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// joinInvitation checks the code's verifier (rate-limited per invitation)
// and records the invitee's MAC.
func (s *Server) joinInvitation(w http.ResponseWriter, r *http.Request) error {
	var req api.JoinRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := checkID("invitation id", id); err != nil {
		return err
	}
	if len(req.Verifier) != 32 || len(req.JoinMAC) != 32 {
		return errBadRequest("verifier and join_mac must be 32 bytes")
	}
	me, err := s.store.AccountByID(r.Context(), s.userID(r))
	if err != nil {
		return err
	}
	if err := s.requireVerified(me, "join an organisation"); err != nil {
		return err
	}
	in, err := s.store.Invitation(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && in.Email != me.Email) {
		return errNotFound("invitation")
	}
	if err != nil {
		return err
	}
	if in.State != store.InviteInvited {
		return errConflict("this invitation is "+in.State+"; it cannot be joined", 0)
	}
	// Said to the invitee, in the browser or the command line alike.
	lockedErr := &httpError{http.StatusTooManyRequests, api.CodeRateLimited, "too many wrong codes for this invitation, so it is locked; ask the organisation's owner to re-issue the invitation (you then get a new e-mail, and a new code from them)", 0}
	if in.FailedAttempts >= maxJoinFails {
		return lockedErr
	}
	b, err := s.store.InviteBatch(r.Context(), in.BatchID)
	if err != nil {
		return err
	}
	// The attempt is counted before the code is compared, in one atomic
	// step that refuses once the limit is reached: concurrent guesses get
	// exactly maxJoinFails comparisons, and a right code after them is
	// refused too.
	n, err := s.store.CountJoinAttempt(r.Context(), in.ID, maxJoinFails, s.now())
	if errors.Is(err, store.ErrNotFound) {
		if now, err := s.store.Invitation(r.Context(), in.ID); err == nil && now.State != store.InviteInvited {
			return errConflict("this invitation is "+now.State+"; it cannot be joined", 0)
		}
		return lockedErr
	}
	if err != nil {
		return err
	}
	if !crypto.Equal(crypto.VerifierHash(req.Verifier), b.VerifierHash) {
		if n >= maxJoinFails {
			// The owner's open pages learn at once that it needs a re-issue.
			if err := s.store.NoteInvitationLocked(r.Context(), in.ID); err != nil {
				s.log.WarnContext(r.Context(), "telling the owner of a locked invitation failed", "invitation", in.ID, "err", err)
			}
		}
		return errForbidden(fmt.Sprintf("wrong confirmation code (%d of %d attempts left)", max(0, maxJoinFails-n), maxJoinFails))
	}
	// Server-attested: the invitee proved the code to the server.
	s.auditServer(r, in.OrgID, me.ID, api.AuditJoin, api.TargetInvitation(in.ID, me.ID))
	if err := s.store.JoinInvitation(r.Context(), in.ID, me.ID, req.JoinMAC, s.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errConflict("this invitation can no longer be joined", 0)
		}
		return err
	}
	s.log.InfoContext(r.Context(), "invitation joined", "org", in.OrgID, "invitation", in.ID, "user", me.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// locked reports whether an invitation used up its code attempts: only a
// re-issue (a new invitation) lets its address join.
func locked(in store.Invitation) bool {
	return in.State == store.InviteInvited && in.FailedAttempts >= maxJoinFails
}

// invitationFor loads an invitation of the organisation in the path.
func (s *Server) invitationFor(r *http.Request, o store.Org) (store.Invitation, error) {
	id := r.PathValue("id")
	if err := checkID("invitation id", id); err != nil {
		return store.Invitation{}, err
	}
	in, err := s.store.Invitation(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && in.OrgID != o.ID) {
		return in, errNotFound("invitation")
	}
	return in, err
}

func (s *Server) confirmInvitation(w http.ResponseWriter, r *http.Request) error {
	var req api.ConfirmRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ConfirmMembers)
	if err != nil {
		return err
	}
	in, err := s.invitationFor(r, o)
	if err != nil {
		return err
	}
	if in.State != store.InviteJoined {
		return errConflict("only a joined invitation can be confirmed; this one is "+in.State, 0)
	}
	if o.RequireTwoFactor {
		// Early; ConfirmMember decides it again in its transaction.
		if on, err := s.store.TwoFactorOn(r.Context(), []string{in.UserID}); err != nil {
			return err
		} else if !on[in.UserID] {
			return errTwoFactorRequired(fmt.Sprintf(msgInviteeNeeds2FA, in.Email))
		}
	}
	members, err := s.confirmedMembers(r.Context(), o.ID)
	if err != nil {
		return err
	}
	if o, err = s.checkRoster(r.Context(), o, req.Roster, memberIDs(members, in.UserID), formerMembers(o, in.UserID)); err != nil {
		return err
	}
	_, memberKeys, err := s.accountKeys(r.Context(), in.UserID)
	if err != nil {
		return err
	}
	kw := req.KeyWrap
	c := crypto.KeyWrapContext{Kind: crypto.KindOrgKey, OrgID: o.ID, ObjectID: o.ID, Epoch: o.KeyEpoch, RecipientKind: crypto.RecipientUser, RecipientID: in.UserID, Recipient: memberKeys}
	if kw.Epoch != o.KeyEpoch || kw.MemberID != in.UserID || kw.SignerID != o.OwnerID {
		return errBadRequest("key_wrap must wrap the current organisation key to the new member, signed by the owner")
	}
	if err := s.checkKeyWrap(r.Context(), o.OwnerID, c, kw.Wrap, kw.Sig, vaultWrapSize); err != nil {
		return err
	}
	wrap := store.KeyWrap{ObjectID: o.ID, Epoch: kw.Epoch, MemberID: in.UserID, SignerID: o.OwnerID, Wrap: kw.Wrap, Sig: kw.Sig, CreatedAt: s.now()}
	// Every earlier epoch too (names sealed under them), once each.
	if uint64(len(req.EarlierWraps)) != o.KeyEpoch-1 {
		return errBadRequest("earlier_wraps must deliver the organisation key's epochs 1 to %d", o.KeyEpoch-1)
	}
	var earlier []store.KeyWrap
	for i, ew := range req.EarlierWraps {
		e := uint64(i + 1)
		if ew.Epoch != e || ew.MemberID != in.UserID || ew.SignerID != o.OwnerID {
			return errBadRequest("earlier_wraps must be the organisation key's epochs 1 to %d in order, to the new member, signed by the owner", o.KeyEpoch-1)
		}
		ec := c
		ec.Epoch = e
		if err := s.checkKeyWrap(r.Context(), o.OwnerID, ec, ew.Wrap, ew.Sig, vaultWrapSize); err != nil {
			return err
		}
		earlier = append(earlier, store.KeyWrap{ObjectID: o.ID, Epoch: e, MemberID: in.UserID, SignerID: o.OwnerID, Wrap: ew.Wrap, Sig: ew.Sig, CreatedAt: s.now()})
	}
	if err := s.audit(r, o.ID, api.AuditConfirm, api.TargetInvitation(in.ID, in.UserID)); err != nil {
		return err
	}
	if err := s.store.ConfirmMember(r.Context(), in.ID, o, wrap, s.now(), earlier...); err != nil {
		if errors.Is(err, store.ErrTwoFactorRequired) {
			return errTwoFactorRequired(fmt.Sprintf(msgInviteeNeeds2FA, in.Email))
		}
		return rosterConflict(err)
	}
	s.log.InfoContext(r.Context(), "member confirmed", "org", o.ID, "user", in.UserID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) cancelInvitation(w http.ResponseWriter, r *http.Request) error {
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.ConfirmMembers)
	if err != nil {
		return err
	}
	in, err := s.invitationFor(r, o)
	if err != nil {
		return err
	}
	if err := s.audit(r, o.ID, api.AuditCancel, api.TargetInvitation(in.ID, "")); err != nil {
		return err
	}
	if err := s.store.CancelInvitation(r.Context(), in.ID, s.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errConflict("only an invited or joined invitation can be cancelled; this one is "+in.State, 0)
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	var req api.RemoveMemberRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.RemoveMembers)
	if err != nil {
		return err
	}
	userID := r.PathValue("user")
	if err := checkID("user id", userID); err != nil {
		return err
	}
	if userID == o.OwnerID {
		return errTransferOwnership("the organisation's owner cannot be removed")
	}
	members, err := s.confirmedMembers(r.Context(), o.ID)
	if err != nil {
		return err
	}
	var rest []string
	found := false
	for _, m := range members {
		if m.UserID == userID {
			found = true
			continue
		}
		rest = append(rest, m.UserID)
	}
	if !found {
		// They left, were unbound or deleted their account: the owner's
		// roster completes it (§18.4).
		return s.completeDeparture(w, r, o, userID, req)
	}
	if o, err = s.checkRoster(r.Context(), o, req.Roster, rest, append(formerMembers(o), userID)); err != nil {
		return err
	}
	resigned, err := s.resignedGroupKeys(r.Context(), o, userID, req.GroupKeys)
	if err != nil {
		return err
	}
	if err := s.audit(r, o.ID, api.AuditRemove, api.TargetMember(userID)); err != nil {
		return err
	}
	left, err := s.store.RemoveMember(r.Context(), o, userID, resigned)
	if err != nil {
		return rosterConflict(err)
	}
	s.log.InfoContext(r.Context(), "member removed", "org", o.ID, "user", userID)
	if left == nil {
		left = []string{}
	}
	writeJSON(w, http.StatusOK, api.RemoveMemberResult{Resign: left})
	return nil
}

// resignGroupKeys stores the owner's signature of the unchanged keys of a
// group that a removed member signed and the removal's group_keys did not
// cover (it was made while the owner's client listed the groups).
func (s *Server) resignGroupKeys(w http.ResponseWriter, r *http.Request) error {
	var req api.GroupKeysSig
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	o, _, err := s.orgFor(r, r.PathValue("org"), authz.RemoveMembers)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := checkID("group id", id); err != nil {
		return err
	}
	if req.GroupID != "" && req.GroupID != id {
		return errBadRequest("group_id must be the group of the path (or left out)")
	}
	g, err := s.store.Group(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && g.OrgID != o.ID) {
		return errNotFound("group")
	}
	if err != nil {
		return err
	}
	if role, err := s.store.OrgRole(r.Context(), o.ID, g.KeysSignerID); err != nil {
		return err
	} else if role != "" {
		return errConflict("the group's keys are signed by a member; only keys a removed member signed are re-signed", 0)
	}
	_, owner, err := s.accountKeys(r.Context(), o.OwnerID)
	if err != nil {
		return err
	}
	keys := crypto.PublicKeys{Sign: g.SignPub, KEM: g.KEMPub}
	if len(req.KeysSig) != sigSize || crypto.VerifyPublicKeys(crypto.RecipientGroup, g.ID, keys, owner, req.KeysSig) != nil {
		return errBadRequest("keys_sig does not verify with the owner's keys over the group's keys")
	}
	if err := s.store.ResignGroupKeys(r.Context(), o.ID, g.ID, g.KeysSignerID, o.OwnerID, req.KeysSig); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errConflict("the group's keys signer changed; list the groups again", 0)
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// resignedGroupKeys checks the owner's new signatures of the keys of
// groups whose keys the leaving member signed: only such groups, each
// signature verifying with the owner's keys over the group's unchanged
// public keys. Groups it does not cover are re-signed after the removal
// (resignGroupKeys).
func (s *Server) resignedGroupKeys(ctx context.Context, o store.Org, userID string, sigs []api.GroupKeysSig) (map[string][]byte, error) {
	groups, err := s.store.GroupsInOrg(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	_, owner, err := s.accountKeys(ctx, o.OwnerID)
	if err != nil {
		return nil, err
	}
	byID := map[string][]byte{}
	for _, g := range sigs {
		if _, dup := byID[g.GroupID]; dup {
			return nil, errBadRequest("group_keys lists group %s twice", g.GroupID)
		}
		byID[g.GroupID] = g.KeysSig
	}
	out := map[string][]byte{}
	for _, g := range groups {
		if g.KeysSignerID != userID {
			continue
		}
		sig, ok := byID[g.ID]
		if !ok {
			// Made after the owner's client listed the groups: the
			// removal goes ahead and reports it for re-signing.
			continue
		}
		keys := crypto.PublicKeys{Sign: g.SignPub, KEM: g.KEMPub}
		if len(sig) != sigSize || crypto.VerifyPublicKeys(crypto.RecipientGroup, g.ID, keys, owner, sig) != nil {
			return nil, errBadRequest("group_keys: the signature for group %s does not verify with the owner's keys", g.ID)
		}
		out[g.ID] = sig
		delete(byID, g.ID)
	}
	if len(byID) > 0 {
		return nil, errBadRequest("group_keys may only re-sign groups whose keys the leaving member signed")
	}
	return out, nil
}
