// §5.5.1 OAuth applications (superusers): JupyterHub, Jupyter (SMART) and other practitioner-facing clients.
import { h, button, openDialog, table, alertBox, copyButton, dl } from './dom.js';
import { get, post, patch, del } from './api.js';
import { pageHeader, formDialog, confirmAndRun, pagerFor, rowActions, section } from './ui.js';
import { clientIdField, addGenerate } from './clients.js';

function uriLines(v) { return v.split('\n').map((x) => x.trim()).filter(Boolean); }

function validUri(u) {
  try {
    const x = new URL(u);
    if (x.hash) return false;
    if (x.protocol === 'https:') return true;
    return x.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(x.hostname);
  } catch { return false; }
}

function fields(a = {}, create = true) {
  const f = [{ name: 'name', label: 'Name', required: true, requiredMessage: 'Name is required.', value: a.name || '' }];
  if (create) {
    f.push(clientIdField(a.clientId),
      { name: 'clientType', label: 'Type', type: 'select', value: 'public', options: [['public', 'Public (no secret)'], ['confidential', 'Confidential (with a secret)']] },
      { name: 'grantType', label: 'Grant type', type: 'select', value: 'authorization_code', options: [['authorization_code', 'Authorization code'], ['client_credentials', 'Client credentials (confidential only)']],
        validate: (v, all) => (v === 'client_credentials' && all.clientType !== 'confidential' ? 'Public clients cannot use client credentials.' : null) });
  }
  f.push({ name: 'redirectUris', label: 'Redirect URIs (one per line)', type: 'textarea', rows: 3, value: (a.redirectUris || []).join('\n'),
    help: 'Absolute https URLs (or http on localhost), without a fragment.',
    validate: (v, all) => {
      const l = uriLines(v);
      if ((all.grantType ?? a.grantType) === 'client_credentials') return l.length ? 'Client-credentials applications have no redirect URIs.' : null;
      if (!l.length) return 'At least one redirect URI is required.';
      const bad = l.find((u) => !validUri(u));
      return bad ? `Not a valid redirect URI: ${bad}` : null;
    } });
  return f;
}

function showSecret(app, a) {
  openDialog({ title: `Client secret of ${a.name}`, content: [
    alertBox('warning', 'Copy the secret now: it cannot be shown again.'),
    dl([['Client ID', a.clientId]]),
    h('p', { class: 'secret client-secret', tabindex: '0' }, a.clientSecret),
    h('p', null, copyButton(() => a.clientSecret)),
  ] });
}

export async function render(app, el) {
  el.append(pageHeader('OAuth Applications', button('Create application', () => createApp(app), { kind: 'primary' })));
  const site = location.origin;
  el.append(section('Connecting JupyterHub and Jupyter',
    h('p', null, 'JupyterHub (GenericOAuthenticator): authorize URL ', h('code', null, `${site}/o/authorize/`), ', token URL ', h('code', null, `${site}/o/token/`),
      ', user data URL ', h('code', null, `${site}/api/v1/users/profile`), ', username claim ', h('code', null, 'email'), '.'),
    h('p', null, 'Jupyter SMART-on-FHIR extension: issuer ', h('code', null, `${site}/FHIR/R5`), ', scopes ', h('code', null, 'openid fhirUser user/*.rs'), '.')));
  const list = await get('oauth_applications', { page: app.pageNum(), pageSize: app.pageSize() });
  el.append(table({ caption: 'OAuth applications', rows: list.results || [], empty: 'No applications.', columns: [
    { label: 'Name', render: (a) => a.name },
    { label: 'Client ID', render: (a) => a.clientId },
    { label: 'Type', render: (a) => a.clientType },
    { label: 'Grant type', render: (a) => a.grantType },
    { label: 'Redirect URIs', class: 'multiline', render: (a) => (a.redirectUris || []).join('\n') },
    { label: 'Actions', render: (a) => rowActions(
      button('Edit', () => editApp(app, a), { class: 'btn-small', ariaLabel: `Edit ${a.name}` }),
      a.clientType === 'confidential' ? button('Rotate secret', async () => {
        let r = null;
        const ok = await confirmAndRun(app, 'Rotate secret', `Issue a new secret for "${a.name}"? The old secret stops working immediately.`, async () => { r = await post(`oauth_applications/${a.id}/rotate_secret`); }, { confirmLabel: 'Rotate', danger: true });
        if (ok && r) showSecret(app, r);
      }, { class: 'btn-small' }) : null,
      button('Delete', async () => {
        const ok = await confirmAndRun(app, 'Delete application', `Delete "${a.name}"? Users of this application will be signed out.`, () => del(`oauth_applications/${a.id}`), { success: `Application "${a.name}" deleted.` });
        if (ok) app.setParams({}, { push: false });
      }, { class: 'btn-small', ariaLabel: `Delete ${a.name}` })) },
  ] }));
  el.append(pagerFor(app, list));
}

async function createApp(app) {
  const a = await formDialog({ title: 'Create an OAuth application', fields: fields(), submitLabel: 'Create', after: addGenerate,
    onSubmit: (v) => post('oauth_applications', { name: v.name, clientId: v.clientId, clientType: v.clientType, grantType: v.grantType, redirectUris: uriLines(v.redirectUris) }) });
  if (a) {
    app.setParams({}, { push: false });
    if (a.clientSecret) showSecret(app, a); else app.pageAlert('success', `Application "${a.name}" created.`);
  }
}

async function editApp(app, a) {
  const saved = await formDialog({ title: `Edit ${a.name}`, fields: fields(a, false),
    onSubmit: (v) => patch(`oauth_applications/${a.id}`, { name: v.name, redirectUris: uriLines(v.redirectUris) }) });
  if (saved) { app.pageAlert('success', 'Application saved.'); app.setParams({}, { push: false }); }
}
