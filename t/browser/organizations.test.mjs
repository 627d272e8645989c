// Console: organizations (edit, delete with its confirmation counts) and members (add, errors,
// change role, remove), as mary@example.com through the real login form, against the real server
// (console.md §5.1). Every change is checked through the API afterwards.
import { test, after } from 'node:test';
import { assert, get, post, del, token, expectStatus } from '../integration/lib.mjs';

const TYPES = (await get('/api/v1/organizations/types', { token: token('mary@example.com') })).json;
import { close, cleanupProfiles, shot, loggedIn, screenLoaded, topDialog } from './lib.mjs';

const RUN = Math.random().toString(36).slice(2, 8);
const browsers = [];
after(async () => { for (const b of browsers) await close(b); cleanupProfiles(); });

const mary = () => token('mary@example.com');

async function apiOrg(name, type, partOf) {
  const r = await post('/api/v1/organizations', { name, type, partOf }, { token: mary() });
  expectStatus(r, 201);
  return r.json;
}

test('edit and delete an organization; the confirmation counts sub-organizations and studies', async () => {
  const org = await apiOrg(`Edit Org ${RUN}`, 'laboratory', 20003);
  const child = await apiOrg(`Child Org ${RUN}`, 'team', org.id);
  const gone = await apiOrg(`Gone Org ${RUN}`, 'laboratory', 20003);
  const st = await post('/api/v1/studies', { name: `Org Study ${RUN}`, description: 'd', organization: org.id }, { token: mary() });
  expectStatus(st, 201);

  const b = await loggedIn('mary@example.com', '/console/organizations?topId=20001', browsers);
  const { page } = b;
  await screenLoaded(page, 'Organizations');
  const node = page.locator(`.tree-node[data-org-id="${org.id}"]`);
  await node.waitFor();
  assert.equal(await page.locator(`.tree-node[data-org-id="${org.id}"] .tree-node[data-org-id="${child.id}"]`).count(), 1, 'the child is drawn under its parent');

  // --- edit: validation, then a real change
  await page.getByRole('button', { name: `Edit Edit Org ${RUN}`, exact: true }).click();
  let d = topDialog(page);
  assert.equal(new URL(page.url()).searchParams.get('dialog'), 'update');
  assert.equal(await d.getByLabel('Name').inputValue(), `Edit Org ${RUN}`);
  assert.equal(await d.getByLabel('Type').inputValue(), 'laboratory');
  assert.equal(await d.locator('select[name=type] option[value=root]').count(), 0, 'ROOT is not offered');
  await d.getByLabel('Name').fill('');
  await d.getByRole('button', { name: 'Save' }).click();
  await d.locator('text=Name is required.').waitFor();
  await d.getByLabel('Name').fill(`Renamed Org ${RUN}`);
  await d.getByLabel('Type').selectOption('team');
  await shot(page, 'organization-edit');
  await d.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.page-alerts >> text=Organization saved.');
  await page.locator(`.tree-node[data-org-id="${org.id}"] > .tree-row .tree-name:text-is("Renamed Org ${RUN}")`).waitFor();
  assert.equal(await page.locator(`.tree-node[data-org-id="${org.id}"] > .tree-row .tree-type`).innerText(), TYPES.team);
  assert.equal(new URL(page.url()).searchParams.get('dialog'), null, 'the dialog left the URL');
  const after1 = await get(`/api/v1/organizations/${org.id}`, { token: mary() });
  assert.equal(after1.json.name, `Renamed Org ${RUN}`);
  assert.equal(after1.json.type, 'team');

  // --- a server error is shown in the dialog: the organization was deleted meanwhile (404)
  await page.getByRole('button', { name: `Edit Gone Org ${RUN}`, exact: true }).click();
  d = topDialog(page);
  expectStatus(await del(`/api/v1/organizations/${gone.id}`, undefined, { token: mary() }), 204);
  await d.getByLabel('Name').fill(`Gone Org ${RUN} 2`);
  await d.getByRole('button', { name: 'Save' }).click();
  await d.locator('.dialog-banner .alert-error').waitFor();
  const detail = (await get(`/api/v1/organizations/${gone.id}`, { token: mary() })).json.detail;
  assert.equal((await d.locator('.dialog-banner .alert-error .alert-body').innerText()).trim(), detail, 'the server detail is shown');
  await page.keyboard.press('Escape');

  // --- delete: cancel first, then confirm
  await page.getByRole('button', { name: `Delete Renamed Org ${RUN}`, exact: true }).click();
  d = topDialog(page);
  await d.locator('text=/This also deletes 1 sub-organization and 1 study/').waitFor();
  await shot(page, 'organization-delete');
  await d.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await get(`/api/v1/organizations/${org.id}`, { token: mary() })).status, 200, 'cancel keeps it');
  await page.getByRole('button', { name: `Delete Renamed Org ${RUN}`, exact: true }).click();
  await topDialog(page).getByRole('button', { name: 'Delete' }).click();
  await page.waitForSelector(`.page-alerts >> text=Organization "Renamed Org ${RUN}" deleted.`);
  await node.waitFor({ state: 'detached' });
  assert.equal((await get(`/api/v1/organizations/${org.id}`, { token: mary() })).status, 404);
  assert.equal((await get(`/api/v1/organizations/${child.id}`, { token: mary() })).status, 404, 'the sub-organization went too');
  assert.deepEqual(b.problems, []);
});

