package crypto

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"sort"
	"strings"
)

// InviteCodeSize is the confirmation code's length in bytes (120 bits).
const InviteCodeSize = 15

// ErrBadCode reports a confirmation code that is not 24 base32 characters.
var ErrBadCode = errors.New("a confirmation code is 24 letters and digits (A–Z, 2–7), usually written in six groups of four")

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewInviteCode returns a fresh confirmation code and its display form
// (docs/protocol.md §14.3).
func NewInviteCode() (code []byte, text string) {
	code = make([]byte, InviteCodeSize)
	if _, err := rand.Read(code); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return code, FormatInviteCode(code)
}

// FormatInviteCode renders a code as six dash-separated groups of four.
func FormatInviteCode(code []byte) string {
	s := codeEncoding.EncodeToString(code)
	groups := make([]string, 0, 6)
	for i := 0; i < len(s); i += 4 {
		groups = append(groups, s[i:min(i+4, len(s))])
	}
	return strings.Join(groups, "-")
}

// ParseInviteCode accepts a code in any case, with or without dashes and
// spaces. The error never echoes the input.
func ParseInviteCode(text string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(text)))
	if len(clean) != codeEncoding.EncodedLen(InviteCodeSize) {
		return nil, ErrBadCode
	}
	code, err := codeEncoding.DecodeString(clean)
	if err != nil || len(code) != InviteCodeSize {
		return nil, ErrBadCode
	}
	return code, nil
}

// InviteKeys are the three independent keys derived from a code.
type InviteKeys struct {
	Verifier []byte // sent at join; the server stores only its hash
	MAC      []byte // authenticates the invitee's keys and the organisation
	Detail   []byte // encrypts what the invitee is shown
}

// DeriveInviteKeys derives the keys of a code for one invitation batch.
func DeriveInviteKeys(code []byte, batchID string) InviteKeys {
	derive := func(info string) []byte {
		k, err := hkdf.Key(sha256.New, code, []byte(batchID), info, KeySize)
		if err != nil {
			panic(err)
		}
		return k
	}
	return InviteKeys{
		Verifier: derive("coffer/v1/invite-verifier"),
		MAC:      derive("coffer/v1/invite-mac"),
		Detail:   derive("coffer/v1/invite-details"),
	}
}

// VerifierHash is what the server stores of a verifier.
func VerifierHash(verifier []byte) []byte {
	h := sha256.Sum256(verifier)
	return h[:]
}

func mac(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

func orgTagMsg(orgID, batchID, ownerID string, owner PublicKeys) []byte {
	return Tuple("coffer/v1/invite-org", []byte(orgID), []byte(batchID), []byte(ownerID), owner.Sign, owner.KEM)
}

// OrgTag authenticates the organisation and its owner to the invitee.
func (k InviteKeys) OrgTag(orgID, batchID, ownerID string, owner PublicKeys) []byte {
	return mac(k.MAC, orgTagMsg(orgID, batchID, ownerID, owner))
}

// VerifyOrgTag checks an organisation tag before joining.
func (k InviteKeys) VerifyOrgTag(tag []byte, orgID, batchID, ownerID string, owner PublicKeys) error {
	if !hmac.Equal(tag, k.OrgTag(orgID, batchID, ownerID, owner)) {
		return ErrTampered
	}
	return nil
}

func joinMsg(invitationID, orgID, email string, member PublicKeys) []byte {
	return Tuple("coffer/v1/invite-join", []byte(invitationID), []byte(orgID), []byte(strings.ToLower(email)), member.Sign, member.KEM)
}

// JoinMAC is the invitee's proof of the code, bound to their keys.
func (k InviteKeys) JoinMAC(invitationID, orgID, email string, member PublicKeys) []byte {
	return mac(k.MAC, joinMsg(invitationID, orgID, email, member))
}

// VerifyJoinMAC checks, at confirmation, that the keys presented now are
// the keys the invitee proved the code with.
func (k InviteKeys) VerifyJoinMAC(m []byte, invitationID, orgID, email string, member PublicKeys) error {
	if !hmac.Equal(m, k.JoinMAC(invitationID, orgID, email, member)) {
		return ErrTampered
	}
	return nil
}

// RosterMember is one member in a signed roster: a confirmed member, or
// (Former) one who was removed. Former members stay in the roster so that
// what they signed while they were members — revisions, manifests, key
// wraps, group keys — still verifies after they leave (docs/protocol.md
// §14.2); they receive nothing new.
type RosterMember struct {
	UserID      string
	Email       string
	Fingerprint []byte
	Former      bool
}

// rosterMsg is the signed roster: the confirmed members' triples sorted by
// id, then — only if there are any — the field "former" followed by the
// former members' triples sorted by id. A roster without former members
// signs exactly as before; the two lists cannot be confused (a field count
// of 3+3m is a roster without former members, 3+3m+1+3f one with).
func rosterMsg(orgID string, version uint64, ownerID string, members []RosterMember) []byte {
	sorted := append([]RosterMember(nil), members...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].UserID < sorted[j].UserID })
	fields := [][]byte{[]byte(orgID), U64(version), []byte(ownerID)}
	for _, former := range []bool{false, true} {
		n := 0
		for _, m := range sorted {
			if m.Former != former {
				continue
			}
			if former && n == 0 {
				fields = append(fields, []byte("former"))
			}
			n++
			fields = append(fields, []byte(m.UserID), []byte(strings.ToLower(m.Email)), m.Fingerprint)
		}
	}
	return Tuple("coffer/v1/roster", fields...)
}

// SignRoster signs an organisation roster as its owner.
func (id *Identity) SignRoster(orgID string, version uint64, ownerID string, members []RosterMember) []byte {
	return id.Sign(rosterMsg(orgID, version, ownerID, members))
}

// VerifyRoster checks a roster against the owner's pinned keys. It also
// refuses duplicate members and version 0.
func VerifyRoster(owner PublicKeys, orgID string, version uint64, ownerID string, members []RosterMember, sig []byte) error {
	seen := map[string]bool{}
	for _, m := range members {
		if seen[m.UserID] || len(m.Fingerprint) != HashSize {
			return ErrTampered
		}
		seen[m.UserID] = true
	}
	if version == 0 || !seen[ownerID] {
		return ErrTampered
	}
	for _, m := range members {
		if m.UserID == ownerID && m.Former {
			return ErrTampered // the owner is never a former member
		}
	}
	return Verify(owner, rosterMsg(orgID, version, ownerID, members), sig)
}
