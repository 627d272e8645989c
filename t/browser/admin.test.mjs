// Console: the screens only superusers change — clients, data sources, OAuth applications,
// practitioners, system settings — and the audit log filters (console.md §5.5–§5.9), as
// admin@example.com through the real login form. Every change is checked through the API.
import { test, after } from 'node:test';
import { assert, get, req, token, expectStatus, BASE } from '../integration/lib.mjs';
import { close, cleanupProfiles, shot, loggedIn, screenLoaded, topDialog } from './lib.mjs';

// A setting dialog's Save has landed: the dialog closes only after the server answered (the
// "Setting saved." notice of an earlier save may still be on the page, so it alone proves nothing).
async function saved(page) {
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  await page.waitForSelector('.page-alerts >> text=Setting saved.');
}

const RUN = Math.random().toString(36).slice(2, 8);
const browsers = [];
const admin = () => token('admin@example.com');
after(async () => { for (const b of browsers) await close(b); cleanupProfiles(); });

let shared = null;
async function adminPage(path) {
  if (!shared) shared = await loggedIn('admin@example.com', path, browsers);
  else await shared.page.goto(`${BASE}${path}`);
  return shared;
}
const rowOf = (page, text) => page.locator('table tbody tr', { has: page.locator(`td:text-is("${text}")`) });

test('clients: create (validation, Generate), view with data sources, edit, delete', async () => {
  const { page, problems } = await adminPage('/console/clients');
  await screenLoaded(page, 'Clients');
  await page.getByRole('button', { name: 'Create client' }).click();
  let d = topDialog(page);
  await d.getByRole('button', { name: 'Create' }).click();
  for (const m of ['Name is required.', 'Client ID is required.', 'Invitation URL is required.']) await d.locator(`text=${m}`).waitFor();
  await d.getByLabel('Name').fill(`App ${RUN}`);
  await d.getByRole('button', { name: 'Generate' }).click();
  const cid = await d.getByLabel('Client ID').inputValue();
  assert.match(cid, /^[A-Za-z0-9]{40}$/);
  await d.getByLabel('Invitation URL').fill('https://app.example.org/invite');
  await d.getByRole('button', { name: 'Create' }).click();
  await d.locator('text=The invitation URL must contain the placeholder CODE.').waitFor();
  await d.getByLabel('Invitation URL').fill('https://app.example.org/invite/CODE');
  await d.getByRole('button', { name: 'Create' }).click();
  await page.waitForSelector(`.page-alerts >> text=Client "App ${RUN}" created.`);
  const row = rowOf(page, cid);
  await row.waitFor();
  const id = (await row.locator('td').first().innerText()).trim();
  let c = (await get(`/api/v1/clients/${id}`, { token: admin() })).json;
  assert.deepEqual([c.name, c.clientId, c.invitationUrl], [`App ${RUN}`, cid, 'https://app.example.org/invite/CODE']);

  // view: add and remove a data source
  await row.getByRole('button', { name: `View App ${RUN}` }).click();
  d = topDialog(page);
  await d.locator('text=No data sources.').waitFor();
  await d.getByLabel('Add a data source').selectOption({ label: 'Dexcom' });
  await d.getByRole('button', { name: 'Add data source' }).click();
  await d.locator('.dialog-banner >> text=Data source added.').waitFor();
  assert.deepEqual((await get(`/api/v1/clients/${id}/data_sources`, { token: admin() })).json.map((x) => x.id ?? x.dataSource?.id), [70002]);
  await shot(page, 'client-view');
  await d.getByRole('button', { name: 'Remove Dexcom' }).click();
  await topDialog(page).getByRole('button', { name: 'Remove' }).click();
  await d.locator('text=No data sources.').waitFor();
  assert.deepEqual((await get(`/api/v1/clients/${id}/data_sources`, { token: admin() })).json, []);
  await page.keyboard.press('Escape');

  // edit
  await row.getByRole('button', { name: `Edit App ${RUN}` }).click();
  d = topDialog(page);
  await d.locator('text=Changing the client ID breaks installed apps that use the old one.').waitFor();
  await d.getByLabel('Name').fill(`App ${RUN} renamed`);
  await d.getByLabel('Invitation URL').fill('https://app.example.org/i?code=CODE');
  await d.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.page-alerts >> text=Client saved.');
  c = (await get(`/api/v1/clients/${id}`, { token: admin() })).json;
  assert.deepEqual([c.name, c.invitationUrl], [`App ${RUN} renamed`, 'https://app.example.org/i?code=CODE']);
  await shot(page, 'clients-edited');

  // delete
  await rowOf(page, cid).getByRole('button', { name: `Delete App ${RUN} renamed` }).click();
  d = topDialog(page);
  await d.locator('text=/Its invitations stop working and its tokens are revoked\\./').waitFor();
  await d.getByRole('button', { name: 'Delete' }).click();
  await page.waitForSelector(`.page-alerts >> text=Client "App ${RUN} renamed" deleted.`);
  await rowOf(page, cid).waitFor({ state: 'detached' });
  assert.equal((await get(`/api/v1/clients/${id}`, { token: admin() })).status, 404);
  assert.deepEqual(problems, []);
});

