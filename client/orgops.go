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

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// ErrKeyMismatch: at confirmation, the keys the server presents for an
// invitee are not the keys the invitee proved the code with. Nothing was
// wrapped to them.
var ErrKeyMismatch = errors.New("SECURITY WARNING: the invitee's keys do not match the keys they joined with — the server may have substituted them; nothing was confirmed or shared")

// ErrWrongCode: the confirmation code does not open any invitation.
var ErrWrongCode = errors.New("wrong confirmation code")

// ErrInvitationLocked: too many wrong codes were tried for the invitation.
// The server refuses every code for it, the right one too; only the
// owner's re-issue (a new invitation, with a new code) lets the address
// join. The error says so in words for the browser and the command line
// alike.
var ErrInvitationLocked = errors.New("this invitation is locked: too many wrong confirmation codes were tried for it")

func invitationLocked(owner string) error {
	return fmt.Errorf("%w. Ask the organisation's owner (%s) to re-issue the invitation: you then get a new e-mail, and a new code from them",
		ErrInvitationLocked, sanitize(owner, 100))
}

// ErrAlreadyInvited: an address to invite has an open invitation whose
// code still works. Inviting it again would make that code useless, so
// Invite refuses; Reissue replaces it on purpose.
var ErrAlreadyInvited = errors.New("already invited")

// InviteError: nobody was invited, for the reasons listed (every one at
// once). Open lists the addresses refused only because they have an open
// invitation whose code still works (errors.Is ErrAlreadyInvited): the
// same call as Reissue replaces those.
type InviteError struct {
	Problems []string
	Open     []string
}

func (e *InviteError) Error() string { return "nobody was invited: " + strings.Join(e.Problems, "; ") }

func (e *InviteError) Unwrap() []error {
	if len(e.Open) > 0 {
		return []error{ErrExists, ErrAlreadyInvited}
	}
	return []error{ErrExists}
}

// rosterWith is o's roster with add confirmed (a former member confirmed
// again becomes current) and drop turned into a former member: removed
// members stay listed as former so that what they signed still verifies.
func (s *Session) rosterWith(o *Org, add *Member, drop string) ([]api.RosterMember, []crypto.RosterMember) {
	var out []api.RosterMember
	for _, m := range o.roster {
		switch {
		case add != nil && m.UserID == add.UserID:
			continue // listed again below, as a member
		case m.UserID == drop:
			m.Former = true
		}
		out = append(out, m)
	}
	if add != nil {
		out = append(out, api.RosterMember{UserID: add.UserID, Email: strings.ToLower(add.Email), Fingerprint: add.Keys.Fingerprint()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UserID < out[j].UserID })
	cm := make([]crypto.RosterMember, len(out))
	for i, m := range out {
		cm[i] = crypto.RosterMember{UserID: m.UserID, Email: m.Email, Fingerprint: m.Fingerprint, Former: m.Former}
	}
	return out, cm
}

func (s *Session) signRoster(o *Org, add *Member, drop string) api.Roster {
	members, cm := s.rosterWith(o, add, drop)
	v := o.rosterVersion + 1
	return api.Roster{Version: v, Members: members, Sig: s.id.SignRoster(o.ID, v, o.OwnerID, cm)}
}

// CreateOrg creates an organisation owned by the user and pins it.
func (s *Session) CreateOrg(ctx context.Context, name string) (*Org, error) {
	name, err := cleanName("organisation", name)
	if err != nil {
		return nil, err
	}
	if err := s.uniqueOrgName(name, ""); err != nil {
		return nil, err
	}
	me := s.Profile.UserID
	o := &Org{ID: newID(), Name: name, OwnerID: me, Role: "owner", key: crypto.NewKey(), keyEpoch: 1}
	o.keys = map[uint64][]byte{1: o.key}
	metaBox, err := sealMeta(o.key, name, metaAD("coffer/v1/org-meta", o.ID))
	if err != nil {
		return nil, err
	}
	self := Member{UserID: me, Email: s.Profile.Email, Keys: s.id.Public()}
	roster := s.signRoster(o, &self, "")
	c := crypto.KeyWrapContext{Kind: crypto.KindOrgKey, OrgID: o.ID, ObjectID: o.ID, Epoch: 1, RecipientKind: crypto.RecipientUser, RecipientID: me, Recipient: s.id.Public()}
	wrap, sig, err := crypto.WrapKey(s.id, me, c, o.key)
	if err != nil {
		return nil, err
	}
	// Pin first: an organisation the keyring does not know is ignored.
	if err := s.pinOrg(ctx, o.ID, pinnedOrg{OwnerID: me, SignPub: s.id.Public().Sign, KEMPub: s.id.Public().KEM}); err != nil {
		return nil, err
	}
	rec, err := s.firstRecord(recordState{orgID: o.ID, kind: crypto.RecordOrg, objectID: o.ID, keyCommit: crypto.EpochKeyCommit(o.key), meta: metaBox})
	if err != nil {
		return nil, err
	}
	req := api.CreateOrgRequest{ID: o.ID, Meta: metaBox, Roster: roster, KeyWrap: api.KeyWrap{Epoch: 1, MemberID: me, SignerID: me, Wrap: wrap, Sig: sig}, Record: rec}
	if err := s.t.do(ctx, "POST", "/orgs", req, nil); err != nil {
		return nil, err
	}
	return o, s.refresh(ctx)
}

// cleanName trims a new organisation, group or vault name (spaces at
// either end are never meant) and checks it.
func cleanName(what, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fmt.Errorf("the %s needs a name", what)
	}
	if n := len([]rune(name)); n > MaxContainerName {
		return "", fmt.Errorf("the %s name is too long (%d characters; at most %d)", what, n, MaxContainerName)
	}
	return name, nil
}

