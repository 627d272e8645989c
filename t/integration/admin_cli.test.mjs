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
