// The console: bootstrap (login state, profile), layout, routing, shared page context.
import { h, replace, append, alertBox, button, closeAllDialogs, topDialog, selectField, loading } from './dom.js';
import { getTokens, startLogin, authError, clearAuthError, logout, idTokenClaims } from './auth.js';
import { get, ApiError } from './api.js';
import { ifRoleCan, roleLabel } from './perms.js';

const ROUTES = [
  { route: 'organizations', label: 'Organizations', load: () => import('./organizations.js') },
  { route: 'patients', label: 'Patients', load: () => import('./patients.js') },
  { route: 'studies', label: 'Studies', load: () => import('./studies.js') },
  { route: 'observations', label: 'Observations', load: () => import('./observations.js') },
  { route: 'clients', label: 'Clients', load: () => import('./clients.js') },
  { route: 'data-sources', label: 'Data Sources', load: () => import('./data-sources.js') },
  { route: 'practitioners', label: 'Practitioners', load: () => import('./practitioners.js'), superuser: true },
  { route: 'applications', label: 'OAuth Applications', load: () => import('./applications.js'), superuser: true },
  { route: 'settings', label: 'System Settings', load: () => import('./settings.js'), superuser: true },
  { route: 'audit', label: 'Audit Log', load: () => import('./audit.js'), superuser: true },
  { route: 'profile', label: 'Profile', load: () => import('./profile.js'), hidden: true },
];

const root = document.getElementById('app');
const C = window.CONSTANTS;

// ---------------------------------------------------------------------------------------------
// Page context shared by the screens.
export const app = {
  profile: null,
  myOrgs: [],
  isSuper: false,
  route: 'organizations',
  params: new URLSearchParams(),
  main: null,
  alerts: null,
  renderSeq: 0,

  roleFor(orgId) {
    if (this.isSuper) return 'super_user';
    const o = this.myOrgs.find((x) => String(x.id) === String(orgId));
    return o ? o.currentUserRole : null;
  },
  can(orgId, permission) { return ifRoleCan(this.roleFor(orgId), permission); },
  canGlobal(permission) { return this.isSuper && ifRoleCan('super_user', permission); },

  param(name) { return this.params.get(name); },
  // Change query parameters. opts.push (default true), opts.render (default true).
  setParams(patch, { push = true, render = true } = {}) {
    const p = new URLSearchParams(this.params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === undefined) p.delete(k); else p.set(k, String(v));
    }
    this.params = p;
    const url = `/console/${this.route}${p.toString() ? `?${p}` : ''}`;
    if (url !== location.pathname + location.search) {
      if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
    }
    if (render) renderRoute();
  },
  navigate(route, params = {}) {
    closeAllDialogs();
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) p.set(k, String(v));
    history.pushState(null, '', `/console/${route}${p.toString() ? `?${p}` : ''}`);
    renderRoute();
  },
  // Dialog state in the URL (console.md §4): dialog=create|read|update|delete (&id=).
  // A dialog's close event arrives asynchronously: when a navigation (a link in the dialog, Back)
  // closed it, the URL already belongs to the next render and must not be touched.
  dialogOpened(kind, id) { this.dialogSeq = this.renderSeq; this.setParams({ dialog: kind, id: id ?? null }, { render: false }); },
  // rerender: the dialog changed what the page lists (e.g. a data source's scopes).
  dialogClosed({ rerender = false } = {}) {
    if (this.dialogSeq !== this.renderSeq) return;
    if (this.params.has('dialog') || rerender) this.setParams({ dialog: null, id: null }, { render: rerender, push: !rerender });
  },

  // A success message survives the re-render that usually follows it (setParams after an action).
  pageAlert(kind, msg) {
    if (!this.alerts) return;
    this.keepAlert = kind === 'success';
    replace(this.alerts, msg ? alertBox(kind, msg) : null);
    if (msg) this.alerts.scrollIntoView({ block: 'nearest' });
  },
  // Show an error where the user is looking: the open dialog's banner or the page.
  showError(e) {
    if (!(e instanceof ApiError) && !(e instanceof Error)) e = new Error(String(e));
    if (e.status === 401) return; // the login flow restarts
    const d = topDialog();
    if (d) d.banner('error', e.message); else this.pageAlert('error', e.message);
  },

  // ------------------------------------------------------------------ sticky selection (§4)
  pickOrg(options) {
    const ids = options.map((o) => String(o.id));
    const fromUrl = this.params.get('organizationId');
    if (fromUrl && ids.includes(fromUrl)) return fromUrl;
    const sticky = this.profile?.settings?.currentOrganizationId;
    if (sticky !== undefined && sticky !== null && ids.includes(String(sticky))) return String(sticky);
    return ids[0] || null;
  },
  pickStudy(studies) {
    const ids = studies.map((s) => String(s.id));
    if (this.params.has('studyId')) {
      const v = this.params.get('studyId');
      return ids.includes(v) ? v : '';
    }
    const sticky = this.profile?.settings?.currentStudyId;
    if (sticky !== undefined && sticky !== null && ids.includes(String(sticky))) return String(sticky);
    return '';
  },
  // Mirror the server's side effects of list calls (admin-api.md §17) in the cached profile.
  rememberSelection(orgId, studyId, { removeStudy = true } = {}) {
    if (!this.profile || !this.profile.settings) return;
    if (orgId) this.profile.settings.currentOrganizationId = Number(orgId);
    if (studyId) this.profile.settings.currentStudyId = Number(studyId);
    else if (removeStudy) delete this.profile.settings.currentStudyId;
  },

  // Organization selector for pages that need an organization. options: [{id, name}]
  orgSelector(options, value, label = 'Organization') {
    return selectField(label, options.map((o) => [o.id, o.name]), value,
      (v) => this.setParams({ organizationId: v, studyId: null, patientId: null, page: null, dialog: null, id: null }), { name: 'organizationId' });
  },
  noOrgsMessage() {
    return alertBox('info', 'You do not belong to any organization yet. Ask a manager to add you.');
  },
  pageNum() { return Math.max(1, Number(this.params.get('page')) || 1); },
  pageSize() {
    const n = Number(this.params.get('pageSize'));
    return [20, 100, 500, 1000].includes(n) ? n : 20;
  },
  isCurrent(seq) { return seq === this.renderSeq; },
};
window.jheConsole = app; // for debugging in the browser console (holds no tokens)

