// Admin API part A: users (admin-api.md §4) and organizations (§5), with RBAC per actor (§18).
// Tests that write create their own rows and remove them again, so the seed stays intact.
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
const ORG_KEYS = ['id', 'name', 'type', 'partOf', 'currentUserRole', 'children'];
const USER_KEYS = ['id', 'email', 'firstName', 'lastName', 'patient', 'userType', 'isSuperuser'];

// Follow next links to the end; return all results.
async function followAll(path, tok) {
  const out = [];
  let url = path;
  let pages = 0;
  while (url) {
    const r = await get(url, { token: tok });
    expectStatus(r, 200);
    assert.deepEqual(Object.keys(r.json), ['count', 'next', 'previous', 'results']);
    if (r.json.next) assert.match(r.json.next, /^https:\/\//);
    out.push(...r.json.results);
    url = r.json.next;
    if (++pages > 50) throw new Error('too many pages');
  }
  return out;
}

// ---------------------------------------------------------------- users

test('GET /users: superuser only, JheUser shape, ordering, email filter', async () => {
  expectStatus(await get('/api/v1/users'), 401);
  for (const who of ['peter', 'victor', 'megan', 'mary', 'mark']) {
    const r = await get('/api/v1/users', { token: T(who) });
    expectStatus(r, 403);
    assert.deepEqual(r.json, { detail: 'You do not have permission to perform this action.' });
  }
  const r = await get('/api/v1/users', { token: T('admin') });
  expectStatus(r, 200);
  assert.ok(r.json.count >= 12);
  assert.equal(r.json.results.length, Math.min(20, r.json.count));
  for (const u of r.json.results) {
    assert.deepEqual(Object.keys(u), USER_KEYS);
    assert.equal(typeof u.id, 'number');
    assert.equal(typeof u.isSuperuser, 'boolean');
  }
  // ordered by last name, first name, id
  const names = r.json.results.map((u) => [u.lastName, u.firstName, u.id]);
  const sorted = [...names].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] - b[2]));
  assert.deepEqual(names, sorted);
  const peter = r.json.results.find((u) => u.id === 10006);
  assert.equal(peter.patient.id, 40001);
  assert.deepEqual(Object.keys(peter.patient), ['id', 'jheUserId', 'identifiers', 'nameFamily', 'nameGiven', 'birthDate', 'telecomPhone', 'telecomEmail', 'organizations']);
  const f = await get('/api/v1/users?email=MANAGER_MARY@example.com', { token: T('admin') });
  expectStatus(f, 200);
  assert.equal(f.json.count, 1);
  assert.equal(f.json.results[0].id, 10002);
});

test('GET /users paging: next to the end, no duplicates, Invalid page., both casings, caps', async () => {
  const all = await followAll('/api/v1/users?pageSize=5', T('admin'));
  const ids = all.map((u) => u.id);
  assert.equal(new Set(ids).size, ids.length);
  const first = await get('/api/v1/users?page_size=5', { token: T('admin') });
  assert.equal(ids.length, first.json.count);
  assert.equal(first.json.previous, null);
  assert.match(first.json.next, /\/api\/v1\/users\?page=2&page_size=5$/);
  const p2 = await get('/api/v1/users?pageSize=5&page=2', { token: T('admin') });
  assert.match(p2.json.previous, /\/api\/v1\/users\?pageSize=5$/);
  for (const bad of ['0', 'abc', '999']) {
    const r = await get(`/api/v1/users?page=${bad}`, { token: T('admin') });
    expectStatus(r, 404);
    assert.deepEqual(r.json, { detail: 'Invalid page.' });
  }
  const last = await get('/api/v1/users?pageSize=5&page=last', { token: T('admin') });
  expectStatus(last, 200);
  assert.equal(last.json.next, null);
  const big = await get('/api/v1/users?pageSize=5000', { token: T('admin') });
  assert.equal(big.json.results.length, big.json.count);
});

