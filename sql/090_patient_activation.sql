-- 090_patient_activation.sql: when a user first obtained a token, behind the predicate "the
-- patient has signed in" (jhe_patient_signed_in, sql/functions/20_access.sql) that decides whether
-- staff may record consent on the patient's behalf (doc/admin-api-notes.md, "Consent on a
-- patient's behalf").
--
-- last_login is set by a password login and by an invitation redemption (data-model.md §2.1);
-- tokens can also be issued without either (the operator CLI `jhe-admin token issue`). Token
-- families are purged some time after they end (src/store/maintenance.c), so "has a family" is
-- not a durable record: first_token_at keeps the time of the user's first family for good.

ALTER TABLE jhe_user ADD COLUMN first_token_at timestamptz;

UPDATE jhe_user u SET first_token_at = f.first
  FROM (SELECT user_id, min(created) AS first FROM oauth_token_family GROUP BY user_id) f
 WHERE f.user_id = u.id;

-- Every grant (authorization code, invitation, refresh of an older family, client credentials,
-- the CLI) starts with a family row: the first one stamps the user. Runs as the inserting role
-- (jhe_app has UPDATE on jhe_user); the UPDATE finds the row by primary key and writes nothing
-- once the column is set.
CREATE FUNCTION jhe_user_stamp_first_token() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE jhe_user SET first_token_at = NEW.created
     WHERE id = NEW.user_id AND first_token_at IS NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER oauth_token_family_first_token
    AFTER INSERT ON oauth_token_family
    FOR EACH ROW EXECUTE FUNCTION jhe_user_stamp_first_token();
