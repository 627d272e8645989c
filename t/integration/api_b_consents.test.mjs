// Admin API part B: consents (admin-api.md §8) and observations (§11): the consent rule as
// authorization, the seed.md §11 visibility table, shapes, validation and audit rows.
import { test, after } from 'node:test';
import { BASE, get, post, patch, del, req, token, sql, assert, expectStatus, keepPractitionerSettings } from './lib.mjs';

// The sticky selections that list calls of this file change are put back afterwards.
keepPractitionerSettings(after);

const MARY = 'manager_mary@example.com';
const MEGAN = 'member_megan@example.com';
const VICTOR = 'viewer_victor@example.com';
const TOM = 'three_org_tom@example.com';
const MARK = 'manager_mark@example.com';
const ADMIN = 'admin@example.com';
const PETER = 'll_patient_peter@example.com';
const PAMELA = 'll_patient_pamela@example.com';
const t = (email) => ({ token: token(email) });
const OMH = 'https://w3id.org/openmhealth';
const BP = 'omh:blood-pressure:4.0';
const HR = 'omh:heart-rate:2.0';
const CC_KEYS = ['id', 'codingSystem', 'codingCode', 'text'];
const OBS_KEYS = ['id', 'subjectPatientId', 'patientNameFamily', 'patientNameGiven', 'jheUserId',
  'codeableConceptId', 'codingSystem', 'codingCode', 'codingText', 'dataSourceId', 'status',
  'lastUpdated', 'omhData'];

function auditRows(res) {
  const rid = res.headers.get('x-request-id');
  return sql(`SELECT action, coalesce(resource_type,''), coalesce(resource_id,''), coalesce(patient_id::text,''),
    outcome::text, coalesce(detail::text,'') FROM audit_event WHERE request_id = '${rid}' ORDER BY id`);
}

async function obsIds(email, query = '') {
  const r = await get(`/api/v1/observations${query}`, t(email));
  expectStatus(r, 200);
  return r.json.results.map((o) => o.id);
}

const body = (studyId, code, consented) => ({
  studyScopeConsents: [{ studyId, scopeConsents: [{ codingSystem: OMH, codingCode: code, ...(consented === undefined ? {} : { consented }) }] }],
});

test('GET consents as the patient: document shape and seed.md §10 state', async () => {
  const r = await get('/api/v1/patients/40001/consents', t(PETER));
  expectStatus(r, 200);
  const d = r.json;
  assert.deepEqual(Object.keys(d), ['patient', 'consolidatedConsentedScopes', 'studiesPendingConsent', 'studies']);
  assert.equal(d.patient.id, 40001);
  assert.deepEqual(d.consolidatedConsentedScopes.map((c) => c.text), ['Blood pressure', 'FHIR QuestionnaireResponse', 'Heart Rate']);
  d.consolidatedConsentedScopes.forEach((c) => assert.deepEqual(Object.keys(c), CC_KEYS));
  assert.deepEqual(d.studiesPendingConsent.map((s) => s.id), [30002]);
  const pend = d.studiesPendingConsent[0];
  assert.deepEqual(Object.keys(pend), ['id', 'name', 'description', 'organization', 'dataSources', 'pendingScopeConsents']);
  assert.deepEqual(pend.organization, { id: 20003, name: 'Lifespan Lab', type: 'laboratory' });
  assert.deepEqual(pend.dataSources.map((s) => s.name), ['CareX', 'Questionnaire']);
  assert.deepEqual(Object.keys(pend.dataSources[0]), ['id', 'name', 'type', 'supportedScopes']);
  assert.deepEqual(pend.dataSources[0].supportedScopes.map((c) => c.text), ['Blood pressure', 'Heart Rate']);
  assert.deepEqual(pend.pendingScopeConsents.map((p) => p.code.codingCode), [BP, 'QuestionnaireResponse']);
  assert.deepEqual(Object.keys(pend.pendingScopeConsents[0]), ['code', 'consented', 'consentedTime']);
  assert.equal(pend.pendingScopeConsents[0].consented, null);
  assert.equal(pend.pendingScopeConsents[0].consentedTime, null);
  assert.deepEqual(d.studies.map((s) => s.id), [30001]);
  const st = d.studies[0];
  assert.deepEqual(Object.keys(st), ['id', 'name', 'description', 'organization', 'dataSources', 'scopeConsents']);
  assert.deepEqual(st.scopeConsents.map((c) => c.code.id), [50002, 50004, 50011]);
  assert.equal(st.scopeConsents[0].consented, true);
  assert.match(st.scopeConsents[0].consentedTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
  assert.deepEqual(auditRows(r)[0].slice(0, 5), ['read', 'Consent', '', '40001', '200']);
});

test('GET consents: access rules of §8.1/§8.2', async () => {
  let r = await get('/api/v1/patients/40001/consents', t(MARY));
  expectStatus(r, 200);
  assert.deepEqual(r.json.studies.map((s) => s.id), [30001]);
  r = await get('/api/v1/patients/40001/consents', t(MARK));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'This Practitioner not authorized to access this Patient' });
  assert.deepEqual(auditRows(r)[0].slice(0, 5), ['access.denied', 'Consent', '', '40001', '403']);
  r = await get('/api/v1/patients/40001/consents', t(PAMELA));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'The Patient does not match the current patient user.' });
  r = await get('/api/v1/patients/49999/consents', t(MARY));
  expectStatus(r, 404);
  assert.deepEqual(r.json, { detail: 'No Patient matches the given query.' });
  r = await get('/api/v1/patients/40001/consents', t(ADMIN));
  expectStatus(r, 403);
  // a practitioner sees only studies of its own organizations: Pat (40005) for tom
  r = await get('/api/v1/patients/40005/consents', t(TOM));
  expectStatus(r, 200);
  assert.deepEqual(r.json.studies.map((s) => s.id), [30005]);
  r = await get('/api/v1/patients/40005/consents', t('ccl_cardio_patient_pat@example.com'));
  assert.deepEqual(r.json.studies.map((s) => s.id), [30003, 30005]);
  r = await get('/api/v1/patients/40001/consents?reset=true', t(MARY));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'Only superusers can reset consents.' });
});

