// Run by t/deploy/staging-test against the installed system (installed binaries behind NGINX,
// reference data from `jhe-admin init`, no demo seed): the console's static files and settings
// are served, the first superuser logs in through the console's client (password login, then the
// authorization-code flow with PKCE, as the console does) and calls the API with the token.
import test from 'node:test';
import { get, assert, expectStatus } from '../integration/lib.mjs';
import { login, codeFlow } from '../integration/oauth_lib.mjs';

const EMAIL = process.env.JHE_DEPLOY_ADMIN;
const PASSWORD = process.env.JHE_DEPLOY_PASSWORD;

test('the installed console and its generated settings are served', async () => {
  const page = await get('/console/');
  expectStatus(page, 200);
  const s = await get('/common/server-settings.js');
  expectStatus(s, 200);
  assert.match(s.text, /client_id: "jhe-admin-ui"/);
  const m = s.text.match(/JHE_ASSET_PATH = "([^"]+)"/);
  assert.ok(m, 'JHE_ASSET_PATH is set');
  assert.match(m[1], /^\/console\/assets\/v-[0-9a-f]{12}$/);
  expectStatus(await get(`${m[1]}/app.css`), 200); // the versioned path exists in the installed copy
  const health = await get('/health');
  expectStatus(health, 200);
});

test('a wrong password is refused', async () => {
  const { res } = await login(EMAIL, PASSWORD + 'x');
  assert.ok(res.status !== 302 && res.status !== 303, `no redirect after a failed login (${res.status})`);
});

test('the first superuser logs in through the console client and calls the API', async () => {
  const { jar, res } = await login(EMAIL, PASSWORD);
  expectStatus(res, 303);
  const { tokens } = await codeFlow(jar);
  assert.ok(tokens.access_token, 'access token issued');
  assert.ok(tokens.id_token, 'ID token issued (signed with the installed OIDC key)');
  const me = await get('/api/v1/users/profile', { token: tokens.access_token });
  expectStatus(me, 200);
  assert.equal(me.json.email, EMAIL);
  assert.equal(me.json.isSuperuser, true);
  // the reference data of `jhe-admin init`, without demo rows
  const ds = await get('/api/v1/data_sources', { token: tokens.access_token });
  expectStatus(ds, 200);
  const names = (ds.json.results ?? ds.json).map((d) => d.name).sort();
  assert.deepEqual(names, ['CareX', 'Dexcom', 'Oura', 'Patient Access API', 'Questionnaire', 'iHealth']);
  const orgs = await get('/api/v1/organizations', { token: tokens.access_token });
  expectStatus(orgs, 200);
  const patients = await get('/FHIR/R5/Patient', { token: tokens.access_token });
  expectStatus(patients, 200);
  assert.equal(patients.json.total ?? (patients.json.entry ?? []).length, 0, 'no demo patients');
});
