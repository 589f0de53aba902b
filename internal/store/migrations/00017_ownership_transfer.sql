-- +goose Up
-- Issue 25 (docs/protocol.md §18.5): ownership transfer. One row per
-- offer: the open one (accepted_at = 0; at most one per organisation) with
-- the keys the old owner wrapped to the new owner, and every accepted one,
-- kept (without wraps) so that members' clients can check that the owner
-- who signs the roster now was handed the organisation by the owner they
-- pinned. A withdrawn or replaced offer is deleted.
CREATE TABLE org_transfers (
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    roster_version {{int}} NOT NULL,
    old_owner_id   TEXT NOT NULL,
    new_owner_id   TEXT NOT NULL,
    new_owner_fp   {{bytes}} NOT NULL,
    sig            {{bytes}} NOT NULL,
    wraps          {{bytes}},
    offered_at     {{int}} NOT NULL,
    accepted_at    {{int}} NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, roster_version)
);
CREATE UNIQUE INDEX org_transfers_open ON org_transfers(org_id) WHERE accepted_at = 0;

-- +goose Down
DROP TABLE org_transfers;