test('GET /users/{id}: self or superuser', async () => {
  const self = await get('/api/v1/users/10003', { token: T('megan') });
  expectStatus(self, 200);
  assert.deepEqual(Object.keys(self.json), USER_KEYS);
  assert.equal(self.json.email, U.megan);
  expectStatus(await get('/api/v1/users/10002', { token: T('megan') }), 403);
  expectStatus(await get('/api/v1/users/99999', { token: T('megan') }), 403);
  const p = await get('/api/v1/users/10006', { token: T('peter') });
  expectStatus(p, 200);
  assert.equal(p.json.patient.id, 40001);
  expectStatus(await get('/api/v1/users/10002', { token: T('admin') }), 200);
  const nf = await get('/api/v1/users/99999', { token: T('admin') });
  expectStatus(nf, 404);
  assert.deepEqual(nf.json, { detail: 'No JheUser matches the given query.' });
  expectStatus(await get('/api/v1/users/abc', { token: T('admin') }), 404);
});

test('POST/PATCH/DELETE /users: superuser only, validation, side effects', async () => {
  for (const who of ['peter', 'victor', 'megan', 'mary']) {
    expectStatus(await post('/api/v1/users', { email: 'x@example.com' }, { token: T(who) }), 403);
    expectStatus(await patch('/api/v1/users/10003', { firstName: 'x' }, { token: T(who) }), 403);
    expectStatus(await patch(`/api/v1/users/99999`, { firstName: 'x' }, { token: T(who) }), 403);
    expectStatus(await del('/api/v1/users/10003', undefined, { token: T(who) }), 403);
  }
  const admin = T('admin');
  // all field errors together
  const bad = await post('/api/v1/users', { userType: 'robot', isSuperuser: 'maybe', bogus: 1, firstName: 5 }, { token: admin });
  expectStatus(bad, 400);
  assert.deepEqual(bad.json, {
    bogus: ['Unknown field.'],
    email: ['This field is required.'],
    firstName: ['Not a valid string.'],
    userType: ['"robot" is not a valid choice.'],
    isSuperuser: ['Must be a valid boolean.'],
  });
  const inv = await post('/api/v1/users', { email: 'not-an-email' }, { token: admin });
  expectStatus(inv, 400);
  assert.deepEqual(inv.json, { email: ['Enter a valid email address.'] });
  const dup = await post('/api/v1/users', { email: ' Manager_Mary@EXAMPLE.com ' }, { token: admin });
  expectStatus(dup, 400);
  assert.deepEqual(dup.json, { email: ['jhe user with this email already exists.'] });

  // practitioner (camelCase) with auth.default_orgs applied
  sql("UPDATE jhe_setting SET value_string = '20003:viewer' WHERE key = 'auth.default_orgs'");
  try {
    const c = await post('/api/v1/users', { email: 'apia.Prac@Example.COM', firstName: 'Apia', lastName: 'Prac', userType: 'practitioner' }, { token: admin });
    expectStatus(c, 201);
    assert.deepEqual(Object.keys(c.json), USER_KEYS);
    assert.equal(c.json.email, 'apia.Prac@example.com');
    assert.equal(c.json.userType, 'practitioner');
    const rows = sql(`SELECT po.role, po.organization_id, pr.name_family FROM practitioner pr JOIN practitioner_organization po ON po.practitioner_id = pr.id WHERE pr.jhe_user_id = ${c.json.id}`);
    assert.deepEqual(rows, [['viewer', '20003', 'Prac']]);
    // userType cannot change; same value accepted; snake_case input
    const ch = await patch(`/api/v1/users/${c.json.id}`, { user_type: 'patient' }, { token: admin });
    expectStatus(ch, 400);
    assert.deepEqual(ch.json, { userType: ['userType cannot be changed.'] });
    const ok = await patch(`/api/v1/users/${c.json.id}`, { user_type: 'practitioner', first_name: 'Renamed' }, { token: admin });
    expectStatus(ok, 200);
    assert.equal(ok.json.firstName, 'Renamed');
    const putNoEmail = await put(`/api/v1/users/${c.json.id}`, { firstName: 'x' }, { token: admin });
    expectStatus(putNoEmail, 400);
    assert.deepEqual(putNoEmail.json, { email: ['This field is required.'] });
    expectStatus(await del(`/api/v1/users/${c.json.id}`, undefined, { token: admin }), 204);
    expectStatus(await get(`/api/v1/users/${c.json.id}`, { token: admin }), 404);
    assert.deepEqual(sql(`SELECT count(*) FROM practitioner WHERE jhe_user_id = ${c.json.id}`), [['0']]);
  } finally {
    sql("UPDATE jhe_setting SET value_string = '' WHERE key = 'auth.default_orgs'");
  }
  // malformed default orgs makes the creating request fail, nothing written
  sql("UPDATE jhe_setting SET value_string = '99999:viewer' WHERE key = 'auth.default_orgs'");
  try {
    const f = await post('/api/v1/users', { email: 'apia.fail@example.com', userType: 'practitioner' }, { token: admin });
    expectStatus(f, 400);
    assert.match(f.json[0], /^Setting auth\.default_orgs is invalid: /);
    assert.deepEqual(sql("SELECT count(*) FROM jhe_user WHERE email = 'apia.fail@example.com'"), [['0']]);
  } finally {
    sql("UPDATE jhe_setting SET value_string = '' WHERE key = 'auth.default_orgs'");
  }
  // patient user gets a patient row with copied names
  const pt = await post('/api/v1/users', { email: 'apia.pat@example.com', first_name: 'Pa', last_name: 'Tient', user_type: 'patient' }, { token: admin });
  expectStatus(pt, 201);
  assert.equal(pt.json.patient.nameFamily, 'Tient');
  assert.equal(pt.json.patient.nameGiven, 'Pa');
  assert.equal(pt.json.patient.birthDate, null);
  // superuser flag creates a practitioner row
  const su = await patch(`/api/v1/users/${pt.json.id}`, { isSuperuser: true }, { token: admin });
  expectStatus(su, 200);
  assert.equal(su.json.isSuperuser, true);
  assert.deepEqual(sql(`SELECT count(*) FROM practitioner WHERE jhe_user_id = ${pt.json.id}`), [['1']]);
  expectStatus(await patch(`/api/v1/users/${pt.json.id}`, { isSuperuser: false }, { token: admin }), 200);
  expectStatus(await del(`/api/v1/users/${pt.json.id}`, undefined, { token: admin }), 204);
  assert.deepEqual(sql(`SELECT count(*) FROM patient WHERE jhe_user_id = ${pt.json.id}`), [['0']]);
  // last superuser and self-deletion
  const last = await patch('/api/v1/users/10001', { isSuperuser: false }, { token: admin });
  expectStatus(last, 400);
  assert.deepEqual(last.json, ['At least one superuser must remain.']);
  const self = await del('/api/v1/users/10001', undefined, { token: admin });
  expectStatus(self, 400);
  assert.deepEqual(self.json, ['You cannot delete your own account.']);
  expectStatus(await del('/api/v1/users/99999', undefined, { token: admin }), 404);
});

