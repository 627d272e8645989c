// §5.2 Patients: find-or-create, edit, remove, view (consents, apps and invitations), batch enrolment.
import { h, button, openDialog, table, dl, loading, replace, alertBox, makeForm, copyButton, fmtTime, chip, confirmDialog, nextId, selectField } from './dom.js';
import { get, post, patch, del } from './api.js';
import { ifRoleCan } from './perms.js';
import { pageHeader, toolbar, formDialog, confirmAndRun, section, pagerFor, rowActions, isValidEmail, showFormError, textOrDash } from './ui.js';
import { orgAndStudy, studySelector } from './selection.js';

const PHONE_RE = /^[0-9+\-() .]{7,}$/;

export function patientName(p) { return [p.nameFamily, p.nameGiven].filter(Boolean).join(', ') || `Patient ${p.id}`; }

function identifiersText(p) { return (p.identifiers || []).map((i) => `${i.system}|${i.value}`).join('\n'); }

// ---------------------------------------------------------------------------------------------
// Identifier rows (custom form field).
function identifiersField(initial = []) {
  return {
    name: 'identifiers', label: 'External identifiers', type: 'custom',
    help: 'System and value of each identifier (e.g. urn:oid:1.2.3.4 | E5678).',
    render: (common) => {
      const box = h('div', { id: common.id, class: 'identifiers', 'aria-describedby': common['aria-describedby'], tabindex: '-1' });
      const rows = h('div');
      const addRow = (sys = '', val = '') => {
        const sid = nextId('idsys');
        const vid = nextId('idval');
        const row = h('div', { class: 'identifier-row' },
          h('label', { for: sid, class: 'sr-only' }, 'Identifier system'),
          h('input', { id: sid, class: 'id-system', placeholder: 'System', value: sys }),
          h('label', { for: vid, class: 'sr-only' }, 'Identifier value'),
          h('input', { id: vid, class: 'id-value', placeholder: 'Value', value: val }),
          button('Remove', () => row.remove(), { class: 'btn-small', ariaLabel: 'Remove this identifier' }));
        rows.append(row);
      };
      for (const i of initial) addRow(i.system, i.value);
      box.append(rows, button('Add identifier', () => addRow(), { class: 'btn-small' }));
      return box;
    },
    getValue: (box) => [...box.querySelectorAll('.identifier-row')].map((r) => ({
      system: r.querySelector('.id-system').value.trim(), value: r.querySelector('.id-value').value.trim(),
    })).filter((i) => i.system || i.value),
    validate: (v) => (v.some((i) => !i.system || !i.value) ? 'Each identifier needs a system and a value.' : null),
  };
}

