-- sql/functions/10_time.sql: the one timestamp formatter. Re-applied by every `jhe-admin migrate`
-- (sql/README.md).

-- jhe_rfc3339(t) -> text
-- Datetime output of conventions.md §5 (RFC 3339): UTC, 'Z' suffix, a 6-digit fraction only when
-- it is not zero; NULL for NULL. Every JSON builder, the FHIR projections (instant, meta) and the
-- store's statements format times with it. A bare expression: inlined into the calling query.
CREATE OR REPLACE FUNCTION jhe_rfc3339(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t IS NULL THEN NULL ELSE
        to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN (extract(microseconds FROM t)::bigint % 1000000) = 0 THEN ''
                ELSE to_char(t AT TIME ZONE 'UTC', '.US') END
        || 'Z' END
$$;
