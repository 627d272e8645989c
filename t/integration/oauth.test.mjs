// OAuth 2.0 / OIDC authorization server, browser login, sessions, throttling (oauth.md).
import { test, before } from 'node:test';
import crypto from 'node:crypto';
import { BASE, get, post, req, sql, token, assert, expectStatus, sleep } from './lib.mjs';
import {
  PASSWORD, REDIRECT, b64url, pkce, absorbCookies, cookieHeader, scrapeCsrf, login, authorize,
  codeParams, tokenRequest, codeFlow, jwks, verifyJwt,
} from './oauth_lib.mjs';

let maryJar; // one browser session for manager_mary, reused (NGINX rate-limits the login form)

before(async () => {
  sql('DELETE FROM login_throttle');
  const { jar, res } = await login('manager_mary@example.com');
  expectStatus(res, 303);
  maryJar = jar;
});

test('discovery: OpenID configuration at /o and under the FHIR base', async () => {
  for (const path of ['/o/.well-known/openid-configuration', '/o/.well-known/openid-configuration/',
    '/FHIR/R5/.well-known/openid-configuration']) {
    const r = await get(path);
    expectStatus(r, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.headers.get('cache-control'), 'public, max-age=3600');
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.json.issuer, `${BASE}/o`);
    assert.equal(r.json.token_endpoint, `${BASE}/o/token/`);
    assert.deepEqual(r.json.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(r.json.response_types_supported, ['code']);
    assert.deepEqual(r.json.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(Object.keys(r.json).slice(0, 3), ['issuer', 'authorization_endpoint', 'token_endpoint']);
  }
});

test('discovery: SMART configuration at both paths, CORS preflight', async () => {
  for (const path of ['/FHIR/R5/.well-known/smart-configuration', '/.well-known/smart-configuration',
    '/fhir/r5/.well-known/smart-configuration']) {
    const r = await get(path, { headers: { Accept: 'application/fhir+json' } });
    expectStatus(r, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.json.issuer, `${BASE}/o`);
    assert.ok(r.json.capabilities.includes('permission-v2'));
    assert.ok(!r.json.code_challenge_methods_supported.includes('plain'));
  }
  const o = await req('OPTIONS', '/o/token/');
  expectStatus(o, 204);
  assert.equal(o.headers.get('access-control-allow-origin'), '*');
  assert.equal(o.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
});

test('JWKS: kid is the RFC 7638 thumbprint', async () => {
  const { keys } = await jwks();
  assert.ok(keys.length >= 1);
  const k = keys[0];
  assert.equal(k.kty, 'RSA');
  assert.equal(k.alg, 'RS256');
  assert.equal(k.use, 'sig');
  const tp = b64url(crypto.createHash('sha256').update(`{"e":"${k.e}","kty":"RSA","n":"${k.n}"}`).digest());
  assert.equal(k.kid, tp);
});

test('login page satisfies the scraping contract', async () => {
  const r = await get('/accounts/login/?next=%2Fo%2Fauthorize%2F%3Fclient_id%3Djhe-admin-ui%26a%3Db');
  expectStatus(r, 200);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.match(r.headers.get('content-security-policy'), /default-src 'none'.*base-uri 'none'/);
  assert.ok(!/form-action/.test(r.headers.get('content-security-policy')));
  const line = r.text.split('\n').find((l) => l.includes('csrfmiddlewaretoken'));
  assert.match(line, /^<input type="hidden" name="csrfmiddlewaretoken" value="[A-Za-z0-9_-]{43}">$/);
  assert.match(scrapeCsrf(r.text), /^[A-Za-z0-9_-]{43}$/);
  assert.match(r.text, /<title>Log in \| JupyterHealth Exchange<\/title>/);
  assert.match(r.text, /action="\/accounts\/login\/\?next=%2Fo%2Fauthorize%2F%3Fclient_id%3Djhe-admin-ui%26a%3Db"/);
  assert.match(r.text, /<input type="hidden" name="next" value="\/o\/authorize\/\?client_id=jhe-admin-ui&amp;a=b">/);
  assert.ok(!/<script/i.test(r.text));
  const c = r.headers.getSetCookie().find((x) => x.startsWith('csrftoken='));
  assert.match(c, /Path=\/accounts\/; HttpOnly; SameSite=Lax; Secure/);
});

test('scripted practitioner login: form -> authorize -> token -> profile', async () => {
  const jar = {};
  const { p, params } = codeParams({ nonce: 'n-123' });
  const next = `/o/authorize/?${new URLSearchParams(params)}`;
  const { res } = await login('manager_mary@example.com', PASSWORD, next, jar);
  expectStatus(res, 303);
  assert.equal(res.headers.get('location'), next);
  const sc = res.headers.getSetCookie().find((x) => x.startsWith('sessionid='));
  assert.match(sc, /^sessionid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=43200$/);
  const a = await get(res.headers.get('location'), { headers: { Cookie: cookieHeader(jar) } });
  expectStatus(a, 302);
  const loc = new URL(a.headers.get('location'));
  assert.equal(`${loc.origin}${loc.pathname}`, REDIRECT);
  assert.equal(loc.searchParams.get('state'), params.state);
  assert.equal(a.headers.get('access-control-allow-origin'), '*');
  const t = await tokenRequest({
    grant_type: 'authorization_code', code: loc.searchParams.get('code'), redirect_uri: REDIRECT,
    client_id: 'jhe-admin-ui', code_verifier: p.verifier,
  });
  expectStatus(t, 200);
  assert.deepEqual(Object.keys(t.json), ['access_token', 'expires_in', 'token_type', 'scope', 'refresh_token', 'id_token']);
  assert.equal(t.json.expires_in, 1209600);
  assert.equal(t.json.token_type, 'Bearer');
  assert.equal(t.json.scope, 'openid email');
  assert.match(t.json.access_token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(t.headers.get('cache-control'), 'no-store');
  assert.equal(t.headers.get('pragma'), 'no-cache');
  const prof = await get('/api/v1/users/profile', { token: t.json.access_token });
  expectStatus(prof, 200);
  assert.equal(prof.json.id, 10002);
  // ID token: signature against the JWKS, claims of oauth.md §6
  const { header, payload } = await verifyJwt(t.json.id_token);
  assert.equal(header.alg, 'RS256');
  assert.equal(header.typ, 'JWT');
  assert.equal(payload.iss, `${BASE}/o`);
  assert.equal(payload.sub, '10002');
  assert.equal(payload.aud, 'jhe-admin-ui');
  assert.equal(payload.nonce, 'n-123');
  assert.equal(payload.email, 'manager_mary@example.com');
  assert.equal(payload.exp - payload.iat, 36000);
  assert.ok(Math.abs(payload.auth_time - Date.now() / 1000) < 120);
  const ath = b64url(crypto.createHash('sha256').update(t.json.access_token).digest().subarray(0, 16));
  assert.equal(payload.at_hash, ath);
  assert.match(payload.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // the database holds digests only, and audit rows were written
  const n = sql(`SELECT count(*) FROM audit_event WHERE action = 'token.issued' AND user_id = 10002
                   AND detail->>'grantType' = 'authorization_code'`);
  assert.ok(Number(n[0][0]) >= 1);
  const ls = sql(`SELECT outcome, resource_type FROM audit_event WHERE action = 'login.success' AND user_id = 10002`);
  assert.ok(ls.length >= 1);
  assert.deepEqual(ls[0], ['303', 'Session']);
});

test('state is echoed byte for byte; redirect URI with a query keeps it', async () => {
  const state = 'a b&c=d/é?';
  const { params } = codeParams({ state });
  const a = await authorize(maryJar, params);
  expectStatus(a, 302);
  assert.equal(new URL(a.headers.get('location')).searchParams.get('state'), state);
  // without state: no state parameter
  const { params: p2 } = codeParams();
  delete p2.state;
  const b = await authorize(maryJar, p2);
  assert.equal(new URL(b.headers.get('location')).searchParams.has('state'), false);
});

test('authorize errors: unknown client, redirect mismatch (HTML, no redirect)', async () => {
  const { params } = codeParams({ client_id: 'nope' });
  const a = await authorize(maryJar, params);
  expectStatus(a, 400);
  assert.match(a.text, /Unknown client\./);
  assert.equal(a.headers.get('location'), null);
  const { params: p2 } = codeParams({ redirect_uri: 'https://evil.example/cb' });
  const b = await authorize(maryJar, p2);
  expectStatus(b, 400);
  assert.match(b.text, /Invalid redirect URI\./);
  assert.equal(b.headers.get('location'), null);
  const { params: p3 } = codeParams({ redirect_uri: `${REDIRECT}/x` });
  expectStatus(await authorize(maryJar, p3), 400);
});

test('PKCE: plain and missing challenges are refused by redirect', async () => {
  const { params } = codeParams({ code_challenge_method: 'plain' });
  const a = await authorize(maryJar, params);
  expectStatus(a, 302);
  const loc = new URL(a.headers.get('location'));
  assert.equal(loc.searchParams.get('error'), 'invalid_request');
  assert.equal(loc.searchParams.get('error_description'), 'code_challenge_method must be S256.');
  assert.equal(loc.searchParams.get('state'), params.state);
  const { params: p2 } = codeParams();
  delete p2.code_challenge;
  const b = new URL((await authorize(maryJar, p2)).headers.get('location'));
  assert.equal(b.searchParams.get('error_description'), 'code_challenge is required.');
  const { params: p3 } = codeParams();
  delete p3.code_challenge_method;
  const c = new URL((await authorize(maryJar, p3)).headers.get('location'));
  assert.equal(c.searchParams.get('error'), 'invalid_request');
  const { params: p4 } = codeParams({ response_type: 'token' });
  const d = new URL((await authorize(maryJar, p4)).headers.get('location'));
  assert.equal(d.searchParams.get('error'), 'unsupported_response_type');
  const { params: p5 } = codeParams({ scope: 'openid bogus' });
  const e = new URL((await authorize(maryJar, p5)).headers.get('location'));
  assert.equal(e.searchParams.get('error'), 'invalid_scope');
});

test('PKCE at the token endpoint: wrong, malformed and missing verifiers', async () => {
  const { p, params } = codeParams();
  const a = await authorize(maryJar, params);
  const code = new URL(a.headers.get('location')).searchParams.get('code');
  const base = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'jhe-admin-ui' };
  let t = await tokenRequest(base);
  expectStatus(t, 400);
  assert.deepEqual(t.json, { error: 'invalid_request', error_description: 'Code verifier required.' });
  t = await tokenRequest({ ...base, code_verifier: 'short' });
  expectStatus(t, 400);
  assert.equal(t.json.error, 'invalid_request');
  t = await tokenRequest({ ...base, code_verifier: pkce().verifier });
  expectStatus(t, 400);
  assert.equal(t.json.error, 'invalid_grant');
  t = await tokenRequest({ ...base, redirect_uri: `${BASE}/other` , code_verifier: p.verifier });
  expectStatus(t, 400);
  assert.deepEqual(t.json, { error: 'invalid_grant', error_description: 'redirect_uri does not match.' });
  t = await tokenRequest({ ...base, client_id: 'carex', code_verifier: p.verifier });
  expectStatus(t, 400);
  assert.equal(t.json.error, 'invalid_grant');
  // failures did not consume the code: the right verifier still works
  t = await tokenRequest({ ...base, code_verifier: p.verifier });
  expectStatus(t, 200);
});

test('code replay is refused and revokes the tokens issued from the code', async () => {
  const { tokens, code, p, params } = await codeFlow(maryJar);
  expectStatus(await get('/api/v1/users/profile', { token: tokens.access_token }), 200);
  const again = await tokenRequest({
    grant_type: 'authorization_code', code, redirect_uri: params.redirect_uri, client_id: 'jhe-admin-ui',
    code_verifier: p.verifier,
  });
  expectStatus(again, 400);
  assert.equal(again.json.error, 'invalid_grant');
  expectStatus(await get('/api/v1/users/profile', { token: tokens.access_token }), 401);
  const r = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'jhe-admin-ui' });
  expectStatus(r, 400);
  const rows = sql(`SELECT action FROM audit_event WHERE action IN ('token.reuse_detected','token.revoked')
                      AND detail IS NOT NULL ORDER BY id DESC LIMIT 2`);
  assert.deepEqual(rows.map((x) => x[0]).sort(), ['token.reuse_detected', 'token.revoked']);
});

test('refresh: rotation, then reuse of a rotated token revokes the family', async () => {
  const { tokens } = await codeFlow(maryJar);
  const r1 = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'jhe-admin-ui' });
  expectStatus(r1, 200);
  assert.notEqual(r1.json.refresh_token, tokens.refresh_token);
  assert.ok(r1.json.id_token);
  const { payload } = await verifyJwt(r1.json.id_token);
  assert.equal(payload.sub, '10002');
  // the access token issued with the rotated refresh token is revoked (as the reference)
  expectStatus(await get('/api/v1/users/profile', { token: tokens.access_token }), 401);
  expectStatus(await get('/api/v1/users/profile', { token: r1.json.access_token }), 200);
  // narrower scope allowed, wider refused
  const bad = await tokenRequest({ grant_type: 'refresh_token', refresh_token: r1.json.refresh_token, client_id: 'jhe-admin-ui', scope: 'openid fhirUser' });
  expectStatus(bad, 400);
  assert.equal(bad.json.error, 'invalid_scope');
  // reuse of the first (rotated) refresh token
  const reuse = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'jhe-admin-ui' });
  expectStatus(reuse, 400);
  assert.equal(reuse.json.error, 'invalid_grant');
  expectStatus(await get('/api/v1/users/profile', { token: r1.json.access_token }), 401);
  const r2 = await tokenRequest({ grant_type: 'refresh_token', refresh_token: r1.json.refresh_token, client_id: 'jhe-admin-ui' });
  expectStatus(r2, 400);
  const fam = sql(`SELECT revoked_reason FROM oauth_token_family ORDER BY id DESC LIMIT 1`);
  assert.equal(fam[0][0], 'refresh_reuse');
});

