-- sql/functions/50_fhir.sql: support of the FHIR R5 API (fhir.md): the visibility key sets with
-- the study / organization filters and the JSON of the read-only projections (Patient, Group,
-- Device, Organization, Practitioner). The Observation resource itself is written in C from the
-- row. The keyset index of the default Observation order is in sql/050_fhir.sql. Re-applied by
-- every `jhe-admin migrate` (sql/README.md).

-- jhe_fhir_observation_keys(user, studies, orgs, self_only)
--   -> TABLE(patient_id, codeable_concept_id)
-- The (patient, code) pairs whose observations a FHIR Observation search may return (fhir.md
-- §8.1, §5.7), possibly with duplicates (use in a semi-join or with DISTINCT):
--   * practitioner part (skipped when self_only, i.e. a patient/ SMART compartment): the
--     consent rule (jhe_consented_scopes), restricted to the studies p_studies (study filter)
--     and/or to studies of the organizations p_orgs whose patient belongs to that organization
--     (patient.organization);
--   * self part: without filters the caller's own patient with every code; with a study or
--     organization filter only the pairs made visible through those studies (enrolled,
--     requested, consented), so that a filter naming a study the patient is not in gives nothing.
-- NULL arrays mean "no filter". One SELECT: inlined by the planner.
CREATE OR REPLACE FUNCTION jhe_fhir_observation_keys(p_user_id bigint, p_studies bigint[], p_orgs bigint[],
                                          p_self_only boolean)
