package server_test

// Issue 23, finding 10: a recovery takeover by the owner left no trace for
// the member. Now an approval and a completed recovery are mailed to the
// member's address, and the completion is a notice the account is shown
// until it acknowledges it. A real server.Server over SQLite mails through
// a real SMTP server on loopback.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/mail/mailtest"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// authedCall sends a request with a session token and returns the status
// and the body.
func authedCall(t *testing.T, base, method, path, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+api.Prefix+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, bytes.TrimSpace(body)
}

func notices(t *testing.T, base, token string) []api.AccountNotice {
	t.Helper()
	status, body := authedCall(t, base, http.MethodGet, "/account/notices", token)
	var out api.AccountNotices
	if status != http.StatusOK || json.Unmarshal(body, &out) != nil {
		t.Fatalf("GET /account/notices: %d %s", status, body)
	}
	return out.Notices
}

// pendingToken opens what the member's device keeps of a request (as
// client.PendingRecovery.Finish does) for its bearer token, a secret no
// mail may carry.
func pendingToken(t *testing.T, p *client.PendingRecovery, newPW []byte) string {
	t.Helper()
	mk, err := crypto.DeriveMasterKeys(newPW, p.Email, p.KDF)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := crypto.Open(mk.KEK, p.Sealed, crypto.Tuple("coffer/v1/recovery-pending", []byte(p.RequestID), []byte(strings.ToLower(p.Email))))
	if err != nil {
		t.Fatal(err)
	}
	var sec struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(pt, &sec) != nil || !strings.HasPrefix(sec.Token, "cr2_") {
		t.Fatalf("no token in the pending recovery")
	}
	return sec.Token
}

var anyLink = regexp.MustCompile(`https?://[^\s)]+`)

// mailIsClean: the mail carries none of the secrets or codes, and every
// link in it is on the configured public URL.
func mailIsClean(t *testing.T, msg mailtest.Message, secrets ...string) {
	t.Helper()
	text := msg.Subject + "\n" + msg.Body
	for _, s := range secrets {
		for _, form := range []string{s, strings.ReplaceAll(s, "-", "")} {
			if form != "" && strings.Contains(text, form) {
				t.Errorf("the mail %q contains the secret %q:\n%s", msg.Subject, form, msg.Body)
			}
		}
	}
	for _, link := range anyLink.FindAllString(text, -1) {
		if link != publicURL && !strings.HasPrefix(link, publicURL+"/") {
			t.Errorf("the mail %q links to %s, not the public URL", msg.Subject, link)
		}
	}
}

