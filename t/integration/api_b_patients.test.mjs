// Admin API part B: /api/v1/patients (admin-api.md §7), /studies/{id}/patients (§10) and the
// audit rows they write (data-model.md §7), against the seeded stack.
import { test, after } from 'node:test';
import { BASE, get, post, patch, put, del, req, token, sql, assert, expectStatus, keepPractitionerSettings } from './lib.mjs';

// The sticky selections that list calls of this file change are put back afterwards.
keepPractitionerSettings(after);

const MARY = 'manager_mary@example.com';
const MEGAN = 'member_megan@example.com';
const VICTOR = 'viewer_victor@example.com';
const MARK = 'manager_mark@example.com';
const ADMIN = 'admin@example.com';
const PETER = 'll_patient_peter@example.com';
const t = (email) => ({ token: token(email) });

const PATIENT_KEYS = ['id', 'jheUserId', 'identifiers', 'nameFamily', 'nameGiven', 'birthDate',
  'telecomPhone', 'telecomEmail', 'organizations'];
const ORG_KEYS = ['id', 'name', 'type', 'partOf', 'currentUserRole', 'children'];

let uniq = 0;
const email = (p = 'pb') => `${p}.${process.pid}.${Date.now()}.${++uniq}@Example.COM`;

function assertPatientShape(p) {
  assert.deepEqual(Object.keys(p), PATIENT_KEYS);
  assert.equal(typeof p.id, 'number');
  assert.equal(typeof p.jheUserId, 'number');
  assert.ok(Array.isArray(p.identifiers));
  for (const i of p.identifiers) assert.deepEqual(Object.keys(i), ['id', 'system', 'value']);
  for (const k of ['nameFamily', 'nameGiven', 'birthDate', 'telecomPhone']) {
    assert.ok(p[k] === null || typeof p[k] === 'string', k);
  }
  assert.equal(typeof p.telecomEmail, 'string');
  for (const o of p.organizations) {
    assert.deepEqual(Object.keys(o), ORG_KEYS);
    assert.equal(o.currentUserRole, null);
    assert.deepEqual(o.children, []);
  }
}

// Audit rows of one request id: [action, resource_type, resource_id, patient_id, outcome, detail]
function auditRows(res) {
  const rid = res.headers.get('x-request-id');
  assert.ok(rid, 'x-request-id');
  return sql(`SELECT action, coalesce(resource_type,''), coalesce(resource_id,''), coalesce(patient_id::text,''),
    outcome::text, coalesce(detail::text,''), coalesce(user_id::text,'') FROM audit_event WHERE request_id = '${rid}' ORDER BY id`);
}

async function createPatient(body, who = MARY) {
  const r = await post('/api/v1/patients', body, t(who));
  expectStatus(r, 201);
  return r.json;
}

test('GET /patients/{id}: shape, seeded values (seed.md §8.1) and audit read row', async () => {
  const r = await get('/api/v1/patients/40001', t(MEGAN));
  expectStatus(r, 200);
  assertPatientShape(r.json);
  assert.equal(r.json.id, 40001);
  assert.equal(r.json.jheUserId, 10006);
  assert.equal(r.json.nameFamily, 'Smith');
  assert.equal(r.json.nameGiven, 'LlPatientPeter');
  assert.equal(r.json.birthDate, '1987-04-12');
  assert.equal(r.json.telecomPhone, '+1-555-010-0006');
  assert.equal(r.json.telecomEmail, PETER);
  assert.deepEqual(r.json.identifiers.map((i) => [i.id, i.system, i.value]),
    [[1, 'https://openwearables.io/ns/patient-id', 'abc123'], [2, 'urn:oid:1.2.3.4', 'E1234']]);
  assert.deepEqual(r.json.organizations.map((o) => o.id), [20003]);
  const rows = auditRows(r);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].slice(0, 5), ['read', 'Patient', '40001', '40001', '200']);
  assert.equal(rows[0][6], '10003');
});