// requireOwner returns the organisation if the user owns it.
func (s *Session) requireOwner(orgID string) (*Org, error) {
	o, err := s.FindOrg(orgID)
	if err != nil {
		return nil, err
	}
	if o.OwnerID != s.Profile.UserID {
		return nil, fmt.Errorf("%w: only the organisation's owner can do this", ErrNotAllowed)
	}
	return o, nil
}

type inviteDetails struct {
	OrgName    string `json:"org_name"`
	OwnerEmail string `json:"owner_email"`
	OwnerName  string `json:"owner_name"`
	// FormerOwners: the organisation's owners before this one (§18.5),
	// oldest first, so that what they signed as owner keeps verifying for
	// the invitee. Sealed with the details, under the code.
	FormerOwners []string `json:"former_owners,omitempty"`
}

func detailsAD(orgID, batchID string) []byte {
	return metaAD("coffer/v1/invite-details", orgID, batchID)
}

func codeAD(ownerID, batchID string) []byte {
	return metaAD("coffer/v1/invite-code", ownerID, batchID)
}

// MaxInvites is how many addresses one invitation batch may hold.
const MaxInvites = 50

// InviteResult is the outcome of an invitation batch. Code is shown once
// and never stored in the clear.
type InviteResult struct {
	Code    string
	BatchID string
	Mail    string // "sent", "not_configured" or "failed"
	// Reissued lists the addresses whose open invitation the batch
	// replaced (a re-issue): their earlier code no longer works.
	Reissued []string
}

// Invite invites 1–50 addresses with one fresh confirmation code. All
// addresses are checked first; a bad one stops the whole batch.
//
// Inviting an address again whose invitation is locked (too many wrong
// codes) re-issues it: the new invitation replaces the locked one, in one
// server transaction. An address whose open invitation still works is
// refused (*InviteError, ErrAlreadyInvited): its code may be on its way
// to the invitee, and only Reissue replaces it, on purpose. An address
// that has joined is refused (confirm or cancel it), as is a member.
func (s *Session) Invite(ctx context.Context, orgID string, emails []string) (*InviteResult, error) {
	return s.invite(ctx, orgID, emails, false)
}

// Reissue invites addresses again with a fresh confirmation code, made on
// this device (protocol §14.3) like Invite's: each open invitation of
// theirs that is not joined — locked or not — is replaced by the new one
// in the same server transaction (its code and link stop working); an
// address without one is simply invited. An address that has joined is
// refused (confirm or cancel it instead), and then nobody is re-issued.
func (s *Session) Reissue(ctx context.Context, orgID string, emails []string) (*InviteResult, error) {
	return s.invite(ctx, orgID, emails, true)
}

