-- +goose Up
-- Issue 28: the restores of this database from a backup (docs/protocol.md
-- §9.1). coffer admin restore adds a row (coffer admin mark-restored for
-- a PostgreSQL restore); the newest is served with every sync answer, so
-- that a device holding newer data than the restored state says so in
-- plain words and can give back what the server lost. generation only
-- goes up (the restore's time in milliseconds, or one more than the last
-- one); state_at is the time of the newest item change the restored data
-- holds.
CREATE TABLE server_restores (
    generation  {{int}} PRIMARY KEY,
    restored_at {{int}} NOT NULL,
    state_at    {{int}} NOT NULL
);

-- +goose Down
DROP TABLE server_restores;
