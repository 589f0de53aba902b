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
DROP INDEX item_files_file;
CREATE UNIQUE INDEX item_files_one_item ON item_files(file_id);

-- Storage quotas (finding 11) add up an account's uploads and revision
-- blobs; the expiry sweep finds old uploads that no item links.
CREATE INDEX files_creator ON files(creator_id, created_at);
CREATE INDEX files_created ON files(created_at);
CREATE INDEX revisions_author ON revisions(author_id);

-- +goose Down
DROP INDEX revisions_author;
DROP INDEX files_created;
DROP INDEX files_creator;
DROP INDEX item_files_one_item;
CREATE INDEX item_files_file ON item_files(file_id);
