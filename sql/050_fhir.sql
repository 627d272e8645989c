-- 050_fhir.sql: support for the FHIR R5 API (fhir.md): the keyset index of the default
-- Observation order. (The functions this migration first created are defined in
-- sql/functions/50_fhir.sql and sql/functions/10_time.sql, re-applied by every migrate.)

-- Default FHIR order is _lastUpdated descending per (patient, code) pair: the LATERAL form of the
-- search (sql/functions/20_access.sql header) walks this index backwards and reads at most one page per pair.
CREATE INDEX observation_patient_code_last_updated_idx
    ON observation (subject_patient_id, codeable_concept_id, last_updated, id);
