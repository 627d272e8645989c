// The console's own SVG time-series charts (no library): time axis in the browser's time zone, value
// axis with unit, lines with dots or interval bars, hover/keyboard tooltips.
import { h } from './dom.js';

const W = 960;
const H = 340;
const M = { l: 64, r: 18, t: 14, b: 46 };

function niceStep(span, n) {
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

export function valueTicks(min, max, n = 5) {
  if (min === max) { min -= 1; max += 1; }
  const step = niceStep(max - min, n);
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Number(v.toFixed(10)));
  return { lo, hi, ticks };
}

const HOUR = 3600e3;
const DAY = 24 * HOUR;
const TIME_STEPS = [15 * 60e3, 30 * 60e3, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];

export function timeTicks(t0, t1, n = 7) {
  const span = t1 - t0;
  const step = TIME_STEPS.find((s) => span / s <= n) || TIME_STEPS[TIME_STEPS.length - 1];
  const d = new Date(t0);
  if (step >= DAY) { d.setHours(0, 0, 0, 0); } else { d.setMinutes(0, 0, 0); }
  const ticks = [];
  let t = d.getTime();
  let guard = 0;
  while (t <= t1 && guard < 200) {
    if (t >= t0) ticks.push(t);
    const nd = new Date(t);
    if (step >= DAY) nd.setDate(nd.getDate() + Math.round(step / DAY)); else nd.setTime(t + step);
    t = nd.getTime();
    guard += 1;
  }
  return { ticks, step };
}

function fmtTick(t, step) {
  const d = new Date(t);
  if (step >= DAY) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (d.getHours() === 0 && d.getMinutes() === 0) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return time;
}

export function fmtValue(v) {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
}