test('GET /patients/{id}: 404 unknown, 403 not shared (audited as access.denied), own record for the patient', async () => {
  let r = await get('/api/v1/patients/49999', t(MARY));
  expectStatus(r, 404);
  assert.deepEqual(r.json, { detail: 'No Patient matches the given query.' });
  assert.deepEqual(auditRows(r)[0].slice(0, 5), ['read', 'Patient', '49999', '49999', '404']);
  r = await get('/api/v1/patients/40003', t(MARY));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'Current User does not have authorization to access this Patient.' });
  const rows = auditRows(r);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].slice(0, 5), ['access.denied', 'Patient', '40003', '40003', '403']);
  r = await get('/api/v1/patients/40001', t(PETER));
  expectStatus(r, 200);
  r = await get('/api/v1/patients/40002', t(PETER));
  expectStatus(r, 403);
  r = await get('/api/v1/patients/40001', t(ADMIN)); // superusers need shares too
  expectStatus(r, 403);
  r = await get('/api/v1/patients/abc', t(MARY));
  expectStatus(r, 404);
  assert.deepEqual(r.json, { detail: 'Not found.' });
});

test('GET /patients: filters, scoping, count 0 for patients and superusers without memberships', async () => {
  let r = await get('/api/v1/patients?organizationId=20003', t(MEGAN));
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.json), ['count', 'next', 'previous', 'results']);
  assert.equal(r.json.count, 2);
  assert.deepEqual(r.json.results.map((p) => p.id), [40001, 40002]);
  r.json.results.forEach(assertPatientShape);
  r = await get('/api/v1/patients?organization_id=20007', t(MEGAN)); // not a member of 20007
  expectStatus(r, 200);
  assert.equal(r.json.count, 0);
  r = await get('/api/v1/patients?studyId=30005', t('three_org_tom@example.com'));
  assert.deepEqual(r.json.results.map((p) => p.id), [40004, 40005]);
  r = await get('/api/v1/patients?patientId=40002', t(MARY));
  assert.deepEqual(r.json.results.map((p) => p.id), [40002]);
  r = await get('/api/v1/patients?patientIdentifierValue=E1234', t(MARY));
  assert.deepEqual(r.json.results.map((p) => p.id), [40001]);
  r = await get('/api/v1/patients?patient_identifier_value=E1234', t(MARK));
  assert.equal(r.json.count, 0);
  r = await get('/api/v1/patients', t(MARK));
  assert.deepEqual(r.json.results.map((p) => p.id), [40003, 40005]);
  r = await get('/api/v1/patients', t(PETER));
  expectStatus(r, 200);
  assert.deepEqual(r.json, { count: 0, next: null, previous: null, results: [] });
  r = await get('/api/v1/patients', t(ADMIN));
  assert.equal(r.json.count, 0);
  r = await get('/api/v1/patients?organizationId=abc', t(MARY));
  expectStatus(r, 400);
  assert.deepEqual(r.json, ['organizationId must be an integer.']);
  r = await get('/api/v1/patients?study_id=x', t(MARY));
  expectStatus(r, 400);
  assert.deepEqual(r.json, ['study_id must be an integer.']);
  r = await get('/api/v1/patients?page=9', t(MARY));
  expectStatus(r, 404);
  assert.deepEqual(r.json, { detail: 'Invalid page.' });
  r = await get('/api/v1/patients/', t(MARY));
  expectStatus(r, 404);
});

test('GET /patients: search audit row with query, count and patient ids', async () => {
  const r = await get('/api/v1/patients?organizationId=20003', t(MEGAN));
  const rows = auditRows(r);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].slice(0, 5), ['search', 'Patient', '', '', '200']);
  assert.deepEqual(JSON.parse(rows[0][5]), { query: 'organizationId=20003', count: 2, patientIds: [40001, 40002] });
  const one = await get('/api/v1/patients?patientId=40002', t(MEGAN));
  assert.equal(auditRows(one)[0][3], '40002');
});

