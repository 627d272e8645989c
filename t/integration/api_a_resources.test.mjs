// Admin API part A: practitioners (§6), studies and their sub-resources (§10), data sources (§12),
// clients and OAuth applications (§13), settings (§15), audit events (§16), sticky settings (§17).
// Rows created here are removed again; seeded rows that are changed are restored.
import { test } from 'node:test';
import { get, post, patch, put, del, token, sql, assert, expectStatus } from './lib.mjs';

const U = {
  peter: 'll_patient_peter@example.com',
  victor: 'viewer_victor@example.com',
  megan: 'member_megan@example.com',
  mary: 'manager_mary@example.com',
  mark: 'manager_mark@example.com',
  admin: 'admin@example.com',
};
const T = (who) => token(U[who]);
const NON_SU = ['peter', 'victor', 'megan', 'mary', 'mark'];
const NO_PERM = { detail: 'You do not have permission to perform this action.' };
const STUDY_DENIED = { detail: 'Current User does not have authorization to access this Study.' };
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/;

// ---------------------------------------------------------------- practitioners

test('practitioners: superuser only, shape, create reuses users, delete removes orphans', async () => {
  expectStatus(await get('/api/v1/practitioners'), 401);
  for (const who of NON_SU) {
    const r = await get('/api/v1/practitioners', { token: T(who) });
    expectStatus(r, 403);
    assert.deepEqual(r.json, NO_PERM);
    expectStatus(await post('/api/v1/practitioners', { telecomEmail: 'x@example.com' }, { token: T(who) }), 403);
    expectStatus(await get('/api/v1/practitioners/80002', { token: T(who) }), 403);
  }
  const admin = T('admin');
  const l = await get('/api/v1/practitioners', { token: admin });
  expectStatus(l, 200);
  assert.ok(l.json.count >= 7);
  assert.deepEqual(l.json.results.slice(0, 7).map((p) => p.id), [80001, 80002, 80003, 80004, 80005, 80006, 80007]);
  const mary = l.json.results[1];
  assert.deepEqual(Object.keys(mary), ['id', 'jheUserId', 'nameFamily', 'nameGiven', 'telecomEmail', 'organizations']);
  assert.equal(mary.telecomEmail, U.mary);
  assert.deepEqual(mary.organizations.map((o) => o.id), [20003, 20001, 20002]);
  assert.ok(mary.organizations.every((o) => o.currentUserRole === null));
  const paged = await get('/api/v1/practitioners?pageSize=3&page=3', { token: admin });
  assert.equal(paged.json.results[0].id, 80007);
  expectStatus(await get('/api/v1/practitioners/99999', { token: admin }), 404);

  const e1 = await post('/api/v1/practitioners', { nameFamily: 'X' }, { token: admin });
  expectStatus(e1, 400);
  assert.deepEqual(e1.json, ['Email is required to create a practitioner.']);
  const e2 = await post('/api/v1/practitioners', { telecomEmail: 'nope' }, { token: admin });
  assert.deepEqual(e2.json, ['Enter a valid email address.']);
  const e3 = await post('/api/v1/practitioners', { telecomEmail: 'apia.pr@example.com', organizationId: 99999 }, { token: admin });
  assert.deepEqual(e3.json, ['Organization not found.']);
  const e4 = await post('/api/v1/practitioners', { telecomEmail: 'apia.pr@example.com', identifier: 'x' }, { token: admin });
  expectStatus(e4, 400);
  assert.deepEqual(e4.json, { identifier: ['Unknown field.'] });

  const c = await post('/api/v1/practitioners', { telecom_email: 'Apia.Pr@Example.com', name_family: 'Prac', name_given: 'Tice', organization_id: 20003 }, { token: admin });
  expectStatus(c, 201);
  assert.equal(c.json.telecomEmail, 'Apia.Pr@example.com');
  assert.equal(c.json.nameFamily, 'Prac');
  assert.deepEqual(c.json.organizations.map((o) => o.id), [20003]);
  const again = await post('/api/v1/practitioners', { telecomEmail: 'apia.pr@example.com', nameFamily: 'Other', organizationId: 20001 }, { token: admin });
  expectStatus(again, 201);
  assert.equal(again.json.id, c.json.id);
  assert.equal(again.json.nameFamily, 'Prac');
  assert.deepEqual(again.json.organizations.map((o) => o.id), [20003, 20001]);
  assert.deepEqual(sql(`SELECT role FROM practitioner_organization WHERE practitioner_id = ${c.json.id} ORDER BY organization_id`), [['member'], ['member']]);
  const up = await patch(`/api/v1/practitioners/${c.json.id}?organizationId=undefined`, { nameGiven: 'New', telecomEmail: 'ignored@example.com' }, { token: admin });
  expectStatus(up, 200);
  assert.equal(up.json.nameGiven, 'New');
  assert.equal(up.json.telecomEmail, 'Apia.Pr@example.com');
  expectStatus(await patch('/api/v1/practitioners/99999', { nameGiven: 'x' }, { token: admin }), 404);
  expectStatus(await del(`/api/v1/practitioners/${c.json.id}`, undefined, { token: admin }), 204);
  assert.deepEqual(sql("SELECT count(*) FROM jhe_user WHERE lower(email) = 'apia.pr@example.com'"), [['0']]);
  expectStatus(await del(`/api/v1/practitioners/${c.json.id}`, undefined, { token: admin }), 404);
  // reusing a patient's user keeps the user when the practitioner row is deleted
  const dual = await post('/api/v1/practitioners', { telecomEmail: U.peter }, { token: admin });
  expectStatus(dual, 201);
  assert.equal(dual.json.jheUserId, 10006);
  expectStatus(await del(`/api/v1/practitioners/${dual.json.id}`, undefined, { token: admin }), 204);
  assert.deepEqual(sql('SELECT count(*) FROM jhe_user WHERE id = 10006'), [['1']]);
});

