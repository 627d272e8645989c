-- sql/functions/20_access.sql: the access predicates of admin-api.md §2.2-§2.3, implemented once
-- in SQL so that the admin API and the FHIR API cannot disagree. Re-applied by every
-- `jhe-admin migrate` (sql/README.md).
--
-- Conventions for every function below:
--   * the caller is identified by its jhe_user id (p_user_id), the id the bearer token
--     resolves to; a user id that does not exist simply sees nothing;
--   * the set-returning functions (used in FROM clauses) and the scalar ones without a
--     sub-select (jhe_can, jhe_manages_patient) are LANGUAGE sql, STABLE, not STRICT, not
--     SECURITY DEFINER, one SELECT each: PostgreSQL inlines them into the calling query, so the
--     planner sees through them (join order, predicate push-down, index choice) exactly as if
--     the SQL had been written in place. Keep them that way (adding STRICT, SET options or
--     plpgsql would stop inlining);
--   * a scalar predicate whose body has a sub-select (`SELECT EXISTS (...)`) or a FROM clause is
--     never inlined: as LANGUAGE sql it would go through fmgr_sql, which parses and plans the body
--     again at the first call of every execution of the calling statement (profile of a 20-entry
--     FHIR Observation page: the location check through jhe_patient_visible took 0.9 ms, more
--     than the page statement itself). Those are PL/pgSQL `RETURN (<the SELECT>)`, which keeps
--     its plan for the session (a scalar sub-select returns NULL for no row, as the SQL function
--     did; every such body returns at most one row: EXISTS, or a lookup by a unique key);
--   * they run with the caller's privileges (jhe_app has SELECT on every table used);
--   * EXECUTE is granted to PUBLIC (the default for functions).
--
-- The central one is jhe_consented_scopes(): the consent rule. An observation query
-- restricts (subject_patient_id, codeable_concept_id) to the pairs it returns; the pairs are
-- few (patients x consented codes), and each pair is an equality prefix of the index
-- observation_patient_code_effective_idx (subject_patient_id, codeable_concept_id,
-- effective_at, id), so the date range and the keyset order are served by that index.
--
-- Example (FHIR Observation search, study filter $2 optional, date range, keyset page):
--
--   SELECT o.id, o.subject_patient_id, o.codeable_concept_id, o.effective_at, o.omh_data
--   FROM observation o
--   WHERE (o.subject_patient_id, o.codeable_concept_id) IN (
--           SELECT v.patient_id, v.codeable_concept_id
--           FROM jhe_consented_scopes($1) v
--           WHERE ($2::bigint IS NULL OR v.study_id = $2))
--     AND o.effective_at >= $3
--   ORDER BY o.effective_at, o.id
--   LIMIT 1000;
--
-- With a patient filter (the notebook's typical query) the planner walks the index for
-- each (patient, code) pair. For pages ordered by date ACROSS many patients, a LATERAL form
-- reads at most LIMIT rows per pair from the index (index-only scan) instead of scanning:
--
--   SELECT x.id, x.effective_at
--   FROM (SELECT DISTINCT v.patient_id, v.codeable_concept_id
--         FROM jhe_consented_scopes($1) v WHERE v.study_id = $2) k
--   CROSS JOIN LATERAL (
--       SELECT o.id, o.effective_at FROM observation o
--       WHERE o.subject_patient_id = k.patient_id AND o.codeable_concept_id = k.codeable_concept_id
--         AND (o.effective_at, o.id) > ($3, $4)                  -- keyset cursor
--       ORDER BY o.effective_at, o.id LIMIT $5) x
--   ORDER BY x.effective_at, x.id LIMIT $5;
--
-- Patients' own data (rule 1, "self") is added with jhe_visible_observation_keys(), which
-- returns the union of the consented pairs and (own patient, every code):
--
--   WHERE (o.subject_patient_id, o.codeable_concept_id) IN (
--           SELECT k.patient_id, k.codeable_concept_id FROM jhe_visible_observation_keys($1) k)

-- ---------------------------------------------------------------------------------------
-- Roles and identities
-- ---------------------------------------------------------------------------------------

-- jhe_role_permissions(role) -> text[]
-- The permission list of a role, exactly CONSTANTS.ROLE_PERMISSIONS of admin-api.md §2.2
-- ('super_user', 'manager', 'member', 'viewer'); an unknown role has no permission.
CREATE OR REPLACE FUNCTION jhe_role_permissions(p_role text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_role
        WHEN 'super_user' THEN ARRAY['organization.manage_for_practitioners',
                                     'organization.create_top_level',
                                     'patient.manage_for_organization',
                                     'study.manage_for_organization',
                                     'client.manage', 'data_source.manage']
        WHEN 'manager'    THEN ARRAY['organization.manage_for_practitioners',
                                     'patient.manage_for_organization',
                                     'study.manage_for_organization']
        WHEN 'member'     THEN ARRAY['patient.manage_for_organization',
                                     'study.manage_for_organization']
        ELSE ARRAY[]::text[]
    END
$$;

-- jhe_is_superuser(user) -> boolean
-- True when the user exists and has is_superuser.
CREATE OR REPLACE FUNCTION jhe_is_superuser(p_user_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT EXISTS (SELECT 1 FROM jhe_user u WHERE u.id = p_user_id AND u.is_superuser));
END
$$;

-- jhe_is_practitioner(user) -> boolean
-- "Is a practitioner": has a practitioner row, or is a superuser (data-model.md §2.1).
CREATE OR REPLACE FUNCTION jhe_is_practitioner(p_user_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT EXISTS (SELECT 1 FROM practitioner pr WHERE pr.jhe_user_id = p_user_id)
            OR EXISTS (SELECT 1 FROM jhe_user u WHERE u.id = p_user_id AND u.is_superuser));
END
$$;

-- jhe_self_patient_id(user) -> bigint
-- The caller's own patient id ("self"), NULL when the user has no patient row.
CREATE OR REPLACE FUNCTION jhe_self_patient_id(p_user_id bigint) RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT p.id FROM patient p WHERE p.jhe_user_id = p_user_id);
END
$$;

-- ---------------------------------------------------------------------------------------
-- Memberships and organizations
-- ---------------------------------------------------------------------------------------

-- jhe_member_orgs(user) -> TABLE(organization_id, role)
-- orgs(c): the organizations where the caller holds a membership, with the role. One row
-- per organization (memberships are unique per practitioner and organization).
CREATE OR REPLACE FUNCTION jhe_member_orgs(p_user_id bigint)
RETURNS TABLE (organization_id bigint, role text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT po.organization_id, po.role
    FROM practitioner pr
    JOIN practitioner_organization po ON po.practitioner_id = pr.id
    WHERE pr.jhe_user_id = p_user_id
$$;

-- jhe_is_member(user, org) -> boolean
-- member(c, o): the caller has a membership (any role) in exactly o. No superuser bypass.
CREATE OR REPLACE FUNCTION jhe_is_member(p_user_id bigint, p_organization_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT EXISTS (
            SELECT 1
            FROM practitioner pr
            JOIN practitioner_organization po ON po.practitioner_id = pr.id
            WHERE pr.jhe_user_id = p_user_id AND po.organization_id = p_organization_id));
END
$$;

-- jhe_role_can(user, permission, org) -> boolean
-- True when the caller's membership role in exactly org grants the permission. No
-- superuser bypass (used for invites_patient, which requires an actual membership).
CREATE OR REPLACE FUNCTION jhe_role_can(p_user_id bigint, p_permission text, p_organization_id bigint)
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT EXISTS (
            SELECT 1
            FROM practitioner pr
            JOIN practitioner_organization po ON po.practitioner_id = pr.id
            WHERE pr.jhe_user_id = p_user_id
              AND po.organization_id = p_organization_id
              AND p_permission = ANY (jhe_role_permissions(po.role))));
END
$$;

-- jhe_can(user, permission, org) -> boolean
-- can(c, permission, o) of admin-api.md §2.2: the caller is a superuser (synthetic role
-- super_user, whose list contains every permission), or has a membership in exactly o whose
-- role grants the permission. No inheritance down the tree.
CREATE OR REPLACE FUNCTION jhe_can(p_user_id bigint, p_permission text, p_organization_id bigint)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (jhe_is_superuser(p_user_id)
            AND p_permission = ANY (jhe_role_permissions('super_user')))
        OR jhe_role_can(p_user_id, p_permission, p_organization_id)
$$;

-- jhe_org_ancestors(org) -> TABLE(organization_id, depth)
-- The organization itself (depth 0), its parent (depth 1), ... up to ROOT (id 0).
CREATE OR REPLACE FUNCTION jhe_org_ancestors(p_organization_id bigint)
RETURNS TABLE (organization_id bigint, depth integer)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE up (organization_id, part_of_id, depth) AS (
        SELECT o.id, o.part_of_id, 0 FROM organization o WHERE o.id = p_organization_id
        UNION ALL
        SELECT o.id, o.part_of_id, up.depth + 1
        FROM up JOIN organization o ON o.id = up.part_of_id
        WHERE up.depth < 1000                       -- guard against a (forbidden) cycle
    )
    SELECT up.organization_id, up.depth FROM up
$$;

-- jhe_org_descendants(org) -> TABLE(organization_id, depth)
-- The organization itself (depth 0) and its whole subtree. Used, e.g., to refuse a partOf
-- that is the organization itself or one of its descendants:
--   SELECT EXISTS (SELECT 1 FROM jhe_org_descendants($org) d WHERE d.organization_id = $new_parent)
CREATE OR REPLACE FUNCTION jhe_org_descendants(p_organization_id bigint)
RETURNS TABLE (organization_id bigint, depth integer)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE down (organization_id, depth) AS (
        SELECT o.id, 0 FROM organization o WHERE o.id = p_organization_id
        UNION ALL
        SELECT o.id, down.depth + 1
        FROM down JOIN organization o ON o.part_of_id = down.organization_id
        WHERE down.depth < 1000 AND o.id <> 0
    )
    SELECT down.organization_id, down.depth FROM down
$$;

-- jhe_visible_org_ids(user) -> TABLE(organization_id)
-- org_visible(c, o) as a set (admin-api.md §2.3; fhir.md §8.1 "Organization"):
--   superuser: every organization;
--   practitioner: the member organizations, their ancestors (including ROOT) and their
--   descendants;
--   patient: the patient's own organizations.
-- A dual-role user gets the union. Each id appears once.
CREATE OR REPLACE FUNCTION jhe_visible_org_ids(p_user_id bigint)
RETURNS TABLE (organization_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE
    mine (organization_id) AS (
        SELECT po.organization_id
        FROM practitioner pr
        JOIN practitioner_organization po ON po.practitioner_id = pr.id
        WHERE pr.jhe_user_id = p_user_id
    ),
    up (organization_id) AS (
        SELECT mine.organization_id FROM mine
        UNION
        SELECT o.part_of_id FROM up JOIN organization o ON o.id = up.organization_id
        WHERE o.part_of_id IS NOT NULL
    ),
    down (organization_id) AS (
        SELECT mine.organization_id FROM mine
        UNION
        SELECT o.id FROM down JOIN organization o ON o.part_of_id = down.organization_id
        WHERE o.id <> 0
    )
    SELECT o.id FROM organization o
    WHERE EXISTS (SELECT 1 FROM jhe_user u WHERE u.id = p_user_id AND u.is_superuser)
    UNION
    SELECT up.organization_id FROM up
    UNION
    SELECT down.organization_id FROM down
    UNION
    SELECT pto.organization_id
    FROM patient p JOIN patient_organization pto ON pto.patient_id = p.id
    WHERE p.jhe_user_id = p_user_id
$$;

-- jhe_org_visible(user, org) -> boolean
-- org_visible(c, o) for one organization.
CREATE OR REPLACE FUNCTION jhe_org_visible(p_user_id bigint, p_organization_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT EXISTS (SELECT 1 FROM jhe_visible_org_ids(p_user_id) v
                       WHERE v.organization_id = p_organization_id));
END
$$;

-- ---------------------------------------------------------------------------------------
-- Patients
-- ---------------------------------------------------------------------------------------

-- jhe_shared_patient_ids(user) -> TABLE(patient_id)
-- Patients p with shares(c, p): p belongs to some organization of orgs(c). No superuser
-- bypass. Each id appears once.
CREATE OR REPLACE FUNCTION jhe_shared_patient_ids(p_user_id bigint)
RETURNS TABLE (patient_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT DISTINCT pto.patient_id
    FROM practitioner pr
    JOIN practitioner_organization po ON po.practitioner_id = pr.id
    JOIN patient_organization pto ON pto.organization_id = po.organization_id
    WHERE pr.jhe_user_id = p_user_id
$$;

-- jhe_visible_patient_ids(user) -> TABLE(patient_id)
-- patient_visible(c, p) as a set: the caller's own patient (self) and every patient sharing
-- an organization with the caller (superusers too need shares). Each id appears once.
CREATE OR REPLACE FUNCTION jhe_visible_patient_ids(p_user_id bigint)
RETURNS TABLE (patient_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p.id FROM patient p WHERE p.jhe_user_id = p_user_id
    UNION
    SELECT pto.patient_id
    FROM practitioner pr
    JOIN practitioner_organization po ON po.practitioner_id = pr.id
    JOIN patient_organization pto ON pto.organization_id = po.organization_id
    WHERE pr.jhe_user_id = p_user_id
$$;

-- jhe_shares_patient(user, patient) -> boolean
-- shares(c, p): some organization of orgs(c) is also an organization of patient p.
CREATE OR REPLACE FUNCTION jhe_shares_patient(p_user_id bigint, p_patient_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT EXISTS (
            SELECT 1
            FROM practitioner pr
            JOIN practitioner_organization po ON po.practitioner_id = pr.id
            JOIN patient_organization pto ON pto.organization_id = po.organization_id
            WHERE pr.jhe_user_id = p_user_id AND pto.patient_id = p_patient_id));
END
$$;

-- jhe_patient_visible(user, patient) -> boolean
-- patient_visible(c, p) = self(c, p) or shares(c, p).
CREATE OR REPLACE FUNCTION jhe_patient_visible(p_user_id bigint, p_patient_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT EXISTS (SELECT 1 FROM patient p WHERE p.id = p_patient_id AND p.jhe_user_id = p_user_id)
            OR jhe_shares_patient(p_user_id, p_patient_id));
END
$$;

-- jhe_invites_patient(user, patient) -> boolean
-- invites_patient(c, p): some organization o of p where the caller's membership role grants
-- 'patient.manage_for_organization' (manager or member). No superuser bypass.
CREATE OR REPLACE FUNCTION jhe_invites_patient(p_user_id bigint, p_patient_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT EXISTS (
            SELECT 1
            FROM practitioner pr
            JOIN practitioner_organization po ON po.practitioner_id = pr.id
            JOIN patient_organization pto ON pto.organization_id = po.organization_id
            WHERE pr.jhe_user_id = p_user_id
              AND pto.patient_id = p_patient_id
              AND 'patient.manage_for_organization' = ANY (jhe_role_permissions(po.role))));
END
$$;

-- jhe_manages_patient(user, patient) -> boolean
-- manages_patient(c, p): superuser, or some organization o of p with
-- can(c, 'patient.manage_for_organization', o) through an actual membership.
CREATE OR REPLACE FUNCTION jhe_manages_patient(p_user_id bigint, p_patient_id bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jhe_is_superuser(p_user_id)
        OR jhe_invites_patient(p_user_id, p_patient_id)
$$;

-- ---------------------------------------------------------------------------------------
-- Studies
-- ---------------------------------------------------------------------------------------

-- jhe_study_readable(user, study) -> boolean
-- study_readable(c, s): superuser, or member(c, s.organization). False for unknown studies.
CREATE OR REPLACE FUNCTION jhe_study_readable(p_user_id bigint, p_study_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT EXISTS (
            SELECT 1 FROM study s
            WHERE s.id = p_study_id
              AND (jhe_is_superuser(p_user_id) OR jhe_is_member(p_user_id, s.organization_id))));
END
$$;

-- jhe_study_data_readable(user, study) -> boolean
-- study_data_readable(c, s): member(c, s.organization); no superuser bypass (enrolments and
-- consents are patient data). False for unknown studies.
CREATE OR REPLACE FUNCTION jhe_study_data_readable(p_user_id bigint, p_study_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT EXISTS (
            SELECT 1 FROM study s
            WHERE s.id = p_study_id AND jhe_is_member(p_user_id, s.organization_id)));
END
$$;

-- ---------------------------------------------------------------------------------------
-- Observations: the consent rule
-- ---------------------------------------------------------------------------------------

-- jhe_consented_scopes(user) -> TABLE(patient_id, codeable_concept_id, study_id, organization_id)
-- THE CONSENT RULE, part 2 (admin-api.md §2.3): one row per (study s, patient p, code k) such
-- that the caller is a member (any role, no superuser bypass) of s.organization, p is
-- enrolled in s, s requests k (study_scope_request), and p's consent row for (s, k) has
-- consented = true. An observation x is visible through it when
-- (x.subject_patient_id, x.codeable_concept_id) is one of the (patient_id,
-- codeable_concept_id) pairs; a pair may appear once per study.
--   Study filter:        ... WHERE v.study_id = $study
--   Organization filter: ... WHERE v.organization_id = $org
-- Use it in a semi-join (IN / EXISTS) so that duplicates across studies do not duplicate
-- observations. Rule 1 (self) is not included: see jhe_visible_observation_keys().
CREATE OR REPLACE FUNCTION jhe_consented_scopes(p_user_id bigint)
RETURNS TABLE (patient_id bigint, codeable_concept_id bigint, study_id bigint, organization_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sp.patient_id, c.scope_code_id, s.id, s.organization_id
    FROM practitioner pr
    JOIN practitioner_organization po ON po.practitioner_id = pr.id
    JOIN study s ON s.organization_id = po.organization_id
    JOIN study_patient sp ON sp.study_id = s.id
    JOIN study_patient_scope_consent c ON c.study_patient_id = sp.id AND c.consented
    JOIN study_scope_request r ON r.study_id = s.id AND r.scope_code_id = c.scope_code_id
    WHERE pr.jhe_user_id = p_user_id
$$;

-- jhe_visible_observation_keys(user) -> TABLE(patient_id, codeable_concept_id)
-- The whole observation visibility rule without filters, as distinct (patient, code) pairs:
-- rule 1 (the caller's own patient row, paired with every code, so that patients see all
-- their own observations) united with rule 2 (jhe_consented_scopes). A dual-role user gets
-- both. Use it in a semi-join on (subject_patient_id, codeable_concept_id).
CREATE OR REPLACE FUNCTION jhe_visible_observation_keys(p_user_id bigint)
RETURNS TABLE (patient_id bigint, codeable_concept_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p.id, cc.id
    FROM patient p CROSS JOIN codeable_concept cc
    WHERE p.jhe_user_id = p_user_id
    UNION
    SELECT v.patient_id, v.codeable_concept_id FROM jhe_consented_scopes(p_user_id) v
$$;

-- jhe_observation_visible(user, observation) -> boolean
-- observation_visible(c, x) for one observation (self, or the consent rule with any study).
-- False for an unknown observation.
CREATE OR REPLACE FUNCTION jhe_observation_visible(p_user_id bigint, p_observation_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT EXISTS (
            SELECT 1 FROM observation o
            WHERE o.id = p_observation_id
              AND (EXISTS (SELECT 1 FROM patient p
                           WHERE p.id = o.subject_patient_id AND p.jhe_user_id = p_user_id)
                   OR EXISTS (SELECT 1 FROM jhe_consented_scopes(p_user_id) v
                              WHERE v.patient_id = o.subject_patient_id
                                AND v.codeable_concept_id = o.codeable_concept_id))));
END
$$;

-- ---------------------------------------------------------------------------------------
-- Patient activation (the columns and trigger: sql/090_patient_activation.sql)
-- ---------------------------------------------------------------------------------------

-- jhe_patient_signed_in(patient) -> boolean
-- The patient's user has logged in (last_login) or ever obtained a token (first_token_at).
-- false for an unknown patient or a patient without a user (imported data: it cannot sign in).
CREATE OR REPLACE FUNCTION jhe_patient_signed_in(p_patient_id bigint) RETURNS boolean
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
CREATE OR REPLACE FUNCTION jhe_may_extend_patient_orgs(p_user_id bigint, p_patient_id bigint) RETURNS boolean
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
