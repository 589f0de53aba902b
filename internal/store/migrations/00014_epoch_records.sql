-- +goose Up
-- Epoch records, pending rotations and group key history (docs/protocol.md §18).

-- Each vault's, group's and organisation's signed chain of states. seq is
-- the change sequence of the write that stored it: readers fetch what is
-- newer than what they have.
CREATE TABLE epoch_records (
    object_id  TEXT NOT NULL,
    version    {{int}} NOT NULL CHECK (version >= 1),
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    epoch      {{int}} NOT NULL CHECK (epoch >= 1),
    key_commit {{bytes}} NOT NULL,
    meta_epoch {{int}} NOT NULL,
    meta_hash  {{bytes}} NOT NULL,
    recipients {{bytes}} NOT NULL, -- JSON list, hashed into the record
    prev_hash  {{bytes}} NOT NULL,
    signer_id  TEXT NOT NULL,
    time_ms    {{int}} NOT NULL,
    sig        {{bytes}} NOT NULL,
    hash       {{bytes}} NOT NULL, -- record_hash, the next version's prev_hash
    seq        {{int}} NOT NULL,
    PRIMARY KEY (object_id, version)
);
CREATE INDEX epoch_records_org ON epoch_records(org_id, seq);

-- Rotations owed after a loss of access: done by the next client that can.
CREATE TABLE pending_rotations (
    object_id TEXT PRIMARY KEY,
    org_id    TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,          -- org, group or vault
    epoch     {{int}} NOT NULL,       -- the epoch to replace
    reason    TEXT NOT NULL,          -- removed, left, unbound, group, revoked
    since     {{int}} NOT NULL
);
CREATE INDEX pending_rotations_org ON pending_rotations(org_id);

-- A group's public keys of every epoch: vault keys of earlier epochs stay
-- wrapped to the group's earlier keys.
CREATE TABLE group_keys (
    group_id  TEXT NOT NULL REFERENCES org_groups(id) ON DELETE CASCADE,
    epoch     {{int}} NOT NULL,
    sign_pub  {{bytes}} NOT NULL,
    kem_pub   {{bytes}} NOT NULL,
    keys_sig  {{bytes}} NOT NULL,
    signer_id TEXT NOT NULL,
    PRIMARY KEY (group_id, epoch)
);
INSERT INTO group_keys (group_id, epoch, sign_pub, kem_pub, keys_sig, signer_id)
    SELECT id, epoch, sign_pub, kem_pub, keys_sig, keys_signer_id FROM org_groups;

-- +goose Down
DROP TABLE group_keys;
DROP TABLE pending_rotations;
DROP TABLE epoch_records;
