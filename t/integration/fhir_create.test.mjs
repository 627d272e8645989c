// FHIR R5 Observation create, conditional create, batch and transaction Bundles (fhir.md §2.3, §3, §4).
import { test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { BASE, token, sql, assert, expectStatus } from './lib.mjs';
import { observation, bundle, fhirPost, hrPoint, bpPoint, b64, OMH } from './fhir_helpers.mjs';

const mary = () => token('manager_mary@example.com');
const peter = () => token('ll_patient_peter@example.com');
const O = '/FHIR/R5/Observation';
const diag = (r) => r.json.issue[0].diagnostics;
const countIdent = (v) => Number(sql(`SELECT count(*) FROM observation_identifier WHERE value = '${v}'`)[0][0]);

test('patient create: 201, minimal body, Location, ETag; stored as uploaded', async () => {
  const ident = randomUUID();
  const r = await fhirPost(O, observation({ ident, status: 'preliminary', point: hrPoint(71, '2025-03-04T05:06:07-08:00') }), peter());
  expectStatus(r, 201);
  assert.deepEqual(Object.keys(r.json), ['resourceType', 'id', 'status', 'meta', 'subject', 'code']);
  assert.equal(r.json.status, 'preliminary');
  assert.deepEqual(r.json.subject, { reference: 'Patient/40001' });
  assert.deepEqual(r.json.code, { coding: [{ system: OMH, code: 'omh:heart-rate:2.0' }] });
  assert.equal(r.headers.get('location'), `${BASE}${O}/${r.json.id}/_history/1`);
  assert.equal(r.headers.get('etag'), 'W/"1"');
  assert.ok(r.headers.get('last-modified'));
  const [[status, eff, ds, sys]] = sql(`SELECT o.status, to_char(o.effective_date_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'), o.data_source_id, i.system FROM observation o JOIN observation_identifier i ON i.observation_id = o.id WHERE o.id = ${r.json.id}`);
  assert.deepEqual([status, eff, ds, sys], ['preliminary', '2025-03-04T13:06:07', '70001', 'https://test.example/obs']);
  const a = sql(`SELECT action, resource_id, patient_id, outcome FROM audit_event WHERE request_id = '${r.headers.get('x-request-id')}'`);
  assert.deepEqual(a, [['create', r.json.id, '40001', '201']]);
  const full = await fhirPost(O, observation(), peter(), { Prefer: 'return=representation' });
  expectStatus(full, 201);
  assert.equal(full.json.valueAttachment.contentType, 'application/json');
  assert.equal(full.json.device.reference, 'Device/70001');
  const min = await fhirPost(O, observation(), peter(), { Prefer: 'return=minimal' });
  expectStatus(min, 201);
  assert.equal(min.text, '');
  const oo = await fhirPost(O, observation(), peter(), { Prefer: 'return=OperationOutcome' });
  assert.equal(oo.json.resourceType, 'OperationOutcome');
  assert.match(oo.json.issue[0].diagnostics, /^Created Observation\/\d+\.$/);
});

test('practitioner create returns the full resource', async () => {
  const r = await fhirPost(O, observation({ patient: 40002, code: 'omh:blood-pressure:4.0', point: bpPoint() }), mary());
  expectStatus(r, 201);
  assert.equal(r.json.meta.versionId, '1');
  assert.equal(r.json.code.coding[0].display, 'Blood pressure');
  assert.equal(r.json.subject.identifier.value, '10007');
  assert.equal(r.json.effectiveDateTime, '2025-06-01T10:00:00Z');
  const dp = JSON.parse(Buffer.from(r.json.valueAttachment.data, 'base64').toString());
  assert.equal(dp.body.systolic_blood_pressure.value, 120);
});

test('create checks in order, with their statuses and diagnostics', async () => {
  const bad = async (body, tok, status, msg) => {
    const r = await fhirPost(O, body, tok);
    expectStatus(r, status);
    assert.equal(r.json.resourceType, 'OperationOutcome');
    if (msg instanceof RegExp) assert.match(diag(r), msg); else assert.equal(diag(r), msg);
    return r;
  };
  await bad({ resourceType: 'Patient' }, peter(), 400, 'Request body must be a FHIR Observation resource.');
  await bad({ ...observation(), foo: 1 }, peter(), 400, "Unknown element 'foo' in Observation.");
  const noStatus = observation();
  delete noStatus.status;
  await bad(noStatus, peter(), 400, 'Observation.status is required.');
  await bad(observation({ status: 'done' }), peter(), 400, "Observation.status 'done' is not a valid code.");
  await bad({ ...observation(), code: { coding: 'x' } }, peter(), 400, 'Observation.code.coding must be an array.');
  await bad(observation({ system: 'http://loinc.org', code: '8867-4' }), peter(), 400,
    'Only Observations coded with https://w3id.org/openmhealth or https://w3id.org/ieee1752 are supported.');
  await bad({ ...observation(), subject: { reference: 'Group/1' } }, peter(), 400,
    "Subject is required and must be a reference to a Patient ID and start with 'Patient/'");
  await bad(observation({ patient: 49999 }), mary(), 400, 'Patient id=49999 can not be found.');
  await bad(observation({ patient: 40002 }), peter(), 403, 'The Subject Patient does not match the current user.');
  await bad(observation({ patient: 40001 }), token('viewer_victor@example.com'), 403, "Current user doesn't have access to the Patient.");
  await bad(observation({ patient: 40003 }), mary(), 403, "Current user doesn't have access to the Patient.");
  await bad({ ...observation(), device: undefined }, peter(), 400,
    "Device is required and must be a reference to a Data Source ID and start with 'Device/'");
  await bad(observation({ device: 70005 }), peter(), 400, 'Device Data Source id=70005 can not be found.');
  await bad(observation({ ident: '' }), peter(), 400, 'Identifier value is required.');
  const ident = randomUUID();
  expectStatus(await fhirPost(O, observation({ ident }), peter()), 201);
  const dup = await bad(observation({ ident }), peter(), 409, `Identifier already exists: system=https://test.example/obs value=${ident}`);
  assert.equal(dup.json.issue[0].code, 'duplicate');
  const two = observation();
  two.code.coding.push({ system: OMH, code: 'omh:blood-pressure:4.0' });
  await bad(two, peter(), 400, 'Exactly one Code must be provided.');
  await bad(observation({ code: 'omh:nothing:1.0' }), peter(), 400, 'Code not found: system=https://w3id.org/openmhealth code=omh:nothing:1.0');
  await bad(observation({ code: 'omh:blood-glucose:4.0' }), peter(), 403,
    'Observation data with coding_system=https://w3id.org/openmhealth coding_code=omh:blood-glucose:4.0 has not been consented for any studies by this Patient.');
  const notB64 = observation();
  notB64.valueAttachment.data = '!!!not base64!!!';
  await bad(notB64, peter(), 400, 'valueAttachment.data must be Base 64 Encoded Binary JSON.');
  const notJson = observation();
  notJson.valueAttachment.data = b64('not json');
  await bad(notJson, peter(), 400, 'valueAttachment.data must be Base 64 Encoded Binary JSON.');
  const r = await bad(observation({ point: hrPoint(70, '2025-06-01T10:00:00Z', 'bpm') }), peter(), 422,
    /^Open mHealth validation failed at \/body\/heart_rate\/unit: /);
  assert.equal(r.json.issue[0].code, 'processing');
  const noBody = observation();
  noBody.valueAttachment.data = b64({ header: hrPoint().header });
  await bad(noBody, peter(), 422, 'Open mHealth data point must have a header and a body.');
  // the first failing check decides: consent (11) before base64 (12)
  const both = observation({ code: 'omh:blood-glucose:4.0' });
  both.valueAttachment.data = '%%%';
  await bad(both, peter(), 403, /has not been consented/);
  // nothing stored from failed creates
  assert.equal(countIdent(''), 0);
  const a = sql(`SELECT action, outcome FROM audit_event WHERE action = 'access.denied' AND resource_type = 'Observation' ORDER BY id DESC LIMIT 1`);
  assert.deepEqual(a, [['access.denied', '403']]);
});

test('URL-safe base64 with whitespace and no padding is accepted', async () => {
  const o = observation();
  const s = Buffer.from(JSON.stringify(hrPoint(80))).toString('base64url');
  o.valueAttachment.data = `${s.slice(0, 20)}\n${s.slice(20)}`;
  expectStatus(await fhirPost(O, o, peter()), 201);
});

test('conditional create: 200 with the existing row, 412, validation of the header', async () => {
  const ident = randomUUID();
  const body = observation({ ident });
  const hdr = { 'If-None-Exist': `identifier=https://test.example/obs|${ident}` };
  const first = await fhirPost(O, body, peter(), hdr);
  expectStatus(first, 201);
  const again = await fhirPost(O, body, peter(), hdr);
  expectStatus(again, 200);
  assert.equal(again.json.id, first.json.id);
  const any = await fhirPost(O, body, mary(), { 'If-None-Exist': `identifier=${ident}` });
  expectStatus(any, 200);
  assert.equal(any.json.id, first.json.id);
  assert.ok(any.json.valueAttachment, 'practitioners get the full resource');
  let r = await fhirPost(O, body, peter(), { 'If-None-Exist': 'patient=40001' });
  expectStatus(r, 400);
  assert.equal(diag(r), 'Only identifier is supported in If-None-Exist.');
  r = await fhirPost(O, body, peter(), { 'If-None-Exist': 'identifier=https://test.example/obs|other' });
  expectStatus(r, 400);
  assert.equal(diag(r), "If-None-Exist identifier must be one of the resource's identifiers.");
  // two stored identifiers with the same value in different systems: 412 without a system
  const v = randomUUID();
  expectStatus(await fhirPost(O, observation({ ident: v, identSystem: 'urn:a' }), peter()), 201);
  expectStatus(await fhirPost(O, observation({ ident: v, identSystem: 'urn:b' }), peter()), 201);
  r = await fhirPost(O, observation({ ident: v, identSystem: 'urn:c' }), peter(), { 'If-None-Exist': `identifier=${v}` });
  expectStatus(r, 412);
  assert.equal(diag(r), 'Multiple matches for If-None-Exist.');
  assert.equal(r.json.issue[0].code, 'multiple-matches');
  // a match for another patient is a conflict
  const w = randomUUID();
  expectStatus(await fhirPost(O, observation({ ident: w, patient: 40002 }), mary()), 201);
  r = await fhirPost(O, observation({ ident: w, patient: 40001 }), mary(), { 'If-None-Exist': `identifier=https://test.example/obs|${w}` });
  expectStatus(r, 409);
});

test('20 concurrent identical conditional creates give exactly one resource', async () => {
  const ident = randomUUID();
  const body = observation({ ident });
  const hdr = { 'If-None-Exist': `identifier=https://test.example/obs|${ident}` };
  const rs = await Promise.all(Array.from({ length: 20 }, () => fhirPost(O, body, peter(), hdr)));
  const statuses = rs.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','));
  assert.equal(statuses.filter((s) => s === 200).length, 19, statuses.join(','));
  assert.equal(new Set(rs.map((r) => r.json.id)).size, 1);
  assert.equal(countIdent(ident), 1);
  // and without If-None-Exist: one 201, the others 409
  const ident2 = randomUUID();
  const rs2 = await Promise.all(Array.from({ length: 10 }, () => fhirPost(O, observation({ ident: ident2 }), peter())));
  const s2 = rs2.map((r) => r.status);
  assert.equal(s2.filter((s) => s === 201).length, 1, s2.join(','));
  assert.equal(s2.filter((s) => s === 409).length, 9, s2.join(','));
  assert.equal(countIdent(ident2), 1);
});

