package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/mail"
	"github.com/coffer-pm/coffer/internal/store"
)

// A recovery leaves a trace (issue 23, finding 10; docs/protocol.md
// §17.3). An owner's approval and a completed recovery are mailed to the
// account's address when the server sends mail — the real member's
// channel, since after a takeover the member's password no longer opens
// the account — and the completion is recorded as a notice that the
// account is shown at its next unlock until it acknowledges it, and keeps
// in its history after that.

const (
	// recoveryMailWindow is the window of the approval mail budget.
	recoveryMailWindow = 24 * time.Hour
	// noticesListed bounds GET /account/notices (one notice per completed
	// recovery, each needing an owner's approval: a handful in practice).
	noticesListed = 100
	// recoveryMailTimeout bounds the sending of one recovery mail. It does
	// not end with the request: whoever completes a recovery cannot keep
	// its mail from going by hanging up.
	recoveryMailTimeout = time.Minute
)

// mailTime is how a time is written in recovery mail.
func mailTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// reserveApprovalMail takes one of the member's approval mails before an
// approval is stored: an approval that could not be announced is not
// given (429, nothing stored). give returns it when nothing was approved.
func (s *Server) reserveApprovalMail(ctx context.Context, w http.ResponseWriter, member string, now time.Time) (give func(), err error) {
	if s.cfg.Mailer == nil {
		return func() {}, nil
	}
	res, ok, wait, err := s.recoveryMail.reserve(ctx, member, now)
	if err != nil {
		return nil, s.errLimitsUnavailable(w, "recovery-mail", err)
	}
	if !ok {
		retryAfter(w, wait)
		return nil, &httpError{http.StatusTooManyRequests, api.CodeRateLimited, fmt.Sprintf(
			"nothing was approved: this member may be sent %d recovery e-mails per %s and every approval is mailed to them; try again later",
			orDefault(s.cfg.RecoveryMailPerAccount, defaultRecoveryMailPerAccount), recoveryMailWindow), 0}
	}
	return func() { s.recoveryMail.refund(ctx, member, res) }, nil
}

const defaultRecoveryMailPerAccount = 10

// sendRecoveryMail sends one recovery mail on a context of its own and
// says how it went.
func (s *Server) sendRecoveryMail(r *http.Request, to, subject, body string, logArgs ...any) string {
	if s.cfg.Mailer == nil {
		return api.MailNotConfigured
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), recoveryMailTimeout)
	defer cancel()
	if err := s.cfg.Mailer.Send(ctx, mail.Message{To: to, Subject: subject, Text: body}); err != nil {
		s.log.WarnContext(r.Context(), "account recovery mail failed", append(logArgs, "err", err)...)
		return api.MailFailed
	}
	return api.MailSent
}

// approvalMail tells a member that an owner approved a recovery of their
// account: whoever holds the request can now set their password. It names
// the owner by address and the organisation by id (its name is sealed),
// and says what to do while the member's own password still works. No
// code, no request id, no link but the configured public URL.
func (s *Server) approvalMail(member, owner store.Account, orgID string, at time.Time) (string, string) {
	return "A recovery of your Coffer account was approved",
		fmt.Sprintf("The owner of an organisation on the Coffer server at %s approved a recovery of your account (%s).\n\n"+
			"Approved by: %s, the owner of the organisation\n"+
			"Organisation: %s (its name is encrypted; this server cannot show it, Coffer does)\n"+
			"Approved at: %s\n\n"+
			"Whoever holds the recovery request this approves can now set a new master password for your account, "+
			"and then open everything you can.\n\n"+
			"If you asked for this, finish on the device where you asked: coffer account recovery complete, "+
			"with the approval code the owner reads to you.\n\n"+
			"If you did NOT ask for this, act now, while your master password still works:\n"+
			"  1. Void every recovery request for your account: coffer account recovery cancel\n"+
			"  2. Withdraw your enrolment in that organisation's recovery: coffer account recovery leave ORG\n"+
			"  3. Tell the organisation's owner and whoever runs this server, over a channel you trust "+
			"(in person, by phone; not by replying to this e-mail).\n\n"+
			"Log in: %s\n\n"+
			"This e-mail carries no code and asks for nothing. Coffer never asks for your master password by e-mail.\n",
			s.cfg.PublicURL, member.Email, owner.Email, orgID, mailTime(at), s.publicLink("/", nil))
}

// recoveredMail tells the account's address that a recovery completed:
// the password was replaced and every session signed out. After a
// takeover this is how the real member learns of it.
func (s *Server) recoveredMail(acct store.Account, n store.AccountNotice) (string, string) {
	approver := n.ActorEmail
	if approver == "" {
		approver = "an owner whose account no longer exists"
	}
	return "Your Coffer account was recovered: its master password was replaced",
		fmt.Sprintf("The master password of your account (%s) on the Coffer server at %s was replaced through account recovery.\n\n"+
			"Completed at: %s, from the network address %s\n"+
			"Approved by: %s, the owner of the organisation %s (its name is encrypted; Coffer shows it)\n"+
			"Approved at: %s\n\n"+
			"Every session of your account was signed out, and your previous master password no longer opens it.\n\n"+
			"If this was you, there is nothing more to do: log in with your new master password at %s\n\n"+
			"If this was NOT you, someone else now holds your account and can open everything you can:\n"+
			"  - Contact whoever runs this server and the organisation's owner at once, over a channel you trust "+
			"(in person, by phone; not by replying to this e-mail). The server's operator can see where the recovery came from; "+
			"an owner who did not approve it knowingly can approve a recovery for you, so that you regain the account.\n"+
			"  - Once you are back in, change your master password and leave the account recovery of any organisation "+
			"whose owner you do not trust (coffer account recovery leave ORG).\n\n"+
			"This e-mail carries no code and asks for nothing. Coffer never asks for your master password by e-mail.\n",
			acct.Email, s.cfg.PublicURL, mailTime(n.CreatedAt), n.ClientAddr, approver, n.OrgID, mailTime(n.ApprovedAt), s.publicLink("/", nil))
}

func noticeToAPI(n store.AccountNotice) api.AccountNotice {
	return api.AccountNotice{ID: n.ID, Kind: n.Kind, OrgID: n.OrgID, ApprovedBy: n.ActorID, ApproverEmail: n.ActorEmail,
		ApprovedAt: n.ApprovedAt, At: n.CreatedAt, ClientAddr: n.ClientAddr, SeenAt: n.SeenAt}
}

// accountNotices lists the caller's notices, seen or not, newest first.
func (s *Server) accountNotices(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.AccountNotices(r.Context(), s.userID(r), noticesListed)
	if err != nil {
		return err
	}
	out := api.AccountNotices{Notices: []api.AccountNotice{}}
	for _, n := range list {
		out.Notices = append(out.Notices, noticeToAPI(n))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// seeNotice records that the caller's account acknowledged one of its
// notices: only the account itself, with its own session.
func (s *Server) seeNotice(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := checkID("notice id", id); err != nil {
		return err
	}
	if err := s.store.MarkNoticeSeen(r.Context(), s.userID(r), id, s.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound("notice")
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
