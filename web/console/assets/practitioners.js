// §5.7 Practitioners (superusers).
import { h, button, table, alertBox } from './dom.js';
import { get, post, patch, del } from './api.js';
import { pageHeader, formDialog, confirmAndRun, pagerFor, rowActions, isValidEmail, toolbar } from './ui.js';
import { orgOptions } from './selection.js';

export async function render(app, el) {
  el.append(pageHeader('Practitioners', button('Add practitioner', () => addPractitioner(app), { kind: 'primary', class: 'add-practitioner' })));
  const list = await get('practitioners', { page: app.pageNum(), pageSize: app.pageSize() });
  const selected = new Set();
  const batchDel = button('Delete selected', async () => {
    const ids = [...selected];
    const ok = await confirmAndRun(app, 'Delete practitioners', `Delete ${ids.length} practitioner${ids.length === 1 ? '' : 's'}? Their memberships and API keys are deleted too.`, async () => {
      for (const id of ids) await del(`practitioners/${id}`);
    }, { success: 'Practitioners deleted.' });
    if (ok) app.setParams({}, { push: false });
  }, { disabled: true });
  el.append(toolbar(batchDel));
  el.append(table({ caption: 'Practitioners', rows: list.results || [], empty: 'No practitioners.', columns: [
    { label: h('span', { class: 'sr-only' }, 'Select'), render: (p) => h('input', { type: 'checkbox', 'aria-label': `Select ${p.telecomEmail}`, onchange: (ev) => { if (ev.target.checked) selected.add(p.id); else selected.delete(p.id); batchDel.disabled = !selected.size; } }) },
    { label: 'Practitioner ID', render: (p) => String(p.id) },
    { label: 'User ID', render: (p) => String(p.jheUserId) },
    { label: 'Email', render: (p) => p.telecomEmail || '' },
    { label: 'Family name', render: (p) => p.nameFamily || '' },
    { label: 'Given name', render: (p) => p.nameGiven || '' },
    { label: 'Organizations', class: 'multiline', render: (p) => (p.organizations || []).map((o) => o.name).join('\n') },
    { label: 'Actions', render: (p) => rowActions(
      button('Edit', () => editPractitioner(app, p), { class: 'btn-small', ariaLabel: `Edit ${p.telecomEmail}` }),
      button('Delete', async () => {
        const ok = await confirmAndRun(app, 'Delete practitioner', `Delete the practitioner ${p.telecomEmail}? Their memberships and API keys are deleted too.`, () => del(`practitioners/${p.id}`), { success: `${p.telecomEmail} deleted.` });
        if (ok) app.setParams({}, { push: false });
      }, { class: 'btn-small', ariaLabel: `Delete ${p.telecomEmail}` })) },
  ] }));
  el.append(pagerFor(app, list));
}

async function addPractitioner(app) {
  const orgs = await orgOptions(app, { all: true });
  const p = await formDialog({
    title: 'Add a practitioner',
    intro: alertBox('info', 'The new account has no password until an operator sets one (jhe-admin users passwd).'),
    fields: [
      { name: 'telecomEmail', label: 'Email', type: 'email', required: true, requiredMessage: 'Email is required.', validate: (v) => (isValidEmail(v) ? null : 'Enter a valid email address.') },
      { name: 'nameFamily', label: 'Family name', required: true, requiredMessage: 'Family name is required.' },
      { name: 'nameGiven', label: 'Given name', required: true, requiredMessage: 'Given name is required.' },
      { name: 'organizationId', label: 'Organization (optional, as member)', type: 'select', options: [['', 'None'], ...orgs.map((o) => [o.id, o.name])] },
    ],
    submitLabel: 'Add',
    onSubmit: (v) => post('practitioners', { telecomEmail: v.telecomEmail, nameFamily: v.nameFamily, nameGiven: v.nameGiven, ...(v.organizationId ? { organizationId: Number(v.organizationId) } : {}) }),
  });
  if (p) { app.pageAlert('success', `Practitioner ${p.telecomEmail} added.`); app.setParams({}, { push: false }); }
}

async function editPractitioner(app, p) {
  const saved = await formDialog({
    title: `Edit ${p.telecomEmail}`,
    fields: [
      { name: 'nameFamily', label: 'Family name', value: p.nameFamily || '' },
      { name: 'nameGiven', label: 'Given name', value: p.nameGiven || '' },
    ],
    onSubmit: (v) => patch(`practitioners/${p.id}`, v),
  });
  if (saved) { app.pageAlert('success', 'Practitioner saved.'); app.setParams({}, { push: false }); }
}
