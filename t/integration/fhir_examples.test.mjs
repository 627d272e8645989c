// Issue 5 conformance: every complete data point of ../shared/omh/examples uploads as a consented
// Observation (the official Open mHealth / IEEE 1752 examples, read from outside the repository).
import { test, before, after } from 'node:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { token, sql, get, assert, expectStatus } from './lib.mjs';
import { observation, fhirPost } from './fhir_helpers.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIR = [process.env.OMH_SHARED_DIR && `${process.env.OMH_SHARED_DIR}/examples`, `${ROOT}../shared/omh/examples`,
  '/work/shared/omh/examples'].find((d) => d && existsSync(d));
const EXTRA = [50001, 50003, 50005, 50006, 50007]; // BG, BT, O2, respiratory rate, RR interval
const SYSTEM = `urn:examples:${randomUUID()}`;

before(() => {
  if (!DIR) return;
  // Pamela (40002, enrolment 3 in study 30001) consents to every example's code for this test.
  for (const code of EXTRA) {
    sql(`INSERT INTO study_scope_request (study_id, scope_code_id) VALUES (30001, ${code}) ON CONFLICT DO NOTHING`);
    sql(`INSERT INTO study_patient_scope_consent (study_patient_id, scope_code_id, consented, consented_time)
         VALUES (3, ${code}, true, now()) ON CONFLICT DO NOTHING`);
  }
});

after(() => {
  if (!DIR) return;
  sql(`DELETE FROM observation WHERE id IN (SELECT observation_id FROM observation_identifier WHERE system = '${SYSTEM}')`);
  sql(`DELETE FROM study_patient_scope_consent WHERE study_patient_id = 3 AND scope_code_id IN (${EXTRA.join(',')})`);
  sql(`DELETE FROM study_scope_request WHERE study_id = 30001 AND scope_code_id IN (${EXTRA.join(',')})`);
});

test('the official example data points upload as consented observations and read back', async (t) => {
  if (!DIR) { t.skip('no ../shared/omh/examples next to the checkout'); return; }
  const files = readdirSync(DIR).filter((f) => /^omh_.*\.json$/.test(f)).sort();
  assert.ok(files.length >= 7, `examples found: ${files.length}`);
  const pamela = token('ll_patient_pamela@example.com');
  for (const f of files) {
    const [, name, major, minor] = f.match(/^omh_(.+)_(\d+)-(\d+)\.json$/);
    const code = `omh:${name}:${major}.${minor}`;
    const point = JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8'));
    const r = await fhirPost('/FHIR/R5/Observation', observation({ patient: 40002, code, point, identSystem: SYSTEM }), pamela);
    expectStatus(r, 201);
    const loc = r.headers.get('location');
    assert.match(loc, /\/FHIR\/R5\/Observation\/\d+/, f);
    const id = loc.match(/Observation\/(\d+)/)[1];
    const back = await get(`/FHIR/R5/Observation/${id}`, { token: pamela });
    expectStatus(back, 200);
    assert.equal(back.json.code.coding[0].code, code);
    const stored = JSON.parse(Buffer.from(back.json.valueAttachment.data, 'base64').toString('utf8'));
    assert.deepEqual(stored, point, `${f}: the data point is stored as uploaded`);
  }
});
