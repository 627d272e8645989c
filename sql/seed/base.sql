-- seed/base.sql: the demonstration rows of the base seed of seed.md §2-§12, after
-- seed/reference.sql (settings, scopes, data sources, the console client) and before
-- seed/sequences.sql (same ids, names, memberships, consents and
-- observations as the reference seed, plus mary@example.com and fixed client_ids).
--
-- Run by `jhe-admin seed` in ONE transaction, as the owner role (setval on the identity
-- sequences needs the owner or UPDATE on them), right after:
--     SELECT set_config('jhe.seed_password_hash', $1, true),   -- Argon2id hash of Jhe1234!
--            set_config('jhe.site_url', $2, true);              -- JHE_SITE_URL
-- The file holds plain SQL only (no psql meta-commands), so it can be sent as one
-- simple-protocol query string.
--
-- "Seed time" is the transaction start time now(). Explicit ids are inserted everywhere and
-- the identity sequences are moved past them at the end, so that the next ids are those of
-- seed.md §2 (e.g. jhe_user 10013, patient_invitation 101, link tables max+1).

-- ---------------------------------------------------------------------------------------
-- Preconditions
-- ---------------------------------------------------------------------------------------
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM jhe_user) OR EXISTS (SELECT 1 FROM organization WHERE id <> 0) THEN
        RAISE EXCEPTION 'seed: database is not empty (use --flush-db)';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM organization WHERE id = 0) THEN
        RAISE EXCEPTION 'seed: the ROOT organization (id 0) is missing; run jhe-admin migrate';
    END IF;
    IF coalesce(current_setting('jhe.seed_password_hash', true), '') = '' THEN
        RAISE EXCEPTION 'seed: jhe.seed_password_hash is not set';
    END IF;
    IF coalesce(current_setting('jhe.site_url', true), '') = '' THEN
        RAISE EXCEPTION 'seed: jhe.site_url is not set';
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------------
-- §6 OAuth clients: public, authorization-code, no secret, no owner
-- ---------------------------------------------------------------------------------------
INSERT INTO oauth_application (id, client_id, name, client_type, authorization_grant_type,
                               redirect_uris, client_secret_digest, user_id, skip_authorization,
                               algorithm, created, updated) VALUES
    (1, 'carex',          'CareX',          'public', 'authorization-code',
        rtrim(current_setting('jhe.site_url'), '/') || '/auth/callback', NULL, NULL, true, 'RS256', now(), now()),
    (2, 'commonhealth',   'CommonHealth',   'public', 'authorization-code',
        rtrim(current_setting('jhe.site_url'), '/') || '/auth/callback', NULL, NULL, true, 'RS256', now(), now()),
    (3, 'patient-access', 'Patient Access', 'public', 'authorization-code',
        rtrim(current_setting('jhe.site_url'), '/') || '/auth/callback', NULL, NULL, true, 'RS256', now(), now());
