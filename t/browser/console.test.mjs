// The web console in headless Chromium against the real stack (console.md; issue 6).
// Scenario: mary logs in through the login form, creates a sub-organization, a study with scope
// requests and a data source, a patient, enrols the patient and generates an invitation link; the
// patient (through the API) redeems it, consents and uploads observations over FHIR; mary sees them
// in the table and the chart. A viewer sees no edit controls; a superuser sees the superuser pages.
// Screenshots of the main screens go to $JHE_ARTIFACTS. Every login goes through the server's login
// form (no injected tokens).
import { test, after } from 'node:test';
import vm from 'node:vm';
import { assert, get, post, req, token, BASE, expectStatus } from '../integration/lib.mjs';
import { launch, close, login, shot, cleanupProfiles } from './lib.mjs';

const RUN = Math.random().toString(36).slice(2, 8);
const have = {};
const browsers = [];
const state = {};

async function newBrowser(opts) {
  const b = await launch(opts);
  browsers.push(b);
  return b;
}


after(async () => {
  for (const b of browsers) await close(b);
  cleanupProfiles();
});

function noProblems(b) {
  assert.deepEqual(b.problems, [], 'no page errors and no CSP violations');
}

// Log in as `email` through the server's login form (console.md §2).
async function signIn(b, email, path = '/console/organizations') {
  await login(b.page, email, 'Jhe1234!', path);
}

async function screenLoaded(page, title) {
  await page.waitForSelector(`#page-title:text-is("${title}")`);
  await page.waitForLoadState('networkidle');
}

// ---------------------------------------------------------------------------------------------
test('home page, console routes and static headers', async () => {
  const home = await get('/');
  expectStatus(home, 200);
  assert.match(home.text.toLowerCase(), /jupyterhealth/);
  assert.match(home.text, /href="\/console\/"[^>]*>Log in</);
  assert.doesNotMatch(home.text, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline scripts on the home page');
  const csp = home.headers.get('content-security-policy') || '';
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /style-src 'self'/);
  assert.equal(home.headers.get('x-frame-options'), 'DENY');
  for (const path of ['/console/', '/console/patients', '/console/studies/deep/link?x=1']) {
    const r = await get(path);
    expectStatus(r, 200);
    assert.match(r.text, /<script type="module" src="\/console\/boot.js">/);
    assert.match(r.headers.get('cache-control') || '', /no-cache/);
  }
  const cb = await get('/auth/callback?code=x&state=y');
  expectStatus(cb, 200);
  assert.match(cb.text, /\/common\/server-settings.js/);
  const old = await get('/clients/jhe-admin/');
  assert.equal(old.status, 301);
  assert.match(old.headers.get('location'), /\/console\/$/);
  // Inline styles or scripts would be blocked by the CSP: none in any HTML file.
  for (const path of ['/', '/console/', '/auth/callback']) {
    const r = await get(path);
    assert.doesNotMatch(r.text, /\sstyle=|<style/i, `${path} has no inline styles`);
  }
});