test('data sources: create, supported scopes, edit, delete', async () => {
  const { page, problems } = await adminPage('/console/data-sources');
  await screenLoaded(page, 'Data Sources');
  await page.getByRole('button', { name: 'Create data source' }).click();
  let d = topDialog(page);
  await d.getByRole('button', { name: 'Create' }).click();
  await d.locator('text=Name is required.').waitFor();
  await d.getByLabel('Name').fill(`Watch ${RUN}`);
  await d.getByLabel('Type').selectOption('personal_device');
  await d.getByRole('button', { name: 'Create' }).click();
  // the new data source opens in its view dialog
  d = topDialog(page);
  await d.locator(`h2:text-is("Watch ${RUN}")`).waitFor();
  const id = new URL(page.url()).searchParams.get('id');
  assert.match(id, /^\d+$/);
  await d.locator('text=No supported scopes.').waitFor();
  await d.getByLabel('Add a scope').selectOption({ label: 'Step count' });
  await d.getByRole('button', { name: 'Add scope' }).click();
  await d.locator('.dialog-banner >> text=Scope added.').waitFor();
  await d.getByRole('button', { name: 'Remove Step count' }).waitFor();
  await d.getByLabel('Add a scope').selectOption({ label: 'Heart Rate' });
  await d.getByRole('button', { name: 'Add scope' }).click();
  await d.getByRole('button', { name: 'Remove Heart Rate' }).waitFor();
  const scopes = async () => (await get(`/api/v1/data_sources/${id}/supported_scopes`, { token: admin() })).json.map((x) => x.scopeCode.codingCode).sort();
  assert.deepEqual(await scopes(), ['omh:heart-rate:2.0', 'omh:step-count:3.0']);
  await shot(page, 'data-source-view');
  await d.getByRole('button', { name: 'Remove Heart Rate' }).click();
  await topDialog(page).getByRole('button', { name: 'Remove' }).click();
  await d.getByRole('button', { name: 'Remove Heart Rate' }).waitFor({ state: 'detached' });
  assert.deepEqual(await scopes(), ['omh:step-count:3.0']);
  await page.keyboard.press('Escape');
  // closing the dialog re-renders the list; until then the row shown is the one from before the scopes
  const row = rowOf(page, `Watch ${RUN}`).filter({ hasText: 'Step count' });
  await row.waitFor();
  assert.match(await row.innerText(), /Personal Device\s+Step count/);

  await row.getByRole('button', { name: `Edit Watch ${RUN}` }).click();
  d = topDialog(page);
  await d.getByLabel('Name').fill(`Hospital Watch ${RUN}`);
  await d.getByLabel('Type').selectOption('medical_device');
  await d.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.page-alerts >> text=Data source saved.');
  const ds = (await get(`/api/v1/data_sources/${id}`, { token: admin() })).json;
  assert.deepEqual([ds.name, ds.type], [`Hospital Watch ${RUN}`, 'medical_device']);
  assert.match(await rowOf(page, `Hospital Watch ${RUN}`).innerText(), /Medical Device/);

  await rowOf(page, `Hospital Watch ${RUN}`).getByRole('button', { name: `Delete Hospital Watch ${RUN}` }).click();
  await topDialog(page).getByRole('button', { name: 'Delete' }).click();
  await page.waitForSelector(`.page-alerts >> text=Data source "Hospital Watch ${RUN}" deleted.`);
  assert.equal((await get(`/api/v1/data_sources/${id}`, { token: admin() })).status, 404);
  assert.deepEqual(problems, []);
});