-- (4 jhe-admin-ui, the console's client, is reference data: seed/reference.sql)

INSERT INTO jhe_client (id, application_id, invitation_url, aux_data) VALUES
    (1, 1, 'https://carex.ai/invitation/CODE', NULL),
    (2, 2, 'https://commonhealth.tcp.org?invitation=CODE', NULL),
    (3, 3, 'http://localhost:8001/clients/patient-access/?code=CODE',
        jsonb_build_object(
            'client_id', '77849e74-8e2a-4c2f-826c-bdbef6da3357',
            'scopes', 'openid profile launch/patient patient/Patient.read patient/Observation.read '
                   || 'patient/Condition.read patient/MedicationRequest.read '
                   || 'patient/MedicationDispense.read patient/AllergyIntolerance.read '
                   || 'patient/Immunization.read patient/Procedure.read '
                   || 'patient/DiagnosticReport.read patient/DocumentReference.read '
                   || 'patient/Encounter.read patient/CarePlan.read patient/CareTeam.read '
                   || 'patient/Goal.read patient/ServiceRequest.read patient/Device.read '
                   || 'patient/QuestionnaireResponse.read'));

INSERT INTO client_data_source (id, client_id, data_source_id) VALUES
    (1, 1, 70001),   -- CareX: CareX
    (2, 1, 70005),   -- CareX: Questionnaire
    (3, 2, 70002),   -- CommonHealth: Dexcom
    (4, 2, 70003);   -- CommonHealth: iHealth

-- ---------------------------------------------------------------------------------------
-- §7 Organizations (ROOT 0 comes from the migration)
-- ---------------------------------------------------------------------------------------
INSERT INTO organization (id, name, type, part_of_id, last_updated) VALUES
    (20001, 'Planetary Research Institute',  'edu',        0,     now()),
    (20002, 'Saturn School of Data Science', 'team',       20001, now()),
    (20003, 'Lifespan Lab',                  'laboratory', 20002, now()),
    (20004, 'Neptune Health System',         'prov',       0,     now()),
    (20005, 'Department of Medicine',        'dept',       20004, now()),
    (20006, 'Cardiology Division',           'dept',       20005, now()),
    (20007, 'Neptunian Pulse Lab',           'laboratory', 20006, now()),
    (20008, 'Cosmic Cardio Lab',             'laboratory', 20006, now());

-- ---------------------------------------------------------------------------------------
-- §8 Users (every password: the Argon2id hash of Jhe1234! given by the seed command)
-- ---------------------------------------------------------------------------------------
INSERT INTO jhe_user (id, email, password, first_name, last_name, user_type, is_superuser,
                      is_active, email_is_verified, identifier, date_joined, last_login) VALUES
    (10001, 'admin@example.com',                  current_setting('jhe.seed_password_hash'), '',                    '',         'practitioner', true,  true, false, '',         now(), NULL),
    (10002, 'manager_mary@example.com',           current_setting('jhe.seed_password_hash'), 'ManagerMary',         'Jones',    'practitioner', false, true, false, 'fhir-222', now(), NULL),
    (10003, 'member_megan@example.com',           current_setting('jhe.seed_password_hash'), 'MemberMegan',         'Garcia',   'practitioner', false, true, false, 'fhir-333', now(), NULL),
    (10004, 'viewer_victor@example.com',          current_setting('jhe.seed_password_hash'), 'ViewerVictor',        'Miller',   'practitioner', false, true, false, 'fhir-444', now(), NULL),
    (10005, 'three_org_tom@example.com',          current_setting('jhe.seed_password_hash'), 'ThreeOrgTom',         'Davis',    'practitioner', false, true, false, 'fhir-555', now(), NULL),
    (10006, 'll_patient_peter@example.com',       current_setting('jhe.seed_password_hash'), 'LlPatientPeter',      'Smith',    'patient',      false, true, false, 'fhir-666', now(), NULL),
    (10007, 'll_patient_pamela@example.com',      current_setting('jhe.seed_password_hash'), 'LlPatientPamela',     'Johnson',  'patient',      false, true, false, 'fhir-777', now(), NULL),
    (10008, 'manager_mark@example.com',           current_setting('jhe.seed_password_hash'), 'ManagerMark',         'Brown',    'practitioner', false, true, false, 'fhir-888', now(), NULL),
    (10009, 'npl_patient_percy@example.com',      current_setting('jhe.seed_password_hash'), 'NplPatientPercy',     'Wilson',   'patient',      false, true, false, 'fhir-999', now(), NULL),
    (10010, 'ccl_patient_paul@example.com',       current_setting('jhe.seed_password_hash'), 'CclPatientPaul',      'Taylor',   'patient',      false, true, false, 'fhir-000', now(), NULL),
    (10011, 'ccl_cardio_patient_pat@example.com', current_setting('jhe.seed_password_hash'), 'CclCardioPatientPat', 'Anderson', 'patient',      false, true, false, 'fhir-111', now(), NULL),
    (10012, 'mary@example.com',                   current_setting('jhe.seed_password_hash'), 'Mary',                'Jones',    'practitioner', false, true, false, '',         now(), NULL);

-- Practitioner rows: names copied from the user, own identifier '', sticky settings (§8.3).
INSERT INTO practitioner (id, jhe_user_id, identifier, name_family, name_given, settings, last_updated) VALUES
    (80001, 10001, '', '',      '',             '{}', now()),
    (80002, 10002, '', 'Jones',  'ManagerMary',  '{"current_organization_id": 20003, "current_study_id": 30001}', now()),
    (80003, 10003, '', 'Garcia', 'MemberMegan',  '{"current_organization_id": 20003, "current_study_id": 30001}', now()),
    (80004, 10004, '', 'Miller', 'ViewerVictor', '{"current_organization_id": 20003, "current_study_id": 30001}', now()),
    (80005, 10005, '', 'Davis',  'ThreeOrgTom',  '{"current_organization_id": 20008, "current_study_id": 30005}', now()),
    (80006, 10008, '', 'Brown',  'ManagerMark',  '{"current_organization_id": 20007, "current_study_id": 30004}', now()),
    (80007, 10012, '', 'Jones',  'Mary',         '{"current_organization_id": 20003, "current_study_id": 30001}', now());

-- §8.1 Patients
INSERT INTO patient (id, jhe_user_id, name_family, name_given, birth_date, telecom_phone, last_updated) VALUES
    (40001, 10006, 'Smith',    'LlPatientPeter',      '1987-04-12', '+1-555-010-0006', now()),
    (40002, 10007, 'Johnson',  'LlPatientPamela',     '1991-09-23', '+1-555-010-0007', now()),
    (40003, 10009, 'Wilson',   'NplPatientPercy',     '1984-02-05', '+1-555-010-0009', now()),
    (40004, 10010, 'Taylor',   'CclPatientPaul',      '1996-11-30', '+1-555-010-0010', now()),
    (40005, 10011, 'Anderson', 'CclCardioPatientPat', '1989-07-17', '+1-555-010-0011', now());

INSERT INTO patient_organization (id, patient_id, organization_id) VALUES
    (1, 40001, 20003),
    (2, 40002, 20003),
    (3, 40003, 20007),
    (4, 40004, 20008),
    (5, 40005, 20006),
    (6, 40005, 20008);

INSERT INTO patient_identifier (id, patient_id, system, value) VALUES
    (1, 40001, 'https://openwearables.io/ns/patient-id', 'abc123'),
    (2, 40001, 'urn:oid:1.2.3.4',                        'E1234');

-- §8.2 Memberships (ids in creation order)
INSERT INTO practitioner_organization (id, practitioner_id, organization_id, role) VALUES
    (1,  80002, 20001, 'manager'),
    (2,  80002, 20002, 'manager'),
    (3,  80002, 20003, 'manager'),
    (4,  80003, 20003, 'member'),
    (5,  80004, 20003, 'viewer'),
    (6,  80005, 20003, 'viewer'),
    (7,  80006, 20004, 'manager'),
    (8,  80006, 20005, 'manager'),
    (9,  80006, 20006, 'manager'),
    (10, 80006, 20007, 'manager'),
    (11, 80005, 20007, 'member'),
    (12, 80005, 20008, 'manager'),
    (13, 80007, 20001, 'manager'),
    (14, 80007, 20002, 'manager'),
    (15, 80007, 20003, 'manager');

-- ---------------------------------------------------------------------------------------
-- §9 Studies and their link rows (link ids in the reference's creation order)
-- ---------------------------------------------------------------------------------------
INSERT INTO study (id, name, description, organization_id, icon_url, last_updated) VALUES
    (30001, 'Lifespan Study on BP & HR',     'Blood Pressure & Heart Rate', 20003, NULL, now()),
    (30002, 'Lifespan Study on BP',          'Blood Pressure',              20003, NULL, now()),
    (30003, 'Cardiology Div Study on BGL',   'Blood Glucose',               20006, NULL, now()),
    (30004, 'Nep Pulse Lab Study on BT',     'Body Temperature',            20007, NULL, now()),
    (30005, 'Cosmic Cardio Lab Study on O2', 'Oxygen Saturation',           20008, NULL, now());

INSERT INTO study_scope_request (id, study_id, scope_code_id, scope_actions) VALUES
    (1, 30001, 50002, 'rs'),   -- BP
    (2, 30001, 50004, 'rs'),   -- HR
    (3, 30001, 50011, 'rs'),   -- QR
    (4, 30002, 50002, 'rs'),   -- BP
    (5, 30002, 50011, 'rs'),   -- QR
    (6, 30003, 50001, 'rs'),   -- BG
    (7, 30004, 50003, 'rs'),   -- BT
    (8, 30005, 50005, 'rs');   -- O2

INSERT INTO study_data_source (id, study_id, data_source_id) VALUES
    (1, 30001, 70001),   -- CareX
    (2, 30001, 70005),   -- Questionnaire
    (3, 30002, 70001),   -- CareX
    (4, 30002, 70005),   -- Questionnaire
    (5, 30004, 70003),   -- iHealth
    (6, 30003, 70002);   -- Dexcom

INSERT INTO study_client (id, study_id, client_id) VALUES
    (1, 30001, 1),   -- CareX
    (2, 30002, 1),   -- CareX
    (3, 30001, 3),   -- Patient Access
    (4, 30004, 2),   -- CommonHealth
    (5, 30003, 2);   -- CommonHealth

-- ---------------------------------------------------------------------------------------
-- §10 Enrolments and consents (all consented = true, 'rs', at seed time)
-- ---------------------------------------------------------------------------------------
INSERT INTO study_patient (id, study_id, patient_id) VALUES
    (1, 30001, 40001),   -- Peter
    (2, 30002, 40001),   -- Peter: pending for BP and QR (no consent rows)
    (3, 30001, 40002),   -- Pamela
    (4, 30002, 40002),   -- Pamela
    (5, 30004, 40003),   -- Percy
    (6, 30005, 40004),   -- Paul
    (7, 30003, 40005),   -- Pat
    (8, 30005, 40005);   -- Pat

INSERT INTO study_patient_scope_consent (id, study_patient_id, scope_code_id, scope_actions,
                                         consented, consented_time) VALUES
    (1,  1, 50002, 'rs', true, now()),   -- Peter 30001 BP
    (2,  1, 50004, 'rs', true, now()),   -- Peter 30001 HR
    (3,  1, 50011, 'rs', true, now()),   -- Peter 30001 QR
    (4,  3, 50002, 'rs', true, now()),   -- Pamela 30001 BP
    (5,  3, 50004, 'rs', true, now()),   -- Pamela 30001 HR
    (6,  3, 50011, 'rs', true, now()),   -- Pamela 30001 QR
    (7,  4, 50002, 'rs', true, now()),   -- Pamela 30002 BP
    (8,  4, 50011, 'rs', true, now()),   -- Pamela 30002 QR
    (9,  5, 50003, 'rs', true, now()),   -- Percy 30004 BT
    (10, 6, 50005, 'rs', true, now()),   -- Paul 30005 O2
    (11, 7, 50001, 'rs', true, now()),   -- Pat 30003 BG
    (12, 8, 50005, 'rs', true, now());   -- Pat 30005 O2

-- ---------------------------------------------------------------------------------------
-- §11 Observations: one per consent row whose scope is not a FHIR resource type, in
-- consent-id order. OMH data point built from the project's template; times are the seed
-- time (whole seconds, UTC, written with +00:00) and seed time + 1 h for the effective
-- time, which is also stored in effective_date_time (periods NULL).
-- ---------------------------------------------------------------------------------------
INSERT INTO observation (id, subject_patient_id, codeable_concept_id, data_source_id, omh_data,
                         status, version_id, last_updated, effective_date_time,
                         effective_period_start, effective_period_end)
SELECT m.id, m.patient_id, m.concept_id, NULL,
       jsonb_build_object(
           'header', jsonb_build_object(
               'uuid', gen_random_uuid()::text,
               'schema_id', jsonb_build_object(
                   'name',      split_part(cc.coding_code, ':', 2),
                   'version',   split_part(cc.coding_code, ':', 3),
                   'namespace', split_part(cc.coding_code, ':', 1)),
               'source_creation_date_time',
                   to_char(date_trunc('second', now()) AT TIME ZONE 'UTC',
                           'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
               'modality', 'sensed',
               'external_datasheets', jsonb_build_array(jsonb_build_object(
                   'datasheet_type', 'manufacturer',
                   'datasheet_reference', 'iHealth'))),
           'body', m.measurement || jsonb_build_object(
               'effective_time_frame', jsonb_build_object(
                   'date_time',
                   to_char((date_trunc('second', now()) + interval '1 hour') AT TIME ZONE 'UTC',
                           'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')))),
       'final', 1, now(),
       date_trunc('second', now()) + interval '1 hour', NULL, NULL
FROM (VALUES
    (60001, 40001, 50002, '{"systolic_blood_pressure": {"value": 115, "unit": "mmHg"}, "diastolic_blood_pressure": {"value": 60, "unit": "mmHg"}}'::jsonb),
    (60002, 40001, 50004, '{"heart_rate": {"value": 67.5, "unit": "beats/min"}}'::jsonb),
    (60003, 40002, 50002, '{"systolic_blood_pressure": {"value": 115, "unit": "mmHg"}, "diastolic_blood_pressure": {"value": 60, "unit": "mmHg"}}'::jsonb),
    (60004, 40002, 50004, '{"heart_rate": {"value": 67.5, "unit": "beats/min"}}'::jsonb),
    (60005, 40002, 50002, '{"systolic_blood_pressure": {"value": 115, "unit": "mmHg"}, "diastolic_blood_pressure": {"value": 60, "unit": "mmHg"}}'::jsonb),
    (60006, 40003, 50003, '{"body_temperature": {"value": 98, "unit": "F"}, "measurement_location": "forehead"}'::jsonb),
    (60007, 40004, 50005, '{"oxygen_saturation": {"value": 97, "unit": "%"}}'::jsonb),
    (60008, 40005, 50001, '{"blood_glucose": {"value": 129, "unit": "mg/dL"}}'::jsonb),
    (60009, 40005, 50005, '{"oxygen_saturation": {"value": 98, "unit": "%"}}'::jsonb)
) AS m (id, patient_id, concept_id, measurement)
JOIN codeable_concept cc ON cc.id = m.concept_id
ORDER BY m.id;