// ---------------------------------------------------------------- studies

const STUDY_KEYS = ['id', 'name', 'description', 'organization', 'iconUrl'];

test('GET /studies: practitioners only, organization filter, sticky settings', async () => {
  const p = await get('/api/v1/studies', { token: T('peter') });
  expectStatus(p, 403);
  assert.deepEqual(p.json, { detail: 'Only practitioner users can list studies.' });
  const m = await get('/api/v1/studies', { token: T('victor') });
  expectStatus(m, 200);
  assert.deepEqual(m.json.results.map((s) => s.id), [30002, 30001]);
  for (const s of m.json.results) {
    assert.deepEqual(Object.keys(s), STUDY_KEYS);
    assert.deepEqual(s.organization, { id: 20003, name: 'Lifespan Lab', type: 'laboratory' });
  }
  const a = await get('/api/v1/studies', { token: T('admin') });
  assert.equal(a.json.count, Number(sql('SELECT count(*) FROM study')[0][0]));
  const none = await get('/api/v1/studies?organizationId=20007', { token: T('mary') });
  assert.equal(none.json.count, 0);
  assert.deepEqual(sql('SELECT settings::text FROM practitioner WHERE id = 80002'), [['{"current_study_id": 30001, "current_organization_id": 20007}']]);
  sql(`UPDATE practitioner SET settings = '{"current_organization_id": 20003, "current_study_id": 30001}' WHERE id = 80002`);
  const bad = await get('/api/v1/studies?organization_id=x', { token: T('mary') });
  expectStatus(bad, 400);
  assert.deepEqual(bad.json, ['organization_id must be an integer.']);
  const pages = await get('/api/v1/studies?pageSize=2&page=last', { token: T('admin') });
  assert.equal(pages.json.results.length, a.json.count % 2 || 2);
  assert.equal(pages.json.next, null);

  // sticky: organizationId and studyId saved, studyId never removed here
  try {
    const s = await get('/api/v1/studies?organizationId=20002&studyId=30002', { token: T('megan') });
    expectStatus(s, 200);
    assert.equal(s.json.count, 0, 'sticky values never change the response');
    let prof = await get('/api/v1/users/profile', { token: T('megan') });
    assert.deepEqual(prof.json.settings, { currentOrganizationId: 20002, currentStudyId: 30002 });
    await get('/api/v1/studies?organizationId=20003', { token: T('megan') });
    prof = await get('/api/v1/users/profile', { token: T('megan') });
    assert.deepEqual(prof.json.settings, { currentOrganizationId: 20003, currentStudyId: 30002 });
  } finally {
    sql(`UPDATE practitioner SET settings = '{"current_organization_id": 20003, "current_study_id": 30001}' WHERE id IN (80002, 80003)`);
  }
});

test('GET /studies/{id}: study_readable, else 403', async () => {
  const g = await get('/api/v1/studies/30001', { token: T('victor') });
  expectStatus(g, 200);
  assert.deepEqual(g.json, { id: 30001, name: 'Lifespan Study on BP & HR', description: 'Blood Pressure & Heart Rate', organization: { id: 20003, name: 'Lifespan Lab', type: 'laboratory' }, iconUrl: null });
  for (const [who, id] of [['mary', 30003], ['peter', 30001], ['mark', 30005], ['admin', 99999]]) {
    const r = await get(`/api/v1/studies/${id}`, { token: T(who) });
    expectStatus(r, 403);
    assert.deepEqual(r.json, STUDY_DENIED);
  }
  expectStatus(await get('/api/v1/studies/30005', { token: T('admin') }), 200);
});

