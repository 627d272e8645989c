-- sql/functions/30_admin_json.sql: JSON builders of the Admin API (users, organizations,
-- practitioners, studies, data sources, clients, settings, audit events; admin-api.md §3-§6, §10,
-- §12, §13, §15, §16) and of the profile. One definition per object shape so that every endpoint
-- emits the same keys in the same order. Builders take ids (or rows) and return json; callers
-- json_agg them. Times are formatted by jhe_rfc3339 (10_time.sql). Re-applied by every
-- `jhe-admin migrate` (sql/README.md).
--
-- A LANGUAGE sql function whose body is a SELECT ... FROM (not a bare expression) is not
-- inlined: every execution of the calling statement parses, analyzes and plans its body again
-- (fmgr_sql caches the plan only for the duration of one outer query). In the patient list of
-- an organization that was ~45% of the server's CPU. PL/pgSQL caches the plan of
-- `RETURN (SELECT ...)` for the whole session, so each call only executes it: the builders of
-- the hot lists (jhe_patient_json and its helpers, jhe_org_role; jhe_observation_json in
-- 40_patient_data_json.sql) are PL/pgSQL. Functions that are a bare expression (jhe_rfc3339,
-- jhe_org_json) stay LANGUAGE sql: those are inlined, which is better still. doc/performance.md

-- snake_case -> camelCase for one key (conventions.md §2.1), with the ignore list.
CREATE OR REPLACE FUNCTION jhe_camel(k text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  out text := '';
  i int := 1;
  n int := length(k);
  c text;
  nx text;
BEGIN
  IF k IN ('response_type', 'client_id', 'redirect_uri', 'code_challenge',
           'code_challenge_method', 'grant_type', 'code_verifier', 'token_endpoint') THEN
    RETURN k;
  END IF;
  IF position('_' IN k) = 0 THEN
    RETURN k;
  END IF;
  WHILE i <= n LOOP
    c := substr(k, i, 1);
    nx := substr(k, i + 1, 1);
    IF c = '_' AND nx ~ '^[a-z0-9]$' THEN
      out := out || upper(nx);
      i := i + 2;
    ELSE
      out := out || c;
      i := i + 1;
    END IF;
  END LOOP;
  RETURN out;
END $$;

-- Every key of a JSON document camelCased, recursively (practitioner settings).
CREATE OR REPLACE FUNCTION jhe_camel_keys(j jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(j)
    WHEN 'object' THEN COALESCE((SELECT jsonb_object_agg(jhe_camel(key), jhe_camel_keys(value))
                                   FROM jsonb_each(j)), '{}'::jsonb)
    WHEN 'array' THEN COALESCE((SELECT jsonb_agg(jhe_camel_keys(value) ORDER BY ord)
                                  FROM jsonb_array_elements(j) WITH ORDINALITY AS e(value, ord)),
                               '[]'::jsonb)
    ELSE j END
$$;

-- Organization object; role is the caller's currentUserRole (NULL when nested).
CREATE OR REPLACE FUNCTION jhe_org_json(o organization, role text) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', o.id, 'name', o.name, 'type', o.type, 'partOf', o.part_of_id,
                           'currentUserRole', role, 'children', '[]'::json)
$$;
CREATE OR REPLACE FUNCTION jhe_patient_identifiers_json(pid bigint) RETURNS json
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN (SELECT COALESCE(json_agg(json_build_object('id', i.id, 'system', i.system,
                                                     'value', i.value)
                                   ORDER BY i.id), '[]'::json)
            FROM patient_identifier i WHERE i.patient_id = pid);
END
$$;

CREATE OR REPLACE FUNCTION jhe_patient_organizations_json(pid bigint) RETURNS json
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN (SELECT COALESCE(json_agg(jhe_org_json(o, NULL) ORDER BY o.name, o.id), '[]'::json)
            FROM patient_organization po JOIN organization o ON o.id = po.organization_id
           WHERE po.patient_id = pid);
END
$$;

-- The full Patient object (admin-api.md §3).
CREATE OR REPLACE FUNCTION jhe_patient_json(pid bigint) RETURNS json
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN (SELECT json_build_object('id', p.id, 'jheUserId', p.jhe_user_id,
                   'identifiers', jhe_patient_identifiers_json(p.id),
                   'nameFamily', p.name_family, 'nameGiven', p.name_given,
                   'birthDate', to_char(p.birth_date, 'YYYY-MM-DD'),
                   'telecomPhone', p.telecom_phone, 'telecomEmail', u.email,
                   'organizations', jhe_patient_organizations_json(p.id))
            FROM patient p LEFT JOIN jhe_user u ON u.id = p.jhe_user_id
           WHERE p.id = pid);
END
$$;

-- currentUserRole of an organization for the caller (admin-api.md §3): 'super_user' for a
-- superuser, else the caller's role in exactly this organization, else NULL.
CREATE OR REPLACE FUNCTION jhe_org_role(p_user_id bigint, p_organization_id bigint) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT CASE WHEN jhe_is_superuser(p_user_id) THEN 'super_user'
        ELSE (SELECT m.role FROM jhe_member_orgs(p_user_id) m
               WHERE m.organization_id = p_organization_id) END);
