// Console: patients (edit, remove from the organization), consents recorded on the patient's behalf,
// invitation cancel, the step-count bar chart, and paging with every page size (console.md §5.2, §5.4,
// §3), as mary@example.com through the real login form. Changes are checked through the API.
import { test, before, after } from 'node:test';
import { assert, get, post, req, token, expectStatus } from '../integration/lib.mjs';
import { close, cleanupProfiles, shot, loggedIn, screenLoaded, topDialog } from './lib.mjs';

const RUN = Math.random().toString(36).slice(2, 8);
const browsers = [];
const mary = () => token('mary@example.com');
const fx = {};

async function ok(method, path, body, status) {
  const r = await req(method, path, { token: mary(), body });
  expectStatus(r, status);
  return r.json;
}

before(async () => {
  // A study of Lifespan Lab requesting heart rate and step count, with the CareX app.
  fx.study = await ok('POST', '/api/v1/studies', { name: `Steps Study ${RUN}`, description: 'Step counts', organization: 20003 }, 201);
  for (const scopeCodeId of [50004, 50013]) await ok('POST', `/api/v1/studies/${fx.study.id}/scope_requests`, { scopeCodeId }, 201);
  await ok('POST', `/api/v1/studies/${fx.study.id}/data_sources`, { dataSourceId: 70001 }, 201);
  await ok('POST', `/api/v1/studies/${fx.study.id}/clients`, { clientId: 1 }, 201);
  fx.patient = await ok('POST', '/api/v1/patients', { organizationId: 20003, telecomEmail: `walker-${RUN}@example.com`, nameFamily: 'Walker', nameGiven: `Wendy${RUN}` }, 201);
  await ok('POST', `/api/v1/studies/${fx.study.id}/patients`, { patientIds: [fx.patient.id] }, 201);
  fx.other = await ok('POST', '/api/v1/patients', { organizationId: 20003, telecomEmail: `editme-${RUN}@example.com`, nameFamily: 'Editme', nameGiven: `Eddie${RUN}`, telecomPhone: '+1 555 010 3000' }, 201);
  await ok('POST', `/api/v1/studies/${fx.study.id}/patients`, { patientIds: [fx.other.id] }, 201);
});
after(async () => { for (const b of browsers) await close(b); cleanupProfiles(); });

test('edit a patient (validation, identifiers replaced) and remove them from the organization', async () => {
  const b = await loggedIn('mary@example.com', `/console/patients?organizationId=20003&studyId=${fx.study.id}`, browsers);
  const { page } = b;
  await screenLoaded(page, 'Patients');
  const name = `Editme, Eddie${RUN}`;
  await page.getByRole('button', { name: `Edit ${name}`, exact: true }).click();
  const d = topDialog(page);
  assert.equal(new URL(page.url()).searchParams.get('dialog'), 'update');
  assert.equal(await d.getByLabel('Family name').inputValue(), 'Editme');
  await d.getByLabel('Family name').fill('Edited');
  await d.getByLabel('Phone').fill('12');
  await d.getByLabel('Date of birth').fill('2999-01-01');
  await d.getByRole('button', { name: 'Save' }).click();
  await d.locator('text=Enter a valid phone number.').waitFor();
  await d.locator('text=The date of birth cannot be in the future.').waitFor();
  await d.getByLabel('Phone').fill('+1 555 010 3001');
  await d.getByLabel('Date of birth').fill('1970-01-02');
  await d.getByRole('button', { name: 'Add identifier' }).click();
  await d.getByLabel('Identifier system').fill('urn:console');
  await d.getByLabel('Identifier value').fill(`E-${RUN}`);
  await shot(page, 'patient-edit');
  await d.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.page-alerts >> text=Patient saved.');
  // the list re-renders after the notice; until then the row shows the old name
  const row = page.locator('tr', { has: page.locator(`td:text-is("${fx.other.id}")`), hasText: 'Edited' });
  assert.match(await row.innerText(), new RegExp(`Edited\\s+Eddie${RUN}\\s+1970-01-02`));
  assert.match(await row.innerText(), new RegExp(`urn:console\\|E-${RUN}`));
  const p = (await get(`/api/v1/patients/${fx.other.id}`, { token: mary() })).json;
  assert.equal(p.nameFamily, 'Edited');
  assert.equal(p.birthDate, '1970-01-02');
  assert.equal(p.telecomPhone, '+1 555 010 3001');
  assert.deepEqual(p.identifiers.map((i) => `${i.system}|${i.value}`), [`urn:console|E-${RUN}`]);

  // remove from Lifespan Lab (their only organization: the patient is deleted)
  await row.getByRole('button', { name: `Remove Edited, Eddie${RUN}` }).click();
  const c = topDialog(page);
  await c.locator(`text=Remove Edited, Eddie${RUN} from Lifespan Lab? Their consents and enrolments in this organization's studies are deleted; if this is their last organization, the patient and all their data are deleted.`).waitFor();
  await c.getByRole('button', { name: 'Remove' }).click();
  await page.waitForSelector(`.page-alerts >> text=Edited, Eddie${RUN} removed from Lifespan Lab.`);
  await row.waitFor({ state: 'detached' });
  assert.equal((await get(`/api/v1/patients/${fx.other.id}`, { token: mary() })).status, 404);
  assert.deepEqual(b.problems, []);
});

