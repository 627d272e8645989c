-- 060_perf_json.sql: the per-row JSON builders of the hot Admin API lists as PL/pgSQL.
--
-- A LANGUAGE sql function whose body is a SELECT ... FROM (not a bare expression) is not
-- inlined: every execution of the calling statement parses, analyzes and plans its body again
-- (fmgr_sql caches the plan only for the duration of one outer query). In the patient list of
-- an organization that was ~45% of the server's CPU. PL/pgSQL caches the plan of
-- `RETURN (SELECT ...)` for the whole session, so each call only executes it. The bodies are
-- the ones of 010_json.sql and 040_patient_data_json.sql, unchanged (same keys, same order, NULL when
-- the row does not exist). Functions that are a bare expression (jhe_pb_time, jhe_org_json)
-- stay LANGUAGE sql: those are inlined, which is better still. doc/performance.md

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

-- Observation of the Admin API (admin-api.md §11).
CREATE OR REPLACE FUNCTION jhe_pb_observation_json(oid bigint) RETURNS json
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN (SELECT json_build_object('id', o.id, 'subjectPatientId', o.subject_patient_id,
                   'patientNameFamily', p.name_family, 'patientNameGiven', p.name_given,
                   'jheUserId', p.jhe_user_id, 'codeableConceptId', o.codeable_concept_id,
                   'codingSystem', c.coding_system, 'codingCode', c.coding_code,
                   'codingText', c.text, 'dataSourceId', o.data_source_id, 'status', o.status,
                   'lastUpdated', jhe_pb_time(o.last_updated), 'omhData', o.omh_data)
            FROM observation o
            JOIN patient p ON p.id = o.subject_patient_id
            JOIN codeable_concept c ON c.id = o.codeable_concept_id
           WHERE o.id = oid);
END
$$;
