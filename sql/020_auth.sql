-- 020_auth.sql: indexes of the authentication layer. (The timestamp formatter it first created is
-- sql/functions/10_time.sql, re-applied by every migrate: sql/README.md.)

-- Lookups of unused codes of a user for a client (invitation redemption deletes them).
CREATE INDEX IF NOT EXISTS oauth_authorization_code_user_app_idx
    ON oauth_authorization_code (user_id, application_id) WHERE used_at IS NULL;
