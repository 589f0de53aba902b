-- +goose Up
-- Issue 25 (docs/protocol.md §18.6): the exposure report. When someone
-- loses access — removed from an organisation, leaving it, unbound by an
-- instance administrator, their account deleted, and also a revoked grant
-- or a removal from a group that leaves them unable to open a vault — the
-- server keeps, in the transaction that cuts the access and before the
-- grants and memberships that say what it was are deleted, the items of
-- every vault they could open then. The record outlives the items (a
-- purge, a move, a deleted vault): what was exposed stays exposed. It goes
-- with its organisation.
CREATE TABLE exposures (
    id      TEXT PRIMARY KEY,
    org_id  TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    how     TEXT NOT NULL CHECK (how IN ('removed', 'left', 'unbound', 'deleted', 'revoked', 'group')),
    at      {{int}} NOT NULL,
    seq     {{int}} NOT NULL
);
CREATE INDEX exposures_org_user ON exposures(org_id, user_id, seq);

-- The vaults they could open (an empty one too).
CREATE TABLE exposure_vaults (
    exposure_id TEXT NOT NULL REFERENCES exposures(id) ON DELETE CASCADE,
    vault_id    TEXT NOT NULL,
    PRIMARY KEY (exposure_id, vault_id)
);

-- One row per item of a vault the person could open: the item's vault
-- then, its head revision, the head's signed time (the author's clock),
-- the server's time of the item's last change, and whether it was in the
-- trash. No foreign key to items: the record must outlive them.
CREATE TABLE exposure_items (
    exposure_id TEXT NOT NULL REFERENCES exposures(id) ON DELETE CASCADE,
    item_id     TEXT NOT NULL,
    vault_id    TEXT NOT NULL,
    revision    {{int}} NOT NULL,
    time_ms     {{int}} NOT NULL,
    updated_at  {{int}} NOT NULL,
    trashed_at  {{int}} NOT NULL,
    PRIMARY KEY (exposure_id, item_id)
);

-- +goose Down
DROP TABLE exposure_items;
DROP TABLE exposure_vaults;
DROP TABLE exposures;