test('consent recorded, changed and withdrawn on the patient\'s behalf; an invitation cancelled', async () => {
  const b = await loggedIn('mary@example.com', `/console/patients?organizationId=20003&studyId=${fx.study.id}&dialog=read&id=${fx.patient.id}`, browsers);
  const { page } = b;
  const v = topDialog(page);
  const study = v.locator('.consent-study', { hasText: `Steps Study ${RUN}` });
  await v.locator('h4:text-is("Studies pending response")').waitFor();
  await study.first().waitFor();
  const consents = async () => (await get(`/api/v1/patients/${fx.patient.id}/consents`, { token: mary() })).json;
  const scopeRow = (text) => v.locator('.consent-study', { hasText: `Steps Study ${RUN}` }).locator('tr', { has: page.locator(`td:text-is("${text}")`) });

  // record consent for step count (POST)
  await scopeRow('Step count').getByRole('button', { name: 'Record consent' }).click();
  let c = topDialog(page);
  await c.locator(`text=Record consent "Step count" for the study "Steps Study ${RUN}" on behalf of Walker, Wendy${RUN}?`).waitFor();
  await c.locator('text=The change takes effect for data access immediately.').waitFor();
  await c.getByRole('button', { name: 'Record consent' }).click();
  await v.locator('.dialog-banner >> text=Consent updated.').waitFor();
  await v.locator('h4:text-is("Studies responded to") + .consent-study, h4:text-is("Studies responded to") ~ .consent-study').first().waitFor();
  await page.waitForLoadState('networkidle');
  let s = (await consents()).studies.find((x) => x.id === fx.study.id);
  assert.equal(s.scopeConsents.find((x) => x.code.codingCode === 'omh:step-count:3.0').consented, true);

  // record a decline for heart rate (POST false), then change it to granted (PATCH), then withdraw (DELETE)
  await scopeRow('Heart Rate').getByRole('button', { name: 'Record decline' }).click();
  await topDialog(page).getByRole('button', { name: 'Record decline' }).click();
  await scopeRow('Heart Rate').locator('text=✗ Declined').waitFor();
  s = (await consents()).studies.find((x) => x.id === fx.study.id);
  assert.equal(s.scopeConsents.find((x) => x.code.codingCode === 'omh:heart-rate:2.0').consented, false);
  await shot(page, 'patient-consents');
  await scopeRow('Heart Rate').getByRole('button', { name: 'Change to granted' }).click();
  await topDialog(page).getByRole('button', { name: 'Change to granted' }).click();
  await scopeRow('Heart Rate').locator('text=✓ Granted').waitFor();
  s = (await consents()).studies.find((x) => x.id === fx.study.id);
  assert.equal(s.scopeConsents.find((x) => x.code.codingCode === 'omh:heart-rate:2.0').consented, true);
  await scopeRow('Heart Rate').getByRole('button', { name: 'Withdraw record' }).click();
  c = topDialog(page);
  await c.getByRole('button', { name: 'Withdraw record' }).click();
  // the console shows "Pending" once the DELETE has answered; only then ask the API
  await scopeRow('Heart Rate').locator('text=… Pending').waitFor();
  const after = await consents();
  const pending = after.studiesPendingConsent.find((x) => x.id === fx.study.id);
  assert.deepEqual(pending?.pendingScopeConsents.map((x) => x.code.codingCode), ['omh:heart-rate:2.0'], 'heart rate is pending again');

  // invitations: generate, then cancel; the link stops working
  await v.locator('button.generate-invitation').first().click();
  const link = (await topDialog(page).locator('.invitation-link').innerText()).trim();
  await page.keyboard.press('Escape');
  const inv = v.locator('.client-invitations', { hasText: 'CareX' });
  await inv.locator('td:text-is("Issued")').waitFor();
  await inv.getByRole('button', { name: 'Cancel' }).first().click();
  c = topDialog(page);
  await c.locator('text=The link stops working.').waitFor();
  await c.getByRole('button', { name: 'Cancel invitation' }).click();
  await v.locator('.dialog-banner >> text=Invitation cancelled.').waitFor();
  await inv.locator('td:text-is("Cancelled")').waitFor();
  assert.equal(await inv.locator('tr', { has: page.locator('td:text-is("Cancelled")') }).getByRole('button', { name: 'Cancel' }).count(), 0, 'a cancelled invitation has no Cancel button');
  await shot(page, 'invitation-cancelled');
  const code = decodeURIComponent(link.split('/invitation/')[1]);
  const redeem = await post(`/api/v1/invitation/${code.slice(code.lastIndexOf('_') + 1)}`);
  assert.notEqual(redeem.status, 200, 'a cancelled invitation cannot be redeemed');
  const list = (await get(`/api/v1/invitation?patientId=${fx.patient.id}`, { token: mary() })).json.results;
  assert.equal(list[0].status, 'cancelled');
  assert.deepEqual(b.problems, []);
});

