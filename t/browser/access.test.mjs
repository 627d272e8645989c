// Console: profile API keys, what happens when the server answers 401 (revoked tokens) or 403
// (a membership removed meanwhile), keyboard reachability, labels on every form field, and the
// tablet-width (768 px) layout of each main screen (console.md §2.1, §3, §5.10, §6). Logins go
// through the real login form.
import { test, after } from 'node:test';
import { assert, get, req, post, patch, token, stack, expectStatus, BASE } from '../integration/lib.mjs';
import { close, cleanupProfiles, shot, loggedIn, screenLoaded, topDialog, unlabelledFields, horizontalOverflow } from './lib.mjs';

const RUN = Math.random().toString(36).slice(2, 8);
const browsers = [];
after(async () => { for (const b of browsers) await close(b); cleanupProfiles(); });
const mary = () => token('mary@example.com');
const tokensOf = async (page) => JSON.parse(await page.evaluate(() => sessionStorage.getItem('jhe.tokens')));
const revoke = (tok, hint) => req('POST', '/o/revoke_token/', { body: new URLSearchParams({ token: tok, token_type_hint: hint, client_id: 'jhe-admin-ui' }) });

test('profile: API keys are created (shown once, tested), listed, renamed and deleted', async () => {
  const b = await loggedIn('mary@example.com', '/console/profile', browsers);
  const { page } = b;
  await screenLoaded(page, 'Profile');
  assert.match(await page.locator('.details').first().innerText(), /Email\s+mary@example\.com/);
  await page.locator('td:text-is("Lifespan Lab")').waitFor();
  await page.getByRole('button', { name: 'Create key' }).click();
  let d = topDialog(page);
  await d.getByLabel('Label').fill(`laptop ${RUN}`);
  await d.getByRole('button', { name: 'Create' }).click();
  d = topDialog(page);
  await d.locator('text=Store this key now; it cannot be shown again.').waitFor();
  const key = (await d.locator('.api-key').innerText()).trim();
  assert.match(key, /^[A-Za-z0-9+/]+=*$/);
  assert.match(Buffer.from(key, 'base64').toString(), /^[A-Za-z0-9]{16}:[A-Za-z0-9]{32}$/);
  assert.match(await d.locator('pre').innerText(), new RegExp(`curl -X POST ${BASE.replace(/[.]/g, '\\.')}/o/token/`));
  await d.getByRole('button', { name: 'Test' }).click();
  await d.locator('.key-test-result', { hasText: /^Key works: token valid for \d+ days?\.$/ }).waitFor();
  await shot(page, 'api-key-created');
  await d.getByRole('button', { name: 'Close' }).click();
  const row = page.locator('table tbody tr', { has: page.locator(`td:text-is("laptop ${RUN}")`) });
  await row.waitFor();
  assert.equal((await page.content()).includes(key), false, 'the key is not shown again');
  const keys = async () => (await get('/api/v1/practitioner_clients?pageSize=1000', { token: mary() })).json.results;
  const k = (await keys()).find((x) => x.label === `laptop ${RUN}`);
  assert.equal(k.key, null);
  assert.match(await row.innerText(), new RegExp(k.name));
  // the key works for scripts
  const cc = async () => req('POST', '/o/token/', { body: new URLSearchParams({ grant_type: 'client_credentials' }), headers: { Authorization: `Basic ${key}` } });
  expectStatus(await cc(), 200);

  await row.getByRole('button', { name: `Rename key laptop ${RUN}` }).click();
  d = topDialog(page);
  await d.getByLabel('Label').fill(`desktop ${RUN}`);
  await d.getByRole('button', { name: 'Save' }).click();
  const row2 = page.locator('table tbody tr', { has: page.locator(`td:text-is("desktop ${RUN}")`) });
  await row2.waitFor();
  assert.ok((await keys()).some((x) => x.id === k.id && x.label === `desktop ${RUN}`));
  await shot(page, 'profile-keys');
  await row2.getByRole('button', { name: `Delete key desktop ${RUN}` }).click();
  d = topDialog(page);
  await d.locator('text=/Scripts using this key stop working\\./').waitFor();
  await d.getByRole('button', { name: 'Delete' }).click();
  await page.waitForSelector('.page-alerts >> text=Key deleted.');
  await row2.waitFor({ state: 'detached' });
  assert.equal((await keys()).some((x) => x.id === k.id), false);
  assert.equal((await cc()).status, 401, 'a deleted key no longer works');
  assert.deepEqual(b.problems, []);
});