test('OAuth applications: create public and confidential (secret shown once, works), rotate, edit, delete', async () => {
  const { page, problems } = await adminPage('/console/applications');
  await screenLoaded(page, 'OAuth Applications');
  assert.match(await page.locator('.panel').first().innerText(), new RegExp(`${BASE.replace(/[.]/g, '\\.')}/o/authorize/`));
  // public, authorization code
  await page.getByRole('button', { name: 'Create application' }).click();
  let d = topDialog(page);
  await d.getByLabel('Name').fill(`Hub ${RUN}`);
  await d.getByLabel('Client ID').fill(`hub-${RUN}`);
  await d.getByLabel('Redirect URIs (one per line)').fill('ftp://hub.example.org/cb');
  await d.getByRole('button', { name: 'Create' }).click();
  await d.locator('text=Not a valid redirect URI: ftp://hub.example.org/cb').waitFor();
  await d.getByLabel('Redirect URIs (one per line)').fill('https://hub.example.org/hub/oauth_callback\nhttp://localhost:8888/cb');
  await d.getByRole('button', { name: 'Create' }).click();
  await page.waitForSelector(`.page-alerts >> text=Application "Hub ${RUN}" created.`);
  const list = async () => (await get('/api/v1/oauth_applications?pageSize=1000', { token: admin() })).json.results;
  let hub = (await list()).find((a) => a.clientId === `hub-${RUN}`);
  assert.deepEqual([hub.clientType, hub.grantType, hub.redirectUris], ['public', 'authorization_code', ['https://hub.example.org/hub/oauth_callback', 'http://localhost:8888/cb']]);
  // a duplicate client id: the server's 409 in the dialog
  await page.getByRole('button', { name: 'Create application' }).click();
  d = topDialog(page);
  await d.getByLabel('Name').fill('dup');
  await d.getByLabel('Client ID').fill(`hub-${RUN}`);
  await d.getByLabel('Redirect URIs (one per line)').fill('https://x.example.org/cb');
  await d.getByRole('button', { name: 'Create' }).click();
  await d.locator('.dialog-banner .alert-error, .form-errors li').first().waitFor();
  await page.keyboard.press('Escape');

  // confidential, client credentials: the secret is shown once and works at the token endpoint
  await page.getByRole('button', { name: 'Create application' }).click();
  d = topDialog(page);
  await d.getByLabel('Name').fill(`Robot ${RUN}`);
  await d.getByRole('button', { name: 'Generate' }).click();
  const robotId = await d.getByLabel('Client ID').inputValue();
  await d.getByLabel('Grant type').selectOption('client_credentials');
  await d.getByRole('button', { name: 'Create' }).click();
  await d.locator('text=Public clients cannot use client credentials.').waitFor();
  await d.getByLabel('Type', { exact: true }).selectOption('confidential');
  await d.getByRole('button', { name: 'Create' }).click();
  d = topDialog(page);
  await d.locator('text=Copy the secret now: it cannot be shown again.').waitFor();
  const secret = (await d.locator('.client-secret').innerText()).trim();
  assert.match(secret, /^\S{20,}$/);
  await shot(page, 'application-secret');
  await page.keyboard.press('Escape');
  // (an application without an owner gets no client-credentials token; introspection authenticates it)
  const cc = async (s) => req('POST', '/o/introspect/', { body: new URLSearchParams({ token: 'not-a-token' }), headers: { Authorization: `Basic ${Buffer.from(`${robotId}:${s}`).toString('base64')}` } });
  expectStatus(await cc(secret), 200);
  assert.equal(JSON.stringify(await list()).includes(secret), false, 'the secret is never listed');
  const robot = (await list()).find((a) => a.clientId === robotId);

  // rotate: a new secret is shown; the old one stops working
  await rowOf(page, robotId).getByRole('button', { name: 'Rotate secret' }).click();
  await topDialog(page).locator('text=The old secret stops working immediately.').waitFor();
  await topDialog(page).getByRole('button', { name: 'Rotate' }).click();
  d = topDialog(page);
  await d.locator('.client-secret').waitFor();
  const secret2 = (await d.locator('.client-secret').innerText()).trim();
  assert.notEqual(secret2, secret);
  await page.keyboard.press('Escape');
  expectStatus(await cc(secret2), 200);
  assert.equal((await cc(secret)).status, 401, 'the old secret is refused');

  // edit the public one
  await rowOf(page, `hub-${RUN}`).getByRole('button', { name: `Edit Hub ${RUN}` }).click();
  d = topDialog(page);
  await d.getByLabel('Name').fill(`Hub ${RUN} 2`);
  await d.getByLabel('Redirect URIs (one per line)').fill('https://hub2.example.org/cb');
  await d.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.page-alerts >> text=Application saved.');
  hub = (await list()).find((a) => a.clientId === `hub-${RUN}`);
  assert.deepEqual([hub.name, hub.redirectUris], [`Hub ${RUN} 2`, ['https://hub2.example.org/cb']]);
  await shot(page, 'applications-edited');

  // delete both
  for (const [cid, name] of [[`hub-${RUN}`, `Hub ${RUN} 2`], [robotId, `Robot ${RUN}`]]) {
    await rowOf(page, cid).getByRole('button', { name: `Delete ${name}` }).click();
    await topDialog(page).locator('text=/Users of this application will be signed out\\./').waitFor();
    await topDialog(page).getByRole('button', { name: 'Delete' }).click();
    await page.waitForSelector(`.page-alerts >> text=Application "${name}" deleted.`);
  }
  assert.equal((await list()).some((a) => a.clientId === `hub-${RUN}` || a.clientId === robotId), false);
  // each change left an audit row (admin-api.md §13.1)
  const audit = (await get(`/api/v1/audit_events?resourceType=Application&userId=10001&pageSize=1000`, { token: admin() })).json.results;
  const acts = (id) => audit.filter((e) => e.resourceId === String(id)).map((e) => e.action).sort();
  assert.deepEqual(acts(hub.id), ['create', 'delete', 'update'], 'the public application: create, edit, delete');
  assert.deepEqual(acts(robot.id), ['create', 'delete', 'update'], 'the confidential one: create, rotate, delete');
  assert.deepEqual(problems, []);
});

