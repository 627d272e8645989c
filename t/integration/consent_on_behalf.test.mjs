// Consent on a patient's behalf and adding a patient to another organization
// (doc/admin-api-notes.md, "Consent on a patient's behalf" and "Adding a patient to an
// organization"): the insider path replayed and refused with nothing written, and the allowed
// paths (a patient who has not signed in, the patient's own consent, a manager of the patient's
// organization, a patient in no organization).
import { test, after } from 'node:test';
import { get, post, patch, del, sql, token, assert, expectStatus, keepPractitionerSettings } from './lib.mjs';
import { b64url, tokenRequest } from './oauth_lib.mjs';

keepPractitionerSettings(after);

const MEGAN = 'member_megan@example.com'; // member of Lifespan Lab (20003)
const MARY = 'manager_mary@example.com'; // manager of 20001, 20002, 20003
const MARK = 'manager_mark@example.com'; // manager of 20004 .. 20007
const TOM = 'three_org_tom@example.com'; // viewer 20003, member 20007, manager 20008
const ADMIN = 'admin@example.com';
const PERCY = 'npl_patient_percy@example.com'; // patient 40003 in 20007, observation 60006 (body temperature)
const t = (email) => ({ token: token(email) });
const OMH = 'https://w3id.org/openmhealth';
const BT = 'omh:body-temperature:4.0';
const BG = 'omh:blood-glucose:4.0';
const BP = 'omh:blood-pressure:4.0';
const SIGNED_IN = { detail: 'This patient has signed in; only the patient can record or change their consent.' };
const NOT_MANAGER = { detail: "Only a manager of one of this patient's organizations can add them to another organization." };
const uniq = `${process.pid}x${Date.now() % 1000000}`;
const consent = (studyId, code, consented) => ({
  studyScopeConsents: [{ studyId, scopeConsents: [{ codingSystem: OMH, codingCode: code, ...(consented === undefined ? {} : { consented }) }] }],
});

// What the attack would change about patient p.
function patientState(p) {
  return sql(`SELECT (SELECT string_agg(organization_id::text, ',' ORDER BY organization_id) FROM patient_organization WHERE patient_id = ${p}),
                     (SELECT string_agg(study_id::text, ',' ORDER BY study_id) FROM study_patient WHERE patient_id = ${p}),
                     (SELECT string_agg(c.id || ':' || c.consented || ':' || c.consented_time, ',' ORDER BY c.id)
                        FROM study_patient_scope_consent c JOIN study_patient sp ON sp.id = c.study_patient_id
                       WHERE sp.patient_id = ${p})`)[0];
}

async function adminObsIds(email, query) {
  const r = await get(`/api/v1/observations${query}`, t(email));
  expectStatus(r, 200);
  return r.json.results.map((o) => o.id);
}

async function fhirObsIds(email, query) {
  const r = await get(`/FHIR/R5/Observation${query}`, t(email));
  if (r.status !== 200) return { status: r.status, ids: [] };
  return { status: 200, ids: (r.json.entry || []).map((e) => Number(e.resource.id)) };
}