test('401: a revoked access token is refreshed silently; with everything revoked the login form comes back', async () => {
  const b = await loggedIn('mary@example.com', '/console/organizations', browsers);
  const { page } = b;
  await screenLoaded(page, 'Organizations');
  const t1 = await tokensOf(page);
  // access token revoked: the API answers 401, the console refreshes once and carries on
  await revoke(t1.access_token, 'access_token');
  assert.equal((await get('/api/v1/users/profile', { token: t1.access_token })).status, 401);
  await page.click('.sidenav a:text-is("Studies")');
  await screenLoaded(page, 'Studies');
  await page.locator('table.table').waitFor();
  const t2 = await tokensOf(page);
  assert.notEqual(t2.access_token, t1.access_token);
  assert.notEqual(t2.refresh_token, t1.refresh_token, 'rotated');
  assert.equal(new URL(page.url()).pathname, '/console/studies');

  // the whole family revoked and the server session ended (e.g. an administrator signed the user
  // out): the next call lands on the login form, and logging in returns to the page
  await revoke(t2.refresh_token, 'refresh_token');
  assert.equal((await get('/api/v1/users/profile', { token: t2.access_token })).status, 401);
  const out = await b.context.request.get(`${BASE}/accounts/logout/`, { maxRedirects: 0 });
  assert.ok([302, 303].includes(out.status()), `logout redirects (${out.status()})`);
  const shown = [];
  page.on('framenavigated', async (f) => { if (f === page.mainFrame()) shown.push(new URL(f.url()).pathname); });
  await page.click('.sidenav a:text-is("Patients")');
  await page.waitForURL(/\/accounts\/login\//);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('jhe.tokens')), null, 'the revoked tokens were dropped');
  await shot(page, 'signed-out-login');
  await page.fill('input[name=username]', 'mary@example.com');
  await page.fill('input[name=password]', 'Jhe1234!');
  await Promise.all([page.waitForURL((u) => u.pathname === '/console/patients'), page.click('button[type=submit], input[type=submit]')]);
  await screenLoaded(page, 'Patients');
  assert.ok(shown.includes('/auth/callback'), `went through the callback (${shown})`);
  assert.deepEqual(b.problems, []);
});

test('403: a page the user may no longer see shows "Not allowed" with the server\'s reason', async () => {
  // a second superuser, whose superuser flag an administrator removes while they use the console
  const email = `super-${RUN}@example.com`;
  stack(['admin', 'users', 'create', email, '--superuser', '--practitioner'], { input: 'Jhe1234!\n' });
  const b = await loggedIn(email, '/console/settings', browsers);
  const { page } = b;
  await screenLoaded(page, 'System Settings');
  const id = (await get('/api/v1/users/profile', { token: token(email) })).json.id;
  expectStatus(await patch(`/api/v1/users/${id}`, { isSuperuser: false }, { token: token('admin@example.com') }), 200);
  const direct = await get('/api/v1/audit_events', { token: token(email) });
  assert.equal(direct.status, 403);
  // the menu still offers the superuser pages (the profile is read once per page load); the API says no
  await page.click('.sidenav a:text-is("Audit Log")');
  await page.waitForSelector('#page-title:text-is("Not allowed")');
  const panel = page.locator('.friendly');
  assert.match(await panel.innerText(), /You do not have permission to see this page\./);
  assert.ok((await panel.innerText()).includes(direct.json.detail), `the server detail "${direct.json.detail}" is shown`);
  assert.equal(await page.locator('.page-alerts .alert-error').count(), 0, 'no raw error box');
  await shot(page, 'not-allowed');
  // the way back reloads the profile: the superuser pages are gone from the menu
  await panel.getByRole('link', { name: 'Back to Organizations' }).click();
  await screenLoaded(page, 'Organizations');
  await page.reload();
  await screenLoaded(page, 'Organizations');
  assert.equal(await page.locator('.sidenav a', { hasText: /System Settings|Audit Log/ }).count(), 0);
  assert.deepEqual(b.problems, []);
});

test('keyboard: skip link, the main navigation and the user menu by Tab, dialogs opened with Enter, focus visible', async () => {
  const b = await loggedIn('mary@example.com', '/console/organizations', browsers);
  const { page } = b;
  await screenLoaded(page, 'Organizations');
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    const cs = getComputedStyle(a);
    return { text: (a.getAttribute('aria-label') || a.textContent || '').trim(), tag: a.tagName, outline: cs.outlineStyle, width: cs.outlineWidth };
  });
  await page.locator('body').focus();
  await page.evaluate(() => document.activeElement.blur());
  const seen = [];
  for (let i = 0; i < 14; i += 1) {
    await page.keyboard.press('Tab');
    const f = await focused();
    seen.push(f.text);
    if (f.tag !== 'BODY') assert.notEqual(f.outline, 'none', `focus is visible on "${f.text}"`);
  }
  assert.equal(seen[0], 'Skip to content');
  const order = ['Organizations', 'Patients', 'Studies', 'Observations', 'Clients', 'Data Sources'];
  const idx = order.map((l) => seen.indexOf(l));
  assert.ok(idx.every((i) => i > 0), `every menu entry is reachable by Tab (${seen.join(' | ')})`);
  assert.deepEqual([...idx].sort((x, y) => x - y), idx, 'in menu order');
  assert.ok(seen.some((s) => s.startsWith('User menu for mary@example.com')), 'the user menu is reachable');

  // Enter on a menu entry navigates
  await page.goto(`${BASE}/console/organizations`);
  await screenLoaded(page, 'Organizations');
  await page.locator('.sidenav a:text-is("Patients")').focus();
  await page.keyboard.press('Enter');
  await screenLoaded(page, 'Patients');
  assert.equal(await page.locator('.sidenav a[aria-current=page]').innerText(), 'Patients');
  // Enter on "Add patient" opens the dialog with the focus inside; Escape closes it and returns the focus
  await page.locator('button.add-patient').focus();
  await page.keyboard.press('Enter');
  const d = topDialog(page);
  await d.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.closest('dialog[open]') !== null && document.activeElement.type), 'email');
  // Tab stays inside the modal dialog
  for (let i = 0; i < 6; i += 1) {
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => !!document.activeElement.closest('dialog[open]') || document.activeElement === document.body), 'focus stays in the dialog');
  }
  await page.keyboard.press('Escape');
  await d.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Add patient', 'focus returns to the button');
  // the user menu opens with Enter and Profile is reachable
  await page.locator('.user-menu summary').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Profile');
  await page.keyboard.press('Enter');
  await screenLoaded(page, 'Profile');
  // a tree node's View opens with Enter
  await page.goto(`${BASE}/console/organizations`);
  await screenLoaded(page, 'Organizations');
  await page.getByRole('button', { name: 'View Lifespan Lab', exact: true }).focus();
  await page.keyboard.press('Enter');
  await topDialog(page).locator('h3:text-is("Members")').waitFor();
  await shot(page, 'keyboard-dialog');
  assert.deepEqual(b.problems, []);
});

