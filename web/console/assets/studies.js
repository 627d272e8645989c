// §5.3 Studies: list, create/edit/delete, view with scope requests, data sources, apps, enrolled
// patients and the consent overview (patients × scopes).
import { h, button, openDialog, table, dl, loading, replace, alertBox, chip, confirmDialog, selectField, pager } from './dom.js';
import { get, post, patch, del } from './api.js';
import { ifRoleCan } from './perms.js';
import { pageHeader, toolbar, formDialog, confirmAndRun, section, pagerFor, rowActions, isHttpsUrl, textOrDash } from './ui.js';
import { orgOptions } from './selection.js';

const MANAGE = 'study.manage_for_organization';

function iconImg(url, alt = '') {
  return url && isHttpsUrl(url) ? h('img', { class: 'study-icon', src: url, alt, referrerpolicy: 'no-referrer' }) : null;
}

function studyFields(s = {}) {
  return [
    { name: 'name', label: 'Name', required: true, requiredMessage: 'Name is required.', value: s.name || '' },
    { name: 'description', label: 'Description', type: 'textarea', rows: 3, required: true, requiredMessage: 'Description is required.', value: s.description || '' },
    { name: 'iconUrl', label: 'Icon URL', type: 'url', value: s.iconUrl || '', placeholder: 'https://…', validate: (v) => (v && !isHttpsUrl(v) ? 'Icon URL must be an https URL.' : null) },
  ];
}

function iconPreview(form) {
  const f = form.field('iconUrl');
  const box = h('div', { class: 'icon-preview-box', 'aria-live': 'polite' });
  const update = () => { const v = f.input.value.trim(); replace(box, isHttpsUrl(v) ? [h('span', { class: 'muted' }, 'Preview: '), h('img', { class: 'icon-preview', src: v, alt: 'Icon preview', referrerpolicy: 'no-referrer' })] : null); };
  f.input.addEventListener('input', update);
  f.row.append(box);
  update();
}

export async function render(app, el) {
  el.append(pageHeader('Studies'));
  const orgs = await orgOptions(app, { all: true });
  if (!orgs.length) { el.append(app.noOrgsMessage()); return; }
  const orgId = app.pickOrg(orgs);
  const org = orgs.find((o) => String(o.id) === String(orgId));
  const role = app.roleFor(orgId);
  const canManage = ifRoleCan(role, MANAGE);
  const ctx = { app, orgId, org, role, canManage };
  const list = await get('studies', { organizationId: orgId, page: app.pageNum(), pageSize: app.pageSize() });
  app.rememberSelection(orgId, null, { removeStudy: false });
  if (canManage) el.querySelector('.page-actions').append(button('Create study', () => createStudy(ctx), { kind: 'primary', class: 'create-study' }));
  el.append(toolbar(app.orgSelector(orgs, orgId)));
  el.append(table({
    caption: 'Studies', rows: list.results || [], empty: 'No studies in this organization.',
    columns: [
      { label: 'ID', render: (s) => String(s.id) },
      { label: 'Icon', render: (s) => iconImg(s.iconUrl, '') || '' },
      { label: 'Name', render: (s) => s.name },
      { label: 'Description', render: (s) => s.description || '' },
      { label: 'Organization', render: (s) => s.organization?.name || '' },
      { label: 'Actions', render: (s) => rowActions(
        button('View', () => viewStudy(ctx, s.id), { class: 'btn-small', ariaLabel: `View ${s.name}` }),
        canManage ? button('Edit', () => editStudy(ctx, s), { class: 'btn-small', ariaLabel: `Edit ${s.name}` }) : null,
        canManage ? button('Delete', () => deleteStudy(ctx, s), { class: 'btn-small', ariaLabel: `Delete ${s.name}` }) : null) },
    ],
  }));
  el.append(pagerFor(app, list));

  const dialog = app.param('dialog');
  const id = app.param('id');
  if (dialog === 'create' && canManage) createStudy(ctx);
  else if (dialog === 'read' && id) viewStudy(ctx, id);
  else if (dialog === 'update' && id && canManage) { const s = (list.results || []).find((x) => String(x.id) === id); if (s) editStudy(ctx, s); }
}

