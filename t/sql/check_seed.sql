-- t/sql/check_seed.sql: checks of the SQL layer on a freshly migrated and seeded database.
--
-- Usage (as the CLUSTER SUPERUSER, connected to the JHE database, after roles.sql,
-- `jhe-admin migrate` and `jhe-admin seed`):
--     psql -X -v ON_ERROR_STOP=1 -d jhe -f t/sql/check_seed.sql
-- Identity sequences are never consumed (test rows carry explicit ids), so the script can
-- run any number of times. Exit status 0 = every check passed; any failed check raises and stops the script (psql
-- exits with status 3). Everything runs inside one transaction that is rolled back at the
-- end, so the database is left as it was (only the audit_event sequence advances).
--
-- Checks: row counts of every table; the next id of every identity (seed.md §2) read from
-- the sequences without consuming them; spot checks of the seeded values; the consent rule
-- examples of seed.md §11 and fhir.md §8.2; the other access predicates; revoking consent;
-- the audit_event protection (privileges and trigger); the practitioner_client ->
-- application rule; cascades and RESTRICT rules; ROOT protection; flush + re-seed.

\set ON_ERROR_STOP on
\set QUIET on
\pset pager off
\o /dev/null

DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION 'check_seed.sql must be run by a superuser (it switches to jhe_app and jhe_owner)';
    END IF;
END
$$;

BEGIN;