// series: [{name, points: [{t (ms), t2 (ms, optional end), v, raw}]}]; bars: draw intervals as bars.
export function timeChart({ title, unit, series, bars = false }) {
  const all = series.flatMap((s) => s.points);
  const box = h('figure', { class: 'chart-box' });
  if (!all.length) { box.append(h('p', { class: 'muted' }, 'No data points in this range.')); return box; }
  let t0 = Math.min(...all.map((p) => p.t));
  let t1 = Math.max(...all.map((p) => p.t2 || p.t));
  if (t1 - t0 < HOUR) { t0 -= HOUR / 2; t1 += HOUR / 2; }
  let v0 = Math.min(...all.map((p) => p.v));
  let v1 = Math.max(...all.map((p) => p.v));
  if (bars) v0 = Math.min(0, v0);
  const pad = (v1 - v0) * 0.05 || 1;
  if (!bars) v0 -= pad;
  v1 += pad;
  const vt = valueTicks(v0, v1);
  const x = (t) => M.l + ((t - t0) / (t1 - t0)) * (W - M.l - M.r);
  const y = (v) => H - M.b - ((v - vt.lo) / (vt.hi - vt.lo)) * (H - M.t - M.b);
  const svg = h('svg:svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${title}: ${all.length} points${unit ? ` in ${unit}` : ''}` });
  const grid = h('svg:g', { class: 'grid' });
  const yAxis = h('svg:g', { class: 'axis axis-y' });
  for (const v of vt.ticks) {
    grid.append(h('svg:line', { x1: M.l, x2: W - M.r, y1: y(v), y2: y(v) }));
    yAxis.append(h('svg:text', { x: M.l - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmtValue(v)));
  }
  yAxis.append(h('svg:text', { x: 14, y: (H - M.b + M.t) / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${(H - M.b + M.t) / 2})` }, unit || ''));
  const xAxis = h('svg:g', { class: 'axis axis-x' });
  const tt = timeTicks(t0, t1);
  xAxis.append(h('svg:line', { x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b }));
  for (const t of tt.ticks) {
    grid.append(h('svg:line', { x1: x(t), x2: x(t), y1: M.t, y2: H - M.b }));
    xAxis.append(h('svg:text', { x: x(t), y: H - M.b + 16, 'text-anchor': 'middle' }, fmtTick(t, tt.step)));
  }
  xAxis.append(h('svg:text', { x: (W + M.l) / 2, y: H - 6, 'text-anchor': 'middle' }, `Time (${Intl.DateTimeFormat().resolvedOptions().timeZone || 'local'})`));
  svg.append(grid, yAxis, xAxis);
  series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.t - b.t);
    if (bars) {
      const g = h('svg:g', { class: `bars bar-${i}` });
      for (const p of pts) {
        const x0 = x(p.t);
        const x1 = x(p.t2 || p.t + HOUR / 4);
        g.append(h('svg:rect', { class: `bar-${i}`, x: x0, y: y(Math.max(p.v, 0)), width: Math.max(1, x1 - x0 - 0.5), height: Math.max(0, Math.abs(y(0) - y(p.v))) }));
      }
      svg.append(g);
    } else {
      const d = pts.map((p, k) => `${k ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
      svg.append(h('svg:path', { class: `series-${i}`, d }));
      if (pts.length <= 400) {
        const g = h('svg:g');
        for (const p of pts) g.append(h('svg:circle', { class: `dot-${i}`, cx: x(p.t), cy: y(p.v), r: 2.6 }));
        svg.append(g);
      }
    }
  });
  // Hover and keyboard exploration: the nearest point of the first series (all series at that time).
  const main = [...series[0].points].sort((a, b) => a.t - b.t);
  const hoverLine = h('svg:line', { class: 'hover-line', y1: M.t, y2: H - M.b, visibility: 'hidden' });
  const hoverDot = h('svg:circle', { class: 'hover-dot', r: 4.5, visibility: 'hidden' });
  const overlay = h('svg:rect', { x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b, fill: 'transparent', tabindex: '0', class: 'chart-overlay', 'aria-label': 'Chart points: use the left and right arrow keys' });
  svg.append(hoverLine, hoverDot, overlay);
  const tip = h('div', { class: 'chart-tooltip', hidden: true, role: 'status' });
  let idx = -1;
  const show = (k) => {
    if (!main.length) return;
    idx = Math.max(0, Math.min(main.length - 1, k));
    const p = main[idx];
    const px = x(p.t);
    hoverLine.setAttribute('x1', px); hoverLine.setAttribute('x2', px); hoverLine.setAttribute('visibility', 'visible');
    hoverDot.setAttribute('cx', px); hoverDot.setAttribute('cy', y(p.v)); hoverDot.setAttribute('visibility', 'visible');
    const others = series.slice(1).map((s) => {
      const q = s.points.find((o) => o.t === p.t);
      return q ? `${s.name} ${fmtValue(q.v)}` : null;
    }).filter(Boolean);
    const main1 = series.length > 1 ? `${series[0].name} ${fmtValue(p.v)}` : fmtValue(p.v);
    tip.textContent = `${[main1, ...others].join(' / ')} ${unit || ''} — ${new Date(p.t).toLocaleString()}${p.t2 ? ` to ${new Date(p.t2).toLocaleTimeString()}` : ''}`;
    tip.hidden = false;
    const rect = svg.getBoundingClientRect();
    const scale = rect.width / W || 1;
    const left = px * scale;
    tip.style.left = `${Math.min(Math.max(0, left - 80), Math.max(0, rect.width - 260))}px`;
    tip.style.top = `${Math.max(0, y(p.v) * scale - 44)}px`;
  };
  const hide = () => { tip.hidden = true; hoverLine.setAttribute('visibility', 'hidden'); hoverDot.setAttribute('visibility', 'hidden'); };
  overlay.addEventListener('mousemove', (ev) => {
    const rect = svg.getBoundingClientRect();
    const sx = ((ev.clientX - rect.left) / rect.width) * W;
    const t = t0 + ((sx - M.l) / (W - M.l - M.r)) * (t1 - t0);
    let lo = 0; let hi = main.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (main[mid].t < t) lo = mid + 1; else hi = mid; }
    if (lo > 0 && Math.abs(main[lo - 1].t - t) < Math.abs(main[lo].t - t)) lo -= 1;
    show(lo);
  });
  overlay.addEventListener('mouseleave', hide);
  overlay.addEventListener('blur', hide);
  overlay.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowRight') { ev.preventDefault(); show(idx + 1); } else if (ev.key === 'ArrowLeft') { ev.preventDefault(); show(idx < 0 ? main.length - 1 : idx - 1); } else if (ev.key === 'Home') { ev.preventDefault(); show(0); } else if (ev.key === 'End') { ev.preventDefault(); show(main.length - 1); }
  });
  overlay.addEventListener('focus', () => { if (idx < 0) show(main.length - 1); else show(idx); });
  const legend = series.length > 1 ? h('div', { class: 'chart-legend' }, series.map((s, i) => h('span', null, h('span', { class: ['legend-swatch', i ? 's2' : null], 'aria-hidden': 'true' }), s.name))) : null;
  box.append(...[h('figcaption', { class: 'chart-title' }, title), legend, h('div', { class: 'chart-area' }, svg, tip)].filter(Boolean));
  return box;
}
