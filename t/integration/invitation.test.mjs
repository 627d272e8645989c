// Patient invitations (admin-api.md §9, oauth.md §7) and practitioner API keys (admin-api.md §14).
import { test } from 'node:test';
import crypto from 'node:crypto';
import https from 'node:https';
import { readFileSync, readdirSync, renameSync, statSync } from 'node:fs';
import { BASE, get, post, patch, put, del, req, sql, token, assert, expectStatus, sleep, waitHealthy } from './lib.mjs';
import { b64url, tokenRequest, verifyJwt } from './oauth_lib.mjs';

const mary = () => token('manager_mary@example.com');

async function invite(patientId = 40001, clientId = 1, who = mary()) {
  const r = await post('/api/v1/invitation', { patient_id: patientId, client_id: clientId, send_email: false }, { token: who });
  expectStatus(r, 201);
  return r.json;
}

async function exchange(grant, tok) {
  return tokenRequest({
    grant_type: 'authorization_code', code: grant.grant.code, redirect_uri: grant.grant.redirect_uri,
    client_id: grant.grant.client_id, code_verifier: b64url(Buffer.from(tok, 'ascii')),
  });
}

test('full patient path: invite -> redeem -> token -> profile', async () => {
  const mark = sql('SELECT COALESCE(max(id), 0) FROM audit_event')[0][0];
  const inv = await invite();
  assert.deepEqual(Object.keys(inv), ['id', 'patientId', 'client_id', 'tokenHash', 'token', 'status', 'lastUpdated', 'invitationLink', 'emailSent']);
  assert.match(inv.token, /^[A-Za-z0-9]{32}$/);
  assert.equal(inv.tokenHash, b64url(crypto.createHash('sha256').update(inv.token).digest()));
  assert.equal(inv.status, 'issued');
  assert.equal(inv.patientId, 40001);
  assert.equal(inv.client_id, 1);
  assert.equal(inv.emailSent, false);
  const host = new URL(BASE).host;
  assert.equal(inv.invitationLink, `https://carex.ai/invitation/${host.replace(':', '%3A')}_${inv.token}`);
  assert.match(inv.lastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
  // the token itself is never stored
  assert.equal(sql(`SELECT count(*) FROM patient_invitation WHERE token_hash = '${inv.token}'`)[0][0], '0');
  // redeem (anonymous; an Authorization header is ignored)
  const red = await post(`/api/v1/invitation/${inv.token}`, undefined, { headers: { Authorization: 'Bearer junk' } });
  expectStatus(red, 200);
  assert.deepEqual(Object.keys(red.json), ['grant', 'token_endpoint', 'expires']);
  assert.deepEqual(Object.keys(red.json.grant), ['grant_type', 'redirect_uri', 'client_id', 'code']);
  assert.equal(red.json.grant.client_id, 'carex');
  assert.equal(red.json.grant.redirect_uri, `${BASE}/auth/callback`);
  assert.equal(red.json.token_endpoint, `${BASE}/o/token/`);
  // the invitation token never reaches the audit log (its path is redacted)
  assert.deepEqual(sql(`SELECT path FROM audit_event WHERE id > ${mark} AND action = 'invitation.redeemed'`),
    [['/api/v1/invitation/<redacted>']]);
  assert.equal(sql(`SELECT count(*) FROM audit_event WHERE id > ${mark} AND (path LIKE '%${inv.token}%' OR detail::text LIKE '%${inv.token}%')`)[0][0], '0');
  // nor NGINX's access log nor the workers' logs
  const logs = new URL(`../../var/${process.env.JHE_INSTANCE || 'test'}/`, import.meta.url).pathname;
  const nginxLog = readFileSync(`${logs}nginx/access.log`, 'utf8');
  assert.match(nginxLog, /POST \/api\/v1\/invitation\/<redacted> /);
  assert.ok(!nginxLog.includes(inv.token), 'token in the NGINX access log');
  for (const f of readdirSync(`${logs}log`).filter((n) => n.startsWith('worker-'))) {
    assert.ok(!readFileSync(`${logs}log/${f}`, 'utf8').includes(inv.token), `token in ${f}`);
  }
  assert.ok(Date.parse(red.json.expires) - Date.now() <= 61000);
  const t = await exchange(red.json, inv.token);
  expectStatus(t, 200);
  assert.equal(t.json.scope, 'openid email');
  assert.ok(t.json.refresh_token);
  const { payload } = await verifyJwt(t.json.id_token);
  assert.equal(payload.sub, '10006');
  assert.equal(payload.aud, 'carex');
  const prof = await get('/api/v1/users/profile', { token: t.json.access_token });
  expectStatus(prof, 200);
  assert.equal(prof.json.id, 10006);
  assert.equal(prof.json.patient.id, 40001);
  assert.equal(prof.json.userType, 'patient');
  // audit: create, redeemed, token issued from the invitation family
  const acts = sql(`SELECT action, COALESCE(patient_id::text, '-'), COALESCE(oauth_client_id, '-') FROM audit_event
                     WHERE id > ${mark} AND action IN ('create', 'invitation.redeemed', 'token.issued') ORDER BY id`);
  assert.deepEqual(acts.map((a) => a[0]), ['create', 'invitation.redeemed', 'token.issued']);
  assert.equal(acts[1][1], '40001');
  assert.equal(acts[1][2], 'carex');
  const fam = sql(`SELECT origin FROM oauth_token_family ORDER BY id DESC LIMIT 1`);
  assert.equal(fam[0][0], 'invitation');
  // a wrong verifier (the token itself, not its base64url) is refused
  const red2 = await post(`/api/v1/invitation/${inv.token}`);
  expectStatus(red2, 200);
  const bad = await tokenRequest({ grant_type: 'authorization_code', code: red2.json.grant.code, client_id: 'carex', code_verifier: inv.token + 'AAAAAAAAAAAA' });
  expectStatus(bad, 400);
  assert.equal(bad.json.error, 'invalid_grant');
  // re-redemption within the window gives a new code; the older unused code is deleted
  const red3 = await post(`/api/v1/invitation/${inv.token}`);
  expectStatus(red3, 200);
  const old = await exchange(red2.json, inv.token);
  expectStatus(old, 400);
  expectStatus(await exchange(red3.json, inv.token), 200);
  const st = sql(`SELECT status, redeemed_at IS NOT NULL FROM patient_invitation WHERE id = ${inv.id}`)[0];
  assert.deepEqual(st, ['redeemed', 't']);
  // cancelling revokes every family obtained through the invitation
  const c = await patch(`/api/v1/invitation/${inv.id}`, { status: 'cancelled' }, { token: mary() });
  expectStatus(c, 200);
  assert.equal(c.json.status, 'cancelled');
  assert.equal(c.json.token, null);
  expectStatus(await get('/api/v1/users/profile', { token: t.json.access_token }), 401);
  const r4 = await post(`/api/v1/invitation/${inv.token}`);
  expectStatus(r4, 403);
  assert.deepEqual(r4.json, { detail: 'Invitation has been cancelled.' });
  const failed = sql(`SELECT outcome, resource_id FROM audit_event WHERE action = 'invitation.redeem_failed' ORDER BY id DESC LIMIT 1`);
  assert.deepEqual(failed[0], ['403', String(inv.id)]);
});

test('redemption statuses and windows', async () => {
  // unknown token
  let r = await post(`/api/v1/invitation/${'A'.repeat(32)}`);
  expectStatus(r, 404);
  assert.deepEqual(r.json, { detail: 'Invitation not found or already used.' });
  // reissued
  const a = await invite(40002);
  const b = await invite(40002);
  r = await post(`/api/v1/invitation/${a.token}`);
  expectStatus(r, 409);
  assert.deepEqual(r.json, { detail: 'Invitation has been replaced by a newer invitation.' });
  // expired by age (7 days)
  sql(`UPDATE patient_invitation SET created = now() - interval '7 days 1 second' WHERE id = ${b.id}`);
  r = await post(`/api/v1/invitation/${b.token}`);
  expectStatus(r, 410);
  assert.deepEqual(r.json, { detail: 'Invitation has expired.' });
  assert.equal(sql(`SELECT status FROM patient_invitation WHERE id = ${b.id}`)[0][0], 'expired');
  r = await post(`/api/v1/invitation/${b.token}`);
  expectStatus(r, 410);
  // redemption window measured from the first redemption
  const c = await invite(40002);
  expectStatus(await post(`/api/v1/invitation/${c.token}`), 200);
  sql(`UPDATE patient_invitation SET redeemed_at = now() - interval '12 hours 1 second' WHERE id = ${c.id}`);
  r = await post(`/api/v1/invitation/${c.token}`);
  expectStatus(r, 409);
  assert.deepEqual(r.json, { detail: 'Invitation has already been used.' });
  // disabled patient account
  const d = await invite(40002);
  sql(`UPDATE jhe_user SET is_active = false WHERE id = (SELECT jhe_user_id FROM patient WHERE id = 40002)`);
  try {
    r = await post(`/api/v1/invitation/${d.token}`);
    expectStatus(r, 403);
    assert.deepEqual(r.json, { detail: 'The patient account is disabled.' });
  } finally {
    sql(`UPDATE jhe_user SET is_active = true WHERE id = (SELECT jhe_user_id FROM patient WHERE id = 40002)`);
  }
});

test('redemption routing: token, id and other segments', async () => {
  const tok = 'B'.repeat(32);
  let r = await get(`/api/v1/invitation/${tok}`);
  expectStatus(r, 405);
  assert.equal(r.headers.get('allow'), 'POST, OPTIONS');
  r = await put(`/api/v1/invitation/${tok}`, {});
  expectStatus(r, 405);
  r = await post('/api/v1/invitation/123');
  expectStatus(r, 401);
  r = await post('/api/v1/invitation/123', undefined, { token: mary() });
  expectStatus(r, 405);
  r = await del('/api/v1/invitation/123', undefined, { token: mary() });
  expectStatus(r, 405);
  for (const seg of ['short', 'C'.repeat(33), `${'D'.repeat(31)}-`]) {
    r = await post(`/api/v1/invitation/${seg}`);
    expectStatus(r, 404);
    assert.deepEqual(r.json, { detail: 'Not found.' });
  }
});

test('create: validation, permissions, unknown rows', async () => {
  let r = await post('/api/v1/invitation', {}, { token: mary() });
  expectStatus(r, 400);
  assert.deepEqual(r.json, { patientId: ['This field is required.'], client_id: ['This field is required.'] });
  r = await post('/api/v1/invitation', { patientId: 'x', clientId: 1 }, { token: mary() });
  expectStatus(r, 400);
  assert.deepEqual(r.json, { patientId: ['A valid integer is required.'] });
  r = await post('/api/v1/invitation', { patient_id: 49999, client_id: 1 }, { token: mary() });
  expectStatus(r, 404);
  assert.deepEqual(r.json, { detail: 'No Patient matches the given query.' });
  r = await post('/api/v1/invitation', { patient_id: 40001, client_id: 1 }, { token: token('viewer_victor@example.com') });
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'You do not have permission to invite this patient.' });
  r = await post('/api/v1/invitation', { patient_id: 40001, client_id: 1 }, { token: token('ll_patient_peter@example.com') });
  expectStatus(r, 403);
  // superusers need a real membership
  r = await post('/api/v1/invitation', { patient_id: 40001, client_id: 1 }, { token: token('admin@example.com') });
  expectStatus(r, 403);
  r = await post('/api/v1/invitation', { patient_id: 40001, client_id: 999 }, { token: mary() });
  expectStatus(r, 404);
  assert.deepEqual(r.json, { detail: 'No Application matches the given query.' });
  r = await post('/api/v1/invitation', { patient_id: 40001, client_id: 4 }, { token: mary() });
  expectStatus(r, 400);
  assert.deepEqual(r.json, { client_id: ['This client has no invitation URL.'] });
  r = await post('/api/v1/invitation', { patient_id: 40001, client_id: 1 });
  expectStatus(r, 401);
});