test('POST/PATCH/DELETE /studies: permission, validation, no moves', async () => {
  expectStatus(await post('/api/v1/studies', {}, { token: T('megan') }), 403);
  expectStatus(await post('/api/v1/studies', { name: 'x', description: 'y', organization: 20003 }, { token: T('victor') }), 403);
  expectStatus(await post('/api/v1/studies', { name: 'x', description: 'y', organization: 20003 }, { token: T('peter') }), 403);
  expectStatus(await post('/api/v1/studies', { name: 'x', description: 'y', organization: 20003 }, { token: T('mark') }), 403);
  expectStatus(await post('/api/v1/studies', { name: 'x', description: 'y', organization: 99999 }, { token: T('mary') }), 403);
  const v = await post('/api/v1/studies', { name: 5, organization: 20003, color: 'red' }, { token: T('megan') });
  expectStatus(v, 400);
  assert.deepEqual(v.json, { color: ['Unknown field.'], name: ['Not a valid string.'], description: ['This field is required.'] });
  const su = await post('/api/v1/studies', { name: 'x', description: 'y', organization: 99999 }, { token: T('admin') });
  assert.deepEqual(su.json, { organization: ['Invalid pk "99999" - object does not exist.'] });
  const root = await post('/api/v1/studies', { name: 'x', description: 'y', organization: 0 }, { token: T('admin') });
  assert.deepEqual(root.json, { organization: ['Studies cannot belong to the ROOT organization.'] });

  const c = await post('/api/v1/studies', { name: 'ApiA Study', description: 'Testing', organization: 20003, iconUrl: 'https://x/icon.png' }, { token: T('megan') });
  expectStatus(c, 201);
  assert.deepEqual(c.json, { id: c.json.id, name: 'ApiA Study', description: 'Testing', organization: 20003, iconUrl: 'https://x/icon.png' });
  const id = c.json.id;
  try {
    expectStatus(await patch(`/api/v1/studies/${id}`, { name: 'x' }, { token: T('victor') }), 403);
    const mk = await patch(`/api/v1/studies/${id}`, { name: 'x' }, { token: T('mark') });
    expectStatus(mk, 403);
    assert.deepEqual(mk.json, STUDY_DENIED);
    const mv = await patch(`/api/v1/studies/${id}`, { organization: 20002 }, { token: T('mary') });
    expectStatus(mv, 400);
    assert.deepEqual(mv.json, { organization: ['A study cannot be moved to another organization.'] });
    const up = await patch(`/api/v1/studies/${id}`, { description: 'Changed', icon_url: null, organization: 20003 }, { token: T('mary') });
    expectStatus(up, 200);
    assert.deepEqual(up.json, { id, name: 'ApiA Study', description: 'Changed', organization: 20003, iconUrl: null });
    const pm = await put(`/api/v1/studies/${id}`, { name: 'n' }, { token: T('mary') });
    expectStatus(pm, 400);
    assert.deepEqual(pm.json, { organization: ['This field is required.'], description: ['This field is required.'] });
    const blank = await patch(`/api/v1/studies/${id}`, { name: '' }, { token: T('mary') });
    assert.deepEqual(blank.json, { name: ['This field may not be blank.'] });

    // scope requests
    const sr0 = await get(`/api/v1/studies/${id}/scope_requests`, { token: T('victor') });
    assert.deepEqual(sr0.json, []);
    expectStatus(await post(`/api/v1/studies/${id}/scope_requests`, { scopeCodeId: 50004 }, { token: T('victor') }), 403);
    const sr = await post(`/api/v1/studies/${id}/scope_requests`, { scopeCodeId: 50004 }, { token: T('megan') });
    expectStatus(sr, 201);
    assert.deepEqual(Object.keys(sr.json), ['id', 'study', 'scopeCode']);
    assert.deepEqual(Object.keys(sr.json.study), ['id', 'name', 'description', 'iconUrl', 'lastUpdated', 'organization']);
    assert.match(sr.json.study.lastUpdated, TIME);
    assert.deepEqual(sr.json.scopeCode, { id: 50004, codingSystem: 'https://w3id.org/openmhealth', codingCode: 'omh:heart-rate:2.0', text: 'Heart Rate' });
    const dup = await post(`/api/v1/studies/${id}/scope_requests`, { scope_code_id: 50004 }, { token: T('megan') });
    expectStatus(dup, 409);
    assert.deepEqual(dup.json, { detail: `Study ${id} already requests scope https://w3id.org/openmhealth|omh:heart-rate:2.0.` });
    const miss = await post(`/api/v1/studies/${id}/scope_requests`, {}, { token: T('megan') });
    assert.deepEqual(miss.json, { scopeCodeId: ['This field is required.'] });
    const unk = await post(`/api/v1/studies/${id}/scope_requests`, { scopeCodeId: 59999 }, { token: T('megan') });
    assert.deepEqual(unk.json, { scopeCodeId: ['Invalid pk "59999" - object does not exist.'] });
    const list = await get(`/api/v1/studies/${id}/scope_requests`, { token: T('admin') });
    assert.deepEqual(list.json.map((x) => x.scopeCode.id), [50004]);
    expectStatus(await del(`/api/v1/studies/${id}/scope_requests`, { scopeCodeId: 50004 }, { token: T('megan') }), 204);
    expectStatus(await del(`/api/v1/studies/${id}/scope_requests`, { scopeCodeId: 50004 }, { token: T('megan') }), 204);
    expectStatus(await del(`/api/v1/studies/${id}/scope_requests`, { scopeCodeId: 59999 }, { token: T('megan') }), 400);

    // clients
    const nc = await post(`/api/v1/studies/${id}/clients`, { clientId: 4 }, { token: T('mary') });
    expectStatus(nc, 400);
    assert.deepEqual(nc.json, { client_id: ['Client 4 is not a patient client.'] });
    const cm = await post(`/api/v1/studies/${id}/clients`, {}, { token: T('mary') });
    assert.deepEqual(cm.json, { client_id: ['This field is required.'] });
    const ca = await post(`/api/v1/studies/${id}/clients`, { client_id: 2 }, { token: T('mary') });
    expectStatus(ca, 201);
    assert.equal(ca.text, '');
    expectStatus(await post(`/api/v1/studies/${id}/clients`, { clientId: 2 }, { token: T('mary') }), 409);
    const cl = await get(`/api/v1/studies/${id}/clients`, { token: T('megan') });
    assert.deepEqual(Object.keys(cl.json[0]), ['id', 'study', 'client']);
    assert.deepEqual(Object.keys(cl.json[0].client), ['id', 'client_id', 'name', 'clientType', 'authorizationGrantType', 'redirectUris', 'skipAuthorization', 'created', 'updated', 'algorithm']);
    assert.equal(cl.json[0].client.client_id, 'commonhealth');
    expectStatus(await del(`/api/v1/studies/${id}/clients`, { clientId: 2 }, { token: T('mary') }), 204);
    expectStatus(await del(`/api/v1/studies/${id}/clients`, { clientId: 2 }, { token: T('mary') }), 204);

    // data sources
    const da = await post(`/api/v1/studies/${id}/data_sources`, { dataSourceId: 70004 }, { token: T('megan') });
    expectStatus(da, 201);
    assert.equal(da.text, '');
    expectStatus(await post(`/api/v1/studies/${id}/data_sources`, { data_source_id: 70004 }, { token: T('megan') }), 409);
    const dunk = await post(`/api/v1/studies/${id}/data_sources`, { dataSourceId: 99 }, { token: T('megan') });
    assert.deepEqual(dunk.json, { dataSourceId: ['Invalid pk "99" - object does not exist.'] });
    const dl = await get(`/api/v1/studies/${id}/data_sources`, { token: T('megan') });
    assert.deepEqual(Object.keys(dl.json[0]), ['id', 'study', 'dataSource']);
    assert.deepEqual(Object.keys(dl.json[0].dataSource), ['id', 'name', 'type', 'lastUpdated']);
    expectStatus(await get(`/api/v1/studies/${id}/data_sources`, { token: T('mark') }), 403);
    expectStatus(await get(`/api/v1/studies/${id}/data_sources`, { token: T('peter') }), 403);
  } finally {
    expectStatus(await del(`/api/v1/studies/${id}`, undefined, { token: T('victor') }), 403);
    expectStatus(await del(`/api/v1/studies/${id}`, undefined, { token: T('megan') }), 204);
  }
  const gone = await get(`/api/v1/studies/${id}`, { token: T('megan') });
  expectStatus(gone, 403);
});

