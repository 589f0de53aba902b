-- +goose Up
-- Issue 23, finding 6: a revision counts against its author's quota with
-- a fixed overhead on top of its blob (store.RevisionOverhead: its row,
-- signature, hashes, key wraps, event and index entries), so that an
-- account cannot make the server store far more than it is counted.
-- Recount with the new rule; purges give back the same.
UPDATE account_usage SET revision_bytes =
    (SELECT COALESCE(SUM(LENGTH(r.blob) + 1024), 0) FROM revisions r WHERE r.author_id = account_usage.user_id);

-- +goose Down
UPDATE account_usage SET revision_bytes =
    (SELECT COALESCE(SUM(LENGTH(r.blob)), 0) FROM revisions r WHERE r.author_id = account_usage.user_id);
