-- roles.sql: create the database roles (data-model.md §1 "Roles"). NOT a migration.
--
-- Run by the cluster superuser, connected to the JHE database, before `jhe-admin migrate`:
--     psql -v ON_ERROR_STOP=1 -d jhe -f sql/roles.sql
-- Idempotent: existing roles are kept (their passwords are not touched); running it again
-- only re-applies the grants below.
--
--   jhe_owner  owns every table, sequence and function; used only by migrations, the seed
--              and operators (archiving audit rows). The audit_event protection trigger lets
--              only this role update or delete audit rows.
--   jhe_app    the FastCGI workers' role: SELECT/INSERT/UPDATE/DELETE on data tables, only
--              SELECT/INSERT on audit_event (granted by the migration 002_grants.sql).
--
-- Passwords are an operator's choice: ALTER ROLE jhe_app PASSWORD '...'; (or use peer/
-- trust authentication on the local socket in development).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jhe_owner') THEN
        CREATE ROLE jhe_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jhe_app') THEN
        CREATE ROLE jhe_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;

    -- The current database: both roles may connect; the owner may create objects in the
    -- public schema (PostgreSQL 15 no longer grants CREATE on public to everyone); the
    -- workers' role only uses it.
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO jhe_owner, jhe_app', current_database());
    GRANT USAGE, CREATE ON SCHEMA public TO jhe_owner;
    GRANT USAGE ON SCHEMA public TO jhe_app;
    REVOKE CREATE ON SCHEMA public FROM jhe_app;
END
$$;