test('step counts are drawn as interval bars', async () => {
  // The step-count consent was recorded in the previous test; mary (a manager of the patient's
  // organization) uploads six hourly intervals over FHIR.
  const day = new Date(Date.now() - 86400e3);
  day.setUTCMinutes(0, 0, 0);
  const values = [1200, 0, 3400, 560, 7800, 2500];
  for (let i = 0; i < values.length; i += 1) {
    const start = new Date(day.getTime() + i * 2 * 3600e3);
    const end = new Date(start.getTime() + 3600e3);
    const omh = { header: { uuid: crypto.randomUUID(), schema_id: { namespace: 'omh', name: 'step-count', version: '3.0' }, source_creation_date_time: end.toISOString(), modality: 'sensed' },
      body: { step_count: { value: values[i], unit: 'steps' }, effective_time_frame: { time_interval: { start_date_time: start.toISOString(), end_date_time: end.toISOString() } } } };
    const r = await req('POST', '/FHIR/R5/Observation', { token: mary(), headers: { 'Content-Type': 'application/fhir+json' }, body: JSON.stringify({
      resourceType: 'Observation', status: 'final', identifier: [{ system: 'urn:console-steps', value: `${RUN}-${i}` }],
      code: { coding: [{ system: 'https://w3id.org/openmhealth', code: 'omh:step-count:3.0' }] },
      subject: { reference: `Patient/${fx.patient.id}` }, device: { reference: 'Device/70001' },
      valueAttachment: { contentType: 'application/json', data: Buffer.from(JSON.stringify(omh)).toString('base64') } }) });
    expectStatus(r, 201);
  }
  const b = await loggedIn('mary@example.com', `/console/observations?organizationId=20003&studyId=${fx.study.id}&view=chart&patientId=${fx.patient.id}&scope=50013`, browsers);
  const { page } = b;
  await screenLoaded(page, 'Observations');
  await page.waitForSelector('.chart-box svg rect.bar-0');
  assert.equal(await page.locator('.chart-box svg rect.bar-0').count(), 6);
  assert.equal(await page.locator('.chart-box svg path.series-0').count(), 0, 'bars, not a line');
  assert.match(await page.locator('.chart-count').innerText(), /^6 points/);
  assert.match(await page.locator('.chart-title').innerText(), new RegExp(`Step count — Walker, Wendy${RUN}`));
  assert.match(await page.locator('.axis-y').textContent(), /steps/);
  // each bar spans its one-hour interval: equal widths, and the gaps between bars are as wide as the bars
  const rects = await page.locator('.chart-box svg rect.bar-0').evaluateAll((els) => els.map((e) => ({ x: Number(e.getAttribute('x')), w: Number(e.getAttribute('width')), h: Number(e.getAttribute('height')) })));
  rects.sort((a, b2) => a.x - b2.x);
  const w = rects[0].w;
  assert.ok(w > 5, `bars have a width (${w})`);
  for (const r of rects) assert.ok(Math.abs(r.w - w) < 1, 'equal widths for equal intervals');
  for (let i = 1; i < rects.length; i += 1) assert.ok(Math.abs((rects[i].x - rects[i - 1].x) - 2 * (w + 0.5)) < 2, 'bars start two hours apart');
  // heights proportional to the values (the 0-step interval has no height)
  const hs = rects.map((r) => r.h);
  assert.equal(hs[1], 0);
  assert.ok(Math.abs(hs[4] / hs[2] - 7800 / 3400) < 0.02, `heights follow values (${hs})`);
  // keyboard: focus the chart, End shows the last interval with its end time
  await page.locator('.chart-overlay').focus();
  await page.keyboard.press('End');
  assert.match(await page.locator('.chart-tooltip').innerText(), /^2500 steps — .+ to .+/);
  await page.keyboard.press('Home');
  assert.match(await page.locator('.chart-tooltip').innerText(), /^1200 steps — /);
  await page.locator('button.chart-table-toggle').click();
  const trows = page.locator('.chart-table tbody tr');
  assert.equal(await trows.count(), 6);
  assert.match(await trows.first().innerText(), / – /, 'intervals are listed with their end');
  await shot(page, 'observations-steps-chart');
  assert.deepEqual(b.problems, []);
});

