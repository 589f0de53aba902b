-- +goose Up
-- A file belongs to exactly one item (issue 13, finding 12): before this,
-- a second item could link another item's file and carry it off to
-- another vault. Links made that way are dropped; of the items linking a
-- file, the one created first keeps it (its author uploaded it).
DELETE FROM item_files WHERE EXISTS (
    SELECT 1 FROM item_files o
        JOIN items io ON io.id = o.item_id
        JOIN items ii ON ii.id = item_files.item_id
    WHERE o.file_id = item_files.file_id AND o.item_id <> item_files.item_id
      AND (io.created_at < ii.created_at OR (io.created_at = ii.created_at AND o.item_id < item_files.item_id))
);
-- A file carried off that way went with the carrier into its vault: it
-- goes back to the vault of the item that keeps it.
UPDATE files SET vault_id = (
    SELECT i.vault_id FROM item_files l JOIN items i ON i.id = l.item_id WHERE l.file_id = files.id
) WHERE id IN (SELECT file_id FROM item_files);
DROP INDEX item_files_file;
CREATE UNIQUE INDEX item_files_one_item ON item_files(file_id);

-- Storage quotas (finding 11): each account's running totals of the
-- announced sizes of the files it uploaded and of the blobs of the
-- revisions it wrote (adding them up on every write would cost more the
-- more an account stored). Pending uploads are counted by index; the
-- expiry sweep finds old uploads that no item links.
CREATE TABLE account_usage (
    user_id        TEXT PRIMARY KEY,
    file_bytes     {{int}} NOT NULL,
    revision_bytes {{int}} NOT NULL
);
INSERT INTO account_usage (user_id, file_bytes, revision_bytes)
    SELECT u, SUM(fb), SUM(rb) FROM (
        SELECT creator_id AS u, size AS fb, 0 AS rb FROM files
        UNION ALL
        SELECT author_id, 0, LENGTH(blob) FROM revisions
    ) x GROUP BY u;
CREATE INDEX files_creator ON files(creator_id, created_at);
CREATE INDEX files_created ON files(created_at);

-- +goose Down
DROP TABLE account_usage;
DROP INDEX files_created;
DROP INDEX files_creator;
DROP INDEX item_files_one_item;
CREATE INDEX item_files_file ON item_files(file_id);