// TestRecoveryIsMailedToTheMember: an owner approves a recovery of
// Laura's account (here: one Laura asked for; a rogue owner's would look
// the same) and it is completed. Laura's address gets a mail at the
// approval — while her password still works — and one at the completion,
// naming the approving owner, the organisation, when, that every session
// was signed out, and what to do if it was not her; neither carries a
// code, a token, the request id or the new password, and their only link
// is the configured public URL. The completion is a notice of the
// account, which another account cannot acknowledge and the account can.
func TestRecoveryIsMailedToTheMember(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	env := testserver.Start(t, &cfg, nil)
	owner := signupVerified(t, env, m, "owner@takeover.example", "Owner")
	laura := signupVerified(t, env, m, "laura@takeover.example", "Laura")
	o := recoveryOrg(t, owner, laura)

	newPW := []byte("the new password of whoever completes")
	p, err := client.RequestRecovery(bg, env.URL, "laura@takeover.example", newPW, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	token := pendingToken(t, p, newPW)
	approval, err := owner.ApproveRecovery(bg, o.ID, "laura@takeover.example", p.Code())
	if err != nil {
		t.Fatal(err)
	}
	approved := m.Wait(t, "laura@takeover.example", "recovery of your Coffer account was approved", 1)[0]
	for _, want := range []string{"owner@takeover.example", o.ID, publicURL, "coffer account recovery cancel",
		"coffer account recovery leave", "while your master password still works", "not by replying"} {
		if !strings.Contains(approved.Body, want) {
			t.Errorf("the approval mail lacks %q:\n%s", want, approved.Body)
		}
	}
	mailIsClean(t, approved, p.Code(), approval, p.RequestID, token, string(newPW))

	before := time.Now().UTC()
	s, err := p.Finish(bg, newPW, func() (string, error) { return approval, nil }, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := m.Wait(t, "laura@takeover.example", "Coffer account was recovered", 1)[0]
	for _, want := range []string{"laura@takeover.example", "owner@takeover.example", o.ID, "Every session of your account was signed out",
		"If this was NOT you", "whoever runs this server", "organisation's owner", "127.0.0.1", publicURL} {
		if !strings.Contains(done.Body, want) {
			t.Errorf("the completion mail lacks %q:\n%s", want, done.Body)
		}
	}
	if !strings.Contains(done.Body, before.Format("2006-01-02")) {
		t.Errorf("the completion mail does not say when:\n%s", done.Body)
	}
	mailIsClean(t, done, p.Code(), approval, p.RequestID, token, string(newPW))
	// The member's address only: the owner is not mailed about it.
	if got := m.To("owner@takeover.example", "recover"); len(got) != 0 {
		t.Errorf("the owner got recovery mail: %+v", got)
	}

	// The notice: the recovered account sees it; another account can
	// neither see nor acknowledge it.
	list := notices(t, env.URL, s.Token())
	if len(list) != 1 {
		t.Fatalf("notices after the recovery: %+v", list)
	}
	n := list[0]
	if n.Kind != api.NoticeRecovered || n.OrgID != o.ID || n.ApprovedBy != owner.Profile.UserID || n.ApproverEmail != "owner@takeover.example" ||
		n.ClientAddr != "127.0.0.1" || !n.SeenAt.IsZero() || n.At.Before(n.ApprovedAt) || n.At.Before(before.Add(-time.Second)) {
		t.Fatalf("the notice: %+v", n)
	}
	if got := notices(t, env.URL, owner.Token()); len(got) != 0 {
		t.Fatalf("the owner sees the member's notices: %+v", got)
	}
	if status, body := authedCall(t, env.URL, http.MethodPost, "/account/notices/"+n.ID+"/seen", owner.Token()); status != http.StatusNotFound {
		t.Fatalf("the owner acknowledges the member's notice: %d %s", status, body)
	}
	if status, _ := authedCall(t, env.URL, http.MethodPost, "/account/notices/"+n.ID+"/seen", ""); status != http.StatusUnauthorized {
		t.Fatalf("an acknowledgement without a session: %d", status)
	}
	if got := notices(t, env.URL, s.Token()); !got[0].SeenAt.IsZero() {
		t.Fatalf("seen after others tried: %+v", got)
	}
	if status, body := authedCall(t, env.URL, http.MethodPost, "/account/notices/"+n.ID+"/seen", s.Token()); status != http.StatusNoContent {
		t.Fatalf("the account acknowledges its notice: %d %s", status, body)
	}
	if got := notices(t, env.URL, s.Token()); len(got) != 1 || got[0].SeenAt.IsZero() {
		t.Fatalf("after the acknowledgement (the history keeps it): %+v", got)
	}
}

// TestRecoveryApprovalMailBudget: every approval is mailed to the
// member, so approvals of one member's recovery are budgeted like other
// mail: one beyond the budget is refused with 429 and nothing is approved
// (an approval that could not be announced is not given).
func TestRecoveryApprovalMailBudget(t *testing.T) {
	m := startSMTP(t)
	cfg := m.config(t)
	cfg.RecoveryMailPerAccount = 2
	env := testserver.Start(t, &cfg, nil)
	owner := signupVerified(t, env, m, "owner@budget.example", "Owner")
	laura := signupVerified(t, env, m, "laura@budget.example", "Laura")
	o := recoveryOrg(t, owner, laura)
	for i := range 3 {
		req := recoveryAsk(t, "laura@budget.example")
		askRecovery(t, env.URL, req)
		_, err := owner.ApproveRecovery(bg, o.ID, "laura@budget.example", requestCode(req))
		if i < 2 && err != nil {
			t.Fatalf("approval %d: %v", i+1, err)
		}
		if i == 2 {
			if apiStatus(err) != http.StatusTooManyRequests || !strings.Contains(err.Error(), "nothing was approved") {
				t.Fatalf("an approval beyond the budget: %v", err)
			}
			_, reqs, err := laura.AccountRecovery(bg)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range reqs {
				if q.ID == req.ID && q.Granted {
					t.Fatal("the approval beyond the budget was stored")
				}
			}
		}
	}
	if got := m.Wait(t, "laura@budget.example", "was approved", 2); len(got) != 2 {
		t.Fatalf("approval mails: %d", len(got))
	}
}
