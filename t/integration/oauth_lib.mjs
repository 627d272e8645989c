// Helpers of the OAuth/login integration tests: cookie jar, scripted login, PKCE, code flow.
import crypto from 'node:crypto';
import { BASE, get, post, req, assert, expectStatus } from './lib.mjs';

export const PASSWORD = 'Jhe1234!';
export const REDIRECT = `${BASE}/auth/callback`;

export function b64url(buf) {
  return Buffer.from(buf).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

export function pkce() {
  const verifier = b64url(crypto.randomBytes(32));
  const challenge = b64url(crypto.createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

// Cookies from Set-Cookie headers into a name -> value map.
export function absorbCookies(jar, res) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    const name = pair.slice(0, i).trim();
    const value = pair.slice(i + 1);
    if (value === '' || /max-age=0/i.test(c)) delete jar[name]; else jar[name] = value;
  }
  return jar;
}

export function cookieHeader(jar) {
  return Object.entries(jar).map(([k, v]) => `${k}=${v}`).join('; ');
}

// The reference upload script's scraping rule (oauth.md §4.1).
export function scrapeCsrf(html) {
  const i = html.indexOf('csrfmiddlewaretoken');
  let rest = html.slice(i);
  rest = rest.slice(0, rest.indexOf('\n'));
  rest = rest.slice(rest.indexOf('="') + 2);
  return rest.replace(/["> ]/g, '').replace(/\/$/, '');
}

// GET the login page, POST the credentials. Returns {jar, res}.
export async function login(email, password = PASSWORD, next = undefined, jar = {}) {
  const q = next ? `?next=${encodeURIComponent(next)}` : '';
  const page = await get(`/accounts/login/${q}`, { headers: { Cookie: cookieHeader(jar) } });
  expectStatus(page, 200);
  absorbCookies(jar, page);
  const form = new URLSearchParams({ username: email, password, csrfmiddlewaretoken: scrapeCsrf(page.text) });
  if (next) form.set('next', next);
  const res = await post(`/accounts/login/${q}`, form, { headers: { Cookie: cookieHeader(jar) } });
  absorbCookies(jar, res);
  return { jar, res };
}

export async function authorize(jar, params) {
  const q = new URLSearchParams(params).toString();
  return get(`/o/authorize/?${q}`, { headers: { Cookie: cookieHeader(jar) } });
}

export function codeParams(extra = {}) {
  const p = pkce();
  return {
    p,
    params: {
      client_id: 'jhe-admin-ui', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid email',
      code_challenge: p.challenge, code_challenge_method: 'S256', state: 'st-' + crypto.randomUUID(), ...extra,
    },
  };
}

export function tokenRequest(fields, headers = {}) {
  return post('/o/token/', new URLSearchParams(fields), { headers });
}

// authorize with a session jar and exchange the code. Returns {tokens, code, p, params}.
export async function codeFlow(jar, extra = {}) {
  const { p, params } = codeParams(extra);
  const a = await authorize(jar, params);
  expectStatus(a, 302);
  const loc = new URL(a.headers.get('location'));
  const code = loc.searchParams.get('code');
  assert.ok(code, `no code in ${loc}`);
  const t = await tokenRequest({
    grant_type: 'authorization_code', code, redirect_uri: params.redirect_uri,
    client_id: params.client_id, code_verifier: p.verifier,
  });
  expectStatus(t, 200);
  return { tokens: t.json, code, p, params };
}

export async function jwks() {
  const r = await get('/o/.well-known/jwks.json');
  expectStatus(r, 200);
  return r.json;
}

// Verify an RS256 JWT against the JWKS (OpenSSL through node:crypto); returns {header, payload}.
export async function verifyJwt(jwt) {
  const [h, p, s] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
  const keys = (await jwks()).keys;
  const jwk = keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, 'kid in JWKS');
  const key = crypto.createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  const ok = crypto.verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  assert.ok(ok, 'signature verifies');
  return { header, payload };
}

export { req };