test('members: add (unknown email, patient account, practitioner), change role, remove', async () => {
  const org = await apiOrg(`Members Org ${RUN}`, 'laboratory', 20003);
  const b = await loggedIn('mary@example.com', `/console/organizations?topId=20001`, browsers);
  const { page } = b;
  await screenLoaded(page, 'Organizations');
  await page.getByRole('button', { name: `View Members Org ${RUN}`, exact: true }).click();
  const v = topDialog(page);
  await v.locator('h3:text-is("Members")').waitFor();
  // the creator is its manager
  const maryRow = v.locator('tr', { has: page.locator('td:text-is("mary@example.com")') });
  assert.equal(await maryRow.getByLabel('Role of mary@example.com').inputValue(), 'manager');

  await v.getByRole('button', { name: 'Add member' }).click();
  let d = topDialog(page);
  assert.equal(await d.getByLabel('Role').inputValue(), 'member', 'Member is the default role');
  await d.getByRole('button', { name: 'Add' }).click();
  await d.locator('text=Email is required.').waitFor();
  await d.getByLabel('Email').fill(`nobody-${RUN}@example.com`);
  await d.getByRole('button', { name: 'Add' }).click();
  await d.locator('text=No account with this email.').waitFor();
  await d.getByLabel('Email').fill('ll_patient_peter@example.com');
  await d.getByRole('button', { name: 'Add' }).click();
  await d.locator('text=This is a patient account. Only practitioner accounts can be added to an organization.').waitFor();
  await d.getByLabel('Email').fill('member_megan@example.com');
  await d.getByLabel('Role').selectOption('viewer');
  await d.getByRole('button', { name: 'Add' }).click();
  await v.locator('text=member_megan@example.com added.').waitFor();
  const megan = v.locator('tr', { has: page.locator('td:text-is("member_megan@example.com")') });
  assert.equal(await megan.getByLabel('Role of member_megan@example.com').inputValue(), 'viewer');
  let users = (await get(`/api/v1/organizations/${org.id}/users`, { token: mary() })).json;
  assert.equal(users.find((u) => u.email === 'member_megan@example.com')?.role, 'viewer');
  await shot(page, 'organization-members');

  // change the role
  await megan.getByLabel('Role of member_megan@example.com').selectOption('member');
  await v.locator('text=member_megan@example.com is now Member.').waitFor();
  users = (await get(`/api/v1/organizations/${org.id}/users`, { token: mary() })).json;
  assert.equal(users.find((u) => u.email === 'member_megan@example.com')?.role, 'member');

  // remove
  await megan.getByRole('button', { name: 'Remove member_megan@example.com' }).click();
  d = topDialog(page);
  await d.locator('text=Remove member_megan@example.com from Members Org').waitFor();
  await d.getByRole('button', { name: 'Remove' }).click();
  await v.locator('text=member_megan@example.com removed.').waitFor();
  await megan.waitFor({ state: 'detached' });
  users = (await get(`/api/v1/organizations/${org.id}/users`, { token: mary() })).json;
  assert.equal(users.some((u) => u.email === 'member_megan@example.com'), false);

  // a member (not manager) sees the lists but no member controls
  expectStatus(await post(`/api/v1/organizations/${org.id}/user`, { jheUserId: 10003, organizationPartitionerRole: 'member' }, { token: mary() }), 201);
  await page.keyboard.press('Escape');
  const m = await loggedIn('member_megan@example.com', `/console/organizations?topId=20001&dialog=read&id=${org.id}`, browsers);
  const mv = topDialog(m.page);
  await mv.locator('h3:text-is("Members")').waitFor();
  await m.page.waitForLoadState('networkidle');
  assert.equal(await mv.getByRole('button', { name: 'Add member' }).count(), 0);
  assert.equal(await mv.locator('select').count(), 0, 'no role selectors');
  assert.equal(await mv.getByRole('button', { name: /^Remove / }).count(), 0);
  // Add study is offered to members (study.manage_for_organization) and opens the Studies dialog
  await mv.getByRole('button', { name: 'Add study' }).click();
  await m.page.waitForURL(/\/console\/studies\?.*dialog=create/);
  await topDialog(m.page).locator(`h2:text-is("Create a study in Members Org ${RUN}")`).waitFor();
  assert.deepEqual(b.problems, []);
  assert.deepEqual(m.problems, []);
});