test('GET /users/search_by_email', async () => {
  for (const who of ['peter', 'victor', 'megan']) {
    expectStatus(await get(`/api/v1/users/search_by_email?email=${U.megan}`, { token: T(who) }), 403);
  }
  const r = await get(`/api/v1/users/search_by_email?email=${encodeURIComponent('Member_Megan@example.com')}`, { token: T('mary') });
  expectStatus(r, 200);
  assert.deepEqual(r.json, { id: 10003, email: U.megan, firstName: 'MemberMegan', lastName: 'Garcia', patient: null, userType: 'practitioner', isSuperuser: false });
  const p = await get(`/api/v1/users/search_by_email?email=${U.peter}`, { token: T('mark') });
  expectStatus(p, 200);
  assert.deepEqual(p.json, { id: 10006, email: U.peter, firstName: '', lastName: '', patient: { id: 40001 }, userType: 'patient', isSuperuser: false });
  const nf = await get('/api/v1/users/search_by_email?email=nobody@example.com', { token: T('admin') });
  expectStatus(nf, 200);
  assert.equal(nf.text, '{"email":"","firstName":"","lastName":"","userType":null,"isSuperuser":false}');
  const miss = await get('/api/v1/users/search_by_email', { token: T('mary') });
  expectStatus(miss, 400);
  assert.deepEqual(miss.json, ['email parameter required']);
});