END
$$;

-- Organization with the caller's role.
CREATE OR REPLACE FUNCTION jhe_org_json_for(p_user_id bigint, p_organization_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT jhe_org_json(o, jhe_org_role(p_user_id, o.id)) FROM organization o
   WHERE o.id = p_organization_id
$$;

-- organizations/{id}/tree: the organization with its visible subtree nested in children.
CREATE OR REPLACE FUNCTION jhe_org_tree_json(p_user_id bigint, p_organization_id bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  o organization;
  kids json;
BEGIN
  SELECT * INTO o FROM organization WHERE id = p_organization_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT COALESCE(json_agg(jhe_org_tree_json(p_user_id, c.id) ORDER BY c.name, c.id), '[]'::json)
    INTO kids
    FROM organization c
   WHERE c.part_of_id = p_organization_id AND c.id <> 0
     AND c.id IN (SELECT v.organization_id FROM jhe_visible_org_ids(p_user_id) v);
  RETURN json_build_object('id', o.id, 'name', o.name, 'type', o.type, 'partOf', o.part_of_id,
                           'currentUserRole', jhe_org_role(p_user_id, o.id), 'children', kids);
END $$;

-- NestedOrganization (join-row responses).
CREATE OR REPLACE FUNCTION jhe_nested_org_json(p_organization_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', o.id, 'name', o.name, 'type', o.type,
                           'lastUpdated', jhe_rfc3339(o.last_updated), 'partOf', o.part_of_id)
    FROM organization o WHERE o.id = p_organization_id
$$;

-- The organizations of a practitioner's memberships (nested: currentUserRole null), by name, id.
CREATE OR REPLACE FUNCTION jhe_practitioner_organizations_json(p_practitioner_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(json_agg(jhe_org_json(o, NULL) ORDER BY o.name, o.id), '[]'::json)
    FROM practitioner_organization po JOIN organization o ON o.id = po.organization_id
   WHERE po.practitioner_id = p_practitioner_id
$$;

-- Practitioner (admin-api.md §3).
CREATE OR REPLACE FUNCTION jhe_practitioner_json(p_practitioner_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', pr.id, 'jheUserId', pr.jhe_user_id, 'nameFamily', pr.name_family,
           'nameGiven', pr.name_given, 'telecomEmail', u.email,
           'organizations', jhe_practitioner_organizations_json(pr.id))
    FROM practitioner pr JOIN jhe_user u ON u.id = pr.jhe_user_id
   WHERE pr.id = p_practitioner_id
$$;

-- NestedPractitioner (membership responses).
CREATE OR REPLACE FUNCTION jhe_nested_practitioner_json(p_practitioner_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', pr.id, 'identifier', pr.identifier, 'nameFamily', pr.name_family,
           'nameGiven', pr.name_given, 'lastUpdated', jhe_rfc3339(pr.last_updated),
           'settings', COALESCE(jhe_camel_keys(pr.settings), '{}'::jsonb),
           'jheUser', pr.jhe_user_id,
           'organizations', COALESCE((SELECT json_agg(po.organization_id ORDER BY po.organization_id)
                                        FROM practitioner_organization po
                                       WHERE po.practitioner_id = pr.id), '[]'::json))
    FROM practitioner pr WHERE pr.id = p_practitioner_id
$$;

-- JheUser (admin-api.md §3): patient is the full Patient or null.
CREATE OR REPLACE FUNCTION jhe_user_json(p_user_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', u.id, 'email', u.email, 'firstName', u.first_name,
           'lastName', u.last_name,
           'patient', (SELECT jhe_patient_json(pa.id) FROM patient pa WHERE pa.jhe_user_id = u.id),
           'userType', u.user_type, 'isSuperuser', u.is_superuser)
    FROM jhe_user u WHERE u.id = p_user_id
$$;

-- A membership row: {"id","organization": NestedOrganization,"practitioner": NestedPractitioner,"role"}.
CREATE OR REPLACE FUNCTION jhe_membership_json(p_membership_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', po.id, 'organization', jhe_nested_org_json(po.organization_id),
           'practitioner', jhe_nested_practitioner_json(po.practitioner_id), 'role', po.role)
    FROM practitioner_organization po WHERE po.id = p_membership_id
$$;

-- CodeableConcept.
CREATE OR REPLACE FUNCTION jhe_codeable_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', c.id, 'codingSystem', c.coding_system,
                           'codingCode', c.coding_code, 'text', c.text)
    FROM codeable_concept c WHERE c.id = p_id
$$;

-- DataSource with supportedScopes ordered by text, id.
CREATE OR REPLACE FUNCTION jhe_data_source_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', d.id, 'name', d.name, 'type', d.type,
           'supportedScopes', COALESCE((SELECT json_agg(jhe_codeable_json(c.id) ORDER BY c.text, c.id)
                                          FROM data_source_supported_scope s
                                          JOIN codeable_concept c ON c.id = s.scope_code_id
                                         WHERE s.data_source_id = d.id), '[]'::json))
    FROM data_source d WHERE d.id = p_id
$$;

-- NestedDataSource.
CREATE OR REPLACE FUNCTION jhe_nested_data_source_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', d.id, 'name', d.name, 'type', d.type,
                           'lastUpdated', jhe_rfc3339(d.last_updated))
    FROM data_source d WHERE d.id = p_id
