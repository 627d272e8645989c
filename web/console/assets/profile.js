// §5.10 Profile: the caller, their organizations and roles, and practitioner API keys.
import { h, button, table, dl, openDialog, alertBox, copyButton, fmtTime, chip } from './dom.js';
import { get, post, patch, del } from './api.js';
import { roleLabel } from './perms.js';
import { pageHeader, formDialog, confirmAndRun, section, pagerFor, rowActions } from './ui.js';

export async function render(app, el) {
  const p = await get('users/profile');
  app.profile = { ...p, settings: p.settings || {} };
  const orgs = await get('users/organizations');
  app.myOrgs = orgs;
  el.append(pageHeader('Profile'));
  el.append(section('Account', dl([['ID', String(p.id)], ['Email', p.email], ['First name', p.firstName || ''], ['Last name', p.lastName || ''],
    ['User type', p.userType || ''], p.isSuperuser ? ['Superuser', 'Yes'] : null])));
  el.append(section('Organizations', orgs.length
    ? table({ caption: 'Your organizations', rows: orgs, columns: [
      { label: 'Organization', render: (o) => o.name },
      { label: 'Role', render: (o) => chip(roleLabel(o.currentUserRole), `chip-${o.currentUserRole === 'super_user' ? 'super' : o.currentUserRole}`) }] })
    : h('p', { class: 'muted' }, 'You do not belong to any organization yet.')));
  if (p.userType === 'practitioner' || p.isSuperuser) {
    const keys = h('div');
    el.append(section('API keys', h('p', { class: 'muted' }, 'Keys let scripts and notebooks act as you (OAuth client credentials).'),
      button('Create key', () => createKey(app), { kind: 'primary', class: 'create-key' }), keys));
    try {
      const list = await get('practitioner_clients', { page: app.pageNum(), pageSize: app.pageSize() });
      keys.append(table({ caption: 'API keys', rows: list.results || [], empty: 'No API keys.', columns: [
        { label: 'Label', render: (k) => k.label || '' },
        { label: 'Created', render: (k) => fmtTime(k.created) },
        { label: 'Name', render: (k) => k.name },
        { label: 'Actions', render: (k) => rowActions(
          button('Rename', async () => {
            const r = await formDialog({ title: 'Rename key', fields: [{ name: 'label', label: 'Label', value: k.label || '', validate: (v) => (v.length > 200 ? 'At most 200 characters.' : null) }],
              onSubmit: (v) => patch(`practitioner_clients/${k.id}`, { label: v.label }) });
            if (r) app.setParams({}, { push: false });
          }, { class: 'btn-small', ariaLabel: `Rename key ${k.label || k.name}` }),
          button('Delete', async () => {
            const ok = await confirmAndRun(app, 'Delete key', `Delete the key "${k.label || k.name}"? Scripts using this key stop working.`, () => del(`practitioner_clients/${k.id}`), { success: 'Key deleted.' });
            if (ok) app.setParams({}, { push: false });
          }, { class: 'btn-small', ariaLabel: `Delete key ${k.label || k.name}` })) },
      ] }), pagerFor(app, list));
    } catch (e) { keys.append(alertBox('error', e.message)); }
  }
}

async function createKey(app) {
  const k = await formDialog({ title: 'Create an API key', submitLabel: 'Create',
    fields: [{ name: 'label', label: 'Label', placeholder: 'e.g. my laptop', validate: (v) => (v.length > 200 ? 'At most 200 characters.' : null) }],
    onSubmit: (v) => post('practitioner_clients', { label: v.label }) });
  if (!k) return;
  const origin = location.origin;
  const result = h('p', { class: 'key-test-result', 'aria-live': 'polite' });
  const d = openDialog({ title: 'Your new API key', wide: true, onClose: () => app.setParams({}, { push: false }), content: [
    alertBox('warning', 'Store this key now; it cannot be shown again.'),
    h('p', { class: 'secret api-key', tabindex: '0' }, k.key),
    h('p', null, copyButton(() => k.key), ' ', button('Test', async () => {
      result.textContent = 'Testing…';
      try {
        const res = await fetch(`${origin}/o/token/`, { method: 'POST', headers: { Authorization: `Basic ${k.key}`, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
        const body = await res.json().catch(() => ({}));
        if (res.ok && body.access_token) {
          const days = Math.round((Number(body.expires_in) || 0) / 86400);
          result.textContent = `Key works: token valid for ${days} day${days === 1 ? '' : 's'}.`;
        } else result.textContent = `The key did not work: ${body.error_description || body.error || `HTTP ${res.status}`}`;
      } catch (e) { result.textContent = `The key did not work: ${e.message}`; }
    }, { class: 'test-key' })),
    result,
    section('Usage',
      h('p', null, 'Get an access token:'),
      h('pre', { class: 'json' }, `curl -X POST ${origin}/o/token/ \\\n  -H "Authorization: Basic <key>" \\\n  -d grant_type=client_credentials`),
      h('p', null, 'Then use it as JHE_TOKEN with JHE_URL=', h('code', null, origin), ' (for example with jupyterhealth-client).')),
  ] });
  void d;
}