test('observations: seed.md §11 visibility table through /api/v1/observations', async () => {
  assert.deepEqual(await obsIds(MARY), [60005, 60004, 60003, 60002, 60001]);
  assert.deepEqual(await obsIds(MARY, '?studyId=30001'), [60005, 60004, 60003, 60002, 60001]);
  assert.deepEqual(await obsIds(MARY, '?studyId=30002'), [60005, 60003]);
  assert.deepEqual(await obsIds(MEGAN), [60005, 60004, 60003, 60002, 60001]);
  assert.deepEqual(await obsIds(VICTOR), [60005, 60004, 60003, 60002, 60001]);
  assert.deepEqual(await obsIds(TOM), [60009, 60007, 60006, 60005, 60004, 60003, 60002, 60001]);
  assert.deepEqual(await obsIds(TOM, '?studyId=30005'), [60009, 60007]);
  assert.deepEqual(await obsIds(TOM, '?organizationId=20007'), [60006]);
  assert.deepEqual(await obsIds(MARK), [60008, 60006]);
  assert.deepEqual(await obsIds(ADMIN), []);
  assert.deepEqual(await obsIds(MARY, '?patientId=40002'), [60005, 60004, 60003]);
  assert.deepEqual(await obsIds(MARY, '?observation_id=60002'), [60002]);
  assert.deepEqual(await obsIds(MARY, '?studyId=30004'), []);
  const r = await get('/api/v1/observations', t(PETER));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'Only practitioner users can list observations.' });
  assert.equal(auditRows(r)[0][0], 'access.denied');
  const bad = await get('/api/v1/observations?patientId=x', t(MARY));
  expectStatus(bad, 400);
  assert.deepEqual(bad.json, ['patientId must be an integer.']);
});