test('paging: 20 per page, next/previous, and page sizes 100, 500, 1000 on a list of 25 patients', async () => {
  const org = await ok('POST', '/api/v1/organizations', { name: `Paging Org ${RUN}`, type: 'laboratory', partOf: 20003 }, 201);
  const ids = [];
  for (let i = 0; i < 25; i += 1) {
    const p = await ok('POST', '/api/v1/patients', { organizationId: org.id, telecomEmail: `pager-${RUN}-${i}@example.com`, nameFamily: 'Pager', nameGiven: `P${String(i).padStart(2, '0')}` }, 201);
    ids.push(String(p.id));
  }
  const b = await loggedIn('mary@example.com', `/console/patients?organizationId=${org.id}&studyId=`, browsers);
  const { page } = b;
  const sizes = [];
  page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname === '/api/v1/patients') sizes.push(`${u.searchParams.get('page')}/${u.searchParams.get('pageSize')}`); });
  await screenLoaded(page, 'Patients');
  const rowIds = async () => page.locator('table tbody tr td:nth-child(2)').allInnerTexts();
  assert.equal(await page.locator('.pager-count').innerText(), '25 items');
  assert.equal(await page.locator('.pager-page').innerText(), 'Page 1 of 2');
  assert.ok(await page.locator('.pager-prev').isDisabled());
  const first = await rowIds();
  assert.equal(first.length, 20);
  await shot(page, 'paging-20');
  await page.locator('.pager-next').click();
  await page.waitForURL(/[?&]page=2/);
  await screenLoaded(page, 'Patients');
  assert.equal(await page.locator('.pager-page').innerText(), 'Page 2 of 2');
  assert.ok(await page.locator('.pager-next').isDisabled());
  const second = await rowIds();
  assert.equal(second.length, 5);
  assert.deepEqual([...first, ...second].sort(), [...ids].sort(), 'the two pages hold every patient once');
  // reload keeps the page
  await page.reload();
  await screenLoaded(page, 'Patients');
  assert.equal(await page.locator('.pager-page').innerText(), 'Page 2 of 2');
  await page.locator('.pager-prev').click();
  await page.waitForURL((u) => !u.searchParams.has('page'));
  await screenLoaded(page, 'Patients');
  assert.equal((await rowIds()).length, 20);
  for (const size of [100, 500, 1000]) {
    await page.getByLabel('Per page').selectOption(String(size));
    await page.waitForURL(new RegExp(`[?&]pageSize=${size}(&|$)`));
    await screenLoaded(page, 'Patients');
    assert.equal((await rowIds()).length, 25, `${size} per page shows all 25`);
    assert.equal(await page.locator('.pager-page').innerText(), 'Page 1 of 1');
    assert.equal(await page.getByLabel('Per page').inputValue(), String(size));
  }
  await shot(page, 'paging-1000');
  await page.getByLabel('Per page').selectOption('20');
  await page.waitForURL((u) => !u.searchParams.has('pageSize'));
  await screenLoaded(page, 'Patients');
  assert.equal((await rowIds()).length, 20);
  // the server was asked for exactly these pages and sizes
  for (const s of ['2/20', '1/20', '1/100', '1/500', '1/1000']) assert.ok(sizes.includes(s), `requested page/pageSize ${s} (${sizes})`);
  assert.deepEqual(b.problems, []);
});