test('practitioners: add (validation, organization), edit, delete', async () => {
  const { page, problems } = await adminPage('/console/practitioners');
  await screenLoaded(page, 'Practitioners');
  await page.getByRole('button', { name: 'Add practitioner' }).click();
  let d = topDialog(page);
  await d.locator('text=The new account has no password until an operator sets one').waitFor();
  await d.getByRole('button', { name: 'Add' }).click();
  for (const m of ['Email is required.', 'Family name is required.', 'Given name is required.']) await d.locator(`text=${m}`).waitFor();
  const email = `prac-${RUN}@example.com`;
  await d.getByLabel('Email').fill(email);
  await d.getByLabel('Family name').fill('Newton');
  await d.getByLabel('Given name').fill(`Nina${RUN}`);
  await d.getByLabel('Organization (optional, as member)').selectOption({ label: 'Cosmic Cardio Lab' });
  await d.getByRole('button', { name: 'Add' }).click();
  await page.waitForSelector(`.page-alerts >> text=Practitioner ${email} added.`);
  const row = rowOf(page, email);
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`Newton\\s+Nina${RUN}\\s+Cosmic Cardio Lab`));
  const find = async () => (await get('/api/v1/practitioners?pageSize=1000', { token: admin() })).json.results.find((p) => p.telecomEmail === email);
  let p = await find();
  assert.deepEqual(p.organizations.map((o) => o.id), [20008]);
  await shot(page, 'practitioner-added');

  await row.getByRole('button', { name: `Edit ${email}` }).click();
  d = topDialog(page);
  await d.getByLabel('Family name').fill('Newtone');
  await d.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.page-alerts >> text=Practitioner saved.');
  p = await find();
  assert.equal(p.nameFamily, 'Newtone');

  await rowOf(page, email).getByRole('button', { name: `Delete ${email}` }).click();
  await topDialog(page).getByRole('button', { name: 'Delete' }).click();
  await page.waitForSelector(`.page-alerts >> text=${email} deleted.`);
  await rowOf(page, email).waitFor({ state: 'detached' });
  assert.equal(await find(), undefined);
  assert.deepEqual(problems, []);
});

