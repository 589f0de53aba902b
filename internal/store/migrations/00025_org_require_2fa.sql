-- +goose Up
-- Issue 27: an organisation's owner can require two-factor log-in of its
-- members (docs/protocol.md §8.3). require_two_factor is 1 while the requirement
-- is on: a joined invitee without two-factor log-in is not confirmed, and
-- a member does not turn two-factor log-in off, while it holds.
ALTER TABLE orgs ADD COLUMN require_two_factor {{int}} NOT NULL DEFAULT 0;

-- Issue 27: the devices an account has logged in from, for the new-device
-- log-in notice (docs/security.md 27.8). device_hash is a keyed hash of
-- the account and the random device id its client keeps (never the id
-- itself); a log-in from a device not listed here mails the account.
CREATE TABLE known_devices (
    user_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    device_hash {{bytes}} NOT NULL,
    first_seen  {{int}} NOT NULL,
    last_seen   {{int}} NOT NULL,
    PRIMARY KEY (user_id, device_hash)
);

-- +goose Down
DROP TABLE known_devices;
ALTER TABLE orgs DROP COLUMN require_two_factor;
