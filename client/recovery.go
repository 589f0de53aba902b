package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/coffer-pm/coffer/internal/api"
	"github.com/coffer-pm/coffer/internal/crypto"
)

// Account recovery by an organisation (docs/protocol.md §17.2).

// ErrRecoveryPending: the organisation's owner has not approved the
// recovery request yet.
var ErrRecoveryPending = errors.New("the recovery request is not approved yet")

// EnableRecovery turns account recovery on for an organisation the caller
// owns: a fresh recovery key pair, its public keys signed by the owner,
// its private keys sealed under the owner's account key (only the owner's
// devices can open them).
func (s *Session) EnableRecovery(ctx context.Context, orgID string) error {
	o, err := s.requireOwner(orgID)
	if err != nil {
		return err
	}
	var cur api.OrgRecovery
	if err := s.t.do(ctx, "GET", "/orgs/"+o.ID+"/recovery", nil, &cur); err != nil {
		return err
	}
	if cur.Enabled {
		return fmt.Errorf("account recovery is on already in %s", o.Name)
	}
	rec, err := crypto.NewIdentity()
	if err != nil {
		return err
	}
	version := cur.Version + 1
	sealed, err := crypto.SealRecoveryPrivate(s.ak, o.ID, version, o.OwnerID, rec)
	if err != nil {
		return err
	}
	pk := rec.Public()
	return s.t.do(ctx, "PUT", "/orgs/"+o.ID+"/recovery", api.RecoveryKey{Version: version, SignPub: pk.Sign, KEMPub: pk.KEM,
		KeysSig: s.id.SignRecoveryKey(o.ID, version, o.OwnerID, pk), SealedPrivate: sealed}, nil)
}

// DisableRecovery turns account recovery off: the server forgets the key
// and every enrolment. (Grants already given cannot be taken back.)
func (s *Session) DisableRecovery(ctx context.Context, orgID string) error {
	o, err := s.requireOwner(orgID)
	if err != nil {
		return err
	}
	return s.t.do(ctx, "DELETE", "/orgs/"+o.ID+"/recovery", nil, nil)
}

// RecoveryEnrolment is an enrolled member as the owner sees it.
type RecoveryEnrolment struct {
	Member
	Since time.Time
	// Verified: the enrolment is signed by the member's roster-pinned
	// keys for the current recovery key.
	Verified bool
}

// OrgRecoveryStatus is an organisation's recovery as its owner sees it.
type OrgRecoveryStatus struct {
	Enabled  bool
	Version  uint64
	Enrolled []RecoveryEnrolment
}

// RecoveryStatus returns whether recovery is on and, for the owner, who
// enrolled.
func (s *Session) RecoveryStatus(ctx context.Context, orgID string) (*OrgRecoveryStatus, error) {
	o, err := s.FindOrg(orgID)
	if err != nil {
		return nil, err
	}
	var cur api.OrgRecovery
	if err := s.t.do(ctx, "GET", "/orgs/"+o.ID+"/recovery", nil, &cur); err != nil {
		return nil, err
	}
	out := &OrgRecoveryStatus{Enabled: cur.Enabled, Version: cur.Version}
	if !cur.Enabled || cur.Key == nil {
		return out, nil
	}
	rec, err := s.verifiedRecoveryKey(o, *cur.Key)
	if err != nil {
		return nil, err
	}
	members := s.memberKeys(o.ID)
	for _, e := range cur.Enrolments {
		m, ok := members[e.UserID]
		if !ok {
			continue // not a current member: nothing to show or to recover
		}
		ctx := crypto.RecoveryEnrolContext(o.ID, e.UserID, cur.Version, rec)
		out.Enrolled = append(out.Enrolled, RecoveryEnrolment{Member: m, Since: e.CreatedAt,
			Verified: e.Version == cur.Version && crypto.VerifyKeyWrap(m.Keys, e.UserID, ctx, e.Wrap, e.Sig) == nil})
	}
	return out, nil
}

// verifiedRecoveryKey checks a recovery key's signature against the
// organisation owner's roster-verified keys.
func (s *Session) verifiedRecoveryKey(o *Org, k api.RecoveryKey) (crypto.PublicKeys, error) {
	owner, ok := s.memberKeys(o.ID)[o.OwnerID]
	pk := crypto.PublicKeys{Sign: k.SignPub, KEM: k.KEMPub}
	if !ok || crypto.VerifyRecoveryKey(owner.Keys, o.ID, k.Version, o.OwnerID, pk, k.KeysSig) != nil {
		return crypto.PublicKeys{}, tampered("the recovery key of %s is not signed by its owner", sanitize(o.Name, 100))
	}
	return pk, nil
}