function validBirthDate(v) {
  if (!v) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return 'Enter a valid date of birth (YYYY-MM-DD).';
  const d = new Date(`${v}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) return 'Enter a valid date of birth (YYYY-MM-DD).';
  if (d.getTime() > Date.now()) return 'The date of birth cannot be in the future.';
  return null;
}

function detailFields(p = {}) {
  return [
    { name: 'nameFamily', label: 'Family name', value: p.nameFamily || '', autocomplete: 'off' },
    { name: 'nameGiven', label: 'Given name', value: p.nameGiven || '' },
    { name: 'birthDate', label: 'Date of birth', type: 'date', value: p.birthDate || '', validate: validBirthDate },
    { name: 'telecomPhone', label: 'Phone', type: 'tel', value: p.telecomPhone || '', validate: (v) => (v && !PHONE_RE.test(v) ? 'Enter a valid phone number.' : null) },
    identifiersField(p.identifiers || []),
  ];
}

function detailBody(v) {
  return { nameFamily: v.nameFamily, nameGiven: v.nameGiven, birthDate: v.birthDate || null, telecomPhone: v.telecomPhone, identifiers: v.identifiers };
}

// ---------------------------------------------------------------------------------------------
export async function render(app, el) {
  el.append(pageHeader('Patients'));
  const sel = await orgAndStudy(app);
  if (!sel) { el.append(app.noOrgsMessage()); return; }
  const { orgs, orgId, studies, studyId, org } = sel;
  const role = app.roleFor(orgId);
  const canManage = ifRoleCan(role, 'patient.manage_for_organization');
  const canStudy = ifRoleCan(role, 'study.manage_for_organization');
  const ctx = { app, orgId, org, studies, studyId, canManage, canStudy };

  const list = await get('patients', { organizationId: orgId, studyId: studyId || undefined, page: app.pageNum(), pageSize: app.pageSize() });
  app.rememberSelection(orgId, studyId);
  const header = el.querySelector('.page-actions');
  if (canManage) header.append(button('Add patient', () => addPatient(ctx), { kind: 'primary', class: 'add-patient' }));

  el.append(toolbar(app.orgSelector(orgs, orgId), studySelector(app, studies, studyId)));

  const selected = new Set();
  const batchBtns = [];
  if (canStudy) {
    const addBtn = button('Add to study…', () => addToStudy(ctx, [...selected]), { disabled: true, class: 'batch-add' });
    batchBtns.push(addBtn);
    if (studyId) batchBtns.push(button('Remove from study', () => removeFromStudy(ctx, [...selected]), { disabled: true, class: 'batch-remove' }));
  }
  const updateBatch = () => { for (const b of batchBtns) b.disabled = selected.size === 0; };
  const allBox = h('input', { type: 'checkbox', 'aria-label': 'Select all patients on this page', onchange: () => {
    for (const cb of el.querySelectorAll('.row-select')) { cb.checked = allBox.checked; cb.dispatchEvent(new Event('change')); }
  } });
  const columns = [
    { label: allBox, render: (p) => h('input', { type: 'checkbox', class: 'row-select', 'aria-label': `Select ${patientName(p)}`, onchange: (ev) => { if (ev.target.checked) selected.add(p.id); else selected.delete(p.id); updateBatch(); } }) },
    { label: 'Patient ID', render: (p) => String(p.id) },
    { label: 'User ID', render: (p) => textOrDash(p.jheUserId) },
    { label: 'External IDs', class: 'multiline', render: (p) => identifiersText(p) },
    { label: 'Family name', render: (p) => p.nameFamily || '' },
    { label: 'Given name', render: (p) => p.nameGiven || '' },
    { label: 'Date of birth', render: (p) => p.birthDate || '' },
    { label: 'Email', render: (p) => p.telecomEmail || '' },
    { label: 'Phone', render: (p) => p.telecomPhone || '' },
    { label: 'Actions', render: (p) => rowActions(
      button('View', () => viewPatient(ctx, p.id), { class: 'btn-small', ariaLabel: `View ${patientName(p)}` }),
      canManage ? button('Edit', () => editPatient(ctx, p), { class: 'btn-small', ariaLabel: `Edit ${patientName(p)}` }) : null,
      canManage ? button('Remove', () => removePatient(ctx, p), { class: 'btn-small', ariaLabel: `Remove ${patientName(p)}` }) : null) },
  ];
  if (batchBtns.length) el.append(h('div', { class: 'toolbar batch' }, h('span', { class: 'muted' }, 'With the selected patients:'), batchBtns));
  el.append(table({ columns: batchBtns.length ? columns : columns.slice(1), rows: list.results || [], caption: 'Patients', empty: studyId ? 'No patients are enrolled in this study.' : 'No patients in this organization.' }));
  el.append(pagerFor(app, list));

  const dialog = app.param('dialog');
  const id = app.param('id');
  if (dialog === 'read' && id) viewPatient(ctx, id);
  else if (dialog === 'create' && canManage) addPatient(ctx);
  else if (dialog === 'update' && id && canManage) {
    const p = (list.results || []).find((x) => String(x.id) === id);
    if (p) editPatient(ctx, p);
  }
}

// ---------------------------------------------------------------------------------------------
// Add patient (find or create).
async function addPatient(ctx) {
  const { app, orgId, org } = ctx;
  app.dialogOpened('create');
  let done = null;
  const d = openDialog({ title: `Add a patient to ${org.name}`, wide: true, onClose: () => { app.dialogClosed(); if (done) app.setParams({}, { push: false }); } });
  const stageEmail = () => {
    const f = makeForm({
      fields: [{ name: 'email', label: 'Email', type: 'email', required: true, requiredMessage: 'Email is required.', validate: (v) => (isValidEmail(v) ? null : 'Enter a valid email address.') }],
      submitLabel: 'Continue',
      onCancel: () => d.close(),
      onSubmit: async (v) => {
        d.banner(null, null);
        try {
          const found = await get('patients/global_lookup', { email: v.email });
          const p = found && found[0];
          if (!p) { stageCreate(v.email); return; }
          if ((p.organizations || []).some((o) => String(o.id) === String(orgId))) {
            f.fieldErrors({ email: 'This patient is already a member of this organization.' });
            return;
          }
          stageAddExisting(p);
        } catch (e) { showFormError(e, f, d); }
      },
    });
    replace(d.body, h('p', null, 'Enter the patient\'s email first: an existing patient is added instead of creating a duplicate.'), f.el);
    f.el.querySelector('input').focus();
  };
  const stageCreate = (email) => {
    const f = makeForm({
      fields: [{ name: 'telecomEmail', label: 'Email', type: 'email', required: true, requiredMessage: 'Email is required.', value: email, validate: (v) => (isValidEmail(v) ? null : 'Enter a valid email address.') }, ...detailFields()],
      submitLabel: 'Create patient',
      onCancel: () => d.close(),
      onSubmit: async (v) => {
        d.banner(null, null);
        try {
          done = await post('patients', { organizationId: Number(orgId), telecomEmail: v.telecomEmail, ...detailBody(v) });
          app.pageAlert('success', `Patient ${patientName(done)} created.`);
          d.close();
        } catch (e) { showFormError(e, f, d); }
      },
    });
    replace(d.body, h('p', null, 'No patient has this email yet. Create one:'), f.el);
    f.el.querySelector('input[name=nameFamily]').focus();
  };
  const stageAddExisting = (p) => {
    const f = makeForm({
      fields: detailFields(p),
      submitLabel: `Add to ${org.name}`,
      onCancel: () => d.close(),
      onSubmit: async (v) => {
        d.banner(null, null);
        try {
          done = await patch(`patients/${p.id}/global_add_organization`, undefined, { organizationId: orgId });
          const body = detailBody(v);
          const before = detailBody({ ...p, identifiers: (p.identifiers || []).map((i) => ({ system: i.system, value: i.value })) });
          if (JSON.stringify(body) !== JSON.stringify(before)) done = await patch(`patients/${p.id}`, body, { organizationId: orgId });
          app.pageAlert('success', `Patient ${patientName(done)} added to ${org.name}.`);
          d.close();
        } catch (e) { showFormError(e, f, d); }
      },
    });
    replace(d.body, alertBox('info', `A patient with this email exists in another organization. Add them to ${org.name}?`),
      dl([['Patient ID', String(p.id)], ['Email', p.telecomEmail], ['Organizations', (p.organizations || []).map((o) => o.name).join(', ')]]),
      h('p', { class: 'muted' }, 'You may correct their details; the changes are saved after they are added.'), f.el);
  };
  stageEmail();
}

async function editPatient(ctx, p) {
  const { app, orgId } = ctx;
  app.dialogOpened('update', p.id);
  const saved = await formDialog({
    title: `Edit ${patientName(p)}`,
    wide: true,
    intro: h('p', { class: 'muted' }, `Email: ${p.telecomEmail || '—'} (cannot be changed here)`),
    fields: detailFields(p),
    onSubmit: (v) => patch(`patients/${p.id}`, detailBody(v), { organizationId: orgId }),
    onClose: () => app.dialogClosed(),
  });
  if (saved) { app.pageAlert('success', 'Patient saved.'); app.setParams({}, { push: false }); }
}

async function removePatient(ctx, p) {
  const { app, orgId, org } = ctx;
  const ok = await confirmAndRun(app, 'Remove patient',
    `Remove ${patientName(p)} from ${org.name}? Their consents and enrolments in this organization's studies are deleted; if this is their last organization, the patient and all their data are deleted.`,
    () => del(`patients/${p.id}`, undefined, { organizationId: orgId }), { confirmLabel: 'Remove', success: `${patientName(p)} removed from ${org.name}.` });
  if (ok) app.setParams({}, { push: false });
}