// Open each screen and its dialogs; every field must have a label.
async function assertLabelled(page, where) {
  await page.waitForLoadState('networkidle');
  const bad = await unlabelledFields(page);
  assert.deepEqual(bad, [], `unlabelled fields on ${where}`);
}
async function openAndCheck(page, buttonName, where, opts = {}) {
  await page.getByRole('button', { name: buttonName, exact: true }).first().click();
  await topDialog(page).waitFor();
  if (opts.then) await opts.then(topDialog(page));
  await assertLabelled(page, where);
  while (await page.locator('dialog[open]').count()) await page.keyboard.press('Escape');
}

test('labels: every input, select and textarea of every screen and dialog is labelled', async () => {
  const m = await loggedIn('mary@example.com', '/console/organizations', browsers);
  const p = m.page;
  await screenLoaded(p, 'Organizations');
  await assertLabelled(p, 'organizations');
  await openAndCheck(p, 'View Lifespan Lab', 'organization view (members)', { then: async (d) => { await d.locator('h3:text-is("Members")').waitFor(); } });
  await p.getByRole('button', { name: 'View Lifespan Lab', exact: true }).click();
  await topDialog(p).getByRole('button', { name: 'Add member' }).click();
  await assertLabelled(p, 'add member');
  while (await p.locator('dialog[open]').count()) await p.keyboard.press('Escape');
  await openAndCheck(p, 'Edit Lifespan Lab', 'organization edit');
  await openAndCheck(p, 'Add sub-organization to Lifespan Lab', 'organization create');

  await p.goto(`${BASE}/console/patients?organizationId=20003&studyId=30001`);
  await screenLoaded(p, 'Patients');
  await assertLabelled(p, 'patients');
  await openAndCheck(p, 'Add patient', 'add patient (email)');
  await openAndCheck(p, 'Add patient', 'add patient (details)', { then: async (d) => {
    await d.getByLabel('Email').fill(`label-${RUN}@example.com`);
    await d.getByRole('button', { name: 'Continue' }).click();
    await d.locator('text=No patient has this email yet').waitFor();
    await d.getByRole('button', { name: 'Add identifier' }).click();
  } });
  await openAndCheck(p, 'Edit Smith, LlPatientPeter', 'patient edit');
  await openAndCheck(p, 'View Smith, LlPatientPeter', 'patient view', { then: async (d) => { await d.locator('h4:text-is("Studies responded to")').waitFor(); } });
  await p.locator('input.row-select').first().check();
  await p.click('button.batch-add');
  await assertLabelled(p, 'add to study');
  await p.keyboard.press('Escape');

  await p.goto(`${BASE}/console/studies?organizationId=20003`);
  await screenLoaded(p, 'Studies');
  await assertLabelled(p, 'studies');
  await openAndCheck(p, 'Create study', 'study create');
  await openAndCheck(p, 'Edit Lifespan Study on BP & HR', 'study edit');
  await openAndCheck(p, 'View Lifespan Study on BP & HR', 'study view', { then: async (d) => { await d.locator('.panel-consents .matrix, .panel-consents p').first().waitFor(); } });

  await p.goto(`${BASE}/console/observations?organizationId=20003&studyId=30001`);
  await screenLoaded(p, 'Observations');
  await assertLabelled(p, 'observations table');
  await p.goto(`${BASE}/console/observations?organizationId=20003&studyId=30001&view=chart`);
  await screenLoaded(p, 'Observations');
  await assertLabelled(p, 'observations chart');
  await p.goto(`${BASE}/console/profile`);
  await screenLoaded(p, 'Profile');
  await assertLabelled(p, 'profile');
  await openAndCheck(p, 'Create key', 'create key');

  expectStatus(await post('/api/v1/oauth_applications', { name: `Label App ${RUN}`, clientId: `label-${RUN}`, redirectUris: ['https://label.example.org/cb'] }, { token: token('admin@example.com') }), 201);
  const a = await loggedIn('admin@example.com', '/console/clients', browsers);
  const q = a.page;
  await screenLoaded(q, 'Clients');
  await assertLabelled(q, 'clients');
  await openAndCheck(q, 'Create client', 'client create');
  await openAndCheck(q, 'Edit CareX', 'client edit');
  await openAndCheck(q, 'View CareX', 'client view', { then: async (d) => { await d.locator('h3:text-is("Data sources")').waitFor(); } });
  await q.goto(`${BASE}/console/data-sources`);
  await screenLoaded(q, 'Data Sources');
  await assertLabelled(q, 'data sources');
  await openAndCheck(q, 'Create data source', 'data source create');
  await openAndCheck(q, 'Edit CareX', 'data source edit');
  await openAndCheck(q, 'View CareX', 'data source view', { then: async (d) => { await d.locator('h3:text-is("Supported scopes")').waitFor(); } });
  await q.goto(`${BASE}/console/practitioners`);
  await screenLoaded(q, 'Practitioners');
  await assertLabelled(q, 'practitioners');
  await openAndCheck(q, 'Add practitioner', 'practitioner add');
  await openAndCheck(q, 'Edit mary@example.com', 'practitioner edit');
  await q.goto(`${BASE}/console/applications`);
  await screenLoaded(q, 'OAuth Applications');
  await assertLabelled(q, 'applications');
  await openAndCheck(q, 'Create application', 'application create');
  await openAndCheck(q, `Edit Label App ${RUN}`, 'application edit');
  await q.goto(`${BASE}/console/settings`);
  await screenLoaded(q, 'System Settings');
  await assertLabelled(q, 'settings');
  await openAndCheck(q, 'Create setting', 'setting create');
  await openAndCheck(q, 'Edit site.url', 'setting edit');
  await q.goto(`${BASE}/console/audit`);
  await screenLoaded(q, 'Audit Log');
  await assertLabelled(q, 'audit');
  assert.deepEqual(m.problems, []);
  assert.deepEqual(a.problems, []);
});