// MyRecovery is an organisation of the caller's whose recovery is on.
type MyRecovery struct {
	Org        *Org
	OwnerEmail string
	Enrolled   bool
	EnrolledAt time.Time
	key        crypto.PublicKeys
	version    uint64
}

// RecoveryRequestInfo is one of the caller's recovery requests.
type RecoveryRequestInfo = api.RecoveryRequestInfo

// AccountRecovery lists the caller's organisations with recovery on
// (each key checked against the owner's pinned keys) and every recovery
// request made for the account — so a member sees a request they did not
// make.
func (s *Session) AccountRecovery(ctx context.Context) ([]MyRecovery, []RecoveryRequestInfo, error) {
	var resp api.AccountRecovery
	if err := s.t.do(ctx, "GET", "/account/recovery", nil, &resp); err != nil {
		return nil, nil, err
	}
	var out []MyRecovery
	for _, r := range resp.Orgs {
		o, err := s.FindOrg(r.OrgID)
		if err != nil || o.OwnerID != r.OwnerID {
			continue // not an organisation this device verified
		}
		key, err := s.verifiedRecoveryKey(o, r.Key)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, MyRecovery{Org: o, OwnerEmail: s.MemberEmail(o.OwnerID), Enrolled: r.Enrolled, EnrolledAt: r.EnrolledAt, key: key, version: r.Key.Version})
	}
	return out, resp.Requests, nil
}

// EnrolRecovery wraps the caller's account key to the organisation's
// recovery key, after checking that key against the owner's pinned keys:
// from then on the organisation's owner can let the caller set a new
// master password. That is the point — and it means trusting the owner
// with the account (protocol §17.2, threats).
func (s *Session) EnrolRecovery(ctx context.Context, orgID string) error {
	o, err := s.FindOrg(orgID)
	if err != nil {
		return err
	}
	if o.OwnerID == s.Profile.UserID {
		return fmt.Errorf("%w: you own %s and hold its recovery key; owners do not enrol", ErrNotAllowed, sanitize(o.Name, 100))
	}
	mine, _, err := s.AccountRecovery(ctx)
	if err != nil {
		return err
	}
	for _, m := range mine {
		if m.Org.ID != o.ID {
			continue
		}
		wctx := crypto.RecoveryEnrolContext(o.ID, s.Profile.UserID, m.version, m.key)
		wrap, sig, err := crypto.WrapKey(s.id, s.Profile.UserID, wctx, s.ak)
		if err != nil {
			return err
		}
		return s.t.do(ctx, "PUT", "/orgs/"+o.ID+"/recovery/enrolment", api.RecoveryEnrolment{Version: m.version, Wrap: wrap, Sig: sig}, nil)
	}
	return fmt.Errorf("account recovery is off in %s: %w", sanitize(o.Name, 100), ErrNotFound)
}

// LeaveRecovery withdraws the caller's enrolment.
func (s *Session) LeaveRecovery(ctx context.Context, orgID string) error {
	o, err := s.FindOrg(orgID)
	if err != nil {
		return err
	}
	err = s.t.do(ctx, "DELETE", "/orgs/"+o.ID+"/recovery/enrolment", nil, nil)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == statusNotFound {
		return fmt.Errorf("you are not enrolled in the account recovery of %s: %w", sanitize(o.Name, 100), ErrNotFound)
	}
	return err
}

// CancelRecoveryRequests voids every recovery request of the caller's
// account, approved or not (one the member did not make, say), and
// returns how many.
func (s *Session) CancelRecoveryRequests(ctx context.Context) (int, error) {
	var out struct {
		Cancelled int `json:"cancelled"`
	}
	err := s.t.do(ctx, "DELETE", "/account/recovery/requests", nil, &out)
	return out.Cancelled, err
}

