// The operator CLI against the real database: cleanup of expired state, scopes add, token issue.
import { test } from 'node:test';
import { stack, sql, token, get, assert, expectStatus } from './lib.mjs';

test('jhe-admin cleanup deletes expired tokens and sessions, keeps valid ones', async () => {
  const valid = token('member_megan@example.com');
  const doomed = stack(['admin', 'token', 'issue', '--user', 'viewer_victor@example.com']).trim();
  expectStatus(await get('/api/v1/users/profile', { token: doomed }), 200);
  sql(`UPDATE oauth_access_token SET expires = now() - interval '1 minute'
        WHERE user_id = 10004 AND expires > now()`);
  expectStatus(await get('/api/v1/users/profile', { token: doomed }), 401);
  const before = Number(sql('SELECT count(*) FROM oauth_access_token WHERE user_id = 10004')[0][0]);
  assert.ok(before >= 1);
  const out = stack(['admin', 'cleanup']);
  assert.match(out, /deleted \d+ codes, \d+ access tokens/);
  const after = Number(sql(`SELECT count(*) FROM oauth_access_token WHERE user_id = 10004`)[0][0]);
  assert.equal(after, 0);
  expectStatus(await get('/api/v1/users/profile', { token: valid }), 200);
});

test('jhe-admin scopes add creates a scope once', async () => {
  const out = stack(['admin', 'scopes', 'add', 'https://w3id.org/openmhealth', 'omh:body-height:1.0', 'Body height']);
  assert.match(out, /added .* as id \d+/);
  const rows = sql(`SELECT text FROM codeable_concept WHERE coding_code = 'omh:body-height:1.0'`);
  assert.deepEqual(rows, [['Body height']]);
  assert.throws(() => stack(['admin', 'scopes', 'add', 'https://w3id.org/openmhealth', 'omh:body-height:1.0', 'x']));
});

test('jhe-admin token issue refuses an unknown user', () => {
  assert.throws(() => stack(['admin', 'token', 'issue', '--user', 'nobody@example.com']));
});

test('jhe-admin users deactivate revokes the token families (audited), activate restores login', async () => {
  const email = 'three_org_tom@example.com';
  const tok = stack(['admin', 'token', 'issue', '--user', email]).trim();
  expectStatus(await get('/api/v1/users/profile', { token: tok }), 200);
  const out = stack(['admin', 'users', 'deactivate', email]);
  assert.match(out, /deactivated; [1-9]\d* token families revoked/);
  expectStatus(await get('/api/v1/users/profile', { token: tok }), 401);
  const fams = sql(`SELECT count(*) FROM oauth_token_family WHERE user_id = 10005 AND revoked_reason = 'user_deactivated'`);
  assert.ok(Number(fams[0][0]) >= 1);
  const audit = sql(`SELECT count(*) FROM audit_event WHERE user_id = 10005 AND action = 'token.revoked'
                       AND detail->>'reason' = 'user_deactivated'`);
  assert.equal(audit[0][0], fams[0][0]);
  stack(['admin', 'users', 'activate', email]);
  assert.deepEqual(sql(`SELECT is_active FROM jhe_user WHERE id = 10005`), [['t']]);
  // revoked tokens stay revoked; a new one works again
  expectStatus(await get('/api/v1/users/profile', { token: tok }), 401);
  const fresh = stack(['admin', 'token', 'issue', '--user', email]).trim();
  expectStatus(await get('/api/v1/users/profile', { token: fresh }), 200);
  assert.throws(() => stack(['admin', 'users', 'deactivate', 'nobody@example.com']));
});
