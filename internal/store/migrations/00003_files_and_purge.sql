-- +goose Up
-- Purged items leave a tombstone so that delta sync can tell clients.
CREATE TABLE purged_items (
    item_id   TEXT PRIMARY KEY,
    vault_id  TEXT NOT NULL,
    seq       {{int}} NOT NULL,
    purged_at {{int}} NOT NULL
);
CREATE INDEX purged_items_vault_seq ON purged_items(vault_id, seq);

-- Encrypted attachments, stored in chunks so the server never holds a
-- whole file in memory. The file key and name live in the item's
-- encrypted content; the server sees sizes only.
CREATE TABLE files (
    id          TEXT PRIMARY KEY,
    vault_id    TEXT NOT NULL REFERENCES vaults(id),
    size        {{int}} NOT NULL,
    chunk_count {{int}} NOT NULL,
    creator_id  TEXT NOT NULL,
    created_at  {{int}} NOT NULL
);
CREATE INDEX files_vault ON files(vault_id);

CREATE TABLE file_chunks (
    file_id TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    idx     {{int}} NOT NULL,
    data    {{bytes}} NOT NULL,
    PRIMARY KEY (file_id, idx)
);

-- Which files an item's revisions refer to (declared by the writer), so
-- that files move and are purged with their item.
CREATE TABLE item_files (
    item_id TEXT NOT NULL,
    file_id TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, file_id)
);
CREATE INDEX item_files_file ON item_files(file_id);

-- +goose Down
DROP TABLE item_files;
DROP TABLE file_chunks;
DROP TABLE files;
DROP TABLE purged_items;