test('list, read and cancel', async () => {
  const inv = await invite();
  let r = await get('/api/v1/invitation?patientId=40001&status=issued', { token: mary() });
  expectStatus(r, 200);
  assert.ok(r.json.count >= 1);
  assert.equal(r.json.results[0].id, inv.id);
  assert.equal(r.json.results[0].token, null);
  assert.deepEqual(Object.keys(r.json.results[0]), ['id', 'patientId', 'client_id', 'tokenHash', 'token', 'status', 'lastUpdated']);
  assert.ok(r.json.results.every((x) => x.status === 'issued' && x.patientId === 40001));
  // the search's audit row names the rows returned and their patients (data-model.md §7)
  const [audit] = sql(`SELECT patient_id, detail->>'count', detail->'patientIds' FROM audit_event
    WHERE action = 'search' AND resource_type = 'PatientInvitation' ORDER BY id DESC LIMIT 1`);
  assert.deepEqual(audit, ['40001', String(r.json.results.length), '[40001]']);
  r = await get('/api/v1/invitation', { token: token('viewer_victor@example.com') });
  expectStatus(r, 200);
  assert.equal(r.json.count, 0);
  r = await get('/api/v1/invitation', { token: token('ll_patient_peter@example.com') });
  expectStatus(r, 403);
  r = await get(`/api/v1/invitation/${inv.id}`, { token: mary() });
  expectStatus(r, 200);
  assert.equal(r.json.tokenHash, inv.tokenHash);
  r = await get(`/api/v1/invitation/${inv.id}`, { token: token('viewer_victor@example.com') });
  expectStatus(r, 404);
  r = await patch(`/api/v1/invitation/${inv.id}`, { status: 'redeemed' }, { token: mary() });
  expectStatus(r, 400);
  assert.deepEqual(r.json, { status: ['Only "cancelled" can be set.'] });
  r = await patch(`/api/v1/invitation/${inv.id}`, { status: 'cancelled' }, { token: mary() });
  expectStatus(r, 200);
  r = await patch(`/api/v1/invitation/${inv.id}`, { status: 'cancelled' }, { token: mary() });
  expectStatus(r, 200);
  assert.equal(r.json.status, 'cancelled');
  const reads = sql(`SELECT count(*) FROM audit_event WHERE action = 'read' AND resource_type = 'PatientInvitation' AND resource_id = '${inv.id}'`);
  assert.equal(reads[0][0], '1');
});

