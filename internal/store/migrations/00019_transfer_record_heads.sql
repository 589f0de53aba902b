-- +goose Up
-- Issue 25 (docs/protocol.md §18.5, security finding 25.15): an offer
-- signs the heads of the vault epoch records it hands over; the new owner
-- signs its records on top of exactly those. Offers made before have
-- none (their signature does not cover heads): they can no longer be
-- accepted or followed, and the owner offers again.
ALTER TABLE org_transfers ADD COLUMN record_heads {{bytes}};

-- +goose Down
ALTER TABLE org_transfers DROP COLUMN record_heads;
