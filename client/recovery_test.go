package client_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/internal/api"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/testserver"
)

// TestRecoveryFlow: the owner turns recovery on, a member enrols, forgets
// the password, asks on a fresh device, the owner approves with the code,
// and the member sets a new password; the owner never sees it. Then the
// guards: a member who left cannot be recovered, codes must match, the
// owner cannot enrol, a non-owner cannot approve.
func TestRecoveryFlow(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@r.example")
	laura := signup(t, env.URL, "laura@r.example")
	other := signup(t, env.URL, "other@r.example")
	o := company(t, owner, "Recover Inc", laura, other)
	item := addLogin(t, laura, "Laura's bank", "s3cret-of-laura")

	if err := laura.EnrolRecovery(ctx, o.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("enrol while recovery is off: %v", err)
	}
	if err := laura.EnableRecovery(ctx, o.ID); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("a member turns recovery on: %v", err)
	}
	if err := owner.EnableRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := owner.EnrolRecovery(ctx, o.ID); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("the owner enrols: %v", err)
	}
	if err := laura.EnrolRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	st, err := owner.RecoveryStatus(ctx, o.ID)
	if err != nil || !st.Enabled || len(st.Enrolled) != 1 || st.Enrolled[0].Email != "laura@r.example" || !st.Enrolled[0].Verified {
		t.Fatalf("status: %+v, %v", st, err)
	}
	mine, _, err := laura.AccountRecovery(ctx)
	if err != nil || len(mine) != 1 || !mine[0].Enrolled || mine[0].OwnerEmail != "owner@r.example" {
		t.Fatalf("the member's view: %+v, %v", mine, err)
	}

	newPW := []byte("laura's brand new password")
	p, err := client.RequestRecovery(ctx, env.URL, "Laura@R.example", newPW, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Finish(ctx, newPW, code("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"), client.Options{}); !errors.Is(err, client.ErrRecoveryPending) {
		t.Fatalf("finish before approval: %v", err)
	}
	if _, err := other.ApproveRecovery(ctx, o.ID, "laura@r.example", p.Code()); !errors.Is(err, client.ErrNotAllowed) {
		t.Fatalf("a member approves: %v", err)
	}
	if _, err := owner.ApproveRecovery(ctx, o.ID, "laura@r.example", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"); !errors.Is(err, client.ErrWrongCode) {
		t.Fatalf("approve with a wrong code: %v", err)
	}
	if _, err := owner.ApproveRecovery(ctx, o.ID, "other@r.example", p.Code()); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("approve for a member who is not enrolled: %v", err)
	}
	// A request for an address that is enrolled nowhere looks the same.
	ghost, err := client.RequestRecovery(ctx, env.URL, "nobody@r.example", newPW, client.Options{})
	if err != nil {
		t.Fatalf("a request for an unknown address: %v", err)
	}
	if _, err := ghost.Finish(ctx, newPW, code("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"), client.Options{}); !errors.Is(err, client.ErrRecoveryPending) {
		t.Fatalf("finish an unknown address: %v", err)
	}
	approval, err := owner.ApproveRecovery(ctx, o.ID, "laura@r.example", p.Code())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Finish(ctx, []byte("not the new password"), code(approval), client.Options{}); !errors.Is(err, client.ErrWrongPassword) {
		t.Fatalf("finish with another password: %v", err)
	}
	if _, err := p.Finish(ctx, newPW, code("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"), client.Options{}); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("finish with another approval code: %v", err)
	}
	s, err := p.Finish(ctx, newPW, code(approval), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindItem(item.ID, false)
	if err != nil || got.Content.Login.Password != "s3cret-of-laura" {
		t.Fatalf("the recovered account's item: %+v, %v", got, err)
	}
	if _, err := client.Login(ctx, env.URL, "laura@r.example", []byte("pw of laura@r.example"), client.Options{}); !errors.Is(err, client.ErrWrongPassword) {
		t.Fatalf("the forgotten password after recovery: %v", err)
	}
	// Laura's old session was revoked.
	if err := laura.Sync(ctx); !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("the old session after recovery: %v", err)
	}
	// A used request cannot be finished again.
	if _, err := p.Finish(ctx, newPW, code(approval), client.Options{}); err == nil {
		t.Fatal("a used recovery finished twice")
	}

	// Leaving: a withdrawn enrolment cannot be used.
	if err := s.LeaveRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	p2, err := client.RequestRecovery(ctx, env.URL, "laura@r.example", []byte("yet another password"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.ApproveRecovery(ctx, o.ID, "laura@r.example", p2.Code()); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("approve after the member left recovery: %v", err)
	}
	// An approval the member did not ask for is void once they leave or
	// cancel it: a malicious owner's request in the member's name.
	if err := s.EnrolRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	evil, err := client.RequestRecovery(ctx, env.URL, "laura@r.example", []byte("the owner's own choice"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	evilApproval, err := owner.ApproveRecovery(ctx, o.ID, "laura@r.example", evil.Code())
	if err != nil {
		t.Fatal(err)
	}
	if _, reqs, _ := s.AccountRecovery(ctx); len(reqs) == 0 || !reqs[0].Granted {
		t.Fatalf("the member does not see the approved request: %+v", reqs)
	}
	if n, err := s.CancelRecoveryRequests(ctx); err != nil || n < 1 {
		t.Fatalf("cancel: %d, %v", n, err)
	}
	if _, err := evil.Finish(ctx, []byte("the owner's own choice"), code(evilApproval), client.Options{}); err == nil {
		t.Fatal("a cancelled approval was used")
	}
	// Leaving voids an approval given before.
	evil, _ = client.RequestRecovery(ctx, env.URL, "laura@r.example", []byte("the owner's own choice"), client.Options{})
	if evilApproval, err = owner.ApproveRecovery(ctx, o.ID, "laura@r.example", evil.Code()); err != nil {
		t.Fatal(err)
	}
	if err := s.LeaveRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := evil.Finish(ctx, []byte("the owner's own choice"), code(evilApproval), client.Options{}); err == nil {
		t.Fatal("an approval was used after the member left recovery")
	}
	// Turning recovery off forgets enrolments; on again needs a new one.
	if err := s.EnrolRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := owner.DisableRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := owner.EnableRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if st, _ := owner.RecoveryStatus(ctx, o.ID); st.Version != 2 || len(st.Enrolled) != 0 {
		t.Fatalf("after off and on: %+v", st)
	}
}

// rawStatus sends a request with s's token straight to the server, so no
// client-side check can hide a server hole.
func rawStatus(t *testing.T, url string, s *client.Session, method, path string, body any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url+api.Prefix+path, rd)
	if s != nil {
		req.Header.Set("Authorization", "Bearer "+s.Token())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRecoveryPermissions: every recovery endpoint refuses whoever its
// rule excludes, straight at the server — a member may not turn recovery
// on or off, see requests or approve; the owner may not enrol; a
// non-member sees nothing; a grant or enrolment not signed by the caller
// is refused; a completion without the account's signature is refused.
func TestRecoveryPermissions(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@p.example")
	m := signup(t, env.URL, "member@p.example")
	outsider := signup(t, env.URL, "outsider@p.example")
	o := company(t, owner, "Perm Inc", m)
	if err := owner.EnableRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := m.EnrolRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	p, err := client.RequestRecovery(ctx, env.URL, "member@p.example", []byte("new password of member"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	org := "/orgs/" + o.ID + "/recovery"
	key := api.RecoveryKey{Version: 2, SignPub: make([]byte, 32), KEMPub: make([]byte, 1216), KeysSig: make([]byte, 64), SealedPrivate: make([]byte, 106)}
	grant := api.RecoveryGrant{Version: 1, Wrap: make([]byte, 1168), Sig: make([]byte, 64)}
	enrol := api.RecoveryEnrolment{Version: 1, Wrap: make([]byte, 1168), Sig: make([]byte, 64)}
	for _, c := range []struct {
		who          string
		s            *client.Session
		method, path string
		body         any
		want         int
	}{
		{"member enables", m, "PUT", org, key, 403},
		{"member disables", m, "DELETE", org, nil, 403},
		{"member lists requests", m, "GET", org + "/requests", nil, 403},
		{"member approves", m, "POST", org + "/requests/" + p.RequestID + "/grant", grant, 403},
		{"owner enrols", owner, "PUT", org + "/enrolment", enrol, 403},
		{"owner leaves", owner, "DELETE", org + "/enrolment", nil, 403},
		{"outsider reads", outsider, "GET", org, nil, 404},
		{"outsider enrols", outsider, "PUT", org + "/enrolment", enrol, 404},
		{"outsider approves", outsider, "POST", org + "/requests/" + p.RequestID + "/grant", grant, 404},
		{"owner approves with a grant not signed by them", owner, "POST", org + "/requests/" + p.RequestID + "/grant", grant, 400},
		{"member enrols with a wrap not signed by them", m, "PUT", org + "/enrolment", enrol, 400},
		{"owner enables with a key not signed by them", owner, "PUT", org, api.RecoveryKey{Version: 2, SignPub: key.SignPub, KEMPub: key.KEMPub, KeysSig: key.KeysSig, SealedPrivate: key.SealedPrivate}, 400},
		{"no session reads the member's recovery", nil, "GET", "/account/recovery", nil, 401},
		// A wrong token is answered as for a request that was never kept
		// (an address enrolled nowhere): a 404 here told them apart.
		{"a state query with a wrong token", nil, "POST", "/recovery/requests/" + p.RequestID, api.RecoveryToken{Token: "cr2_wrong"}, 200},
		{"a completion with a wrong token", nil, "POST", "/recovery/requests/" + p.RequestID + "/complete", api.CompleteRecovery{Token: "cr2_wrong",
			KDF: api.KDF{Algorithm: "argon2id", Time: 3, Memory: 65536, Threads: 4, Salt: make([]byte, 16)}, AuthKey: make([]byte, 32), WrappedAccountKey: make([]byte, 73), Sig: make([]byte, 64)}, 409},
		{"member discards a request", m, "DELETE", org + "/requests/" + p.RequestID, nil, 403},
		{"outsider discards a request", outsider, "DELETE", org + "/requests/" + p.RequestID, nil, 404},
	} {
		if got := rawStatus(t, env.URL, c.s, c.method, c.path, c.body); got != c.want {
			t.Errorf("%s: HTTP %d, want %d", c.who, got, c.want)
		}
	}
	// Nothing changed: the member is still enrolled, the request still
	// open, recovery still at version 1.
	st, err := owner.RecoveryStatus(ctx, o.ID)
	if err != nil || st.Version != 1 || len(st.Enrolled) != 1 {
		t.Fatalf("after the refusals: %+v, %v", st, err)
	}
	if _, err := owner.ApproveRecovery(ctx, o.ID, "member@p.example", p.Code()); err != nil {
		t.Fatal(err)
	}
}

// code answers Finish's question for the approval code.
func code(c string) func() (string, error) { return func() (string, error) { return c, nil } }

// TestRecoveryNotice (issue 23, finding 10): a completed recovery is
// shown to whoever uses the account next — here the member who asked —
// with the organisation's name and the owner as the roster pins them,
// until the account acknowledges it; it stays in the history. Another
// account has no notice and cannot acknowledge this one.
func TestRecoveryNotice(t *testing.T) {
	env := testserver.Start(t, nil, nil)
	owner := signup(t, env.URL, "owner@n.example")
	laura := signup(t, env.URL, "laura@n.example")
	o := company(t, owner, "Notice & Co", laura)
	if err := owner.EnableRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := laura.EnrolRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if list, err := laura.UnseenNotices(ctx); err != nil || len(list) != 0 {
		t.Fatalf("notices before a recovery: %+v, %v", list, err)
	}
	newPW := []byte("laura's notice password")
	p, err := client.RequestRecovery(ctx, env.URL, "laura@n.example", newPW, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	approval, err := owner.ApproveRecovery(ctx, o.ID, "laura@n.example", p.Code())
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Finish(ctx, newPW, code(approval), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	unseen, err := s.UnseenNotices(ctx)
	if err != nil || len(unseen) != 1 {
		t.Fatalf("unseen notices after the recovery: %+v, %v", unseen, err)
	}
	n := unseen[0]
	if n.Kind != client.NoticeRecovered || n.OrgID != o.ID || n.Org != "Notice & Co" || n.Approver != "owner@n.example" || n.Seen ||
		!strings.Contains(n.Text, `"Notice & Co"`) || !strings.Contains(n.Text, "owner@n.example") || !strings.Contains(n.Text, "every session was signed out") ||
		!strings.Contains(n.Advice, "If you did not") {
		t.Fatalf("the notice: %+v", n)
	}
	if err := owner.AcknowledgeNotice(ctx, n.ID); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the owner acknowledges the member's notice: %v", err)
	}
	if list, _ := owner.Notices(ctx); len(list) != 0 {
		t.Fatalf("the owner's notices: %+v", list)
	}
	if err := s.AcknowledgeNotice(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	if list, err := s.UnseenNotices(ctx); err != nil || len(list) != 0 {
		t.Fatalf("unseen after the acknowledgement: %+v, %v", list, err)
	}
	if all, err := s.Notices(ctx); err != nil || len(all) != 1 || !all[0].Seen || all[0].SeenAt.IsZero() {
		t.Fatalf("the history after the acknowledgement: %+v, %v", all, err)
	}
}
