-- +goose Up
-- Organisations, invitations, groups and grants (docs/protocol.md §14).

CREATE TABLE orgs (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL REFERENCES accounts(id),
    meta           {{bytes}} NOT NULL, -- name, sealed under the organisation key
    key_epoch      {{int}} NOT NULL,
    roster_version {{int}} NOT NULL,
    roster         {{bytes}} NOT NULL, -- the members the owner signed, JSON
    roster_sig     {{bytes}} NOT NULL,
    created_at     {{int}} NOT NULL
);

-- Confirmed members, the owner included.
CREATE TABLE org_members (
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    confirmed_at {{int}} NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_user ON org_members(user_id);

CREATE TABLE org_key_wraps (
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    epoch      {{int}} NOT NULL,
    member_id  TEXT NOT NULL,
    signer_id  TEXT NOT NULL,
    wrap       {{bytes}} NOT NULL,
    sig        {{bytes}} NOT NULL,
    created_at {{int}} NOT NULL,
    PRIMARY KEY (org_id, epoch, member_id)
);

CREATE TABLE invite_batches (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    verifier_hash {{bytes}} NOT NULL,
    org_tag       {{bytes}} NOT NULL,
    details       {{bytes}} NOT NULL,
    sealed_code   {{bytes}} NOT NULL,
    created_at    {{int}} NOT NULL
);

CREATE TABLE invitations (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    batch_id        TEXT NOT NULL REFERENCES invite_batches(id),
    email           TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('invited', 'joined', 'confirmed', 'cancelled')),
    user_id         TEXT,
    join_mac        {{bytes}},
    failed_attempts {{int}} NOT NULL DEFAULT 0,
    created_at      {{int}} NOT NULL,
    updated_at      {{int}} NOT NULL
);
-- One open invitation per address and organisation.
CREATE UNIQUE INDEX invitations_open ON invitations(org_id, email) WHERE state IN ('invited', 'joined');
CREATE INDEX invitations_email ON invitations(email);

CREATE TABLE org_groups (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    manager_id         TEXT NOT NULL REFERENCES accounts(id),
    private            {{int}} NOT NULL,
    default_permission {{int}} NOT NULL CHECK (default_permission BETWEEN 1 AND 3),
    meta               {{bytes}} NOT NULL, -- name, sealed under the organisation key
    sign_pub           {{bytes}} NOT NULL,
    kem_pub            {{bytes}} NOT NULL,
    keys_sig           {{bytes}} NOT NULL,
    epoch              {{int}} NOT NULL,
    vault_id           TEXT,               -- a private group's own vault
    created_at         {{int}} NOT NULL
);
CREATE INDEX org_groups_org ON org_groups(org_id);

CREATE TABLE group_members (
    group_id   TEXT NOT NULL REFERENCES org_groups(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    seq        {{int}} NOT NULL, -- change sequence when added (delta sync)
    created_at {{int}} NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);

CREATE TABLE group_key_wraps (
    group_id   TEXT NOT NULL REFERENCES org_groups(id) ON DELETE CASCADE,
    epoch      {{int}} NOT NULL,
    member_id  TEXT NOT NULL,
    signer_id  TEXT NOT NULL,
    wrap       {{bytes}} NOT NULL,
    sig        {{bytes}} NOT NULL,
    created_at {{int}} NOT NULL,
    PRIMARY KEY (group_id, epoch, member_id)
);

-- The change sequence at which a grant was made: a client syncing from an
-- older cursor then receives the vault's older items too.
ALTER TABLE vault_grants ADD COLUMN seq {{int}} NOT NULL DEFAULT 0;

-- Organisation vaults: who created them and their sealed name.
ALTER TABLE vaults ADD COLUMN creator_id TEXT;
ALTER TABLE vaults ADD COLUMN meta {{bytes}};

-- Each account's sealed keyring (pinned organisation owners).
CREATE TABLE keyrings (
    user_id    TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    version    {{int}} NOT NULL,
    box        {{bytes}} NOT NULL,
    updated_at {{int}} NOT NULL
);

-- +goose Down
DROP TABLE keyrings;
ALTER TABLE vaults DROP COLUMN meta;
ALTER TABLE vaults DROP COLUMN creator_id;
ALTER TABLE vault_grants DROP COLUMN seq;
DROP TABLE group_key_wraps;
DROP TABLE group_members;
DROP TABLE org_groups;
DROP TABLE invitations;
DROP TABLE invite_batches;
DROP TABLE org_key_wraps;
DROP TABLE org_members;
DROP TABLE orgs;
