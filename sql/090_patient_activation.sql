-- 090_patient_activation.sql: when a user first obtained a token, and the predicate "the patient
-- has signed in" that decides whether staff may record consent on the patient's behalf
-- (doc/admin-api-notes.md, "Consent on a patient's behalf").
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

-- jhe_patient_signed_in(patient) -> boolean
-- The patient's user has logged in (last_login) or ever obtained a token (first_token_at).
-- false for an unknown patient or a patient without a user (imported data: it cannot sign in).
CREATE FUNCTION jhe_patient_signed_in(p_patient_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN COALESCE((SELECT u.last_login IS NOT NULL OR u.first_token_at IS NOT NULL
                       FROM patient p JOIN jhe_user u ON u.id = p.jhe_user_id
                      WHERE p.id = p_patient_id), false);
END
$$;

-- jhe_may_extend_patient_orgs(user, patient) -> boolean
-- The caller may add patient p to another organization: superuser; a patient in no organization;
-- or a membership with role 'manager' in one of p's organizations (exactly that organization,
-- no inheritance, as can() of admin-api.md §2.2).
CREATE FUNCTION jhe_may_extend_patient_orgs(p_user_id bigint, p_patient_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN jhe_is_superuser(p_user_id)
        OR NOT EXISTS (SELECT 1 FROM patient_organization pto WHERE pto.patient_id = p_patient_id)
        OR EXISTS (SELECT 1
                     FROM practitioner pr
                     JOIN practitioner_organization po ON po.practitioner_id = pr.id
                     JOIN patient_organization pto ON pto.organization_id = po.organization_id
                    WHERE pr.jhe_user_id = p_user_id
                      AND pto.patient_id = p_patient_id
                      AND po.role = 'manager');
END
$$;
