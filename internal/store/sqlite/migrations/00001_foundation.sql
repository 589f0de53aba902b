-- +goose Up
-- Times are Unix milliseconds. Byte strings are opaque to the server.
CREATE TABLE accounts (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    kdf_algorithm       TEXT NOT NULL,
    kdf_time            INTEGER NOT NULL,
    kdf_memory          INTEGER NOT NULL,
    kdf_threads         INTEGER NOT NULL,
    kdf_salt            BLOB NOT NULL,
    auth_hash           BLOB NOT NULL,
    auth_salt           BLOB NOT NULL,
    sign_pub            BLOB NOT NULL,
    kem_pub             BLOB NOT NULL,
    public_keys_sig     BLOB NOT NULL,
    wrapped_account_key BLOB NOT NULL,
    private_keys        BLOB NOT NULL,
    created_at          INTEGER NOT NULL
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    max_expires  INTEGER NOT NULL,
    revoked_at   INTEGER NOT NULL DEFAULT 0,
    client_addr  TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE vaults (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('personal', 'org')),
    org_id     TEXT NOT NULL DEFAULT '',
    owner_id   TEXT REFERENCES accounts(id) ON DELETE CASCADE,
    epoch      INTEGER NOT NULL CHECK (epoch >= 1),
    created_at INTEGER NOT NULL
);

-- Grants of a vault to a user (and, from the organisation issue, a group).
CREATE TABLE vault_grants (
    vault_id     TEXT NOT NULL REFERENCES vaults(id) ON DELETE CASCADE,
    grantee_kind TEXT NOT NULL CHECK (grantee_kind IN ('user', 'group')),
    grantee_id   TEXT NOT NULL,
    permission   INTEGER NOT NULL CHECK (permission BETWEEN 1 AND 3),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (vault_id, grantee_kind, grantee_id)
);
CREATE INDEX vault_grants_grantee ON vault_grants(grantee_kind, grantee_id);

CREATE TABLE vault_key_wraps (
    vault_id       TEXT NOT NULL REFERENCES vaults(id) ON DELETE CASCADE,
    epoch          INTEGER NOT NULL,
    recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('user', 'group')),
    recipient_id   TEXT NOT NULL,
    signer_id      TEXT NOT NULL,
    wrap           BLOB NOT NULL,
    sig            BLOB NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (vault_id, epoch, recipient_kind, recipient_id)
);
CREATE INDEX vault_key_wraps_recipient ON vault_key_wraps(recipient_kind, recipient_id);

CREATE TABLE items (
    id         TEXT PRIMARY KEY,
    vault_id   TEXT NOT NULL REFERENCES vaults(id),
    type       TEXT NOT NULL,
    head       INTEGER NOT NULL CHECK (head >= 1),
    trashed_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    seq        INTEGER NOT NULL
);
CREATE INDEX items_vault_seq ON items(vault_id, seq);

-- Revisions are append-only: no statement in the store updates or deletes one.
CREATE TABLE revisions (
    item_id    TEXT NOT NULL REFERENCES items(id),
    revision   INTEGER NOT NULL,
    vault_id   TEXT NOT NULL,
    key_epoch  INTEGER NOT NULL,
    type       TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    prev_hash  BLOB NOT NULL,
    blob       BLOB NOT NULL,
    sig        BLOB NOT NULL,
    time       INTEGER NOT NULL, -- the author's signed clock
    created_at INTEGER NOT NULL, -- the server's clock at write
    PRIMARY KEY (item_id, revision)
);

CREATE TABLE item_key_wraps (
    item_id    TEXT NOT NULL REFERENCES items(id),
    key_vault  TEXT NOT NULL,
    key_epoch  INTEGER NOT NULL,
    wrap_vault TEXT NOT NULL,
    wrap_epoch INTEGER NOT NULL,
    wrap       BLOB NOT NULL,
    PRIMARY KEY (item_id, key_vault, key_epoch, wrap_vault, wrap_epoch)
);

-- Secrets the server keeps for itself (e.g. the key that makes pre-login
-- answers for unknown accounts stable). Shared by every instance.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- One server-wide change sequence. Writers increment it inside their
-- transaction, which serialises them on this row and keeps the sequence
-- gap-free and in commit order (docs/protocol.md §9).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
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