test('server-settings.js is generated from the server definitions', async () => {
  const r = await get('/common/server-settings.js');
  expectStatus(r, 200);
  const window = { location: { origin: 'https://example.test' } };
  vm.runInNewContext(r.text, { window });
  const { OIDCSettings: o, CONSTANTS: c } = window;
  assert.deepEqual({ ...o }, { authority: 'https://example.test/o/', client_id: 'jhe-admin-ui', redirect_uri: 'https://example.test/auth/callback', scope: 'openid email', response_mode: 'query' });
  const health = await get('/health');
  assert.equal(c.JHE_VERSION, health.json.version);
  assert.equal(c.ORGANIZATION_TOP_LEVEL_PART_OF_ID, 0);
  assert.equal(c.ORGANIZATION_TOP_LEVEL_PART_OF_LABEL, 'None (Top Level Organization)');
  // admin-api.md §2.2, verbatim
  assert.deepEqual(JSON.parse(JSON.stringify(c.ROLE_PERMISSIONS)), {
    super_user: ['organization.manage_for_practitioners', 'organization.create_top_level', 'patient.manage_for_organization', 'study.manage_for_organization', 'client.manage', 'data_source.manage'],
    manager: ['organization.manage_for_practitioners', 'patient.manage_for_organization', 'study.manage_for_organization'],
    member: ['patient.manage_for_organization', 'study.manage_for_organization'],
    viewer: [],
  });
  assert.deepEqual(JSON.parse(JSON.stringify(c.ROLE_LABELS)), { member: 'Member', manager: 'Manager', viewer: 'Viewer' });
  assert.deepEqual(JSON.parse(JSON.stringify(c.DATA_SOURCE_TYPES)), { medical_device: 'Medical Device', personal_device: 'Personal Device', patient_app: 'Patient App' });
  assert.deepEqual(Object.keys(c.JHE_SETTING_VALUE_TYPES), ['string', 'int', 'bool', 'float', 'json']);
  assert.deepEqual([...c.FHIR_RESOURCES], ['Device', 'Group', 'Observation', 'Organization', 'Patient', 'Practitioner']);
  assert.equal(Object.keys(c.ORGANIZATION_TYPES).length, 18);
  assert.equal(c.ORGANIZATION_TYPES.prov, 'Healthcare Provider');
  {
    const types = await get('/api/v1/organizations/types', { token: token('mary@example.com') });
    expectStatus(types, 200);
    assert.deepEqual(Object.entries(c.ORGANIZATION_TYPES), Object.entries(types.json), 'same keys, labels and order as GET /organizations/types');
  }
});

test('sign-in errors are shown and never cause a redirect loop', async () => {
  const b = await newBrowser();
  const { page } = b;
  // A callback whose state does not match this browser session.
  await page.goto(`${BASE}/auth/callback?code=abc&state=not-mine`);
  await page.waitForSelector('text=Sign-in failed');
  assert.match(await page.locator('.alert-error').innerText(), /Sign-in failed: The sign-in response does not match this browser session\./);
  const url = page.url();
  await page.waitForTimeout(800);
  assert.equal(page.url(), url, 'stays on the error page');
  await shot(page, 'sign-in-error');
  // An error returned by the authorization server.
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(`${BASE}/auth/callback?error=access_denied&error_description=Nope.&state=s`);
  await page.waitForSelector('text=Sign-in failed: Nope.');
  // Try again clears the error and restarts the flow at the login form.
  {
    await page.click('text=Try again');
    await page.waitForURL(/\/accounts\/login\//);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('jhe.authError')), null);
    const signin = JSON.parse(await page.evaluate(() => sessionStorage.getItem('jhe.signin')));
    assert.match(signin.verifier, /^[A-Za-z0-9_-]{43}$/);
    assert.match(decodeURIComponent(page.url()), /code_challenge_method=S256/);
  }
  noProblems(b);
});

test('log in through the server\'s login form (authorization code + PKCE), ID token checked, tokens in sessionStorage', async (t) => {
  const b = await newBrowser();
  const { page } = b;
  const authz = [];
  page.on('request', (r) => { if (r.url().includes('/o/authorize/')) authz.push(new URL(r.url())); });
  let loginPost = null;
  page.on('response', async (r) => {
    if (r.request().method() === 'POST' && r.url().includes('/accounts/login/')) loginPost = { status: r.status(), origin: (await r.request().allHeaders()).origin };
  });
  await login(page, 'mary@example.com', 'Jhe1234!', '/console/patients?pageSize=100');
  // The login page's Referrer-Policy (same-origin) makes Chromium send the real Origin with the
  // form POST (under no-referrer it sent "Origin: null", which the server refuses).
  assert.equal(loginPost?.origin, BASE, 'the login POST carries the site origin');
  assert.ok([302, 303].includes(loginPost?.status), `the login POST redirects back to /o/authorize/ (got ${loginPost?.status})`);
  assert.equal(new URL(page.url()).pathname, '/console/patients', 'back on the page the flow started from');
  const q = authz[0].searchParams;
  assert.equal(q.get('client_id'), 'jhe-admin-ui');
  assert.equal(q.get('redirect_uri'), `${BASE}/auth/callback`);
  assert.equal(q.get('scope'), 'openid email');
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(q.get('state'), /^[A-Za-z0-9_-]{22}$/);
  const tokens = JSON.parse(await page.evaluate(() => sessionStorage.getItem('jhe.tokens')));
  assert.ok(tokens.access_token && tokens.refresh_token && tokens.id_token);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('jhe.signin')), null);
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing in localStorage');
  assert.equal(await page.locator('.topbar .user-email').innerText(), 'mary@example.com');
  // An expired access token is refreshed (rotation: the refresh token changes).
  await page.evaluate(() => { const x = JSON.parse(sessionStorage.getItem('jhe.tokens')); x.expires_at = Date.now() + 60e3; sessionStorage.setItem('jhe.tokens', JSON.stringify(x)); });
  await page.click('.sidenav a:text-is("Studies")');
  await page.waitForSelector('#page-title:text-is("Studies")');
  await page.waitForLoadState('networkidle');
  const after = JSON.parse(await page.evaluate(() => sessionStorage.getItem('jhe.tokens')));
  assert.notEqual(after.refresh_token, tokens.refresh_token, 'refreshed with rotation');
  assert.equal((await get('/api/v1/users/profile', { token: after.access_token })).status, 200);
  // A new tab of the same browser signs in without the password while the server session lasts.
  const tab = await b.context.newPage();
  await tab.goto(`${BASE}/console/organizations`);
  await tab.waitForSelector('.topbar .user-email');
  await tab.close();
  // Log out: tokens revoked, storage cleared, back on the home page.
  await page.click('.user-menu summary');
  await Promise.all([page.waitForURL(`${BASE}/`), page.click('button.menu-logout')]);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.equal((await get('/api/v1/users/profile', { token: after.access_token })).status, 401, 'the access token was revoked');
  await page.goto(`${BASE}/console/organizations`);
  await page.waitForURL(/\/accounts\/login\//);
  noProblems(b);
});