test('GET /users/organizations: memberships with the caller role', async () => {
  const r = await get('/api/v1/users/organizations', { token: T('mary') });
  expectStatus(r, 200);
  assert.ok(Array.isArray(r.json));
  assert.deepEqual(r.json.map((o) => o.id), [20003, 20001, 20002]);
  for (const o of r.json) {
    assert.deepEqual(Object.keys(o), ORG_KEYS);
    assert.equal(o.currentUserRole, 'manager');
    assert.deepEqual(o.children, []);
  }
  const v = await get('/api/v1/users/organizations', { token: T('victor') });
  assert.deepEqual(v.json.map((o) => [o.id, o.currentUserRole]), [[20003, 'viewer']]);
  assert.deepEqual((await get('/api/v1/users/organizations', { token: T('peter') })).json, []);
  assert.deepEqual((await get('/api/v1/users/organizations', { token: T('admin') })).json, []);
  expectStatus(await get('/api/v1/users/organizations'), 401);
});

// ---------------------------------------------------------------- organizations

test('GET /organizations: visibility per actor, partOf, shape', async () => {
  expectStatus(await get('/api/v1/organizations'), 401);
  const m = await get('/api/v1/organizations', { token: T('mary') });
  expectStatus(m, 200);
  assert.deepEqual(m.json.results.map((o) => o.id), [20003, 20001, 0, 20002]);
  for (const o of m.json.results) assert.deepEqual(Object.keys(o), ORG_KEYS);
  assert.equal(m.json.results.find((o) => o.id === 0).currentUserRole, null);
  const top = await get('/api/v1/organizations?partOf=0', { token: T('mary') });
  assert.deepEqual(top.json.results.map((o) => o.id), [20001]);
  const top2 = await get('/api/v1/organizations?part_of=0', { token: T('admin') });
  assert.deepEqual(top2.json.results.map((o) => o.id).sort(), [20001, 20004]);
  assert.ok(top2.json.results.every((o) => o.currentUserRole === 'super_user'));
  const pt = await get('/api/v1/organizations', { token: T('peter') });
  assert.deepEqual(pt.json.results.map((o) => o.id), [20003]);
  const mark = await get('/api/v1/organizations', { token: T('mark') });
  const markIds = mark.json.results.map((o) => o.id);
  assert.ok(markIds.includes(20008), 'descendants are visible');
  assert.ok(!markIds.includes(20001));
  const bad = await get('/api/v1/organizations?partOf=abc', { token: T('mary') });
  expectStatus(bad, 400);
  assert.deepEqual(bad.json, ['partOf must be an integer.']);
  const none = await get('/api/v1/organizations?partOf=99999', { token: T('mary') });
  assert.equal(none.json.count, 0);
  const all = await followAll('/api/v1/organizations?pageSize=2', T('admin'));
  assert.equal(new Set(all.map((o) => o.id)).size, Number(sql('SELECT count(*) FROM organization')[0][0]));
});

test('GET /organizations/{id}, /tree, /types', async () => {
  const g = await get('/api/v1/organizations/20003', { token: T('victor') });
  expectStatus(g, 200);
  assert.deepEqual(g.json, { id: 20003, name: 'Lifespan Lab', type: 'laboratory', partOf: 20002, currentUserRole: 'viewer', children: [] });
  const nf = await get('/api/v1/organizations/20004', { token: T('mary') });
  expectStatus(nf, 404);
  assert.deepEqual(nf.json, { detail: 'No Organization matches the given query.' });
  expectStatus(await get('/api/v1/organizations/20001', { token: T('peter') }), 404);
  expectStatus(await get('/api/v1/organizations/99999', { token: T('admin') }), 404);
  const t = await get('/api/v1/organizations/20001/tree', { token: T('mary') });
  expectStatus(t, 200);
  assert.deepEqual(t.json, {
    id: 20001, name: 'Planetary Research Institute', type: 'edu', partOf: 0, currentUserRole: 'manager',
    children: [{ id: 20002, name: 'Saturn School of Data Science', type: 'team', partOf: 20001, currentUserRole: 'manager',
      children: [{ id: 20003, name: 'Lifespan Lab', type: 'laboratory', partOf: 20002, currentUserRole: 'manager', children: [] }] }],
  });
  const mt = await get('/api/v1/organizations/20006/tree', { token: T('mark') });
  assert.deepEqual(mt.json.children.map((c) => [c.id, c.currentUserRole]), [[20008, null], [20007, 'manager']]);
  expectStatus(await get('/api/v1/organizations/20001/tree', { token: T('mark') }), 404);
  const types = await get('/api/v1/organizations/types', { token: T('peter') });
  expectStatus(types, 200);
  assert.deepEqual(Object.keys(types.json), ['root', 'prov', 'dept', 'team', 'govt', 'ins', 'pay', 'edu', 'reli', 'crs', 'cg', 'bus', 'other', 'laboratory', 'imaging', 'pharmacy', 'health-information-network', 'health-data-aggregator']);
  assert.equal(types.json.prov, 'Healthcare Provider');
});