test('batch: one response entry per request entry, partial success', async () => {
  const existing = randomUUID();
  expectStatus(await fhirPost(O, observation({ ident: existing }), peter()), 201);
  const valid = randomUUID();
  const unconsented = randomUUID();
  const invalid = randomUUID();
  const inBundle = randomUUID();
  const badData = observation({ ident: invalid });
  badData.valueAttachment.data = 'xx!';
  const b = bundle('batch', [
    observation({ ident: valid }),
    observation({ ident: unconsented, code: 'omh:blood-glucose:4.0' }),
    observation({ ident: existing }),
    badData,
    observation({ ident: inBundle }),
    observation({ ident: inBundle }),
    observation({ ident: inBundle }),
  ], [null, null, null, null, null, null, `identifier=https://test.example/obs|${inBundle}`]);
  b.entry.push({ request: { method: 'POST', url: 'Observation' } });
  b.entry.push({ resource: observation(), request: { method: 'PUT', url: 'Observation' } });
  b.entry.push({ resource: observation(), request: { method: 'POST', url: 'Patient' } });
  b.entry.push({ resource: observation(), request: { method: 'POST', url: `${BASE}/FHIR/R5/Observation` } });
  const r = await fhirPost('/FHIR/R5/', b, peter());
  expectStatus(r, 200);
  assert.equal(r.json.type, 'batch-response');
  const st = r.json.entry.map((e) => e.response.status);
  assert.deepEqual(st, ['201 Created', '403 Forbidden', '409 Conflict', '400 Bad Request', '201 Created', '409 Conflict',
    '200 OK', '400 Bad Request', '400 Bad Request', '400 Bad Request', '201 Created']);
  const e0 = r.json.entry[0];
  assert.deepEqual(Object.keys(e0.resource), ['resourceType', 'id']);
  assert.equal(e0.resource.resourceType, 'Resource');
  assert.equal(e0.response.location, `Observation/${e0.resource.id}/_history/1`);
  assert.equal(e0.response.etag, 'W/"1"');
  assert.match(e0.response.lastModified, /Z$/);
  assert.equal(r.json.entry[1].resource, undefined);
  assert.equal(r.json.entry[1].response.outcome.issue[0].code, 'forbidden');
  assert.equal(r.json.entry[6].resource.id, r.json.entry[4].resource.id);
  assert.equal(r.json.entry[7].response.outcome.issue[0].diagnostics, 'Bundle entry has no resource.');
  assert.equal(r.json.entry[8].response.outcome.issue[0].diagnostics, 'Only POST/Create method supported.');
  assert.equal(r.json.entry[9].response.outcome.issue[0].diagnostics, 'Only Observation resourceType supported.');
  assert.equal(countIdent(valid), 1);
  assert.equal(countIdent(unconsented), 0);
  assert.equal(countIdent(invalid), 0);
  assert.equal(countIdent(inBundle), 1);
  const n = sql(`SELECT count(*) FROM audit_event WHERE request_id = '${r.headers.get('x-request-id')}'`)[0][0];
  assert.equal(Number(n), 11, 'one audit row per entry');
  // the trailing slash is optional; the alias works
  const r2 = await fhirPost('/fhir/r5', bundle('batch', [observation()]), peter());
  expectStatus(r2, 200);
  assert.equal(r2.json.entry[0].response.status, '201 Created');
});