async function createStudy(ctx) {
  const { app, orgId, org } = ctx;
  app.dialogOpened('create');
  const s = await formDialog({
    title: `Create a study in ${org.name}`,
    fields: studyFields(),
    submitLabel: 'Create',
    after: (form) => iconPreview(form),
    onSubmit: (v) => post('studies', { name: v.name, description: v.description, organization: Number(orgId), iconUrl: v.iconUrl || null }),
    onClose: () => app.dialogClosed(),
  });
  if (s) { app.pageAlert('success', `Study "${s.name}" created.`); app.setParams({ dialog: 'read', id: s.id }, { push: false }); }
}

async function editStudy(ctx, s) {
  const { app } = ctx;
  app.dialogOpened('update', s.id);
  const saved = await formDialog({
    title: `Edit ${s.name}`,
    fields: studyFields(s),
    after: (form) => iconPreview(form),
    onSubmit: (v) => patch(`studies/${s.id}`, { name: v.name, description: v.description, iconUrl: v.iconUrl || null }),
    onClose: () => app.dialogClosed(),
  });
  if (saved) { app.pageAlert('success', 'Study saved.'); app.setParams({}, { push: false }); }
}

async function deleteStudy(ctx, s) {
  const { app } = ctx;
  const ok = await confirmAndRun(app, 'Delete study', `Delete the study "${s.name}"? This deletes its enrolments and consents.`, () => del(`studies/${s.id}`), { success: `Study "${s.name}" deleted.` });
  if (ok) app.setParams({}, { push: false });
}

// ---------------------------------------------------------------------------------------------
export async function viewStudy(ctx, id) {
  const { app, canManage } = ctx;
  app.dialogOpened('read', id);
  const d = openDialog({ title: `Study ${id}`, wide: true, content: loading(), onClose: () => app.dialogClosed() });
  let s;
  try { s = await get(`studies/${id}`); } catch (e) { d.banner('error', e.message); replace(d.body); return; }
  d.setTitle(s.name);
  const scopes = h('div', { class: 'panel-scopes' }, loading());
  const sources = h('div', { class: 'panel-sources' }, loading());
  const clients = h('div', { class: 'panel-clients' }, loading());
  const patients = h('div', { class: 'panel-patients' }, loading());
  const matrix = h('div', { class: 'panel-consents' }, loading());
  replace(d.body,
    h('div', { class: 'study-head' }, iconImg(s.iconUrl, `${s.name} icon`),
      dl([['ID', String(s.id)], ['Name', s.name], ['Description', s.description], ['Organization', s.organization?.name || ''], ['Icon URL', textOrDash(s.iconUrl)]])),
    section('Requested scopes', scopes), section('Data sources', sources), section('Apps (clients)', clients),
    section('Enrolled patients', patients), section('Consent overview', matrix));
  const c = { ...ctx, s, d, canManage };
  const reloadScopes = () => loadScopes(c, scopes).then(() => loadMatrix(c, matrix));
  reloadScopes();
  loadLinks(c, sources, { list: `studies/${id}/data_sources`, item: (r) => r.dataSource, label: (x) => x.name, options: async () => (await get('data_sources', { pageSize: 1000 })).results, key: 'dataSourceId', what: 'data source' });
  loadLinks(c, clients, { list: `studies/${id}/clients`, item: (r) => r.client, label: (x) => `${x.name} (${x.client_id})`, options: async () => (await get('clients', { pageSize: 1000 })).results.map((x) => ({ ...x, client_id: x.clientId })), key: 'clientId', what: 'app', path: `studies/${id}/clients` });
  loadPatients(c, patients, 1);
}