test('GET /organizations/{id}/users and /studies: members or superuser', async () => {
  const u = await get('/api/v1/organizations/20003/users', { token: T('victor') });
  expectStatus(u, 200);
  assert.deepEqual(u.json.map((x) => x.id), [10005, 10003, 10002, 10012, 10004]);
  assert.deepEqual(Object.keys(u.json[0]), ['id', 'email', 'firstName', 'lastName', 'role']);
  assert.deepEqual(u.json.find((x) => x.id === 10003), { id: 10003, email: U.megan, firstName: 'MemberMegan', lastName: 'Garcia', role: 'member' });
  const s = await get('/api/v1/organizations/20003/studies', { token: T('admin') });
  expectStatus(s, 200);
  assert.deepEqual(s.json, [
    { id: 30002, name: 'Lifespan Study on BP', description: 'Blood Pressure', organization: 20003, iconUrl: null },
    { id: 30001, name: 'Lifespan Study on BP & HR', description: 'Blood Pressure & Heart Rate', organization: 20003, iconUrl: null },
  ]);
  // visible but not a member -> 403; invisible -> 404
  expectStatus(await get('/api/v1/organizations/20002/users', { token: T('megan') }), 403);
  expectStatus(await get('/api/v1/organizations/20003/studies', { token: T('peter') }), 403);
  expectStatus(await get('/api/v1/organizations/20003/users', { token: T('mark') }), 404);
  expectStatus(await get('/api/v1/organizations/20008/studies', { token: T('mark') }), 403);
});

test('POST /organizations: permissions, validation, creator becomes manager', async () => {
  const empty = await post('/api/v1/organizations', {}, { token: T('mary') });
  expectStatus(empty, 403);
  expectStatus(await post('/api/v1/organizations', { name: 'X', type: 'team' }, { token: T('mary') }), 403); // top level
  for (const who of ['peter', 'victor', 'megan', 'mark']) {
    expectStatus(await post('/api/v1/organizations', { name: 'X', type: 'team', partOf: 20003 }, { token: T(who) }), 403);
  }
  expectStatus(await post('/api/v1/organizations', { name: 'X', type: 'team', partOf: 99999 }, { token: T('mary') }), 403);
  const v = await post('/api/v1/organizations', { type: 'root', partOf: 99999, extra: true }, { token: T('admin') });
  expectStatus(v, 400);
  assert.deepEqual(v.json, { extra: ['Unknown field.'], partOf: ['Invalid pk "99999" - object does not exist.'], name: ['This field is required.'], type: ['"root" is not a valid choice.'] });
  const c = await post('/api/v1/organizations', { name: 'ApiA Sub', type: 'team', part_of: 20003 }, { token: T('mary') });
  expectStatus(c, 201);
  assert.deepEqual(Object.keys(c.json), ORG_KEYS);
  assert.equal(c.json.partOf, 20003);
  assert.equal(c.json.currentUserRole, 'manager');
  const mem = await get(`/api/v1/organizations/${c.json.id}/users`, { token: T('mary') });
  assert.deepEqual(mem.json.map((x) => [x.id, x.role]), [[10002, 'manager']]);
  const top = await post('/api/v1/organizations', { name: 'ApiA Top', type: 'other', partOf: null }, { token: T('admin') });
  expectStatus(top, 201);
  assert.equal(top.json.partOf, 0);
  assert.equal(top.json.currentUserRole, 'super_user');
  assert.deepEqual((await get(`/api/v1/organizations/${top.json.id}/users`, { token: T('admin') })).json, []);
  expectStatus(await del(`/api/v1/organizations/${top.json.id}`, undefined, { token: T('admin') }), 204);
  expectStatus(await del(`/api/v1/organizations/${c.json.id}`, undefined, { token: T('mary') }), 204);
});

