-- +goose Up
-- Issue 27: limits that hold across instances. With several instances on
-- one PostgreSQL database, the failed-login windows and the mail budgets
-- are counted here rather than in each process, so N instances do not
-- allow N times the guesses. One row per key and fixed window; a key is
-- a keyed hash (never an e-mail address in clear). The window's times are
-- the server clock in milliseconds, stored in the row, so every instance
-- agrees on when it ends. Rows whose window has ended are pruned.
CREATE TABLE rate_counters (
    name         TEXT PRIMARY KEY,
    window_start {{int}} NOT NULL,
    window_end   {{int}} NOT NULL,
    n            {{int}} NOT NULL,
    counted      {{int}} NOT NULL
);
CREATE INDEX rate_counters_window_end ON rate_counters (window_end);

-- +goose Down
DROP TABLE rate_counters;
