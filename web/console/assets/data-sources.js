// §5.6 Data sources. Editing requires a superuser (data_source.manage).
import { h, button, openDialog, table, dl, loading, replace, alertBox, confirmDialog } from './dom.js';
import { get, post, patch, del } from './api.js';
import { dataSourceTypeLabel } from './perms.js';
import { pageHeader, formDialog, confirmAndRun, pagerFor, rowActions, section } from './ui.js';

function fields(ds = {}) {
  return [
    { name: 'name', label: 'Name', required: true, requiredMessage: 'Name is required.', value: ds.name || '' },
    { name: 'type', label: 'Type', type: 'select', value: ds.type || 'personal_device', options: Object.entries(window.CONSTANTS.DATA_SOURCE_TYPES) },
  ];
}

export async function render(app, el) {
  const canEdit = app.canGlobal('data_source.manage');
  el.append(pageHeader('Data Sources', canEdit ? button('Create data source', () => createDs(app), { kind: 'primary' }) : null));
  const list = await get('data_sources', { page: app.pageNum(), pageSize: app.pageSize() });
  el.append(table({ caption: 'Data sources', rows: list.results || [], empty: 'No data sources.', columns: [
    { label: 'ID', render: (d) => String(d.id) },
    { label: 'Name', render: (d) => d.name },
    { label: 'Type', render: (d) => dataSourceTypeLabel(d.type) },
    { label: 'Supported scopes', class: 'multiline', render: (d) => (d.supportedScopes || []).map((s) => s.text).join('\n') },
    { label: 'Actions', render: (d) => rowActions(
      button('View', () => viewDs(app, d.id, canEdit), { class: 'btn-small', ariaLabel: `View ${d.name}` }),
      canEdit ? button('Edit', () => editDs(app, d), { class: 'btn-small', ariaLabel: `Edit ${d.name}` }) : null,
      canEdit ? button('Delete', async () => {
        const ok = await confirmAndRun(app, 'Delete data source', `Delete the data source "${d.name}"? It is removed from studies and clients; observations keep their data without a device.`, () => del(`data_sources/${d.id}`), { success: `Data source "${d.name}" deleted.` });
        if (ok) app.setParams({}, { push: false });
      }, { class: 'btn-small', ariaLabel: `Delete ${d.name}` }) : null) },
  ] }));
  el.append(pagerFor(app, list));
  const dialog = app.param('dialog');
  const id = app.param('id');
  if (dialog === 'read' && id) viewDs(app, id, canEdit);
  else if (dialog === 'create' && canEdit) createDs(app);
}

async function createDs(app) {
  app.dialogOpened('create');
  const d = await formDialog({ title: 'Create a data source', fields: fields(), submitLabel: 'Create', onSubmit: (v) => post('data_sources', v), onClose: () => app.dialogClosed() });
  if (d) { app.pageAlert('success', `Data source "${d.name}" created.`); app.setParams({ dialog: 'read', id: d.id }, { push: false }); }
}

async function editDs(app, ds) {
  app.dialogOpened('update', ds.id);
  const saved = await formDialog({ title: `Edit ${ds.name}`, fields: fields(ds), onSubmit: (v) => patch(`data_sources/${ds.id}`, v), onClose: () => app.dialogClosed() });
  if (saved) { app.pageAlert('success', 'Data source saved.'); app.setParams({}, { push: false }); }
}

async function viewDs(app, id, canEdit) {
  app.dialogOpened('read', id);
  let changed = false;
  const d = openDialog({ title: `Data source ${id}`, wide: true, content: loading(), onClose: () => app.dialogClosed({ rerender: changed }) });
  let ds;
  try { ds = await get(`data_sources/${id}`); } catch (e) { d.banner('error', e.message); replace(d.body); return; }
  d.setTitle(ds.name);
  const box = h('div');
  replace(d.body, dl([['ID', String(ds.id)], ['Name', ds.name], ['Type', dataSourceTypeLabel(ds.type)]]), section('Supported scopes', box));
  const load = async () => {
    let rows;
    try { rows = await get(`data_sources/${id}/supported_scopes`); } catch (e) { replace(box, alertBox('error', e.message)); return; }
    const parts = [rows.length ? h('ul', { class: 'link-list' }, rows.map((r) => h('li', null, r.scopeCode.text, ' ',
      canEdit ? button('Remove', async () => {
        if (!(await confirmDialog('Remove scope', `Remove "${r.scopeCode.text}" from ${ds.name}?`, { confirmLabel: 'Remove', danger: true }))) return;
        try { await del(`data_sources/${id}/supported_scopes`, { scopeCodeId: r.scopeCode.id }); changed = true; await load(); d.banner('success', 'Scope removed.'); } catch (e) { d.banner('error', e.message); }
      }, { class: 'btn-small', ariaLabel: `Remove ${r.scopeCode.text}` }) : null))) : h('p', { class: 'muted' }, 'No supported scopes.')];
    if (canEdit) {
      const all = (await get('data_sources/all_scopes')).filter((x) => !rows.some((r) => r.scopeCode.id === x.id));
      if (all.length) {
        const sel = h('select', { id: `ds-scope-${id}` }, all.map((x) => h('option', { value: x.id }, x.text)));
        parts.push(h('div', { class: 'toolbar' }, h('div', { class: 'field field-inline' }, h('label', { for: `ds-scope-${id}` }, 'Add a scope'), sel),
          button('Add scope', async () => {
            try { await post(`data_sources/${id}/supported_scopes`, { scopeCodeId: Number(sel.value) }); changed = true; await load(); d.banner('success', 'Scope added.'); } catch (e) { d.banner('error', e.message); }
          })));
      }
    }
    replace(box, parts);
  };
  await load();
}