test('PUT/PATCH/DELETE /organizations/{id}: ROOT, permission on the parent, cycles', async () => {
  const root = await patch('/api/v1/organizations/0', { name: 'x' }, { token: T('admin') });
  expectStatus(root, 403);
  assert.deepEqual(root.json, { detail: 'The ROOT organization cannot be changed.' });
  expectStatus(await del('/api/v1/organizations/0', undefined, { token: T('admin') }), 403);
  const a = await post('/api/v1/organizations', { name: 'ApiA A', type: 'team', partOf: 20003 }, { token: T('mary') });
  const b = await post('/api/v1/organizations', { name: 'ApiA B', type: 'laboratory', partOf: a.json.id }, { token: T('mary') });
  expectStatus(b, 201);
  // member/viewer of the parent may not change it; another org's manager cannot see it
  expectStatus(await patch(`/api/v1/organizations/${a.json.id}`, { name: 'x' }, { token: T('megan') }), 403);
  expectStatus(await patch(`/api/v1/organizations/${a.json.id}`, { name: 'x' }, { token: T('victor') }), 403);
  expectStatus(await patch(`/api/v1/organizations/${a.json.id}`, { name: 'x' }, { token: T('mark') }), 404);
  const ren = await patch(`/api/v1/organizations/${a.json.id}`, { name: 'ApiA A2' }, { token: T('mary') });
  expectStatus(ren, 200);
  assert.equal(ren.json.name, 'ApiA A2');
  assert.equal(ren.json.type, 'team');
  const putMissing = await put(`/api/v1/organizations/${a.json.id}`, {}, { token: T('mary') });
  expectStatus(putMissing, 400);
  assert.deepEqual(putMissing.json, { name: ['This field is required.'], type: ['This field is required.'] });
  const cyc = await patch(`/api/v1/organizations/${a.json.id}`, { partOf: b.json.id }, { token: T('admin') });
  expectStatus(cyc, 400);
  assert.deepEqual(cyc.json, { partOf: ['An organization cannot be part of itself or of its descendants.'] });
  expectStatus(await patch(`/api/v1/organizations/${a.json.id}`, { partOf: 0 }, { token: T('mary') }), 403);
  // delete cascades the subtree, its studies and memberships
  const st = await post('/api/v1/studies', { name: 'ApiA cascade', description: 'd', organization: b.json.id }, { token: T('admin') });
  expectStatus(st, 201);
  expectStatus(await del(`/api/v1/organizations/${a.json.id}`, undefined, { token: T('megan') }), 403);
  expectStatus(await del(`/api/v1/organizations/${a.json.id}`, undefined, { token: T('mary') }), 204);
  expectStatus(await get(`/api/v1/organizations/${b.json.id}`, { token: T('admin') }), 404);
  expectStatus(await get(`/api/v1/studies/${st.json.id}`, { token: T('admin') }), 403);
  assert.deepEqual(sql(`SELECT count(*) FROM practitioner_organization WHERE organization_id IN (${a.json.id}, ${b.json.id})`), [['0']]);
});