func (s *Session) invite(ctx context.Context, orgID string, emails []string, reissue bool) (*InviteResult, error) {
	o, err := s.requireOwner(orgID)
	if err != nil {
		return nil, err
	}
	verb := "invite"
	if reissue {
		verb = "re-issue"
	}
	if len(emails) == 0 || len(emails) > MaxInvites {
		return nil, fmt.Errorf("%s 1 to %d addresses at a time (got %d)", verb, MaxInvites, len(emails))
	}
	var problems []string
	seen := map[string]bool{}
	invs := make([]api.NewInvitation, 0, len(emails))
	for _, e := range emails {
		norm, err := NormalizeEmail(e)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%q is not an e-mail address", sanitize(e, 80)))
		case seen[norm]:
			problems = append(problems, norm+" is listed twice")
		}
		seen[norm] = true
		invs = append(invs, api.NewInvitation{ID: newID(), Email: norm})
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("nobody was invited: %s", strings.Join(problems, "; "))
	}
	// What the organisation has open for these addresses decides between
	// a new invitation, a re-issue and a refusal.
	var resp api.Members
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(o.ID)+"/members", nil, &resp); err != nil {
		return nil, err
	}
	members, open := map[string]bool{}, map[string]api.Invitation{}
	for _, m := range resp.Members {
		members[strings.ToLower(m.Email)] = true
	}
	for _, in := range resp.Invitations {
		if in.State == "invited" || in.State == "joined" {
			open[in.Email] = in
		}
	}
	var refused InviteError
	var reissued []string
	for i := range invs {
		e := invs[i].Email
		in, isOpen := open[e]
		switch {
		case members[e]:
			refused.Problems = append(refused.Problems, e+" is already a member")
		case !isOpen:
		case in.State == "joined":
			refused.Problems = append(refused.Problems, e+" has joined with the code and waits for your confirmation: confirm or cancel that invitation")
		case in.Locked || reissue:
			invs[i].Replaces = in.ID
			reissued = append(reissued, e)
		default:
			refused.Problems = append(refused.Problems, e+" already has an open invitation whose code still works: re-issue it to replace that code with a new one")
			refused.Open = append(refused.Open, e)
		}
	}
	if len(refused.Problems) > 0 {
		return nil, &refused
	}
	code, text := crypto.NewInviteCode()
	batch := newID()
	keys := crypto.DeriveInviteKeys(code, batch)
	details, _ := json.Marshal(inviteDetails{OrgName: o.Name, OwnerEmail: s.Profile.Email, OwnerName: s.Profile.Name, FormerOwners: o.formerOwners})
	detailBox, err := crypto.Seal(keys.Detail, details, detailsAD(o.ID, batch))
	if err != nil {
		return nil, err
	}
	sealedCode, err := crypto.Seal(s.ak, code, codeAD(s.Profile.UserID, batch))
	if err != nil {
		return nil, err
	}
	req := api.InviteRequest{BatchID: batch, VerifierHash: crypto.VerifierHash(keys.Verifier),
		OrgTag: keys.OrgTag(o.ID, batch, s.Profile.UserID, s.id.Public()), Details: detailBox, SealedCode: sealedCode,
		Invitations: invs}
	ids := make([]string, len(invs))
	for i, in := range invs {
		ids[i] = in.ID
	}
	stmt := s.statement(o.ID, api.AuditInvite, api.TargetInvite(batch, ids))
	var sent api.InviteResponse
	if err := s.t.doStated(ctx, "POST", "/orgs/"+url.PathEscape(o.ID)+"/invitations", stmt, req, &sent); err != nil {
		return nil, err
	}
	return &InviteResult{Code: text, BatchID: batch, Mail: sent.Mail, Reissued: reissued}, nil
}

// PendingInvitation is an open invitation whose details the code opened.
type PendingInvitation struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID         string
	OrgID      string
	OrgName    string
	OwnerEmail string
	OwnerName  string
}

