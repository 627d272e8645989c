-- sql/functions/90_retired.sql: functions that earlier versions defined and no statement calls
-- any more (renamed, or folded into one definition). Dropped here, after the files above
-- created what replaces them, so that a database migrated by an older version ends with the
-- same functions as a fresh install. Re-applied by every `jhe-admin migrate` (sql/README.md).

-- the four timestamp formatters, now jhe_rfc3339 (10_time.sql)
DROP FUNCTION IF EXISTS jhe_time_json(timestamptz);
DROP FUNCTION IF EXISTS jhe_auth_ts(timestamptz);
DROP FUNCTION IF EXISTS jhe_fhir_ts(timestamptz);
DROP FUNCTION IF EXISTS jhe_pb_time(timestamptz);
-- copies of jhe_codeable_json, jhe_data_source_json and jhe_nested_study_json (30_admin_json.sql)
DROP FUNCTION IF EXISTS jhe_pb_cc_json(bigint);
DROP FUNCTION IF EXISTS jhe_pb_data_source_json(bigint);
DROP FUNCTION IF EXISTS jhe_pb_nested_study_json(bigint);
-- the patient-data builders under their work-plan prefix (40_patient_data_json.sql: jhe_...)
DROP FUNCTION IF EXISTS jhe_pb_study_data_sources_json(bigint);
DROP FUNCTION IF EXISTS jhe_pb_nested_patient_json(bigint);
DROP FUNCTION IF EXISTS jhe_pb_observation_json(bigint);
DROP FUNCTION IF EXISTS jhe_pb_invitation_json(bigint);
DROP FUNCTION IF EXISTS jhe_pb_consent_row_json(bigint);
DROP FUNCTION IF EXISTS jhe_pb_consents_json(bigint, bigint, boolean);