RETURNS TABLE (patient_id bigint, codeable_concept_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT v.patient_id, v.codeable_concept_id
    FROM jhe_consented_scopes(p_user_id) v
    WHERE NOT p_self_only
      AND (p_studies IS NULL OR v.study_id = ANY (p_studies))
      AND (p_orgs IS NULL OR (v.organization_id = ANY (p_orgs)
           AND EXISTS (SELECT 1 FROM patient_organization po
                       WHERE po.patient_id = v.patient_id AND po.organization_id = v.organization_id)))
    UNION ALL
    SELECT p.id, cc.id
    FROM patient p CROSS JOIN codeable_concept cc
    WHERE p.jhe_user_id = p_user_id AND p_studies IS NULL AND p_orgs IS NULL
    UNION ALL
    SELECT sp.patient_id, c.scope_code_id
    FROM patient p
    JOIN study_patient sp ON sp.patient_id = p.id
    JOIN study s ON s.id = sp.study_id
    JOIN study_patient_scope_consent c ON c.study_patient_id = sp.id AND c.consented
    JOIN study_scope_request r ON r.study_id = s.id AND r.scope_code_id = c.scope_code_id
    WHERE p.jhe_user_id = p_user_id
      AND (p_studies IS NOT NULL OR p_orgs IS NOT NULL)
      AND (p_studies IS NULL OR s.id = ANY (p_studies))
      AND (p_orgs IS NULL OR (s.organization_id = ANY (p_orgs)
           AND EXISTS (SELECT 1 FROM patient_organization po
                       WHERE po.patient_id = p.id AND po.organization_id = s.organization_id)))
$$;

-- ---------------------------------------------------------------------------------------
-- Read-only projections (fhir.md §7). Empty elements are omitted (json_strip_nulls).
-- ---------------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION jhe_fhir_meta(t timestamptz) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('lastUpdated', jhe_rfc3339(t), 'source', 'https://jupyterhealth.org/jhe')
$$;

CREATE OR REPLACE FUNCTION jhe_fhir_patient_json(p patient) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_strip_nulls(json_build_object(
        'resourceType', 'Patient',
        'id', p.id::text,
        'meta', jhe_fhir_meta(p.last_updated),
        'identifier', (SELECT json_agg(json_build_object('system', i.system, 'value', i.value) ORDER BY i.id)
                       FROM patient_identifier i WHERE i.patient_id = p.id),
        'name', CASE WHEN COALESCE(p.name_family, '') = '' AND COALESCE(p.name_given, '') = '' THEN NULL
                     ELSE json_build_array(json_build_object(
                         'family', NULLIF(p.name_family, ''),
                         'given', CASE WHEN COALESCE(p.name_given, '') <> ''
                                       THEN json_build_array(p.name_given) END)) END,
        'telecom', (SELECT json_agg(t.e ORDER BY t.n) FROM (
                        SELECT 1 AS n, json_build_object('system', 'phone', 'value', p.telecom_phone, 'use', 'mobile') AS e
                        WHERE COALESCE(p.telecom_phone, '') <> ''
                        UNION ALL
                        SELECT 2, json_build_object('system', 'email', 'value', u.email, 'use', 'home')
                        FROM jhe_user u WHERE u.id = p.jhe_user_id AND u.email <> '') t),
        'birthDate', to_char(p.birth_date, 'YYYY-MM-DD')))
$$;

CREATE OR REPLACE FUNCTION jhe_fhir_group_json(s study) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_strip_nulls(json_build_object(
        'resourceType', 'Group',
        'id', s.id::text,
        'meta', jhe_fhir_meta(s.last_updated),
        'name', s.name,
        'description', NULLIF(s.description, ''),
        'type', 'person',
        'membership', 'enumerated',
        'code', json_build_object('coding', json_build_array(json_build_object(
                    'system', 'https://jupyterhealth.org/fhir/CodeSystem/model', 'code', 'study'))),
        'managingEntity', json_build_object('reference', 'Organization/' || s.organization_id)))
$$;

CREATE OR REPLACE FUNCTION jhe_fhir_device_json(d data_source) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object(
        'resourceType', 'Device',
        'id', d.id::text,
        'meta', jhe_fhir_meta(d.last_updated),
        'displayName', d.name,
        'name', json_build_array(json_build_object('value', d.name, 'type', 'user-friendly-name')),
        'type', json_build_array(
            json_build_object('coding', json_build_array(json_build_object(
                'system', 'https://jupyterhealth.org/fhir/CodeSystem/model', 'code', 'data-source'))),
            json_build_object('coding', json_build_array(json_build_object(
                'system', 'https://jupyterhealth.org/fhir/CodeSystem/data-source-type',
                'code', d.type,
                'display', CASE d.type WHEN 'medical_device' THEN 'Medical Device'
                                       WHEN 'personal_device' THEN 'Personal Device'
                                       WHEN 'patient_app' THEN 'Patient App' ELSE d.type END)))))
$$;

CREATE OR REPLACE FUNCTION jhe_fhir_org_type_label(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE t
        WHEN 'root' THEN 'ROOT' WHEN 'prov' THEN 'Healthcare Provider'
        WHEN 'dept' THEN 'Hospital Department' WHEN 'team' THEN 'Organizational team'
        WHEN 'govt' THEN 'Government' WHEN 'ins' THEN 'Insurance Company' WHEN 'pay' THEN 'Payer'
        WHEN 'edu' THEN 'Educational Institute' WHEN 'reli' THEN 'Religious Institution'
        WHEN 'crs' THEN 'Clinical Research Sponsor' WHEN 'cg' THEN 'Community Group'
        WHEN 'bus' THEN 'Non-Healthcare Business or Corporation' WHEN 'other' THEN 'Other'
        WHEN 'laboratory' THEN 'Laboratory' WHEN 'imaging' THEN 'Imaging Center'
        WHEN 'pharmacy' THEN 'Pharmacy' WHEN 'health-information-network' THEN 'Health Information Network'
        WHEN 'health-data-aggregator' THEN 'Health Data Aggregator' ELSE t END
$$;

CREATE OR REPLACE FUNCTION jhe_fhir_organization_json(o organization) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_strip_nulls(json_build_object(
        'resourceType', 'Organization',
        'id', o.id::text,
        'meta', jhe_fhir_meta(o.last_updated),
        'name', o.name,
        'type', json_build_array(
            json_build_object('coding', json_build_array(json_build_object(
                'system', 'https://jupyterhealth.org/fhir/CodeSystem/model', 'code', 'organization'))),
            json_build_object('coding', json_build_array(json_build_object(
                'system', 'https://jupyterhealth.org/fhir/CodeSystem/organization-type',
                'code', o.type, 'display', jhe_fhir_org_type_label(o.type))))),
        'partOf', CASE WHEN o.part_of_id IS NOT NULL
                       THEN json_build_object('reference', 'Organization/' || o.part_of_id) END))
$$;

CREATE OR REPLACE FUNCTION jhe_fhir_practitioner_json(pr practitioner) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_strip_nulls(json_build_object(
        'resourceType', 'Practitioner',
        'id', pr.id::text,
        'meta', jhe_fhir_meta(pr.last_updated),
        'identifier', CASE WHEN COALESCE(pr.identifier, '') <> ''
                           THEN json_build_array(json_build_object('value', pr.identifier)) END,
        'name', CASE WHEN COALESCE(pr.name_family, '') = '' AND COALESCE(pr.name_given, '') = '' THEN NULL
                     ELSE json_build_array(json_build_object(
                         'family', NULLIF(pr.name_family, ''),
                         'given', CASE WHEN COALESCE(pr.name_given, '') <> ''
                                       THEN json_build_array(pr.name_given) END)) END))
$$;
