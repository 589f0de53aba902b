-- +goose Up
-- Issue 28: each item keeps its head revision's JSON as a sync sends it
-- (docs/performance.md), written in the transaction that writes the head,
-- so that a full sync copies bytes instead of reading the revision's
-- columns and encoding them again. NULL (items written before this
-- migration, or a head written by other means) makes a sync read and
-- encode the revision as before.
ALTER TABLE items ADD COLUMN head_json {{bytes}};

-- +goose Down
ALTER TABLE items DROP COLUMN head_json;