// ---------------------------------------------------------------------------------------------
test('mary: organization, study, patient, invitation; the patient consents and uploads; data in table and chart', async (t) => {
  const b = await newBrowser();
  const { page } = b;
  await signIn(b, 'mary@example.com', '/console/organizations');
  await screenLoaded(page, 'Organizations');
  await page.waitForSelector('.tree-node[data-org-id="20003"]');
  await shot(page, 'organizations');

  // --- sub-organization under Lifespan Lab
  const lab = page.locator('.tree-node[data-org-id="20003"] > .tree-row');
  await lab.getByRole('button', { name: 'Add sub-organization to Lifespan Lab' }).click();
  const dlg = page.locator('dialog[open]');
  await dlg.getByRole('button', { name: 'Create' }).click();
  await dlg.locator('text=Name is required.').waitFor();
  await dlg.locator('text=Type is required.').waitFor();
  const orgName = `Console Lab ${RUN}`;
  await dlg.getByLabel('Name').fill(orgName);
  await dlg.getByLabel('Type').selectOption('laboratory');
  await dlg.getByRole('button', { name: 'Create' }).click();
  await page.waitForSelector(`.tree-name:text-is("${orgName}")`);
  const orgNode = page.locator('.tree-node', { has: page.locator(`.tree-name:text-is("${orgName}")`) }).last();
  const orgId = await orgNode.getAttribute('data-org-id');
  assert.match(orgId, /^\d+$/);
  assert.match(await orgNode.locator('.chip').first().innerText(), /Manager/, 'the creator manages the new organization');
  state.orgId = orgId;

  // --- study with scope requests, a data source and an app
  await page.goto(`${BASE}/console/studies?organizationId=${orgId}`);
  await screenLoaded(page, 'Studies');
  await page.click('button.create-study');
  const sd = page.locator('dialog[open]');
  await sd.getByLabel('Name').fill(`Console Study ${RUN}`);
  await sd.getByLabel('Description').fill('Heart rate and blood pressure from wearables');
  await sd.getByLabel('Icon URL').fill('http://insecure.example/icon.png');
  await sd.getByRole('button', { name: 'Create' }).click();
  await sd.locator('text=Icon URL must be an https URL.').waitFor();
  await sd.getByLabel('Icon URL').fill('');
  await sd.getByRole('button', { name: 'Create' }).click();
  await page.waitForSelector('dialog[open] .panel-scopes select');
  const view = page.locator('dialog[open]');
  const studyId = new URL(page.url()).searchParams.get('id');
  assert.match(studyId || '', /^\d+$/, 'the view dialog is in the URL');
  state.studyId = studyId;
  for (const scope of ['Heart Rate', 'Blood pressure']) {
    await view.locator('.panel-scopes select').selectOption({ label: scope });
    await view.locator('button.add-scope').click();
    await view.locator(`.panel-scopes td:text-is("${scope}")`).waitFor();
  }
  await view.locator('.panel-sources select').selectOption({ label: 'CareX' });
  await view.locator('button.add-dataSourceId').click();
  await view.locator('.panel-sources li', { hasText: 'CareX' }).waitFor();
  await view.locator('.panel-clients select').selectOption({ label: 'CareX (carex)' });
  await view.locator('button.add-clientId').click();
  await view.locator('.panel-clients li', { hasText: 'CareX' }).waitFor();
  await shot(page, 'study-view');
  await page.keyboard.press('Escape');

  // --- patient (find or create), enrolment
  await page.goto(`${BASE}/console/patients?organizationId=${orgId}&studyId=`);
  await screenLoaded(page, 'Patients');
  await page.click('button.add-patient');
  const pd = page.locator('dialog[open]');
  const email = `console.patient.${RUN}@example.com`;
  await pd.getByLabel('Email').fill('not-an-email');
  await pd.getByRole('button', { name: 'Continue' }).click();
  await pd.locator('text=Enter a valid email address.').waitFor();
  await pd.getByLabel('Email').fill(email);
  await pd.getByRole('button', { name: 'Continue' }).click();
  await pd.locator('text=No patient has this email yet').waitFor();
  await pd.getByLabel('Family name').fill('Console');
  await pd.getByLabel('Given name').fill(`Carla${RUN}`);
  await pd.getByLabel('Date of birth').fill('1990-05-17');
  await pd.getByLabel('Phone').fill('abc');
  await pd.getByRole('button', { name: 'Create patient' }).click();
  await pd.locator('text=Enter a valid phone number.').waitFor();
  await pd.getByLabel('Phone').fill('+1 555 010 2000');
  await pd.getByRole('button', { name: 'Add identifier' }).click();
  await pd.getByLabel('Identifier system').fill('urn:oid:1.2.3.4');
  await pd.getByRole('button', { name: 'Create patient' }).click();
  await pd.locator('text=Each identifier needs a system and a value.').waitFor();
  await pd.getByLabel('Identifier value').fill(`C-${RUN}`);
  await pd.getByRole('button', { name: 'Create patient' }).click();
  await page.waitForSelector(`td:text-is("${email}")`);
  const row = page.locator('tr', { has: page.locator(`td:text-is("${email}")`) });
  const patientId = (await row.locator('td').nth(1).innerText()).trim();
  assert.match(patientId, /^\d+$/);
  state.patientId = patientId;
  assert.match(await row.innerText(), new RegExp(`urn:oid:1.2.3.4\\|C-${RUN}`));
  await row.locator('input.row-select').check();
  await page.click('button.batch-add');
  const ed = page.locator('dialog[open]');
  await ed.getByLabel('Study').selectOption(studyId);
  await ed.getByRole('button', { name: 'Add to study' }).click();
  await page.waitForSelector('text=1 patient was enrolled in the study.');
  assert.equal(new URL(page.url()).searchParams.get('studyId'), studyId, 'the table is filtered by the study');
  await page.waitForSelector(`td:text-is("${email}")`);
  await shot(page, 'patients');

  // --- view the patient: pending consents, apps, invitation link
  await page.locator('tr', { has: page.locator(`td:text-is("${email}")`) }).getByRole('button', { name: /^View/ }).click();
  const vd = page.locator('dialog[open]');
  await vd.locator('h4:text-is("Studies pending response")').waitFor();
  await vd.locator('.consent-study', { hasText: `Console Study ${RUN}` }).first().waitFor();
  await vd.locator('button.generate-invitation').first().click();
  const link = (await page.locator('dialog[open] .invitation-link').innerText()).trim();
  assert.match(link, /^https:\/\/carex\.ai\/invitation\/.+_[A-Za-z0-9]{32}$/);
  await page.locator('dialog[open]').locator('text=This link is shown only once.').waitFor();
  await shot(page, 'invitation');
  await page.keyboard.press('Escape');
  await vd.locator('td:text-is("Issued")').waitFor();
  await page.keyboard.press('Escape');
  state.link = link;

  // --- the patient, through the API: redeem, token, consent, upload
  await t.test('the patient redeems, consents and uploads', async () => {
    const code = decodeURIComponent(link.split('/invitation/')[1]);
    const inviteToken = code.slice(code.lastIndexOf('_') + 1);
    const red = await post(`/api/v1/invitation/${inviteToken}`);
    expectStatus(red, 200);
    const verifier = Buffer.from(inviteToken).toString('base64url');
    const tok = await req('POST', '/o/token/', { body: new URLSearchParams({ grant_type: 'authorization_code', code: red.json.grant.code, redirect_uri: red.json.grant.redirect_uri, client_id: red.json.grant.client_id, code_verifier: verifier }) });
    expectStatus(tok, 200);
    const pt = tok.json.access_token;
    const consents = await get(`/api/v1/patients/${patientId}/consents`, { token: pt });
    expectStatus(consents, 200);
    const pending = consents.json.studiesPendingConsent.find((s) => String(s.id) === studyId);
    assert.ok(pending, 'the study is pending');
    const c = await post(`/api/v1/patients/${patientId}/consents`, {
      study_scope_consents: [{ study_id: Number(studyId), scope_consents: pending.pendingScopeConsents.map((sc) => ({ coding_system: sc.code.codingSystem, coding_code: sc.code.codingCode, consented: sc.code.codingCode === 'omh:heart-rate:2.0' })) }],
    }, { token: pt });
    expectStatus(c, 201);
    const entries = [];
    const now = Date.now();
    for (let i = 0; i < 24; i += 1) {
      const at = new Date(now - (i + 1) * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
      const uuid = crypto.randomUUID();
      const omh = { header: { uuid, schema_id: { namespace: 'omh', name: 'heart-rate', version: '2.0' }, source_creation_date_time: at, modality: 'sensed' },
        body: { heart_rate: { value: 60 + (i % 6) * 5, unit: 'beats/min' }, effective_time_frame: { date_time: at } } };
      entries.push({ resource: { resourceType: 'Observation', status: 'final', identifier: [{ system: 'urn:console-test', value: uuid }],
        code: { coding: [{ system: 'https://w3id.org/openmhealth', code: 'omh:heart-rate:2.0' }] },
        subject: { reference: `Patient/${patientId}` }, device: { reference: 'Device/70001' },
        valueAttachment: { contentType: 'application/json', data: Buffer.from(JSON.stringify(omh)).toString('base64') } },
      request: { method: 'POST', url: 'Observation' } });
    }
    const up = await req('POST', '/FHIR/R5/', { token: pt, body: JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: entries }), headers: { 'Content-Type': 'application/fhir+json' } });
    expectStatus(up, 200);
    assert.equal(up.json.entry.filter((e) => e.response.status === '201 Created').length, 24, up.text.slice(0, 400));
    state.uploaded = 24;
  });

  // --- back in the console: table, raw JSON, chart, consent overview
  await t.test('mary sees the data in the table and the chart', async () => {
    await page.goto(`${BASE}/console/observations?organizationId=${orgId}&studyId=${studyId}`);
    await screenLoaded(page, 'Observations');
    await page.waitForSelector('text=24 items');
    const first = page.locator('table tbody tr').first();
    assert.match(await first.innerText(), /Heart Rate/);
    await first.locator('summary:text-is("Show JSON")').click();
    assert.match(await first.locator('pre.json').innerText(), /"heart_rate"/);
    await shot(page, 'observations-table');
    await page.click('button.view-chart');
    await page.waitForSelector('.chart-box svg path.series-0');
    assert.equal(new URL(page.url()).searchParams.get('view'), 'chart');
    assert.match(await page.locator('.chart-count').innerText(), /^24 points/);
    assert.match(await page.locator('.chart-title').innerText(), /Heart Rate/);
    assert.match(await page.locator('.axis-y').textContent(), /beats\/min/);
    // hover tooltip with value and time
    const box = await page.locator('.chart-overlay').boundingBox();
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    assert.match(await page.locator('.chart-tooltip').innerText(), /\d+ beats\/min — /);
    await page.locator('button.chart-table-toggle').click();
    assert.equal(await page.locator('.chart-table tbody tr').count(), 24);
    await page.getByLabel('Time range').selectOption('day');
    await page.waitForSelector('.chart-box svg path.series-0');
    assert.match(await page.locator('.chart-count').innerText(), /^2[34] points/);
    await shot(page, 'observations-chart');
    // consent overview of the study: the patient granted heart rate, declined blood pressure
    await page.goto(`${BASE}/console/studies?organizationId=${orgId}&dialog=read&id=${studyId}`);
    const ov = page.locator('dialog[open] .panel-consents');
    await ov.locator('.matrix').waitFor();
    const r = ov.locator('tr', { hasText: patientId });
    assert.match(await r.innerText(), /Granted/);
    assert.match(await r.innerText(), /Declined/);
    await ov.scrollIntoViewIfNeeded();
    await shot(page, 'consent-overview');
  });
  noProblems(b);
});

