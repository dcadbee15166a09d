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
-- Custodian accounts: who owns each and what type it is (statement importers need it to build events).
CREATE TABLE IF NOT EXISTS accounts (
    account   TEXT PRIMARY KEY,
    owner     TEXT NOT NULL,
    type      TEXT NOT NULL,
    custodian TEXT NOT NULL DEFAULT ''
);
-- The taxpayer's decision on traditional contributions whose deductibility custodians never report.
-- nondeductible_cents NULL means "all of them".
CREATE TABLE IF NOT EXISTS declarations (
    taxpayer            TEXT NOT NULL,
    tax_year            INTEGER NOT NULL,
    nondeductible_cents INTEGER CHECK (nondeductible_cents IS NULL OR nondeductible_cents >= 0),
    declared_at         TEXT NOT NULL,
    PRIMARY KEY (taxpayer, tax_year)
);
-- Custodian tax forms (1099-R, 5498) kept as filed: one row per box of one document.
CREATE TABLE IF NOT EXISTS documents (
    id          INTEGER PRIMARY KEY,
    file_id     INTEGER NOT NULL REFERENCES files(id),
    doc_index   INTEGER NOT NULL,
    form        TEXT NOT NULL CHECK (form IN ('1099-R', '5498')),
    taxpayer    TEXT NOT NULL,
    tax_year    INTEGER NOT NULL,
    account     TEXT NOT NULL DEFAULT '',
    box         TEXT NOT NULL,
    value       TEXT NOT NULL,
    source_line INTEGER NOT NULL
);
-- Form 8606 lines as filed (read from prior-year PDFs): one row per line, value as printed (decimal text).
CREATE TABLE IF NOT EXISTS filed_forms (
    id         INTEGER PRIMARY KEY,
    file_id    INTEGER NOT NULL REFERENCES files(id),
    taxpayer   TEXT NOT NULL,
    tax_year   INTEGER NOT NULL,
    chain      TEXT NOT NULL DEFAULT 'own',
    name       TEXT NOT NULL DEFAULT '',
    ssn_last4  TEXT CHECK (ssn_last4 IS NULL OR length(ssn_last4) = 4),
    line       TEXT NOT NULL,
    value      TEXT NOT NULL,
    source_ref TEXT NOT NULL
);
-- Corrections, append-only like the events (issue 10). A void hides one row of events, documents or
-- filed_forms from every command without deleting it (exactly one of its four ids is set); `import --undo`
-- writes one void naming the file and one per row it held. Importing an undone file again writes a reimports
-- row naming that undo. Real REFERENCES, so `ledger copy` maps the ids like any other.
-- Added as CREATE ... IF NOT EXISTS, so a ledger of schema version 1 gains them when it is opened.
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