test('transaction: all or nothing', async () => {
  const a = randomUUID();
  const b = randomUUID();
  const bad = observation({ ident: randomUUID(), code: 'omh:blood-glucose:4.0' });
  let r = await fhirPost('/FHIR/R5', bundle('transaction', [observation({ ident: a }), observation({ ident: b }), bad]), peter());
  expectStatus(r, 403);
  assert.equal(r.json.resourceType, 'OperationOutcome');
  assert.deepEqual(r.json.issue[0].expression, ['Bundle.entry[2]']);
  assert.match(r.json.issue[0].diagnostics, /^Bundle\.entry\[2\]: Observation data with/);
  assert.equal(countIdent(a), 0);
  assert.equal(countIdent(b), 0);
  const dupTx = await fhirPost('/FHIR/R5', bundle('transaction', [observation({ ident: a }), observation({ ident: a })]), peter());
  expectStatus(dupTx, 409);
  assert.deepEqual(dupTx.json.issue[0].expression, ['Bundle.entry[1]']);
  assert.equal(countIdent(a), 0);
  r = await fhirPost('/FHIR/R5', bundle('transaction', [observation({ ident: a }), observation({ ident: b })]), peter());
  expectStatus(r, 200);
  assert.equal(r.json.type, 'transaction-response');
  assert.deepEqual(r.json.entry.map((e) => e.response.status), ['201 Created', '201 Created']);
  assert.equal(countIdent(a), 1);
});

