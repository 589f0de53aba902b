-- +goose Up
-- Column types are written {{int}} and {{bytes}}; migrations.FS renders them
-- for each engine (SQLite: INTEGER, BLOB; PostgreSQL: BIGINT, BYTEA).
-- Times are Unix milliseconds. Byte strings are opaque to the server.
CREATE TABLE accounts (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    kdf_algorithm       TEXT NOT NULL,
    kdf_time            {{int}} NOT NULL,
    kdf_memory          {{int}} NOT NULL,
    kdf_threads         {{int}} NOT NULL,
    kdf_salt            {{bytes}} NOT NULL,
    auth_hash           {{bytes}} NOT NULL,
    auth_salt           {{bytes}} NOT NULL,
    sign_pub            {{bytes}} NOT NULL,
    kem_pub             {{bytes}} NOT NULL,
    public_keys_sig     {{bytes}} NOT NULL,
    wrapped_account_key {{bytes}} NOT NULL,
    private_keys        {{bytes}} NOT NULL,
    created_at          {{int}} NOT NULL
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash   {{bytes}} NOT NULL UNIQUE,
    created_at   {{int}} NOT NULL,
    last_used_at {{int}} NOT NULL,
    expires_at   {{int}} NOT NULL,
    max_expires  {{int}} NOT NULL,
    revoked_at   {{int}} NOT NULL DEFAULT 0,
    client_addr  TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE vaults (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('personal', 'org')),
    org_id     TEXT NOT NULL DEFAULT '',
    owner_id   TEXT REFERENCES accounts(id) ON DELETE CASCADE,
    epoch      {{int}} NOT NULL CHECK (epoch >= 1),
    created_at {{int}} NOT NULL
);

-- Grants of a vault to a user (and, from the organisation issue, a group).
CREATE TABLE vault_grants (
    vault_id     TEXT NOT NULL REFERENCES vaults(id) ON DELETE CASCADE,
    grantee_kind TEXT NOT NULL CHECK (grantee_kind IN ('user', 'group')),
    grantee_id   TEXT NOT NULL,
    permission   {{int}} NOT NULL CHECK (permission BETWEEN 1 AND 3),
    created_at   {{int}} NOT NULL,
    PRIMARY KEY (vault_id, grantee_kind, grantee_id)
);
CREATE INDEX vault_grants_grantee ON vault_grants(grantee_kind, grantee_id);

CREATE TABLE vault_key_wraps (
    vault_id       TEXT NOT NULL REFERENCES vaults(id) ON DELETE CASCADE,
    epoch          {{int}} NOT NULL,
    recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('user', 'group')),
    recipient_id   TEXT NOT NULL,
    signer_id      TEXT NOT NULL,
    wrap           {{bytes}} NOT NULL,
    sig            {{bytes}} NOT NULL,
    created_at     {{int}} NOT NULL,
    PRIMARY KEY (vault_id, epoch, recipient_kind, recipient_id)
);
CREATE INDEX vault_key_wraps_recipient ON vault_key_wraps(recipient_kind, recipient_id);

CREATE TABLE items (
    id         TEXT PRIMARY KEY,
    vault_id   TEXT NOT NULL REFERENCES vaults(id),
    type       TEXT NOT NULL,
    head       {{int}} NOT NULL CHECK (head >= 1),
    trashed_at {{int}} NOT NULL DEFAULT 0,
    created_at {{int}} NOT NULL,
    updated_at {{int}} NOT NULL,
    seq        {{int}} NOT NULL
);
CREATE INDEX items_vault_seq ON items(vault_id, seq);

-- Revisions are append-only: no statement in the store updates or deletes one.
CREATE TABLE revisions (
    item_id    TEXT NOT NULL REFERENCES items(id),
    revision   {{int}} NOT NULL,
    vault_id   TEXT NOT NULL,
    key_epoch  {{int}} NOT NULL,
    type       TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    prev_hash  {{bytes}} NOT NULL,
    blob       {{bytes}} NOT NULL,
    sig        {{bytes}} NOT NULL,
    time       {{int}} NOT NULL, -- the author's signed clock
    created_at {{int}} NOT NULL, -- the server's clock at write
    PRIMARY KEY (item_id, revision)
);

CREATE TABLE item_key_wraps (
    item_id    TEXT NOT NULL REFERENCES items(id),
    key_vault  TEXT NOT NULL,
    key_epoch  {{int}} NOT NULL,
    wrap_vault TEXT NOT NULL,
    wrap_epoch {{int}} NOT NULL,
    wrap       {{bytes}} NOT NULL,
    PRIMARY KEY (item_id, key_vault, key_epoch, wrap_vault, wrap_epoch)
);

-- Secrets the server keeps for itself (e.g. the key that makes pre-login
-- answers for unknown accounts stable). Shared by every instance.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value {{bytes}} NOT NULL
);

-- One server-wide change sequence. Writers increment it inside their
-- transaction, which serialises them on this row and keeps the sequence
-- gap-free and in commit order (docs/protocol.md §9).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value {{int}} NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);

-- +goose Down
DROP TABLE counters;
DROP TABLE server_secrets;
DROP TABLE item_key_wraps;
DROP TABLE revisions;
DROP TABLE items;
DROP TABLE vault_key_wraps;
DROP TABLE vault_grants;
DROP TABLE vaults;
DROP TABLE sessions;
DROP TABLE accounts;