test('observations: row shape, omhData untouched, paging, audit search row', async () => {
  const r = await get('/api/v1/observations?patientId=40001&pageSize=1', t(MARY));
  expectStatus(r, 200);
  assert.equal(r.json.count, 2);
  assert.equal(r.json.next, `${BASE}/api/v1/observations?page=2&pageSize=1&patientId=40001`);
  const o = r.json.results[0];
  assert.deepEqual(Object.keys(o), OBS_KEYS);
  assert.equal(o.id, 60002);
  assert.equal(o.subjectPatientId, 40001);
  assert.equal(o.patientNameGiven, 'LlPatientPeter');
  assert.equal(o.jheUserId, 10006);
  assert.equal(o.codeableConceptId, 50004);
  assert.equal(o.codingCode, HR);
  assert.equal(o.codingText, 'Heart Rate');
  assert.equal(o.dataSourceId, null);
  assert.equal(o.status, 'final');
  assert.match(o.lastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
  assert.deepEqual(o.omhData.body.heart_rate, { unit: 'beats/min', value: 67.5 });
  assert.ok(o.omhData.header.schema_id);
  assert.ok(o.omhData.body.effective_time_frame.date_time);
  const rows = auditRows(r);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].slice(0, 5), ['search', 'Observation', '', '40001', '200']);
  assert.deepEqual(JSON.parse(rows[0][5]), { query: 'patientId=40001&pageSize=1', count: 1, patientIds: [40001] });
  // follow next to the end without duplicates
  const seen = [];
  let url = '/api/v1/observations?pageSize=2';
  while (url) {
    const p = await get(url, t(TOM));
    expectStatus(p, 200);
    seen.push(...p.json.results.map((x) => x.id));
    url = p.json.next;
  }
  assert.deepEqual(seen, [60009, 60007, 60006, 60005, 60004, 60003, 60002, 60001]);
  expectStatus(await get('/api/v1/observations?page=5&pageSize=2', t(TOM)), 404);
  // sticky selection
  await get('/api/v1/observations?organizationId=20008', t(TOM));
  assert.deepEqual(JSON.parse(sql('SELECT settings::text FROM practitioner WHERE id = 80005')[0][0]), { current_organization_id: 20008 });
  await get('/api/v1/observations?organizationId=20008&studyId=30005', t(TOM));
  assert.deepEqual(JSON.parse(sql('SELECT settings::text FROM practitioner WHERE id = 80005')[0][0]),
    { current_organization_id: 20008, current_study_id: 30005 });
});

test('observations/{id}: detail and delete rules', async () => {
  let r = await get('/api/v1/observations/60001', t(MARY));
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.json), OBS_KEYS);
  assert.deepEqual(auditRows(r)[0].slice(0, 5), ['read', 'Observation', '60001', '40001', '200']);
  r = await get('/api/v1/observations/60001', t(MARK));
  expectStatus(r, 404);
  assert.deepEqual(r.json, { detail: 'No Observation matches the given query.' });
  r = await get('/api/v1/observations/60001', t(PETER));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'Only practitioner users can list observations.' });
  expectStatus(await get('/api/v1/observations/69999', t(MARY)), 404);
  for (const m of ['POST', 'PUT', 'PATCH']) {
    const x = await req(m, '/api/v1/observations', { ...t(MARY), body: {} });
    expectStatus(x, 405);
  }
  const id = sql(`INSERT INTO observation (subject_patient_id, codeable_concept_id, omh_data)
    VALUES (40001, 50002, '{"header":{},"body":{}}') RETURNING id`)[0][0];
  r = await del(`/api/v1/observations/${id}`, undefined, t(VICTOR));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'You do not have permission to perform this action.' });
  assert.deepEqual(auditRows(r)[0].slice(0, 5), ['access.denied', 'Observation', id, '40001', '403']);
  r = await del(`/api/v1/observations/${id}`, undefined, t(PETER));
  expectStatus(r, 403);
  r = await del('/api/v1/observations/60003', undefined, t(PETER));
  expectStatus(r, 404);
  r = await del(`/api/v1/observations/${id}`, undefined, t(MARK));
  expectStatus(r, 404);
  r = await del(`/api/v1/observations/${id}`, undefined, t(MEGAN));
  expectStatus(r, 204);
  assert.deepEqual(auditRows(r)[0].slice(0, 5), ['delete', 'Observation', id, '40001', '204']);
  assert.equal(sql(`SELECT count(*) FROM observation WHERE id = ${id}`)[0][0], '0');
  const id2 = sql(`INSERT INTO observation (subject_patient_id, codeable_concept_id, omh_data)
    VALUES (40003, 50003, '{"header":{},"body":{}}') RETURNING id`)[0][0];
  expectStatus(await del(`/api/v1/observations/${id2}`, undefined, t(ADMIN)), 204);
});