test('seeded study sub-resources are listed in join-row order', async () => {
  const sr = await get('/api/v1/studies/30001/scope_requests', { token: T('victor') });
  assert.deepEqual(sr.json.map((x) => [x.id, x.scopeCode.id]), [[1, 50002], [2, 50004], [3, 50011]]);
  const cl = await get('/api/v1/studies/30001/clients', { token: T('admin') });
  assert.deepEqual(cl.json.map((x) => [x.id, x.client.id]), [[1, 1], [3, 3]]);
  const ds = await get('/api/v1/studies/30001/data_sources', { token: T('mary') });
  assert.deepEqual(ds.json.map((x) => [x.id, x.dataSource.id]), [[1, 70001], [2, 70005]]);
});

// ---------------------------------------------------------------- data sources

test('data sources: reads for everyone, writes for superusers', async () => {
  expectStatus(await get('/api/v1/data_sources'), 401);
  const l = await get('/api/v1/data_sources', { token: T('peter') });
  expectStatus(l, 200);
  assert.deepEqual(l.json.results.map((d) => d.id), sql('SELECT id FROM data_source ORDER BY name, id').map((x) => Number(x[0])));
  assert.ok(l.json.count >= 6);
  for (const d of l.json.results) assert.deepEqual(Object.keys(d), ['id', 'name', 'type', 'supportedScopes']);
  const carex = await get('/api/v1/data_sources/70001', { token: T('victor') });
  assert.deepEqual(carex.json.supportedScopes.map((s) => s.id), [50002, 50004]);
  expectStatus(await get('/api/v1/data_sources/79999', { token: T('victor') }), 404);
  const all = await get('/api/v1/data_sources/all_scopes', { token: T('peter') });
  assert.equal(all.json.length, Number(sql('SELECT count(*) FROM codeable_concept')[0][0]));
  assert.deepEqual(Object.keys(all.json[0]), ['id', 'codingSystem', 'codingCode', 'text']);
  const ss = await get('/api/v1/data_sources/70003/supported_scopes', { token: T('peter') });
  assert.deepEqual(ss.json.map((x) => [x.id, x.scopeCode.id]), [[4, 50003], [5, 50004]]);
  assert.deepEqual(Object.keys(ss.json[0].dataSource), ['id', 'name', 'type', 'lastUpdated']);
  const paged = await get('/api/v1/data_sources?pageSize=4&page=2', { token: T('mary') });
  assert.equal(paged.json.results.length, Math.min(4, l.json.count - 4));
  assert.match(paged.json.previous, /\/api\/v1\/data_sources\?pageSize=4$/);

  for (const who of NON_SU) {
    expectStatus(await post('/api/v1/data_sources', { name: 'x' }, { token: T(who) }), 403);
    expectStatus(await patch('/api/v1/data_sources/70001', { name: 'x' }, { token: T(who) }), 403);
    expectStatus(await del('/api/v1/data_sources/70001', undefined, { token: T(who) }), 403);
    expectStatus(await post('/api/v1/data_sources/70001/supported_scopes', { scopeCodeId: 50001 }, { token: T(who) }), 403);
  }
  const admin = T('admin');
  const v = await post('/api/v1/data_sources', { type: 'robot' }, { token: admin });
  expectStatus(v, 400);
  assert.deepEqual(v.json, { name: ['This field is required.'], type: ['"robot" is not a valid choice.'] });
  const c = await post('/api/v1/data_sources', { name: 'ApiA Device' }, { token: admin });
  expectStatus(c, 201);
  assert.deepEqual(c.json, { id: c.json.id, name: 'ApiA Device', type: 'personal_device', supportedScopes: [] });
  const id = c.json.id;
  const u = await patch(`/api/v1/data_sources/${id}`, { type: 'medical_device' }, { token: admin });
  assert.equal(u.json.type, 'medical_device');
  const pu = await put(`/api/v1/data_sources/${id}`, { type: 'patient_app' }, { token: admin });
  assert.deepEqual(pu.json, { name: ['This field is required.'] });
  const miss = await post(`/api/v1/data_sources/${id}/supported_scopes`, {}, { token: admin });
  expectStatus(miss, 400);
  assert.deepEqual(miss.json, ['scope_code_id is required.']);
  const unk = await post(`/api/v1/data_sources/${id}/supported_scopes`, { scopeCodeId: 59999 }, { token: admin });
  assert.deepEqual(unk.json, { scopeCodeId: ['Invalid pk "59999" - object does not exist.'] });
  const add = await post(`/api/v1/data_sources/${id}/supported_scopes`, { scopeCodeId: 50002 }, { token: admin });
  expectStatus(add, 201);
  assert.deepEqual(Object.keys(add.json), ['id', 'dataSource', 'scopeCode']);
  expectStatus(await post(`/api/v1/data_sources/${id}/supported_scopes`, { scope_code_id: 50002 }, { token: admin }), 409);
  const got = await get(`/api/v1/data_sources/${id}`, { token: admin });
  assert.deepEqual(got.json.supportedScopes.map((s) => s.id), [50002]);
  expectStatus(await del(`/api/v1/data_sources/${id}/supported_scopes`, { scopeCodeId: 50002 }, { token: admin }), 204);
  expectStatus(await del(`/api/v1/data_sources/${id}/supported_scopes`, { scopeCodeId: 50002 }, { token: admin }), 204);
  expectStatus(await del(`/api/v1/data_sources/${id}`, undefined, { token: admin }), 204);
  expectStatus(await get(`/api/v1/data_sources/${id}`, { token: admin }), 404);
});

