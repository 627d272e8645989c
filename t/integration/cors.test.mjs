// CORS (conventions.md §9): public discovery paths answer "*", FHIR data endpoints only the
// configured origins (the test stack lists https://notebook.example), the Admin API never.
import { test } from 'node:test';
import { req, get, token, assert, expectStatus } from './lib.mjs';

const ORIGIN = 'https://notebook.example';

test('OAuth discovery and FHIR metadata carry Access-Control-Allow-Origin: *', async () => {
  for (const p of ['/o/.well-known/openid-configuration', '/o/.well-known/jwks.json', '/FHIR/R5/metadata',
    '/FHIR/R5/.well-known/smart-configuration', '/.well-known/smart-configuration']) {
    const r = await get(p, { headers: { Origin: ORIGIN } });
    expectStatus(r, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*', p);
  }
  const pre = await req('OPTIONS', '/o/token/', { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' } });
  expectStatus(pre, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.equal(pre.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
});

test('FHIR data endpoints answer a listed origin, with preflight', async () => {
  const tok = token('manager_mary@example.com');
  const r = await get('/FHIR/R5/Observation?_count=1', { token: tok, headers: { Origin: ORIGIN } });
  expectStatus(r, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(r.headers.get('vary'), 'Origin');
  assert.equal(r.headers.get('access-control-expose-headers'), 'ETag, Location');
  const pre = await req('OPTIONS', '/FHIR/R5/Observation', { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET' } });
  expectStatus(pre, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(pre.headers.get('access-control-allow-headers'), 'Authorization, Content-Type, Accept, If-None-Exist, Prefer');
  // errors carry the header too, so the browser can read the OperationOutcome
  const err = await get('/FHIR/R5/Observation/999999999', { token: tok, headers: { Origin: ORIGIN } });
  expectStatus(err, 404);
  assert.equal(err.headers.get('access-control-allow-origin'), ORIGIN);
});

test('an unlisted origin gets no CORS headers on FHIR data endpoints', async () => {
  const r = await get('/FHIR/R5/Observation?_count=1', { token: token('manager_mary@example.com'), headers: { Origin: 'https://evil.example' } });
  expectStatus(r, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), null);
});

test('the Admin API and /health never carry CORS headers', async () => {
  const r = await get('/api/v1/users/profile', { token: token('manager_mary@example.com'), headers: { Origin: ORIGIN } });
  expectStatus(r, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), null);
  const h = await get('/health', { headers: { Origin: ORIGIN } });
  assert.equal(h.headers.get('access-control-allow-origin'), null);
});
