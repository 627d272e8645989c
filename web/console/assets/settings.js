// §5.8 System settings (superusers). The value input follows the value type; JSON is parsed in the browser.
import { h, button, table, nextId } from './dom.js';
import { get, post, patch, del } from './api.js';
import { pageHeader, formDialog, confirmAndRun, pagerFor, rowActions } from './ui.js';

export const KNOWN = {
  'site.url': 'The public address of this server (absolute http/https URL). Changing it also rewrites the redirect URIs of clients that use <old>/auth/callback.',
  'site.ui.title': 'The title shown on the login page.',
  'site.time_zone': 'The time zone of the site (informational).',
  'auth.default_orgs': '`<organization id>:<role>` pairs separated by `;` (e.g. 20001:viewer;20002:manager), given to new practitioners.',
  'auth.patient.invitation_expiration_days': 'Days an unused invitation link stays valid (1–365).',
  'auth.patient.invitation_redemption_window_hours': 'Hours during which a redeemed invitation may be redeemed again (0–720).',
  'auth.patient_access_clients': 'JSON list (kept for parity with the reference).',
};

function pretty(s) {
  if (s.valueType === 'json') return h('pre', { class: 'json' }, JSON.stringify(s.resolvedValue, null, 2));
  if (s.valueType === 'bool') return s.resolvedValue ? 'true' : 'false';
  return s.resolvedValue === null || s.resolvedValue === undefined ? '' : String(s.resolvedValue);
}

function valueText(s) {
  if (!s) return '';
  if (s.valueType === 'json') return JSON.stringify(s.resolvedValue, null, 2);
  return s.resolvedValue === null || s.resolvedValue === undefined ? '' : String(s.resolvedValue);
}

// The value field: one input per type; switching the type switches the visible input.
function valueField(s) {
  const ids = {};
  return {
    name: 'value', label: 'Value', type: 'custom',
    render: (common) => {
      const box = h('div', { class: 'value-inputs', id: common.id, tabindex: '-1' });
      ids.text = h('input', { type: 'text', class: 'v-string', 'aria-label': 'Value (text)' });
      ids.num = h('input', { type: 'number', step: 'any', class: 'v-number', 'aria-label': 'Value (number)' });
      const boolId = nextId('vbool');
      ids.bool = h('input', { type: 'checkbox', id: boolId, class: 'v-bool' });
      ids.boolRow = h('div', { class: 'switch' }, ids.bool, h('label', { for: boolId }, 'true (checked) / false'));
      ids.json = h('textarea', { rows: 6, class: 'v-json', 'aria-label': 'Value (JSON)' });
      const t = s?.valueType || 'string';
      ids.text.value = t === 'string' ? valueText(s) : '';
      ids.num.value = t === 'int' || t === 'float' ? valueText(s) : '';
      ids.bool.checked = t === 'bool' ? !!s.resolvedValue : false;
      ids.json.value = t === 'json' ? valueText(s) : '';
      box.append(ids.text, ids.num, ids.boolRow, ids.json);
      box.show = (type) => {
        ids.text.hidden = type !== 'string';
        ids.num.hidden = !(type === 'int' || type === 'float');
        ids.num.step = type === 'int' ? '1' : 'any';
        ids.boolRow.hidden = type !== 'bool';
        ids.json.hidden = type !== 'json';
        box.type = type;
      };
      box.show(t);
      return box;
    },
    getValue: (box) => {
      switch (box.type) {
        case 'bool': return ids.bool.checked;
        case 'int': case 'float': return ids.num.value.trim() === '' ? '' : ids.num.value.trim();
        case 'json': return ids.json.value.trim() === '' ? '' : { json: ids.json.value };
        default: return ids.text.value;
      }
    },
    validate: (v, all) => {
      // An empty text is a valid string value (several seeded settings are ""); other types need a value.
      if (all.valueType !== 'string' && all.valueType !== 'bool' && (v === '' || (v && v.json !== undefined && !v.json.trim()))) return 'Value is required.';
      if (all.valueType === 'int' && !/^-?\d+$/.test(String(v))) return 'Value must be an integer.';
      if (all.valueType === 'float' && !Number.isFinite(Number(v))) return 'Value must be a number.';
      if (all.valueType === 'json') { try { JSON.parse(v.json); } catch { return 'Value must be valid JSON.'; } }
      return null;
    },
  };
}

function toBody(v) {
  let value = v.value;
  if (v.valueType === 'int') value = Number.parseInt(value, 10);
  else if (v.valueType === 'float') value = Number(value);
  else if (v.valueType === 'json') value = JSON.parse(value.json);
  return { key: v.key, valueType: v.valueType, value };
}

async function settingDialog(app, s) {
  const types = Object.entries(window.CONSTANTS.JHE_SETTING_VALUE_TYPES);
  const help = h('p', { class: 'help setting-help', 'aria-live': 'polite' });
  return formDialog({
    title: s ? `Edit ${s.key}` : 'Create a setting',
    fields: [
      { name: 'key', label: 'Key', required: true, requiredMessage: 'Key is required.', value: s?.key || '' },
      { name: 'valueType', label: 'Value type', type: 'select', required: true, requiredMessage: 'Value type is required.', value: s?.valueType || '', options: [['', 'Choose a type…'], ...types] },
      valueField(s),
    ],
    submitLabel: s ? 'Save' : 'Create',
    after: (form) => {
      const key = form.field('key').input;
      const vt = form.field('valueType').input;
      const box = form.field('value').input;
      const updHelp = () => { help.textContent = KNOWN[key.value.trim()] || ''; };
      key.addEventListener('input', updHelp);
      form.field('key').row.append(help);
      updHelp();
      vt.addEventListener('change', () => box.show(vt.value || 'string'));
      box.show(vt.value || 'string');
    },
    onSubmit: (v) => (s ? patch(`jhe_settings/${s.id}`, toBody(v)) : post('jhe_settings', toBody(v))),
  });
}

export async function render(app, el) {
  el.append(pageHeader('System Settings', button('Create setting', async () => {
    const r = await settingDialog(app, null);
    if (r) { app.pageAlert('success', `Setting "${r.key}" created.`); app.setParams({}, { push: false }); }
  }, { kind: 'primary' })));
  const list = await get('jhe_settings', { page: app.pageNum(), pageSize: app.pageSize() });
  el.append(table({ caption: 'System settings', rows: list.results || [], empty: 'No settings.', columns: [
    { label: 'ID', render: (s) => String(s.id) },
    { label: 'Key', render: (s) => [h('code', { class: 'setting-key' }, s.key), KNOWN[s.key] ? h('p', { class: 'help' }, KNOWN[s.key]) : null] },
    { label: 'Value type', render: (s) => s.valueType },
    { label: 'Value', render: (s) => pretty(s) },
    { label: 'Actions', render: (s) => rowActions(
      button('Edit', async () => { const r = await settingDialog(app, s); if (r) { app.pageAlert('success', 'Setting saved.'); app.setParams({}, { push: false }); } }, { class: 'btn-small', ariaLabel: `Edit ${s.key}` }),
      button('Delete', async () => {
        const ok = await confirmAndRun(app, 'Delete setting', `Delete the setting "${s.key}"? The server falls back to its default.`, () => del(`jhe_settings/${s.id}`), { success: `Setting "${s.key}" deleted.` });
        if (ok) app.setParams({}, { push: false });
      }, { class: 'btn-small', ariaLabel: `Delete ${s.key}` })) },
  ] }));
  el.append(pagerFor(app, list));
}
