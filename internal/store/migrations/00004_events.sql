-- +goose Up
-- The change log behind live updates: one row per change, numbered by the
-- change sequence of the write that made it (several rows may share a
-- number). Rows carry ids and kinds only, never content.
CREATE TABLE events (
    seq          {{int}} NOT NULL,
    idx          {{int}} NOT NULL,
    kind         TEXT NOT NULL,
    org_id       TEXT NOT NULL DEFAULT '',
    vault_id     TEXT NOT NULL DEFAULT '',
    item_id      TEXT NOT NULL DEFAULT '',
    target_user  TEXT NOT NULL DEFAULT '',
    target_group TEXT NOT NULL DEFAULT '',
    created_at   {{int}} NOT NULL,
    PRIMARY KEY (seq, idx)
);
CREATE INDEX events_vault ON events(vault_id, seq);
CREATE INDEX events_org ON events(org_id, seq);
CREATE INDEX events_target_user ON events(target_user, seq);

-- +goose Down
DROP TABLE events;