async function addToStudy(ctx, ids) {
  const { app, studies } = ctx;
  if (!ids.length) return;
  if (!studies.length) { app.pageAlert('info', 'This organization has no studies yet.'); return; }
  const r = await formDialog({
    title: `Add ${ids.length} patient${ids.length === 1 ? '' : 's'} to a study`,
    fields: [{ name: 'studyId', label: 'Study', type: 'select', required: true, requiredMessage: 'Choose a study.', options: [['', 'Choose a study…'], ...studies.map((s) => [s.id, s.name])] }],
    submitLabel: 'Add to study',
    onSubmit: async (v) => { const res = await post(`studies/${v.studyId}/patients`, { patientIds: ids }); return { studyId: v.studyId, n: (res?.studyPatients || ids).length }; },
  });
  if (r) {
    app.setParams({ studyId: r.studyId, page: null });
    app.pageAlert('success', `${r.n} patient${r.n === 1 ? ' was' : 's were'} enrolled in the study.`);
  }
}

async function removeFromStudy(ctx, ids) {
  const { app, studyId, studies } = ctx;
  const s = studies.find((x) => String(x.id) === String(studyId));
  const ok = await confirmAndRun(app, 'Remove from study',
    `Remove ${ids.length} patient${ids.length === 1 ? '' : 's'} from "${s ? s.name : studyId}"? Their consents for this study are deleted and the study no longer sees their data.`,
    () => del(`studies/${studyId}/patients`, { patientIds: ids }), { confirmLabel: 'Remove', success: 'Patients removed from the study.' });
  if (ok) app.setParams({}, { push: false });
}