test('GET /patients: sticky selection saved, study removed when absent (§17)', async () => {
  const tom = 'three_org_tom@example.com';
  await get('/api/v1/patients?organizationId=20007&studyId=30004', t(tom));
  let s = sql("SELECT settings::text FROM practitioner WHERE id = 80005")[0][0];
  assert.deepEqual(JSON.parse(s), { current_organization_id: 20007, current_study_id: 30004 });
  const prof = await get('/api/v1/users/profile', t(tom));
  assert.deepEqual(prof.json.settings, { currentOrganizationId: 20007, currentStudyId: 30004 });
  await get('/api/v1/patients?organizationId=20008', t(tom));
  s = sql("SELECT settings::text FROM practitioner WHERE id = 80005")[0][0];
  assert.deepEqual(JSON.parse(s), { current_organization_id: 20008 });
  sql(`UPDATE practitioner SET settings = '{"current_organization_id": 20008, "current_study_id": 30005}' WHERE id = 80005`);
});

test('paging: following next to the end gives every row once; absolute links; page=last', async () => {
  // 25 patients in a fresh organization-less setup: create them in Lifespan Lab
  const ids = [];
  for (let i = 0; i < 23; i++) {
    ids.push((await createPatient({ organizationId: 20003, telecomEmail: email('page') })).id);
  }
  const first = await get('/api/v1/patients?organizationId=20003&pageSize=10', t(MARY));
  expectStatus(first, 200);
  assert.equal(first.json.count, 25);
  assert.equal(first.json.previous, null);
  assert.equal(first.json.next, `${BASE}/api/v1/patients?organizationId=20003&page=2&pageSize=10`);
  const seen = [];
  let url = '/api/v1/patients?organizationId=20003&pageSize=10';
  let pages = 0;
  while (url) {
    const r = await get(url, t(MARY));
    expectStatus(r, 200);
    seen.push(...r.json.results.map((p) => p.id));
    url = r.json.next;
    if (url) assert.ok(url.startsWith('https://'), url);
    pages++;
  }
  assert.equal(pages, 3);
  assert.equal(seen.length, 25);
  assert.equal(new Set(seen).size, 25);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
  for (const id of ids) assert.ok(seen.includes(id));
  const last = await get('/api/v1/patients?organizationId=20003&pageSize=10&page=last', t(MARY));
  assert.equal(last.json.results.length, 5);
  assert.equal(last.json.previous, `${BASE}/api/v1/patients?organizationId=20003&page=2&pageSize=10`);
  const p2 = await get('/api/v1/patients?organizationId=20003&pageSize=10&page=2', t(MARY));
  assert.equal(p2.json.previous, `${BASE}/api/v1/patients?organizationId=20003&pageSize=10`);
  // clean up (removal from the last organization deletes patient and user)
  for (const id of ids) expectStatus(await del(`/api/v1/patients/${id}?organizationId=20003`, undefined, t(MARY)), 204);
});

test('POST /patients: create with both casings, user reused by email, shape equals GET, audit create row', async () => {
  const e1 = email('create');
  const r = await post('/api/v1/patients', {
    organizationId: 20003, telecomEmail: `  ${e1}  `, nameFamily: 'Smith', nameGiven: 'Anna',
    birthDate: '1990-01-03', telecomPhone: '+1 347 222 2222',
    identifiers: [{ system: 'urn:oid:1.2.3.4', value: `E-${uniq}` }],
  }, t(MEGAN));
  expectStatus(r, 201);
  assertPatientShape(r.json);
  const [local, domain] = e1.split('@');
  assert.equal(r.json.telecomEmail, `${local}@${domain.toLowerCase()}`);
  assert.equal(r.json.birthDate, '1990-01-03');
  assert.deepEqual(r.json.organizations.map((o) => o.id), [20003]);
  assert.equal(r.json.identifiers.length, 1);
  const g = await get(`/api/v1/patients/${r.json.id}`, t(MEGAN));
  assert.deepEqual(g.json, r.json);
  const rows = auditRows(r);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].slice(0, 5), ['create', 'Patient', String(r.json.id), String(r.json.id), '201']);
  const u = sql(`SELECT user_type, password IS NULL FROM jhe_user WHERE id = ${r.json.jheUserId}`)[0];
  assert.deepEqual(u, ['patient', 't']);

  // snake_case body; the email of a practitioner: refused (doc/admin-api-notes.md, patient
  // accounts), nothing written
  const nPatients = sql('SELECT count(*) FROM patient')[0][0];
  const s = await post('/api/v1/patients', {
    organization_id: 20003, telecom_email: 'VIEWER_victor@example.com', name_family: 'Miller', name_given: 'Vic',
  }, t(MARY));
  expectStatus(s, 400);
  assert.deepEqual(Object.keys(s.json), ['telecomEmail']);
  assert.equal(sql('SELECT count(*) FROM patient')[0][0], nPatients);
  assert.equal(sql('SELECT count(*) FROM patient WHERE jhe_user_id = 10004')[0][0], '0');
  // the same email again: 409 once it has a patient row
  const again = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: e1.toUpperCase() }, t(MARY));
  expectStatus(again, 409);
  assert.deepEqual(again.json, { detail: 'A patient with this email already exists; use global lookup to add them to this organization.' });
  expectStatus(await del(`/api/v1/patients/${r.json.id}?organizationId=20003`, undefined, t(MARY)), 204);
});