// ApproveRecovery is the owner's approval of a member's recovery request.
// The member reads the request's code to the owner out of band; the
// owner's client finds the request of that member whose keys give that
// code, so a server that swapped the request's keys for its own is caught
// (nothing is wrapped). It opens the member's enrolment with the recovery
// key — checking the member's signature against the roster — and wraps
// the member's account key to the request's keys. The owner never learns
// the member's new password: the member chooses it afterwards.
//
// It returns the approval code, which the owner reads back to the member:
// it names the member's account as the roster pins it, so the member's new
// device can tell the real account from one a server made up.
func (s *Session) ApproveRecovery(ctx context.Context, orgID, email, codeText string) (string, error) {
	o, err := s.requireOwner(orgID)
	if err != nil {
		return "", err
	}
	m, err := s.memberByEmail(o.ID, email)
	if err != nil {
		return "", err
	}
	code, err := crypto.ParseInviteCode(codeText)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrWrongCode, err)
	}
	var reqs []api.OpenRecoveryRequest
	if err := s.t.do(ctx, "GET", "/orgs/"+o.ID+"/recovery/requests", nil, &reqs); err != nil {
		return "", err
	}
	var match *api.OpenRecoveryRequest
	pending := 0
	for i, q := range reqs {
		if q.UserID != m.UserID {
			continue
		}
		pending++
		want, _ := crypto.ParseInviteCode(crypto.RecoveryRequestCode(q.ID, m.Email, crypto.PublicKeys{Sign: q.SignPub, KEM: q.KEMPub}))
		if crypto.Equal(want, code) {
			match = &reqs[i]
		}
	}
	if match == nil {
		if pending == 0 {
			return "", fmt.Errorf("%s has no open recovery request (or is not enrolled): %w", sanitize(m.Email, 100), ErrNotFound)
		}
		return "", fmt.Errorf("%w: none of the %d open recovery request(s) of %s has this code; ask them to read it again — if it still does not match, their request may not have been kept (requests someone else made in their name can take all %d places: discard them, then ask them to request again) or the server may have swapped it; nothing was approved", ErrWrongCode, pending, sanitize(m.Email, 100), MaxOpenRecoveryRequests)
	}
	var cur api.OrgRecovery
	if err := s.t.do(ctx, "GET", "/orgs/"+o.ID+"/recovery", nil, &cur); err != nil {
		return "", err
	}
	if !cur.Enabled || cur.Key == nil || match.Enrolment.Version != cur.Version {
		return "", fmt.Errorf("%s's enrolment is not for the current recovery key: %w", sanitize(m.Email, 100), ErrNotFound)
	}
	recPub, err := s.verifiedRecoveryKey(o, *cur.Key)
	if err != nil {
		return "", err
	}
	rec, err := crypto.OpenRecoveryPrivate(s.ak, cur.Key.SealedPrivate, o.ID, cur.Version, o.OwnerID, recPub)
	if err != nil {
		return "", tampered("the recovery key of %s does not open", sanitize(o.Name, 100))
	}
	ak, err := crypto.OpenKey(rec, m.Keys, m.UserID, crypto.RecoveryEnrolContext(o.ID, m.UserID, cur.Version, recPub), match.Enrolment.Wrap, match.Enrolment.Sig, crypto.KeySize)
	if err != nil {
		return "", tampered("%s's enrolment is not theirs or does not open", sanitize(m.Email, 100))
	}
	defer clear(ak)
	reqPub := crypto.PublicKeys{Sign: match.SignPub, KEM: match.KEMPub}
	wrap, sig, err := crypto.WrapKey(s.id, s.Profile.UserID, crypto.RecoveryGrantContext(o.ID, m.UserID, cur.Version, match.ID, reqPub), ak)
	if err != nil {
		return "", err
	}
	if err := s.t.do(ctx, "POST", "/orgs/"+o.ID+"/recovery/requests/"+match.ID+"/grant", api.RecoveryGrant{Version: cur.Version, Wrap: wrap, Sig: sig}, nil); err != nil {
		return "", err
	}
	return crypto.RecoveryApprovalCode(match.ID, m.UserID, m.Keys), nil
}

// MaxOpenRecoveryRequests is how many open recovery requests the server
// keeps per account; it keeps no further one (and answers the same).
const MaxOpenRecoveryRequests = 5