test('system settings: edit an int setting (validation), create/edit a bool, delete', async () => {
  const { page, problems } = await adminPage('/console/settings');
  await screenLoaded(page, 'System Settings');
  const all = async () => (await get('/api/v1/jhe_settings?pageSize=1000', { token: admin() })).json.results;
  const key = 'auth.patient.invitation_expiration_days';
  const before = (await all()).find((s) => s.key === key);
  const row = page.locator('table tbody tr', { has: page.locator(`.setting-key:text-is("${key}")`) });
  await row.getByRole('button', { name: `Edit ${key}` }).click();
  let d = topDialog(page);
  assert.equal(await d.getByLabel('Value type').inputValue(), 'int');
  assert.equal(await d.getByLabel('Value (number)').inputValue(), String(before.resolvedValue));
  assert.ok(await d.getByLabel('Value (text)').isHidden(), 'only the number input is shown for int');
  await d.locator('.setting-help', { hasText: 'Days an unused invitation link stays valid' }).waitFor();
  await d.getByLabel('Value (number)').fill('2.5');
  await d.getByRole('button', { name: 'Save' }).click();
  await d.locator('text=Value must be an integer.').waitFor();
  await d.getByLabel('Value (number)').fill('9');
  await d.getByRole('button', { name: 'Save' }).click();
  await saved(page);
  assert.equal((await all()).find((s) => s.key === key).resolvedValue, 9);
  // the list is reloaded after the notice: give the row up to 5 s to show the new value
  let text = '';
  for (let i = 0; i < 50 && !/\bint\s+9\b/.test(text); i++) {
    if (i) await page.waitForTimeout(100);
    text = await row.innerText();
  }
  assert.match(text, /\bint\s+9\b/);
  await shot(page, 'settings-edited');
  // restore the seeded value
  await row.getByRole('button', { name: `Edit ${key}` }).click();
  d = topDialog(page);
  await d.getByLabel('Value (number)').fill(String(before.resolvedValue));
  await d.getByRole('button', { name: 'Save' }).click();
  await saved(page);
  assert.equal((await all()).find((s) => s.key === key).resolvedValue, before.resolvedValue);

  // a bool setting: create true, edit to false, delete
  const bkey = `console.flag.${RUN}`;
  await page.getByRole('button', { name: 'Create setting' }).click();
  d = topDialog(page);
  await d.getByLabel('Key').fill(bkey);
  await d.getByLabel('Value type').selectOption('bool');
  await d.getByLabel('true (checked) / false').check();
  await d.getByRole('button', { name: 'Create' }).click();
  await page.waitForSelector(`.setting-key:text-is("${bkey}")`);
  assert.equal((await all()).find((s) => s.key === bkey).resolvedValue, true);
  const brow = page.locator('table tbody tr', { has: page.locator(`.setting-key:text-is("${bkey}")`) });
  await brow.getByRole('button', { name: `Edit ${bkey}` }).click();
  d = topDialog(page);
  assert.ok(await d.getByLabel('true (checked) / false').isChecked());
  await d.getByLabel('true (checked) / false').uncheck();
  await d.getByRole('button', { name: 'Save' }).click();
  await saved(page);
  assert.equal((await all()).find((s) => s.key === bkey).resolvedValue, false);
  await brow.getByRole('button', { name: `Delete ${bkey}` }).click();
  await topDialog(page).getByRole('button', { name: 'Delete' }).click();
  await page.waitForSelector(`.page-alerts >> text=Setting "${bkey}" deleted.`);
  assert.equal((await all()).some((s) => s.key === bkey), false);
  assert.deepEqual(problems, []);
});

