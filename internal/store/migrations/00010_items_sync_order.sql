-- +goose Up
-- A sync reads a vault's items a page at a time in (seq, id) order
-- (docs/api.md, GET /sync): with the id in the index, every page is one
-- index range, with no sort, however many items share a sequence number
-- (a batch create gives all of its items one).
CREATE INDEX items_vault_seq_id ON items(vault_id, seq, id);
DROP INDEX items_vault_seq;

-- +goose Down
CREATE INDEX items_vault_seq ON items(vault_id, seq);
DROP INDEX items_vault_seq_id;