async function loadScopes(c, box) {
  const { s, d, canManage } = c;
  let rows;
  try { rows = await get(`studies/${s.id}/scope_requests`); } catch (e) { replace(box, alertBox('error', e.message)); return; }
  c.scopes = rows.map((r) => r.scopeCode);
  const content = [table({ caption: 'Requested scopes', rows, empty: 'No scopes requested.', columns: [
    { label: 'Scope', render: (r) => r.scopeCode.text },
    { label: 'Code', render: (r) => `${r.scopeCode.codingSystem}|${r.scopeCode.codingCode}` },
    ...(canManage ? [{ label: 'Actions', render: (r) => button('Remove', async () => {
      if (!(await confirmDialog('Remove scope request', [`Stop requesting "${r.scopeCode.text}"?`, 'Data of that type becomes invisible to the study (the patients\' consent records stay).'], { confirmLabel: 'Remove', danger: true }))) return;
      try { await del(`studies/${s.id}/scope_requests`, { scopeCodeId: r.scopeCode.id }); d.banner('success', 'Scope request removed.'); await loadScopes(c, box); c.reloadMatrix?.(); } catch (e) { d.banner('error', e.message); }
    }, { class: 'btn-small', ariaLabel: `Remove scope ${r.scopeCode.text}` }) }] : []),
  ] })];
  if (canManage) {
    let all = [];
    try { all = await get('data_sources/all_scopes'); } catch { all = []; }
    const have = new Set(rows.map((r) => r.scopeCode.id));
    const avail = all.filter((x) => !have.has(x.id));
    if (avail.length) {
      const id = `addscope-${s.id}`;
      const sel = h('select', { id }, avail.map((x) => h('option', { value: x.id }, x.text)));
      content.push(h('div', { class: 'toolbar' }, h('div', { class: 'field field-inline' }, h('label', { for: id }, 'Add a scope'), sel),
        button('Add scope', async () => {
          try { await post(`studies/${s.id}/scope_requests`, { scopeCodeId: Number(sel.value) }); d.banner('success', 'Scope requested.'); await loadScopes(c, box); c.reloadMatrix?.(); } catch (e) { d.banner('error', e.message); }
        }, { class: 'add-scope' })));
    }
  }
  replace(box, content);
}

// Data sources and clients panels: list, add from options, remove.
async function loadLinks(c, box, spec) {
  const { d, canManage } = c;
  let rows;
  try { rows = await get(spec.list); } catch (e) { replace(box, alertBox('error', e.message)); return; }
  const items = rows.map(spec.item);
  const content = [items.length ? h('ul', { class: 'link-list' }, items.map((x) => h('li', null, spec.label(x), ' ',
    canManage ? button('Remove', async () => {
      if (!(await confirmDialog(`Remove ${spec.what}`, `Remove "${x.name}" from this study?`, { confirmLabel: 'Remove', danger: true }))) return;
      try { await del(spec.list, { [spec.key]: x.id }); d.banner('success', `The ${spec.what} was removed.`); await loadLinks(c, box, spec); } catch (e) { d.banner('error', e.message); }
    }, { class: 'btn-small', ariaLabel: `Remove ${x.name}` }) : null))) : h('p', { class: 'muted' }, `No ${spec.what}s.`)];
  if (canManage) {
    let opts = [];
    try { opts = await spec.options(); } catch { opts = []; }
    const have = new Set(items.map((x) => x.id));
    const avail = opts.filter((x) => !have.has(x.id));
    if (avail.length) {
      const id = `add-${spec.key}-${c.s.id}`;
      const sel = h('select', { id }, avail.map((x) => h('option', { value: x.id }, spec.label(x))));
      content.push(h('div', { class: 'toolbar' }, h('div', { class: 'field field-inline' }, h('label', { for: id }, `Add ${/^[aeiou]/.test(spec.what) ? 'an' : 'a'} ${spec.what}`), sel),
        button(`Add ${spec.what}`, async () => {
          try { await post(spec.list, { [spec.key]: Number(sel.value) }); d.banner('success', `The ${spec.what} was added.`); await loadLinks(c, box, spec); } catch (e) { d.banner('error', e.message); }
        }, { class: `add-${spec.key}` })));
    }
  }
  replace(box, content);
}

