-- The ledger's tables. Events are append-only (triggers refuse UPDATE and DELETE); every event points at
-- the file it came from (name, sha256) and keeps its line in that file.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL UNIQUE,
    importer    TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    rows        INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id           INTEGER PRIMARY KEY,
    file_id      INTEGER NOT NULL REFERENCES files(id),
    taxpayer     TEXT NOT NULL,
    date         TEXT NOT NULL,
    tax_year     INTEGER NOT NULL,
    account      TEXT NOT NULL,
    account_type TEXT NOT NULL,
    kind         TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    memo         TEXT NOT NULL DEFAULT '',
    source_line  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_taxpayer ON events (taxpayer, date);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event ledger is append-only'); END;
CREATE TABLE IF NOT EXISTS taxpayers (
    name            TEXT PRIMARY KEY,
    birth_date      TEXT,
    roth_first_year INTEGER,
    ssn_last4       TEXT CHECK (ssn_last4 IS NULL OR length(ssn_last4) = 4),
    full_name       TEXT
);
