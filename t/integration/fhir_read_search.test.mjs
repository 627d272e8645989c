// FHIR R5: routes, media types, errors, read, search parameters and visibility (fhir.md §1, §5-§11).
import { test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { BASE, get, post, req, token, sql, assert, expectStatus } from './lib.mjs';
import { observation, fhirPost } from './fhir_helpers.mjs';

const mary = () => token('manager_mary@example.com');
const peter = () => token('ll_patient_peter@example.com');
const ids = (r) => r.json.entry.map((e) => e.resource.id).sort();
const O = '/FHIR/R5/Observation';

test('metadata is public, cached, CORS *, with the project URLs', async () => {
  const r = await get('/FHIR/R5/metadata', { headers: { Authorization: 'Bearer invalid' } });
  expectStatus(r, 200);
  assert.equal(r.headers.get('cache-control'), 'public, max-age=3600');
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(r.json.resourceType, 'CapabilityStatement');
  assert.equal(r.json.fhirVersion, '5.0.0');
  assert.match(r.json.date, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(r.json.implementation.url, `${BASE}/FHIR/R5/`);
  const types = r.json.rest[0].resource.map((x) => x.type);
  assert.deepEqual(types, ['Device', 'Group', 'Observation', 'Organization', 'Patient', 'Practitioner']);
  const obs = r.json.rest[0].resource[2];
  assert.equal(obs.conditionalCreate, true);
  assert.deepEqual(obs.interaction.map((i) => i.code), ['create', 'read', 'vread', 'search-type']);
  const f = await get('/fhir/r5/metadata', { headers: { Accept: 'application/fhir+json' } });
  assert.equal(f.headers.get('content-type'), 'application/fhir+json');
  assert.equal(f.json.implementation.url, `${BASE}/fhir/r5/`);
  assert.equal(f.json.date, r.json.date);
});

test('401 OperationOutcome without a token; 404 unknown type; 405s', async () => {
  let r = await get(O);
  expectStatus(r, 401);
  assert.equal(r.json.resourceType, 'OperationOutcome');
  assert.equal(r.json.issue[0].code, 'login');
  assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="api"');
  r = await get('/FHIR/R5/Condition', { token: mary() });
  expectStatus(r, 404);
  assert.equal(r.json.issue[0].diagnostics, 'Unsupported FHIR resource type: Condition.');
  assert.equal(r.json.issue[0].code, 'not-found');
  r = await req('PUT', '/FHIR/R5/Observation/60001', { token: mary(), body: {} });
  expectStatus(r, 405);
  assert.equal(r.json.issue[0].diagnostics, 'Update of a Observation record is not supported.');
  r = await req('DELETE', '/FHIR/R5/Patient/40001', { token: mary() });
  expectStatus(r, 405);
  assert.equal(r.json.issue[0].diagnostics, 'Delete of a Patient record is not supported.');
  r = await post('/FHIR/R5/Patient', { resourceType: 'Patient' }, { token: mary() });
  expectStatus(r, 405);
  assert.equal(r.json.issue[0].diagnostics, 'Create of a Patient record is not supported.');
  r = await get('/FHIR/R5/', { token: mary() });
  expectStatus(r, 405);
  r = await get('/FHIR/R5/');
  expectStatus(r, 401);
  r = await get('/FHIR/R5/Observation/', { token: mary() });
  expectStatus(r, 404);
});

test('media types: no Accept -> application/json; fhir+json when asked; 406 otherwise', async () => {
  let r = await get(`${O}?_count=1`, { token: mary() });
  assert.equal(r.headers.get('content-type'), 'application/json');
  r = await get(`${O}?_count=1`, { token: mary(), headers: { Accept: 'application/fhir+json' } });
  assert.equal(r.headers.get('content-type'), 'application/fhir+json');
  r = await get(`${O}?_count=1&_format=fhir%2Bjson`, { token: mary() });
  assert.equal(r.headers.get('content-type'), 'application/fhir+json');
  r = await get(`${O}?_count=1`, { token: mary(), headers: { Accept: 'text/html' } });
  expectStatus(r, 406);
  assert.equal(r.json.issue[0].code, 'not-supported');
  r = await get(`${O}?_format=xml`, { token: mary() });
  expectStatus(r, 406);
});

test('seed.md §11 visibility table', async () => {
  const cases = [
    ['manager_mary@example.com', 'patient._has%3AGroup%3Amember%3A_id=30001', ['60001', '60002', '60003', '60004', '60005']],
    ['manager_mary@example.com', 'patient._has:Group:member:_id=30002', ['60003', '60005']],
    ['manager_mary@example.com', '_has:Group:member:_id=30002', ['60003', '60005']],
    ['member_megan@example.com', '', ['60001', '60002', '60003', '60004', '60005']],
    ['viewer_victor@example.com', '', ['60001', '60002', '60003', '60004', '60005']],
    ['three_org_tom@example.com', '', ['60001', '60002', '60003', '60004', '60005', '60006', '60007', '60009']],
    ['three_org_tom@example.com', 'patient._has:Group:member:_id=30005', ['60007', '60009']],
    ['manager_mark@example.com', '', ['60006', '60008']],
    ['admin@example.com', '', []],
    ['ll_patient_peter@example.com', '', ['60001', '60002']],
  ];
  for (const [who, q, want] of cases) {
    const r = await get(`${O}?${q}&_id=60001,60002,60003,60004,60005,60006,60007,60008,60009`, { token: token(who) });
    expectStatus(r, 200);
    assert.deepEqual(ids(r), want, `${who} ${q}`);
    assert.equal(r.json.total, want.length);
    assert.ok(Array.isArray(r.json.entry) && Array.isArray(r.json.link), 'entry and link always present');
  }
});

test('location parameters: 403 for practitioners, empty for patients', async () => {
  let r = await get(`${O}?patient=40003`, { token: mary() });
  expectStatus(r, 403);
  assert.equal(r.json.issue[0].diagnostics, 'Current user is not authorized to access Patient/40003.');
  r = await get(`${O}?patient=abc`, { token: mary() });
  expectStatus(r, 403);
  r = await get(`${O}?patient.organization=20007`, { token: mary() });
  expectStatus(r, 403);
  assert.equal(r.json.issue[0].diagnostics, 'Current user is not authorized to access Organization/20007.');
  r = await get(`${O}?patient._has:Group:member:_id=30003`, { token: mary() });
  expectStatus(r, 403);
  assert.equal(r.json.issue[0].diagnostics, 'Current user is not authorized to access Group/30003.');
  r = await get(`${O}?patient._has:Group:member:_id=39999`, { token: mary() });
  expectStatus(r, 403);
  r = await get(`${O}?patient=40002`, { token: peter() });
  expectStatus(r, 200);
  assert.deepEqual(r.json.entry, []);
  assert.equal(r.json.total, 0);
  r = await get(`${O}?patient._has:Group:member:_id=30002`, { token: peter() });
  expectStatus(r, 200);
  assert.deepEqual(r.json.entry, [], 'Peter has not consented in 30002');
  r = await get(`${O}?patient=Patient/40001&_id=60001,60002`, { token: mary() });
  assert.deepEqual(ids(r), ['60001', '60002']);
  r = await get(`${O}?patient.organization=20003&_id=60001,60002,60003`, { token: mary() });
  assert.deepEqual(ids(r), ['60001', '60002', '60003']);
});

test('code parameter: system|code, bare code, comma list, IEEE/OMH equivalence', async () => {
  const base = `${O}?_id=60001,60002,60003,60004,60005`;
  let r = await get(`${base}&code=https%3A%2F%2Fw3id.org%2Fopenmhealth%7Comh%3Aheart-rate%3A2.0`, { token: mary() });
  assert.deepEqual(ids(r), ['60002', '60004']);
  r = await get(`${base}&code=omh:blood-pressure:4.0`, { token: mary() });
  assert.deepEqual(ids(r), ['60001', '60003', '60005']);
  r = await get(`${base}&code=${encodeURIComponent('|omh:blood-pressure:4.0')}`, { token: mary() });
  assert.deepEqual(ids(r), ['60001', '60003', '60005']);
  r = await get(`${base}&code=omh:heart-rate:2.0,omh:blood-pressure:4.0&patient=40001`, { token: mary() });
  assert.deepEqual(ids(r), ['60001', '60002']);
  r = await get(`${base}&code=${encodeURIComponent('https://w3id.org/ieee1752|omh:heart-rate:2.0')}`, { token: mary() });
  assert.deepEqual(ids(r), ['60002', '60004']);
  r = await get(`${base}&code=${encodeURIComponent('http://other|omh:heart-rate:2.0')}`, { token: mary() });
  assert.deepEqual(ids(r), []);
});

test('date, _lastUpdated, status, _id, _sort, _summary, _total', async () => {
  const [[eff]] = sql("SELECT to_char(effective_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM observation WHERE id = 60001");
  const base = `${O}?patient=40001&_id=60001,60002`;
  let r = await get(`${base}&date=${eff}`, { token: mary() });
  assert.deepEqual(ids(r), ['60001', '60002']);
  r = await get(`${base}&date=lt${eff}`, { token: mary() });
  assert.deepEqual(ids(r), []);
  r = await get(`${base}&date=ge${eff.slice(0, 7)}`, { token: mary() });
  assert.deepEqual(ids(r), ['60001', '60002']);
  r = await get(`${base}&date=gt${eff.slice(0, 4)}`, { token: mary() });
  assert.deepEqual(ids(r), []);
  r = await get(`${base}&date=ne${eff}`, { token: mary() });
  assert.deepEqual(ids(r), []);
  r = await get(`${base}&_lastUpdated=gt2000-01-01T00:00:00Z`, { token: mary() });
  assert.deepEqual(ids(r), ['60001', '60002']);
  r = await get(`${base}&_lastUpdated=le2000-01-01T00:00:00+01:00`, { token: mary() });
  assert.deepEqual(ids(r), []);
  r = await get(`${base}&date=sa2020`, { token: mary() });
  expectStatus(r, 400);
  assert.equal(r.json.issue[0].diagnostics, "Unsupported date prefix 'sa'.");
  r = await get(`${base}&date=2020-13`, { token: mary() });
  expectStatus(r, 400);
  assert.equal(r.json.issue[0].diagnostics, "Invalid date value: '2020-13'.");
  r = await get(`${base}&_lastUpdated=yesterday`, { token: mary() });
  expectStatus(r, 400);
  assert.equal(r.json.issue[0].diagnostics, "Invalid _lastUpdated value: 'yesterday'.");
  r = await get(`${base}&status=final`, { token: mary() });
  assert.deepEqual(ids(r), ['60001', '60002']);
  r = await get(`${base}&status=amended`, { token: mary() });
  assert.deepEqual(ids(r), []);
  r = await get(`${O}?_id=abc`, { token: mary() });
  expectStatus(r, 200);
  assert.deepEqual(r.json.entry, []);
  r = await get(`${base}&_sort=_id`, { token: mary() });
  assert.deepEqual(r.json.entry.map((e) => e.resource.id), ['60001', '60002']);
  r = await get(`${base}&_sort=-_id`, { token: mary() });
  assert.deepEqual(r.json.entry.map((e) => e.resource.id), ['60002', '60001']);
  r = await get(`${base}&_summary=count`, { token: mary() });
  assert.equal(r.json.total, 2);
  assert.deepEqual(r.json.entry, []);
  assert.deepEqual(r.json.link.map((l) => l.relation), ['self']);
  r = await get(`${base}&_total=none`, { token: mary() });
  assert.equal(r.json.total, undefined);
  assert.equal(r.json.entry.length, 2);
  r = await get(`${base}&bogus=1`, { token: mary() });
  expectStatus(r, 200);
  r = await get(`${base}&bogus=1`, { token: mary(), headers: { Prefer: 'handling=strict' } });
  expectStatus(r, 400);
  assert.equal(r.json.issue[0].diagnostics, "Unknown search parameter 'bogus'.");
});

test('search pages: several identifiers per Observation, none, and paging across them', async () => {
  const a = randomUUID(), b = randomUUID();
  const o1 = observation({ ident: a, device: 70004 });
  o1.identifier.push({ value: b }); // no system
  o1.identifier.push({ system: 'urn:third', value: `${a}-3` });
  const c1 = await fhirPost(O, o1, peter());
  expectStatus(c1, 201);
  const c2 = await fhirPost(O, observation({ ident: null, device: 70004 }), peter());
  expectStatus(c2, 201);
  const i3 = randomUUID();
  const c3 = await fhirPost(O, observation({ ident: i3, device: 70004 }), peter());
  expectStatus(c3, 201);
  const want = [c1.json.id, c2.json.id, c3.json.id];
  const expected = {
    [c1.json.id]: [{ system: 'https://test.example/obs', value: a }, { value: b }, { system: 'urn:third', value: `${a}-3` }],
    [c2.json.id]: undefined,
    [c3.json.id]: [{ system: 'https://test.example/obs', value: i3 }],
  };
  // one page with all three, then the same chain one entry per page (the cursor crosses them)
  let r = await get(`${O}?_id=${want.join(',')}&_count=10`, { token: mary() });
  expectStatus(r, 200);
  assert.equal(r.json.total, 3);
  assert.equal(r.json.entry.length, 3);
  for (const e of r.json.entry) assert.deepEqual(e.resource.identifier, expected[e.resource.id]);
  const byId = Object.fromEntries(r.json.entry.map((e) => [e.resource.id, e.resource]));
  let url = `${O}?_id=${want.join(',')}&_count=1`;
  const seen = [];
  while (url) {
    r = await get(url, { token: mary() });
    expectStatus(r, 200);
    assert.equal(r.json.entry.length, 1);
    const res = r.json.entry[0].resource;
    seen.push(res.id);
    assert.deepEqual(res, byId[res.id]);
    const next = r.json.link.find((l) => l.relation === 'next');
    url = next ? new URL(next.url).pathname + new URL(next.url).search : null;
  }
  assert.deepEqual(seen.sort(), [...want].sort());
  // the read (its own shape) gives the same resource
  r = await get(`${O}/${c1.json.id}`, { token: mary() });
  assert.deepEqual(r.json, byId[c1.json.id]);
});

test('identifier, patient.identifier and device parameters', async () => {
  const ident = randomUUID();
  const c = await fhirPost(O, observation({ ident, device: 70004 }), peter());
  expectStatus(c, 201);
  let r = await get(`${O}?identifier=${encodeURIComponent(`https://test.example/obs|${ident}`)}`, { token: mary() });
  assert.deepEqual(ids(r), [c.json.id]);
  r = await get(`${O}?identifier=${ident}`, { token: mary() });
  assert.deepEqual(ids(r), [c.json.id]);
  r = await get(`${O}?identifier=${encodeURIComponent(`urn:other|${ident}`)}`, { token: mary() });
  assert.deepEqual(ids(r), []);
  r = await get(`${O}?device=Device/70004&identifier=${ident}`, { token: mary() });
  assert.deepEqual(ids(r), [c.json.id]);
  r = await get(`${O}?device=70001&identifier=${ident}`, { token: mary() });
  assert.deepEqual(ids(r), []);
  r = await get(`${O}?patient.identifier=${encodeURIComponent('https://openwearables.io/ns/patient-id|abc123')}&_id=60001,60002,60003`, { token: mary() });
  assert.deepEqual(ids(r), ['60001', '60002']);
  r = await get(`${O}/${c.json.id}`, { token: peter() });
  assert.deepEqual(r.json.identifier, [{ system: 'https://test.example/obs', value: ident }]);
  assert.deepEqual(r.json.device, { reference: 'Device/70004' });
});

test('Observation read, vread, ETag, If-None-Match, visibility', async () => {
  let r = await get(`${O}/60001`, { token: mary() });
  expectStatus(r, 200);
  assert.equal(r.headers.get('etag'), 'W/"1"');
  assert.ok(r.headers.get('last-modified'));
  const o = r.json;
  assert.deepEqual(Object.keys(o), ['resourceType', 'id', 'meta', 'status', 'code', 'subject', 'effectiveDateTime', 'valueAttachment']);
  assert.equal(o.meta.versionId, '1');
  assert.equal(o.meta.source, 'https://jupyterhealth.org/jhe');
  assert.deepEqual(o.subject, { reference: 'Patient/40001', identifier: { system: 'https://jupyterhealth.org/fhir/identifier/jhe-user-id', value: '10006' } });
  assert.equal(o.code.coding[0].display, 'Blood pressure');
  const dp = JSON.parse(Buffer.from(o.valueAttachment.data, 'base64').toString());
  assert.equal(dp.body.systolic_blood_pressure.value, 115);
  assert.match(o.valueAttachment.data, /^[A-Za-z0-9+/]+=*$/);
  r = await get(`${O}/60001/_history/1`, { token: mary() });
  expectStatus(r, 200);
  assert.deepEqual(r.json, o);
  r = await get(`${O}/60001/_history/2`, { token: mary() });
  expectStatus(r, 404);
  assert.equal(r.json.issue[0].diagnostics, 'Observation/60001/_history/2 not found.');
  r = await get(`${O}/60001`, { token: mary(), headers: { 'If-None-Match': 'W/"1"' } });
  expectStatus(r, 304);
  r = await get(`${O}/60006`, { token: mary() });
  expectStatus(r, 404);
  assert.equal(r.json.issue[0].diagnostics, 'Observation/60006 not found.');
  r = await get(`${O}/60003`, { token: peter() });
  expectStatus(r, 404);
  r = await get(`${O}/abc`, { token: mary() });
  expectStatus(r, 404);
  assert.equal(r.json.issue[0].diagnostics, 'Observation/abc not found.');
});

test('Patient, Group, Device, Organization, Practitioner read and search', async () => {
  let r = await get('/FHIR/R5/Patient/40001', { token: mary() });
  expectStatus(r, 200);
  assert.deepEqual(r.json.identifier, [{ system: 'https://openwearables.io/ns/patient-id', value: 'abc123' }, { system: 'urn:oid:1.2.3.4', value: 'E1234' }]);
  assert.deepEqual(r.json.name, [{ family: 'Smith', given: ['LlPatientPeter'] }]);
  assert.deepEqual(r.json.telecom, [{ system: 'phone', value: '+1-555-010-0006', use: 'mobile' }, { system: 'email', value: 'll_patient_peter@example.com', use: 'home' }]);
  assert.equal(r.json.birthDate, '1987-04-12');
  assert.match(r.json.meta.lastUpdated, /Z$/);
  r = await get('/FHIR/R5/Patient/40003', { token: mary() });
  expectStatus(r, 404);
  r = await get('/FHIR/R5/Patient', { token: mary() });
  assert.deepEqual(ids(r), ['40001', '40002']);
  r = await get('/FHIR/R5/Patient', { token: peter() });
  assert.deepEqual(ids(r), ['40001']);
  r = await get('/FHIR/R5/Patient?identifier=abc123', { token: mary() });
  assert.deepEqual(ids(r), ['40001']);
  r = await get('/FHIR/R5/Patient?family=smi', { token: mary() });
  assert.deepEqual(ids(r), ['40001']);
  r = await get('/FHIR/R5/Patient?birthdate=1991-09-23', { token: mary() });
  assert.deepEqual(ids(r), ['40002']);
  r = await get('/FHIR/R5/Patient?patient._has:Group:member:_id=30002', { token: mary() });
  assert.deepEqual(ids(r), ['40001', '40002']);
  r = await get('/FHIR/R5/Group/30001', { token: mary() });
  expectStatus(r, 200);
  assert.deepEqual(r.json.managingEntity, { reference: 'Organization/20003' });
  assert.equal(r.json.type, 'person');
  r = await get('/FHIR/R5/Group', { token: peter() });
  assert.deepEqual(ids(r), ['30001', '30002']);
  r = await get('/FHIR/R5/Group', { token: token('admin@example.com') });
  assert.equal(r.json.total, 5);
  r = await get('/FHIR/R5/Device?type=personal_device', { token: mary() });
  assert.deepEqual(ids(r), ['70001', '70002', '70003', '70004']);
  r = await get('/FHIR/R5/Device/70005', { token: peter() });
  assert.equal(r.json.type[1].coding[0].display, 'Patient App');
  r = await get('/FHIR/R5/Organization/0', { token: mary() });
  expectStatus(r, 200);
  assert.equal(r.json.partOf, undefined);
  r = await get('/FHIR/R5/Organization/20003', { token: mary() });
  assert.deepEqual(r.json.partOf, { reference: 'Organization/20002' });
  assert.equal(r.json.type[1].coding[0].display, 'Laboratory');
  r = await get('/FHIR/R5/Organization?partof=20002', { token: mary() });
  assert.deepEqual(ids(r), ['20003']);
  r = await get('/FHIR/R5/Practitioner/80002', { token: mary() });
  assert.deepEqual(r.json.name, [{ family: 'Jones', given: ['ManagerMary'] }]);
  r = await get('/FHIR/R5/Practitioner?organization=20007', { token: mary() });
  expectStatus(r, 403);
  r = await get('/FHIR/R5/Practitioner?organization=20003', { token: mary() });
  assert.deepEqual(ids(r), ['80002', '80003', '80004', '80005', '80007']);
});

test('audit rows for searches and reads', async () => {
  let r = await get(`${O}?patient=40001&_count=1`, { token: mary() });
  const rid = r.headers.get('x-request-id');
  let rows = sql(`SELECT action, resource_type, patient_id, outcome, detail->>'count', user_id FROM audit_event WHERE request_id = '${rid}'`);
  assert.deepEqual(rows, [['search', 'Observation', '40001', '200', '1', '10002']]);
  r = await get(`${O}/60002`, { token: mary() });
  rows = sql(`SELECT action, resource_id, patient_id, outcome FROM audit_event WHERE request_id = '${r.headers.get('x-request-id')}'`);
  assert.deepEqual(rows, [['read', '60002', '40001', '200']]);
  // the read writes its audit row in its own statement: exactly one row, also for 304 and 404
  r = await get(`${O}/60002`, { token: mary(), headers: { 'If-None-Match': 'W/"1"' } });
  expectStatus(r, 304);
  rows = sql(`SELECT action, resource_id, patient_id, outcome FROM audit_event WHERE request_id = '${r.headers.get('x-request-id')}'`);
  assert.deepEqual(rows, [['read', '60002', '40001', '304']]);
  r = await get(`${O}/60006`, { token: mary() });
  expectStatus(r, 404);
  rows = sql(`SELECT action, resource_id, coalesce(patient_id::text, 'none'), outcome FROM audit_event WHERE request_id = '${r.headers.get('x-request-id')}'`);
  assert.deepEqual(rows, [['read', '60006', 'none', '404']]);
  r = await get(`${O}?patient=40003`, { token: mary() });
  rows = sql(`SELECT action, patient_id, outcome FROM audit_event WHERE request_id = '${r.headers.get('x-request-id')}'`);
  assert.deepEqual(rows, [['access.denied', '40003', '403']]);
});

test('X-JHE-Remember-View saves the practitioner view', async () => {
  let r = await get(`${O}?patient=40001&_count=5&code=omh:heart-rate:2.0&patient._has:Group:member:_id=30001`, {
    token: mary(), headers: { 'X-JHE-Remember-View': '1' },
  });
  expectStatus(r, 200);
  const p = await get('/api/v1/users/profile', { token: mary() });
  assert.equal(p.json.settings.currentFhirResource, 'Observation?code=omh%3Aheart-rate%3A2.0&patient=40001');
  await get(`${O}?patient=40002`, { token: mary() });
  const p2 = await get('/api/v1/users/profile', { token: mary() });
  assert.equal(p2.json.settings.currentFhirResource, 'Observation?code=omh%3Aheart-rate%3A2.0&patient=40001');
  await get('/FHIR/R5/Group', { token: mary(), headers: { 'X-JHE-Remember-View': 'yes' } });
  const p3 = await get('/api/v1/users/profile', { token: mary() });
  assert.equal(p3.json.settings.currentFhirResource, 'Group');
  // leave the seeded settings as other test files expect them
  sql("UPDATE practitioner SET settings = settings - 'current_fhir_resource' WHERE id = 80002");
});

test('POST _search merges form parameters', async () => {
  const r = await post(`${O}/_search?patient=40001`, new URLSearchParams({ code: 'omh:heart-rate:2.0', _id: '60001,60002' }), { token: mary() });
  expectStatus(r, 200);
  assert.deepEqual(ids(r), ['60002']);
  assert.equal(r.json.link[0].url, `${BASE}${O}?_id=60001%2C60002&code=omh%3Aheart-rate%3A2.0&patient=40001`);
});

test('consent revocation hides the data from the next search', async () => {
  const q = `${O}?patient=40001&_id=60001,60002`;
  let r = await get(q, { token: mary() });
  assert.deepEqual(ids(r), ['60001', '60002']);
  sql('UPDATE study_patient_scope_consent SET consented = false WHERE study_patient_id = 1 AND scope_code_id = 50004');
  try {
    r = await get(q, { token: mary() });
    assert.deepEqual(ids(r), ['60001']);
    r = await get(`${O}/60002`, { token: mary() });
    expectStatus(r, 404);
    r = await get(q, { token: peter() });
    assert.deepEqual(ids(r), ['60001', '60002'], 'patients always see their own data');
  } finally {
    sql('UPDATE study_patient_scope_consent SET consented = true WHERE study_patient_id = 1 AND scope_code_id = 50004');
  }
});

test('SMART scopes narrow FHIR access', async () => {
  const setScope = (tok, scope) => sql(`UPDATE oauth_access_token SET scope = '${scope}' WHERE token_digest = sha256(convert_to('${tok}', 'UTF8'))`);
  const t1 = token('manager_mary@example.com', 'carex');
  setScope(t1, 'openid user/Observation.rs');
  let r = await get(`${O}?_id=60001,60002`, { token: t1 });
  expectStatus(r, 200);
  assert.deepEqual(ids(r), ['60001', '60002']);
  r = await get('/FHIR/R5/Patient', { token: t1 });
  expectStatus(r, 403);
  assert.equal(r.json.issue[0].diagnostics, "The token's scopes do not permit search on Patient.");
  assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="api", error="insufficient_scope"');
  r = await get('/FHIR/R5/Patient/40001', { token: t1 });
  expectStatus(r, 403);
  setScope(t1, 'openid user/Observation.rs?code=https://w3id.org/openmhealth|omh:heart-rate:2.0');
  r = await get(`${O}?_id=60001,60002,60003,60004`, { token: t1 });
  assert.deepEqual(ids(r), ['60002', '60004']);
  setScope(t1, 'openid patient/*.rs');
  r = await get(O, { token: t1 });
  expectStatus(r, 403);
  const t2 = token('ll_patient_peter@example.com', 'carex');
  setScope(t2, 'openid patient/Observation.rs');
  r = await get(`${O}?_id=60001,60002,60003`, { token: t2 });
  expectStatus(r, 200);
  assert.deepEqual(ids(r), ['60001', '60002']);
  r = await get('/FHIR/R5/Group', { token: t2 });
  expectStatus(r, 403);
});

test('paging: _page without cursor, Invalid page., previous link, tampered cursor', async () => {
  const q = `${O}?patient._has:Group:member:_id=30001&_id=60001,60002,60003,60004,60005&_count=2`;
  let r = await get(`${q}&_page=2`, { token: mary() });
  expectStatus(r, 200);
  assert.equal(r.json.entry.length, 2);
  assert.equal(r.json.link[1].relation, 'previous');
  assert.ok(!r.json.link[1].url.includes('_page='));
  r = await get(`${q}&_page=9`, { token: mary() });
  expectStatus(r, 404);
  assert.equal(r.json.issue[0].diagnostics, 'Invalid page.');
  r = await get(`${q}&_page=0`, { token: mary() });
  expectStatus(r, 404);
  r = await get(`${q}&_page=last`, { token: mary() });
  expectStatus(r, 200);
  assert.equal(r.json.entry.length, 1);
  r = await get(q, { token: mary() });
  const next = r.json.link.find((l) => l.relation === 'next').url;
  assert.ok(next.startsWith(`${BASE}/FHIR/R5/Observation?_count=2&_cursor=`));
  const bad = next.replace(/_cursor=([^&]*)/, (m, c) => `_cursor=${c.slice(0, -3)}AAA`);
  r = await get(bad, { token: mary() });
  expectStatus(r, 400);
  assert.equal(r.json.issue[0].diagnostics, 'Invalid _cursor.');
  r = await get(next.replace('_count=2', '_count=2&code=omh:heart-rate:2.0'), { token: mary() });
  expectStatus(r, 400);
  r = await get(next, { token: token('member_megan@example.com') });
  expectStatus(r, 400, 'a cursor is bound to its user');
});
