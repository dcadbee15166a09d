-- PostgreSQL only (see src/basis_ledger/ledger/dialect.py for how the tables are generated from ledger.sql).
-- Run again on every `firm init`: each statement is safe to repeat.

-- Append-only: the one trigger function behind every append-only table's UPDATE, DELETE and TRUNCATE triggers.
CREATE OR REPLACE FUNCTION basis_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'events' THEN  -- the same words as SQLite's triggers
        RAISE EXCEPTION 'the event ledger is append-only' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RAISE EXCEPTION '% are append-only', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END $$;

-- Which database role may read or write which household. 'write' includes reading; 'read' is a reviewer's.
CREATE TABLE IF NOT EXISTS household_grants (
    role      TEXT NOT NULL,
    household TEXT NOT NULL,
    access    TEXT NOT NULL CHECK (access IN ('read', 'write')),
    granted_at TEXT NOT NULL,
    PRIMARY KEY (role, household)
);

-- A role sees only its own grants (the policies below ask about the current role only).
ALTER TABLE household_grants ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_grants ON household_grants;
CREATE POLICY own_grants ON household_grants FOR SELECT USING (role = current_user::text);

-- The households the current role may read (writing = false) or write (writing = true): the row-level security
-- policies of every household table ask only this.
CREATE OR REPLACE FUNCTION basis_ledger_households(writing boolean) RETURNS text[]
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT coalesce(array_agg(household), '{}') FROM household_grants
    WHERE role = current_user::text AND (access = 'write' OR NOT writing)
$$;