// Join accepts the invitation to the organisation named orgRef (its id,
// the name the owner gave it, or the invitation's id — a Join link
// carries both ids) with the confirmation code. Before sending anything
// it checks that the code authenticates the organisation and its owner;
// it then proves the code bound to this account's keys, and pins the
// owner's keys with the organisation's name the invitation carried. A
// locked invitation is ErrInvitationLocked, and nothing is sent.
func (s *Session) Join(ctx context.Context, orgRef, codeText string) (*PendingInvitation, error) {
	code, err := crypto.ParseInviteCode(codeText)
	if err != nil {
		return nil, err
	}
	if o, err := s.FindOrg(orgRef); err == nil {
		return nil, fmt.Errorf("%w: you are a member of %q already", ErrExists, sanitize(o.Name, 80))
	}
	var pending []api.PendingInvitation
	if err := s.t.do(ctx, "GET", "/invitations", nil, &pending); err != nil {
		return nil, err
	}
	var named *api.PendingInvitation
	for i := range pending {
		in := &pending[i]
		keys := crypto.DeriveInviteKeys(code, in.BatchID)
		byID := in.OrgID == orgRef || in.ID == orgRef
		pt, err := crypto.Open(keys.Detail, in.Details, detailsAD(in.OrgID, in.BatchID))
		if err != nil {
			if byID && in.State != "joined" {
				named = in
			}
			continue
		}
		var d inviteDetails
		if json.Unmarshal(pt, &d) != nil {
			continue
		}
		if !byID && !strings.EqualFold(d.OrgName, orgRef) {
			continue
		}
		if in.State == "joined" {
			return nil, fmt.Errorf("%w: you joined %q already; its owner (%s) confirms you as the last step, and you see its vaults then",
				ErrExists, sanitize(d.OrgName, 80), sanitize(d.OwnerEmail, 100))
		}
		owner := crypto.PublicKeys{Sign: in.Owner.SignPub, KEM: in.Owner.KEMPub}
		if crypto.VerifyPublicKeys(crypto.RecipientUser, in.Owner.UserID, owner, owner, in.Owner.PublicKeysSig) != nil ||
			keys.VerifyOrgTag(in.OrgTag, in.OrgID, in.BatchID, in.Owner.UserID, owner) != nil {
			return nil, tampered("the invitation to %q does not match its code: the organisation or its owner was altered", sanitize(d.OrgName, 80))
		}
		if in.Locked {
			return nil, invitationLocked(d.OwnerEmail)
		}
		req := api.JoinRequest{Verifier: keys.Verifier, JoinMAC: keys.JoinMAC(in.ID, in.OrgID, s.Profile.Email, s.id.Public())}
		if err := s.t.do(ctx, "POST", "/invitations/"+url.PathEscape(in.ID)+"/join", req, nil); err != nil {
			var ae *APIError
			if errors.As(err, &ae) && ae.Status == statusTooManyRequests {
				return nil, invitationLocked(d.OwnerEmail)
			}
			return nil, err
		}
		pin := pinnedOrg{OwnerID: in.Owner.UserID, SignPub: owner.Sign, KEMPub: owner.KEM, Name: d.OrgName, OwnerEmail: d.OwnerEmail, FormerOwners: d.FormerOwners}
		if err := s.pinOrg(ctx, in.OrgID, pin); err != nil {
			return nil, err
		}
		return &PendingInvitation{ID: in.ID, OrgID: in.OrgID, OrgName: d.OrgName, OwnerEmail: d.OwnerEmail, OwnerName: d.OwnerName}, nil
	}
	if named != nil {
		if named.Locked {
			return nil, invitationLocked(named.Owner.Email)
		}
		// Let the server count the failed attempt too (its limit protects
		// the code against guessing through the API).
		keys := crypto.DeriveInviteKeys(code, named.BatchID)
		err := s.t.do(ctx, "POST", "/invitations/"+url.PathEscape(named.ID)+"/join",
			api.JoinRequest{Verifier: keys.Verifier, JoinMAC: make([]byte, 32)}, nil)
		var ae *APIError
		switch {
		case errors.As(err, &ae) && ae.Status == statusTooManyRequests:
			return nil, invitationLocked(named.Owner.Email)
		case errors.As(err, &ae) && ae.Status == statusForbidden:
			return nil, fmt.Errorf("%w: %s", ErrWrongCode, sanitize(ae.Message, 200))
		}
	}
	return nil, fmt.Errorf("%w, or no open invitation to %q for %s", ErrWrongCode, sanitize(orgRef, 80), s.Profile.Email)
}