test('refresh family past its absolute lifetime is refused', async () => {
  const { tokens } = await codeFlow(maryJar);
  sql(`UPDATE oauth_token_family SET expires = now() - interval '1 second'
        WHERE id = (SELECT family_id FROM oauth_access_token ORDER BY id DESC LIMIT 1)`);
  const r = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'jhe-admin-ui' });
  expectStatus(r, 400);
  assert.equal(r.json.error, 'invalid_grant');
});

test('token endpoint errors', async () => {
  let r = await post('/o/token/', 'grant_type=password', { headers: { 'Content-Type': 'application/json' } });
  expectStatus(r, 400);
  assert.equal(r.json.error, 'invalid_request');
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  r = await tokenRequest({ grant_type: 'password', client_id: 'jhe-admin-ui' });
  expectStatus(r, 400);
  assert.equal(r.json.error, 'unsupported_grant_type');
  r = await tokenRequest({ client_id: 'jhe-admin-ui' });
  expectStatus(r, 400);
  assert.equal(r.json.error, 'invalid_request');
  r = await tokenRequest({ grant_type: 'authorization_code', client_id: 'nope', code: 'x', code_verifier: 'y' });
  expectStatus(r, 401);
  assert.deepEqual(r.json, { error: 'invalid_client', error_description: 'Client authentication failed.' });
  r = await tokenRequest({ grant_type: 'authorization_code', code: 'x' },
    { Authorization: `Basic ${Buffer.from('nope:secret').toString('base64')}` });
  expectStatus(r, 401);
  assert.equal(r.headers.get('www-authenticate'), 'Basic realm="jhe"');
  r = await tokenRequest({ grant_type: 'authorization_code', client_id: 'jhe-admin-ui', client_secret: 'x', code: 'x' });
  expectStatus(r, 400);
  assert.equal(r.json.error, 'invalid_request');
  r = await tokenRequest({ grant_type: 'authorization_code', client_id: 'jhe-admin-ui', code: 'x'.repeat(43), code_verifier: pkce().verifier });
  expectStatus(r, 400);
  assert.deepEqual(r.json, { error: 'invalid_grant', error_description: 'Invalid or expired authorization code.' });
  r = await tokenRequest({ grant_type: 'client_credentials', client_id: 'jhe-admin-ui' });
  expectStatus(r, 400);
  assert.equal(r.json.error, 'unauthorized_client');
});