test('consent is authorization: revoking hides data from the next request, granting shows it again', async () => {
  // Peter revokes BP in study 30001
  let r = await patch('/api/v1/patients/40001/consents', body(30001, BP, false), t(PETER));
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.json), ['studyScopeConsents']);
  const row = r.json.studyScopeConsents[0];
  assert.deepEqual(Object.keys(row), ['id', 'studyPatient', 'scopeCode', 'consented', 'consentedTime']);
  assert.deepEqual(row.studyPatient, { id: 1, study: 30001, patient: 40001 });
  assert.deepEqual(Object.keys(row.scopeCode), CC_KEYS);
  assert.equal(row.consented, false);
  const rows = auditRows(r);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].slice(0, 5), ['update', 'Consent', String(row.id), '40001', '200']);
  assert.deepEqual(JSON.parse(rows[0][5]), { studyId: 30001, code: `${OMH}|${BP}`, old: true, new: false });
  assert.deepEqual(await obsIds(MARY), [60005, 60004, 60003, 60002]);
  expectStatus(await get('/api/v1/observations/60001', t(MARY)), 404);
  let doc = await get('/api/v1/patients/40001/consents', t(PETER));
  assert.equal(doc.json.studies[0].scopeConsents[0].consented, false);
  assert.deepEqual(doc.json.consolidatedConsentedScopes.map((c) => c.text), ['FHIR QuestionnaireResponse', 'Heart Rate']);
  // granted again (snake_case body, as patient apps send it): Peter has signed in, so only he can
  // (doc/admin-api-notes.md, consent on a patient's behalf); Mary's change is refused, nothing written
  const snake = { study_scope_consents: [{ study_id: 30001, scope_consents: [
    { coding_system: OMH, coding_code: BP, consented: true }] }] };
  r = await patch('/api/v1/patients/40001/consents', snake, t(MARY));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'This patient has signed in; only the patient can record or change their consent.' });
  assert.deepEqual(await obsIds(MARY), [60005, 60004, 60003, 60002]);
  r = await patch('/api/v1/patients/40001/consents', snake, t(PETER));
  expectStatus(r, 200);
  assert.deepEqual(await obsIds(MARY), [60005, 60004, 60003, 60002, 60001]);
  // POST the pending one in 30002: the study filter now shows Peter's BP
  r = await post('/api/v1/patients/40001/consents', body(30002, BP, true), t(PETER));
  expectStatus(r, 201);
  assert.deepEqual(JSON.parse(auditRows(r)[0][5]), { studyId: 30002, code: `${OMH}|${BP}`, old: null, new: true });
  assert.deepEqual(await obsIds(MARY, '?studyId=30002'), [60005, 60003, 60001]);
  doc = await get('/api/v1/patients/40001/consents', t(PETER));
  assert.deepEqual(doc.json.studiesPendingConsent[0].pendingScopeConsents.map((p) => p.code.codingCode), ['QuestionnaireResponse']);
  assert.deepEqual(doc.json.studies.map((s) => s.id), [30001, 30002]);
  r = await post('/api/v1/patients/40001/consents', body(30002, BP, true), t(PETER));
  expectStatus(r, 409);
  assert.deepEqual(r.json, { detail: `Consent for ${OMH}|${BP} in study 30002 already exists; use PATCH.` });
  // DELETE (consented omitted) makes it pending again and hides the row under the filter
  r = await del('/api/v1/patients/40001/consents', body(30002, BP), t(MEGAN));
  expectStatus(r, 204);
  assert.equal(r.text, '');
  assert.deepEqual(JSON.parse(auditRows(r)[0][5]), { studyId: 30002, code: `${OMH}|${BP}`, old: true, new: null });
  assert.deepEqual(await obsIds(MARY, '?studyId=30002'), [60005, 60003]);
  expectStatus(await del('/api/v1/patients/40001/consents', body(30002, BP), t(MEGAN)), 204);
  r = await patch('/api/v1/patients/40001/consents', body(30002, BP, true), t(PETER));
  expectStatus(r, 404);
  assert.deepEqual(r.json, { detail: `No consent for ${OMH}|${BP} in study 30002; use POST.` });
  // removing the scope request hides consented data too (consent counts only while requested)
  sql('DELETE FROM study_scope_request WHERE id = 2');
  assert.deepEqual(await obsIds(MARY), [60005, 60003, 60001]);
  sql('INSERT INTO study_scope_request (id, study_id, scope_code_id) VALUES (2, 30001, 50004)');
  assert.deepEqual(await obsIds(MARY), [60005, 60004, 60003, 60002, 60001]);
});