// ---------------------------------------------------------------- clients

test('clients: list newest first, superuser writes, validation, 409, client data sources', async () => {
  const l = await get('/api/v1/clients', { token: T('peter') });
  expectStatus(l, 200);
  assert.deepEqual(l.json.results.map((c) => c.id).filter((id) => id <= 3), [3, 2, 1]);
  const ids = l.json.results.map((c) => c.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => y - x));
  assert.deepEqual(l.json.results[2], { id: 1, name: 'CareX', clientId: 'carex', invitationUrl: 'https://carex.ai/invitation/CODE' });
  expectStatus(await get('/api/v1/clients/4', { token: T('admin') }), 404);
  const cds = await get('/api/v1/clients/2/data_sources', { token: T('victor') });
  assert.deepEqual(cds.json.map((d) => d.id), [70002, 70003]);
  assert.deepEqual(Object.keys(cds.json[0]), ['id', 'name', 'type', 'supportedScopes']);
  for (const who of NON_SU) {
    expectStatus(await post('/api/v1/clients', { name: 'x', clientId: 'x', invitationUrl: 'CODE' }, { token: T(who) }), 403);
    expectStatus(await post('/api/v1/clients/1/data_sources', { dataSourceId: 70004 }, { token: T(who) }), 403);
  }
  const admin = T('admin');
  const v = await post('/api/v1/clients', { name: 'x' }, { token: admin });
  expectStatus(v, 400);
  assert.deepEqual(v.json, { clientId: ['This field is required.'], invitationUrl: ['This field is required.'] });
  const v2 = await post('/api/v1/clients', { name: 'x', client_id: 'bad id!', invitation_url: 'https://x/' }, { token: admin });
  assert.deepEqual(v2.json, { clientId: ['Only letters, digits and . _ ~ - are allowed.'], invitationUrl: ['The invitation URL must contain the placeholder CODE.'] });
  const dup = await post('/api/v1/clients', { name: 'x', clientId: 'carex', invitationUrl: 'https://x/CODE' }, { token: admin });
  expectStatus(dup, 409);
  assert.deepEqual(dup.json, { detail: 'An OAuth client with clientId "carex" already exists.' });
  const c = await post('/api/v1/clients', { name: 'ApiA App', clientId: 'apia-app', invitationUrl: 'https://apia.example/CODE' }, { token: admin });
  expectStatus(c, 201);
  assert.deepEqual(Object.keys(c.json), ['id', 'name', 'clientId', 'invitationUrl']);
  const id = c.json.id;
  const app = sql(`SELECT client_type, authorization_grant_type, skip_authorization, algorithm, redirect_uris = (SELECT value_string FROM jhe_setting WHERE key = 'site.url') || '/auth/callback' FROM oauth_application WHERE id = ${id}`);
  assert.deepEqual(app, [['public', 'authorization-code', 't', 'RS256', 't']]);
  const p = await patch(`/api/v1/clients/${id}`, { name: 'ApiA App 2' }, { token: admin });
  expectStatus(p, 200);
  assert.equal(p.json.name, 'ApiA App 2');
  assert.equal(p.json.clientId, 'apia-app');
  const pu = await put(`/api/v1/clients/${id}`, { name: 'n' }, { token: admin });
  expectStatus(pu, 400);
  const pd = await patch(`/api/v1/clients/${id}`, { clientId: 'commonhealth' }, { token: admin });
  expectStatus(pd, 409);
  const add = await post(`/api/v1/clients/${id}/data_sources`, { dataSourceId: 70004 }, { token: admin });
  expectStatus(add, 201);
  assert.deepEqual(add.json, { id: add.json.id, client_id: id, dataSourceId: 70004 });
  expectStatus(await post(`/api/v1/clients/${id}/data_sources`, { dataSourceId: 70004 }, { token: admin }), 409);
  expectStatus(await post(`/api/v1/clients/${id}/data_sources`, {}, { token: admin }), 400);
  expectStatus(await del(`/api/v1/clients/${id}/data_sources`, { dataSourceId: 70004 }, { token: admin }), 204);
  expectStatus(await del(`/api/v1/clients/${id}/data_sources`, { dataSourceId: 70004 }, { token: admin }), 204);
  expectStatus(await del(`/api/v1/clients/${id}`, undefined, { token: T('mary') }), 403);
  expectStatus(await del(`/api/v1/clients/${id}`, undefined, { token: admin }), 204);
  expectStatus(await get(`/api/v1/clients/${id}`, { token: admin }), 404);
});