test('audit log: filters by user, action, patient and time; clicking an id sets the filter', async () => {
  // mary creates a patient (a create row with a patient id)
  const p = await req('POST', '/api/v1/patients', { token: token('mary@example.com'), body: { organizationId: 20003, telecomEmail: `audit-${RUN}@example.com`, nameFamily: 'Audit', nameGiven: RUN } });
  expectStatus(p, 201);
  const { page, problems } = await adminPage('/console/audit');
  await screenLoaded(page, 'Audit Log');
  // user 10012 (mary) and action create
  await page.getByLabel('User ID').fill('10012');
  await page.getByLabel('Action').selectOption(['create', 'update']);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL((u) => u.searchParams.get('userId') === '10012' && u.searchParams.get('action') === 'create,update');
  await screenLoaded(page, 'Audit Log');
  const rows = page.locator('table tbody tr');
  const n = await rows.count();
  assert.ok(n > 0, 'mary created things in this run');
  const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
  for (const c of cells) { assert.equal(c[1], '10012'); assert.ok(['create', 'update'].includes(c[3]), c[3]); }
  const api = (await get('/api/v1/audit_events?userId=10012&action=create,update', { token: admin() })).json;
  assert.equal(await page.locator('.pager-count').innerText(), `${api.count} ${api.count === 1 ? 'item' : 'items'}`, 'the same count as the API');
  // the filters survive a reload
  await page.reload();
  await screenLoaded(page, 'Audit Log');
  assert.equal(await page.getByLabel('User ID').inputValue(), '10012');
  assert.deepEqual(await page.getByLabel('Action').evaluate((s) => [...s.selectedOptions].map((o) => o.value)), ['create', 'update']);
  // a row expands to method, path and detail
  await rows.first().locator('summary').click();
  assert.match(await rows.first().locator('details').innerText(), /(POST|PATCH|PUT|DELETE) \/(api|FHIR)\//);
  await shot(page, 'audit-filtered');
  // clicking a patient id sets the patient filter (the others stay)
  const pidBtn = page.locator('table tbody tr td:nth-child(6) button', { hasText: String(p.json.id) }).first();
  const pid = (await pidBtn.innerText()).trim();
  await pidBtn.click();
  await page.waitForURL((u) => u.searchParams.get('patientId') === pid && u.searchParams.get('userId') === '10012');
  await screenLoaded(page, 'Audit Log');
  assert.equal(await page.getByLabel('Patient ID').inputValue(), pid);
  const pids = await page.locator('table tbody tr td:nth-child(6)').allInnerTexts();
  assert.ok(pids.length > 0 && pids.every((x) => x.trim() === pid), `every row is about patient ${pid}`);
  // From in the future: nothing matches; To in the past: nothing matches
  await page.getByLabel('From').fill('2099-01-01T00:00');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL((u) => u.searchParams.has('since'));
  await screenLoaded(page, 'Audit Log');
  assert.match(new URL(page.url()).searchParams.get('since'), /^2099-01-01T|^2098-12-31T/);
  await page.locator('td.empty:text-is("No events match.")').waitFor();
  await page.getByLabel('From').fill('');
  await page.getByLabel('To').fill('2000-01-01T00:00');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL((u) => u.searchParams.has('until') && !u.searchParams.has('since'));
  await screenLoaded(page, 'Audit Log');
  await page.locator('td.empty:text-is("No events match.")').waitFor();
  assert.deepEqual(problems, []);
});
