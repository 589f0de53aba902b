package client

import (
	"context"
	"fmt"

	"github.com/coffer-pm/coffer/internal/api"
)

// Join states (JoinState.State), in the order an invitation goes through
// them.
const (
	JoinInvited = "invited" // open: enter the code
	JoinLocked  = "locked"  // too many wrong codes: the owner must re-issue it
	JoinJoined  = "joined"  // the code was accepted: the owner confirms next
	JoinMember  = "member"  // confirmed: the organisation is open to this account
	JoinNone    = "none"    // no open invitation here (cancelled, replaced, or for another address)
)

// JoinState is where this account stands with an invitation: what a Join
// page shows, read from the server and the account's own keys each time,
// so it is right after every step — a lock, a re-issue, the owner's
// confirmation (live event org.member_confirmed) — not what it was when
// the page opened.
//
// The organisation's name is end-to-end encrypted: the server cannot say
// it. OrgName is known once the code opened the invitation (JoinJoined:
// the name the code-authenticated invitation carried, pinned at join) and
// for a member (the organisation's own sealed name). Owner is the owner's
// e-mail address: before the join as the server states it, after it as
// the code-authenticated invitation (or the signed roster) says.
type JoinState struct {
	_            [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	State        string    `json:"state"`
	OrgID        string    `json:"org_id,omitempty"`
	InvitationID string    `json:"invitation_id,omitempty"`
	OrgName      string    `json:"org_name,omitempty"`
	Owner        string    `json:"owner,omitempty"`
	// Text says what the state means and what to do, in words for the
	// browser and the command line alike.
	Text string `json:"text"`
}

// JoinStatus tells where this account stands with the invitation of a
// Join link: orgID and invitationID are the link's `org` and `invitation`
// (either may be empty). An invitation the link no longer names — it was
// re-issued — is found by its organisation. It syncs first.
func (s *Session) JoinStatus(ctx context.Context, orgID, invitationID string) (*JoinState, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	if orgID != "" {
		if o, err := s.FindOrg(orgID); err == nil && o.ID == orgID {
			return &JoinState{State: JoinMember, OrgID: o.ID, OrgName: o.Name, Owner: s.authorEmail(o.OwnerID),
				Text: fmt.Sprintf("You are a member of %q: its vaults are open to you.", sanitize(o.Name, 80))}, nil
		}
	}
	var pending []api.PendingInvitation
	if err := s.t.do(ctx, "GET", "/invitations", nil, &pending); err != nil {
		return nil, err
	}
	var in *api.PendingInvitation
	for i := range pending {
		if invitationID != "" && pending[i].ID == invitationID {
			in = &pending[i]
			break
		}
		if orgID != "" && pending[i].OrgID == orgID {
			in = &pending[i] // a newer invitation of the same organisation
		}
	}
	if in == nil {
		return &JoinState{State: JoinNone, OrgID: orgID, InvitationID: invitationID,
			Text: fmt.Sprintf("There is no open invitation here for %s: it was cancelled, or replaced by a newer one (look for a newer e-mail), or it went to another address.",
				sanitize(s.Profile.Email, 100))}, nil
	}
	st := &JoinState{OrgID: in.OrgID, InvitationID: in.ID, Owner: sanitize(in.Owner.Email, 100)}
	switch {
	case in.State == "joined":
		st.State = JoinJoined
		kr, err := s.loadKeyring(ctx)
		if err != nil {
			return nil, err
		}
		if p, ok := kr.Orgs[in.OrgID]; ok && p.OwnerID == in.Owner.UserID {
			st.OrgName = p.Name
			if p.OwnerEmail != "" {
				st.Owner = sanitize(p.OwnerEmail, 100)
			}
		}
		name := "the organisation"
		if st.OrgName != "" {
			name = fmt.Sprintf("%q", sanitize(st.OrgName, 80))
		}
		st.Text = fmt.Sprintf("You joined %s. Its owner, %s, confirms you as the last step; its vaults open to you then.", name, st.Owner)
	case in.Locked:
		st.State = JoinLocked
		st.Text = fmt.Sprintf("Too many wrong codes were tried for this invitation, so it is locked. Ask the organisation's owner (%s) to re-issue the invitation: you then get a new e-mail, and a new code from them.", st.Owner)
	default:
		st.State = JoinInvited
		st.Text = fmt.Sprintf("%s invited you to an organisation. Enter the confirmation code %s gives you (never by e-mail); Coffer then shows the organisation's name.", st.Owner, st.Owner)
	}
	return st, nil
}
