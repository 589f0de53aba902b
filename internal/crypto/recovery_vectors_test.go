package crypto

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

const recoveryVectorsPath = "testdata/recovery_vectors.json"

// recoveryVectors pin the formats of account recovery (protocol §17.2).
// The owner is the identity of vectors.json (seeds 0x01…, 0x61…), the
// member a second fixed identity, the recovery key and the request key
// two more. HPKE wraps are random, so they are kept from the file and
// the test checks that they open; everything else is exact.
type recoveryVectors struct {
	OrgID            string `json:"org_id"`
	OwnerID          string `json:"owner_id"`
	MemberID         string `json:"member_id"`
	MemberEmail      string `json:"member_email"`
	Version          uint64 `json:"version"`
	MemberAccountKey hexb   `json:"member_account_key"`
	RecoverySignSeed hexb   `json:"recovery_sign_seed"`
	RecoveryKEMSeed  hexb   `json:"recovery_kem_seed"`
	RecoverySignPub  hexb   `json:"recovery_sign_pub"`
	RecoveryKEMPub   hexb   `json:"recovery_kem_pub"`
	RecoveryKeyMsg   hexb   `json:"recovery_key_msg"`
	RecoveryKeySig   hexb   `json:"recovery_key_sig"` // by the owner
	OwnerAccountKey  hexb   `json:"owner_account_key"`
	PrivateNonce     hexb   `json:"private_nonce"`
	SealedPrivate    hexb   `json:"sealed_private"`
	EnrolInfo        hexb   `json:"enrol_info"`
	EnrolWrap        hexb   `json:"enrol_wrap"`
	EnrolSig         hexb   `json:"enrol_sig"` // by the member
	RequestID        string `json:"request_id"`
	RequestSignSeed  hexb   `json:"request_sign_seed"`
	RequestKEMSeed   hexb   `json:"request_kem_seed"`
	RequestCode      string `json:"request_code"`
	ApprovalCode     string `json:"approval_code"` // over the member's identity
	GrantInfo        hexb   `json:"grant_info"`
	GrantWrap        hexb   `json:"grant_wrap"`
	GrantSig         hexb   `json:"grant_sig"` // by the owner
	ResetKDF         struct {
		Time    uint32 `json:"time"`
		Memory  uint32 `json:"memory"`
		Threads uint8  `json:"threads"`
		Salt    hexb   `json:"salt"`
	} `json:"reset_kdf"`
	ResetAuthKey   hexb `json:"reset_auth_key"`
	ResetWrappedAK hexb `json:"reset_wrapped_account_key"`
	ResetMsg       hexb `json:"reset_msg"`
	ResetSig       hexb `json:"reset_sig"` // by the member
}