test('a non-member viewing an organization sees "You are not a member of this organization."', async () => {
  // megan is a member of Lifespan Lab only: she sees its ancestor Saturn School (20002) in the tree,
  // but may not list its members or studies (403).
  const b = await loggedIn('member_megan@example.com', '/console/organizations?topId=20001', browsers);
  const { page } = b;
  await screenLoaded(page, 'Organizations');
  assert.equal(await page.locator('.tree-node[data-org-id="20002"] > .tree-row .chip').count(), 0, 'no role chip where she has no role');
  await page.getByRole('button', { name: 'View Saturn School of Data Science', exact: true }).click();
  const d = topDialog(page);
  await d.locator('text=You are not a member of this organization.').waitFor();
  assert.match(await d.locator('.details').innerText(), /Your role\s+None/);
  assert.equal(await d.locator('h3:text-is("Members")').count(), 0);
  assert.deepEqual(b.problems, []);
});

test('studies: edit (validation, icon URL) and delete', async () => {
  const st = await post('/api/v1/studies', { name: `Edit Study ${RUN}`, description: 'before', organization: 20003 }, { token: mary() });
  expectStatus(st, 201);
  const b = await loggedIn('mary@example.com', '/console/studies?organizationId=20003', browsers);
  const { page } = b;
  await screenLoaded(page, 'Studies');
  await page.getByRole('button', { name: `Edit Edit Study ${RUN}`, exact: true }).click();
  const d = topDialog(page);
  await d.getByLabel('Description').fill('');
  await d.getByLabel('Icon URL').fill('http://insecure.example.org/i.png');
  await d.getByRole('button', { name: 'Save' }).click();
  await d.locator('text=Description is required.').waitFor();
  await d.locator('text=Icon URL must be an https URL.').waitFor();
  await d.getByLabel('Description').fill('after');
  await d.getByLabel('Icon URL').fill('https://icons.example.org/study.png');
  await d.getByRole('button', { name: 'Save' }).click();
  await page.waitForSelector('.page-alerts >> text=Study saved.');
  const s = (await get(`/api/v1/studies/${st.json.id}`, { token: mary() })).json;
  assert.deepEqual([s.description, s.iconUrl], ['after', 'https://icons.example.org/study.png']);
  const row = page.locator('table tbody tr', { has: page.locator(`td:text-is("Edit Study ${RUN}")`) });
  assert.equal(await row.locator('img.study-icon').getAttribute('src'), 'https://icons.example.org/study.png');
  await row.getByRole('button', { name: `Delete Edit Study ${RUN}` }).click();
  await topDialog(page).locator('text=/This deletes its enrolments and consents\\./').waitFor();
  await topDialog(page).getByRole('button', { name: 'Delete' }).click();
  await page.waitForSelector(`.page-alerts >> text=Study "Edit Study ${RUN}" deleted.`);
  await row.waitFor({ state: 'detached' });
  const left = (await get('/api/v1/studies?organizationId=20003&pageSize=1000', { token: mary() })).json.results;
  assert.equal(left.some((x) => x.id === st.json.id), false, 'the study is gone');
  assert.deepEqual(b.problems, []);
});
