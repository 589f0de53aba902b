package api

import "time"

// Account recovery by an organisation (docs/protocol.md §17.2).

// RecoveryKey is an organisation's recovery key of one version: public
// keys signed by the owner, and — for the owner only — the private keys
// sealed under the owner's account key.
type RecoveryKey struct {
	Version       uint64 `json:"version"`
	SignPub       []byte `json:"sign_pub"`
	KEMPub        []byte `json:"kem_pub"`
	KeysSig       []byte `json:"keys_sig"`
	SealedPrivate []byte `json:"sealed_private,omitempty"`
}

// OrgRecovery answers GET /orgs/{org}/recovery: whether recovery is on,
// its key, and for the owner who enrolled.
type OrgRecovery struct {
	Enabled    bool                `json:"enabled"`
	Version    uint64              `json:"version"` // of the current or, when off, the last key
	Key        *RecoveryKey        `json:"key,omitempty"`
	Enrolments []RecoveryEnrolment `json:"enrolments,omitempty"`
}

// RecoveryEnrolment is a member's account key wrapped to the recovery key,
// signed by the member.
type RecoveryEnrolment struct {
	UserID    string    `json:"user_id"`
	Version   uint64    `json:"version"`
	Wrap      []byte    `json:"wrap"`
	Sig       []byte    `json:"sig"`
	CreatedAt time.Time `json:"created_at"`
}

// MemberRecovery is one organisation of the caller's with recovery on.
type MemberRecovery struct {
	OrgID      string      `json:"org_id"`
	OwnerID    string      `json:"owner_id"`
	Key        RecoveryKey `json:"key"`
	Enrolled   bool        `json:"enrolled"`
	EnrolledAt time.Time   `json:"enrolled_at,omitzero"`
}

// RecoveryRequestInfo is a recovery request as its account sees it.
type RecoveryRequestInfo struct {
	_         [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Granted   bool      `json:"granted"`
	GrantOrg  string    `json:"grant_org,omitempty"`
	GrantedBy string    `json:"granted_by,omitempty"`
	GrantedAt time.Time `json:"granted_at,omitzero"`
}

// AccountRecovery answers GET /account/recovery.
type AccountRecovery struct {
	Orgs     []MemberRecovery      `json:"orgs"`
	Requests []RecoveryRequestInfo `json:"requests"`
}

// NewRecoveryRequest starts a recovery (no session: the member has lost
// the password). The id and key pair come from the member's device.
type NewRecoveryRequest struct {
	ID      string `json:"id"`
	Email   string `json:"email"`
	SignPub []byte `json:"sign_pub"`
	KEMPub  []byte `json:"kem_pub"`
	// KeysSig is the request key's self-signature (protocol §5's
	// public-keys message, owner kind "recovery-request", owner id the
	// request id), which proves the keys well-formed.
	KeysSig []byte `json:"keys_sig"`
}

// RecoveryRequestCreated answers NewRecoveryRequest. The token is shown
// only here and is what later calls about the request present.
type RecoveryRequestCreated struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RecoveryToken authenticates a call about one request.
type RecoveryToken struct {
	Token string `json:"token"`
}

// RecoveryRequestState answers POST /recovery/requests/{id}: pending, or
// granted with everything the device needs to finish.
type RecoveryRequestState struct {
	State     string       `json:"state"` // "pending" or "granted"
	UserID    string       `json:"user_id,omitempty"`
	OrgID     string       `json:"org_id,omitempty"`
	Version   uint64       `json:"version,omitempty"`
	GrantedBy string       `json:"granted_by,omitempty"`
	Wrap      []byte       `json:"wrap,omitempty"`
	Sig       []byte       `json:"sig,omitempty"`
	Keys      *AccountKeys `json:"keys,omitempty"` // without the wrapped account key
}

// OpenRecoveryRequest is a request an owner may approve, with the
// member's enrolment.
type OpenRecoveryRequest struct {
	ID        string            `json:"id"`
	UserID    string            `json:"user_id"`
	Email     string            `json:"email"`
	SignPub   []byte            `json:"sign_pub"`
	KEMPub    []byte            `json:"kem_pub"`
	CreatedAt time.Time         `json:"created_at"`
	ExpiresAt time.Time         `json:"expires_at"`
	Enrolment RecoveryEnrolment `json:"enrolment"`
}

// RecoveryGrant is an owner's approval: the member's account key wrapped
// to the request's keys, signed by the owner.
type RecoveryGrant struct {
	Version uint64 `json:"version"`
	Wrap    []byte `json:"wrap"`
	Sig     []byte `json:"sig"`
}

// CompleteRecovery sets the recovered account's new master password. Sig
// is the account's own signature of it (protocol §17.2).
type CompleteRecovery struct {
	Token             string `json:"token"`
	KDF               KDF    `json:"kdf"`
	AuthKey           []byte `json:"auth_key"`
	WrappedAccountKey []byte `json:"wrapped_account_key"`
	Sig               []byte `json:"sig"`
}

// RecoveryGranted answers an approval: whether the member was told by
// e-mail (MailSent, MailFailed, MailNotConfigured).
type RecoveryGranted struct {
	Mail string `json:"mail"`
}

// NoticeRecovered is the kind of notice a completed recovery leaves.
const NoticeRecovered = "recovered"

// NoticeSecondFactorReset: an instance administrator turned the
// account's two-factor log-in off (its codes and keys deleted).
const NoticeSecondFactorReset = "second_factor_reset"

// AccountNotice is something that happened to the caller's account that
// its user is shown at the next unlock until the account acknowledges it
// (docs/protocol.md §17.3): for now, that the account was recovered
// through an organisation — approved by its owner (ApprovedBy, their
// address then: ApproverEmail) at ApprovedAt, completed at At from
// ClientAddr. SeenAt is when the account acknowledged it.
type AccountNotice struct {
	_             [0]func() // not comparable: no equality function in core.wasm (docs/performance.md)
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	OrgID         string    `json:"org_id"`
	ApprovedBy    string    `json:"approved_by"`
	ApproverEmail string    `json:"approver_email"`
	ApprovedAt    time.Time `json:"approved_at"`
	At            time.Time `json:"at"`
	ClientAddr    string    `json:"client_addr"`
	SeenAt        time.Time `json:"seen_at,omitzero"`
}

// AccountNotices answers GET /account/notices: every notice of the
// account (the newest 100), newest first, seen or not.
type AccountNotices struct {
	Notices []AccountNotice `json:"notices"`
}
