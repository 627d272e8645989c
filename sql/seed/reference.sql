-- seed/reference.sql: the reference data a production system needs (seed.md §3-§6 without the
-- demonstration rows): the settings, the scopes (data types), the data sources and their
-- supported scopes, and the console's OAuth client `jhe-admin-ui`, with the ids of seed.md.
--
-- Run by `jhe-admin init` and, before base.sql, by `jhe-admin seed`, in the caller's transaction,
-- after:  SELECT set_config('jhe.site_url', $1, true);   -- JHE_SITE_URL
-- Idempotent: a row is added only when its id and its natural key are both free; existing rows
-- (an operator's edits) are never changed. seed/sequences.sql moves the identity sequences on.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM organization WHERE id = 0) THEN
        RAISE EXCEPTION 'the ROOT organization (id 0) is missing; run jhe-admin migrate';
    END IF;
    IF coalesce(current_setting('jhe.site_url', true), '') = '' THEN
        RAISE EXCEPTION 'jhe.site_url is not set';
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------------
-- §3 Settings (ids 1-16 in this order)
-- ---------------------------------------------------------------------------------------
INSERT INTO jhe_setting (id, key, value_type, value_string, value_int, value_bool, value_json) VALUES
    (1,  'site.url',                                        'string', rtrim(current_setting('jhe.site_url'), '/'), NULL, NULL, NULL),
    (2,  'site.ui.title',                                   'string', 'JupyterHealth Exchange', NULL, NULL, NULL),
    (3,  'site.time_zone',                                  'string', 'America/Los_Angeles', NULL, NULL, NULL),
    (4,  'site.registration_invite_code',                   'string', 'jhe', NULL, NULL, NULL),
    (5,  'auth.default_orgs',                               'string', '', NULL, NULL, NULL),
    (6,  'auth.sso.saml2',                                  'int',    NULL, 0, NULL, NULL),
    (7,  'auth.sso.valid_domains',                          'string', '', NULL, NULL, NULL),
    (8,  'auth.patient.invitation_expiration_days',         'int',    NULL, 7, NULL, NULL),
    (9,  'auth.patient.invitation_redemption_window_hours', 'int',    NULL, 12, NULL, NULL),
    (10, 'auth.patient_access_clients',                     'json',   NULL, NULL, NULL, '[]'),
    (11, 'auth.sof.trusted_issuers',                        'json',   NULL, NULL, NULL,
         '["https://fhir.epic.com/interconnect-fhir-oauth/oauth2"]'),
    (12, 'auth.sof.trusted_audience',                       'string', '77849e74-8e2a-4c2f-826c-bdbef6da3357', NULL, NULL, NULL),
    (13, 'module.ow',                                       'bool',   NULL, NULL, false, NULL),
    (14, 'ow.sync_in_progress',                             'string', '', NULL, NULL, NULL),
    (15, 'ow.api_url',                                      'string', 'http://localhost:8001', NULL, NULL, NULL),
    (16, 'ow.api_key',                                      'string', '', NULL, NULL, NULL)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------
-- §4 Scopes
-- ---------------------------------------------------------------------------------------
INSERT INTO codeable_concept (id, coding_system, coding_code, text) VALUES
    (50001, 'https://w3id.org/openmhealth',       'omh:blood-glucose:4.0',                     'Blood glucose'),
    (50002, 'https://w3id.org/openmhealth',       'omh:blood-pressure:4.0',                    'Blood pressure'),
    (50003, 'https://w3id.org/openmhealth',       'omh:body-temperature:4.0',                  'Body temperature'),
    (50004, 'https://w3id.org/openmhealth',       'omh:heart-rate:2.0',                        'Heart Rate'),
    (50005, 'https://w3id.org/openmhealth',       'omh:oxygen-saturation:2.0',                 'Oxygen saturation'),
    (50006, 'https://w3id.org/openmhealth',       'omh:respiratory-rate:2.0',                  'Respiratory rate'),
    (50007, 'https://w3id.org/openmhealth',       'omh:rr-interval:1.0',                       'RR Interval'),
    (50008, 'https://w3id.org/openmhealth',       'omh:body-weight:3.0',                       'Body weight'),
    (50009, 'https://w3id.org/openmhealth',       'omh:forced-vital-capacity:1.0',             'Forced vital capacity'),
    (50010, 'https://w3id.org/openmhealth',       'omh:forced-expiratory-volume-1-second:1.0', 'Forced expiratory volume 1 second'),
    (50011, 'http://hl7.org/fhir/resource-types', 'QuestionnaireResponse',                     'FHIR QuestionnaireResponse'),
    (50012, 'https://w3id.org/openmhealth',       'omh:physical-activity:1.2',                 'Physical activity'),
    (50013, 'https://w3id.org/openmhealth',       'omh:step-count:3.0',                        'Step count'),
    (50014, 'https://w3id.org/ieee1752',          'ieee:sleep-stage-summary:1.0',              'Sleep stage summary'),
    (50015, 'https://w3id.org/openmhealth',       'omh:sleep-episode:1.1',                     'Sleep episode'),
    (50016, 'https://w3id.org/openmhealth',       'omh:sleep-duration:2.0',                    'Sleep duration')
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------
-- §5 Data sources and supported scopes
-- ---------------------------------------------------------------------------------------
-- data_source.name is not unique: a row is added only when neither its id nor its name exists.
INSERT INTO data_source (id, name, type, last_updated)
SELECT v.id, v.name, v.type, now() FROM (VALUES
    (70001, 'CareX',              'personal_device'),
    (70002, 'Dexcom',             'personal_device'),
    (70003, 'iHealth',            'personal_device'),
    (70004, 'Oura',               'personal_device'),
    (70005, 'Questionnaire',      'patient_app'),
    (70006, 'Patient Access API', 'medical_device')
) AS v (id, name, type)
WHERE NOT EXISTS (SELECT 1 FROM data_source d WHERE d.id = v.id OR d.name = v.name)
ORDER BY v.id;

INSERT INTO data_source_supported_scope (id, data_source_id, scope_code_id)
SELECT v.id, v.ds, v.cc FROM (VALUES
    (1, 70001, 50002),   -- CareX: BP
    (2, 70001, 50004),   -- CareX: HR
    (3, 70002, 50001),   -- Dexcom: BG
    (4, 70003, 50003),   -- iHealth: BT
    (5, 70003, 50004),   -- iHealth: HR
    (6, 70004, 50004),   -- Oura: HR
    (7, 70005, 50011)    -- Questionnaire: QR
) AS v (id, ds, cc)
WHERE EXISTS (SELECT 1 FROM data_source WHERE id = v.ds)
  AND EXISTS (SELECT 1 FROM codeable_concept WHERE id = v.cc)
ORDER BY v.id
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------
-- §6 The console's OAuth client (id 4 of seed.md): public, authorization-code, no secret
-- ---------------------------------------------------------------------------------------
INSERT INTO oauth_application (id, client_id, name, client_type, authorization_grant_type,
                               redirect_uris, client_secret_digest, user_id, skip_authorization,
                               algorithm, created, updated) VALUES
    (4, 'jhe-admin-ui',   'JHE Admin UI',   'public', 'authorization-code',
        rtrim(current_setting('jhe.site_url'), '/') || '/auth/callback', NULL, NULL, true, 'RS256', now(), now())
ON CONFLICT DO NOTHING;
