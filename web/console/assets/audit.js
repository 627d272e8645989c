// §5.9 Audit log (superusers, read-only) with filters kept in the URL.
import { h, button, table, nextId, fmtTime } from './dom.js';
import { get } from './api.js';
import { pageHeader, pagerFor } from './ui.js';

// data-model.md §8.8
export const ACTIONS = ['read', 'search', 'create', 'update', 'delete', 'login.success', 'login.failure', 'logout',
  'token.issued', 'token.refreshed', 'token.revoked', 'token.reuse_detected', 'client.auth_failure',
  'invitation.redeemed', 'invitation.redeem_failed', 'access.denied'];

function outcomeClass(n) {
  if (n >= 500) return 'chip-declined';
  if (n >= 400) return 'chip-pending';
  return 'chip-granted';
}

// datetime-local value <-> ISO
function toIso(local) { if (!local) return null; const d = new Date(local); return Number.isNaN(d.getTime()) ? null : d.toISOString(); }
function toLocal(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export async function render(app, el) {
  el.append(pageHeader('Audit Log'));
  const f = {
    patientId: app.param('patientId') || '', userId: app.param('userId') || '',
    action: (app.param('action') || '').split(',').filter(Boolean), since: app.param('since') || '', until: app.param('until') || '',
  };
  const ids = { p: nextId('a'), u: nextId('a'), a: nextId('a'), s: nextId('a'), t: nextId('a') };
  const pid = h('input', { id: ids.p, inputmode: 'numeric', value: f.patientId });
  const uid = h('input', { id: ids.u, inputmode: 'numeric', value: f.userId });
  const act = h('select', { id: ids.a, multiple: true, size: 4 }, ACTIONS.map((a) => h('option', { value: a, selected: f.action.includes(a) || null }, a)));
  const since = h('input', { id: ids.s, type: 'datetime-local', value: toLocal(f.since) });
  const until = h('input', { id: ids.t, type: 'datetime-local', value: toLocal(f.until) });
  const form = h('form', { class: 'toolbar audit-filters', onsubmit: (ev) => {
    ev.preventDefault();
    app.setParams({ patientId: pid.value.trim() || null, userId: uid.value.trim() || null,
      action: [...act.selectedOptions].map((o) => o.value).join(',') || null,
      since: toIso(since.value), until: toIso(until.value), page: null });
  } },
  h('div', { class: 'field' }, h('label', { for: ids.p }, 'Patient ID'), pid),
  h('div', { class: 'field' }, h('label', { for: ids.u }, 'User ID'), uid),
  h('div', { class: 'field' }, h('label', { for: ids.a }, 'Action'), act),
  h('div', { class: 'field' }, h('label', { for: ids.s }, 'From'), since),
  h('div', { class: 'field' }, h('label', { for: ids.t }, 'To'), until),
  h('div', { class: 'field' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Apply filters'),
    button('Clear', () => app.setParams({ patientId: null, userId: null, action: null, since: null, until: null, page: null }))));
  el.append(form);
  const list = await get('audit_events', { patientId: f.patientId || undefined, userId: f.userId || undefined, action: f.action.join(',') || undefined,
    since: f.since || undefined, until: f.until || undefined, page: app.pageNum(), pageSize: app.pageSize() });
  const filterLink = (key, v) => (v === null || v === undefined ? '' : button(String(v), () => app.setParams({ [key]: v, page: null }), { class: 'btn-link', title: `Filter by ${key === 'patientId' ? 'patient' : 'user'} ${v}` }));
  el.append(table({ caption: 'Audit events', rows: list.results || [], empty: 'No events match.', columns: [
    { label: 'Time', render: (e) => h('time', { datetime: e.time, title: `${e.time} (UTC)` }, fmtTime(e.time)) },
    { label: 'User ID', render: (e) => filterLink('userId', e.userId) },
    { label: 'Client', render: (e) => e.oauthClientId || '' },
    { label: 'Action', render: (e) => e.action },
    { label: 'Resource', render: (e) => (e.resourceType ? `${e.resourceType}${e.resourceId !== null && e.resourceId !== undefined ? `/${e.resourceId}` : ''}` : '') },
    { label: 'Patient ID', render: (e) => filterLink('patientId', e.patientId) },
    { label: 'Outcome', render: (e) => h('span', { class: ['chip', outcomeClass(e.outcome)] }, String(e.outcome)) },
    { label: 'Source address', render: (e) => e.sourceAddress || '' },
    { label: 'Request ID', render: (e) => h('details', { class: 'json-toggle' }, h('summary', null, (e.requestId || '').slice(0, 8) || 'details'),
      h('p', null, e.requestId || ''), h('p', null, `${e.method || ''} ${e.path || ''}`), h('pre', { class: 'json' }, JSON.stringify(e.detail, null, 2))) },
  ] }));
  el.append(pagerFor(app, list));
}