// ---------------------------------------------------------------------------------------------
// View: details, consents, apps and invitations.
export async function viewPatient(ctx, id) {
  const { app } = ctx;
  app.dialogOpened('read', id);
  const d = openDialog({ title: `Patient ${id}`, wide: true, content: loading(), onClose: () => app.dialogClosed() });
  const reload = async () => {
    let p;
    try { p = await get(`patients/${id}`); } catch (e) { d.banner('error', e.message); replace(d.body); return; }
    d.setTitle(patientName(p));
    const consents = h('div', null, loading());
    const apps = h('div', null, loading());
    replace(d.body,
      section('Details', dl([['Patient ID', String(p.id)], ['User ID', textOrDash(p.jheUserId)], ['Family name', textOrDash(p.nameFamily)], ['Given name', textOrDash(p.nameGiven)],
        ['Date of birth', textOrDash(p.birthDate)], ['Email', textOrDash(p.telecomEmail)], ['Phone', textOrDash(p.telecomPhone)],
        ['External IDs', identifiersText(p) || '—'], ['Organizations', (p.organizations || []).map((o) => o.name).join(', ')]])),
      section('Consents', consents), section('Apps and invitations', apps));
    loadConsents(ctx, p, consents, d, reload);
    loadApps(ctx, p, apps, d);
  };
  await reload();
}

function consentChip(v) {
  if (v === true) return chip('✓ Granted', 'chip-granted');
  if (v === false) return chip('✗ Declined', 'chip-declined');
  return chip('… Pending', 'chip-pending');
}