func generateRecovery(t *testing.T, old *recoveryVectors) *recoveryVectors {
	owner := mustID(t, seq(seedSize, 0x01), seq(seedSize, 0x61))
	member := mustID(t, seq(seedSize, 0x11), seq(seedSize, 0x71))
	var v recoveryVectors
	v.OrgID, v.OwnerID, v.MemberID = "5a1e0c3d-7b2f-4e9a-8c6d-1f0e2d3c4b5a", "6f1c2a5e-8d4b-4c1e-9a3f-2b7d5e8c1a90", "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	v.MemberEmail, v.Version, v.MemberAccountKey = "member@example.com", 1, seq(KeySize, 0x33)
	v.RecoverySignSeed, v.RecoveryKEMSeed = seq(seedSize, 0x21), seq(seedSize, 0x81)
	rec := mustID(t, v.RecoverySignSeed, v.RecoveryKEMSeed)
	v.RecoverySignPub, v.RecoveryKEMPub = rec.Public().Sign, rec.Public().KEM
	v.RecoveryKeyMsg = recoveryKeyMsg(v.OrgID, v.Version, v.OwnerID, rec.Public())
	v.RecoveryKeySig = owner.SignRecoveryKey(v.OrgID, v.Version, v.OwnerID, rec.Public())
	v.OwnerAccountKey, v.PrivateNonce = seq(KeySize, 0xa0), seq(nonceSize, 0x44)
	v.SealedPrivate = must(sealWithNonce(v.OwnerAccountKey, v.PrivateNonce, rec.PrivateSeeds(), recoveryPrivateAD(v.OrgID, v.Version, v.OwnerID)))

	ectx := RecoveryEnrolContext(v.OrgID, v.MemberID, v.Version, rec.Public())
	v.EnrolInfo = ectx.info()
	v.EnrolWrap = keepOrWrap(t, old, func(o *recoveryVectors) []byte { return o.EnrolWrap }, member, v.MemberID, ectx, v.MemberAccountKey)
	v.EnrolSig = member.Sign(ectx.sigMsg(v.MemberID, v.EnrolWrap))

	v.RequestID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
	v.RequestSignSeed, v.RequestKEMSeed = seq(seedSize, 0x31), seq(seedSize, 0x91)
	req := mustID(t, v.RequestSignSeed, v.RequestKEMSeed)
	v.RequestCode = RecoveryRequestCode(v.RequestID, v.MemberEmail, req.Public())
	v.ApprovalCode = RecoveryApprovalCode(v.RequestID, v.MemberID, member.Public())
	gctx := RecoveryGrantContext(v.OrgID, v.MemberID, v.Version, v.RequestID, req.Public())
	v.GrantInfo = gctx.info()
	v.GrantWrap = keepOrWrap(t, old, func(o *recoveryVectors) []byte { return o.GrantWrap }, owner, v.OwnerID, gctx, v.MemberAccountKey)
	v.GrantSig = owner.Sign(gctx.sigMsg(v.OwnerID, v.GrantWrap))

	v.ResetKDF.Time, v.ResetKDF.Memory, v.ResetKDF.Threads, v.ResetKDF.Salt = MinTime, MinMemory, MinThreads, seq(SaltSize, 0x55)
	v.ResetAuthKey, v.ResetWrappedAK = seq(KeySize, 0x66), seq(73, 0x77)
	kdf := KDFParams{Algorithm: KDFAlgorithm, Time: v.ResetKDF.Time, Memory: v.ResetKDF.Memory, Threads: v.ResetKDF.Threads, Salt: v.ResetKDF.Salt}
	v.ResetMsg = recoveryResetMsg(v.MemberID, v.RequestID, kdf, v.ResetAuthKey, v.ResetWrappedAK)
	v.ResetSig = member.SignRecoveryReset(v.MemberID, v.RequestID, kdf, v.ResetAuthKey, v.ResetWrappedAK)
	return &v
}

