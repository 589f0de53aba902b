package crypto

import (
	"crypto/hpke"
	"crypto/sha256"
	"strings"
)

// Account recovery by an organisation (docs/protocol.md §17.2).
const (
	// KindRecovery wraps a member's account key to their organisation's
	// recovery key (an enrolment), signed by the member.
	KindRecovery = "recovery"
	// KindRecoveryGrant wraps a member's account key to the key pair of
	// one recovery request, signed by the approving owner.
	KindRecoveryGrant = "recovery-grant"

	RecipientRecovery = "recovery"         // the organisation's recovery key
	RecipientRequest  = "recovery-request" // a recovery request's key pair
)

// RecoveryEnrolContext is the context of member userID's enrolment in
// orgID's recovery key of the given version.
func RecoveryEnrolContext(orgID, userID string, version uint64, recovery PublicKeys) KeyWrapContext {
	return KeyWrapContext{KindRecovery, orgID, userID, version, RecipientRecovery, orgID, recovery}
}

// RecoveryGrantContext is the context of an owner's grant of member
// userID's account key to recovery request requestID.
func RecoveryGrantContext(orgID, userID string, version uint64, requestID string, request PublicKeys) KeyWrapContext {
	return KeyWrapContext{KindRecoveryGrant, orgID, userID, version, RecipientRequest, requestID, request}
}

func recoveryKeyMsg(orgID string, version uint64, ownerID string, pk PublicKeys) []byte {
	return Tuple("coffer/v1/recovery-key", []byte(orgID), U64(version), []byte(ownerID), pk.Sign, pk.KEM)
}

// SignRecoveryKey is the owner's signature of the organisation's recovery
// public keys of one version.
func (id *Identity) SignRecoveryKey(orgID string, version uint64, ownerID string, pk PublicKeys) []byte {
	return id.Sign(recoveryKeyMsg(orgID, version, ownerID, pk))
}

// VerifyRecoveryKey checks a recovery key against the owner's pinned keys.
func VerifyRecoveryKey(owner PublicKeys, orgID string, version uint64, ownerID string, pk PublicKeys, sig []byte) error {
	if !pk.valid() || version == 0 {
		return ErrTampered
	}
	return Verify(owner, recoveryKeyMsg(orgID, version, ownerID, pk), sig)
}

func recoveryPrivateAD(orgID string, version uint64, ownerID string) []byte {
	return Tuple("coffer/v1/recovery-private", []byte(orgID), U64(version), []byte(ownerID))
}

// SealRecoveryPrivate seals the recovery key's private seeds under the
// owner's account key.
func SealRecoveryPrivate(ownerAK []byte, orgID string, version uint64, ownerID string, recovery *Identity) ([]byte, error) {
	seeds := recovery.PrivateSeeds()
	defer clear(seeds)
	return Seal(ownerAK, seeds, recoveryPrivateAD(orgID, version, ownerID))
}

// OpenRecoveryPrivate opens the recovery key and checks it against the
// expected public keys.
func OpenRecoveryPrivate(ownerAK, box []byte, orgID string, version uint64, ownerID string, want PublicKeys) (*Identity, error) {
	seeds, err := Open(ownerAK, box, recoveryPrivateAD(orgID, version, ownerID))
	if err != nil {
		return nil, ErrTampered
	}
	defer clear(seeds)
	return IdentityFromSeeds(seeds, want)
}

// RecoveryRequestCode is the code a member reads to the owner out of band:
// 120 bits of a hash over the request's id, the member's address and the
// request's public keys, in the confirmation-code format (§14.3). The
// owner's client recomputes it over the keys the server presents, so a
// server that swapped them is caught.
func RecoveryRequestCode(requestID, email string, pk PublicKeys) string {
	h := sha256.Sum256(Tuple("coffer/v1/recovery-request", []byte(requestID), []byte(strings.ToLower(email)), pk.Sign, pk.KEM))
	return FormatInviteCode(h[:InviteCodeSize])
}

// RecoveryApprovalCode is the code the owner reads back to the member
// after approving: 120 bits of a hash over the request id and the
// member's account id and public keys as the owner's roster pins them.
// The member's new device, which pins nothing yet, checks the account the
// server offers against it before it uses or sends anything, so a server
// cannot hand it an identity of its own making.
func RecoveryApprovalCode(requestID, userID string, member PublicKeys) string {
	h := sha256.Sum256(Tuple("coffer/v1/recovery-approval", []byte(requestID), []byte(userID), member.Sign, member.KEM))
	return FormatInviteCode(h[:InviteCodeSize])
}

func recoveryResetMsg(userID, requestID string, kdf KDFParams, authKey, wrappedAK []byte) []byte {
	ha, hw := sha256.Sum256(authKey), sha256.Sum256(wrappedAK)
	return Tuple("coffer/v1/recovery-reset", []byte(userID), []byte(requestID), []byte(kdf.Algorithm),
		U64(uint64(kdf.Time)), U64(uint64(kdf.Memory)), U64(uint64(kdf.Threads)), kdf.Salt, ha[:], hw[:])
}

// SignRecoveryReset is the member's signature over the new password
// material of a completed recovery: the server accepts it only with a
// signature by the account's own identity, which only a holder of the
// account key can make.
func (id *Identity) SignRecoveryReset(userID, requestID string, kdf KDFParams, authKey, wrappedAK []byte) []byte {
	return id.Sign(recoveryResetMsg(userID, requestID, kdf, authKey, wrappedAK))
}

// VerifyRecoveryReset checks SignRecoveryReset with the account's keys.
func VerifyRecoveryReset(member PublicKeys, userID, requestID string, kdf KDFParams, authKey, wrappedAK, sig []byte) error {
	return Verify(member, recoveryResetMsg(userID, requestID, kdf, authKey, wrappedAK), sig)
}

// OpenRecoveryGrant opens a grant with the request's key pair. It does
// not check the owner's signature: the member's new device has no pinned
// keys to check it with. The caller must prove the key instead — only the
// true account key opens the account's sealed private keys.
func OpenRecoveryGrant(request *Identity, ctx KeyWrapContext, wrap []byte) ([]byte, error) {
	ctx.Recipient = request.Public()
	if ctx.Kind != KindRecoveryGrant || !ctx.valid() {
		return nil, ErrTampered
	}
	k, err := hpke.Open(request.kemKey, kdf, aeadAlg, ctx.info(), wrap)
	if err != nil || len(k) != KeySize {
		return nil, ErrTampered
	}
	return k, nil
}
