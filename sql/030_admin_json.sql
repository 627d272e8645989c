-- 030_admin_json.sql: JSON builders of the Admin API (users, organizations, practitioners, studies, clients, settings) (admin-api.md §3-§6, §10, §12,
-- §13, §15, §16). One definition per object shape so that every endpoint emits the same keys
-- in the same order. Builders take ids (or rows) and return json; callers json_agg them.
-- Shared with part B: jhe_time_json, jhe_nested_study_json, jhe_nested_org_json,
-- jhe_codeable_json, jhe_data_source_json, jhe_nested_client_json, jhe_study_json.

-- Datetime output of conventions.md §5: UTC, Z suffix, 6-digit fraction only when not zero.
CREATE OR REPLACE FUNCTION jhe_time_json(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN t IS NULL THEN NULL
    ELSE to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
         || CASE WHEN to_char(t AT TIME ZONE 'UTC', 'US') = '000000' THEN ''
                 ELSE '.' || to_char(t AT TIME ZONE 'UTC', 'US') END
         || 'Z' END
$$;

-- currentUserRole of an organization for the caller (admin-api.md §3): 'super_user' for a
-- superuser, else the caller's role in exactly this organization, else NULL.
CREATE OR REPLACE FUNCTION jhe_org_role(p_user_id bigint, p_organization_id bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jhe_is_superuser(p_user_id) THEN 'super_user'
    ELSE (SELECT m.role FROM jhe_member_orgs(p_user_id) m
           WHERE m.organization_id = p_organization_id) END
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
                           'lastUpdated', jhe_time_json(o.last_updated), 'partOf', o.part_of_id)
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
           'nameGiven', pr.name_given, 'lastUpdated', jhe_time_json(pr.last_updated),
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
                           'lastUpdated', jhe_time_json(d.last_updated))
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
           'iconUrl', s.icon_url, 'lastUpdated', jhe_time_json(s.last_updated),
           'organization', s.organization_id)
    FROM study s WHERE s.id = p_id
$$;

-- NestedClient (study clients): redirectUris is the space-separated string; no secret.
CREATE OR REPLACE FUNCTION jhe_nested_client_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', a.id, 'client_id', a.client_id, 'name', a.name,
           'clientType', a.client_type, 'authorizationGrantType', a.authorization_grant_type,
           'redirectUris', a.redirect_uris, 'skipAuthorization', a.skip_authorization,
           'created', jhe_time_json(a.created), 'updated', jhe_time_json(a.updated),
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
           'created', jhe_time_json(a.created), 'updated', jhe_time_json(a.updated))
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
           'lastUpdated', jhe_time_json(s.last_updated))
    FROM jhe_setting s WHERE s.id = p_id
$$;

-- AuditEvent (§16): detail emitted as stored.
CREATE OR REPLACE FUNCTION jhe_audit_json(e audit_event) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', e.id, 'time', jhe_time_json(e.time), 'userId', e.user_id,
           'oauthClientId', e.oauth_client_id, 'action', e.action,
           'resourceType', e.resource_type, 'resourceId', e.resource_id,
           'patientId', e.patient_id, 'outcome', e.outcome,
           'sourceAddress', host(e.source_address), 'requestId', e.request_id,
           'method', e.method, 'path', e.path, 'detail', e.detail)
$$;