test('practitioner API keys: create (shown once), list own, patch, delete', async () => {
  const megan = token('member_megan@example.com');
  const k = await post('/api/v1/practitioner_clients', { label: 'my laptop' }, { token: megan });
  expectStatus(k, 201);
  assert.deepEqual(Object.keys(k.json), ['id', 'label', 'created', 'name', 'key']);
  assert.match(k.json.name, /^_practitioner_client_80003_\d{14}$/);
  assert.match(Buffer.from(k.json.key, 'base64').toString(), /^[A-Za-z0-9]{16}:[A-Za-z0-9]{32}$/);
  const noBody = await post('/api/v1/practitioner_clients', undefined, { token: megan });
  expectStatus(noBody, 201);
  assert.equal(noBody.json.label, '');
  let r = await get('/api/v1/practitioner_clients', { token: megan });
  expectStatus(r, 200);
  assert.ok(r.json.count >= 2);
  assert.equal(r.json.results[0].id, noBody.json.id);
  assert.ok(r.json.results.every((x) => x.key === null));
  r = await get(`/api/v1/practitioner_clients/${k.json.id}`, { token: megan });
  expectStatus(r, 200);
  assert.equal(r.json.key, null);
  assert.equal(r.json.label, 'my laptop');
  // another practitioner sees nothing of it
  expectStatus(await get(`/api/v1/practitioner_clients/${k.json.id}`, { token: mary() }), 404);
  expectStatus(await del(`/api/v1/practitioner_clients/${k.json.id}`, undefined, { token: mary() }), 404);
  r = await patch(`/api/v1/practitioner_clients/${k.json.id}`, { label: 'renamed', name: 'ignored' }, { token: megan });
  expectStatus(r, 200);
  assert.equal(r.json.label, 'renamed');
  r = await patch(`/api/v1/practitioner_clients/${k.json.id}`, { labels: 'x' }, { token: megan });
  expectStatus(r, 400);
  assert.deepEqual(r.json, { labels: ['Unknown field.'] });
  r = await post('/api/v1/practitioner_clients', { label: 'x'.repeat(201) }, { token: megan });
  expectStatus(r, 400);
  assert.ok(r.json.label);
  r = await post('/api/v1/practitioner_clients', { label: 'a', bogus: 1 }, { token: megan });
  expectStatus(r, 400);
  assert.deepEqual(r.json, { bogus: ['Unknown field.'] });
  expectStatus(await put(`/api/v1/practitioner_clients/${k.json.id}`, {}, { token: megan }), 405);
  r = await get('/api/v1/practitioner_clients', { token: token('ll_patient_peter@example.com') });
  expectStatus(r, 403);
  assert.deepEqual(r.json, { detail: 'Only practitioner users can manage practitioner clients.' });
  // the secret is stored as a digest only
  const [cid, secret] = Buffer.from(k.json.key, 'base64').toString().split(':');
  const row = sql(`SELECT encode(client_secret_digest, 'hex'), client_type, authorization_grant_type FROM oauth_application WHERE client_id = '${cid}'`)[0];
  assert.equal(row[0], crypto.createHash('sha256').update(secret).digest('hex'));
  assert.deepEqual(row.slice(1), ['confidential', 'client-credentials']);
  expectStatus(await del(`/api/v1/practitioner_clients/${k.json.id}`, undefined, { token: megan }), 204);
  expectStatus(await get(`/api/v1/practitioner_clients/${k.json.id}`, { token: megan }), 404);
  assert.equal(sql(`SELECT count(*) FROM oauth_application WHERE client_id = '${cid}'`)[0][0], '0');
});

