// DOM helpers: elements are built with h(); server strings are always inserted as text, never HTML.

let uid = 0;
export function nextId(prefix = 'f') { uid += 1; return `${prefix}-${uid}`; }

// h('button', {class: 'x', onclick: fn, disabled: true}, 'text', child, [more])
export function h(tag, attrs, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) : document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value' && !svg) el.value = v;
      else if (k === 'checked' && !svg) el.checked = !!v;
      else if (k === 'text') el.textContent = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

export function replace(el, ...children) { clear(el); return append(el, children); }

// An alert box; kind: 'error' | 'info' | 'success' | 'warning'.
export function alertBox(kind, message, extra) {
  return h('div', { class: ['alert', `alert-${kind}`], role: kind === 'error' ? 'alert' : 'status' },
    h('span', { class: 'alert-icon', 'aria-hidden': 'true' }, { error: '!', info: 'i', success: '✓', warning: '!' }[kind] || ''),
    h('div', { class: 'alert-body' }, message, extra || null));
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function chip(text, cls) { return h('span', { class: ['chip', cls] }, text); }

export function button(label, onclick, opts = {}) {
  return h('button', { type: opts.type || 'button', class: ['btn', opts.kind ? `btn-${opts.kind}` : null, opts.class], onclick, title: opts.title, 'aria-label': opts.ariaLabel, disabled: opts.disabled, dataset: opts.dataset }, label);
}

// ---------------------------------------------------------------------------------------------
// Dialogs (native <dialog>: focus trap, Escape, modal). Returns {dlg, body, banner(), close()}.
const openDialogs = [];
export function openDialog({ title, wide = false, onClose, content, actions }) {
  const titleId = nextId('dlg-title');
  const bannerEl = h('div', { class: 'dialog-banner', 'aria-live': 'polite' });
  const body = h('div', { class: 'dialog-body' });
  const closeBtn = h('button', { type: 'button', class: 'btn btn-icon dialog-close', 'aria-label': 'Close' }, '×');
  const dlg = h('dialog', { class: ['dialog', wide ? 'dialog-wide' : null], 'aria-labelledby': titleId },
    h('header', { class: 'dialog-header' }, h('h2', { id: titleId }, title), closeBtn),
    bannerEl, body);
  const footer = h('footer', { class: 'dialog-footer' });
  if (actions) { append(footer, actions); dlg.append(footer); }
  let closed = false;
  const api = {
    dlg, body, footer,
    banner(kind, msg) { replace(bannerEl, msg ? alertBox(kind, msg) : null); if (msg) bannerEl.scrollIntoView({ block: 'nearest' }); },
    close() { if (!closed) dlg.close(); },
    setTitle(t) { dlg.querySelector('h2').textContent = t; },
  };
  closeBtn.addEventListener('click', () => api.close());
  dlg.addEventListener('close', () => {
    closed = true;
    dlg.remove();
    const i = openDialogs.indexOf(api);
    if (i >= 0) openDialogs.splice(i, 1);
    if (onClose) onClose();
  });
  if (content) append(body, [content]);
  document.body.append(dlg);
  dlg.showModal();
  openDialogs.push(api);
  return api;
}

export function topDialog() { return openDialogs[openDialogs.length - 1] || null; }
export function closeAllDialogs() { for (const d of [...openDialogs]) d.close(); }

// A confirmation dialog; resolves true/false.
export function confirmDialog(title, message, { confirmLabel = 'Confirm', danger = false } = {}) {
  return new Promise((resolve) => {
    let result = false;
    const ok = button(confirmLabel, () => { result = true; d.close(); }, { kind: danger ? 'danger' : 'primary' });
    const cancel = button('Cancel', () => d.close());
    const d = openDialog({
      title,
      content: Array.isArray(message) ? message.map((m) => h('p', null, m)) : h('p', null, message),
      actions: [cancel, ok],
      onClose: () => resolve(result),
    });
    ok.focus();
  });
}

// ---------------------------------------------------------------------------------------------
// Forms. fields: [{name, label, type, options:[[value,label]], required, value, help, placeholder,
//   validate(value, values) -> message|null, rows, min, max, step, autocomplete}]
// Returns {el, values(), setErrors(obj), clearErrors(), field(name), submitting(bool)}.
export function makeForm({ fields, submitLabel = 'Save', onSubmit, onCancel, extra }) {
  const byName = {};
  const errorList = h('ul', { class: 'form-errors', hidden: true, 'aria-live': 'assertive' });
  const form = h('form', { class: 'form', novalidate: true }, errorList);
  for (const f of fields) {
    const id = nextId('fld');
    const errId = `${id}-err`;
    const helpId = f.help ? `${id}-help` : null;
    let input;
    const common = { id, name: f.name, 'aria-describedby': [helpId, errId].filter(Boolean).join(' '), required: f.required || null, disabled: f.disabled || null };
    if (f.type === 'select') {
      input = h('select', common, (f.options || []).map(([v, l]) => h('option', { value: v }, l)));
      if (f.value !== undefined && f.value !== null) input.value = String(f.value);
    } else if (f.type === 'textarea') {
      input = h('textarea', { ...common, rows: f.rows || 4, placeholder: f.placeholder });
      input.value = f.value ?? '';
    } else if (f.type === 'checkbox') {
      input = h('input', { ...common, type: 'checkbox', checked: !!f.value });
    } else if (f.type === 'custom') {
      input = f.render(common);
    } else {
      input = h('input', { ...common, type: f.type || 'text', placeholder: f.placeholder, min: f.min, max: f.max, step: f.step, autocomplete: f.autocomplete || 'off', inputmode: f.inputmode });
      input.value = f.value ?? '';
    }
    const err = h('p', { class: 'field-error', id: errId, hidden: true });
    const label = h('label', { for: id }, f.label, f.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
    const row = f.type === 'checkbox'
      ? h('div', { class: 'field field-check' }, input, label, err)
      : h('div', { class: 'field' }, label, f.help ? h('p', { class: 'help', id: helpId }, f.help) : null, input, err);
    if (f.hidden) row.hidden = true;
    byName[f.name] = { f, input, err, row };
    form.append(row);
  }
  if (extra) append(form, [extra]);
  const submitBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel);
  const actions = h('div', { class: 'form-actions' },
    onCancel ? button('Cancel', onCancel) : null, submitBtn);
  form.append(actions);

  const api = {
    el: form,
    field(name) { return byName[name]; },
    value(name) {
      const x = byName[name];
      if (!x) return undefined;
      if (x.f.type === 'checkbox') return x.input.checked;
      if (x.f.type === 'custom') return x.f.getValue(x.input);
      return typeof x.input.value === 'string' ? x.input.value.trim() : x.input.value;
    },
    values() { const o = {}; for (const n of Object.keys(byName)) o[n] = api.value(n); return o; },
    clearErrors() {
      errorList.hidden = true; clear(errorList);
      for (const { input, err } of Object.values(byName)) { err.hidden = true; err.textContent = ''; input.removeAttribute('aria-invalid'); }
    },
    // errs: {field: message} (field names as in the form; unknown names go to the list on top)
    setErrors(errs, listOnly = []) {
      api.clearErrors();
      let first = null;
      const top = [...listOnly];
      for (const [name, msg] of Object.entries(errs || {})) {
        const x = byName[name];
        if (x && !x.row.hidden) {
          x.err.textContent = msg; x.err.hidden = false; x.input.setAttribute('aria-invalid', 'true');
          if (!first) first = x.input;
        }
        top.push(`${name} - ${msg}`);
      }
      if (top.length) { errorList.hidden = false; append(errorList, top.map((t) => h('li', null, t))); }
      if (first && first.focus) first.focus();
    },
    // Client-side messages: next to their fields only (no list on top), focus on the first.
    fieldErrors(errs) {
      api.clearErrors();
      let first = null;
      for (const [name, msg] of Object.entries(errs || {})) {
        const x = byName[name];
        if (!x) continue;
        x.err.textContent = msg; x.err.hidden = false; x.input.setAttribute('aria-invalid', 'true');
        if (!first) first = x.input;
      }
      if (first && first.focus) first.focus();
    },
    validate() {
      const vals = api.values();
      const errs = {};
      for (const [name, { f, row }] of Object.entries(byName)) {
        if (row.hidden) continue;
        const v = vals[name];
        if (f.required && (v === '' || v === null || v === undefined)) { errs[name] = f.requiredMessage || `${f.label} is required.`; continue; }
        if (f.validate) { const m = f.validate(v, vals); if (m) errs[name] = m; }
      }
      return errs;
    },
    submitting(on) { submitBtn.disabled = on; form.setAttribute('aria-busy', on ? 'true' : 'false'); },
    submitButton: submitBtn,
    actions,
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const errs = api.validate();
    if (Object.keys(errs).length) { api.fieldErrors(errs); return; }
    api.clearErrors();
    api.submitting(true);
    try { await onSubmit(api.values(), api); } finally { api.submitting(false); }
  });
  return api;
}