test('oauth_applications: superuser only, confidential secret shown once, rotate, delete', async () => {
  for (const who of NON_SU) expectStatus(await get('/api/v1/oauth_applications', { token: T(who) }), 403);
  const admin = T('admin');
  const l = await get('/api/v1/oauth_applications', { token: admin });
  expectStatus(l, 200);
  assert.ok(l.json.results.some((a) => a.clientId === 'jhe-admin-ui'));
  assert.ok(!l.json.results.some((a) => ['carex', 'commonhealth', 'patient-access'].includes(a.clientId)));
  const bad = await post('/api/v1/oauth_applications', { name: 'x', clientId: 'apia-hub', grantType: 'client_credentials', redirectUris: ['ftp://x'] }, { token: admin });
  expectStatus(bad, 400);
  const c = await post('/api/v1/oauth_applications', { name: 'Hub', clientId: 'apia-hub', clientType: 'confidential', redirectUris: ['https://hub.example.org/hub/oauth_callback', 'http://localhost:8888/cb'] }, { token: admin });
  expectStatus(c, 201);
  assert.deepEqual(Object.keys(c.json), ['id', 'name', 'clientId', 'clientType', 'grantType', 'redirectUris', 'created', 'updated', 'clientSecret']);
  assert.equal(c.json.grantType, 'authorization_code');
  assert.equal(c.json.clientSecret.length, 32);
  const g = await get(`/api/v1/oauth_applications/${c.json.id}`, { token: admin });
  assert.equal(g.json.clientSecret, undefined);
  assert.deepEqual(g.json.redirectUris, ['https://hub.example.org/hub/oauth_callback', 'http://localhost:8888/cb']);
  const p = await patch(`/api/v1/oauth_applications/${c.json.id}`, { redirectUris: ['https://hub2.example.org/cb'] }, { token: admin });
  expectStatus(p, 200);
  assert.deepEqual(p.json.redirectUris, ['https://hub2.example.org/cb']);
  const rot = await req2('POST', `/api/v1/oauth_applications/${c.json.id}/rotate_secret`, admin);
  expectStatus(rot, 200);
  assert.notEqual(rot.json.clientSecret, c.json.clientSecret);
  expectStatus(await post('/api/v1/oauth_applications', { name: 'x', clientId: 'apia-hub', redirectUris: ['https://a.example/cb'] }, { token: admin }), 409);
  expectStatus(await get('/api/v1/oauth_applications/1', { token: admin }), 404); // a patient client
  expectStatus(await del(`/api/v1/oauth_applications/${c.json.id}`, undefined, { token: admin }), 204);
  expectStatus(await get(`/api/v1/oauth_applications/${c.json.id}`, { token: admin }), 404);
});

