-- 020_auth.sql: helpers of the authentication layer (issue 3).

-- Datetime output of conventions.md §5: UTC, 'Z' suffix, 6-digit fraction only when non-zero.
CREATE OR REPLACE FUNCTION jhe_auth_ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN t IS NULL THEN NULL
        WHEN date_part('microseconds', t)::bigint % 1000000 = 0
            THEN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        ELSE to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    END
$$;

-- Lookups of unused codes of a user for a client (invitation redemption deletes them).
CREATE INDEX IF NOT EXISTS oauth_authorization_code_user_app_idx
    ON oauth_authorization_code (user_id, application_id) WHERE used_at IS NULL;
