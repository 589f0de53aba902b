package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
)

// Notices of the account (docs/protocol.md §17.3): what happened to the
// account that its user must be told about at the next unlock or log-in
// — for now, that it was recovered through an organisation. The server
// records them; a malicious server could hide one (or make one up), as it
// could skip a mail: they are a trace for an honest server's users, not a
// proof.

// NoticeRecovered is the kind of notice a completed recovery leaves.
const NoticeRecovered = api.NoticeRecovered

// Notice is one notice of the account, ready to show: Title names it,
// Text says what happened and Advice what to do, in words; the fields say the same for
// a program. Org is the organisation's name as this device verified it,
// empty when the account is no longer one of its members; Approver the
// approving owner's address, from the organisation's signed roster when
// this device holds it, else as the server recorded it.
type Notice struct {
	_          [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	OrgID      string    `json:"org_id"`
	Org        string    `json:"org,omitempty"`
	Approver   string    `json:"approver"`
	ApprovedAt time.Time `json:"approved_at"`
	At         time.Time `json:"at"`
	From       string    `json:"from"`
	Seen       bool      `json:"seen"`
	SeenAt     time.Time `json:"seen_at,omitzero"`
	Title      string    `json:"title"`
	Text       string    `json:"text"`
	Advice     string    `json:"advice"`
}

// noticeTime is how a notice writes a time: this device's local time.
func noticeTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

// Notices returns every notice of the account, newest first, acknowledged
// or not: its recovery history.
func (s *Session) Notices(ctx context.Context) ([]Notice, error) {
	var resp api.AccountNotices
	if err := s.t.do(ctx, "GET", "/account/notices", nil, &resp); err != nil {
		return nil, err
	}
	out := make([]Notice, 0, len(resp.Notices))
	for _, n := range resp.Notices {
		out = append(out, s.notice(n))
	}
	return out, nil
}

// UnseenNotices returns the notices the account has not acknowledged:
// what a log-in or an unlock shows.
func (s *Session) UnseenNotices(ctx context.Context) ([]Notice, error) {
	all, err := s.Notices(ctx)
	if err != nil {
		return nil, err
	}
	var out []Notice
	for _, n := range all {
		if !n.Seen {
			out = append(out, n)
		}
	}
	return out, nil
}

// AcknowledgeNotice records that the account's user read notice id: it is
// no longer shown at unlock, and stays in the history.
func (s *Session) AcknowledgeNotice(ctx context.Context, id string) error {
	err := s.t.do(ctx, "POST", "/account/notices/"+url.PathEscape(id)+"/seen", nil, nil)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == statusNotFound {
		return fmt.Errorf("notice %q: %w", sanitize(id, 60), ErrNotFound)
	}
	return err
}

// notice puts a notice as the server recorded it into words, naming the
// organisation and the owner as this device verified them where it can.
// Everything the server said is made inert.
func (s *Session) notice(n api.AccountNotice) Notice {
	out := Notice{ID: sanitize(n.ID, 60), Kind: sanitize(n.Kind, 40), OrgID: sanitize(n.OrgID, 60), Approver: sanitize(n.ApproverEmail, 120),
		ApprovedAt: n.ApprovedAt, At: n.At, From: sanitize(n.ClientAddr, 60), Seen: !n.SeenAt.IsZero(), SeenAt: n.SeenAt}
	s.mu.Lock()
	if o, ok := s.orgs[n.OrgID]; ok {
		out.Org = sanitize(o.Name, 100)
		if m, ok := s.members[n.OrgID][n.ApprovedBy]; ok {
			out.Approver = m.Email
		} else if m, ok := s.former[n.OrgID][n.ApprovedBy]; ok {
			out.Approver = m.Email
		}
	}
	s.mu.Unlock()
	if out.Kind == api.NoticeSecondFactorReset {
		out.Title = "Your two-factor log-in was turned off"
		out.Text = fmt.Sprintf("An administrator of this server (%s) turned off your two-factor log-in on %s, from %s: your authenticator app's codes, recovery codes and security keys no longer work here.",
			orNone(out.Approver, "an administrator whose account no longer exists"), noticeTime(out.At), out.From)
		out.Advice = "If you asked for it, turn two-factor log-in on again in Account → Security (coffer account 2fa enable). If you did not, tell whoever runs this server at once, over a channel you trust, and change your master password."
		return out
	}
	if out.Kind != NoticeRecovered {
		out.Title = "Something happened to your account"
		out.Text = fmt.Sprintf("The server recorded an event of a kind this version does not know (%q) for your account on %s.", out.Kind, noticeTime(out.At))
		out.Advice = "Update Coffer to read it."
		return out
	}
	org := fmt.Sprintf("an organisation you are no longer a member of (id %s)", out.OrgID)
	if out.Org != "" {
		org = fmt.Sprintf("the organisation %q", out.Org)
	}
	approver := out.Approver
	if approver == "" {
		approver = "an owner whose account no longer exists"
	}
	out.Title = "Your account was recovered"
	out.Text = fmt.Sprintf("Your account was recovered through %s on %s: its owner %s approved it on %s, it was completed from %s, "+
		"the master password was replaced and every session was signed out.",
		org, noticeTime(out.At), approver, noticeTime(out.ApprovedAt), out.From)
	out.Advice = "If you did this, all is well. If you did not, someone else had your master password replaced and could open everything you can: " +
		"tell whoever runs this server and the organisation's owner at once, over a channel you trust, change the master password, " +
		"and leave the account recovery of any organisation whose owner you do not trust."
	return out
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
