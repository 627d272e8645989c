// Screen building blocks on top of dom.js: page headers, form dialogs with server errors next to fields.
import { h, openDialog, makeForm, confirmDialog, pager, append } from './dom.js';
import { ApiError } from './api.js';

export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' }, h('h1', { id: 'page-title' }, title),
    h('div', { class: 'page-actions' }, actions));
}

export function toolbar(...items) { return h('div', { class: 'toolbar' }, items); }

// Show an API error inside a form: 400 objects next to the fields (camelCase names), the rest in
// the dialog banner (console.md §3).
export function showFormError(e, form, dlg, fieldMap = {}) {
  if (e instanceof ApiError && e.status === 400 && e.fields) {
    const errs = {};
    const rest = [];
    for (const [k, v] of Object.entries(e.fields)) {
      const name = fieldMap[k] || k;
      if (form.field(name) && !form.field(name).row.hidden) errs[name] = v; else rest.push(`${k} - ${v}`);
    }
    form.setErrors(errs, rest);
    if (dlg) dlg.banner('error', 'Please correct the highlighted fields.');
    return;
  }
  if (e && e.status === 401) return;
  if (dlg) dlg.banner('error', e.message); else throw e;
}

// A dialog holding a form. onSubmit(values, form, dlg) may throw ApiError; returns true to close.
// Resolves with the value returned by onSubmit (or null when cancelled).
export function formDialog({ title, fields, submitLabel = 'Save', onSubmit, intro, extra, wide, fieldMap, onClose, after }) {
  return new Promise((resolve) => {
    let result = null;
    let dlg;
    const form = makeForm({
      fields, submitLabel, extra,
      onCancel: () => dlg.close(),
      onSubmit: async (values, f) => {
        dlg.banner(null, null);
        try {
          const r = await onSubmit(values, f, dlg);
          if (r !== false) { result = r === undefined ? true : r; dlg.close(); }
        } catch (e) {
          showFormError(e, f, dlg, fieldMap);
        }
      },
    });
    dlg = openDialog({ title, wide, content: [intro ? h('div', { class: 'dialog-intro' }, intro) : null, form.el], onClose: () => { if (onClose) onClose(); resolve(result); } });
    if (after) after(form, dlg);
    const first = form.el.querySelector('input:not([type=hidden]):not([disabled]), select, textarea');
    if (first) first.focus();
  });
}

// Confirm, then run fn; errors go to the page alert (or open dialog). Returns true on success.
export async function confirmAndRun(app, title, message, fn, opts = {}) {
  if (!(await confirmDialog(title, message, { confirmLabel: opts.confirmLabel || 'Delete', danger: opts.danger !== false }))) return false;
  try { await fn(); if (opts.success) app.pageAlert('success', opts.success); return true; } catch (e) { app.showError(e); return false; }
}

export function pagerFor(app, envelope) {
  return pager({
    count: envelope.count || 0, page: app.pageNum(), pageSize: app.pageSize(),
    onChange: ({ page, pageSize }) => app.setParams({ page: page > 1 ? page : null, pageSize: pageSize !== 20 ? pageSize : null }),
  });
}

// Row action buttons (small), filtering out nulls.
export function rowActions(...btns) { return h('div', { class: 'row-actions' }, btns.filter(Boolean)); }

export function section(title, ...content) {
  return h('section', { class: 'panel' }, h('h3', null, title), ...content);
}

export function textOrDash(v) { return v === null || v === undefined || v === '' ? '—' : String(v); }

export function isValidEmail(v) { return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v); }

export function isHttpsUrl(v) {
  try { const u = new URL(v); return u.protocol === 'https:'; } catch { return false; }
}

export { append };
