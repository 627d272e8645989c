-- sql/functions/40_patient_data_json.sql: JSON builders of the Admin API on patient data
-- (patients, consents, study enrolments, observations, invitations; admin-api.md §3, §7, §8, §10,
-- §11). One definition per shape so that every endpoint emits the same keys in the same order;
-- the shapes shared with the other endpoints (CodeableConcept, DataSource, NestedStudy) are the
-- builders of 30_admin_json.sql. Re-applied by every `jhe-admin migrate` (sql/README.md).

-- A study's data sources ordered by name, id.
CREATE OR REPLACE FUNCTION jhe_study_data_sources_json(sid bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(json_agg(jhe_data_source_json(d.id) ORDER BY d.name, d.id), '[]'::json)
    FROM study_data_source sd JOIN data_source d ON d.id = sd.data_source_id
   WHERE sd.study_id = sid
$$;

-- NestedPatient (admin-api.md §3, enrolment responses).
CREATE OR REPLACE FUNCTION jhe_nested_patient_json(pid bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', p.id, 'nameFamily', p.name_family, 'nameGiven', p.name_given,
           'birthDate', to_char(p.birth_date, 'YYYY-MM-DD'), 'telecomPhone', p.telecom_phone,
           'lastUpdated', jhe_rfc3339(p.last_updated), 'jheUser', p.jhe_user_id,
           'organizations', COALESCE((SELECT json_agg(po.organization_id ORDER BY po.organization_id)
                                         FROM patient_organization po WHERE po.patient_id = p.id),
                                      '[]'::json))
    FROM patient p WHERE p.id = pid
$$;

-- Observation row of the Admin API (admin-api.md §3, §11); omhData as stored. PL/pgSQL (a hot
-- list builder, see 30_admin_json.sql).
CREATE OR REPLACE FUNCTION jhe_observation_json(oid bigint) RETURNS json
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN (SELECT json_build_object('id', o.id, 'subjectPatientId', o.subject_patient_id,
                   'patientNameFamily', p.name_family, 'patientNameGiven', p.name_given,
                   'jheUserId', p.jhe_user_id, 'codeableConceptId', o.codeable_concept_id,
                   'codingSystem', c.coding_system, 'codingCode', c.coding_code,
                   'codingText', c.text, 'dataSourceId', o.data_source_id, 'status', o.status,
                   'lastUpdated', jhe_rfc3339(o.last_updated), 'omhData', o.omh_data)
            FROM observation o
            JOIN patient p ON p.id = o.subject_patient_id
            JOIN codeable_concept c ON c.id = o.codeable_concept_id
           WHERE o.id = oid);
END
$$;

-- PatientInvitation with token null (admin-api.md §3).
CREATE OR REPLACE FUNCTION jhe_invitation_json(iid bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', i.id, 'patientId', i.patient_id, 'client_id', i.client_id,
                           'tokenHash', i.token_hash, 'token', NULL, 'status', i.status,
                           'lastUpdated', jhe_rfc3339(i.last_updated))
    FROM patient_invitation i WHERE i.id = iid
$$;

-- One consent row of a consent write response (admin-api.md §8.3).
CREATE OR REPLACE FUNCTION jhe_consent_row_json(cid bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', c.id,
           'studyPatient', json_build_object('id', sp.id, 'study', sp.study_id,
                                             'patient', sp.patient_id),
           'scopeCode', jhe_codeable_json(c.scope_code_id), 'consented', c.consented,
           'consentedTime', jhe_rfc3339(c.consented_time))
    FROM study_patient_scope_consent c JOIN study_patient sp ON sp.id = c.study_patient_id
   WHERE c.id = cid
$$;

-- The consents document of GET /patients/{id}/consents (admin-api.md §8.2).
-- p_all: every study of the patient (the patient, or a dual-role user on their own record);
-- otherwise only studies of organizations where p_user_id is a member.
CREATE OR REPLACE FUNCTION jhe_consents_json(p_patient bigint, p_user_id bigint, p_all boolean)
RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH st AS (
    SELECT s.id, s.name, s.description, s.organization_id, sp.id AS sp_id
      FROM study_patient sp JOIN study s ON s.id = sp.study_id
     WHERE sp.patient_id = p_patient
       AND (p_all OR jhe_is_member(p_user_id, s.organization_id))
  ), req AS (
    SELECT st.id AS study_id, r.id AS req_id, r.scope_code_id, c.id AS consent_id,
           c.consented, c.consented_time
      FROM st JOIN study_scope_request r ON r.study_id = st.id
      LEFT JOIN study_patient_scope_consent c
             ON c.study_patient_id = st.sp_id AND c.scope_code_id = r.scope_code_id
  )
  SELECT json_build_object(
    'patient', jhe_patient_json(p_patient),
    'consolidatedConsentedScopes', COALESCE((
       SELECT json_agg(jhe_codeable_json(cc.id) ORDER BY cc.text, cc.id)
         FROM codeable_concept cc
        WHERE cc.id IN (SELECT c.scope_code_id FROM st
                          JOIN study_patient_scope_consent c ON c.study_patient_id = st.sp_id
                         WHERE c.consented)), '[]'::json),
    'studiesPendingConsent', COALESCE((
       SELECT json_agg(json_build_object('id', st.id, 'name', st.name,
                'description', st.description,
                'organization', (SELECT json_build_object('id', o.id, 'name', o.name, 'type', o.type)
                                   FROM organization o WHERE o.id = st.organization_id),
                'dataSources', jhe_study_data_sources_json(st.id),
                'pendingScopeConsents', (
                   SELECT json_agg(json_build_object('code', jhe_codeable_json(req.scope_code_id),
                                                     'consented', NULL, 'consentedTime', NULL)
                                   ORDER BY req.req_id)
                     FROM req WHERE req.study_id = st.id AND req.consent_id IS NULL))
              ORDER BY st.id)
         FROM st
        WHERE EXISTS (SELECT 1 FROM req WHERE req.study_id = st.id AND req.consent_id IS NULL)),
       '[]'::json),
    'studies', COALESCE((
       SELECT json_agg(json_build_object('id', st.id, 'name', st.name,
                'description', st.description,
                'organization', (SELECT json_build_object('id', o.id, 'name', o.name, 'type', o.type)
                                   FROM organization o WHERE o.id = st.organization_id),
                'dataSources', jhe_study_data_sources_json(st.id),
                'scopeConsents', (
                   SELECT json_agg(json_build_object('code', jhe_codeable_json(req.scope_code_id),
                                                     'consented', req.consented,
                                                     'consentedTime', jhe_rfc3339(req.consented_time))
                                   ORDER BY req.req_id)
                     FROM req WHERE req.study_id = st.id AND req.consent_id IS NOT NULL))
              ORDER BY st.id)
         FROM st
        WHERE EXISTS (SELECT 1 FROM req WHERE req.study_id = st.id AND req.consent_id IS NOT NULL)),
       '[]'::json))
$$;
