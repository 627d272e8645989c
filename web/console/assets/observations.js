// §5.4 Observations: the consent-filtered table (with raw OMH JSON) and per patient/scope charts from FHIR.
import { h, button, table, replace, alertBox, loading, selectField, fmtTime } from './dom.js';
import { get, del, api } from './api.js';
import { ifRoleCan } from './perms.js';
import { pageHeader, toolbar, confirmAndRun, pagerFor } from './ui.js';
import { orgAndStudy, studySelector } from './selection.js';
import { timeChart, fmtValue } from './chart.js';

const MAX_POINTS = 20000;

// Scope -> series definition (console.md §5.4).
export const CHARTS = {
  'omh:heart-rate:2.0': { series: [['Heart rate', 'heart_rate']], unit: 'beats/min' },
  'omh:blood-pressure:4.0': { series: [['Systolic', 'systolic_blood_pressure'], ['Diastolic', 'diastolic_blood_pressure']], unit: 'mmHg' },
  'omh:blood-glucose:4.0': { series: [['Blood glucose', 'blood_glucose']], unit: 'mg/dL' },
  'omh:step-count:3.0': { series: [['Steps', 'step_count']], unit: 'steps', bars: true },
  'omh:body-temperature:4.0': { series: [['Body temperature', 'body_temperature']], unit: null },
  'omh:oxygen-saturation:2.0': { series: [['Oxygen saturation', 'oxygen_saturation']], unit: '%' },
  'omh:respiratory-rate:2.0': { series: [['Respiratory rate', 'respiratory_rate']], unit: null },
  'omh:body-weight:3.0': { series: [['Body weight', 'body_weight']], unit: null },
};

const RANGES = [['day', 'Last day', 1], ['week', 'Last week', 7], ['4weeks', 'Last 4 weeks', 28], ['all', 'All', null]];

export function effectiveTime(omh) {
  const f = omh?.body?.effective_time_frame;
  if (!f) return null;
  return f.date_time || f.time_interval?.start_date_time || null;
}

const DUR_MS = { ps: 1e-9, ns: 1e-6, us: 1e-3, ms: 1, sec: 1e3, min: 60e3, h: 3600e3, d: 86400e3, wk: 604800e3, Mo: 2629746e3, yr: 31556952e3 };
function intervalEnd(omh, startMs) {
  const ti = omh?.body?.effective_time_frame?.time_interval;
  if (!ti) return null;
  if (ti.end_date_time) return Date.parse(ti.end_date_time);
  if (ti.duration && typeof ti.duration.value === 'number' && DUR_MS[ti.duration.unit]) return startMs + ti.duration.value * DUR_MS[ti.duration.unit];
  return null;
}

