-- 080_access_plpgsql.sql: the scalar access predicates of 003_access.sql (and jhe_org_role of
-- 030) as PL/pgSQL functions with the same bodies.
--
-- 003's header expects every access function to be inlined into the calling query. That holds
-- for the set-returning ones (jhe_consented_scopes, jhe_visible_*_ids, ... in FROM clauses) and
-- for scalar wrappers without sub-selects (jhe_can, jhe_manages_patient), but PostgreSQL never
-- inlines a scalar SQL function whose body has a sub-select (`SELECT EXISTS (...)`) or a FROM
-- clause: it runs it through fmgr_sql, which parses and plans the body again at the first call
-- of every execution of the calling statement. Profile of a 20-entry FHIR Observation page: the
-- location check (`jhe_patient_visible` over the `patient` parameter) took 0.9 ms, more than the
-- page statement itself (0.8 ms). A PL/pgSQL function keeps its plan for the session.
--
-- The bodies are not written a second time: each function is re-created from its own current
-- source, `RETURN (<the SELECT>)`, with the same signature, volatility and parallel safety.
-- (A scalar sub-select returns NULL for no row, as the SQL function did; every body here
-- returns at most one row: EXISTS, or a lookup by a unique key.)
DO $$
DECLARE
    names text[] := ARRAY['jhe_is_superuser', 'jhe_is_practitioner', 'jhe_self_patient_id',
                          'jhe_is_member', 'jhe_role_can', 'jhe_org_visible', 'jhe_shares_patient',
                          'jhe_patient_visible', 'jhe_invites_patient', 'jhe_study_readable',
                          'jhe_study_data_readable', 'jhe_observation_visible', 'jhe_org_role'];
    f record;
BEGIN
    FOR f IN
        SELECT p.oid, p.proname, pg_get_function_arguments(p.oid) AS args,
               format_type(p.prorettype, NULL) AS ret, p.provolatile, p.proparallel,
               regexp_replace(p.prosrc, '[\s;]+$', '') AS body
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema()
          AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql')
          AND NOT p.proretset
          AND p.proname = ANY (names)
    LOOP
        EXECUTE format('CREATE OR REPLACE FUNCTION %I(%s) RETURNS %s LANGUAGE plpgsql %s %s AS %L',
                       f.proname, f.args, f.ret,
                       CASE f.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
                       CASE f.proparallel WHEN 's' THEN 'PARALLEL SAFE' WHEN 'r' THEN 'PARALLEL RESTRICTED'
                                          ELSE 'PARALLEL UNSAFE' END,
                       E'BEGIN\n    RETURN (' || f.body || E');\nEND');
    END LOOP;
    IF (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema()
          AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
          AND p.proname = ANY (names)) <> cardinality(names) THEN
        RAISE EXCEPTION '080_access_plpgsql: not every access predicate was converted';
    END IF;
END
$$;