async function req2(method, path, tok) {
  const { req } = await import('./lib.mjs');
  return req(method, path, { token: tok });
}

// ---------------------------------------------------------------- settings

test('jhe_settings: superuser only, shapes, coercion, known keys', async () => {
  for (const who of NON_SU) expectStatus(await get('/api/v1/jhe_settings', { token: T(who) }), 403);
  const admin = T('admin');
  const l = await get('/api/v1/jhe_settings', { token: admin });
  expectStatus(l, 200);
  assert.ok(l.json.count >= 16);
  assert.deepEqual(l.json.results.slice(0, 16).map((s) => s.id), [...Array(16).keys()].map((i) => i + 1));
  assert.deepEqual(Object.keys(l.json.results[0]), ['id', 'key', 'valueType', 'resolvedValue', 'lastUpdated']);
  assert.match(l.json.results[0].lastUpdated, TIME);
  assert.equal(l.json.results[7].resolvedValue, 7);
  assert.equal(l.json.results[12].resolvedValue, false);
  assert.deepEqual(l.json.results[10].resolvedValue, ['https://fhir.epic.com/interconnect-fhir-oauth/oauth2']);
  expectStatus(await get('/api/v1/jhe_settings/999', { token: admin }), 404);

  const miss = await post('/api/v1/jhe_settings', {}, { token: admin });
  assert.deepEqual(miss.json, { key: ['This field is required.'], valueType: ['This field is required.'], value: ['This field is required.'] });
  const dupKey = await post('/api/v1/jhe_settings', { key: 'site.url', valueType: 'string', value: 'https://x.example' }, { token: admin });
  assert.deepEqual(dupKey.json, { key: ['jhe setting with this key already exists.'] });
  const badType = await post('/api/v1/jhe_settings', { key: 'apia.x', valueType: 'x', value: 1 }, { token: admin });
  assert.deepEqual(badType.json, { valueType: ['"x" is not a valid choice.'] });
  const badInt = await post('/api/v1/jhe_settings', { key: 'apia.i', valueType: 'int', value: 'ten' }, { token: admin });
  assert.deepEqual(badInt.json, { value: ['A valid integer is required.'] });
  const badBool = await post('/api/v1/jhe_settings', { key: 'apia.b', valueType: 'bool', value: 'maybe' }, { token: admin });
  assert.deepEqual(badBool.json, { value: ['Must be a valid boolean.'] });

  const created = [];
  try {
    const i = await post('/api/v1/jhe_settings', { key: 'apia.i', value_type: 'int', value: '42' }, { token: admin });
    expectStatus(i, 201);
    created.push(i.json.id);
    assert.equal(i.json.resolvedValue, 42);
    const b = await post('/api/v1/jhe_settings', { key: 'apia.b', valueType: 'bool', value: 'Yes' }, { token: admin });
    created.push(b.json.id);
    assert.equal(b.json.resolvedValue, true);
    const f = await post('/api/v1/jhe_settings', { key: 'apia.f', valueType: 'float', value: '2.5' }, { token: admin });
    created.push(f.json.id);
    assert.equal(f.json.resolvedValue, 2.5);
    const s = await post('/api/v1/jhe_settings', { key: 'apia.s', valueType: 'string', value: 12 }, { token: admin });
    created.push(s.json.id);
    assert.equal(s.json.resolvedValue, '12');
    const j = await post('/api/v1/jhe_settings', { key: 'apia.j', valueType: 'json', value: { someKey: [1, { innerKey: true }] } }, { token: admin });
    created.push(j.json.id);
    assert.deepEqual(j.json.resolvedValue, { someKey: [1, { innerKey: true }] }, 'json values are opaque');
    const ch = await patch(`/api/v1/jhe_settings/${i.json.id}`, { valueType: 'string' }, { token: admin });
    assert.deepEqual(ch.json, { value: ['Required when changing valueType.'] });
    const ch2 = await patch(`/api/v1/jhe_settings/${i.json.id}`, { valueType: 'string', value: 'x' }, { token: admin });
    assert.equal(ch2.json.resolvedValue, 'x');
    assert.deepEqual(sql(`SELECT value_int IS NULL, value_string FROM jhe_setting WHERE id = ${i.json.id}`), [['t', 'x']]);
  } finally {
    for (const id of created) expectStatus(await del(`/api/v1/jhe_settings/${id}`, undefined, { token: admin }), 204);
  }
  // known keys
  const kt = await patch('/api/v1/jhe_settings/1', { valueType: 'int', value: 3 }, { token: admin });
  assert.deepEqual(kt.json, { valueType: ['site.url must be a string.'] });
  const ku = await patch('/api/v1/jhe_settings/1', { value: 'ftp://x' }, { token: admin });
  expectStatus(ku, 400);
  assert.ok(ku.json.value);
  const kd = await patch('/api/v1/jhe_settings/5', { value: '99999:viewer' }, { token: admin });
  expectStatus(kd, 400);
  const ke = await patch('/api/v1/jhe_settings/8', { value: 0 }, { token: admin });
  expectStatus(ke, 400);
  const ok = await patch('/api/v1/jhe_settings/8', { value: 9 }, { token: admin });
  expectStatus(ok, 200);
  expectStatus(await patch('/api/v1/jhe_settings/8', { value: 7 }, { token: admin }), 200);
  // site.url change rewrites client redirect URIs in the same transaction
  const old = (await get('/api/v1/jhe_settings/1', { token: admin })).json.resolvedValue;
  try {
    const su = await patch('/api/v1/jhe_settings/1', { value: 'https://apia.example.org/' }, { token: admin });
    expectStatus(su, 200);
    assert.equal(su.json.resolvedValue, 'https://apia.example.org');
    assert.deepEqual(sql("SELECT redirect_uris FROM oauth_application WHERE client_id = 'carex'"), [['https://apia.example.org/auth/callback']]);
  } finally {
    expectStatus(await patch('/api/v1/jhe_settings/1', { value: old }, { token: admin }), 200);
  }
  assert.deepEqual(sql("SELECT redirect_uris FROM oauth_application WHERE client_id = 'carex'"), [[`${old}/auth/callback`]]);
});