-- ---------------------------------------------------------------------------------------
-- helpers (temporary, dropped with the session)
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.expect(label text, actual text, expected text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF actual IS DISTINCT FROM expected THEN
        RAISE EXCEPTION 'CHECK FAILED: %: got [%], expected [%]', label, actual, expected;
    END IF;
END
$$;

-- next id an identity column would hand out, read without consuming it
CREATE FUNCTION pg_temp.next_id(tbl text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    lv bigint;
    called boolean;
BEGIN
    EXECUTE format('SELECT last_value, is_called FROM %s', pg_get_serial_sequence(tbl, 'id'))
        INTO lv, called;
    RETURN CASE WHEN called THEN lv + 1 ELSE lv END;
END
$$;

-- observations visible to a user (no filter): rule 1 + rule 2, as the API queries them
CREATE FUNCTION pg_temp.visible(u bigint) RETURNS text
LANGUAGE sql AS $$
    SELECT coalesce(string_agg(o.id::text, ',' ORDER BY o.id), '')
    FROM observation o
    WHERE (o.subject_patient_id, o.codeable_concept_id) IN (
        SELECT k.patient_id, k.codeable_concept_id FROM jhe_visible_observation_keys(u) k)
$$;

-- observations visible to a practitioner through one study (study filter)
CREATE FUNCTION pg_temp.visible_in_study(u bigint, s bigint) RETURNS text
LANGUAGE sql AS $$
    SELECT coalesce(string_agg(o.id::text, ',' ORDER BY o.id), '')
    FROM observation o
    WHERE (o.subject_patient_id, o.codeable_concept_id) IN (
        SELECT v.patient_id, v.codeable_concept_id FROM jhe_consented_scopes(u) v
        WHERE v.study_id = s)
$$;

-- observations visible to a practitioner through the studies of one organization
CREATE FUNCTION pg_temp.visible_in_org(u bigint, org bigint) RETURNS text
LANGUAGE sql AS $$
    SELECT coalesce(string_agg(o.id::text, ',' ORDER BY o.id), '')
    FROM observation o
    WHERE (o.subject_patient_id, o.codeable_concept_id) IN (
        SELECT v.patient_id, v.codeable_concept_id FROM jhe_consented_scopes(u) v
        WHERE v.organization_id = org)
$$;

-- the seed time (transaction start of the seed) as recorded on the administrator
CREATE FUNCTION pg_temp.seed_time() RETURNS timestamptz
LANGUAGE sql AS $$ SELECT date_joined FROM jhe_user WHERE id = 10001 $$;

-- row counts of every table of the schema except audit_event and schema_migration
CREATE FUNCTION pg_temp.counts() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n bigint;
    result text := '';
BEGIN
    FOR r IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND c.relname NOT IN ('audit_event', 'schema_migration')
        ORDER BY c.relname
    LOOP
        EXECUTE format('SELECT count(*) FROM %I', r.relname) INTO n;
        result := result || r.relname || '=' || n || ' ';
    END LOOP;
    RETURN rtrim(result);
END
$$;

-- the seeded state (counts of seed.md); used before and after flush + re-seed
CREATE FUNCTION pg_temp.check_seeded_state() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.expect('row counts', pg_temp.counts(),
        'client_data_source=4 codeable_concept=16 data_source=6 data_source_supported_scope=7 '
        'jhe_client=3 jhe_setting=16 jhe_user=12 login_throttle=0 oauth_access_token=0 '
        'oauth_application=4 oauth_authorization_code=0 oauth_refresh_token=0 '
        'oauth_token_family=0 observation=9 observation_count=8 observation_identifier=0 organization=9 '
        'patient=5 patient_identifier=2 patient_invitation=0 patient_organization=6 '
        'practitioner=7 practitioner_client=0 practitioner_organization=15 study=5 '
        'study_client=5 study_data_source=6 study_patient=8 study_patient_scope_consent=12 '
        'study_scope_request=8 web_session=0');

    -- seed.md §2: next ids
    PERFORM pg_temp.expect('next jhe_user',           pg_temp.next_id('jhe_user')::text,           '10013');
    PERFORM pg_temp.expect('next organization',       pg_temp.next_id('organization')::text,       '20009');
    PERFORM pg_temp.expect('next study',              pg_temp.next_id('study')::text,              '30006');
    PERFORM pg_temp.expect('next patient',            pg_temp.next_id('patient')::text,            '40006');
    PERFORM pg_temp.expect('next codeable_concept',   pg_temp.next_id('codeable_concept')::text,   '50017');
    PERFORM pg_temp.expect('next observation',        pg_temp.next_id('observation')::text,        '60010');
    PERFORM pg_temp.expect('next data_source',        pg_temp.next_id('data_source')::text,        '70007');
    PERFORM pg_temp.expect('next practitioner',       pg_temp.next_id('practitioner')::text,       '80008');
    PERFORM pg_temp.expect('next patient_invitation', pg_temp.next_id('patient_invitation')::text, '101');
    PERFORM pg_temp.expect('next oauth_application',  pg_temp.next_id('oauth_application')::text,  '5');
    PERFORM pg_temp.expect('next jhe_setting',        pg_temp.next_id('jhe_setting')::text,        '17');
    -- link tables: max + 1
    PERFORM pg_temp.expect('next practitioner_organization', pg_temp.next_id('practitioner_organization')::text, '16');
    PERFORM pg_temp.expect('next patient_organization',      pg_temp.next_id('patient_organization')::text,      '7');
    PERFORM pg_temp.expect('next patient_identifier',        pg_temp.next_id('patient_identifier')::text,        '3');
    PERFORM pg_temp.expect('next study_patient',             pg_temp.next_id('study_patient')::text,             '9');
    PERFORM pg_temp.expect('next study_patient_scope_consent', pg_temp.next_id('study_patient_scope_consent')::text, '13');
    PERFORM pg_temp.expect('next study_scope_request',       pg_temp.next_id('study_scope_request')::text,       '9');
    PERFORM pg_temp.expect('next study_data_source',         pg_temp.next_id('study_data_source')::text,         '7');
    PERFORM pg_temp.expect('next study_client',              pg_temp.next_id('study_client')::text,              '6');
    PERFORM pg_temp.expect('next client_data_source',        pg_temp.next_id('client_data_source')::text,        '5');
    PERFORM pg_temp.expect('next data_source_supported_scope', pg_temp.next_id('data_source_supported_scope')::text, '8');
    PERFORM pg_temp.expect('next jhe_client',                pg_temp.next_id('jhe_client')::text,                '4');
    PERFORM pg_temp.expect('next practitioner_client',       pg_temp.next_id('practitioner_client')::text,       '1');
    PERFORM pg_temp.expect('next observation_identifier',    pg_temp.next_id('observation_identifier')::text,    '1');
    PERFORM pg_temp.expect('next oauth_token_family',        pg_temp.next_id('oauth_token_family')::text,        '1');
END
$$;

-- ---------------------------------------------------------------------------------------
-- 1. counts and next ids
-- ---------------------------------------------------------------------------------------
SELECT pg_temp.check_seeded_state();

DO $$
BEGIN
    PERFORM pg_temp.expect('migrations recorded',
        (SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migration WHERE version <= 3),
        '1,2,3');
    PERFORM pg_temp.expect('ROOT',
        (SELECT format('%s|%s|%s|%s', id, name, type, part_of_id) FROM organization WHERE id = 0),
        '0|ROOT|root|');
END
$$;

-- ---------------------------------------------------------------------------------------
-- 2. spot checks of the seeded values
-- ---------------------------------------------------------------------------------------
DO $$
DECLARE
    site text := (SELECT value_string FROM jhe_setting WHERE key = 'site.url');
BEGIN
    -- users (§8)
    PERFORM pg_temp.expect('users',
        (SELECT string_agg(format('%s:%s:%s:%s:%s:%s:%s', id, email, first_name, last_name,
                                  user_type, is_superuser, identifier), ' ' ORDER BY id)
         FROM jhe_user),
        '10001:admin@example.com:::practitioner:t: '
        '10002:manager_mary@example.com:ManagerMary:Jones:practitioner:f:fhir-222 '
        '10003:member_megan@example.com:MemberMegan:Garcia:practitioner:f:fhir-333 '
        '10004:viewer_victor@example.com:ViewerVictor:Miller:practitioner:f:fhir-444 '
        '10005:three_org_tom@example.com:ThreeOrgTom:Davis:practitioner:f:fhir-555 '
        '10006:ll_patient_peter@example.com:LlPatientPeter:Smith:patient:f:fhir-666 '
        '10007:ll_patient_pamela@example.com:LlPatientPamela:Johnson:patient:f:fhir-777 '
        '10008:manager_mark@example.com:ManagerMark:Brown:practitioner:f:fhir-888 '
        '10009:npl_patient_percy@example.com:NplPatientPercy:Wilson:patient:f:fhir-999 '
        '10010:ccl_patient_paul@example.com:CclPatientPaul:Taylor:patient:f:fhir-000 '
        '10011:ccl_cardio_patient_pat@example.com:CclCardioPatientPat:Anderson:patient:f:fhir-111 '
        '10012:mary@example.com:Mary:Jones:practitioner:f:');
    PERFORM pg_temp.expect('one password hash for all users, set',
        (SELECT count(DISTINCT password)::text || ':' || bool_and(password <> '')::text FROM jhe_user), '1:true');
    PERFORM pg_temp.expect('users active, never logged in, joined at seed time',
        (SELECT bool_and(is_active AND last_login IS NULL AND date_joined = pg_temp.seed_time())::text FROM jhe_user), 'true');

    PERFORM pg_temp.expect('practitioners',
        (SELECT string_agg(format('%s:%s:%s:%s:%s:%s', id, jhe_user_id, identifier, name_family,
                                  name_given, settings::text), ' ' ORDER BY id) FROM practitioner),
        '80001:10001::::{} '
        '80002:10002::Jones:ManagerMary:{"current_study_id": 30001, "current_organization_id": 20003} '
        '80003:10003::Garcia:MemberMegan:{"current_study_id": 30001, "current_organization_id": 20003} '
        '80004:10004::Miller:ViewerVictor:{"current_study_id": 30001, "current_organization_id": 20003} '
        '80005:10005::Davis:ThreeOrgTom:{"current_study_id": 30005, "current_organization_id": 20008} '
        '80006:10008::Brown:ManagerMark:{"current_study_id": 30004, "current_organization_id": 20007} '
        '80007:10012::Jones:Mary:{"current_study_id": 30001, "current_organization_id": 20003}');

    PERFORM pg_temp.expect('patients',
        (SELECT string_agg(format('%s:%s:%s:%s:%s:%s', id, jhe_user_id, name_family, name_given,
                                  birth_date, telecom_phone), ' ' ORDER BY id) FROM patient),
        '40001:10006:Smith:LlPatientPeter:1987-04-12:+1-555-010-0006 '
        '40002:10007:Johnson:LlPatientPamela:1991-09-23:+1-555-010-0007 '
        '40003:10009:Wilson:NplPatientPercy:1984-02-05:+1-555-010-0009 '
        '40004:10010:Taylor:CclPatientPaul:1996-11-30:+1-555-010-0010 '
        '40005:10011:Anderson:CclCardioPatientPat:1989-07-17:+1-555-010-0011');
    PERFORM pg_temp.expect('patient organizations',
        (SELECT string_agg(format('%s:%s:%s', id, patient_id, organization_id), ' ' ORDER BY id)
         FROM patient_organization),
        '1:40001:20003 2:40002:20003 3:40003:20007 4:40004:20008 5:40005:20006 6:40005:20008');
    PERFORM pg_temp.expect('patient identifiers',
        (SELECT string_agg(format('%s:%s:%s|%s', id, patient_id, system, value), ' ' ORDER BY id)
         FROM patient_identifier),
        '1:40001:https://openwearables.io/ns/patient-id|abc123 2:40001:urn:oid:1.2.3.4|E1234');

    PERFORM pg_temp.expect('memberships',
        (SELECT string_agg(format('%s:%s:%s:%s', id, practitioner_id, organization_id, role), ' ' ORDER BY id)
         FROM practitioner_organization),
        '1:80002:20001:manager 2:80002:20002:manager 3:80002:20003:manager 4:80003:20003:member '
        '5:80004:20003:viewer 6:80005:20003:viewer 7:80006:20004:manager 8:80006:20005:manager '
        '9:80006:20006:manager 10:80006:20007:manager 11:80005:20007:member 12:80005:20008:manager '
        '13:80007:20001:manager 14:80007:20002:manager 15:80007:20003:manager');

    PERFORM pg_temp.expect('organizations',
        (SELECT string_agg(format('%s:%s:%s:%s', id, name, type, part_of_id), ' | ' ORDER BY id)
         FROM organization),
        '0:ROOT:root: | 20001:Planetary Research Institute:edu:0 | '
        '20002:Saturn School of Data Science:team:20001 | 20003:Lifespan Lab:laboratory:20002 | '
        '20004:Neptune Health System:prov:0 | 20005:Department of Medicine:dept:20004 | '
        '20006:Cardiology Division:dept:20005 | 20007:Neptunian Pulse Lab:laboratory:20006 | '
        '20008:Cosmic Cardio Lab:laboratory:20006');

    -- settings (§3)
    PERFORM pg_temp.expect('settings',
        (SELECT string_agg(format('%s:%s:%s:%s', id, key, value_type,
                                  coalesce(value_string, value_int::text, value_bool::text,
                                           value_float::text, value_json::text)), ' | ' ORDER BY id)
         FROM jhe_setting WHERE id > 1),
        '2:site.ui.title:string:JupyterHealth Exchange | 3:site.time_zone:string:America/Los_Angeles | '
        '4:site.registration_invite_code:string:jhe | 5:auth.default_orgs:string: | '
        '6:auth.sso.saml2:int:0 | 7:auth.sso.valid_domains:string: | '
        '8:auth.patient.invitation_expiration_days:int:7 | '
        '9:auth.patient.invitation_redemption_window_hours:int:12 | '
        '10:auth.patient_access_clients:json:[] | '
        '11:auth.sof.trusted_issuers:json:["https://fhir.epic.com/interconnect-fhir-oauth/oauth2"] | '
        '12:auth.sof.trusted_audience:string:77849e74-8e2a-4c2f-826c-bdbef6da3357 | '
        '13:module.ow:bool:false | 14:ow.sync_in_progress:string: | '
        '15:ow.api_url:string:http://localhost:8001 | 16:ow.api_key:string:');
    PERFORM pg_temp.expect('site.url setting (no trailing slash)',
        (site IS NOT NULL AND site <> '' AND right(site, 1) <> '/')::text, 'true');

    -- scopes (§4)
    PERFORM pg_temp.expect('scopes',
        (SELECT md5(string_agg(format('%s|%s|%s|%s', id, coding_system, coding_code, text), E'\n' ORDER BY id))
         FROM codeable_concept),
        (SELECT md5(string_agg(x, E'\n' ORDER BY x)) FROM unnest(ARRAY[
            '50001|https://w3id.org/openmhealth|omh:blood-glucose:4.0|Blood glucose',
            '50002|https://w3id.org/openmhealth|omh:blood-pressure:4.0|Blood pressure',
            '50003|https://w3id.org/openmhealth|omh:body-temperature:4.0|Body temperature',
            '50004|https://w3id.org/openmhealth|omh:heart-rate:2.0|Heart Rate',
            '50005|https://w3id.org/openmhealth|omh:oxygen-saturation:2.0|Oxygen saturation',
            '50006|https://w3id.org/openmhealth|omh:respiratory-rate:2.0|Respiratory rate',
            '50007|https://w3id.org/openmhealth|omh:rr-interval:1.0|RR Interval',
            '50008|https://w3id.org/openmhealth|omh:body-weight:3.0|Body weight',
            '50009|https://w3id.org/openmhealth|omh:forced-vital-capacity:1.0|Forced vital capacity',
            '50010|https://w3id.org/openmhealth|omh:forced-expiratory-volume-1-second:1.0|Forced expiratory volume 1 second',
            '50011|http://hl7.org/fhir/resource-types|QuestionnaireResponse|FHIR QuestionnaireResponse',
            '50012|https://w3id.org/openmhealth|omh:physical-activity:1.2|Physical activity',
            '50013|https://w3id.org/openmhealth|omh:step-count:3.0|Step count',
            '50014|https://w3id.org/ieee1752|ieee:sleep-stage-summary:1.0|Sleep stage summary',
            '50015|https://w3id.org/openmhealth|omh:sleep-episode:1.1|Sleep episode',
            '50016|https://w3id.org/openmhealth|omh:sleep-duration:2.0|Sleep duration']) x));

    -- data sources (§5)
    PERFORM pg_temp.expect('data sources',
        (SELECT string_agg(format('%s:%s:%s', id, name, type), ' | ' ORDER BY id) FROM data_source),
        '70001:CareX:personal_device | 70002:Dexcom:personal_device | 70003:iHealth:personal_device | '
        '70004:Oura:personal_device | 70005:Questionnaire:patient_app | 70006:Patient Access API:medical_device');
    PERFORM pg_temp.expect('supported scopes',
        (SELECT string_agg(format('%s:%s:%s', id, data_source_id, scope_code_id), ' ' ORDER BY id)
         FROM data_source_supported_scope),
        '1:70001:50002 2:70001:50004 3:70002:50001 4:70003:50003 5:70003:50004 6:70004:50004 7:70005:50011');

    -- clients (§6)
    PERFORM pg_temp.expect('oauth applications',
        (SELECT string_agg(format('%s:%s:%s:%s:%s:%s:%s:%s:%s', id, client_id, name, client_type,
                                  authorization_grant_type, client_secret_digest IS NULL,
                                  user_id IS NULL, skip_authorization, algorithm), ' | ' ORDER BY id)
         FROM oauth_application),
        '1:carex:CareX:public:authorization-code:t:t:t:RS256 | '
        '2:commonhealth:CommonHealth:public:authorization-code:t:t:t:RS256 | '
        '3:patient-access:Patient Access:public:authorization-code:t:t:t:RS256 | '
        '4:jhe-admin-ui:JHE Admin UI:public:authorization-code:t:t:t:RS256');
    PERFORM pg_temp.expect('redirect uris = <site.url>/auth/callback',
        (SELECT bool_and(redirect_uris = site || '/auth/callback')::text FROM oauth_application), 'true');
    PERFORM pg_temp.expect('patient clients',
        (SELECT string_agg(format('%s:%s:%s:%s', id, application_id, invitation_url, aux_data IS NULL), ' | ' ORDER BY id)
         FROM jhe_client),
        '1:1:https://carex.ai/invitation/CODE:t | 2:2:https://commonhealth.tcp.org?invitation=CODE:t | '
        '3:3:http://localhost:8001/clients/patient-access/?code=CODE:f');
    PERFORM pg_temp.expect('patient access aux_data',
        (SELECT aux_data::text FROM jhe_client WHERE id = 3),
        '{"scopes": "openid profile launch/patient patient/Patient.read patient/Observation.read '
        'patient/Condition.read patient/MedicationRequest.read patient/MedicationDispense.read '
        'patient/AllergyIntolerance.read patient/Immunization.read patient/Procedure.read '
        'patient/DiagnosticReport.read patient/DocumentReference.read patient/Encounter.read '
        'patient/CarePlan.read patient/CareTeam.read patient/Goal.read patient/ServiceRequest.read '
        'patient/Device.read patient/QuestionnaireResponse.read", '
        '"client_id": "77849e74-8e2a-4c2f-826c-bdbef6da3357"}');
    PERFORM pg_temp.expect('client data sources',
        (SELECT string_agg(format('%s:%s:%s', id, client_id, data_source_id), ' ' ORDER BY id)
         FROM client_data_source),
        '1:1:70001 2:1:70005 3:2:70002 4:2:70003');

    -- studies (§9)
    PERFORM pg_temp.expect('studies',
        (SELECT string_agg(format('%s:%s:%s:%s:%s', id, name, description, organization_id, icon_url IS NULL), ' | ' ORDER BY id)
         FROM study),
        '30001:Lifespan Study on BP & HR:Blood Pressure & Heart Rate:20003:t | '
        '30002:Lifespan Study on BP:Blood Pressure:20003:t | '
        '30003:Cardiology Div Study on BGL:Blood Glucose:20006:t | '
        '30004:Nep Pulse Lab Study on BT:Body Temperature:20007:t | '
        '30005:Cosmic Cardio Lab Study on O2:Oxygen Saturation:20008:t');
    PERFORM pg_temp.expect('scope requests',
        (SELECT string_agg(format('%s:%s:%s:%s', id, study_id, scope_code_id, scope_actions), ' ' ORDER BY id)
         FROM study_scope_request),
        '1:30001:50002:rs 2:30001:50004:rs 3:30001:50011:rs 4:30002:50002:rs 5:30002:50011:rs '
        '6:30003:50001:rs 7:30004:50003:rs 8:30005:50005:rs');
    PERFORM pg_temp.expect('study data sources',
        (SELECT string_agg(format('%s:%s:%s', id, study_id, data_source_id), ' ' ORDER BY id) FROM study_data_source),
        '1:30001:70001 2:30001:70005 3:30002:70001 4:30002:70005 5:30004:70003 6:30003:70002');
    PERFORM pg_temp.expect('study clients',
        (SELECT string_agg(format('%s:%s:%s', id, study_id, client_id), ' ' ORDER BY id) FROM study_client),
        '1:30001:1 2:30002:1 3:30001:3 4:30004:2 5:30003:2');

    -- enrolments and consents (§10)
    PERFORM pg_temp.expect('enrolments',
        (SELECT string_agg(format('%s:%s:%s', id, patient_id, study_id), ' ' ORDER BY id) FROM study_patient),
        '1:40001:30001 2:40001:30002 3:40002:30001 4:40002:30002 5:40003:30004 6:40004:30005 '
        '7:40005:30003 8:40005:30005');
    PERFORM pg_temp.expect('consents',
        (SELECT string_agg(format('%s:%s:%s', id, study_patient_id, scope_code_id), ' ' ORDER BY id)
         FROM study_patient_scope_consent),
        '1:1:50002 2:1:50004 3:1:50011 4:3:50002 5:3:50004 6:3:50011 7:4:50002 8:4:50011 '
        '9:5:50003 10:6:50005 11:7:50001 12:8:50005');
    PERFORM pg_temp.expect('consent flags',
        (SELECT bool_and(consented AND scope_actions = 'rs' AND consented_time = pg_temp.seed_time())::text
         FROM study_patient_scope_consent), 'true');
END
$$;

-- observations (§11)
DO $$
DECLARE
    seed_s text := to_char(date_trunc('second', pg_temp.seed_time()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"');
    eff_s  text := to_char((date_trunc('second', pg_temp.seed_time()) + interval '1 hour') AT TIME ZONE 'UTC',
                           'YYYY-MM-DD"T"HH24:MI:SS"+00:00"');
BEGIN
    PERFORM pg_temp.expect('observations',
        (SELECT string_agg(format('%s:%s:%s:%s', o.id, o.subject_patient_id, o.codeable_concept_id,
                                  (o.omh_data->'body') - 'effective_time_frame'), ' | ' ORDER BY o.id)
         FROM observation o),
        '60001:40001:50002:{"systolic_blood_pressure": {"unit": "mmHg", "value": 115}, "diastolic_blood_pressure": {"unit": "mmHg", "value": 60}} | '
        '60002:40001:50004:{"heart_rate": {"unit": "beats/min", "value": 67.5}} | '
        '60003:40002:50002:{"systolic_blood_pressure": {"unit": "mmHg", "value": 115}, "diastolic_blood_pressure": {"unit": "mmHg", "value": 60}} | '
        '60004:40002:50004:{"heart_rate": {"unit": "beats/min", "value": 67.5}} | '
        '60005:40002:50002:{"systolic_blood_pressure": {"unit": "mmHg", "value": 115}, "diastolic_blood_pressure": {"unit": "mmHg", "value": 60}} | '
        '60006:40003:50003:{"body_temperature": {"unit": "F", "value": 98}, "measurement_location": "forehead"} | '
        '60007:40004:50005:{"oxygen_saturation": {"unit": "%", "value": 97}} | '
        '60008:40005:50001:{"blood_glucose": {"unit": "mg/dL", "value": 129}} | '
        '60009:40005:50005:{"oxygen_saturation": {"unit": "%", "value": 98}}');
    PERFORM pg_temp.expect('observation common columns',
        (SELECT bool_and(data_source_id IS NULL AND status = 'final' AND version_id = 1
                         AND last_updated = pg_temp.seed_time()
                         AND effective_date_time = date_trunc('second', pg_temp.seed_time()) + interval '1 hour'
                         AND effective_at = effective_date_time
                         AND effective_period_start IS NULL AND effective_period_end IS NULL)::text
         FROM observation), 'true');
    PERFORM pg_temp.expect('no observation identifiers', (SELECT count(*)::text FROM observation_identifier), '0');
    PERFORM pg_temp.expect('OMH headers',
        (SELECT bool_and(
                    (omh_data->'header'->>'uuid') ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
                AND omh_data->'header'->'schema_id' = jsonb_build_object(
                        'namespace', 'omh',
                        'name', split_part(cc.coding_code, ':', 2),
                        'version', split_part(cc.coding_code, ':', 3))
                AND omh_data->'header'->>'source_creation_date_time' = seed_s
                AND omh_data->'header'->>'modality' = 'sensed'
                AND omh_data->'header'->'external_datasheets'
                    = '[{"datasheet_type": "manufacturer", "datasheet_reference": "iHealth"}]'::jsonb
                AND omh_data->'body'->'effective_time_frame' = jsonb_build_object('date_time', eff_s)
                AND (SELECT count(*) FROM jsonb_object_keys(omh_data)) = 2
                AND (SELECT count(*) FROM jsonb_object_keys(omh_data->'header')) = 5)::text
         FROM observation o JOIN codeable_concept cc ON cc.id = o.codeable_concept_id), 'true');
    PERFORM pg_temp.expect('distinct uuids',
        (SELECT count(DISTINCT omh_data->'header'->>'uuid')::text FROM observation), '9');
END
$$;

-- ---------------------------------------------------------------------------------------
-- 3. the consent rule (seed.md §11, fhir.md §8.2)
-- ---------------------------------------------------------------------------------------
DO $$
BEGIN
    PERFORM pg_temp.expect('manager_mary, study 30001', pg_temp.visible_in_study(10002, 30001),
                           '60001,60002,60003,60004,60005');
    PERFORM pg_temp.expect('manager_mary, study 30002', pg_temp.visible_in_study(10002, 30002), '60003,60005');
    PERFORM pg_temp.expect('manager_mary, no filter', pg_temp.visible(10002), '60001,60002,60003,60004,60005');
    PERFORM pg_temp.expect('mary, no filter', pg_temp.visible(10012), '60001,60002,60003,60004,60005');
    PERFORM pg_temp.expect('member_megan, no filter', pg_temp.visible(10003), '60001,60002,60003,60004,60005');
    PERFORM pg_temp.expect('viewer_victor, no filter', pg_temp.visible(10004), '60001,60002,60003,60004,60005');
    PERFORM pg_temp.expect('three_org_tom, no filter', pg_temp.visible(10005),
                           '60001,60002,60003,60004,60005,60006,60007,60009');
    PERFORM pg_temp.expect('three_org_tom, study 30005', pg_temp.visible_in_study(10005, 30005), '60007,60009');
    PERFORM pg_temp.expect('three_org_tom, study 30003 (not a member)', pg_temp.visible_in_study(10005, 30003), '');
    PERFORM pg_temp.expect('manager_mark, no filter', pg_temp.visible(10008), '60006,60008');
    PERFORM pg_temp.expect('manager_mark, org 20006', pg_temp.visible_in_org(10008, 20006), '60008');
    PERFORM pg_temp.expect('manager_mark, org 20008 (not a member)', pg_temp.visible_in_org(10008, 20008), '');
    PERFORM pg_temp.expect('admin, no filter', pg_temp.visible(10001), '');
    PERFORM pg_temp.expect('Peter (patient), own data', pg_temp.visible(10006), '60001,60002');
    PERFORM pg_temp.expect('Pat (patient), own data', pg_temp.visible(10011), '60008,60009');
    PERFORM pg_temp.expect('unknown user', pg_temp.visible(99999), '');

    PERFORM pg_temp.expect('jhe_observation_visible',
        format('%s %s %s %s %s',
               jhe_observation_visible(10008, 60006), jhe_observation_visible(10008, 60007),
               jhe_observation_visible(10006, 60002), jhe_observation_visible(10006, 60003),
               jhe_observation_visible(10002, 99999)),
        't f t f f');

    PERFORM pg_temp.expect('consented scopes of manager_mary',
        (SELECT string_agg(format('%s:%s:%s:%s', patient_id, codeable_concept_id, study_id, organization_id), ' '
                           ORDER BY study_id, patient_id, codeable_concept_id)
         FROM jhe_consented_scopes(10002)),
        '40001:50002:30001:20003 40001:50004:30001:20003 40001:50011:30001:20003 '
        '40002:50002:30001:20003 40002:50004:30001:20003 40002:50011:30001:20003 '
        '40002:50002:30002:20003 40002:50011:30002:20003');
END
$$;

-- revoking consent, removing a scope request, removing a membership: hidden at once
SAVEPOINT consent_changes;
UPDATE study_patient_scope_consent SET consented = false, consented_time = now() WHERE id = 2;
SELECT pg_temp.expect('Peter HR consent revoked', pg_temp.visible(10002), '60001,60003,60004,60005');
SELECT pg_temp.expect('Peter still sees his own HR', pg_temp.visible(10006), '60001,60002');
DELETE FROM study_patient_scope_consent WHERE id = 1;
SELECT pg_temp.expect('Peter BP consent deleted', pg_temp.visible(10002), '60003,60004,60005');
DELETE FROM study_scope_request WHERE id = 4;   -- 30002 no longer requests BP
SELECT pg_temp.expect('30002 BP request removed', pg_temp.visible_in_study(10002, 30002), '');
SELECT pg_temp.expect('... still visible through 30001', pg_temp.visible(10002), '60003,60004,60005');
DELETE FROM practitioner_organization WHERE id = 12;   -- tom leaves Cosmic Cardio Lab
SELECT pg_temp.expect('tom without 20008 (and Peter''s BP/HR revoked above)', pg_temp.visible(10005), '60003,60004,60005,60006');
ROLLBACK TO SAVEPOINT consent_changes;
SELECT pg_temp.expect('after rollback', pg_temp.visible(10005), '60001,60002,60003,60004,60005,60006,60007,60009');

-- ---------------------------------------------------------------------------------------
-- 4. the other predicates (admin-api.md §2.2-§2.3)
-- ---------------------------------------------------------------------------------------
DO $$
BEGIN
    PERFORM pg_temp.expect('org_visible manager_mary',
        (SELECT string_agg(organization_id::text, ',' ORDER BY organization_id) FROM jhe_visible_org_ids(10002)),
        '0,20001,20002,20003');
    PERFORM pg_temp.expect('org_visible manager_mark',
        (SELECT string_agg(organization_id::text, ',' ORDER BY organization_id) FROM jhe_visible_org_ids(10008)),
        '0,20004,20005,20006,20007,20008');
    PERFORM pg_temp.expect('org_visible member_megan (ancestors of 20003)',
        (SELECT string_agg(organization_id::text, ',' ORDER BY organization_id) FROM jhe_visible_org_ids(10003)),
        '0,20001,20002,20003');
    PERFORM pg_temp.expect('org_visible admin (superuser: all)',
        (SELECT count(*)::text FROM jhe_visible_org_ids(10001)), '9');
    PERFORM pg_temp.expect('org_visible Pat (patient: own organizations)',
        (SELECT string_agg(organization_id::text, ',' ORDER BY organization_id) FROM jhe_visible_org_ids(10011)),
        '20006,20008');
    PERFORM pg_temp.expect('top-level orgs visible to manager_mary',
        (SELECT string_agg(o.id::text, ',' ORDER BY o.id) FROM organization o
         WHERE o.part_of_id = 0 AND jhe_org_visible(10002, o.id)), '20001');
    PERFORM pg_temp.expect('top-level orgs visible to admin',
        (SELECT string_agg(o.id::text, ',' ORDER BY o.id) FROM organization o
         WHERE o.part_of_id = 0 AND jhe_org_visible(10001, o.id)), '20001,20004');
    PERFORM pg_temp.expect('ancestors of 20007',
        (SELECT string_agg(organization_id || '@' || depth, ',' ORDER BY depth) FROM jhe_org_ancestors(20007)),
        '20007@0,20006@1,20005@2,20004@3,0@4');
    PERFORM pg_temp.expect('descendants of 20005',
        (SELECT string_agg(organization_id::text, ',' ORDER BY organization_id) FROM jhe_org_descendants(20005)),
        '20005,20006,20007,20008');
    PERFORM pg_temp.expect('member orgs of three_org_tom',
        (SELECT string_agg(organization_id || ':' || role, ',' ORDER BY organization_id) FROM jhe_member_orgs(10005)),
        '20003:viewer,20007:member,20008:manager');

    PERFORM pg_temp.expect('patients visible to member_megan',
        (SELECT string_agg(patient_id::text, ',' ORDER BY patient_id) FROM jhe_visible_patient_ids(10003)),
        '40001,40002');
    PERFORM pg_temp.expect('patients visible to three_org_tom',
        (SELECT string_agg(patient_id::text, ',' ORDER BY patient_id) FROM jhe_visible_patient_ids(10005)),
        '40001,40002,40003,40004,40005');
    PERFORM pg_temp.expect('patients visible to admin (no bypass)',
        (SELECT count(*)::text FROM jhe_visible_patient_ids(10001)), '0');
    PERFORM pg_temp.expect('patients visible to Peter',
        (SELECT string_agg(patient_id::text, ',') FROM jhe_visible_patient_ids(10006)), '40001');
    PERFORM pg_temp.expect('shares/patient_visible',
        format('%s %s %s %s', jhe_shares_patient(10008, 40005), jhe_shares_patient(10008, 40004),
               jhe_patient_visible(10006, 40001), jhe_patient_visible(10006, 40002)),
        't f t f');

    PERFORM pg_temp.expect('can()',
        format('%s %s %s %s %s %s',
               jhe_can(10002, 'organization.manage_for_practitioners', 20003),
               jhe_can(10003, 'organization.manage_for_practitioners', 20003),
               jhe_can(10003, 'patient.manage_for_organization', 20003),
               jhe_can(10004, 'patient.manage_for_organization', 20003),
               jhe_can(10001, 'client.manage', 20003),
               jhe_can(10008, 'study.manage_for_organization', 20008)),
        't f t f t f');
    PERFORM pg_temp.expect('manages/invites patient',
        format('%s %s %s %s %s %s',
               jhe_manages_patient(10003, 40001), jhe_manages_patient(10004, 40001),
               jhe_manages_patient(10001, 40001), jhe_invites_patient(10001, 40001),
               jhe_invites_patient(10005, 40004), jhe_invites_patient(10005, 40001)),
        't f t f t f');
    PERFORM pg_temp.expect('study readable',
        format('%s %s %s %s', jhe_study_readable(10001, 30001), jhe_study_data_readable(10001, 30001),
               jhe_study_readable(10008, 30005), jhe_study_data_readable(10005, 30005)),
        't f f t');
    PERFORM pg_temp.expect('practitioner/self',
        format('%s %s %s %s %s', jhe_is_practitioner(10001), jhe_is_practitioner(10006),
               jhe_self_patient_id(10006), jhe_self_patient_id(10002) IS NULL, jhe_is_superuser(10001)),
        't f 40001 t t');
END
$$;

-- the consent function must be inlined so that the observation index is usable
DO $$
DECLARE
    plan text := '';
    line text;
BEGIN
    FOR line IN EXECUTE
        'EXPLAIN (COSTS OFF) SELECT o.id FROM observation o
         WHERE (o.subject_patient_id, o.codeable_concept_id) IN (
             SELECT v.patient_id, v.codeable_concept_id FROM jhe_consented_scopes(10002) v
             WHERE v.study_id = 30001)'
    LOOP
        plan := plan || line || E'\n';
    END LOOP;
    IF plan LIKE '%Function Scan%' THEN
        RAISE EXCEPTION 'CHECK FAILED: jhe_consented_scopes is not inlined:%', E'\n' || plan;
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------------
-- 5. audit_event protection
-- ---------------------------------------------------------------------------------------
SAVEPOINT audit_checks;
SET LOCAL ROLE jhe_app;
INSERT INTO audit_event (action, resource_type, outcome) VALUES ('read', 'Patient', 200);
DO $$
DECLARE
    stmt text;
BEGIN
    PERFORM pg_temp.expect('jhe_app can read audit', (SELECT (count(*) >= 1)::text FROM audit_event), 'true');
    FOREACH stmt IN ARRAY ARRAY['UPDATE audit_event SET outcome = 500',
                                'DELETE FROM audit_event',
                                'TRUNCATE audit_event'] LOOP
        BEGIN
            EXECUTE stmt;
            RAISE EXCEPTION 'CHECK FAILED: jhe_app could run: %', stmt;
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;   -- expected
        END;
    END LOOP;
    -- jhe_app cannot reset sequences or truncate data tables either
    BEGIN
        PERFORM setval(pg_get_serial_sequence('jhe_user', 'id'), 1);
        RAISE EXCEPTION 'CHECK FAILED: jhe_app could setval';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        EXECUTE 'TRUNCATE observation';
        RAISE EXCEPTION 'CHECK FAILED: jhe_app could truncate observation';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        EXECUTE 'INSERT INTO schema_migration (version) VALUES (999)';
        RAISE EXCEPTION 'CHECK FAILED: jhe_app could write schema_migration';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
END
$$;
RESET ROLE;
-- the trigger refuses every other role, even a superuser that bypasses privileges
DO $$
DECLARE
    stmt text;
BEGIN
    FOREACH stmt IN ARRAY ARRAY['UPDATE audit_event SET outcome = 500',
                                'DELETE FROM audit_event',
                                'TRUNCATE audit_event'] LOOP
        BEGIN
            EXECUTE stmt;
            RAISE EXCEPTION 'CHECK FAILED: superuser could run: %', stmt;
        EXCEPTION WHEN insufficient_privilege THEN
            IF SQLERRM NOT LIKE 'audit_event is append-only%' THEN
                RAISE EXCEPTION 'CHECK FAILED: unexpected error %', SQLERRM;
            END IF;
        END;
    END LOOP;
END
$$;
-- the owner may (archiving)
SET LOCAL ROLE jhe_owner;
DELETE FROM audit_event WHERE action = 'read' AND resource_type = 'Patient' AND outcome = 200 AND user_id IS NULL;
RESET ROLE;
ROLLBACK TO SAVEPOINT audit_checks;

-- ---------------------------------------------------------------------------------------
-- 6. delete rules (data-model.md §9), as jhe_app
-- ---------------------------------------------------------------------------------------
SAVEPOINT delete_rules;
SET LOCAL ROLE jhe_app;
DO $$
BEGIN
    -- practitioner API keys: deleting the practitioner deletes the key and its application
    INSERT INTO oauth_application (id, client_id, name, client_type, authorization_grant_type,
                                   client_secret_digest, user_id)
    VALUES (100, 'key-megan', '_practitioner_client_80003_20250101000000', 'confidential',
            'client-credentials', sha256('secret'), 10003),
           (101, 'key-victor', '_practitioner_client_80004_20250101000000', 'confidential',
            'client-credentials', sha256('secret2'), 10004),
           (102, 'key-tom', '_practitioner_client_80005_20250101000000', 'confidential',
            'client-credentials', sha256('secret3'), 10005);
    INSERT INTO practitioner_client (id, application_id, practitioner_id, label)
    VALUES (900001, 100, 80003, 'megan'), (900002, 101, 80004, 'victor'), (900003, 102, 80005, 'tom');
    INSERT INTO oauth_token_family (id, application_id, user_id, origin, scope, auth_time)
    VALUES (1, 100, 10003, 'client_credentials', 'openid', now());
    INSERT INTO oauth_access_token (id, token_digest, family_id, application_id, user_id, scope, expires)
    VALUES (900001, sha256('tok'), 1, 100, 10003, 'openid', now() + interval '1 hour');

    DELETE FROM practitioner WHERE id = 80003;
    PERFORM pg_temp.expect('practitioner delete removes key application and tokens',
        format('%s %s %s %s',
               (SELECT count(*) FROM oauth_application WHERE id = 100),
               (SELECT count(*) FROM practitioner_client WHERE application_id = 100),
               (SELECT count(*) FROM oauth_access_token), (SELECT count(*) FROM jhe_user WHERE id = 10003)),
        '0 0 0 1');
    -- deleting the key row directly also deletes the application
    DELETE FROM practitioner_client WHERE application_id = 101;
    PERFORM pg_temp.expect('practitioner_client delete removes application',
        (SELECT count(*)::text FROM oauth_application WHERE id = 101), '0');
    -- deleting the application removes the key row (no error from the trigger)
    DELETE FROM oauth_application WHERE id = 102;
    PERFORM pg_temp.expect('application delete removes key',
        (SELECT count(*)::text FROM practitioner_client WHERE application_id = 102), '0');

    -- deleting the user deletes practitioner, key row and application (both paths at once)
    INSERT INTO oauth_application (id, client_id, name, client_type, authorization_grant_type,
                                   client_secret_digest, user_id)
    VALUES (103, 'key-victor-2', '_practitioner_client_80004_20250101000001', 'confidential',
            'client-credentials', sha256('secret4'), 10004);
    INSERT INTO practitioner_client (id, application_id, practitioner_id, label)
    VALUES (900004, 103, 80004, 'victor 2');
    DELETE FROM jhe_user WHERE id = 10004;
    PERFORM pg_temp.expect('user delete removes practitioner, key and application',
        format('%s %s %s', (SELECT count(*) FROM practitioner WHERE id = 80004),
               (SELECT count(*) FROM practitioner_client), (SELECT count(*) FROM oauth_application WHERE id >= 100)),
        '0 0 0');

    -- user delete cascades through practitioner/patient rows; audit rows survive
    INSERT INTO audit_event (user_id, action, outcome) VALUES (10006, 'login.success', 200);
    DELETE FROM jhe_user WHERE id = 10006;
    PERFORM pg_temp.expect('user delete cascades to patient, enrolments, consents, observations',
        format('%s %s %s %s %s %s',
               (SELECT count(*) FROM patient WHERE id = 40001),
               (SELECT count(*) FROM study_patient WHERE patient_id = 40001),
               (SELECT count(*) FROM study_patient_scope_consent), (SELECT count(*) FROM observation),
               (SELECT count(*) FROM patient_identifier),
               (SELECT count(*) FROM audit_event WHERE user_id = 10006)),
        '0 0 9 7 0 1');

    -- organization delete: subtree, studies and memberships go; patients and observations stay
    DELETE FROM organization WHERE id = 20005;
    PERFORM pg_temp.expect('organization subtree delete',
        format('%s|%s|%s|%s|%s|%s',
               (SELECT string_agg(id::text, ',' ORDER BY id) FROM organization),
               (SELECT string_agg(id::text, ',' ORDER BY id) FROM study),
               (SELECT string_agg(organization_id::text, ',' ORDER BY id) FROM practitioner_organization
                 WHERE practitioner_id = 80006),
               (SELECT count(*) FROM patient), (SELECT count(*) FROM observation),
               (SELECT count(*) FROM patient_organization)),
        '0,20001,20002,20003,20004|30001,30002|20004|4|7|1');
    PERFORM pg_temp.expect('manager_mark after the delete', pg_temp.visible(10008), '');

    -- data source delete: observation.data_source_id becomes NULL, links go
    UPDATE observation SET data_source_id = 70001 WHERE id = 60003;
    DELETE FROM data_source WHERE id = 70001;
    PERFORM pg_temp.expect('data source delete',
        format('%s %s %s', (SELECT data_source_id IS NULL FROM observation WHERE id = 60003),
               (SELECT count(*) FROM client_data_source WHERE data_source_id = 70001),
               (SELECT count(*) FROM data_source_supported_scope WHERE data_source_id = 70001)),
        't 0 0');

    -- codeable_concept delete refused while referenced
    BEGIN
        DELETE FROM codeable_concept WHERE id = 50002;
        RAISE EXCEPTION 'CHECK FAILED: referenced codeable_concept deleted';
    EXCEPTION WHEN foreign_key_violation THEN NULL;
    END;
    DELETE FROM codeable_concept WHERE id = 50016;   -- unreferenced: allowed

    -- ROOT cannot be deleted
    BEGIN
        DELETE FROM organization WHERE id = 0;
        RAISE EXCEPTION 'CHECK FAILED: ROOT deleted';
    EXCEPTION WHEN restrict_violation THEN NULL;
    END;
END
$$;
RESET ROLE;
ROLLBACK TO SAVEPOINT delete_rules;

-- constraint spot checks
SAVEPOINT constraints;
DO $$
DECLARE
    stmt text;
BEGIN
    FOREACH stmt IN ARRAY ARRAY[
        $s$INSERT INTO organization (id, name, type, part_of_id) VALUES (900001, 'X', 'root', 0)$s$,
        $s$INSERT INTO organization (id, name, type) VALUES (900001, 'X', 'edu')$s$,
        $s$INSERT INTO organization (id, name, type, part_of_id) VALUES (900001, 'X', 'nope', 0)$s$,
        $s$INSERT INTO practitioner_organization (id, practitioner_id, organization_id, role) VALUES (900001, 80001, 20001, 'owner')$s$,
        $s$INSERT INTO practitioner_organization (id, practitioner_id, organization_id) VALUES (900001, 80002, 20001)$s$,
        $s$INSERT INTO jhe_user (id, email) VALUES (900001, 'MANAGER_MARY@example.com')$s$,
        $s$INSERT INTO jhe_setting (id, key, value_type, value_string, value_int) VALUES (900001, 'x', 'string', 'a', 1)$s$,
        $s$INSERT INTO observation (id, subject_patient_id, codeable_concept_id, omh_data, status) VALUES (900001, 40001, 50002, '{}', 'bogus')$s$,
        $s$INSERT INTO oauth_application (id, client_id, client_type, authorization_grant_type) VALUES (900001, 'c', 'confidential', 'client-credentials')$s$,
        $s$INSERT INTO patient_identifier (id, patient_id, system, value) VALUES (900001, 40002, 'urn:oid:1.2.3.4', 'E1234')$s$,
        $s$INSERT INTO study_patient_scope_consent (id, study_patient_id, scope_code_id, consented) VALUES (900001, 1, 50002, false)$s$
    ] LOOP
        BEGIN
            EXECUTE stmt;
            RAISE EXCEPTION 'CHECK FAILED: accepted: %', stmt;
        EXCEPTION WHEN check_violation OR unique_violation OR not_null_violation THEN
            NULL;
        END;
    END LOOP;
END
$$;
INSERT INTO observation (id, subject_patient_id, codeable_concept_id, omh_data, effective_period_start)
VALUES (900001, 40001, 50002, '{}', '2025-01-02T07:30:00Z');
SELECT pg_temp.expect('generated effective_at from period start',
    (SELECT effective_at = '2025-01-02T07:30:00Z'::timestamptz FROM observation WHERE effective_date_time IS NULL)::text,
    'true');
ROLLBACK TO SAVEPOINT constraints;

-- ---------------------------------------------------------------------------------------
-- 7. flush + re-seed (as the owner), then the same checks again
-- ---------------------------------------------------------------------------------------
SAVEPOINT flush_reseed;
SELECT count(*) AS audit_rows_before FROM audit_event \gset
SET LOCAL ROLE jhe_owner;
\ir ../../sql/seed/flush.sql
RESET ROLE;
SELECT pg_temp.expect('after flush: only ROOT',
    pg_temp.counts(),
    'client_data_source=0 codeable_concept=0 data_source=0 data_source_supported_scope=0 '
    'jhe_client=0 jhe_setting=0 jhe_user=0 login_throttle=0 oauth_access_token=0 '
    'oauth_application=0 oauth_authorization_code=0 oauth_refresh_token=0 '
    'oauth_token_family=0 observation=0 observation_count=0 observation_identifier=0 organization=1 '
    'patient=0 patient_identifier=0 patient_invitation=0 patient_organization=0 '
    'practitioner=0 practitioner_client=0 practitioner_organization=0 study=0 '
    'study_client=0 study_data_source=0 study_patient=0 study_patient_scope_consent=0 '
    'study_scope_request=0 web_session=0');
SELECT pg_temp.expect('after flush: identities restarted',
    format('%s %s %s %s %s', pg_temp.next_id('jhe_user'), pg_temp.next_id('organization'),
           pg_temp.next_id('observation'), pg_temp.next_id('oauth_application'),
           pg_temp.next_id('practitioner_organization')),
    '10001 20001 60001 1 1');
SELECT pg_temp.expect('after flush: audit_event untouched',
    (SELECT count(*) FROM audit_event)::text, :'audit_rows_before');
SELECT pg_temp.expect('after flush: schema_migration untouched',
    (SELECT count(*) >= 3 FROM schema_migration)::text, 'true');
SELECT set_config('jhe.seed_password_hash', '$argon2id$v=19$m=19456,t=2,p=1$c2VlZGNoZWNr$c2VlZGNoZWNrc2VlZGNoZWNr', true) AS hash,
       set_config('jhe.site_url', 'https://jhe.example.org/', true) AS url \gset reseed_
SET LOCAL ROLE jhe_owner;
\ir ../../sql/seed/reference.sql
\ir ../../sql/seed/base.sql
\ir ../../sql/seed/sequences.sql
RESET ROLE;
SELECT pg_temp.check_seeded_state();
SELECT pg_temp.expect('re-seed: site.url without trailing slash',
    (SELECT value_string FROM jhe_setting WHERE key = 'site.url'), 'https://jhe.example.org');
SELECT pg_temp.expect('re-seed: redirect uris',
    (SELECT string_agg(DISTINCT redirect_uris, ',') FROM oauth_application), 'https://jhe.example.org/auth/callback');
SELECT pg_temp.expect('re-seed: visibility', pg_temp.visible(10005), '60001,60002,60003,60004,60005,60006,60007,60009');
ROLLBACK TO SAVEPOINT flush_reseed;

ROLLBACK;
\echo 'check_seed.sql: all checks passed'
