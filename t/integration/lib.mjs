// Shared helpers of the integration tests: they talk HTTPS to the real stack started by
// t/run-integration (NGINX -> spawn-fcgi workers -> PostgreSQL), never to mocks.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';

export const BASE = process.env.JHE_URL || 'https://localhost:9443';
const SRC = new URL('../../', import.meta.url).pathname;
const INSTANCE = process.env.JHE_INSTANCE || 'test';

// Run a scripts/stack subcommand for this instance (e.g. admin, psql).
export function stack(args, opts = {}) {
  return execFileSync(`${SRC}scripts/stack`, args, {
    env: { ...process.env, JHE_INSTANCE: INSTANCE },
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    ...opts,
  });
}

const tokenCache = new Map();
// A fresh access token for a seeded user, from `jhe-admin token issue` (stored as a digest).
export function token(email, client = 'jhe-admin-ui') {
  const key = `${email}|${client}`;
  if (!tokenCache.has(key)) {
    tokenCache.set(key, stack(['admin', 'token', 'issue', '--user', email, '--client', client]).trim());
  }
  return tokenCache.get(key);
}

// Run SQL as the cluster superuser; returns rows as arrays of strings (tab-separated output).
export function sql(query) {
  const out = stack(['psql', '-qtAX', '-F', '\t', '-c', query]);
  return out.split('\n').filter((l) => l.length).map((l) => l.split('\t'));
}

// One HTTP request. body: object (JSON), string (sent as is) or URLSearchParams (form).
export async function req(method, path, { token: tok, body, headers = {}, redirect = 'manual' } = {}) {
  const h = { ...headers };
  if (tok) h.Authorization = `Bearer ${tok}`;
  let payload;
  if (body instanceof URLSearchParams) {
    payload = body.toString();
    h['Content-Type'] ??= 'application/x-www-form-urlencoded';
  } else if (typeof body === 'string' || body instanceof Uint8Array) {
    payload = body;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(path.startsWith('http') ? path : BASE + path, { method, headers: h, body: payload, redirect });
  const text = await res.text();
  let json;
  try { json = text.length ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export const get = (path, opts) => req('GET', path, opts);
export const post = (path, body, opts = {}) => req('POST', path, { ...opts, body });
export const patch = (path, body, opts = {}) => req('PATCH', path, { ...opts, body });
export const put = (path, body, opts = {}) => req('PUT', path, { ...opts, body });
export const del = (path, body, opts = {}) => req('DELETE', path, { ...opts, body });

// Assert status, showing the body on failure.
export function expectStatus(res, status) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
}

export { assert };

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// The process ids of the stack's workers (spawn-fcgi -n execs the binary, so each is a jhe-fcgi
// process of the build under test).
export function workerPids() {
  return execFileSync('pgrep', ['-f', `^${process.env.JHE_BUILD}/jhe-fcgi`], { encoding: 'utf8' })
    .trim().split('\n').filter(Boolean);
}

// Wait until GET /health answers 200 (after restarts).
export async function waitHealthy(timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const r = await get('/health');
      if (r.status === 200) return;
    } catch { /* not up yet */ }
    await sleep(100);
  }
  throw new Error('server did not become healthy');
}

// Test isolation for files that create many rows: remember the highest ids, then delete every row
// created after that point (children go by the schema's cascades; audit rows are never deleted).
const CREATED_TABLES = ['observation', 'patient_invitation', 'patient', 'study', 'organization', 'data_source',
  'oauth_application', 'jhe_setting', 'jhe_user'];
export function snapshotIds() {
  const snap = {};
  for (const t of CREATED_TABLES) snap[t] = Number(sql(`SELECT COALESCE(max(id), 0) FROM ${t}`)[0][0]);
  return snap;
}
export function deleteCreatedSince(snap) {
  for (const t of CREATED_TABLES) sql(`DELETE FROM ${t} WHERE id > ${Number(snap[t])}`);
}

// Admin API list calls save the caller's sticky organization/study selection (admin-api.md §17).
// A file whose list calls change it calls this once at its top: the practitioners' settings as
// they are then are put back after the file's tests (later files, the browser tests among them,
// expect the seeded selections, seed.md §8.3).
export function keepPractitionerSettings(after) {
  const saved = sql(`SELECT COALESCE(json_agg(json_build_object('id', id, 's', settings)), '[]') FROM practitioner`)[0][0];
  after(() => sql(`UPDATE practitioner p SET settings = x.s
                   FROM json_to_recordset('${saved.replace(/'/g, "''")}') AS x(id bigint, s jsonb)
                   WHERE p.id = x.id AND p.settings IS DISTINCT FROM x.s`));
}

// Another session holds `table` for `seconds` (ACCESS EXCLUSIVE: every statement on it waits).
// Resolves once the lock is granted, to { done }: a promise of the holder's end (wrapped in an
// object, or the async function's own promise would wait for the holder to finish).
export async function holdTable(table, seconds) {
  const { spawn } = await import('node:child_process');
  const holder = spawn(`${SRC}scripts/stack`,
    ['psql', '-qtAX', '-c', `BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(${seconds}); COMMIT;`],
    { stdio: 'ignore', env: { ...process.env, JHE_INSTANCE: INSTANCE } });
  const done = new Promise((res) => holder.on('exit', res));
  for (let i = 0; i < 100; i++) {
    const n = sql(`SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                    WHERE c.relname = '${table}' AND l.mode = 'AccessExclusiveLock' AND l.granted`)[0][0];
    if (n !== '0') return { done };
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`the lock on ${table} was not taken within 10 s`);
}
