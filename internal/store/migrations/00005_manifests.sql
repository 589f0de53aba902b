-- +goose Up
-- The newest signed manifest of each vault (docs/protocol.md §7.5): what
-- items it holds, at which head, trashed or not, as a hash signed by the
-- last writer. The server cannot check the hash; readers do. Versions
-- serialise writes to one vault (compare-and-set in the writing
-- transaction).
CREATE TABLE vault_manifests (
    vault_id   TEXT PRIMARY KEY REFERENCES vaults(id) ON DELETE CASCADE,
    version    {{int}} NOT NULL,
    item_count {{int}} NOT NULL,
    items_hash {{bytes}} NOT NULL,
    signer_id  TEXT NOT NULL,
    time       {{int}} NOT NULL,
    sig        {{bytes}} NOT NULL
);

-- +goose Down
DROP TABLE vault_manifests;