func mustID(t *testing.T, sign, kem []byte) *Identity {
	id, err := identityFromSeeds(sign, kem)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func keepOrWrap(t *testing.T, old *recoveryVectors, get func(*recoveryVectors) []byte, signer *Identity, signerID string, ctx KeyWrapContext, key []byte) []byte {
	if old != nil && len(get(old)) > 0 {
		return get(old)
	}
	w, _, err := WrapKey(signer, signerID, ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestRecoveryVectors(t *testing.T) {
	var old *recoveryVectors
	if data, err := os.ReadFile(recoveryVectorsPath); err == nil {
		old = new(recoveryVectors)
		if err := json.Unmarshal(data, old); err != nil {
			t.Fatal(err)
		}
	} else if !*update || !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	got := generateRecovery(t, old)
	have, _ := json.MarshalIndent(got, "", "  ")
	if *update {
		if err := os.WriteFile(recoveryVectorsPath, append(have, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, _ := json.MarshalIndent(old, "", "  ")
	if !bytes.Equal(want, have) {
		t.Fatalf("recovery vectors differ from %s (run with -update only if the format deliberately changed)\n%s", recoveryVectorsPath, firstDiff(want, have))
	}
	// The public API opens what the file holds.
	v := old
	owner := mustID(t, seq(seedSize, 0x01), seq(seedSize, 0x61))
	member := mustID(t, seq(seedSize, 0x11), seq(seedSize, 0x71))
	recPub := PublicKeys{Sign: v.RecoverySignPub, KEM: v.RecoveryKEMPub}
	if err := VerifyRecoveryKey(owner.Public(), v.OrgID, v.Version, v.OwnerID, recPub, v.RecoveryKeySig); err != nil {
		t.Fatalf("VerifyRecoveryKey: %v", err)
	}
	if VerifyRecoveryKey(owner.Public(), v.OrgID, v.Version+1, v.OwnerID, recPub, v.RecoveryKeySig) == nil {
		t.Fatal("a recovery key verifies as another version")
	}
	rec, err := OpenRecoveryPrivate(v.OwnerAccountKey, v.SealedPrivate, v.OrgID, v.Version, v.OwnerID, recPub)
	if err != nil {
		t.Fatalf("OpenRecoveryPrivate: %v", err)
	}
	ak, err := OpenKey(rec, member.Public(), v.MemberID, RecoveryEnrolContext(v.OrgID, v.MemberID, v.Version, recPub), v.EnrolWrap, v.EnrolSig, KeySize)
	if err != nil || !bytes.Equal(ak, v.MemberAccountKey) {
		t.Fatalf("open the enrolment: %v", err)
	}
	// An enrolment never opens as a vault key wrap, nor for another member.
	if _, err := OpenKey(rec, member.Public(), v.MemberID, VaultKeyContext(v.OrgID, v.MemberID, v.Version, RecipientUser, v.OrgID, recPub), v.EnrolWrap, v.EnrolSig, KeySize); err == nil {
		t.Fatal("an enrolment opened as a vault key wrap")
	}
	if _, err := OpenKey(rec, member.Public(), v.MemberID, RecoveryEnrolContext(v.OrgID, v.OwnerID, v.Version, recPub), v.EnrolWrap, v.EnrolSig, KeySize); err == nil {
		t.Fatal("an enrolment opened for another member")
	}
	req := mustID(t, v.RequestSignSeed, v.RequestKEMSeed)
	gctx := RecoveryGrantContext(v.OrgID, v.MemberID, v.Version, v.RequestID, req.Public())
	if err := VerifyKeyWrap(owner.Public(), v.OwnerID, gctx, v.GrantWrap, v.GrantSig); err != nil {
		t.Fatalf("grant signature: %v", err)
	}
	if ak, err := OpenRecoveryGrant(req, gctx, v.GrantWrap); err != nil || !bytes.Equal(ak, v.MemberAccountKey) {
		t.Fatalf("OpenRecoveryGrant: %v", err)
	}
	other := gctx
	other.RecipientID = "another request"
	if _, err := OpenRecoveryGrant(req, other, v.GrantWrap); err == nil {
		t.Fatal("a grant opened for another request")
	}
	if RecoveryRequestCode(v.RequestID, "MEMBER@example.com", req.Public()) != v.RequestCode ||
		RecoveryRequestCode(v.RequestID, v.MemberEmail, rec.Public()) == v.RequestCode {
		t.Fatal("the request code is not bound to the address (case-insensitive) and keys")
	}
	if RecoveryApprovalCode(v.RequestID, v.MemberID, owner.Public()) == v.ApprovalCode || RecoveryApprovalCode(v.RequestID, v.OwnerID, member.Public()) == v.ApprovalCode {
		t.Fatal("the approval code is not bound to the member's id and keys")
	}
	kdf := KDFParams{Algorithm: KDFAlgorithm, Time: v.ResetKDF.Time, Memory: v.ResetKDF.Memory, Threads: v.ResetKDF.Threads, Salt: v.ResetKDF.Salt}
	if err := VerifyRecoveryReset(member.Public(), v.MemberID, v.RequestID, kdf, v.ResetAuthKey, v.ResetWrappedAK, v.ResetSig); err != nil {
		t.Fatalf("VerifyRecoveryReset: %v", err)
	}
	if VerifyRecoveryReset(member.Public(), v.MemberID, v.RequestID, kdf, v.ResetWrappedAK[:32], v.ResetWrappedAK, v.ResetSig) == nil {
		t.Fatal("a reset signature verifies over another authentication key")
	}
}
