-- +goose Up
-- Issue 25 (docs/protocol.md §18.4, §18.8): instance administrators,
-- disabled accounts, deleted accounts, and departures the owner has not
-- signed into the roster yet.

-- disabled_at: set by an instance administrator; the account cannot log in
-- (0: enabled). deleted_at: the account was deleted; its row stays as a
-- tombstone with its public keys, so that what it signed in organisation
-- vaults keeps verifying (it stays a former member in their rosters). Its
-- address is freed (email becomes 'deleted:ID') and kept in former_email,
-- the address the rosters sign; its password material is wiped.
ALTER TABLE accounts ADD COLUMN disabled_at {{int}} NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN deleted_at {{int}} NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN former_email TEXT NOT NULL DEFAULT '';

-- Accounts made administrators on the server machine (coffer admin
-- grant-admin). Those named by coffer serve --admin or the config file are
-- not stored: each server matches them by address at every request.
CREATE TABLE instance_admins (
    user_id    TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    granted_at {{int}} NOT NULL
);

-- A member who left, was unbound by an administrator or deleted their
-- account: their access is gone, but the roster still lists them until the
-- owner's client signs the next version with them as a former member
-- (roster pending). No foreign key to accounts: a tombstone is never
-- deleted, and the mark must outlive nothing else.
CREATE TABLE org_departures (
    org_id  TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    how     TEXT NOT NULL CHECK (how IN ('left', 'unbound', 'deleted')),
    at      {{int}} NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

-- +goose Down
DROP TABLE org_departures;
DROP TABLE instance_admins;
ALTER TABLE accounts DROP COLUMN former_email;
ALTER TABLE accounts DROP COLUMN deleted_at;
ALTER TABLE accounts DROP COLUMN disabled_at;