test('POST /patients: validation in the order of §7.2, nothing written', async () => {
  const before = sql('SELECT count(*) FROM patient')[0][0];
  let r = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email(), identifier: [], telecomCell: 'x' }, t(MARY));
  expectStatus(r, 400);
  assert.deepEqual(r.json, { identifier: ['Unknown field.'], telecomCell: ['Unknown field.'] });
  r = await post('/api/v1/patients', { organizationId: 'abc', nameFamily: 5, telecomEmail: email() }, t(MARY));
  expectStatus(r, 400);
  assert.deepEqual(r.json, { organizationId: ['A valid integer is required.'], nameFamily: ['Not a valid string.'] });
  r = await post('/api/v1/patients', { telecomEmail: email() }, t(MARY));
  assert.deepEqual(r.json, ['organizationId is required.']);
  r = await post('/api/v1/patients', { organizationId: 20007, telecomEmail: email() }, t(MARY));
  expectStatus(r, 403);
  r = await post('/api/v1/patients', { organizationId: 99999, telecomEmail: email() }, t(MARY));
  expectStatus(r, 403);
  r = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email() }, t(VICTOR));
  expectStatus(r, 403);
  r = await post('/api/v1/patients', { organizationId: 99999, telecomEmail: email() }, t(ADMIN));
  expectStatus(r, 400);
  assert.deepEqual(r.json, ['Organization not found.']);
  r = await post('/api/v1/patients', { organizationId: 0, telecomEmail: email() }, t(ADMIN));
  assert.deepEqual(r.json, ['Patients cannot be added to the ROOT organization.']);
  r = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: '   ' }, t(MARY));
  assert.deepEqual(r.json, ['Email is required to create a patient.']);
  r = await post('/api/v1/patients', { organizationId: 20003 }, t(MARY));
  assert.deepEqual(r.json, ['Email is required to create a patient.']);
  r = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: 'not-an-email' }, t(MARY));
  assert.deepEqual(r.json, ['Enter a valid email address.']);
  r = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email(), birthDate: '1990-02-30' }, t(MARY));
  assert.deepEqual(r.json, ['Enter a valid birth date (YYYY-MM-DD).']);
  r = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email(), identifiers: [{ system: 'urn:x', value: '' }] }, t(MARY));
  assert.deepEqual(r.json, ['Each identifier needs a system and a value.']);
  r = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email(), identifiers: [{ system: 'urn:oid:1.2.3.4', value: 'E5678' }, { system: 'urn:oid:1.2.3.4', value: 'E5678' }] }, t(MARY));
  assert.deepEqual(r.json, ['Duplicate identifier urn:oid:1.2.3.4|E5678.']);
  r = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email(), identifiers: [{ system: 'urn:oid:1.2.3.4', value: 'E1234' }] }, t(MARY));
  expectStatus(r, 400);
  assert.deepEqual(r.json, ['The external identifier urn:oid:1.2.3.4|E1234 is already in use by another patient.']);
  r = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email(), identifiers: 'x' }, t(MARY));
  assert.deepEqual(r.json, { identifiers: ['Expected a list of items but got type "str".'] });
  r = await req('POST', '/api/v1/patients', { body: '{"organizationId":', headers: { 'Content-Type': 'application/json' }, ...t(MARY) });
  expectStatus(r, 400);
  assert.equal(sql('SELECT count(*) FROM patient')[0][0], before);
  // denied create audited as access.denied, failed validation under the action
  const d = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email() }, t(VICTOR));
  assert.equal(auditRows(d)[0][0], 'access.denied');
  const v = await post('/api/v1/patients', { organizationId: 20003 }, t(MARY));
  assert.deepEqual(auditRows(v)[0].slice(0, 5), ['create', 'Patient', '', '', '400']);
});

