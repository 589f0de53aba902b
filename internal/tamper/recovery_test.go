package tamper_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/coffer-pm/coffer/client"
	"github.com/coffer-pm/coffer/internal/crypto"
	"github.com/coffer-pm/coffer/internal/tamper"
)

// writesTo returns the writes since mark whose path contains part.
func writesTo(h *tamper.Harness, mark int, part string) []tamper.Request {
	var out []tamper.Request
	for _, r := range tamper.Writes(h.Since(mark)) {
		if strings.Contains(r.Path, part) {
			out = append(out, r)
		}
	}
	return out
}

// TestServerAloneCannotRecoverAnAccount (issue 15, protocol §17.2): a
// server that wants a member's account key gets nowhere on any of the
// three paths it controls — the recovery key a member enrols with, the
// request keys an owner approves, the grant a member finishes with — and
// the member's new password never leaves the member's device.
func TestServerAloneCannotRecoverAnAccount(t *testing.T) {
	h := tamper.Start(t, nil)
	owner := signup(t, h, "owner@t.example")
	laura := signup(t, h, "laura@t.example")
	o, _ := company(t, owner, laura)
	if err := owner.EnableRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	evil, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}

	// 1. The server offers its own key as the organisation's recovery
	// key: the member's client checks it against the owner's pinned keys
	// and wraps nothing.
	h.MutateJSON("GET", `/account/recovery$`, func(v any) any {
		tamper.Set(v, b64(evil.Public().Sign), "orgs", 0, "key", "sign_pub")
		tamper.Set(v, b64(evil.Public().KEM), "orgs", 0, "key", "kem_pub")
		return v
	})
	mark := h.Mark()
	if err := laura.EnrolRecovery(ctx, o.ID); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("enrol with the server's key: %v", err)
	}
	if w := writesTo(h, mark, "/recovery/enrolment"); len(w) != 0 {
		t.Fatalf("an enrolment was sent to a swapped key: %+v", w)
	}
	h.Clear()
	if err := laura.EnrolRecovery(ctx, o.ID); err != nil {
		t.Fatal(err)
	}

	// 2. The server shows the owner its own key pair as the member's
	// request: the code the member reads out does not match it, and the
	// owner's client approves nothing.
	newPW := []byte("only laura knows this one")
	p, err := client.RequestRecovery(ctx, h.URL, "laura@t.example", newPW, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h.MutateJSON("GET", `/orgs/[^/]+/recovery/requests$`, func(v any) any {
		for i := range v.([]any) {
			tamper.Set(v, b64(evil.Public().Sign), i, "sign_pub")
			tamper.Set(v, b64(evil.Public().KEM), i, "kem_pub")
		}
		return v
	})
	mark = h.Mark()
	if err := owner.ApproveRecovery(ctx, o.ID, "laura@t.example", p.Code()); !errors.Is(err, client.ErrWrongCode) {
		t.Fatalf("approve a swapped request: %v", err)
	}
	if w := tamper.Writes(h.Since(mark)); len(w) != 0 {
		t.Fatalf("the owner's client wrote after a swapped request: %+v", w)
	}
	h.Clear()

	// 3. The server answers the member with a grant of its own making (it
	// holds no recovery key, so it can only wrap a key it chose): the
	// member's client finds that the key does not open the account and
	// sets no password.
	fake := crypto.NewKey()
	reqPub := crypto.PublicKeys{Sign: p.SignPub, KEM: p.KEMPub}
	wrap, sig, err := crypto.WrapKey(evil, "server", crypto.RecoveryGrantContext(o.ID, laura.Profile.UserID, 1, p.RequestID, reqPub), fake)
	if err != nil {
		t.Fatal(err)
	}
	k := laura.Profile.Keys
	h.Replace("POST", `/recovery/requests/`+p.RequestID+`$`, 200, `{"state":"granted","user_id":"`+laura.Profile.UserID+`","org_id":"`+o.ID+
		`","version":1,"granted_by":"`+owner.Profile.UserID+`","wrap":"`+b64(wrap)+`","sig":"`+b64(sig)+`","keys":{"sign_pub":"`+b64(k.SignPub)+
		`","kem_pub":"`+b64(k.KEMPub)+`","public_keys_sig":"`+b64(k.PublicKeysSig)+`","private_keys":"`+b64(k.PrivateKeys)+`"}}`)
	mark = h.Mark()
	if _, err := p.Finish(ctx, newPW, client.Options{}); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("finish with the server's grant: %v", err)
	}
	if w := writesTo(h, mark, "/complete"); len(w) != 0 {
		t.Fatalf("a new password was set from the server's grant: %+v", w)
	}
	h.Clear()
	if _, err := client.Login(ctx, h.URL, "laura@t.example", []byte("password of laura@t.example"), client.Options{}); err != nil {
		t.Fatalf("the account changed: %v", err)
	}

	// The real flow still works, and the new password never left the
	// member's device: not to the server, not to the owner.
	if err := owner.ApproveRecovery(ctx, o.ID, "laura@t.example", p.Code()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Finish(ctx, newPW, client.Options{}); err != nil {
		t.Fatal(err)
	}
	if leaks := tamper.Leaks(h.Requests(), string(newPW)); len(leaks) != 0 {
		t.Fatalf("the new master password left the device: %+v", leaks)
	}
}