test('viewer_victor sees no edit controls', async (t) => {
  const b = await newBrowser();
  const { page } = b;
  await signIn(b, 'viewer_victor@example.com', '/console/organizations');
  await screenLoaded(page, 'Organizations');
  await page.waitForSelector('.tree-node[data-org-id="20003"]');
  assert.equal(await page.locator('button', { hasText: /Add sub-organization|^Edit$|^Delete$/ }).count(), 0);
  assert.match(await page.locator('.tree-node[data-org-id="20003"] .chip').first().innerText(), /Viewer/);
  await page.goto(`${BASE}/console/patients?organizationId=20003&studyId=`);
  await screenLoaded(page, 'Patients');
  await page.waitForSelector('td:text-is("40001")');
  assert.equal(await page.locator('button.add-patient, input.row-select, button.batch-add').count(), 0);
  assert.equal(await page.getByRole('button', { name: /^(Edit|Remove) / }).count(), 0);
  await page.getByRole('button', { name: /^View Smith/ }).click();
  await page.locator('dialog[open] h4:text-is("Studies responded to")').waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.locator('dialog[open] button', { hasText: /Record|Change to|Withdraw|Generate invitation|^Cancel$/ }).count(), 0);
  await shot(page, 'viewer-patient');
  await page.keyboard.press('Escape');
  await page.goto(`${BASE}/console/studies?organizationId=20003`);
  await screenLoaded(page, 'Studies');
  assert.equal(await page.locator('button.create-study').count(), 0);
  assert.equal(await page.getByRole('button', { name: /^(Edit|Delete) / }).count(), 0);
  await page.goto(`${BASE}/console/observations?organizationId=20003&studyId=30001`);
  await screenLoaded(page, 'Observations');
  await page.waitForSelector('table tbody tr');
  assert.equal(await page.getByRole('button', { name: /^Delete observation/ }).count(), 0);
  await page.goto(`${BASE}/console/clients`);
  await screenLoaded(page, 'Clients');
  assert.equal(await page.locator('button', { hasText: /Create client|^Edit$|^Delete$/ }).count(), 0);
  // no superuser pages in the menu; their URLs fall back to Organizations
  assert.equal(await page.locator('.sidenav a', { hasText: /Practitioners|System Settings|Audit Log|OAuth Applications/ }).count(), 0);
  await page.goto(`${BASE}/console/settings`);
  await screenLoaded(page, 'Organizations');
  noProblems(b);
});