test('PUT/PATCH /patients/{id}: checks in order, identifiers replaced, email unchanged', async () => {
  const p = await createPatient({ organizationId: 20003, telecomEmail: email('upd'), nameFamily: 'A',
    identifiers: [{ system: 'urn:a', value: `x${uniq}` }] });
  let r = await patch(`/api/v1/patients/${p.id}`, { nameFamily: 'B' }, t(MARY));
  expectStatus(r, 400);
  assert.deepEqual(r.json, ['organizationId parameter required']);
  r = await patch('/api/v1/patients/49999?organizationId=20003', { nameFamily: 'B' }, t(MARY));
  expectStatus(r, 404);
  r = await patch(`/api/v1/patients/${p.id}?organizationId=20003`, { nameFamily: 'B' }, t(VICTOR));
  expectStatus(r, 403);
  r = await patch(`/api/v1/patients/${p.id}?organizationId=20007`, { nameFamily: 'B' }, t(MARK));
  expectStatus(r, 400);
  assert.deepEqual(r.json, [`Patient ${p.id} is not a member of organization 20007.`]);
  r = await patch(`/api/v1/patients/${p.id}?organizationId=20003`, { nameFamily: 'B', bogus: 1, telecomEmail: 'x@y.org', id: 5 }, t(MARY));
  expectStatus(r, 400);
  assert.deepEqual(r.json, { bogus: ['Unknown field.'] });
  r = await patch(`/api/v1/patients/${p.id}?organizationId=20003`, { name_family: 'B', birthDate: '2001-05-06', telecomEmail: 'x@y.org',
    identifiers: [{ system: 'urn:b', value: `y${uniq}` }, { system: 'urn:c', value: `z${uniq}` }] }, t(MEGAN));
  expectStatus(r, 200);
  assertPatientShape(r.json);
  assert.equal(r.json.nameFamily, 'B');
  assert.equal(r.json.birthDate, '2001-05-06');
  assert.equal(r.json.telecomEmail, p.telecomEmail);
  assert.deepEqual(r.json.identifiers.map((i) => i.system), ['urn:b', 'urn:c']);
  assert.deepEqual(auditRows(r)[0].slice(0, 5), ['update', 'Patient', String(p.id), String(p.id), '200']);
  r = await put(`/api/v1/patients/${p.id}?organizationId=20003`, { birthDate: null }, t(MARY));
  expectStatus(r, 200);
  assert.equal(r.json.birthDate, null);
  assert.equal(r.json.nameFamily, 'B');
  r = await put(`/api/v1/patients/${p.id}?organizationId=20003`, { identifiers: [{ system: 'urn:oid:1.2.3.4', value: 'E1234' }] }, t(MARY));
  expectStatus(r, 400);
  assert.deepEqual(r.json, ['The external identifier urn:oid:1.2.3.4|E1234 is already in use by another patient.']);
  r = await put(`/api/v1/patients/${p.id}?organizationId=20003`, { identifiers: [{ system: 'urn:b', value: '' }] }, t(MARY));
  assert.deepEqual(r.json, ['Each identifier needs a system and a value.']);
  expectStatus(await del(`/api/v1/patients/${p.id}?organizationId=20003`, undefined, t(MARY)), 204);
});