test('insider: a member cannot pull a foreign patient into its organization, enrol, consent for them, or read their data', async () => {
  token(PERCY); // Percy has obtained a token: he has signed in
  assert.notEqual(sql('SELECT first_token_at FROM jhe_user WHERE id = 10009')[0][0], '');
  // Megan's study in her own organization requesting what Percy uploads (members may do this)
  const s = await post('/api/v1/studies', { name: `Insider ${uniq}`, description: 'BT', organization: 20003 }, t(MEGAN));
  expectStatus(s, 201);
  expectStatus(await post(`/api/v1/studies/${s.json.id}/scope_requests`, { scopeCodeId: 50003 }, t(MEGAN)), 201);
  try {
    const before = patientState(40003);
    const lookup = await get(`/api/v1/patients/global_lookup?email=${PERCY}`, t(MEGAN));
    expectStatus(lookup, 200);
    assert.equal(lookup.json[0].id, 40003);
    // 1. add him to 20003: refused (Megan has no role in his organization 20007)
    let r = await patch('/api/v1/patients/40003/global_add_organization?organizationId=20003', undefined, t(MEGAN));
    expectStatus(r, 403);
    assert.deepEqual(r.json, NOT_MANAGER);
    assert.deepEqual(sql(`SELECT action, resource_type, patient_id, outcome FROM audit_event ORDER BY id DESC LIMIT 1`),
      [['access.denied', 'Patient', '40003', '403']]);
    // a member of his organization who manages another one cannot do it either
    r = await patch('/api/v1/patients/40003/global_add_organization?organizationId=20008', undefined, t(TOM));
    expectStatus(r, 403);
    assert.deepEqual(r.json, NOT_MANAGER);
    // nor Mary, manager of 20003 but without a role in 20007
    r = await patch('/api/v1/patients/40003/global_add_organization?organizationId=20003', undefined, t(MARY));
    expectStatus(r, 403);
    // 2. enrol, 3. consent "for" him
    r = await post(`/api/v1/studies/${s.json.id}/patients`, { patientIds: [40003] }, t(MEGAN));
    expectStatus(r, 400);
    r = await post('/api/v1/patients/40003/consents', consent(s.json.id, BT, true), t(MEGAN));
    expectStatus(r, 403);
    // 4. reads
    expectStatus(await get('/api/v1/patients/40003', t(MEGAN)), 403);
    assert.deepEqual(await adminObsIds(MEGAN, '?patientId=40003'), []);
    assert.deepEqual(await adminObsIds(MEGAN, `?studyId=${s.json.id}`), []);
    expectStatus(await get('/api/v1/observations/60006', t(MEGAN)), 404);
    const f = await fhirObsIds(MEGAN, '?patient=40003');
    assert.ok(!f.ids.includes(60006), `FHIR search returned Percy's observation (${f.status})`);
    assert.notEqual((await get('/FHIR/R5/Observation/60006', t(MEGAN))).status, 200);
    assert.deepEqual(patientState(40003), before);
  } finally {
    expectStatus(await del(`/api/v1/studies/${s.json.id}`, undefined, t(MEGAN)), 204);
  }
});

test('a patient who has signed in: staff cannot record or change consent for them; the patient can; staff may withdraw', async () => {
  token(PERCY);
  // the allowed path: a manager of his organization (Mark, 20007) adds him to another (20006)
  let r = await patch('/api/v1/patients/40003/global_add_organization?organizationId=20006', undefined, t(MARK));
  expectStatus(r, 200);
  assert.deepEqual(r.json.organizations.map((o) => o.id).sort(), [20006, 20007]);
  try {
    expectStatus(await post('/api/v1/studies/30003/patients', { patientIds: [40003] }, t(MARK)), 201);
    const before = patientState(40003);
    const seen = await adminObsIds(MARK, '');
    // Mark records consent for blood glucose on his behalf: refused, nothing written
    r = await post('/api/v1/patients/40003/consents', consent(30003, BG, true), t(MARK));
    expectStatus(r, 403);
    assert.deepEqual(r.json, SIGNED_IN);
    assert.deepEqual(sql('SELECT action, outcome FROM audit_event ORDER BY id DESC LIMIT 1'), [['access.denied', '403']]);
    // the superuser through the Admin API: the same
    r = await post('/api/v1/patients/40003/consents', consent(30003, BG, true), t(ADMIN));
    expectStatus(r, 403);
    assert.deepEqual(r.json, SIGNED_IN);
    // the role and membership checks still come first
    r = await post('/api/v1/patients/40003/consents', consent(30003, BG, true), t(MEGAN));
    assert.deepEqual(r.json, { detail: "Practitioner doesn't have right now for patient." });
    assert.deepEqual(patientState(40003), before);
    assert.deepEqual(await adminObsIds(MARK, ''), seen);
    // Percy consents himself
    r = await post('/api/v1/patients/40003/consents', consent(30003, BG, true), t(PERCY));
    expectStatus(r, 201);
    // staff cannot change it (PATCH, either value) ...
    r = await patch('/api/v1/patients/40003/consents', consent(30003, BG, false), t(MARK));
    expectStatus(r, 403);
    assert.deepEqual(r.json, SIGNED_IN);
    assert.equal(sql(`SELECT c.consented FROM study_patient_scope_consent c JOIN study_patient sp ON sp.id = c.study_patient_id
                       WHERE sp.patient_id = 40003 AND sp.study_id = 30003`)[0][0], 't');
    // ... but may withdraw it (DELETE), as ending the enrolment would
    expectStatus(await del('/api/v1/patients/40003/consents', consent(30003, BG), t(MARK)), 204);
    assert.equal(sql(`SELECT count(*) FROM study_patient_scope_consent c JOIN study_patient sp ON sp.id = c.study_patient_id
                       WHERE sp.patient_id = 40003 AND sp.study_id = 30003`)[0][0], '0');
    // a superuser may add any patient anywhere (structure), still without consent rights
    r = await patch('/api/v1/patients/40003/global_add_organization?organizationId=20008', undefined, t(ADMIN));
    expectStatus(r, 200);
    expectStatus(await del('/api/v1/patients/40003?organizationId=20008', undefined, t(TOM)), 204);
  } finally {
    expectStatus(await del('/api/v1/patients/40003?organizationId=20006', undefined, t(MARK)), 204);
  }
  assert.deepEqual(sql('SELECT string_agg(organization_id::text, \',\') FROM patient_organization WHERE patient_id = 40003'), [['20007']]);
  assert.deepEqual(sql('SELECT string_agg(study_id::text, \',\') FROM study_patient WHERE patient_id = 40003'), [['30004']]);
});

