// observation_count (sql/070_observation_counts.sql): the per-(patient, code) counters behind the
// Admin API observation list's `count` and the FHIR Observation `total` stay equal to the rows,
// through FHIR creates (single and batch), Admin API deletes, a patient delete (cascade), a
// rolled-back transaction, a (patient, code) change and the answers of both APIs.
import { test, after } from 'node:test';
import { randomUUID } from 'node:crypto';
import { get, del, post, token, sql, assert, expectStatus, keepPractitionerSettings } from './lib.mjs';
import { observation, bundle, fhirPost } from './fhir_helpers.mjs';

const mary = () => token('manager_mary@example.com');
const peter = () => token('ll_patient_peter@example.com');
const O = '/FHIR/R5/Observation';

// Rows where the counters and the observations disagree (both directions, zero counters included).
function mismatches() {
  return sql(`SELECT coalesce(a.p, c.patient_id), coalesce(a.k, c.codeable_concept_id), a.n, c.n
    FROM (SELECT subject_patient_id AS p, codeable_concept_id AS k, count(*) AS n FROM observation GROUP BY 1, 2) a
    FULL JOIN observation_count c ON c.patient_id = a.p AND c.codeable_concept_id = a.k
    WHERE a.n IS DISTINCT FROM c.n`);
}
// The sticky selections that this file's Admin API list calls change are put back afterwards.
keepPractitionerSettings(after);

const rows = (where) => Number(sql(`SELECT count(*) FROM observation o WHERE ${where}`)[0][0]);

test('counters match the rows after the seed and through creates and deletes', async () => {
  assert.deepEqual(mismatches(), []);
  const before = rows('subject_patient_id = 40001');
  const one = await fhirPost(O, observation({ device: 70004 }), peter());
  expectStatus(one, 201);
  const b = await fhirPost('/FHIR/R5/', bundle('batch', [observation({ device: 70004 }), observation({ device: 70004 }),
    observation({ device: 70004, code: 'omh:blood-glucose:4.0', point: undefined, ident: randomUUID() })]), peter());
  expectStatus(b, 200);
  const created = b.json.entry.filter((e) => e.response.status.startsWith('201')).length;
  assert.ok(created >= 2, `batch created ${created}`);
  assert.equal(rows('subject_patient_id = 40001'), before + 1 + created);
  assert.deepEqual(mismatches(), []);

  // the APIs' counts are the rows they can see: FHIR total for one patient, Admin API count
  let r = await get(`${O}?patient=40001&_count=1`, { token: mary() });
  expectStatus(r, 200);
  const visible = Number(sql(`SELECT count(*) FROM observation o WHERE o.subject_patient_id = 40001
    AND (o.subject_patient_id, o.codeable_concept_id) IN (SELECT patient_id, codeable_concept_id FROM jhe_consented_scopes(10002))`)[0][0]);
  assert.equal(r.json.total, visible);
  r = await get('/api/v1/observations?patientId=40001&pageSize=1', { token: mary() });
  expectStatus(r, 200);
  assert.equal(r.json.count, visible);
  // with a row filter the total is still counted from the rows
  r = await get(`${O}?patient=40001&_count=1&_lastUpdated=ge2000-01-01`, { token: mary() });
  assert.equal(r.json.total, visible);

  // Admin API delete (single row)
  const d = await del(`/api/v1/observations/${one.json.id ?? one.headers.get('location').match(/Observation\/(\d+)/)[1]}`, undefined, { token: mary() });
  assert.ok([204, 200].includes(d.status), `delete answered ${d.status}`);
  assert.deepEqual(mismatches(), []);
  r = await get('/api/v1/observations?patientId=40001&pageSize=1', { token: mary() });
  assert.equal(r.json.count, visible - 1);
});

test('counters through a rollback, a (patient, code) change and a patient delete', async () => {
  // a rolled-back insert leaves the counters as they were
  sql(`BEGIN; INSERT INTO observation (subject_patient_id, codeable_concept_id, omh_data)
       SELECT 40001, codeable_concept_id, omh_data FROM observation WHERE subject_patient_id = 40001 LIMIT 5; ROLLBACK;`);
  assert.deepEqual(mismatches(), []);
  // a change of patient moves counts (not done by the application; the trigger must still hold)
  const id = sql('SELECT max(id) FROM observation WHERE subject_patient_id = 40001')[0][0];
  sql(`UPDATE observation SET subject_patient_id = 40002 WHERE id = ${id}`);
  assert.deepEqual(mismatches(), []);
  sql(`UPDATE observation SET subject_patient_id = 40001 WHERE id = ${id}`);
  assert.deepEqual(mismatches(), []);
  // an update that moves nothing (as the data source ON DELETE SET NULL does)
  sql(`UPDATE observation SET data_source_id = data_source_id WHERE subject_patient_id = 40001`);
  assert.deepEqual(mismatches(), []);

  // a new patient with observations, then deleted: its counters go with its rows
  const email = `count.${randomUUID().slice(0, 8)}@example.com`;
  const c = await post('/api/v1/patients', {
    telecomEmail: email, nameFamily: 'Count', nameGiven: 'Test', birthDate: '1980-01-01', organizationId: 20001,
  }, { token: mary() });
  expectStatus(c, 201);
  const pid = c.json.id;
  sql(`INSERT INTO observation (subject_patient_id, codeable_concept_id, omh_data)
       SELECT ${pid}, codeable_concept_id, omh_data FROM observation WHERE subject_patient_id = 40001 LIMIT 7`);
  const n = rows(`subject_patient_id = ${pid}`);
  assert.ok(n > 0);
  assert.equal(Number(sql(`SELECT COALESCE(sum(n), 0) FROM observation_count WHERE patient_id = ${pid}`)[0][0]), n);
  assert.deepEqual(mismatches(), []);
  const d = await del(`/api/v1/patients/${pid}?organizationId=20001`, undefined, { token: mary() });
  assert.ok([200, 204].includes(d.status), `patient delete answered ${d.status}: ${d.text}`);
  assert.equal(rows(`subject_patient_id = ${pid}`), 0);
  assert.deepEqual(sql(`SELECT * FROM observation_count WHERE patient_id = ${pid}`), []);
  assert.deepEqual(mismatches(), []);
});