test('DELETE /patients/{id}?organizationId: removes from X only; last organization deletes patient, observations, identifiers, user', async () => {
  const p = await createPatient({ organizationId: 20003, telecomEmail: email('del'), identifiers: [{ system: 'urn:del', value: `d${uniq}` }] });
  // add to Neptunian Pulse Lab (global add: a superuser; mark manages 20007 but not 20003, the
  // patient's organization), enrol in studies of both
  let r = await patch(`/api/v1/patients/${p.id}/global_add_organization?organizationId=20007`, undefined, t(MARK));
  expectStatus(r, 403);
  r = await patch(`/api/v1/patients/${p.id}/global_add_organization?organizationId=20007`, undefined, t(ADMIN));
  expectStatus(r, 200);
  assert.deepEqual(r.json.organizations.map((o) => o.id).sort(), [20003, 20007]);
  expectStatus(await post('/api/v1/studies/30001/patients', { patientIds: [p.id] }, t(MARY)), 201);
  expectStatus(await post('/api/v1/studies/30004/patients', { patient_ids: [p.id] }, t(MARK)), 201);
  expectStatus(await post(`/api/v1/patients/${p.id}/consents`, { studyScopeConsents: [{ studyId: 30001, scopeConsents: [
    { codingSystem: 'https://w3id.org/openmhealth', codingCode: 'omh:blood-pressure:4.0', consented: true }] }] }, t(MARY)), 201);
  sql(`INSERT INTO observation (subject_patient_id, codeable_concept_id, omh_data) VALUES (${p.id}, 50002, '{"header":{},"body":{}}')`);
  r = await del(`/api/v1/patients/${p.id}`, undefined, t(MARY));
  assert.deepEqual(r.json, ['organizationId parameter required']);
  r = await del(`/api/v1/patients/${p.id}?organizationId=20003`, undefined, t(VICTOR));
  expectStatus(r, 403);
  r = await del(`/api/v1/patients/${p.id}?organizationId=20008`, undefined, t('three_org_tom@example.com'));
  assert.deepEqual(r.json, [`Patient ${p.id} is not a member of organization 20008.`]);
  r = await del(`/api/v1/patients/${p.id}?organizationId=20003`, undefined, t(MEGAN));
  expectStatus(r, 204);
  assert.equal(r.text, '');
  assert.deepEqual(auditRows(r)[0].slice(0, 5), ['delete', 'Patient', String(p.id), String(p.id), '204']);
  // enrolment and consents of 20003's study gone; the other remains
  assert.deepEqual(sql(`SELECT study_id FROM study_patient WHERE patient_id = ${p.id}`), [['30004']]);
  assert.equal(sql(`SELECT count(*) FROM study_patient_scope_consent c JOIN study_patient sp ON sp.id = c.study_patient_id WHERE sp.patient_id = ${p.id}`)[0][0], '0');
  assert.equal(sql(`SELECT count(*) FROM observation WHERE subject_patient_id = ${p.id}`)[0][0], '1');
  r = await del(`/api/v1/patients/${p.id}?organizationId=20007`, undefined, t(MARK));
  expectStatus(r, 204);
  assert.equal(sql(`SELECT count(*) FROM patient WHERE id = ${p.id}`)[0][0], '0');
  assert.equal(sql(`SELECT count(*) FROM observation WHERE subject_patient_id = ${p.id}`)[0][0], '0');
  assert.equal(sql(`SELECT count(*) FROM patient_identifier WHERE patient_id = ${p.id}`)[0][0], '0');
  assert.equal(sql(`SELECT count(*) FROM jhe_user WHERE id = ${p.jheUserId}`)[0][0], '0');
  // the email is reusable
  const again = await createPatient({ organizationId: 20003, telecomEmail: p.telecomEmail });
  expectStatus(await del(`/api/v1/patients/${again.id}?organizationId=20003`, undefined, t(MARY)), 204);
});