function decodeAttachment(data) {
  const bin = atob(data);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

// Turn FHIR Observation resources into chart series. Returns {series, skipped, unit}.
export function toSeries(resources, def) {
  const series = def.series.map(([name]) => ({ name, points: [] }));
  let skipped = 0;
  let unit = def.unit;
  for (const r of resources) {
    let omh;
    try { omh = decodeAttachment(r.valueAttachment?.data || ''); } catch { skipped += 1; continue; }
    const startIso = r.effectiveDateTime || r.effectivePeriod?.start || effectiveTime(omh);
    const t = startIso ? Date.parse(startIso) : NaN;
    if (!Number.isFinite(t)) { skipped += 1; continue; }
    let t2 = r.effectivePeriod?.end ? Date.parse(r.effectivePeriod.end) : intervalEnd(omh, t);
    if (!Number.isFinite(t2)) t2 = null;
    let any = false;
    def.series.forEach(([, key], i) => {
      const m = omh?.body?.[key];
      const v = m && typeof m === 'object' ? m.value : m;
      if (typeof v === 'number' && Number.isFinite(v)) {
        series[i].points.push({ t, t2: def.bars ? t2 : null, v, raw: omh, id: r.id });
        any = true;
        if (!unit && m && m.unit) unit = m.unit;
      }
    });
    if (!any) skipped += 1;
  }
  return { series, skipped, unit };
}

export async function render(app, el, seq) {
  el.append(pageHeader('Observations'));
  const sel = await orgAndStudy(app);
  if (!sel) { el.append(app.noOrgsMessage()); return; }
  const { orgs, orgId, studies, studyId } = sel;
  const role = app.roleFor(orgId);
  const view = app.param('view') === 'chart' ? 'chart' : 'table';
  const patients = (await get('patients', { organizationId: orgId, studyId: studyId || undefined, pageSize: 1000 })).results || [];
  app.rememberSelection(orgId, studyId);
  let patientId = app.param('patientId') || '';
  if (patientId && !patients.some((p) => String(p.id) === patientId)) patientId = '';
  if (view === 'chart' && !patientId && patients.length) patientId = String(patients[0].id);
  const pname = (p) => `${[p.nameFamily, p.nameGiven].filter(Boolean).join(', ')} (${p.id})`;
  const viewToggle = h('div', { class: 'view-toggle', role: 'group', 'aria-label': 'View' },
    button('Table', () => app.setParams({ view: null, page: null }), { class: view === 'table' ? 'btn-primary view-table' : 'view-table' }),
    button('Chart', () => app.setParams({ view: 'chart', page: null }), { class: view === 'chart' ? 'btn-primary view-chart' : 'view-chart' }));
  for (const b of viewToggle.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.classList.contains('btn-primary')));
  el.querySelector('.page-actions').append(viewToggle);
  const patientSel = selectField('Patient', [...(view === 'chart' ? [] : [['', 'All patients']]), ...patients.map((p) => [p.id, pname(p)])], patientId,
    (v) => app.setParams({ patientId: v || null, page: null }), { name: 'patientId' });
  el.append(toolbar(app.orgSelector(orgs, orgId), studySelector(app, studies, studyId), patientSel));

  if (view === 'table') {
    await renderTable(app, el, { orgId, studyId, patientId, role });
  } else {
    await renderChart(app, el, { orgId, studyId, patientId, patients, pname, seq });
  }
}

async function renderTable(app, el, { orgId, studyId, patientId, role }) {
  const list = await get('observations', { organizationId: orgId, studyId: studyId || undefined, patientId: patientId || undefined, page: app.pageNum(), pageSize: app.pageSize() });
  app.rememberSelection(orgId, studyId);
  const canDelete = ifRoleCan(role, 'patient.manage_for_organization');
  const columns = [
    { label: 'ID', render: (o) => String(o.id) },
    { label: 'Scope', render: (o) => o.codingText || o.codingCode },
    { label: 'Patient', render: (o) => [o.patientNameFamily, o.patientNameGiven].filter(Boolean).join(', ') },
    { label: 'Patient ID', render: (o) => String(o.subjectPatientId) },
    { label: 'User ID', render: (o) => (o.jheUserId === null || o.jheUserId === undefined ? '' : String(o.jheUserId)) },
    { label: 'Effective time', render: (o) => fmtTime(effectiveTime(o.omhData)) },
    { label: 'Received', render: (o) => fmtTime(o.lastUpdated) },
    { label: 'Data', render: (o) => h('details', { class: 'json-toggle' }, h('summary', null, 'Show JSON'), h('pre', { class: 'json' }, JSON.stringify(o.omhData, null, 2))) },
  ];
  if (canDelete) {
    columns.push({ label: 'Actions', render: (o) => button('Delete', async () => {
      const ok = await confirmAndRun(app, 'Delete observation', `Delete observation ${o.id} (${o.codingText}) of ${o.patientNameFamily || ''} ${o.patientNameGiven || ''}? This cannot be undone.`, () => del(`observations/${o.id}`), { success: `Observation ${o.id} deleted.` });
      if (ok) app.setParams({}, { push: false });
    }, { class: 'btn-small', ariaLabel: `Delete observation ${o.id}` }) });
  }
  el.append(table({ caption: 'Observations', columns, rows: list.results || [],
    empty: studyId ? 'No data the patients have consented to share with this study.' : 'No observations.' }));
  el.append(pagerFor(app, list));
}