test('admin@example.com sees Practitioners, System Settings, OAuth Applications and the Audit Log', async (t) => {
  const b = await newBrowser();
  const { page } = b;
  await signIn(b, 'admin@example.com', '/console/organizations');
  await screenLoaded(page, 'Organizations');
  await page.waitForSelector('button:text-is("Create top-level organization")');
  for (const label of ['Practitioners', 'OAuth Applications', 'System Settings', 'Audit Log']) {
    assert.equal(await page.locator('.sidenav a', { hasText: label }).count(), 1, `${label} in the menu`);
  }
  await page.click('.sidenav a:text-is("Practitioners")');
  await screenLoaded(page, 'Practitioners');
  await page.waitForSelector('td:text-is("manager_mary@example.com")');
  await shot(page, 'practitioners');
  await page.click('button.add-practitioner');
  await page.locator('dialog[open]').getByRole('button', { name: 'Add' }).click();
  await page.locator('dialog[open] >> text=Email is required.').waitFor();
  await page.keyboard.press('Escape');
  await page.click('.sidenav a:text-is("System Settings")');
  await screenLoaded(page, 'System Settings');
  await page.waitForSelector('.setting-key:text-is("site.url")');
  await page.waitForSelector('.setting-key:text-is("auth.default_orgs")');
  await shot(page, 'settings');
  // json settings are edited as parsed JSON
  await page.getByRole('button', { name: 'Create setting' }).click();
  const sd = page.locator('dialog[open]');
  await sd.getByLabel('Key').fill(`console.test.${RUN}`);
  await sd.getByLabel('Value type').selectOption('json');
  await sd.getByLabel('Value (JSON)').fill('{"a": [1, 2');
  await sd.getByRole('button', { name: 'Create' }).click();
  await sd.locator('text=Value must be valid JSON.').waitFor();
  await sd.getByLabel('Value (JSON)').fill('{"a": [1, 2]}');
  await sd.getByRole('button', { name: 'Create' }).click();
  await page.waitForSelector(`.setting-key:text-is("console.test.${RUN}")`);
  const setting = (await get('/api/v1/jhe_settings?pageSize=1000', { token: token('admin@example.com') })).json.results.find((s) => s.key === `console.test.${RUN}`);
  assert.deepEqual(setting.resolvedValue, { a: [1, 2] });
  await page.click('.sidenav a:text-is("OAuth Applications")');
  await screenLoaded(page, 'OAuth Applications');
  await shot(page, 'applications');
  await page.click('.sidenav a:text-is("Audit Log")');
  await screenLoaded(page, 'Audit Log');
  await page.waitForSelector('table tbody tr');
  await shot(page, 'audit');
  await page.click('.sidenav a:text-is("Data Sources")');
  await screenLoaded(page, 'Data Sources');
  await page.waitForSelector('td:text-is("CareX")');
  await shot(page, 'data-sources');
  await page.click('.sidenav a:text-is("Clients")');
  await screenLoaded(page, 'Clients');
  await page.waitForSelector('td:text-is("carex")');
  await shot(page, 'clients');
  noProblems(b);
});