test('consent writes: who may write, validation in order, nothing partially written', async () => {
  const before = sql('SELECT count(*), max(consented_time)::text FROM study_patient_scope_consent')[0];
  let r = await post('/api/v1/patients/40001/consents', body(30002, BP, true), t(VICTOR));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'Practitioner role is not valid.' });
  assert.equal(auditRows(r)[0][0], 'access.denied');
  r = await post('/api/v1/patients/40001/consents', body(30002, BP, true), t(MARK));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: "Practitioner doesn't have right now for patient." });
  r = await post('/api/v1/patients/40001/consents', body(30009, BP, true), t(MARY));
  assert.deepEqual(r.json, { detail: "Practitioner doesn't have right now for patient." });
  r = await post('/api/v1/patients/40001/consents', body(30002, BP, true), t(PAMELA));
  assert.deepEqual(r.json, { detail: 'The Patient does not match the current patient user.' });
  r = await post('/api/v1/patients/40001/consents', body(30009, BP, true), t(PETER));
  expectStatus(r, 400);
  assert.deepEqual(r.json, ['Patient 40001 is not enrolled in study 30009.']);
  // a superuser passes the role checks of step 2 but Peter has signed in: only he records consent
  r = await post('/api/v1/patients/40001/consents', body(30009, BP, true), t(ADMIN));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'This patient has signed in; only the patient can record or change their consent.' });
  r = await post('/api/v1/patients/40001/consents', {}, t(PETER));
  assert.deepEqual(r.json, { studyScopeConsents: ['This field is required.'] });
  r = await post('/api/v1/patients/40001/consents', { studyScopeConsents: [] }, t(PETER));
  assert.deepEqual(r.json, { studyScopeConsents: ['This field is required.'] });
  r = await post('/api/v1/patients/40001/consents', { studyScopeConsents: [{ studyId: 'x', scopeConsents: [] }] }, t(PETER));
  assert.deepEqual(r.json, ['studyScopeConsents[0].studyId is required.']);
  r = await post('/api/v1/patients/40001/consents', { studyScopeConsents: [{ studyId: 30002, scopeConsents: [] }] }, t(PETER));
  assert.deepEqual(r.json, ['studyScopeConsents[0].scopeConsents is required.']);
  r = await post('/api/v1/patients/40001/consents', { studyScopeConsents: [{ studyId: 30002, scopeConsents: [
    { codingSystem: OMH, codingCode: BP, consented: true }, { codingSystem: OMH }] }] }, t(PETER));
  assert.deepEqual(r.json, ['studyScopeConsents[0].scopeConsents[1].codingCode is required.']);
  r = await post('/api/v1/patients/40001/consents', body(30002, BP, 'yes'), t(PETER));
  assert.deepEqual(r.json, ['studyScopeConsents[0].scopeConsents[0].consented must be true or false.']);
  r = await post('/api/v1/patients/40001/consents', body(30002, 'omh:x:1.0', true), t(PETER));
  assert.deepEqual(r.json, [`Unknown scope ${OMH}|omh:x:1.0.`]);
  r = await post('/api/v1/patients/40001/consents', body(30002, HR, true), t(PETER));
  assert.deepEqual(r.json, [`Study 30002 does not request scope ${OMH}|${HR}.`]);
  r = await post('/api/v1/patients/40001/consents', { studyScopeConsents: [
    { studyId: 30002, scopeConsents: [{ codingSystem: OMH, codingCode: BP, consented: true }] },
    { studyId: 30002, scopeConsents: [{ codingSystem: OMH, codingCode: BP, consented: false }] }] }, t(PETER));
  assert.deepEqual(r.json, [`Duplicate scope ${OMH}|${BP} for study 30002.`]);
  // first item fine, second 409: nothing written
  r = await post('/api/v1/patients/40001/consents', { studyScopeConsents: [
    { studyId: 30002, scopeConsents: [{ codingSystem: OMH, codingCode: BP, consented: true }] },
    { studyId: 30001, scopeConsents: [{ codingSystem: OMH, codingCode: HR, consented: true }] }] }, t(PETER));
  expectStatus(r, 409);
  assert.deepEqual(sql('SELECT count(*), max(consented_time)::text FROM study_patient_scope_consent')[0], before);
  assert.deepEqual(auditRows(r)[0].slice(0, 5), ['create', 'Consent', '', '40001', '409']);
});

test('consents reset (superusers only) and audit rows per deleted row', async () => {
  const p = (await post('/api/v1/patients', { organizationId: 20003, telecomEmail: `reset.${Date.now()}@example.com` }, t(MARY))).json;
  expectStatus(await post('/api/v1/studies/30001/patients', { patientIds: [p.id] }, t(MARY)), 201);
  expectStatus(await post(`/api/v1/patients/${p.id}/consents`, { studyScopeConsents: [{ studyId: 30001, scopeConsents: [
    { codingSystem: OMH, codingCode: BP, consented: true }, { codingSystem: OMH, codingCode: HR, consented: false }] }] }, t(MEGAN)), 201);
  const r = await get(`/api/v1/patients/${p.id}/consents?reset=true`, t(ADMIN));
  expectStatus(r, 200);
  assert.deepEqual(r.json, { resetCount: 2 });
  const rows = auditRows(r);
  assert.equal(rows.length, 2);
  assert.ok(rows.every((x) => x[0] === 'delete' && x[1] === 'Consent' && x[3] === String(p.id)));
  expectStatus(await del(`/api/v1/patients/${p.id}?organizationId=20003`, undefined, t(MARY)), 204);
});