test('global_lookup (bare array) and global_add_organization checks', async () => {
  let r = await get('/api/v1/patients/global_lookup?email=LL_PATIENT_PETER@example.com', t(MARK));
  expectStatus(r, 200);
  assert.ok(Array.isArray(r.json));
  assert.equal(r.json.length, 1);
  assertPatientShape(r.json[0]);
  assert.equal(r.json[0].id, 40001);
  assert.deepEqual(auditRows(r)[0].slice(0, 5), ['search', 'Patient', '', '40001', '200']);
  r = await get('/api/v1/patients/global_lookup?email=nobody@example.com', t(MARY));
  assert.deepEqual(r.json, []);
  r = await get('/api/v1/patients/global_lookup', t(MARY));
  expectStatus(r, 400);
  assert.deepEqual(r.json, ['email parameter required']);
  expectStatus(await get('/api/v1/patients/global_lookup?email=x@y.org', t(VICTOR)), 403);
  expectStatus(await get('/api/v1/patients/global_lookup?email=x@y.org', t(PETER)), 403);
  expectStatus(await get('/api/v1/patients/global_lookup?email=x@y.org', t(ADMIN)), 200);

  const p = '/api/v1/patients/40003/global_add_organization';
  r = await patch(p, undefined, t(MARY));
  assert.deepEqual(r.json, ['organizationId parameter required']);
  expectStatus(await patch('/api/v1/patients/49999/global_add_organization?organizationId=20003', undefined, t(MARY)), 404);
  expectStatus(await patch(`${p}?organizationId=20003`, undefined, t(VICTOR)), 403);
  expectStatus(await patch(`${p}?organizationId=99999`, undefined, t(MARY)), 403);
  r = await patch(`${p}?organizationId=99999`, undefined, t(ADMIN));
  assert.deepEqual(r.json, ['Organization not found.']);
  r = await patch(`${p}?organizationId=0`, undefined, t(ADMIN));
  assert.deepEqual(r.json, ['Patients cannot be added to the ROOT organization.']);
  r = await patch(`${p}?organizationId=20007`, undefined, t(MARK));
  assert.deepEqual(r.json, ['This patient is already a member of this organization.']);
});

test('GET /patients/me and consolidated_clients', async () => {
  let r = await get('/api/v1/patients/me', t(PETER));
  expectStatus(r, 200);
  assertPatientShape(r.json);
  assert.equal(r.json.id, 40001);
  r = await get('/api/v1/patients/me', t(MARY));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'Current user is not a patient.' });
  r = await get('/api/v1/patients/40001/consolidated_clients', t(PETER));
  expectStatus(r, 200);
  assert.deepEqual(r.json.map((c) => c.id), [1, 3]);
  assert.deepEqual(Object.keys(r.json[0]), ['id', 'name', 'clientId', 'invitationUrl', 'patientInvitations']);
  assert.deepEqual(r.json[0].patientInvitations, []);
  assert.equal(r.json[0].clientId, 'carex');
  r = await get('/api/v1/patients/40003/consolidated_clients', t(MARY));
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'Current User does not have authorization to access this Patient.' });
  expectStatus(await get('/api/v1/patients/49999/consolidated_clients', t(MARY)), 404);
});