test('profile, paging and sticky selection; tablet width', async (t) => {
  const b = await newBrowser();
  const { page } = b;
  await signIn(b, 'manager_mary@example.com', '/console/patients');
  await screenLoaded(page, 'Patients');
  // sticky organization and study from the profile (seed: 20003 / 30001)
  assert.equal(await page.getByLabel('Organization').inputValue(), '20003');
  assert.equal(await page.getByLabel('Study').inputValue(), '30001');
  await page.getByLabel('Per page').selectOption('100');
  await page.waitForURL(/pageSize=100/);
  await page.goBack();
  await page.waitForURL((u) => !u.search.includes('pageSize=100'));
  await page.click('.user-menu summary');
  await page.click('.user-menu-list a:text-is("Profile")');
  await screenLoaded(page, 'Profile');
  await page.waitForSelector('td:text-is("Lifespan Lab")');
  await shot(page, 'profile');
  await page.setViewportSize({ width: 800, height: 1000 });
  await page.goto(`${BASE}/console/organizations`);
  await screenLoaded(page, 'Organizations');
  assert.ok(await page.locator('.nav-toggle').isVisible(), 'the menu collapses at tablet width');
  await page.click('.nav-toggle');
  await page.waitForSelector('.sidenav a:text-is("Patients")', { state: 'visible' });
  await shot(page, 'tablet');
  noProblems(b);
});