test('tablet width (768 px): every main screen fits, the menu collapses behind a toggle', async () => {
  const b = await loggedIn('admin@example.com', '/console/organizations', browsers);
  const { page } = b;
  await page.setViewportSize({ width: 768, height: 1024 });
  // admin has no memberships: the organization-bound screens are checked as mary below
  const adminRoutes = [['organizations', 'Organizations'], ['clients', 'Clients'], ['data-sources', 'Data Sources'], ['practitioners', 'Practitioners'],
    ['applications', 'OAuth Applications'], ['settings', 'System Settings'], ['audit', 'Audit Log']];
  const m = await loggedIn('mary@example.com', '/console/organizations', browsers);
  await m.page.setViewportSize({ width: 768, height: 1024 });
  const maryRoutes = [['patients?organizationId=20003&studyId=30001', 'Patients'], ['studies?organizationId=20003', 'Studies'],
    ['observations?organizationId=20003&studyId=30001', 'Observations'], ['observations?organizationId=20003&studyId=30001&view=chart', 'Observations'], ['profile', 'Profile']];
  for (const [pg, routes] of [[page, adminRoutes], [m.page, maryRoutes]]) {
    for (const [route, title] of routes) {
      await pg.goto(`${BASE}/console/${route}`);
      await screenLoaded(pg, title);
      const name = route.replace(/\?.*view=chart.*/, '-chart').replace(/\?.*/, '');
      const o = await horizontalOverflow(pg);
      assert.equal(o.docWidth, 768, `${route}: the page does not scroll sideways (${JSON.stringify(o)})`);
      assert.deepEqual(o.offenders, [], `${route}: nothing sticks out (wide tables scroll inside their box)`);
      assert.ok(await pg.locator('.nav-toggle').isVisible(), `${route}: menu toggle`);
      const nav = await pg.locator('.sidenav').boundingBox();
      assert.ok(nav.x + nav.width <= 1, `${route}: the menu is off-screen until opened`);
      const content = await pg.locator('#main').boundingBox();
      assert.ok(content.x < 20 && content.width > 700, `${route}: the content uses the full width (${JSON.stringify(content)})`);
      await shot(pg, `tablet-${name}`);
    }
  }
  // the menu opens over the page, and choosing an entry closes it
  await m.page.click('.nav-toggle');
  await m.page.waitForFunction(() => document.querySelector('.sidenav').getBoundingClientRect().x >= 0);
  assert.equal(await m.page.locator('.nav-toggle').getAttribute('aria-expanded'), 'true');
  await shot(m.page, 'tablet-menu-open');
  await m.page.click('.sidenav a:text-is("Studies")');
  await screenLoaded(m.page, 'Studies');
  await m.page.waitForFunction(() => { const r = document.querySelector('.sidenav').getBoundingClientRect(); return r.x + r.width <= 1; });
  // a dialog fits the tablet width
  await m.page.getByRole('button', { name: 'View Lifespan Study on BP & HR' }).click();
  const d = await topDialog(m.page).boundingBox();
  assert.ok(d.x >= 0 && d.x + d.width <= 768, `the dialog fits (${JSON.stringify(d)})`);
  await shot(m.page, 'tablet-dialog');
  assert.deepEqual(b.problems, []);
  assert.deepEqual(m.problems, []);
});