// DiscardRecoveryRequests deletes every open (not yet approved) recovery
// request of an enrolled member of an organisation the caller owns, and
// returns how many. Anyone may ask for recovery in a member's name, and
// the server keeps only MaxOpenRecoveryRequests open requests per account
// — it never pushes out one the member made — so requests the member did
// not make can keep theirs from being kept until they expire; this is the
// owner's remedy, once the member said they did not make them.
func (s *Session) DiscardRecoveryRequests(ctx context.Context, orgID, email string) (int, error) {
	o, err := s.requireOwner(orgID)
	if err != nil {
		return 0, err
	}
	m, err := s.memberByEmail(o.ID, email)
	if err != nil {
		return 0, err
	}
	var reqs []api.OpenRecoveryRequest
	if err := s.t.do(ctx, "GET", "/orgs/"+o.ID+"/recovery/requests", nil, &reqs); err != nil {
		return 0, err
	}
	n := 0
	for _, q := range reqs {
		if q.UserID != m.UserID {
			continue
		}
		err := s.t.do(ctx, "DELETE", "/orgs/"+o.ID+"/recovery/requests/"+q.ID, nil, nil)
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == statusNotFound {
			continue // approved, expired or discarded meanwhile
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// PendingRecovery is a recovery request kept on the member's device
// between asking and finishing. The request's private key and token are
// sealed under the key-encryption key of the new master password, so the
// file alone opens nothing.
type PendingRecovery struct {
	Server    string           `json:"server"`
	Email     string           `json:"email"`
	RequestID string           `json:"request_id"`
	KDF       crypto.KDFParams `json:"kdf"`
	SignPub   []byte           `json:"sign_pub"`
	KEMPub    []byte           `json:"kem_pub"`
	Sealed    []byte           `json:"sealed"`
	ExpiresAt time.Time        `json:"expires_at"`
}

type pendingSecret struct {
	Token string `json:"token"`
	Seeds []byte `json:"seeds"`
}

func pendingAD(requestID, email string) []byte {
	return crypto.Tuple("coffer/v1/recovery-pending", []byte(requestID), []byte(strings.ToLower(email)))
}

// Code is what the member reads to the owner out of band.
func (p *PendingRecovery) Code() string {
	return crypto.RecoveryRequestCode(p.RequestID, p.Email, crypto.PublicKeys{Sign: p.SignPub, KEM: p.KEMPub})
}

// RequestRecovery asks for an account's recovery, without a session: the
// member chose newPassword already; it is used only on this device. The
// answer is the same whether or not the address is enrolled anywhere.
func RequestRecovery(ctx context.Context, server, email string, newPassword []byte, opt Options) (*PendingRecovery, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := CheckNewPassword(newPassword); err != nil {
		return nil, err
	}
	// Keep the account's Argon2id cost (devices that pinned it refuse
	// weaker parameters), never below the defaults.
	t := newTransport(server, opt.HTTPClient)
	kdf := crypto.DefaultKDFParams()
	var cur api.KDF
	if err := t.do(ctx, "POST", "/prelogin", api.PreloginRequest{Email: email}, &cur); err != nil {
		return nil, err
	}
	if c := kdfFromAPI(cur); c.Check() == nil {
		kdf.Time, kdf.Memory, kdf.Threads = max(kdf.Time, c.Time), max(kdf.Memory, c.Memory), max(kdf.Threads, c.Threads)
	}
	mk, err := crypto.DeriveMasterKeys(newPassword, email, kdf)
	if err != nil {
		return nil, err
	}
	q, err := crypto.NewIdentity()
	if err != nil {
		return nil, err
	}
	id, pk := uuid.NewString(), q.Public()
	var created api.RecoveryRequestCreated
	if err := t.do(ctx, "POST", "/recovery/requests", api.NewRecoveryRequest{ID: id, Email: email, SignPub: pk.Sign, KEMPub: pk.KEM,
		KeysSig: q.SignPublicKeys(crypto.RecipientRequest, id, pk)}, &created); err != nil {
		return nil, err
	}
	seeds := q.PrivateSeeds()
	defer clear(seeds)
	secret, _ := json.Marshal(pendingSecret{Token: created.Token, Seeds: seeds})
	defer clear(secret)
	sealed, err := crypto.Seal(mk.KEK, secret, pendingAD(id, email))
	if err != nil {
		return nil, err
	}
	return &PendingRecovery{Server: t.base, Email: email, RequestID: id, KDF: kdf, SignPub: pk.Sign, KEMPub: pk.KEM, Sealed: sealed, ExpiresAt: created.ExpiresAt}, nil
}

// Finish completes an approved recovery with the new master password
// chosen at RequestRecovery and the approval code the owner read back: it
// checks that the account the server offers is the one the owner approved
// (the code binds its id and keys, as the owner's roster pins them), opens
// the account key the owner wrapped to this request, proves it by opening
// the account's private keys, wraps it under the new password, signs the
// change with the account's own key, and logs in. Every other session of
// the account is revoked.
//
// approvalCode is asked for only once the request is approved.
func (p *PendingRecovery) Finish(ctx context.Context, newPassword []byte, approvalCode func() (string, error), opt Options) (*Session, error) {
	mk, err := crypto.DeriveMasterKeys(newPassword, p.Email, p.KDF)
	if err != nil {
		return nil, err
	}
	pt, err := crypto.Open(mk.KEK, p.Sealed, pendingAD(p.RequestID, p.Email))
	if err != nil {
		return nil, fmt.Errorf("%w: it is not the new master password chosen when recovery was requested", ErrWrongPassword)
	}
	defer clear(pt)
	var sec pendingSecret
	if err := json.Unmarshal(pt, &sec); err != nil {
		return nil, errors.New("the pending recovery on this device is damaged; request recovery again")
	}
	defer clear(sec.Seeds)
	reqPub := crypto.PublicKeys{Sign: p.SignPub, KEM: p.KEMPub}
	q, err := crypto.IdentityFromSeeds(sec.Seeds, reqPub)
	if err != nil {
		return nil, errors.New("the pending recovery on this device is damaged; request recovery again")
	}
	t := newTransport(p.Server, opt.HTTPClient)
	var st api.RecoveryRequestState
	if err := t.do(ctx, "POST", "/recovery/requests/"+p.RequestID, api.RecoveryToken{Token: sec.Token}, &st); err != nil {
		return nil, err
	}
	switch st.State {
	case "pending":
		return nil, ErrRecoveryPending
	case "expired":
		return nil, errors.New("the recovery request expired; request recovery again")
	case "granted":
	default:
		return nil, tampered("unknown recovery state")
	}
	if st.Keys == nil {
		return nil, tampered("the approved recovery carries no account keys")
	}
	code, err := approvalCode()
	if err != nil {
		return nil, err
	}
	want, err := crypto.ParseInviteCode(code)
	if err != nil {
		return nil, fmt.Errorf("%w: the approval code: %v", ErrWrongCode, err)
	}
	got, _ := crypto.ParseInviteCode(crypto.RecoveryApprovalCode(p.RequestID, st.UserID, crypto.PublicKeys{Sign: st.Keys.SignPub, KEM: st.Keys.KEMPub}))
	if !crypto.Equal(got, want) {
		return nil, fmt.Errorf("%w [the account the server offers is not the one the owner approved: check the approval code with the owner; nothing was changed]", ErrTampered)
	}
	ak, err := crypto.OpenRecoveryGrant(q, crypto.RecoveryGrantContext(st.OrgID, st.UserID, st.Version, p.RequestID, reqPub), st.Wrap)
	if err != nil {
		return nil, tampered("the approved recovery does not open")
	}
	defer clear(ak)
	pub := crypto.PublicKeys{Sign: st.Keys.SignPub, KEM: st.Keys.KEMPub}
	if crypto.VerifyPublicKeys(crypto.RecipientUser, st.UserID, pub, pub, st.Keys.PublicKeysSig) != nil {
		return nil, tampered("account public keys")
	}
	// Only the account's true key opens its sealed private keys: a key
	// the owner or the server made up is caught here.
	id, err := crypto.OpenPrivateKeys(ak, st.Keys.PrivateKeys, st.UserID, pub)
	if err != nil {
		return nil, tampered("the key of the approved recovery is not this account's")
	}
	wrapped, err := crypto.WrapAccountKey(mk.KEK, ak, st.UserID)
	if err != nil {
		return nil, err
	}
	sig := id.SignRecoveryReset(st.UserID, p.RequestID, p.KDF, mk.AuthKey, wrapped)
	if err := t.do(ctx, "POST", "/recovery/requests/"+p.RequestID+"/complete", api.CompleteRecovery{Token: sec.Token,
		KDF: kdfToAPI(p.KDF), AuthKey: mk.AuthKey, WrappedAccountKey: wrapped, Sig: sig}, nil); err != nil {
		return nil, err
	}
	prof := &Profile{Server: t.base, Email: p.Email, KDF: p.KDF, UserID: st.UserID, Keys: *st.Keys}
	prof.Keys.WrappedAccountKey = wrapped
	return prof.login(ctx, mk, opt)
}