async function renderChart(app, el, { studyId, patientId, patients, pname, seq }) {
  if (!patients.length) { el.append(alertBox('info', studyId ? 'No patients are enrolled in this study.' : 'No patients in this organization.')); return; }
  let scopes;
  if (studyId) scopes = (await get(`studies/${studyId}/scope_requests`)).map((r) => r.scopeCode);
  else scopes = await get('data_sources/all_scopes');
  if (!scopes.length) { el.append(alertBox('info', 'The study requests no scopes.')); return; }
  let scopeId = app.param('scope');
  if (!scopes.some((s) => String(s.id) === scopeId)) scopeId = String((scopes.find((s) => CHARTS[s.codingCode]) || scopes[0]).id);
  const scope = scopes.find((s) => String(s.id) === scopeId);
  let range = app.param('range');
  if (!RANGES.some(([k]) => k === range)) range = 'all';
  el.append(toolbar(
    selectField('Scope', scopes.map((s) => [s.id, s.text]), scopeId, (v) => app.setParams({ scope: v }), { name: 'scope' }),
    selectField('Time range', RANGES.map(([k, l]) => [k, l]), range, (v) => app.setParams({ range: v }), { name: 'range' })));
  const out = h('div', { class: 'chart-output' }, loading('Loading the data…'));
  el.append(out);
  const def = CHARTS[scope.codingCode];
  if (!def) {
    replace(out, alertBox('info', `There is no chart for "${scope.text}". `,
      button('Show the table', () => app.setParams({ view: null, page: null }), { class: 'btn-link' })));
    return;
  }
  const days = RANGES.find(([k]) => k === range)[2];
  const q = new URLSearchParams({ patient: patientId, code: `${scope.codingSystem}|${scope.codingCode}`, _sort: 'date', _count: '1000' });
  if (days) q.set('date', `ge${new Date(Date.now() - days * 86400e3).toISOString()}`);
  if (studyId) q.set('patient._has:Group:member:_id', studyId);
  const resources = [];
  let truncated = false;
  try {
    let url = `/FHIR/R5/Observation?${q}`;
    while (url) {
      const b = await api('GET', url);
      if (seq !== undefined && !app.isCurrent(seq)) return;
      for (const e of b.entry || []) if (e.resource) resources.push(e.resource);
      if (resources.length >= MAX_POINTS) { truncated = true; resources.length = MAX_POINTS; break; }
      const next = (b.link || []).find((l) => l.relation === 'next');
      url = next ? next.url : null;
    }
  } catch (e) { replace(out, alertBox('error', e.message)); return; }
  const { series, skipped, unit } = toSeries(resources, def);
  const p = patients.find((x) => String(x.id) === String(patientId));
  const chart = timeChart({ title: `${scope.text} — ${p ? pname(p) : patientId}`, unit, series, bars: !!def.bars });
  const notes = [];
  if (truncated) notes.push(alertBox('warning', 'Showing the first 20,000 points.'));
  if (skipped) notes.push(alertBox('info', `${skipped} point${skipped === 1 ? '' : 's'} without a value ${skipped === 1 ? 'was' : 'were'} skipped.`));
  const tableBox = h('div', { class: 'chart-table', hidden: true });
  const toggle = button('Show as table', () => {
    tableBox.hidden = !tableBox.hidden;
    toggle.textContent = tableBox.hidden ? 'Show as table' : 'Hide table';
    toggle.setAttribute('aria-expanded', String(!tableBox.hidden));
    if (!tableBox.hidden && !tableBox.firstChild) {
      const main = [...series[0].points].sort((a, b) => a.t - b.t);
      replace(tableBox, table({ caption: 'Chart points', rows: main, columns: [
        { label: 'Time', render: (pt) => `${fmtTime(new Date(pt.t).toISOString())}${pt.t2 ? ` – ${fmtTime(new Date(pt.t2).toISOString())}` : ''}` },
        ...series.map((s) => ({ label: `${s.name}${unit ? ` (${unit})` : ''}`, class: 'num', render: (pt) => { const q2 = s.points.find((o) => o.t === pt.t && o.id === pt.id); return q2 ? fmtValue(q2.v) : ''; } })),
        { label: 'Data', render: (pt) => h('details', { class: 'json-toggle' }, h('summary', null, 'Show JSON'), h('pre', { class: 'json' }, JSON.stringify(pt.raw, null, 2))) },
      ] }));
    }
  }, { class: 'chart-table-toggle' });
  toggle.setAttribute('aria-expanded', 'false');
  replace(out, notes, h('p', { class: 'muted chart-count' }, `${series[0].points.length} point${series[0].points.length === 1 ? '' : 's'}`), chart, h('p', null, toggle), tableBox);
}