// ---------------------------------------------------------------------------------------------
// Tables. columns: [{label, render(row) -> node|string, class}], rows. Options: caption, empty.
export function table({ columns, rows, caption, empty = 'Nothing to show.', rowAttrs }) {
  const t = h('table', { class: 'table' },
    caption ? h('caption', { class: 'sr-only' }, caption) : null,
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))));
  const tb = h('tbody');
  if (!rows.length) {
    tb.append(h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, empty)));
  }
  for (const r of rows) {
    const tr = h('tr', rowAttrs ? rowAttrs(r) : null);
    for (const c of columns) {
      const v = c.render(r);
      tr.append(h('td', { class: c.class, 'data-label': typeof c.label === 'string' ? c.label : null }, v));
    }
    tb.append(tr);
  }
  t.append(tb);
  return h('div', { class: 'table-wrap' }, t);
}

// Pager for the paging envelope. onChange({page, pageSize}).
export const PAGE_SIZES = [20, 100, 500, 1000];
export function pager({ count, page, pageSize, onChange }) {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const sizeId = nextId('pgsize');
  const sel = h('select', { id: sizeId, onchange: () => onChange({ page: 1, pageSize: Number(sel.value) }) },
    PAGE_SIZES.map((s) => h('option', { value: s }, String(s))));
  sel.value = String(pageSize);
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h('span', { class: 'pager-count' }, `${count} ${count === 1 ? 'item' : 'items'}`),
    button('‹ Previous', () => onChange({ page: page - 1, pageSize }), { disabled: page <= 1, class: 'pager-prev' }),
    h('span', { class: 'pager-page', 'aria-live': 'polite' }, `Page ${Math.min(page, pages)} of ${pages}`),
    button('Next ›', () => onChange({ page: page + 1, pageSize }), { disabled: page >= pages, class: 'pager-next' }),
    h('label', { for: sizeId, class: 'pager-size' }, 'Per page'), sel);
}

// A labelled select. options: [[value, label]]
export function selectField(label, options, value, onchange, { id = nextId('sel'), name } = {}) {
  const sel = h('select', { id, name, onchange: () => onchange(sel.value) }, options.map(([v, l]) => h('option', { value: v }, l)));
  if (value !== undefined && value !== null) sel.value = String(value);
  return h('div', { class: 'field field-inline' }, h('label', { for: id }, label), sel);
}

export function copyButton(getText, label = 'Copy') {
  const b = button(label, async () => {
    const text = getText();
    try { await navigator.clipboard.writeText(text); b.textContent = 'Copied'; } catch { b.textContent = 'Select and copy the text'; }
    setTimeout(() => { b.textContent = label; }, 2000);
  });
  return b;
}

export function dl(pairs) {
  return h('dl', { class: 'details' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v ?? '')]));
}

export function loading(text = 'Loading…') { return h('p', { class: 'loading', role: 'status' }, text); }