// ---------------------------------------------------------------------------------------------
// Full-page states: sign-in error, patient profile, loading.
function simplePage(title, ...content) {
  replace(root, h('main', { class: 'simple-page', id: 'main' },
    h('h1', null, 'JupyterHealth Exchange'), h('h2', null, title), ...content));
}

function signInErrorPage(msg) {
  document.title = 'Sign-in failed | JupyterHealth Exchange';
  simplePage('Sign-in failed',
    alertBox('error', `Sign-in failed: ${msg}`),
    h('p', null, button('Try again', () => { clearAuthError(); sessionStorage.removeItem('jhe.tokens'); startLogin(location.pathname + location.search).then((ok) => { if (!ok) boot(); }); }, { kind: 'primary' }),
      ' ', h('a', { href: '/' }, 'Home')));
}

// ---------------------------------------------------------------------------------------------
function layout() {
  const p = app.profile;
  const nav = h('nav', { class: 'sidenav', 'aria-label': 'Main' },
    h('ul', null, ROUTES.filter((r) => !r.hidden && (!r.superuser || app.isSuper)).map((r) =>
      h('li', null, h('a', { href: `/console/${r.route}`, 'data-route': r.route, onclick: (ev) => { if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return; ev.preventDefault(); app.navigate(r.route); } }, r.label)))));
  const menu = h('details', { class: 'user-menu' },
    h('summary', { 'aria-label': `User menu for ${p.email}` }, h('span', { class: 'user-email' }, p.email), h('span', { 'aria-hidden': 'true' }, ' ▾')),
    h('ul', { class: 'user-menu-list' },
      h('li', null, h('a', { href: '/console/profile', onclick: (ev) => { ev.preventDefault(); menu.open = false; app.navigate('profile'); } }, 'Profile')),
      h('li', null, button('Log out', () => logout(), { class: 'menu-logout' }))));
  menu.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { menu.open = false; menu.querySelector('summary').focus(); } });
  document.addEventListener('click', (ev) => { if (!menu.contains(ev.target)) menu.open = false; });
  const navToggle = button('Menu', () => { document.body.classList.toggle('nav-open'); navToggle.setAttribute('aria-expanded', document.body.classList.contains('nav-open')); }, { class: 'nav-toggle' });
  navToggle.setAttribute('aria-expanded', 'false');
  app.alerts = h('div', { class: 'page-alerts', 'aria-live': 'polite' });
  app.main = h('div', { class: 'page' });
  replace(root,
    h('a', { class: 'skip-link', href: '#main' }, 'Skip to content'),
    h('header', { class: 'topbar' }, navToggle,
      h('a', { class: 'brand', href: '/console/organizations', onclick: (ev) => { ev.preventDefault(); app.navigate('organizations'); } }, 'JupyterHealth Exchange'),
      h('div', { class: 'topbar-right' }, app.isSuper ? h('span', { class: 'chip chip-super' }, 'Superuser') : null, menu)),
    h('div', { class: 'shell' }, nav,
      h('main', { id: 'main', class: 'content', tabindex: '-1' }, app.alerts, app.main)),
    h('footer', { class: 'footer' }, `JupyterHealth Exchange ${C.JHE_VERSION}`));
}