async function loadConsents(ctx, p, box, d, reload) {
  const { app } = ctx;
  let c;
  try { c = await get(`patients/${p.id}/consents`); } catch (e) { replace(box, alertBox('error', e.message)); return; }
  const canWrite = (study) => app.can(study.organization?.id ?? study.organization, 'patient.manage_for_organization');
  const write = async (method, study, code, consented, verb) => {
    const ok = await confirmDialog('Change consent', [`${verb} "${code.text}" for the study "${study.name}" on behalf of ${patientName(p)}?`, 'The change takes effect for data access immediately.'], { confirmLabel: verb, danger: method === 'DELETE' });
    if (!ok) return;
    const item = { codingSystem: code.codingSystem, codingCode: code.codingCode };
    if (consented !== null) item.consented = consented;
    const body = { studyScopeConsents: [{ studyId: study.id, scopeConsents: [item] }] };
    try {
      if (method === 'POST') await post(`patients/${p.id}/consents`, body);
      else if (method === 'PATCH') await patch(`patients/${p.id}/consents`, body);
      else await del(`patients/${p.id}/consents`, body);
      d.banner('success', 'Consent updated.');
      await loadConsents(ctx, p, box, d, reload);
    } catch (e) { d.banner('error', e.message); }
  };
  const pending = c.studiesPendingConsent || [];
  const responded = c.studies || [];
  replace(box,
    h('h4', null, 'Studies pending response'),
    pending.length ? pending.map((s) => h('div', { class: 'consent-study' },
      h('p', null, h('strong', null, s.name), ` (${s.organization?.name || ''})`),
      table({ caption: `Pending scopes of ${s.name}`, rows: s.pendingScopeConsents || [], columns: [
        { label: 'Scope', render: (sc) => sc.code.text },
        { label: 'Response', render: () => consentChip(null) },
        { label: 'Actions', render: (sc) => (canWrite(s) ? h('div', { class: 'row-actions' },
          button('Record consent', () => write('POST', s, sc.code, true, 'Record consent'), { class: 'btn-small' }),
          button('Record decline', () => write('POST', s, sc.code, false, 'Record decline'), { class: 'btn-small' })) : '') },
      ] }))) : h('p', { class: 'muted' }, 'None.'),
    h('h4', null, 'Studies responded to'),
    responded.length ? responded.map((s) => h('div', { class: 'consent-study' },
      h('p', null, h('strong', null, s.name), ` (${s.organization?.name || ''})`),
      table({ caption: `Consents of ${s.name}`, rows: s.scopeConsents || [], columns: [
        { label: 'Scope', render: (sc) => sc.code.text },
        { label: 'Response', render: (sc) => consentChip(sc.consented) },
        { label: 'Time', render: (sc) => fmtTime(sc.consentedTime) },
        { label: 'Actions', render: (sc) => (canWrite(s) ? h('div', { class: 'row-actions' },
          button(sc.consented ? 'Change to declined' : 'Change to granted', () => write('PATCH', s, sc.code, !sc.consented, sc.consented ? 'Change to declined' : 'Change to granted'), { class: 'btn-small' }),
          button('Withdraw record', () => write('DELETE', s, sc.code, null, 'Withdraw record'), { class: 'btn-small' })) : '') },
      ] }))) : h('p', { class: 'muted' }, 'None.'));
}

const STATUS_LABEL = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : '');

async function loadApps(ctx, p, box, d) {
  const { app, canManage } = ctx;
  let clients;
  try { clients = await get(`patients/${p.id}/consolidated_clients`); } catch (e) { replace(box, alertBox('error', e.message)); return; }
  if (!clients.length) { replace(box, h('p', { class: 'muted' }, 'No apps: the patient is not enrolled in a study with a patient app.')); return; }
  replace(box, clients.map((c) => h('div', { class: 'client-invitations' },
    h('p', null, h('strong', null, c.name), ` (${c.clientId})`, ' ',
      canManage ? button('Generate invitation link', () => generateInvitation(ctx, p, c, box, d), { class: 'btn-small generate-invitation' }) : null),
    table({ caption: `Invitations for ${c.name}`, rows: c.patientInvitations || [], empty: 'No invitations yet.', columns: [
      { label: 'Date', render: (i) => fmtTime(i.lastUpdated) },
      { label: 'Status', render: (i) => STATUS_LABEL(i.status) },
      { label: 'Actions', render: (i) => (canManage && (i.status === 'issued' || i.status === 'redeemed')
        ? button('Cancel', async () => {
          const ok = await confirmDialog('Cancel invitation', [`Cancel this ${i.status} invitation for ${c.name}?`, i.status === 'redeemed' ? 'The invitation was redeemed: the app loses access to the patient\'s data.' : 'The link stops working.'], { confirmLabel: 'Cancel invitation', danger: true });
          if (!ok) return;
          try { await patch(`invitation/${i.id}`, { status: 'cancelled' }); d.banner('success', 'Invitation cancelled.'); await loadApps(ctx, p, box, d); } catch (e) { d.banner('error', e.message); }
        }, { class: 'btn-small' }) : '') },
    ] }))));
  void app;
}

async function generateInvitation(ctx, p, client, box, d) {
  let inv;
  try {
    inv = await post('invitation', { patient_id: p.id, client_id: client.id, send_email: false });
  } catch (e) { d.banner('error', e.message); return; }
  const link = inv.invitationLink;
  const linkId = nextId('invlink');
  openDialog({
    title: `Invitation link for ${client.name}`,
    content: [
      h('label', { for: linkId }, 'Invitation link'),
      h('p', { class: 'secret invitation-link', id: linkId, tabindex: '0' }, link),
      h('p', null, copyButton(() => link)),
      alertBox('warning', 'This link is shown only once. Send it to the patient through a trusted channel; unused, it expires after the invitation period set by the administrators (7 days by default).'),
    ],
    onClose: () => loadApps(ctx, p, box, d),
  });
}

export { selectField };
