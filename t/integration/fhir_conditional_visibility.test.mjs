// Conditional create (If-None-Exist) applies the visibility of a read (fhir-notes.md "Conditional
// create and visibility"): a stored match the caller could not read is no match, so a replayed
// create of another practitioner's upload never answers 200 with that row, and the 409 of step 8
// names only the request's own identifier.
import { test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { sql, token, assert, expectStatus } from './lib.mjs';
import { observation, bundle, fhirPost } from './fhir_helpers.mjs';

const O = '/FHIR/R5/Observation';
const mark = () => token('manager_mark@example.com'); // manages Pat through Cardiology Division (BG consented there)
const tom = () => token('three_org_tom@example.com'); // manages Pat through Cosmic Cardio Lab (no BG consent)
const PAT = 40005;

const bgPoint = (when = '2025-06-01T10:00:00Z') => ({
  header: {
    uuid: randomUUID(),
    schema_id: { namespace: 'omh', name: 'blood-glucose', version: '4.0' },
    source_creation_date_time: when,
    modality: 'sensed',
  },
  body: { blood_glucose: { value: 131, unit: 'mg/dL' }, effective_time_frame: { date_time: when } },
});
const bg = (ident, identSystem = 'https://test.example/obs') =>
  observation({ patient: PAT, code: 'omh:blood-glucose:4.0', device: 70002, point: bgPoint(), ident, identSystem });
const counts = () => sql(`SELECT (SELECT count(*) FROM observation WHERE subject_patient_id = ${PAT}),
  (SELECT count(*) FROM observation_identifier)`)[0];

test('a replayed conditional create of a row the caller cannot read leaks nothing and writes nothing', async () => {
  const ident = randomUUID();
  const sys = 'https://test.example/obs';
  const first = await fhirPost(O, bg(ident), mark(), { 'If-None-Exist': `identifier=${sys}|${ident}` });
  expectStatus(first, 201);
  const id = first.json.id;
  // the owner's replay still matches (idempotent retries)
  const again = await fhirPost(O, bg(ident), mark(), { 'If-None-Exist': `identifier=${sys}|${ident}` });
  expectStatus(again, 200);
  assert.equal(again.json.id, id);
  // tom manages Pat (step 6 passes) but cannot read BG data of Pat
  const read = await fhirPost(O, bg(ident), tom(), {}); // baseline without the header: step 8
  expectStatus(read, 409);
  const before = counts();
  for (const hdr of [`identifier=${sys}|${ident}`, `identifier=${ident}`]) {
    for (const prefer of ['return=representation', 'return=minimal', undefined]) {
      const h = { 'If-None-Exist': hdr, ...(prefer ? { Prefer: prefer } : {}) };
      const r = await fhirPost(O, bg(ident), tom(), h);
      expectStatus(r, 409);
      assert.equal(r.json.issue[0].code, 'duplicate');
      assert.equal(r.json.issue[0].diagnostics, `Identifier already exists: system=${sys} value=${ident}`);
      assert.equal(r.headers.get('location'), null);
      assert.equal(r.headers.get('etag'), null);
      assert.equal(r.headers.get('last-modified'), null);
      assert.ok(!r.text.includes(id), 'the stored id is not in the body');
      assert.ok(!r.text.includes('131'), 'no data of the stored row');
    }
  }
  // Bundle entries: the same rule
  for (const type of ['batch', 'transaction']) {
    const r = await fhirPost('/FHIR/R5/', bundle(type, [bg(ident)], [`identifier=${sys}|${ident}`]), tom());
    assert.ok(!r.text.includes(id), `${type}: the stored id is not in the body`);
    if (type === 'batch') {
      expectStatus(r, 200);
      const e = r.json.entry[0];
      assert.equal(e.response.status, '409 Conflict');
      assert.equal(e.resource, undefined);
      assert.equal(e.response.location, undefined);
      assert.equal(e.response.etag, undefined);
    } else {
      expectStatus(r, 409);
    }
  }
  assert.deepEqual(counts(), before, 'nothing written');
  // the attempts are audited as failed creates, never as a 200 naming the row
  const a = sql(`SELECT count(*) FROM audit_event WHERE user_id = 10005 AND action = 'create' AND resource_id = '${id}'`);
  assert.equal(a[0][0], '0');
});

test('a visible match of another patient answers 409 with the request\'s identifier, not the stored system', async () => {
  const v = randomUUID();
  // Mark stores (urn:stored, v) for Pat; then asks for "any system" with his own (urn:mine, v) for Percy
  expectStatus(await fhirPost(O, bg(v, 'urn:stored'), mark()), 201);
  const percy = observation({ patient: 40003, code: 'omh:body-temperature:4.0', device: 70003, ident: v, identSystem: 'urn:mine',
    point: { header: { uuid: randomUUID(), schema_id: { namespace: 'omh', name: 'body-temperature', version: '4.0' },
      source_creation_date_time: '2025-06-01T10:00:00Z', modality: 'sensed' },
    body: { body_temperature: { value: 37.1, unit: 'C' }, effective_time_frame: { date_time: '2025-06-01T10:00:00Z' } } } });
  const before = counts();
  const r = await fhirPost(O, percy, mark(), { 'If-None-Exist': `identifier=${v}` });
  expectStatus(r, 409);
  assert.equal(r.json.issue[0].diagnostics, `Identifier already exists: system=urn:mine value=${v}`);
  assert.ok(!r.text.includes('urn:stored'));
  assert.deepEqual(counts(), before);
});