function parseLocation() {
  let r = location.pathname.replace(/^\/console\/?/, '').replace(/\/+$/, '');
  if (!r) r = 'organizations';
  let def = ROUTES.find((x) => x.route === r);
  if (!def || (def.superuser && !app.isSuper)) { r = 'organizations'; def = ROUTES[0]; }
  app.route = r;
  app.params = new URLSearchParams(location.search);
  return def;
}

export async function renderRoute() {
  const def = parseLocation();
  app.renderSeq += 1;
  const seq = app.renderSeq;
  closeAllDialogs();
  for (const a of document.querySelectorAll('.sidenav a')) {
    if (a.dataset.route === app.route) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.body.classList.remove('nav-open');
  document.title = `${def.label} | JupyterHealth Exchange`;
  if (app.keepAlert) app.keepAlert = false; else app.pageAlert(null, null);
  replace(app.main, loading());
  try {
    const mod = await def.load();
    if (seq !== app.renderSeq) return;
    const container = h('section', { class: 'screen', 'aria-labelledby': 'page-title' });
    await mod.render(app, container, seq);
    if (seq !== app.renderSeq) return;
    replace(app.main, container);
  } catch (e) {
    if (seq !== app.renderSeq) return;
    replace(app.main, errorPanel(e));
  }
}

export function errorPanel(e) {
  if (e && e.status === 403) {
    return h('div', { class: 'friendly' }, h('h1', { id: 'page-title' }, 'Not allowed'),
      h('p', null, 'You do not have permission to see this page.'), e.message ? h('p', { class: 'muted' }, e.message) : null,
      h('p', null, h('a', { href: '/console/organizations' }, 'Back to Organizations')));
  }
  if (e && e.status === 401) {
    return h('div', { class: 'friendly' }, h('h1', { id: 'page-title' }, 'Signed out'), h('p', null, 'Your session has ended. Redirecting to the sign-in page…'));
  }
  if (e && e.status === 404) {
    return h('div', { class: 'friendly' }, h('h1', { id: 'page-title' }, 'Not found'), h('p', null, e.message || 'Not found.'));
  }
  return h('div', null, h('h1', { id: 'page-title' }, 'Something went wrong'), alertBox('error', (e && e.message) || String(e)));
}

async function boot() {
  const err = authError();
  if (err) { signInErrorPage(err); return; }
  if (!getTokens()) {
    simplePage('Signing in…', h('p', { role: 'status' }, 'Redirecting to the sign-in page…'));
    const ok = await startLogin(location.pathname + location.search);
    if (!ok) signInErrorPage(authError() || 'The sign-in could not be started.');
    return;
  }
  simplePage('Loading…', loading());
  let profile;
  try {
    profile = await get('users/profile');
  } catch (e) {
    if (e.status === 401) return; // login restarted
    simplePage('The console could not load', alertBox('error', e.message), h('p', null, button('Reload', () => location.reload())));
    return;
  }
  const claims = idTokenClaims();
  if (claims && String(claims.sub) !== String(profile.id)) { await logout(); return; }
  if (!('email' in profile) || profile.userType === 'patient' && !profile.email) {
    simplePage('Practitioners only', h('p', null, 'This console is for practitioners and administrators.'),
      h('p', null, button('Log out', () => logout(), { kind: 'primary' })));
    return;
  }
  app.profile = profile;
  app.profile.settings = profile.settings || {};
  app.isSuper = !!profile.isSuperuser;
  try { app.myOrgs = await get('users/organizations'); } catch (e) { app.myOrgs = []; if (e.status === 401) return; }
  layout();
  await renderRoute();
}

window.addEventListener('popstate', () => { if (app.main) renderRoute(); });
export function refreshMyOrgs() { return get('users/organizations').then((o) => { app.myOrgs = o; }); }
export { roleLabel, append };
boot();