test('a patient with a pending invitation: staff record consent until the patient signs in', async () => {
  const email = `pending-${uniq}@example.com`;
  const p = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email, nameFamily: 'Pending' }, t(MEGAN));
  expectStatus(p, 201);
  const pid = p.json.id;
  try {
    expectStatus(await post('/api/v1/studies/30001/patients', { patientIds: [pid] }, t(MEGAN)), 201);
    let r = await post(`/api/v1/patients/${pid}/consents`, consent(30001, BP, true), t(MEGAN));
    expectStatus(r, 201);
    r = await patch(`/api/v1/patients/${pid}/consents`, consent(30001, BP, false), t(MARY));
    expectStatus(r, 200);
    r = await post(`/api/v1/patients/${pid}/consents`, consent(30001, 'omh:heart-rate:2.0', true), t(ADMIN));
    expectStatus(r, 201);
    // a superuser goes on to the value checks (admin-api.md §8.3 step 3)
    r = await post(`/api/v1/patients/${pid}/consents`, consent(30009, BP, true), t(ADMIN));
    expectStatus(r, 400);
    assert.deepEqual(r.json, [`Patient ${pid} is not enrolled in study 30009.`]);
    // the invitation is issued (still pending) ...
    const inv = await post('/api/v1/invitation', { patient_id: pid, client_id: 1 }, t(MEGAN));
    expectStatus(inv, 201);
    expectStatus(await patch(`/api/v1/patients/${pid}/consents`, consent(30001, BP, true), t(MEGAN)), 200);
    expectStatus(await patch(`/api/v1/patients/${pid}/consents`, consent(30001, BP, false), t(MEGAN)), 200);
    // ... and redeemed: the patient has signed in (last_login)
    const red = await post(`/api/v1/invitation/${inv.json.token}`);
    expectStatus(red, 200);
    const before = patientState(pid);
    r = await patch(`/api/v1/patients/${pid}/consents`, consent(30001, BP, true), t(MEGAN));
    expectStatus(r, 403);
    assert.deepEqual(r.json, SIGNED_IN);
    assert.deepEqual(patientState(pid), before);
    // the patient's app, with the tokens of the invitation, records it
    const tok = await tokenRequest({
      grant_type: 'authorization_code', code: red.json.grant.code, redirect_uri: red.json.grant.redirect_uri,
      client_id: red.json.grant.client_id, code_verifier: b64url(Buffer.from(inv.json.token, 'ascii')),
    });
    expectStatus(tok, 200);
    r = await patch(`/api/v1/patients/${pid}/consents`, consent(30001, BP, true), { token: tok.json.access_token });
    expectStatus(r, 200);
    assert.equal(r.json.studyScopeConsents[0].consented, true);
  } finally {
    expectStatus(await del(`/api/v1/patients/${pid}?organizationId=20003`, undefined, t(MEGAN)), 204);
  }
});

test('a patient in no organization can be added by any member; the last-organization rule applies after', async () => {
  const e = `orphan-${uniq}@example.com`;
  const pid = sql(`WITH u AS (INSERT INTO jhe_user (email, user_type) VALUES ('${e}', 'patient') RETURNING id)
                   INSERT INTO patient (jhe_user_id, name_family) SELECT id, 'Orphan' FROM u RETURNING id`)[0][0];
  let r = await patch(`/api/v1/patients/${pid}/global_add_organization?organizationId=20003`, undefined, t(MEGAN));
  expectStatus(r, 200);
  assert.deepEqual(r.json.organizations.map((o) => o.id), [20003]);
  // now in 20003: adding to 20008 needs a manager of 20003 (Tom is only a viewer there)
  r = await patch(`/api/v1/patients/${pid}/global_add_organization?organizationId=20008`, undefined, t(TOM));
  expectStatus(r, 403);
  assert.deepEqual(r.json, NOT_MANAGER);
  expectStatus(await del(`/api/v1/patients/${pid}?organizationId=20003`, undefined, t(MEGAN)), 204);
  assert.deepEqual(sql(`SELECT count(*) FROM patient WHERE id = ${pid}`), [['0']]);
});