test('studies/{id}/patients: list, enrol (errors, 409, nested shapes), remove', async () => {
  let r = await get('/api/v1/studies/30001/patients', t(VICTOR));
  expectStatus(r, 200);
  assert.deepEqual(r.json.results.map((p) => p.id), [40001, 40002]);
  r.json.results.forEach(assertPatientShape);
  assert.deepEqual(auditRows(r)[0].slice(0, 2), ['search', 'StudyPatient']);
  expectStatus(await get('/api/v1/studies/30001/patients', t(ADMIN)), 403);
  expectStatus(await get('/api/v1/studies/30001/patients', t(MARK)), 403);
  expectStatus(await get('/api/v1/studies/30001/patients', t(PETER)), 403);
  expectStatus(await get('/api/v1/studies/39999/patients', t(MARY)), 403);

  const p = await createPatient({ organizationId: 20003, telecomEmail: email('enrol') });
  r = await post('/api/v1/studies/30002/patients', { patientIds: [p.id] }, t(VICTOR));
  expectStatus(r, 403);
  r = await post('/api/v1/studies/30002/patients', {}, t(MARY));
  assert.deepEqual(r.json, { patientIds: ['This field is required.'] });
  r = await post('/api/v1/studies/30002/patients', { patientIds: [p.id, 49999] }, t(MARY));
  assert.deepEqual(r.json, ['Patient 49999 does not exist.']);
  r = await post('/api/v1/studies/30002/patients', { patientIds: [40003] }, t(MARY));
  assert.deepEqual(r.json, ['Patient 40003 is not a member of organization 20003.']);
  r = await post('/api/v1/studies/30002/patients', { patientIds: [p.id, 40001] }, t(MARY));
  expectStatus(r, 409);
  assert.deepEqual(r.json, { detail: 'Patient 40001 is already enrolled in study 30002.' });
  assert.equal(sql(`SELECT count(*) FROM study_patient WHERE patient_id = ${p.id}`)[0][0], '0');
  r = await post('/api/v1/studies/30002/patients', { patient_ids: [p.id, p.id] }, t(MEGAN));
  expectStatus(r, 201);
  assert.deepEqual(Object.keys(r.json), ['studyPatients']);
  assert.equal(r.json.studyPatients.length, 1);
  const sp = r.json.studyPatients[0];
  assert.deepEqual(Object.keys(sp), ['id', 'study', 'patient']);
  assert.deepEqual(Object.keys(sp.study), ['id', 'name', 'description', 'iconUrl', 'lastUpdated', 'organization']);
  assert.equal(sp.study.organization, 20003);
  assert.deepEqual(Object.keys(sp.patient), ['id', 'nameFamily', 'nameGiven', 'birthDate', 'telecomPhone', 'lastUpdated', 'jheUser', 'organizations']);
  assert.deepEqual(sp.patient.organizations, [20003]);
  assert.match(sp.patient.lastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
  const rows = auditRows(r);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].slice(0, 5), ['create', 'StudyPatient', String(sp.id), String(p.id), '201']);
  // pending consents for every requested scope
  const c = await get(`/api/v1/patients/${p.id}/consents`, t(MARY));
  assert.deepEqual(c.json.studiesPendingConsent.map((s) => s.id), [30002]);
  r = await del('/api/v1/studies/30002/patients', { patientIds: [p.id, 49999] }, t(MARY));
  expectStatus(r, 204);
  assert.equal(auditRows(r).length, 2);
  assert.equal(sql(`SELECT count(*) FROM study_patient WHERE patient_id = ${p.id}`)[0][0], '0');
  expectStatus(await del('/api/v1/studies/30002/patients', { patientIds: [p.id] }, t(MARY)), 204);
  expectStatus(await del('/api/v1/studies/30002/patients', { patientIds: [p.id] }, t(VICTOR)), 403);
  expectStatus(await del(`/api/v1/patients/${p.id}?organizationId=20003`, undefined, t(MARY)), 204);
});

test("researcher's library path (jupyterhealth-client 0.4.0)", async () => {
  const tok = t(MARY);
  const prof = await get('/api/v1/users/profile', tok);
  expectStatus(prof, 200);
  assert.equal(prof.json.id, 10002);
  // list_patients(study_id) / (organization_id) following next verbatim
  for (const q of ['study_id=30001', 'organization_id=20003']) {
    let url = `${BASE}/api/v1/patients?${q}&page_size=1`;
    const ids = [];
    while (url) {
      const r = await get(url, tok);
      expectStatus(r, 200);
      ids.push(...r.json.results.map((p) => p.id));
      url = r.json.next;
    }
    assert.deepEqual(ids.slice(0, 2), [40001, 40002]);
  }
  const one = await get('/api/v1/patients/40001', tok);
  expectStatus(one, 200);
  const look = await get('/api/v1/patients/global_lookup?email=ll_patient_peter%40example.com', tok);
  assert.ok(Array.isArray(look.json));
  assert.equal(look.json[0].id, 40001);
  const cons = await get('/api/v1/patients/40001/consents', tok);
  expectStatus(cons, 200);
});

test('401 before the handler on patient data writes access.denied (anonymous and bad token)', async () => {
  let r = await get('/api/v1/patients/40002');
  expectStatus(r, 401);
  let rows = auditRows(r);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0], ['access.denied', 'Patient', '40002', '40002', '401', '', '']);
  r = await get('/api/v1/observations', { token: 'x'.repeat(43) });
  expectStatus(r, 401);
  assert.deepEqual(auditRows(r)[0].slice(0, 5), ['access.denied', 'Observation', '', '', '401']);
  r = await get('/api/v1/data_sources');
  expectStatus(r, 401);
  assert.equal(auditRows(r).length, 0); // not patient data
});