test('POST /organizations/{id}/user and DELETE /remove_user', async () => {
  const o = await post('/api/v1/organizations', { name: 'ApiA Members', type: 'team', partOf: 20003 }, { token: T('mary') });
  const id = o.json.id;
  try {
    const add = await post(`/api/v1/organizations/${id}/user`, { jheUserId: 10003, organizationPartitionerRole: 'viewer' }, { token: T('mary') });
    expectStatus(add, 201);
    assert.deepEqual(Object.keys(add.json), ['id', 'organization', 'practitioner', 'role']);
    assert.deepEqual(Object.keys(add.json.organization), ['id', 'name', 'type', 'lastUpdated', 'partOf']);
    assert.deepEqual(Object.keys(add.json.practitioner), ['id', 'identifier', 'nameFamily', 'nameGiven', 'lastUpdated', 'settings', 'jheUser', 'organizations']);
    assert.equal(add.json.practitioner.jheUser, 10003);
    assert.ok(add.json.practitioner.organizations.includes(id));
    assert.deepEqual(add.json.practitioner.settings, { currentOrganizationId: 20003, currentStudyId: 30001 });
    assert.match(add.json.organization.lastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    assert.equal(add.json.role, 'viewer');
    // a viewer cannot promote itself
    expectStatus(await post(`/api/v1/organizations/${id}/user`, { jheUserId: 10003, organizationPartitionerRole: 'manager' }, { token: T('megan') }), 403);
    const upd = await post(`/api/v1/organizations/${id}/user`, { jhe_user_id: 10003, organization_partitioner_role: 'member' }, { token: T('mary') });
    expectStatus(upd, 200);
    assert.equal(upd.json.role, 'member');
    assert.equal(upd.json.id, add.json.id);
    const alt = await post(`/api/v1/organizations/${id}/user`, { jheUserId: 10003, organizationPractitionerRole: 'viewer' }, { token: T('mary') });
    expectStatus(alt, 200);
    const badRole = await post(`/api/v1/organizations/${id}/user`, { jheUserId: 10003, organizationPartitionerRole: 'owner' }, { token: T('mary') });
    expectStatus(badRole, 400);
    assert.deepEqual(badRole.json, { organizationPartitionerRole: ['"owner" is not a valid choice.'] });
    const missing = await post(`/api/v1/organizations/${id}/user`, {}, { token: T('mary') });
    expectStatus(missing, 400);
    assert.deepEqual(missing.json, { jheUserId: ['This field is required.'], organizationPartitionerRole: ['This field is required.'] });
    const nu = await post(`/api/v1/organizations/${id}/user`, { jheUserId: 99999, organizationPartitionerRole: 'viewer' }, { token: T('mary') });
    expectStatus(nu, 404);
    assert.deepEqual(nu.json, { detail: 'No JheUser matches the given query.' });
    const np = await post(`/api/v1/organizations/${id}/user`, { jheUserId: 10006, organizationPartitionerRole: 'viewer' }, { token: T('mary') });
    expectStatus(np, 404);
    assert.deepEqual(np.json, { detail: 'Practitioner not found.' });
    const root = await post('/api/v1/organizations/0/user', { jheUserId: 10003, organizationPartitionerRole: 'viewer' }, { token: T('admin') });
    expectStatus(root, 400);
    assert.deepEqual(root.json, ['Members cannot be added to the ROOT organization.']);
    expectStatus(await post(`/api/v1/organizations/${id}/user`, { jheUserId: 10003, organizationPartitionerRole: 'viewer' }, { token: T('mark') }), 404);
    expectStatus(await del(`/api/v1/organizations/${id}/remove_user`, { jheUserId: 10003 }, { token: T('megan') }), 403);
    expectStatus(await del(`/api/v1/organizations/${id}/remove_user`, { jheUserId: 10003 }, { token: T('mary') }), 204);
    expectStatus(await del(`/api/v1/organizations/${id}/remove_user`, { jheUserId: 10003 }, { token: T('mary') }), 204);
    expectStatus(await del(`/api/v1/organizations/${id}/remove_user`, { jheUserId: 99999 }, { token: T('mary') }), 404);
    const users = await get(`/api/v1/organizations/${id}/users`, { token: T('mary') });
    assert.deepEqual(users.json.map((x) => x.id), [10002]);
    // form bodies work too
    const form = await post(`/api/v1/organizations/${id}/user`, new URLSearchParams({ jheUserId: '10004', organizationPartitionerRole: 'viewer' }), { token: T('admin') });
    expectStatus(form, 201);
  } finally {
    await del(`/api/v1/organizations/${id}`, undefined, { token: T('admin') });
  }
});

test('organization writes: unsupported media type and bad JSON come first', async () => {
  const r = await post('/api/v1/organizations', 'name=x', { token: T('peter'), headers: { 'Content-Type': 'text/plain' } });
  expectStatus(r, 415);
  const j = await post('/api/v1/organizations', '{bad', { token: T('peter'), headers: { 'Content-Type': 'application/json' } });
  expectStatus(j, 400);
  assert.ok(Array.isArray(j.json));
});
