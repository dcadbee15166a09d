-- The events' columnar copy (src/basis_ledger/ledger/blocks.py), SQLite only: for each run of events one
-- transaction appended, the same rows as Arrow IPC streams (uncompressed since session 8, LZ4 before). Derived
-- data, never the ledger: a reader uses the blocks only when they cover every event id, else it reads `events`.
-- Created by the first import that needs it (a ledger without it is read from its rows), so the schema version
-- does not change.
CREATE TABLE IF NOT EXISTS event_blocks (
    first_id INTEGER PRIMARY KEY,
    last_id  INTEGER NOT NULL,
    rows     INTEGER NOT NULL CHECK (rows = last_id - first_id + 1),
    format   TEXT NOT NULL,
    data     BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS event_blocks_no_update BEFORE UPDATE ON event_blocks
    BEGIN SELECT RAISE(ABORT, 'event blocks are append-only'); END;
CREATE TRIGGER IF NOT EXISTS event_blocks_no_delete BEFORE DELETE ON event_blocks
    BEGIN SELECT RAISE(ABORT, 'event blocks are append-only'); END;