test('client credentials with a practitioner API key; introspection, revocation, userinfo', async () => {
  const mary = token('manager_mary@example.com');
  const k = await post('/api/v1/practitioner_clients', { label: 'oauth test' }, { token: mary });
  expectStatus(k, 201);
  const [cid, secret] = Buffer.from(k.json.key, 'base64').toString().split(':');
  assert.match(cid, /^[A-Za-z0-9]{16}$/);
  assert.match(secret, /^[A-Za-z0-9]{32}$/);
  const basic = { Authorization: `Basic ${k.json.key}` };
  const t = await tokenRequest({ grant_type: 'client_credentials' }, basic);
  expectStatus(t, 200);
  assert.deepEqual(Object.keys(t.json), ['access_token', 'expires_in', 'token_type', 'scope']);
  assert.equal(t.json.scope, 'openid email');
  const prof = await get('/api/v1/users/profile', { token: t.json.access_token });
  expectStatus(prof, 200);
  assert.equal(prof.json.id, 10002);
  // client_secret_post works too; SMART user/ scopes allowed, patient/ refused
  const t2 = await tokenRequest({ grant_type: 'client_credentials', client_id: cid, client_secret: secret, scope: 'openid user/*.rs' });
  expectStatus(t2, 200);
  assert.equal(t2.json.scope, 'openid user/*.rs');
  const narrowed = await get('/api/v1/patients', { token: t2.json.access_token });
  expectStatus(narrowed, 403);
  const t3 = await tokenRequest({ grant_type: 'client_credentials', scope: 'patient/*.rs' }, basic);
  expectStatus(t3, 400);
  assert.equal(t3.json.error, 'invalid_scope');
  // wrong secret: 401 and an audit row
  const wrong = await tokenRequest({ grant_type: 'client_credentials' },
    { Authorization: `Basic ${Buffer.from(`${cid}:${'x'.repeat(32)}`).toString('base64')}` });
  expectStatus(wrong, 401);
  assert.equal(wrong.json.error, 'invalid_client');
  const af = sql(`SELECT count(*) FROM audit_event WHERE action = 'client.auth_failure' AND oauth_client_id = '${cid}'`);
  assert.equal(af[0][0], '1');
  // introspection of its own token (confidential client)
  let i = await post('/o/introspect/', new URLSearchParams({ token: t.json.access_token }), { headers: basic });
  expectStatus(i, 200);
  assert.equal(i.json.active, true);
  assert.equal(i.json.client_id, cid);
  assert.equal(i.json.username, 'manager_mary@example.com');
  assert.equal(i.json.sub, '10002');
  assert.equal(i.json.token_type, 'Bearer');
  assert.equal(i.json.iss, `${BASE}/o`);
  assert.equal(i.headers.get('cache-control'), 'no-store');
  i = await get(`/o/introspect/?token=${t.json.access_token}`, { headers: basic });
  assert.equal(i.json.active, true);
  // a token of another client is not visible to it
  const other = await codeFlow(maryJar);
  i = await post('/o/introspect/', new URLSearchParams({ token: other.tokens.access_token }), { headers: basic });
  assert.deepEqual(i.json, { active: false });
  // a public client cannot introspect
  i = await post('/o/introspect/', new URLSearchParams({ token: other.tokens.access_token, client_id: 'jhe-admin-ui' }));
  expectStatus(i, 401);
  // userinfo
  let u = await get('/o/userinfo/', { token: other.tokens.access_token });
  expectStatus(u, 200);
  assert.deepEqual(u.json, { sub: '10002', email: 'manager_mary@example.com' });
  u = await get('/o/userinfo/');
  expectStatus(u, 401);
  assert.deepEqual(u.json, { error: 'invalid_token' });
  assert.equal(u.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  const noOpenid = await tokenRequest({ grant_type: 'client_credentials', scope: 'email' }, basic);
  u = await post('/o/userinfo/', new URLSearchParams(), { token: noOpenid.json.access_token });
  expectStatus(u, 403);
  assert.deepEqual(u.json, { error: 'insufficient_scope' });
  // revocation: a token of another client is untouched; own tokens are revoked
  let rv = await post('/o/revoke_token/', new URLSearchParams({ token: other.tokens.access_token }), { headers: basic });
  expectStatus(rv, 200);
  assert.equal(rv.text, '');
  expectStatus(await get('/api/v1/users/profile', { token: other.tokens.access_token }), 200);
  rv = await post('/o/revoke_token/', new URLSearchParams({ token: t.json.access_token }), { headers: basic });
  expectStatus(rv, 200);
  expectStatus(await get('/api/v1/users/profile', { token: t.json.access_token }), 401);
  i = await post('/o/introspect/', new URLSearchParams({ token: t.json.access_token }), { headers: basic });
  assert.deepEqual(i.json, { active: false });
  // a public client revokes its refresh token: the whole family goes
  rv = await post('/o/revoke_token/', new URLSearchParams({ token: other.tokens.refresh_token, client_id: 'jhe-admin-ui', token_type_hint: 'refresh_token' }));
  expectStatus(rv, 200);
  expectStatus(await get('/api/v1/users/profile', { token: other.tokens.access_token }), 401);
  rv = await post('/o/revoke_token/', new URLSearchParams({ client_id: 'jhe-admin-ui' }));
  expectStatus(rv, 400);
  assert.equal(rv.json.error, 'invalid_request');
  // deleting the key revokes its tokens
  const t4 = await tokenRequest({ grant_type: 'client_credentials' }, basic);
  expectStatus(await req('DELETE', `/api/v1/practitioner_clients/${k.json.id}`, { token: mary }), 204);
  expectStatus(await get('/api/v1/users/profile', { token: t4.json.access_token }), 401);
  expectStatus(await tokenRequest({ grant_type: 'client_credentials' }, basic), 401);
});

test('authorize without a session goes to the login page and back; prompt handling', async () => {
  const { params } = codeParams({ prompt: 'login' });
  const a = await authorize({}, params);
  expectStatus(a, 302);
  const loc = a.headers.get('location');
  assert.ok(loc.startsWith('/accounts/login/?next=%2Fo%2Fauthorize%2F%3F'));
  const next = decodeURIComponent(loc.slice('/accounts/login/?next='.length));
  assert.ok(!next.includes('prompt=login'));
  assert.ok(next.includes('client_id=jhe-admin-ui'));
  const { params: p2 } = codeParams({ prompt: 'none' });
  const b = await authorize({}, p2);
  expectStatus(b, 302);
  assert.equal(new URL(b.headers.get('location')).searchParams.get('error'), 'login_required');
  // prompt=login with a valid session still asks for the password
  const c = await authorize(maryJar, params);
  assert.ok(c.headers.get('location').startsWith('/accounts/login/'));
  expectStatus(await post('/o/authorize/', new URLSearchParams(params)), 405);
});

test('login: CSRF failures, open redirects, logout', async () => {
  // no cookie / wrong token -> 403 page
  let r = await post('/accounts/login/', new URLSearchParams({ username: 'manager_mary@example.com', password: PASSWORD, csrfmiddlewaretoken: 'x'.repeat(43) }));
  expectStatus(r, 403);
  assert.match(r.text, /CSRF verification failed\. Reload the page and try again\./);
  const page = await get('/accounts/login/');
  const jar = absorbCookies({}, page);
  r = await post('/accounts/login/', new URLSearchParams({ username: 'a@b.c', password: 'x', csrfmiddlewaretoken: scrapeCsrf(page.text) }),
    { headers: { Cookie: cookieHeader(jar), Origin: 'https://evil.example' } });
  expectStatus(r, 403);
  // an opaque "Origin: null" (sandboxed frame, data: URL, cross-site redirect) is a mismatch too:
  // 403, no session, no login audit row
  const mark = sql('SELECT COALESCE(max(id), 0) FROM audit_event')[0][0];
  const page2 = await get('/accounts/login/');
  // the form page lets browsers send the real Origin with its POST
  assert.equal(page2.headers.get('referrer-policy'), 'same-origin');
  const jar2 = absorbCookies({}, page2);
  const form2 = { username: 'member_megan@example.com', password: PASSWORD, csrfmiddlewaretoken: scrapeCsrf(page2.text), next: '/console/' };
  for (const origin of ['null', 'NULL', 'null, null', `${BASE}.evil.example`, BASE.replace('https:', 'http:')]) {
    r = await post('/accounts/login/', new URLSearchParams(form2), { headers: { Cookie: cookieHeader(jar2), Origin: origin } });
    expectStatus(r, 403);
    assert.match(r.text, /CSRF verification failed\. Reload the page and try again\./);
    assert.equal(r.headers.getSetCookie().filter((c) => c.startsWith('sessionid=')).length, 0);
  }
  assert.equal(sql(`SELECT count(*) FROM audit_event WHERE id > ${mark} AND action LIKE 'login%'`)[0][0], '0');
  // the same form with the site's Origin (what the browser now sends) or none logs in
  r = await post('/accounts/login/', new URLSearchParams(form2), { headers: { Cookie: cookieHeader(jar2), Origin: BASE } });
  expectStatus(r, 303);
  r = await post('/accounts/login/', new URLSearchParams(form2), { headers: { Cookie: cookieHeader(jar2) } });
  expectStatus(r, 303);
  // other worker pages keep no-referrer
  assert.equal((await get('/health')).headers.get('referrer-policy'), 'no-referrer');
  // next must be a local path
  for (const bad of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
    const { res } = await login('member_megan@example.com', PASSWORD, bad);
    expectStatus(res, 303);
    assert.equal(res.headers.get('location'), '/console/');
  }
  const { jar: j2, res } = await login('member_megan@example.com', PASSWORD, '/console/#/studies');
  assert.equal(res.headers.get('location'), '/console/#/studies');
  // the session works, then logout ends it
  const { params } = codeParams();
  expectStatus(await authorize(j2, params), 302);
  const out = await get('/accounts/logout/?next=//evil.example', { headers: { Cookie: cookieHeader(j2) } });
  expectStatus(out, 303);
  assert.equal(out.headers.get('location'), '/');
  assert.match(out.headers.getSetCookie()[0], /^sessionid=; Max-Age=0; Path=\//);
  const after = await authorize(j2, params);
  assert.ok(after.headers.get('location').startsWith('/accounts/login/'));
  const lo = sql(`SELECT user_id FROM audit_event WHERE action = 'logout' ORDER BY id DESC LIMIT 1`);
  assert.equal(lo[0][0], '10003');
});

test('login throttling: growing delays per account, generic message, recovery', async () => {
  sql('DELETE FROM login_throttle');
  const mark = sql('SELECT COALESCE(max(id), 0) FROM audit_event')[0][0];
  const email = 'viewer_victor@example.com';
  let page = await get('/accounts/login/');
  const jar = absorbCookies({}, page);
  let csrf = scrapeCsrf(page.text);
  const attempt = async (user, pw) => {
    const res = await post('/accounts/login/', new URLSearchParams({ username: user, password: pw, csrfmiddlewaretoken: csrf }),
      { headers: { Cookie: cookieHeader(jar) } });
    absorbCookies(jar, res);
    if (res.status === 200) csrf = scrapeCsrf(res.text);
    return res;
  };
  // unknown account and wrong password look the same
  const unknown = await attempt('nobody@example.com', 'whatever1');
  const wrong = await attempt(email, 'wrong-password');
  for (const r of [unknown, wrong]) {
    expectStatus(r, 200);
    assert.match(r.text, /Please enter a correct email and password\./);
  }
  assert.match(wrong.text, /value="viewer_victor@example.com"/);
  for (let i = 2; i <= 6; i++) expectStatus(await attempt(email, 'wrong-password'), 200);
  // sixth failure: 2 seconds delay; the correct password is not even checked
  const blocked = await attempt(email, PASSWORD);
  expectStatus(blocked, 429);
  assert.match(blocked.text, /Too many failed attempts\. Try again in [12] seconds\./);
  assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
  const row = sql(`SELECT failures FROM login_throttle WHERE key = 'account:${email}'`);
  assert.equal(row[0][0], '6');
  await sleep(2200);
  const ok = await attempt(email, PASSWORD);
  expectStatus(ok, 303);
  assert.equal(sql(`SELECT count(*) FROM login_throttle WHERE key = 'account:${email}'`)[0][0], '0');
  const fails = sql(`SELECT detail->>'reason', outcome FROM audit_event WHERE action = 'login.failure'
                       AND detail->>'email' = '${email}' AND id > ${mark} ORDER BY id`);
  assert.equal(fails.length, 7);
  assert.deepEqual(fails[6], ['throttled', '429']);
  assert.deepEqual(fails[0], ['bad_credentials', '200']);
  const unk = sql(`SELECT COALESCE(user_id::text, 'null') FROM audit_event WHERE action = 'login.failure'
                      AND detail->>'email' = 'nobody@example.com' AND id > ${mark}`);
  assert.deepEqual(unk, [['null']]);
  sql('DELETE FROM login_throttle');
});

test('a Django pbkdf2_sha256 hash is accepted and rehashed to Argon2id', async () => {
  const salt = 'abcdEFGH1234';
  const iters = 1000;
  const h = crypto.pbkdf2Sync(PASSWORD, salt, iters, 32, 'sha256').toString('base64');
  sql(`UPDATE jhe_user SET password = 'pbkdf2_sha256$${iters}$${salt}$${h}' WHERE email = 'three_org_tom@example.com'`);
  const bad = await login('three_org_tom@example.com', 'not-the-password');
  expectStatus(bad.res, 200);
  assert.ok(sql(`SELECT password FROM jhe_user WHERE email = 'three_org_tom@example.com'`)[0][0].startsWith('pbkdf2_sha256$'));
  const { res } = await login('three_org_tom@example.com');
  expectStatus(res, 303);
  const pw = sql(`SELECT password, last_login IS NOT NULL FROM jhe_user WHERE email = 'three_org_tom@example.com'`)[0];
  assert.ok(pw[0].startsWith('$argon2id$v=19$m=65536,t=2,p=1$'), pw[0]);
  assert.equal(pw[1], 't');
  expectStatus((await login('three_org_tom@example.com')).res, 303);
  sql('DELETE FROM login_throttle');
});

test('inactive users cannot log in and their sessions stop working', async () => {
  const { jar, res } = await login('ll_patient_pamela@example.com');
  expectStatus(res, 303);
  sql(`UPDATE jhe_user SET is_active = false WHERE email = 'll_patient_pamela@example.com'`);
  try {
    const { params } = codeParams();
    const a = await authorize(jar, params);
    assert.ok(a.headers.get('location').startsWith('/accounts/login/'));
    const again = await login('ll_patient_pamela@example.com');
    expectStatus(again.res, 200);
    assert.match(again.res.text, /Please enter a correct email and password\./);
  } finally {
    sql(`UPDATE jhe_user SET is_active = true WHERE email = 'll_patient_pamela@example.com'`);
    sql('DELETE FROM login_throttle');
  }
});

test('launch/patient for a patient user adds the patient context', async () => {
  const { jar, res } = await login('ll_patient_peter@example.com');
  expectStatus(res, 303);
  const { tokens } = await codeFlow(jar, { client_id: 'carex', scope: 'openid launch/patient fhirUser offline_access patient/Observation.rs' });
  assert.equal(tokens.scope, 'openid launch/patient fhirUser patient/Observation.rs');
  assert.equal(tokens.patient, '40001');
  const { payload } = await verifyJwt(tokens.id_token);
  assert.equal(payload.fhirUser, `${BASE}/FHIR/R5/Patient/40001`);
  assert.equal(payload.email, undefined);
  // a practitioner's launch/patient is dropped
  const m = await codeFlow(maryJar, { scope: 'openid launch/patient' });
  assert.equal(m.tokens.scope, 'openid');
  assert.equal(m.tokens.patient, undefined);
});

test('operator CLI: users passwd/create and clients add (introspection client)', async () => {
  const { stack } = await import('./lib.mjs');
  const email = `cli_${Date.now()}@example.com`;
  const out = stack(['admin', 'users', 'create', email, '--practitioner'], { input: 'a quite long passphrase\n' });
  assert.match(out, /created user \d+/);
  assert.throws(() => stack(['admin', 'users', 'passwd', email], { input: 'short\n' }));
  stack(['admin', 'users', 'passwd', email], { input: 'another long passphrase\n' });
  const hash = sql(`SELECT password FROM jhe_user WHERE email = '${email}'`)[0][0];
  assert.ok(hash.startsWith('$argon2id$'));
  const { res } = await login(email, 'another long passphrase');
  expectStatus(res, 303);
  sql('DELETE FROM login_throttle');
  const cid = `introspector-${Date.now()}`;
  const reg = stack(['admin', 'clients', 'add', '--name', 'Introspector', '--client-id', cid, '--confidential',
    '--grant', 'client-credentials', '--introspection']);
  const secret = reg.match(/client_secret: ([A-Za-z0-9_-]{43})/)[1];
  assert.equal(sql(`SELECT encode(client_secret_digest, 'hex') FROM oauth_application WHERE client_id = '${cid}'`)[0][0],
    crypto.createHash('sha256').update(secret).digest('hex'));
  const { tokens } = await codeFlow(maryJar);
  const i = await post('/o/introspect/', new URLSearchParams({ token: tokens.refresh_token, client_id: cid, client_secret: secret }));
  expectStatus(i, 200);
  assert.equal(i.json.active, true);
  assert.equal(i.json.token_type, 'refresh_token');
  assert.equal(i.json.client_id, 'jhe-admin-ui');
  assert.ok(i.json.exp > Date.now() / 1000 + 364 * 86400);
});
