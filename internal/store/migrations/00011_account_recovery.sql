-- +goose Up
-- Account recovery by an organisation (issue 15, docs/protocol.md §17.2).
-- An organisation's recovery key: its public keys signed by the owner and
-- its private keys sealed under the owner's account key. A disabled
-- organisation keeps its row (and version) with no key, so the next key
-- gets the next version and nothing wrapped to an older one matches it.
CREATE TABLE org_recovery (
    org_id         TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    version        {{int}} NOT NULL,
    enabled        {{int}} NOT NULL,
    sign_pub       {{bytes}},
    kem_pub        {{bytes}},
    keys_sig       {{bytes}},
    sealed_private {{bytes}},
    updated_at     {{int}} NOT NULL
);

-- A member's account key, wrapped by the member to the recovery key of
-- one version and signed by the member.
CREATE TABLE recovery_enrolments (
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    version    {{int}} NOT NULL,
    wrap       {{bytes}} NOT NULL,
    sig        {{bytes}} NOT NULL,
    created_at {{int}} NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX recovery_enrolments_user ON recovery_enrolments(user_id);

-- A member's request to be recovered: the public keys of a key pair the
-- member's device made, and, once an owner approved it, the account key
-- wrapped to them and signed by that owner.
CREATE TABLE recovery_requests (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    sign_pub      {{bytes}} NOT NULL,
    kem_pub       {{bytes}} NOT NULL,
    created_at    {{int}} NOT NULL,
    expires_at    {{int}} NOT NULL,
    grant_org     TEXT NOT NULL,
    grant_version {{int}} NOT NULL,
    grant_wrap    {{bytes}},
    grant_sig     {{bytes}},
    granted_by    TEXT NOT NULL,
    granted_at    {{int}} NOT NULL
);
CREATE INDEX recovery_requests_user ON recovery_requests(user_id, created_at);

-- +goose Down
DROP TABLE recovery_requests;
DROP TABLE recovery_enrolments;
DROP TABLE org_recovery;