// ---------------------------------------------------------------- audit events

test('audit_events: superuser only, paging, filters, reading is audited', async () => {
  for (const who of NON_SU) expectStatus(await get('/api/v1/audit_events', { token: T(who) }), 403);
  expectStatus(await get('/api/v1/audit_events'), 401);
  const admin = T('admin');
  // make sure there are rows: audit reads themselves are recorded
  for (let i = 0; i < 3; i++) expectStatus(await get('/api/v1/audit_events?pageSize=1', { token: admin }), 200);
  const r = await get('/api/v1/audit_events?resourceType=AuditEvent&pageSize=2', { token: admin });
  expectStatus(r, 200);
  assert.ok(r.json.count >= 3);
  const ev = r.json.results[0];
  assert.deepEqual(Object.keys(ev), ['id', 'time', 'userId', 'oauthClientId', 'action', 'resourceType', 'resourceId', 'patientId', 'outcome', 'sourceAddress', 'requestId', 'method', 'path', 'detail']);
  assert.equal(ev.userId, 10001);
  assert.equal(ev.action, 'search');
  assert.equal(ev.path, '/api/v1/audit_events');
  assert.match(ev.time, TIME);
  // newest first, following next without duplicates
  const seen = [];
  // a fixed upper bound: reading the log adds rows, which would shift offset pages
  const bound = new Date(Date.now() + 1).toISOString();
  let url = `/api/v1/audit_events?resource_type=AuditEvent&pageSize=2&until=${encodeURIComponent(bound)}`;
  let guard = 0;
  while (url && guard++ < 100) {
    const p = await get(url, { token: admin });
    expectStatus(p, 200);
    seen.push(...p.json.results);
    url = p.json.next;
  }
  assert.equal(new Set(seen.map((e) => e.id)).size, seen.length);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].time >= seen[i].time);
  const one = await get(`/api/v1/audit_events/${ev.id}`, { token: admin });
  expectStatus(one, 200);
  assert.equal(one.json.id, ev.id);
  expectStatus(await get('/api/v1/audit_events/999999999', { token: admin }), 404);
  const byAction = await get('/api/v1/audit_events?action=read,search&userId=10001&outcome=200', { token: admin });
  assert.ok(byAction.json.results.every((e) => ['read', 'search'].includes(e.action) && e.userId === 10001 && e.outcome === 200));
  const future = await get('/api/v1/audit_events?since=2999-01-01T00:00:00Z', { token: admin });
  assert.equal(future.json.count, 0);
  const until = await get('/api/v1/audit_events?until=2000-01-01T00:00:00Z', { token: admin });
  assert.equal(until.json.count, 0);
  const bad = await get('/api/v1/audit_events?since=yesterday', { token: admin });
  expectStatus(bad, 400);
  assert.deepEqual(bad.json, ['since must be an ISO 8601 datetime.']);
  const badInt = await get('/api/v1/audit_events?patientId=x', { token: admin });
  assert.deepEqual(badInt.json, ['patientId must be an integer.']);
  const rid = await get(`/api/v1/audit_events?requestId=${ev.requestId}`, { token: admin });
  assert.deepEqual(rid.json.results.map((e) => e.id), [ev.id]);
  expectStatus(await post('/api/v1/audit_events', {}, { token: admin }), 405);
  expectStatus(await del('/api/v1/audit_events/1', undefined, { token: admin }), 405);
});