$$;

-- Study (reads): organization is an OrganizationBrief.
CREATE OR REPLACE FUNCTION jhe_study_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', s.id, 'name', s.name, 'description', s.description,
           'organization', json_build_object('id', o.id, 'name', o.name, 'type', o.type),
           'iconUrl', s.icon_url)
    FROM study s JOIN organization o ON o.id = s.organization_id WHERE s.id = p_id
$$;

-- StudyWrite: organization is the id.
CREATE OR REPLACE FUNCTION jhe_study_write_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', s.id, 'name', s.name, 'description', s.description,
           'organization', s.organization_id, 'iconUrl', s.icon_url)
    FROM study s WHERE s.id = p_id
$$;

-- NestedStudy.
CREATE OR REPLACE FUNCTION jhe_nested_study_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', s.id, 'name', s.name, 'description', s.description,
           'iconUrl', s.icon_url, 'lastUpdated', jhe_rfc3339(s.last_updated),
           'organization', s.organization_id)
    FROM study s WHERE s.id = p_id
$$;

-- NestedClient (study clients): redirectUris is the space-separated string; no secret.
CREATE OR REPLACE FUNCTION jhe_nested_client_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', a.id, 'client_id', a.client_id, 'name', a.name,
           'clientType', a.client_type, 'authorizationGrantType', a.authorization_grant_type,
           'redirectUris', a.redirect_uris, 'skipAuthorization', a.skip_authorization,
           'created', jhe_rfc3339(a.created), 'updated', jhe_rfc3339(a.updated),
           'algorithm', a.algorithm)
    FROM oauth_application a WHERE a.id = p_id
$$;

-- Client (patient client, admin-api.md §3): clientId camelCase.
CREATE OR REPLACE FUNCTION jhe_client_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', a.id, 'name', a.name, 'clientId', a.client_id,
                           'invitationUrl', c.invitation_url)
    FROM oauth_application a JOIN jhe_client c ON c.application_id = a.id WHERE a.id = p_id
$$;

-- Application (oauth_applications, §13.1): grantType with underscores, redirectUris an array.
CREATE OR REPLACE FUNCTION jhe_application_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', a.id, 'name', a.name, 'clientId', a.client_id,
           'clientType', a.client_type,
           'grantType', replace(a.authorization_grant_type, '-', '_'),
           'redirectUris', COALESCE((SELECT json_agg(x ORDER BY n)
                                       FROM regexp_split_to_table(btrim(a.redirect_uris), '\s+')
                                            WITH ORDINALITY AS t(x, n) WHERE x <> ''), '[]'::json),
           'created', jhe_rfc3339(a.created), 'updated', jhe_rfc3339(a.updated))
    FROM oauth_application a WHERE a.id = p_id
$$;

-- Setting (§15): resolvedValue typed; json values as stored (not re-cased).
CREATE OR REPLACE FUNCTION jhe_setting_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', s.id, 'key', s.key, 'valueType', s.value_type,
           'resolvedValue', CASE s.value_type
               WHEN 'string' THEN to_json(s.value_string)
               WHEN 'int' THEN to_json(s.value_int)
               WHEN 'bool' THEN to_json(s.value_bool)
               WHEN 'float' THEN to_json(s.value_float)
               ELSE s.value_json::json END,
           'lastUpdated', jhe_rfc3339(s.last_updated))
    FROM jhe_setting s WHERE s.id = p_id
$$;

-- AuditEvent (§16): detail emitted as stored.
CREATE OR REPLACE FUNCTION jhe_audit_json(e audit_event) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', e.id, 'time', jhe_rfc3339(e.time), 'userId', e.user_id,
           'oauthClientId', e.oauth_client_id, 'action', e.action,
           'resourceType', e.resource_type, 'resourceId', e.resource_id,
           'patientId', e.patient_id, 'outcome', e.outcome,
           'sourceAddress', host(e.source_address), 'requestId', e.request_id,
           'method', e.method, 'path', e.path, 'detail', e.detail)
$$;
