-- Schema 2 (issue 10): corrections that keep the ledger append-only: voids and reimports.
CREATE TABLE IF NOT EXISTS voids (
    id            INTEGER PRIMARY KEY,
    event_id      INTEGER REFERENCES events(id),
    document_id   INTEGER REFERENCES documents(id),
    filed_form_id INTEGER REFERENCES filed_forms(id),
    file_id       INTEGER REFERENCES files(id),
    reason        TEXT NOT NULL,
    who           TEXT NOT NULL,
    at            TEXT NOT NULL,
    CHECK (CASE WHEN event_id IS NULL THEN 0 ELSE 1 END + CASE WHEN document_id IS NULL THEN 0 ELSE 1 END + CASE WHEN filed_form_id IS NULL THEN 0 ELSE 1 END + CASE WHEN file_id IS NULL THEN 0 ELSE 1 END = 1)
);
CREATE UNIQUE INDEX IF NOT EXISTS voids_event ON voids(event_id) WHERE event_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS voids_document ON voids(document_id) WHERE document_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS voids_filed_form ON voids(filed_form_id) WHERE filed_form_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS voids_file ON voids(file_id) WHERE file_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS reimports (
    id         INTEGER PRIMARY KEY,
    file_id    INTEGER NOT NULL REFERENCES files(id),
    after_undo INTEGER NOT NULL UNIQUE REFERENCES voids(id),
    who        TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS voids_no_update BEFORE UPDATE ON voids
    BEGIN SELECT RAISE(ABORT, 'voids are append-only'); END;
CREATE TRIGGER IF NOT EXISTS voids_no_delete BEFORE DELETE ON voids
    BEGIN SELECT RAISE(ABORT, 'voids are append-only'); END;
CREATE TRIGGER IF NOT EXISTS reimports_no_update BEFORE UPDATE ON reimports
    BEGIN SELECT RAISE(ABORT, 'reimports are append-only'); END;
CREATE TRIGGER IF NOT EXISTS reimports_no_delete BEFORE DELETE ON reimports
    BEGIN SELECT RAISE(ABORT, 'reimports are append-only'); END;
