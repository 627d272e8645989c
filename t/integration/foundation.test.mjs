// The foundation slice: health, authentication, routing errors, bodies, proxy headers.
import { test } from 'node:test';
import { BASE, get, post, req, token, assert, expectStatus } from './lib.mjs';

test('GET /health answers the version without touching auth', async () => {
  const r = await get('/health', { headers: { Authorization: 'Bearer nonsense' } });
  expectStatus(r, 200);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(r.text, '{"status":"ok","version":"v0.0.13"}');
  assert.equal(r.headers.get('access-control-allow-origin'), null);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(r.headers.get('x-request-id'));
});

test('HEAD /health has the headers and no body', async () => {
  const r = await req('HEAD', '/health');
  expectStatus(r, 200);
  assert.equal(r.text, '');
});

test('GET /health?check=db runs a query', async () => {
  const r = await get('/health?check=db');
  expectStatus(r, 200);
  assert.deepEqual(r.json, { status: 'ok', version: 'v0.0.13' });
});

test('profile needs a bearer token', async () => {
  const r = await get('/api/v1/users/profile');
  expectStatus(r, 401);
  assert.deepEqual(r.json, { detail: 'Authentication credentials were not provided.' });
  assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="api"');
});

test('a wrong token is refused with invalid_token', async () => {
  const r = await get('/api/v1/users/profile', { token: 'x'.repeat(43) });
  expectStatus(r, 401);
  assert.deepEqual(r.json, { detail: 'The access token is invalid, expired or revoked.' });
  assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="api", error="invalid_token"');
});

test('practitioner profile shape (seed.md §14)', async () => {
  const r = await get('/api/v1/users/profile', { token: token('manager_mary@example.com') });
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.json), ['id', 'email', 'firstName', 'lastName', 'patient', 'userType', 'isSuperuser', 'settings']);
  assert.equal(r.json.id, 10002);
  assert.equal(r.json.email, 'manager_mary@example.com');
  assert.equal(r.json.patient, null);
  assert.deepEqual(r.json.settings, { currentOrganizationId: 20003, currentStudyId: 30001 });
  assert.ok(!/\s/.test(r.text.replace(/"[^"]*"/g, '')), 'compact JSON');
  assert.equal(r.headers.get('cache-control'), 'no-store');
});

test('patient profile is PHI-free', async () => {
  const r = await get('/api/v1/users/profile', { token: token('ll_patient_peter@example.com') });
  expectStatus(r, 200);
  assert.deepEqual(Object.keys(r.json), ['id', 'patient', 'userType', 'isSuperuser']);
  assert.deepEqual(Object.keys(r.json.patient), ['id', 'jheUserId', 'identifiers', 'organizations']);
  assert.equal(r.json.patient.id, 40001);
  assert.equal(r.json.patient.identifiers.length, 2);
  assert.equal(r.json.patient.organizations[0].name, 'Lifespan Lab');
  assert.equal(r.json.userType, 'patient');
});

test('unknown path is 404 Not found.', async () => {
  for (const p of ['/api/v1/nope', '/api/v1/users/profile/', '/nothing-here']) {
    const r = await get(p, { token: token('manager_mary@example.com') });
    if (p === '/nothing-here') {
      assert.equal(r.status, 404); // NGINX's own 404 for unknown static paths
      continue;
    }
    expectStatus(r, 404);
    assert.deepEqual(r.json, { detail: 'Not found.' });
  }
});

test('wrong method is 405 after authentication', async () => {
  const anon = await req('PUT', '/api/v1/users/profile');
  expectStatus(anon, 401);
  const r = await req('PUT', '/api/v1/users/profile', { token: token('manager_mary@example.com') });
  expectStatus(r, 405);
  assert.deepEqual(r.json, { detail: 'Method "PUT" not allowed.' });
  assert.match(r.headers.get('allow'), /GET/);
});

test('OPTIONS on an API path answers 204 with Allow', async () => {
  const r = await req('OPTIONS', '/api/v1/users/profile', { token: token('manager_mary@example.com') });
  expectStatus(r, 204);
  assert.match(r.headers.get('allow'), /GET/);
});

test('bad percent-encoding in the path is 400', async () => {
  const r = await get('/api/v1/users/pro%zzfile', { token: token('manager_mary@example.com') });
  expectStatus(r, 400);
});

test('oversized body is 413 with the documented body', async () => {
  const big = 'x'.repeat(11 * 1024 * 1024);
  const r = await post('/api/v1/users/profile', big, { headers: { 'Content-Type': 'application/json' } });
  expectStatus(r, 413);
  assert.deepEqual(r.json, { detail: 'Request body too large.' });
});

test('API root lists absolute collection URLs', async () => {
  const r = await get('/api/v1/', { token: token('manager_mary@example.com') });
  expectStatus(r, 200);
  assert.equal(r.json.patients, `${BASE}/api/v1/patients`);
  assert.equal(r.json.auditEvents, `${BASE}/api/v1/audit_events`);
});

test('client-supplied X-Forwarded-Host never reaches the workers', async () => {
  const r = await get('/api/v1/', { token: token('manager_mary@example.com'), headers: { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http' } });
  expectStatus(r, 200);
  assert.equal(r.json.users, `${BASE}/api/v1/users`);
});

test('a malformed request line is refused with 400', async () => {
  const tls = await import('node:tls');
  const url = new URL(BASE);
  const reply = await new Promise((resolve, reject) => {
    const s = tls.connect({ host: url.hostname, port: Number(url.port), servername: url.hostname }, () => {
      s.write('GET /health HTTP/1.1 extra\r\nHost: localhost\r\n\r\n');
    });
    let data = '';
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
    s.on('error', reject);
    s.setTimeout(5000, () => { s.destroy(); resolve(data); });
  });
  assert.match(reply, /^HTTP\/1\.1 400/);
});

test('a query string with bad percent-encoding keeps the literal value', async () => {
  const r = await get('/health?check=%zz');
  expectStatus(r, 200);
});
