-- seed/flush.sql: `jhe-admin seed --flush-db`, step 1 (seed.md §1).
--
-- Deletes all rows of all data tables, keeps the ROOT organization (id 0), and restarts
-- every identity sequence at its start value (conventions.md §6). Never touches audit_event
-- (append-only; its own trigger would refuse anyway) nor schema_migration.
--
-- Run as the OWNER role (TRUNCATE ... RESTART IDENTITY needs ownership of the tables and
-- their sequences), in the same transaction as seed/base.sql or in its own.
--
-- The table list is computed from the catalog (every ordinary or partitioned table of the
-- current schema, except audit_event, its partitions and schema_migration), so tables added
-- by later migrations are flushed too. One TRUNCATE statement covers all of them, so
-- foreign keys between them are satisfied; audit_event has no foreign keys, so it is not
-- pulled in. TRUNCATE fires no row triggers: the practitioner_client → application rule
-- and the ROOT delete guard do not run (both tables are emptied anyway); ROOT is then
-- re-created with its fixed id.

DO $$
DECLARE
    tables text;
BEGIN
    SELECT string_agg(format('%I', c.relname), ', ' ORDER BY c.relname)
    INTO tables
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema()
      AND c.relkind IN ('r', 'p')
      AND NOT c.relispartition
      AND c.relname NOT IN ('audit_event', 'schema_migration');

    IF tables IS NOT NULL THEN
        EXECUTE 'TRUNCATE TABLE ' || tables || ' RESTART IDENTITY';
    END IF;
END
$$;

INSERT INTO organization (id, name, type, part_of_id) VALUES (0, 'ROOT', 'root', NULL);