// One HTTPS request from a chosen loopback source address: NGINX's rate limit is per client
// address, so a flood from 127.0.0.2 leaves the 127.0.0.1 budget of the other tests alone.
function fromAddress(localAddress, method, path) {
  const u = new URL(BASE);
  return new Promise((resolve, reject) => {
    const r = https.request({ host: '127.0.0.1', port: u.port, path, method, localAddress, servername: 'localhost', agent: false,
      headers: { Host: u.host, 'Content-Length': 0 } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    r.on('error', reject);
    r.end();
  });
}

test('invitation tokens reach neither NGINX log on rate-limit rejections and upstream failures', async () => {
  const inv = await invite();
  const ngx = new URL(`../../var/${process.env.JHE_INSTANCE || 'test'}/`, import.meta.url).pathname;
  const errLog = `${ngx}nginx/error.log`, accLog = `${ngx}nginx/access.log`;
  const size = (f) => { try { return statSync(f).size; } catch { return 0; } };
  const since = (f, off) => readFileSync(f).subarray(off).toString('utf8');
  const err0 = size(errLog), acc0 = size(accLog);
  // 1. limit_req: 30/min with a burst of 30 per address, so 40 quick redemptions see 429s
  const statuses = [];
  for (let i = 0; i < 40; i++) statuses.push(await fromAddress('127.0.0.2', 'POST', `/api/v1/invitation/${inv.token}`));
  assert.ok(statuses.includes(429), `no 429 among ${statuses}`);
  // the same rejection on the login form (no secret in its request line) is logged: the check
  // below would see a token if NGINX logged one
  const login = [];
  for (let i = 0; i < 40; i++) login.push(await fromAddress('127.0.0.3', 'POST', '/accounts/login/'));
  assert.ok(login.includes(429));
  // 2. upstream failures: every worker socket hidden (connect fails), then restored
  const run = `${ngx}run/`;
  const socks = readdirSync(run).filter((n) => /^w\d+\.sock$/.test(n));
  assert.ok(socks.length >= 2);
  for (const s of socks) renameSync(run + s, `${run}${s}.hidden`);
  try {
    const r = await post(`/api/v1/invitation/${inv.token}`);
    expectStatus(r, 503);
    assert.deepEqual(r.json, { detail: 'Service temporarily unavailable.' });
    expectStatus(await get(`/o/introspect/?token=${inv.token}`), 503); // a token in the query string
    expectStatus(await get('/api/v1/users/profile'), 503); // control: this failure is logged
  } finally {
    for (const s of socks) renameSync(`${run}${s}.hidden`, run + s);
  }
  await sleep(2100); // NGINX retries a failed worker after fail_timeout (2 s)
  await waitHealthy();
  const errors = since(errLog, err0);
  assert.match(errors, /limiting requests.*zone "jhe_login"/, 'rate-limit rejections are logged');
  assert.match(errors, /while connecting to upstream.*request: "GET \/api\/v1\/users\/profile /, 'upstream failures are logged');
  assert.ok(!errors.includes(inv.token), 'token in the NGINX error log');
  assert.ok(!errors.includes('/api/v1/invitation/'), 'an invitation request line in the NGINX error log');
  const access = since(accLog, acc0);
  assert.match(access, /"POST \/api\/v1\/invitation\/<redacted> HTTP\/1\.1" 429 /);
  assert.match(access, /"POST \/api\/v1\/invitation\/<redacted> HTTP\/1\.1" 503 /);
  assert.match(access, /"GET \/o\/introspect\/ HTTP\/1\.1" 503 /);
  assert.ok(!access.includes(inv.token), 'token in the NGINX access log');
});
