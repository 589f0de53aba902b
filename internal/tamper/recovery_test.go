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
	if _, err := owner.ApproveRecovery(ctx, o.ID, "laura@t.example", p.Code()); !errors.Is(err, client.ErrWrongCode) {
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
	if _, err := p.Finish(ctx, newPW, code("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"), client.Options{}); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("finish with the server's grant: %v", err)
	}
	if w := writesTo(h, mark, "/complete"); len(w) != 0 {
		t.Fatalf("a new password was set from the server's grant: %+v", w)
	}
	h.Clear()
	if _, err := client.Login(ctx, h.URL, "laura@t.example", []byte("password of laura@t.example"), client.Options{}); err != nil {
		t.Fatalf("the account changed: %v", err)
	}

	// 4. The owner approves for real; the server then offers the member's
	// new device an account of its own making — an identity whose private
	// keys it sealed under a key it wrapped to the request. The approval
	// code the owner reads back names the real account, so the device
	// pins nothing and sets no password.
	approval, err := owner.ApproveRecovery(ctx, o.ID, "laura@t.example", p.Code())
	if err != nil {
		t.Fatal(err)
	}
	fakeAK := crypto.NewKey()
	fakeID, err := crypto.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	me := laura.Profile.UserID
	fakePriv, err := fakeID.SealPrivateKeys(fakeAK, me)
	if err != nil {
		t.Fatal(err)
	}
	fwrap, fsig, err := crypto.WrapKey(evil, "server", crypto.RecoveryGrantContext(o.ID, me, 1, p.RequestID, reqPub), fakeAK)
	if err != nil {
		t.Fatal(err)
	}
	fp := fakeID.Public()
	h.Replace("POST", `/recovery/requests/`+p.RequestID+`$`, 200, `{"state":"granted","user_id":"`+me+`","org_id":"`+o.ID+
		`","version":1,"granted_by":"`+owner.Profile.UserID+`","wrap":"`+b64(fwrap)+`","sig":"`+b64(fsig)+`","keys":{"sign_pub":"`+b64(fp.Sign)+
		`","kem_pub":"`+b64(fp.KEM)+`","public_keys_sig":"`+b64(fakeID.SignPublicKeys(crypto.RecipientUser, me, fp))+`","private_keys":"`+b64(fakePriv)+`"}}`)
	mark = h.Mark()
	if _, err := p.Finish(ctx, newPW, code(approval), client.Options{}); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("finish with an identity the server made: %v", err)
	}
	if w := writesTo(h, mark, "/complete"); len(w) != 0 {
		t.Fatalf("a new password was set for the server's identity: %+v", w)
	}
	h.Clear()

	// The real flow still works, and the new password never left the
	// member's device: not to the server, not to the owner.
	if _, err := p.Finish(ctx, newPW, code(approval), client.Options{}); err != nil {
		t.Fatal(err)
	}
	if leaks := tamper.Leaks(h.Requests(), string(newPW)); len(leaks) != 0 {
		t.Fatalf("the new master password left the device: %+v", leaks)
	}
}

// TestUnlockRefusesWeakerKDF (issue 15 review, M2): a device that pinned
// raised Argon2id parameters refuses a server that asks for weaker ones
// at unlock, before it derives or sends anything — else the server would
// get an authentication key that is cheaper to attack offline.
func TestUnlockRefusesWeakerKDF(t *testing.T) {
	h := tamper.Start(t, nil)
	s := signup(t, h, "kdf@t.example")
	pw := []byte("password of kdf@t.example")
	if _, err := s.ChangePassword(ctx, pw, pw, client.PasswordOptions{KDF: crypto.KDFParams{Memory: 2 * crypto.MinMemory}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangePassword(ctx, pw, pw, client.PasswordOptions{KDF: crypto.KDFParams{Memory: crypto.MinMemory}}); !errors.Is(err, client.ErrWeakKDF) {
		t.Fatalf("lowering the parameters: %v", err)
	}
	h.MutateJSON("POST", `/prelogin$`, func(v any) any {
		tamper.Set(v, float64(crypto.MinMemory), "memory")
		tamper.Set(v, b64(make([]byte, 16)), "salt")
		return v
	})
	mark := h.Mark()
	if _, _, err := s.Profile.UnlockCurrent(ctx, pw, client.Options{}); !errors.Is(err, client.ErrWeakKDF) {
		t.Fatalf("unlock against weaker parameters: %v", err)
	}
	for _, r := range h.Since(mark) {
		if strings.HasSuffix(r.Path, "/sessions") {
			t.Fatalf("an authentication key was sent: %+v", r)
		}
	}
}

// code answers Finish's question for the approval code.
func code(c string) func() (string, error) { return func() (string, error) { return c, nil } }
