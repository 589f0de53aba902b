-- +goose Up
-- Issue 25: each organisation's tamper-evident audit log
-- (docs/protocol.md §18.7). One row per action, appended in the
-- transaction of the action; hash links it to the row before
-- (prev_hash), so clients detect a row deleted, reordered or edited.
-- No foreign key to orgs: deleting an organisation deletes its log
-- explicitly, in the same transaction (DeleteOrg).
CREATE TABLE audit_log (
    org_id        TEXT NOT NULL,
    seq           {{int}} NOT NULL,
    prev_hash     {{bytes}} NOT NULL,
    time_ms       {{int}} NOT NULL,
    actor_id      TEXT NOT NULL,
    action        TEXT NOT NULL,
    target        {{bytes}} NOT NULL,
    source        TEXT NOT NULL,
    statement     {{bytes}} NOT NULL,
    statement_sig {{bytes}} NOT NULL,
    hash          {{bytes}} NOT NULL,
    PRIMARY KEY (org_id, seq)
);

-- +goose Down
DROP TABLE audit_log;
