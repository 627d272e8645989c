// Browser test helpers: Debian's Chromium driven by playwright-core against the real stack.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BASE } from '../integration/lib.mjs';

export const ARTIFACTS = process.env.JHE_ARTIFACTS
  || new URL('../../build-test/test-artifacts/', import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });

const profiles = [];

export async function launch() {
  const dir = mkdtempSync(join(tmpdir(), 'jhe-chromium-'));
  profiles.push(dir);
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.JHE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  return { context, page, problems };
}

export async function close(b) {
  await b.context.close().catch(() => {});
}

export function cleanupProfiles() {
  for (const d of profiles) rmSync(d, { recursive: true, force: true });
}

export async function shot(page, name) {
  const file = join(ARTIFACTS, `console-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Put a token from `jhe-admin token issue` into sessionStorage (no ID token: the profile/sub check is
// skipped), for tests that do not exercise the login form.
export async function useToken(page, accessToken) {
  await page.goto(`${BASE}/`);
  await page.evaluate((t) => {
    sessionStorage.setItem('jhe.tokens', JSON.stringify({ access_token: t, refresh_token: null, id_token: null, expires_at: Date.now() + 3600e3 }));
  }, accessToken);
}

// Log in through the server's login form (the real OAuth authorization code + PKCE flow).
export async function login(page, email, password = 'Jhe1234!', path = '/console/organizations') {
  await page.goto(`${BASE}${path}`);
  await page.waitForURL(/\/accounts\/login\//);
  await page.fill('input[name=username]', email);
  await page.fill('input[name=password]', password);
  await Promise.all([
    page.waitForURL((u) => u.pathname.startsWith('/console/'), { timeout: 20000 }),
    page.click('button[type=submit], input[type=submit]'),
  ]);
  await page.waitForSelector('.topbar .user-email');
}

export { BASE };

// ---------------------------------------------------------------------------------------------
// Shared steps of the browser test files.

// Wait until a screen has rendered: its title and no pending requests.
export async function screenLoaded(page, title) {
  await page.waitForSelector(`#page-title:text-is("${title}")`);
  await page.waitForLoadState('networkidle');
}

// The topmost open dialog (confirmations open on top of view dialogs).
export function topDialog(page) {
  return page.locator('dialog[open]').last();
}

// A browser logged in as `email` through the server's login form (the real authorization code +
// PKCE flow; no injected tokens), on `path`.
export async function loggedIn(email, path = '/console/organizations', browsers = null) {
  const b = await launch();
  if (browsers) browsers.push(b);
  await login(b.page, email, 'Jhe1234!', path);
  return b;
}

// Every input/select/textarea of the page (dialogs included; type=hidden excepted) has an
// associated label: a <label for>, a wrapping <label>, aria-label or aria-labelledby naming a
// non-empty element. Returns the offenders as short descriptions.
export async function unlabelledFields(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      const byLabel = [...(el.labels || [])].some((l) => l.textContent.trim().length > 0);
      const aria = (el.getAttribute('aria-label') || '').trim().length > 0;
      const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
        .some((id) => (document.getElementById(id)?.textContent || '').trim().length > 0);
      if (!byLabel && !aria && !by) bad.push(`${el.tagName.toLowerCase()}[name=${el.name || ''}][id=${el.id || ''}][class=${el.className || ''}]`);
    }
    return bad;
  });
}

// Assert that nothing overflows the viewport horizontally except inside scrollable table wrappers.
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.table-wrap, dialog:not([open]), .sidenav, pre')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.right > w + 1) out.push(`${el.tagName.toLowerCase()}.${String(el.className).replace(/\s+/g, '.')} right=${Math.round(r.right)}`);
    }
    return { docWidth: document.documentElement.scrollWidth, viewport: w, offenders: out.slice(0, 10) };
  });
}