async function loadPatients(c, box, page, pageSize = 20) {
  const { app, s } = c;
  let r;
  try { r = await get(`studies/${s.id}/patients`, { page, pageSize }); } catch (e) {
    replace(box, alertBox(e.status === 403 ? 'info' : 'error', e.status === 403 ? 'Only members of the study\'s organization can see its patients.' : e.message));
    return;
  }
  replace(box, table({ caption: 'Enrolled patients', rows: r.results || [], empty: 'No patients enrolled.', columns: [
    { label: 'Patient ID', render: (p) => h('a', { href: `/console/patients?organizationId=${s.organization.id}&studyId=${s.id}&dialog=read&id=${p.id}`, onclick: (ev) => { ev.preventDefault(); app.navigate('patients', { organizationId: s.organization.id, studyId: s.id, dialog: 'read', id: p.id }); } }, String(p.id)) },
    { label: 'Name', render: (p) => [p.nameFamily, p.nameGiven].filter(Boolean).join(', ') },
    { label: 'Email', render: (p) => p.telecomEmail || '' },
  ] }), pager({ count: r.count || 0, page, pageSize, onChange: ({ page: pg, pageSize: ps }) => loadPatients(c, box, pg, ps) }));
}

// Consent overview: enrolled patients (first 200) × requested scopes.
async function loadMatrix(c, box) {
  const { s } = c;
  c.reloadMatrix = () => loadMatrix(c, box);
  const scopes = c.scopes || [];
  let patients = [];
  try {
    for (let page = 1; page <= 2; page += 1) {
      const r = await get(`studies/${s.id}/patients`, { page, pageSize: 100 });
      patients.push(...(r.results || []));
      if (!r.next) break;
    }
  } catch (e) {
    replace(box, alertBox('info', e.status === 403 ? 'Only members of the study\'s organization can see its consents.' : e.message));
    return;
  }
  if (!patients.length || !scopes.length) { replace(box, h('p', { class: 'muted' }, !scopes.length ? 'The study requests no scopes.' : 'No patients enrolled.')); return; }
  const status = new Map(); // `${pid}|${code}` -> true/false/null
  const queue = [...patients];
  const worker = async () => {
    while (queue.length) {
      const p = queue.shift();
      try {
        const cs = await get(`patients/${p.id}/consents`);
        for (const st of cs.studies || []) if (st.id === s.id) for (const sc of st.scopeConsents || []) status.set(`${p.id}|${sc.code.id}`, sc.consented);
        for (const st of cs.studiesPendingConsent || []) if (st.id === s.id) for (const sc of st.pendingScopeConsents || []) status.set(`${p.id}|${sc.code.id}`, null);
      } catch { /* leave unknown */ }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const cell = (p, code) => {
    const k = `${p.id}|${code.id}`;
    if (!status.has(k)) return chip('… Pending', 'chip-pending');
    const v = status.get(k);
    return v === true ? chip('✓ Granted', 'chip-granted') : v === false ? chip('✗ Declined', 'chip-declined') : chip('… Pending', 'chip-pending');
  };
  const totals = scopes.map((code) => {
    let g = 0; let dcl = 0; let pn = 0;
    for (const p of patients) { const v = status.get(`${p.id}|${code.id}`); if (v === true) g += 1; else if (v === false) dcl += 1; else pn += 1; }
    return `${code.text}: ${g} granted, ${dcl} declined, ${pn} pending`;
  });
  const t = table({ caption: 'Consent overview', rows: patients, columns: [
    { label: 'Patient', render: (p) => `${[p.nameFamily, p.nameGiven].filter(Boolean).join(', ')} (${p.id})` },
    ...scopes.map((code) => ({ label: code.text, render: (p) => cell(p, code) })),
  ] });
  t.querySelector('table').classList.add('matrix');
  replace(box, h('ul', { class: 'link-list consent-totals' }, totals.map((x) => h('li', null, x))), t);
}

export { selectField };
