// §5.5 Clients (patient apps). Editing requires a superuser (client.manage).
import { h, button, openDialog, table, dl, loading, replace, alertBox, confirmDialog } from './dom.js';
import { get, post, patch, del } from './api.js';
import { pageHeader, formDialog, confirmAndRun, pagerFor, rowActions, section } from './ui.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomClientId(n = 40) {
  const out = [];
  while (out.length < n) {
    for (const b of crypto.getRandomValues(new Uint8Array(n))) if (b < 248 && out.length < n) out.push(ALNUM[b % 62]);
  }
  return out.join('');
}

export function clientIdField(value, label = 'Client ID') {
  return {
    name: 'clientId', label, required: true, requiredMessage: 'Client ID is required.', value: value || '',
    validate: (v) => (/^[A-Za-z0-9._~-]{1,100}$/.test(v) ? null : 'Only letters, digits and . _ ~ - are allowed (at most 100).'),
  };
}

export function addGenerate(form) {
  const f = form.field('clientId');
  f.row.append(button('Generate', () => { f.input.value = randomClientId(); f.input.focus(); }, { class: 'btn-small generate-client-id' }));
}

function fields(c = {}) {
  return [
    { name: 'name', label: 'Name', required: true, requiredMessage: 'Name is required.', value: c.name || '' },
    clientIdField(c.clientId),
    { name: 'invitationUrl', label: 'Invitation URL', type: 'url', required: true, requiredMessage: 'Invitation URL is required.', value: c.invitationUrl || '',
      help: 'The app\'s link with the placeholder CODE, e.g. https://app.example.org/invitation/CODE',
      validate: (v) => (v.includes('CODE') ? null : 'The invitation URL must contain the placeholder CODE.') },
  ];
}

export async function render(app, el) {
  const canEdit = app.canGlobal('client.manage');
  el.append(pageHeader('Clients', canEdit ? button('Create client', () => createClient(app), { kind: 'primary' }) : null));
  el.append(h('p', { class: 'muted' }, 'Patient apps that redeem invitations and upload data for patients.'));
  const list = await get('clients', { page: app.pageNum(), pageSize: app.pageSize() });
  el.append(table({ caption: 'Clients', rows: list.results || [], empty: 'No clients.', columns: [
    { label: 'ID', render: (c) => String(c.id) },
    { label: 'Name', render: (c) => c.name },
    { label: 'Client ID', render: (c) => c.clientId },
    { label: 'Invitation URL', render: (c) => c.invitationUrl || '' },
    { label: 'Actions', render: (c) => rowActions(
      button('View', () => viewClient(app, c.id, canEdit), { class: 'btn-small', ariaLabel: `View ${c.name}` }),
      canEdit ? button('Edit', () => editClient(app, c), { class: 'btn-small', ariaLabel: `Edit ${c.name}` }) : null,
      canEdit ? button('Delete', async () => {
        const ok = await confirmAndRun(app, 'Delete client', `Delete the client "${c.name}"? Its invitations stop working and its tokens are revoked.`, () => del(`clients/${c.id}`), { success: `Client "${c.name}" deleted.` });
        if (ok) app.setParams({}, { push: false });
      }, { class: 'btn-small', ariaLabel: `Delete ${c.name}` }) : null) },
  ] }));
  el.append(pagerFor(app, list));
  const dialog = app.param('dialog');
  const id = app.param('id');
  if (dialog === 'read' && id) viewClient(app, id, canEdit);
  else if (dialog === 'create' && canEdit) createClient(app);
}

async function createClient(app) {
  app.dialogOpened('create');
  const c = await formDialog({ title: 'Create a client', fields: fields(), submitLabel: 'Create', after: addGenerate,
    onSubmit: (v) => post('clients', v), onClose: () => app.dialogClosed() });
  if (c) { app.pageAlert('success', `Client "${c.name}" created.`); app.setParams({}, { push: false }); }
}

async function editClient(app, c) {
  app.dialogOpened('update', c.id);
  const saved = await formDialog({ title: `Edit ${c.name}`, fields: fields(c), after: addGenerate,
    intro: alertBox('warning', 'Changing the client ID breaks installed apps that use the old one.'),
    onSubmit: (v) => patch(`clients/${c.id}`, v), onClose: () => app.dialogClosed() });
  if (saved) { app.pageAlert('success', 'Client saved.'); app.setParams({}, { push: false }); }
}

async function viewClient(app, id, canEdit) {
  app.dialogOpened('read', id);
  const d = openDialog({ title: `Client ${id}`, wide: true, content: loading(), onClose: () => app.dialogClosed() });
  let c;
  try { c = await get(`clients/${id}`); } catch (e) { d.banner('error', e.message); replace(d.body); return; }
  d.setTitle(c.name);
  const box = h('div');
  replace(d.body, dl([['ID', String(c.id)], ['Name', c.name], ['Client ID', c.clientId], ['Invitation URL', c.invitationUrl]]), section('Data sources', box));
  const load = async () => {
    let rows;
    try { rows = await get(`clients/${id}/data_sources`); } catch (e) { replace(box, alertBox('error', e.message)); return; }
    const parts = [rows.length ? h('ul', { class: 'link-list' }, rows.map((ds) => h('li', null, ds.name, ' ',
      canEdit ? button('Remove', async () => {
        if (!(await confirmDialog('Remove data source', `Remove "${ds.name}" from ${c.name}?`, { confirmLabel: 'Remove', danger: true }))) return;
        try { await del(`clients/${id}/data_sources`, { dataSourceId: ds.id }); await load(); d.banner('success', 'Data source removed.'); } catch (e) { d.banner('error', e.message); }
      }, { class: 'btn-small', ariaLabel: `Remove ${ds.name}` }) : null))) : h('p', { class: 'muted' }, 'No data sources.')];
    if (canEdit) {
      const all = ((await get('data_sources', { pageSize: 1000 })).results || []).filter((x) => !rows.some((r) => r.id === x.id));
      if (all.length) {
        const sel = h('select', { id: `client-ds-${id}` }, all.map((x) => h('option', { value: x.id }, x.name)));
        parts.push(h('div', { class: 'toolbar' }, h('div', { class: 'field field-inline' }, h('label', { for: `client-ds-${id}` }, 'Add a data source'), sel),
          button('Add data source', async () => {
            try { await post(`clients/${id}/data_sources`, { dataSourceId: Number(sel.value) }); await load(); d.banner('success', 'Data source added.'); } catch (e) { d.banner('error', e.message); }
          })));
      }
    }
    replace(box, parts);
  };
  await load();
}
