-- +goose Up
-- Who signed a group's public keys (its creator). The manager can change
-- (when a manager leaves, the organisation's owner takes the group over:
-- a group never points at a non-member), but the keys' signature stays
-- the creator's, who stays verifiable as a former member of the signed
-- roster (docs/protocol.md §14.2).
ALTER TABLE org_groups ADD COLUMN keys_signer_id TEXT NOT NULL DEFAULT '';
UPDATE org_groups SET keys_signer_id = manager_id;

-- +goose Down
ALTER TABLE org_groups DROP COLUMN keys_signer_id;
