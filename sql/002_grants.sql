-- 002_grants.sql: privileges of the workers' role (data-model.md §1 "Roles", §7 "Protection").
--
-- Run by `jhe-admin migrate` as the owner role. The roles must already exist (created by
-- sql/roles.sql as the cluster superuser); this migration fails with a clear message if
-- jhe_app is missing. Re-running the statements is harmless (GRANT/REVOKE are idempotent).
--
-- jhe_app gets:
--   * SELECT, INSERT, UPDATE, DELETE on every data table (not TRUNCATE, not REFERENCES, ...);
--   * USAGE on every sequence (identity sequences: nextval/currval; not setval);
--   * only SELECT, INSERT on audit_event;
--   * only SELECT on schema_migration (the workers may check the schema version).
-- Later migrations that add tables must grant on them explicitly (no default privileges,
-- so that a new audit-like table is never writable by accident).

DO $$
DECLARE
    t record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jhe_app') THEN
        RAISE EXCEPTION 'role jhe_app does not exist: run sql/roles.sql as the database superuser first';
    END IF;

    FOR t IN
        SELECT c.relname
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema()
          AND c.relkind IN ('r', 'p')
          AND NOT c.relispartition
          AND c.relname NOT IN ('audit_event', 'schema_migration')
        ORDER BY c.relname
    LOOP
        EXECUTE format('REVOKE ALL ON TABLE %I FROM PUBLIC', t.relname);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %I TO jhe_app', t.relname);
    END LOOP;
END
$$;

REVOKE ALL ON TABLE audit_event FROM PUBLIC;
REVOKE ALL ON TABLE audit_event FROM jhe_app;
GRANT SELECT, INSERT ON TABLE audit_event TO jhe_app;

REVOKE ALL ON TABLE schema_migration FROM PUBLIC;
REVOKE ALL ON TABLE schema_migration FROM jhe_app;
GRANT SELECT ON TABLE schema_migration TO jhe_app;

DO $$
DECLARE
    s record;
BEGIN
    FOR s IN
        SELECT c.relname
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'S'
        ORDER BY c.relname
    LOOP
        EXECUTE format('REVOKE ALL ON SEQUENCE %I FROM PUBLIC', s.relname);
        EXECUTE format('GRANT USAGE ON SEQUENCE %I TO jhe_app', s.relname);
    END LOOP;
END
$$;