test('Bundle-level errors', async () => {
  const cases = [
    ['[1]', 400, 'Request body must be a FHIR Bundle.'],
    ['{"resourceType":"Bundle","type":"batch"', 400, 'Request body must be a FHIR Bundle.'],
    ['{"resourceType":"Observation","type":"batch"}', 400, 'Request body must be a FHIR Bundle.'],
    ['{"resourceType":"Bundle","type":"collection"}', 400, 'Bundle.type must be batch or transaction.'],
    ['{"resourceType":"Bundle","type":"batch","entry":{}}', 400, 'Bundle.entry must be an array.'],
  ];
  for (const [body, status, msg] of cases) {
    const r = await fhirPost('/FHIR/R5/', body, peter());
    expectStatus(r, status);
    assert.equal(diag(r), msg);
  }
  let r = await fhirPost('/FHIR/R5/', { resourceType: 'Bundle', type: 'batch' }, peter());
  expectStatus(r, 200);
  assert.deepEqual(r.json.entry, []);
  const big = { resourceType: 'Bundle', type: 'batch', entry: Array.from({ length: 10001 }, () => ({})) };
  r = await fhirPost('/FHIR/R5/', big, peter());
  expectStatus(r, 413);
  assert.equal(diag(r), 'Bundle has 10001 entries; the maximum is 10000.');
  assert.equal(r.json.issue[0].code, 'too-costly');
  r = await fhirPost('/FHIR/R5/', 'x', peter(), { 'Content-Type': 'text/plain' });
  expectStatus(r, 415);
});

test('SMART scopes on create', async () => {
  const t = token('ll_patient_peter@example.com', 'commonhealth');
  const setScope = (scope) => sql(`UPDATE oauth_access_token SET scope = '${scope}' WHERE token_digest = sha256(convert_to('${t}', 'UTF8'))`);
  setScope('openid patient/Observation.rs');
  let r = await fhirPost(O, observation(), t);
  expectStatus(r, 403);
  assert.equal(diag(r), "The token's scopes do not permit create on Observation.");
  assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="api", error="insufficient_scope"');
  r = await fhirPost('/FHIR/R5', bundle('batch', [observation()]), t);
  expectStatus(r, 200);
  assert.equal(r.json.entry[0].response.status, '403 Forbidden');
  setScope('openid patient/Observation.crs?code=https://w3id.org/openmhealth|omh:blood-pressure:4.0');
  r = await fhirPost(O, observation(), t);
  expectStatus(r, 403);
  r = await fhirPost(O, observation({ code: 'omh:blood-pressure:4.0', point: bpPoint() }), t);
  expectStatus(r, 201);
});
