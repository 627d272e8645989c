// FHIR paging through thousands of uploaded observations (keyset cursors, stable order, totals
// carried in the cursor) and the request shapes of jupyterhealth-client 0.4.0 (fhir.md §5.2, §5.3).
import { test, before } from 'node:test';
import { randomUUID } from 'node:crypto';
import { BASE, get, token, sql, assert, expectStatus } from './lib.mjs';
import { observation, bundle, fhirPost, hrPoint, bpPoint } from './fhir_helpers.mjs';

const mary = () => token('manager_mary@example.com');
const N = 5000; // issue 5: paging through 5,000 observations with _count=100
let tag;

before(async () => {
  // Pamela (40002) is consented for BP and HR in study 30001: upload N heart rates and N/2 blood
  // pressures in two batch Bundles (each Bundle is one insert statement, so many rows share
  // last_updated and the id tiebreaker decides the order).
  tag = randomUUID();
  const hrs = Array.from({ length: N }, (_, i) => observation({
    patient: 40002, ident: `${tag}-hr-${i}`, identSystem: 'urn:paging',
    point: hrPoint(60 + (i % 40), new Date(Date.UTC(2024, 0, 1) + (i % 97) * 3600e3).toISOString()),
  }));
  let r = await fhirPost('/FHIR/R5/', bundle('batch', hrs), mary());
  expectStatus(r, 200);
  assert.ok(r.json.entry.every((e) => e.response.status === '201 Created'));
  const bps = Array.from({ length: N / 2 }, (_, i) => observation({
    patient: 40002, code: 'omh:blood-pressure:4.0', ident: `${tag}-bp-${i}`, identSystem: 'urn:paging',
    point: bpPoint(new Date(Date.UTC(2024, 0, 1) + i * 60e3).toISOString()),
  }));
  r = await fhirPost('/FHIR/R5/', bundle('batch', bps), mary());
  expectStatus(r, 200);
});

const truth = (code, order) => sql(`SELECT o.id FROM observation o JOIN codeable_concept c ON c.id = o.codeable_concept_id
  WHERE o.subject_patient_id = 40002 AND c.coding_code = '${code}' ORDER BY ${order}`).map((r) => r[0]);

test('following next links returns every row once, in the default order (_lastUpdated desc, id desc)', async () => {
  const want = truth('omh:heart-rate:2.0', 'o.last_updated DESC, o.id DESC');
  assert.ok(want.length >= N);
  const url = `${BASE}/FHIR/R5/Observation?patient=40002&code=omh:heart-rate:2.0&_count=100`;
  const { ids, pages, totals } = await (await import('./fhir_helpers.mjs')).followAll(url, mary());
  assert.equal(new Set(ids).size, ids.length, 'no duplicates');
  assert.deepEqual(ids, want, 'none missing, same order');
  assert.equal(pages, Math.ceil(want.length / 100));
  assert.ok(totals.every((t) => t === want.length), 'the total of page 1 is carried');
});

test('_sort=date and -date page stably with the id tiebreaker', async () => {
  const { followAll } = await import('./fhir_helpers.mjs');
  for (const [s, order] of [['date', 'o.effective_at ASC, o.id ASC'], ['-date', 'o.effective_at DESC, o.id DESC'],
    ['_id', 'o.id ASC']]) {
    const want = truth('omh:heart-rate:2.0', order);
    const { ids } = await followAll(`${BASE}/FHIR/R5/Observation?patient=40002&code=omh:heart-rate:2.0&_count=250&_sort=${s}`, mary());
    assert.deepEqual(ids, want, s);
  }
});

test('study filter across codes and date range, _count=1000 (notebook query)', async () => {
  const { followAll } = await import('./fhir_helpers.mjs');
  const want = sql(`SELECT o.id FROM observation o WHERE o.subject_patient_id IN (40001, 40002)
    AND o.codeable_concept_id IN (50002, 50004) AND o.effective_at >= '2024-01-01' AND o.effective_at < '2024-01-03'
    ORDER BY o.last_updated DESC, o.id DESC`).map((r) => r[0]);
  const { ids, pages } = await followAll(`${BASE}/FHIR/R5/Observation?patient._has%3AGroup%3Amember%3A_id=30001&date=ge2024-01-01&date=lt2024-01-03&_count=100`, mary());
  assert.deepEqual(ids, want);
  assert.ok(pages > 1);
});

test('the total is computed once per chain; a new row during paging does not change it', async () => {
  const r1 = await get('/FHIR/R5/Observation?patient=40002&code=omh:blood-pressure:4.0&_count=100', { token: mary() });
  expectStatus(r1, 200);
  const total = r1.json.total;
  expectStatus(await fhirPost('/FHIR/R5/Observation', observation({ patient: 40002, code: 'omh:blood-pressure:4.0', point: bpPoint() }), mary()), 201);
  const next = r1.json.link.find((l) => l.relation === 'next').url;
  const r2 = await get(next, { token: mary() });
  expectStatus(r2, 200);
  assert.equal(r2.json.total, total);
  assert.ok(!r2.json.entry.some((e) => r1.json.entry.some((f) => f.resource.id === e.resource.id)), 'pages do not overlap');
  const prev = r2.json.link.find((l) => l.relation === 'previous');
  assert.ok(prev && !prev.url.includes('_cursor'));
  const fresh = await get('/FHIR/R5/Observation?patient=40002&code=omh:blood-pressure:4.0&_summary=count', { token: mary() });
  assert.equal(fresh.json.total, total + 1);
});

test('jupyterhealth-client 0.4.0 request shapes', async () => {
  // list_observations(patient_id=40002, study_id=30001, code=...): GET, no Accept header,
  // percent-encoded keys and values, _count=1000, follows the absolute next link verbatim.
  const code = encodeURIComponent('https://w3id.org/openmhealth|omh:heart-rate:2.0');
  let url = `${BASE}/fhir/r5/Observation?patient._has%3AGroup%3Amember%3A_id=30001&patient=40002&code=${code}&_count=1000`;
  const seen = [];
  let pages = 0;
  while (url) {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${mary()}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const b = await res.json();
    assert.ok(Array.isArray(b.entry) && Array.isArray(b.link));
    for (const e of b.entry) {
      const dp = JSON.parse(Buffer.from(e.resource.valueAttachment.data, 'base64').toString('utf8'));
      assert.equal(dp.header.schema_id.name, 'heart-rate');
      seen.push(e.resource.id);
    }
    const n = b.link.find((l) => l.relation === 'next');
    if (n) assert.ok(n.url.startsWith(`${BASE}/fhir/r5/Observation?`), 'absolute next in the request spelling');
    url = n ? n.url : null;
    pages++;
  }
  assert.equal(pages, Math.ceil(seen.length / 1000));
  assert.equal(seen.length, truth('omh:heart-rate:2.0', 'o.id').length);
  // by study only, by code only
  let r = await get(`/FHIR/R5/Observation?patient._has%3AGroup%3Amember%3A_id=30002&_count=1000`, { token: mary() });
  expectStatus(r, 200);
  assert.ok(r.json.entry.every((e) => e.resource.code.coding[0].code === 'omh:blood-pressure:4.0'));
  r = await get(`/FHIR/R5/Observation?code=${code}&_count=1000`, { token: mary() });
  expectStatus(r, 200);
  assert.ok(r.json.entry.every((e) => e.resource.code.coding[0].code === 'omh:heart-rate:2.0'));
});