// Invitation is an invitation to this account, as the invitee sees it
// before joining: the organisation's name and owner are sealed under the
// code, so only the owner's address as the server states it is known.
type Invitation struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID         string    `json:"id"`
	OrgID      string    `json:"org_id"`
	State      string    `json:"state"` // "invited", or "joined": waiting for the owner
	OwnerEmail string    `json:"owner"` // as the server says; the code authenticates it at join
	// Locked: too many wrong codes were tried; the owner must re-issue it.
	Locked bool `json:"locked,omitempty"`
}

// Invitations lists the invitations to this account that are open or
// joined and waiting for the owner's confirmation.
func (s *Session) Invitations(ctx context.Context) ([]Invitation, error) {
	var pending []api.PendingInvitation
	if err := s.t.do(ctx, "GET", "/invitations", nil, &pending); err != nil {
		return nil, err
	}
	out := make([]Invitation, 0, len(pending))
	for _, in := range pending {
		out = append(out, Invitation{ID: in.ID, OrgID: in.OrgID, State: in.State, OwnerEmail: in.Owner.Email, Locked: in.Locked})
	}
	return out, nil
}

// MemberView is a member or invitation as the owner's members list shows it.
type MemberView struct {
	_            [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	Email        string    `json:"email"`
	Name         string    `json:"name,omitempty"`
	UserID       string    `json:"user_id,omitempty"`
	State        string    `json:"state"` // owner, confirmed, joined, invited, cancelled
	InvitationID string    `json:"-"`
	Fingerprint  string    `json:"fingerprint,omitempty"`
	// Locked: invited, but the wrong-code attempts are used up (the last
	// at LockedAt): re-issue it — Invite or Reissue the address again.
	Locked   bool       `json:"locked,omitempty"`
	LockedAt *time.Time `json:"locked_at,omitempty"`
	// KeyMismatch: joined, but the keys the server presents are not the
	// ones the invitee joined with (their MAC under the code fails).
	KeyMismatch bool `json:"key_mismatch,omitempty"`
	// TwoFactor: whether their two-factor log-in is on, as the server
	// tells the owner (nil in a member's view).
	TwoFactor *bool `json:"two_factor,omitempty"`
}

// MembersAndInvitations lists confirmed members (roster-verified) and, for
// the owner, invitations in every state.
func (s *Session) MembersAndInvitations(ctx context.Context, orgID string) ([]MemberView, error) {
	o, err := s.FindOrg(orgID)
	if err != nil {
		return nil, err
	}
	var resp api.Members
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(o.ID)+"/members", nil, &resp); err != nil {
		return nil, err
	}
	members, _, err := s.verifyMembers(o, resp)
	if err != nil {
		return nil, err
	}
	twoFactor := map[string]*bool{}
	for _, m := range resp.Members {
		twoFactor[m.UserID] = m.TwoFactor
	}
	var out []MemberView
	for _, m := range members {
		state := "confirmed"
		if m.Role == "owner" {
			state = "owner"
		}
		out = append(out, MemberView{Email: m.Email, Name: m.Name, UserID: m.UserID, State: state, Fingerprint: m.Fingerprint(), TwoFactor: twoFactor[m.UserID]})
	}
	for _, in := range resp.Invitations {
		if in.State == "confirmed" {
			continue // listed as a member
		}
		v := MemberView{Email: in.Email, UserID: in.UserID, State: in.State, InvitationID: in.ID, Locked: in.Locked, LockedAt: in.LockedAt, TwoFactor: in.TwoFactor}
		// A joined invitee's fingerprint, to compare before confirming: of
		// the keys the server presents, and only once their MAC under the
		// code checks out — the same check Confirm makes.
		if in.State == "joined" && o.Role == "owner" {
			switch _, keys, err := s.verifyJoined(o, resp, in.Email); {
			case err == nil:
				v.Fingerprint = keys.FingerprintText()
			case errors.Is(err, ErrKeyMismatch):
				v.KeyMismatch = true
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// Confirm confirms joined invitees by e-mail. For each it checks the
// invitee's MAC against the code (kept sealed under the owner's account
// key) over exactly the keys the server presents; on a mismatch it stops
// with ErrKeyMismatch and wraps nothing. Then it signs the new roster and
// wraps the organisation key to exactly those keys.
func (s *Session) Confirm(ctx context.Context, orgID string, emails []string) error {
	o, err := s.requireOwner(orgID)
	if err != nil {
		return err
	}
	// Every invitee's keys are checked before anyone is confirmed: a swap
	// found for one of several confirms nobody (each is checked again as
	// it is confirmed).
	var resp api.Members
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(o.ID)+"/members", nil, &resp); err != nil {
		return err
	}
	var swapped []string
	for _, email := range emails {
		in, _, err := s.verifyJoined(o, resp, strings.ToLower(strings.TrimSpace(email)))
		if err == nil && o.RequireTwoFactor && in.TwoFactor != nil && !*in.TwoFactor {
			// The server refuses it anyway; nobody is confirmed.
			return inviteeNeedsTwoFactor(in.Email)
		}
		if errors.Is(err, ErrKeyMismatch) {
			swapped = append(swapped, strings.ToLower(strings.TrimSpace(email)))
		} else if err != nil {
			return err
		}
	}
	if len(swapped) > 0 {
		return fmt.Errorf("%w (%s)", ErrKeyMismatch, strings.Join(swapped, ", "))
	}
	for _, email := range emails {
		if err := s.confirmOne(ctx, o, strings.ToLower(strings.TrimSpace(email))); err != nil {
			return err
		}
		if err := s.refresh(ctx); err != nil {
			return err
		}
		if o, err = s.requireOwner(orgID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) confirmOne(ctx context.Context, o *Org, email string) error {
	var resp api.Members
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(o.ID)+"/members", nil, &resp); err != nil {
		return err
	}
	in, memberKeys, err := s.verifyJoined(o, resp, email)
	if err != nil {
		return err
	}
	member := Member{UserID: in.UserID, Email: email, Keys: memberKeys}
	roster := s.signRoster(o, &member, "")
	c := crypto.KeyWrapContext{Kind: crypto.KindOrgKey, OrgID: o.ID, ObjectID: o.ID, Epoch: o.keyEpoch, RecipientKind: crypto.RecipientUser, RecipientID: in.UserID, Recipient: memberKeys}
	wrap, sig, err := crypto.WrapKey(s.id, s.Profile.UserID, c, o.key)
	if err != nil {
		return err
	}
	req := api.ConfirmRequest{Roster: roster, KeyWrap: api.KeyWrap{Epoch: o.keyEpoch, MemberID: in.UserID, SignerID: s.Profile.UserID, Wrap: wrap, Sig: sig}}
	// And every earlier epoch: names sealed under them (§18.1).
	for e := uint64(1); e < o.keyEpoch; e++ {
		key, ok := o.keys[e]
		if !ok {
			return fmt.Errorf("this device holds no key of the organisation's epoch %d; sync and try again", e)
		}
		ec := c
		ec.Epoch = e
		w, sg, err := crypto.WrapKey(s.id, s.Profile.UserID, ec, key)
		if err != nil {
			return err
		}
		req.EarlierWraps = append(req.EarlierWraps, api.KeyWrap{Epoch: e, MemberID: in.UserID, SignerID: s.Profile.UserID, Wrap: w, Sig: sg})
	}
	stmt := s.statement(o.ID, api.AuditConfirm, api.TargetInvitation(in.ID, in.UserID))
	err = s.t.doStated(ctx, "POST", "/orgs/"+url.PathEscape(o.ID)+"/invitations/"+url.PathEscape(in.ID)+"/confirm", stmt, req, nil)
	if isTwoFactorRequired(err) {
		return inviteeNeedsTwoFactor(email)
	}
	return err
}

// verifyJoined finds email's joined invitation in the members answer and
// checks the keys the server presents for it against the invitee's MAC
// (under the code sealed for the owner) and their self-signature. Exactly
// the bytes returned are the ones to pin and wrap to.
func (s *Session) verifyJoined(o *Org, resp api.Members, email string) (*api.Invitation, crypto.PublicKeys, error) {
	var in *api.Invitation
	for i := range resp.Invitations {
		if resp.Invitations[i].Email == email && resp.Invitations[i].State == "joined" {
			in = &resp.Invitations[i]
		}
	}
	if in == nil || in.MemberKeys == nil {
		return nil, crypto.PublicKeys{}, fmt.Errorf("%s has not joined %q (only joined invitations can be confirmed): %w", email, o.Name, ErrNotFound)
	}
	code, err := crypto.Open(s.ak, in.SealedCode, codeAD(s.Profile.UserID, in.BatchID))
	if err != nil {
		return nil, crypto.PublicKeys{}, tampered("the stored confirmation code of this invitation")
	}
	keys := crypto.DeriveInviteKeys(code, in.BatchID)
	memberKeys := crypto.PublicKeys{Sign: bytesClone(in.MemberKeys.SignPub), KEM: bytesClone(in.MemberKeys.KEMPub)}
	if in.MemberKeys.UserID != in.UserID || !strings.EqualFold(in.MemberKeys.Email, email) ||
		keys.VerifyJoinMAC(in.JoinMAC, in.ID, o.ID, email, memberKeys) != nil ||
		crypto.VerifyPublicKeys(crypto.RecipientUser, in.UserID, memberKeys, memberKeys, in.MemberKeys.PublicKeysSig) != nil {
		return nil, crypto.PublicKeys{}, fmt.Errorf("%w (%s)", ErrKeyMismatch, email)
	}
	return in, memberKeys, nil
}

func bytesClone(b []byte) []byte { return append([]byte(nil), b...) }

// Cancel cancels invited or joined invitations by e-mail.
func (s *Session) Cancel(ctx context.Context, orgID string, emails []string) error {
	o, err := s.requireOwner(orgID)
	if err != nil {
		return err
	}
	var resp api.Members
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(o.ID)+"/members", nil, &resp); err != nil {
		return err
	}
	for _, email := range emails {
		email = strings.ToLower(strings.TrimSpace(email))
		var id string
		for _, in := range resp.Invitations {
			if in.Email == email && (in.State == "invited" || in.State == "joined") {
				id = in.ID
			}
		}
		if id == "" {
			return fmt.Errorf("no open invitation for %s in %q: %w", email, o.Name, ErrNotFound)
		}
		stmt := s.statement(o.ID, api.AuditCancel, api.TargetInvitation(id, ""))
		if err := s.t.doStated(ctx, "POST", "/orgs/"+url.PathEscape(o.ID)+"/invitations/"+url.PathEscape(id)+"/cancel", stmt, nil, nil); err != nil {
			return err
		}
	}
	return nil
}

// memberByEmail finds a confirmed member of an organisation by e-mail.
func (s *Session) memberByEmail(orgID, email string) (Member, error) {
	for _, m := range s.memberKeys(orgID) {
		if strings.EqualFold(m.Email, strings.TrimSpace(email)) {
			return m, nil
		}
	}
	return Member{}, fmt.Errorf("%s is not a confirmed member of the organisation: %w", sanitize(email, 100), ErrNotFound)
}

// MemberByEmail finds a confirmed member (with roster-verified keys) in any
// of the user's organisations.
func (s *Session) MemberByEmail(email string) (Member, error) {
	for _, o := range s.Orgs() {
		if m, err := s.memberByEmail(o.ID, email); err == nil {
			return m, nil
		}
	}
	return Member{}, fmt.Errorf("%s is not a member of any of your organisations: %w", sanitize(email, 100), ErrNotFound)
}

// RemoveMember removes a member from the organisation (leave management):
// they keep their account and My Vault. The owner cannot be removed.
func (s *Session) RemoveMember(ctx context.Context, orgID, email string) error {
	o, err := s.requireOwner(orgID)
	if err != nil {
		return err
	}
	m, err := s.memberByEmail(o.ID, email)
	if err != nil {
		return err
	}
	if m.UserID == o.OwnerID {
		return fmt.Errorf("%w: the organisation's owner cannot be removed", ErrTransferOwnership)
	}
	if err := s.sendRemoval(ctx, o, m); err != nil {
		return err
	}
	if err := s.refresh(ctx); err != nil {
		return err
	}
	return s.rotateAfter(ctx, m.Email+" was removed")
}

// sendRemoval signs the next roster with m as a former member, re-signs
// the keys of groups m made, and sends them: a removal, or the completion
// of a departure the server already made (§18.4).
func (s *Session) sendRemoval(ctx context.Context, o *Org, m Member) error {
	groupKeys, err := s.resignGroupKeysOf(ctx, o, m, nil)
	if err != nil {
		return err
	}
	req := api.RemoveMemberRequest{Roster: s.signRoster(o, nil, m.UserID), GroupKeys: groupKeys}
	var res api.RemoveMemberResult
	stmt := s.statement(o.ID, api.AuditRemove, api.TargetMember(m.UserID))
	if err := s.t.doStated(ctx, "POST", "/orgs/"+url.PathEscape(o.ID)+"/members/"+url.PathEscape(m.UserID)+"/remove", stmt, req, &res); err != nil {
		return ownershipError(err)
	}
	// Groups the member made while the list above was read: the removal
	// went ahead (so the member could not keep it from happening by making
	// more) and the owner re-signs them now.
	if len(res.Resign) > 0 {
		left := map[string]bool{}
		for _, id := range res.Resign {
			left[id] = true
		}
		late, err := s.resignGroupKeysOf(ctx, o, m, left)
		if err != nil {
			return err
		}
		for _, g := range late {
			if err := s.t.do(ctx, "PUT", "/orgs/"+url.PathEscape(o.ID)+"/groups/"+url.PathEscape(g.GroupID)+"/keys-sig", g, nil); err != nil {
				return fmt.Errorf("%s was removed; re-signing the keys of group %s they made meanwhile failed (run the removal again to retry): %w", m.Email, g.GroupID, err)
			}
		}
	}
	return nil
}

// rotateAfter does, at once, the rotations a loss of access made owed
// that this account can do (§18.2); the rest stay pending for the next
// key holder. The loss of access itself (what) has happened either way.
func (s *Session) rotateAfter(ctx context.Context, what string) error {
	if _, err := s.CompleteRotations(ctx); err != nil {
		return fmt.Errorf("%s; rotating the keys they held is pending (it is retried at the next unlock): %w", what, err)
	}
	return nil
}

// MemberEmail returns the e-mail address of a member of any of the user's
// organisations, or "".
func (s *Session) MemberEmail(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if email, former := s.memberEmailLocked(userID); !former {
		return email
	}
	return ""
}

// PersonEmail is the address of a current or former member of any of the
// user's organisations, as the signed rosters name them ("" if none).
func (s *Session) PersonEmail(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	email, _ := s.memberEmailLocked(userID)
	return email
}

// memberEmailLocked finds a member, or with former a former member, of any
// of the user's organisations by id. The caller holds s.mu.
func (s *Session) memberEmailLocked(userID string) (email string, former bool) {
	for _, ms := range s.members {
		if m, ok := ms[userID]; ok {
			return m.Email, false
		}
	}
	for _, ms := range s.former {
		if m, ok := ms[userID]; ok {
			return m.Email, true
		}
	}
	return "", false
}

// resignGroupKeysOf re-signs, as the owner, the public keys of every group
// whose keys the leaving member signed, after checking them against the
// member's pinned keys while they are still a member: from then on only
// current members vouch for group keys, so a removed member cannot sign a
// group key of their own that the owner would then wrap vault keys to.
//
// With only set, just those groups (the ones a removal reported).
func (s *Session) resignGroupKeysOf(ctx context.Context, o *Org, leaving Member, only map[string]bool) ([]api.GroupKeysSig, error) {
	var groups []api.Group
	if err := s.t.do(ctx, "GET", "/orgs/"+url.PathEscape(o.ID)+"/groups", nil, &groups); err != nil {
		return nil, err
	}
	var out []api.GroupKeysSig
	for _, g := range groups {
		if keysSignerOf(g) != leaving.UserID || (only != nil && !only[g.ID]) {
			continue
		}
		keys := crypto.PublicKeys{Sign: g.SignPub, KEM: g.KEMPub}
		if crypto.VerifyPublicKeys(crypto.RecipientGroup, g.ID, keys, leaving.Keys, g.KeysSig) != nil {
			return nil, tampered("group %s: its keys are not signed by %s, who the server says made them", g.ID, leaving.Email)
		}
		out = append(out, api.GroupKeysSig{GroupID: g.ID, KeysSig: s.id.SignPublicKeys(crypto.RecipientGroup, g.ID, keys)})
	}
	return out, nil
}
